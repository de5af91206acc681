//! Finding an article's matches: its probe keys (band keys, lead anchors, content hash), their
//! holders in the committed postings and among the batch's earlier articles, and each
//! candidate verified by the batch engine's scorer.

use super::*;

/// A document's probe keys: its band keys, lead anchors and content hash, each with its kind
/// and (to be filled) its committed holders.
fn probe_keys(d: &SignedDoc<'_>, lsh: LshParams) -> Vec<(u64, KeyKind, Vec<Holder>)> {
    let mut keys = Vec::with_capacity(lsh.bands + ANCHORS + 1);
    let mut buf = Vec::new();
    for band in 0..lsh.bands {
        if let Some(k) = band_key(d.sig, lsh, band, &mut buf) {
            keys.push((key(KeyKind::Band, k), KeyKind::Band, Vec::new()));
        }
    }
    for &a in d.anchors.iter().filter(|&&a| a != EMPTY) {
        keys.push((
            key(KeyKind::Anchor, u64::from(a)),
            KeyKind::Anchor,
            Vec::new(),
        ));
    }
    if let Some(c) = d.content {
        keys.push((key(KeyKind::Content, c), KeyKind::Content, Vec::new()));
    }
    // A key is looked up once even when two bands hash alike.
    keys.sort_by_key(|k| k.0);
    keys.dedup_by_key(|k| k.0);
    keys
}

/// A document's number of lead anchors: the tag of its postings.
pub(crate) fn anchor_count(anchors: &[u32]) -> u8 {
    anchors.iter().filter(|&&a| a != EMPTY).count() as u8
}

/// A posting's document and its anchor count.
pub(crate) type Holder = (u32, u8);

/// The committed side of one article's lookup.
pub(crate) struct Looked {
    /// Each probe key, its kind, and its live committed holders in document order.
    pub(crate) keys: Vec<(u64, KeyKind, Vec<Holder>)>,
    /// The holders that may be candidates: their records are needed.
    pub(crate) wanted: Vec<u32>,
}

/// Records of committed documents, read once for a whole batch.
pub(crate) type Records = FastMap<u32, Arc<DocRecord>>;

/// A batch's own articles as candidates of one of them: the articles before position `upto`,
/// numbered from `base`, less those replaced by then.
pub(crate) struct InBatch<'a> {
    /// Each probe key of the batch, with the positions holding it, ascending.
    pub(crate) postings: &'a FastMap<u64, Vec<usize>>,
    /// The batch's records, by position.
    pub(crate) records: &'a [Arc<DocRecord>],
    pub(crate) base: u32,
    pub(crate) upto: usize,
    /// For each position, the position of the article that replaces it, if any.
    pub(crate) replaced_by: &'a [Option<usize>],
}

impl InBatch<'_> {
    /// No batch: a query.
    pub(crate) fn none(postings: &FastMap<u64, Vec<usize>>) -> InBatch<'_> {
        InBatch {
            postings,
            records: &[],
            base: u32::MAX,
            upto: 0,
            replaced_by: &[],
        }
    }

    fn holders(&self, key: u64) -> impl Iterator<Item = Holder> + '_ {
        let positions = self.postings.get(&key).map_or(&[][..], |p| &p[..]);
        let n = positions.partition_point(|&j| j < self.upto);
        positions[..n]
            .iter()
            .filter(|&&j| self.replaced_by[j].is_none_or(|by| by > self.upto))
            .map(|&j| (self.base + j as u32, anchor_count(&self.records[j].anchors)))
    }

    fn record(&self, doc: u32) -> Option<&Arc<DocRecord>> {
        doc.checked_sub(self.base)
            .and_then(|j| self.records.get(j as usize))
    }
}

/// A verified candidate.
pub(crate) struct Found {
    pub(crate) doc: u32,
    pub(crate) id: String,
    pub(crate) score: f64,
    /// Story preset: the estimated Jaccard beside the story score.
    pub(crate) jaccard: Option<f64>,
    pub(crate) evidence: Evidence,
    pub(crate) containment: Option<f64>,
}

impl Found {
    pub(crate) fn into_match(self, d: &SignedDoc<'_>, story: u64) -> Match {
        let contained = match self.evidence {
            // The pair was verified as (candidate, query): `first` is the candidate.
            Evidence::Contained { first } => Some(if first {
                self.id.clone()
            } else {
                d.id.to_string()
            }),
            _ => None,
        };
        Match {
            containment: contained.as_ref().and(self.containment.map(round4)),
            contained,
            id: self.id,
            score: round4(self.score),
            jaccard: self.jaccard.map(round4),
            evidence: self.evidence.name(),
            story,
        }
    }
}

/// The matches whose stories an article joins: all of them, or, for an exact copy of a live
/// article, its exact matches only. The batch engine pairs an exact copy with its first
/// occurrence alone and lets the occurrence's pairs stand for it; the copy's other links count
/// once it is the earliest of its copies left.
pub(crate) fn joined(found: &[Found]) -> impl Iterator<Item = &Found> {
    let exact_only = found.iter().any(|f| f.evidence == Evidence::Exact);
    found
        .iter()
        .filter(move |f| !exact_only || f.evidence == Evidence::Exact)
}

/// The holders of one key that pair with a new article: all of them, or past the bucket cap
/// the first only (as an LSH bucket does in the batch engine).
fn paired(holders: &[Holder], cap: usize) -> &[Holder] {
    if holders.len() + 1 > cap {
        &holders[..1]
    } else {
        holders
    }
}

/// Whether a document with `theirs` anchors, sharing `hits` of them with one that has `own`,
/// opens alike enough to be a containment candidate.
fn leads_agree(own: u8, theirs: u8, hits: usize) -> bool {
    hits >= anchors_needed(usize::from(own.min(theirs)))
}

impl Index {
    /// The probe keys of a signed document and, for each, its live holders in the committed
    /// postings (those `gone` says are gone left out), and which of them may be candidates.
    /// Anchor holders are counted first: only those sharing enough of the lead are wanted, as
    /// a common opening sentence has hundreds of holders.
    pub(crate) fn look_up(
        &self,
        snap: &Snapshot,
        d: &SignedDoc<'_>,
        gone: impl Fn(u32) -> bool,
    ) -> Looked {
        let cap = self.cfg.copy.max_bucket;
        let own = anchor_count(d.anchors);
        let mut keys = probe_keys(d, self.lsh);
        let mut wanted: Vec<u32> = Vec::new();
        let mut anchor_hits: FastMap<u32, (usize, u8)> = FastMap::default();
        for (k, kind, holders) in &mut keys {
            for s in &snap.segments {
                let (docs, tags) = s.holders(*k);
                holders.extend(
                    docs.iter()
                        .zip(tags)
                        .filter(|(d, _)| !snap.dead.contains(d) && !gone(**d))
                        .map(|(&d, &t)| (d, t)),
                );
            }
            // Resolving adds the batch's holders, which can only narrow what is paired.
            let take = paired(holders, cap);
            match kind {
                KeyKind::Anchor => {
                    for &(h, t) in take {
                        anchor_hits.entry(h).or_insert((0, t)).0 += 1;
                    }
                }
                KeyKind::Band | KeyKind::Content => wanted.extend(take.iter().map(|h| h.0)),
                KeyKind::Line | KeyKind::Term => {}
            }
        }
        wanted.extend(
            anchor_hits
                .into_iter()
                .filter(|&(_, (hits, theirs))| leads_agree(own, theirs, hits))
                .map(|(h, _)| h),
        );
        wanted.sort_unstable();
        wanted.dedup();
        Looked { keys, wanted }
    }

    /// The records every lookup in `looked` wants, each read once, in document order: the
    /// articles of a batch share many candidates, and reading in key order walks the store's
    /// leaves in order instead of jumping between them.
    pub(crate) fn read_records(
        &self,
        looked: &[Looked],
        docs: &(impl ReadableTable<u32, &'static [u8]> + Sync),
    ) -> Result<Records> {
        let mut all: Vec<u32> = looked
            .iter()
            .flat_map(|l| l.wanted.iter().copied())
            .collect();
        all.sort_unstable();
        all.dedup();
        let chunk = all
            .len()
            .div_ceil(rayon::current_num_threads().max(1))
            .max(1);
        let parts: Vec<Vec<(u32, Arc<DocRecord>)>> = all
            .par_chunks(chunk)
            .map(|part| {
                let mut out = Vec::with_capacity(part.len());
                for &h in part {
                    if let Some(r) = self.committed_record(docs, h)? {
                        out.push((h, r));
                    }
                }
                Ok(out)
            })
            .collect::<Result<_>>()?;
        Ok(parts.into_iter().flatten().collect())
    }

    /// The candidates of `d` (committed holders in `looked`, then the batch's earlier
    /// articles in `batch`) that the copy preset joins it to, verified.
    pub(crate) fn resolve(
        &self,
        d: &SignedDoc<'_>,
        looked: &Looked,
        records: &Records,
        batch: &InBatch,
    ) -> Vec<Found> {
        let cap = self.cfg.copy.max_bucket;
        let own = anchor_count(d.anchors);
        let mut cands: BTreeSet<u32> = BTreeSet::new();
        let mut anchor_hits: BTreeMap<u32, (usize, u8)> = BTreeMap::new();
        let mut holders: Vec<Holder> = Vec::new();
        for (k, kind, committed) in &looked.keys {
            holders.clear();
            holders.extend_from_slice(committed);
            holders.extend(batch.holders(*k));
            let take = paired(&holders, cap);
            match kind {
                KeyKind::Anchor => {
                    for &(h, t) in take {
                        anchor_hits.entry(h).or_insert((0, t)).0 += 1;
                    }
                }
                KeyKind::Band | KeyKind::Content => cands.extend(take.iter().map(|h| h.0)),
                KeyKind::Line | KeyKind::Term => {}
            }
        }
        cands.extend(
            anchor_hits
                .into_iter()
                .filter(|&(_, (hits, theirs))| leads_agree(own, theirs, hits))
                .map(|(h, _)| h),
        );
        let cands: Vec<(u32, Arc<DocRecord>)> = cands
            .into_iter()
            .filter_map(|h| {
                batch
                    .record(h)
                    .or_else(|| records.get(&h))
                    .map(|r| (h, r.clone()))
            })
            .collect();
        self.verify_candidates(d, &cands)
    }

    /// The candidates `cands` that the copy preset joins `d` to, scored by the batch
    /// engine's scorer over a store of them and, last, `d`: the batch engine verifies a pair
    /// in document order, and containment breaks a tie of lengths towards the later text, so
    /// the query goes where a later article would be.
    fn verify_candidates(&self, d: &SignedDoc<'_>, cands: &[(u32, Arc<DocRecord>)]) -> Vec<Found> {
        self.verify_with(Preset::Copy, Parts::of_doc(d), cands, None)
    }

    /// The candidates `cands` that `preset` joins the document `q` to, verified as
    /// [`Index::verify_candidates`] does; the story preset scores `story`, the candidates'
    /// vectors and, last, the query's.
    pub(crate) fn verify_with(
        &self,
        preset: Preset,
        q: Parts<'_>,
        cands: &[(u32, Arc<DocRecord>)],
        story: Option<Vec<TermVector>>,
    ) -> Vec<Found> {
        if cands.is_empty() {
            return Vec::new();
        }
        let parts: Vec<Parts<'_>> = cands.iter().map(|(_, r)| Parts::of_record(r)).collect();
        let store = PairStore::new(&self.cfg, &parts, q, story);
        let mem = store.mem();
        let scorer = PairScorer::new(&mem, preset);
        let t = self.cfg.thresholds;
        let qi = cands.len();
        cands
            .iter()
            .enumerate()
            .filter_map(|(j, (doc, r))| {
                let exact = q.content.is_some() && r.content == q.content;
                let scores = scorer.verify(j, qi, t)?;
                let evidence = if exact {
                    Evidence::Exact
                } else {
                    scores.decide(preset, t)?
                };
                Some(Found {
                    doc: *doc,
                    id: r.id.clone(),
                    score: scores.primary(preset),
                    jaccard: (preset == Preset::Story).then_some(scores.jaccard),
                    evidence,
                    containment: scores.contained.map(|c| c.value),
                })
            })
            .collect()
    }
}

/// What verification reads of one document.
#[derive(Clone, Copy)]
pub(crate) struct Parts<'a> {
    pub(crate) sig: &'a [u32],
    pub(crate) own: &'a [u64],
    pub(crate) anchors: &'a [u32],
    pub(crate) words: u32,
    pub(crate) content: Option<u64>,
}

impl<'a> Parts<'a> {
    pub(crate) fn of_doc(d: &SignedDoc<'a>) -> Self {
        Parts {
            sig: d.sig,
            own: d.own,
            anchors: d.anchors,
            words: d.words,
            content: d.content,
        }
    }

    pub(crate) fn of_record(r: &'a DocRecord) -> Self {
        Parts {
            sig: &r.sig,
            own: &r.own,
            anchors: &r.anchors,
            words: r.words,
            content: r.content,
        }
    }
}

/// The features of a few documents (candidates, then the query last) in the batch engine's
/// in-memory columns, so that its scorer verifies them.
pub(crate) struct PairStore {
    dup_of: Vec<Option<u32>>,
    sigs: Signatures,
    contain: Option<ContainFeatures>,
    story: Option<PackedVectors>,
}

impl PairStore {
    pub(crate) fn new(
        cfg: &EngineConfig,
        cands: &[Parts<'_>],
        q: Parts<'_>,
        story: Option<Vec<TermVector>>,
    ) -> Self {
        let k = q.sig.len();
        let n = cands.len();
        let mut values = Vec::with_capacity((n + 1) * k);
        for c in cands {
            values.extend_from_slice(c.sig);
        }
        values.extend_from_slice(q.sig);
        // Only the query can be an exact copy here: of its first equal candidate.
        let mut dup_of = vec![None; n + 1];
        if q.content.is_some() {
            dup_of[n] = cands
                .iter()
                .position(|c| c.content == q.content)
                .map(|j| j as u32);
        }
        let sigs = Signatures::from_values(cfg.copy_recipe(), values);
        let contain = cfg.copy.contain.map(|params| {
            let mut f = ContainFeatures {
                params,
                mask_words: q.own.len(),
                ..ContainFeatures::default()
            };
            for c in cands.iter().chain(std::iter::once(&q)) {
                f.words.push(c.words);
                f.anchors.extend_from_slice(c.anchors);
                f.own.extend_from_slice(c.own);
            }
            debug_assert_eq!(f.anchors.len(), (n + 1) * ANCHORS);
            f
        });
        let story = story.map(|v| {
            let entries = v.iter().map(|x| x.len()).sum();
            PackedVectors::new(v.into_iter(), entries)
        });
        PairStore {
            dup_of,
            sigs,
            contain,
            story,
        }
    }

    pub(crate) fn mem(&self) -> MemStore<'_> {
        MemStore {
            dup_of: &self.dup_of,
            copy_sigs: &self.sigs,
            shingles: None,
            story: self.story.as_ref(),
            contain: self.contain.as_ref(),
        }
    }
}
