//! The story preset in the index: collection statistics kept as counts in the store, story
//! vectors derived from them when a pair is scored, story candidates from each counted
//! document's heaviest terms, and the online story rule.
//!
//! - **Statistics.** Document frequencies of story terms over the *counted* live documents
//!   (those that matched no earlier article as a copy when they were added: the batch engine
//!   counts one document per copy cluster), the number of them, and a histogram of their
//!   lengths (for the short-text prior's median), in the store (`TERM_DF`, `META`), updated in
//!   the commit that adds or removes a document, and held in memory while the index is open.
//!   A document keeps the boilerplate mask it was counted with, so that removing it takes out
//!   exactly what it put in.
//! - **A small archive.** IDF over a handful of documents is noise (three articles: every
//!   shared word looks common). Until the archive has `PRIOR_DOCS` counted documents, the IDF
//!   is computed as if that many documents had been counted, the missing ones holding none of
//!   the terms: weights start near uniform (as `storyhash compare` scores two texts with no
//!   collection) and become the collection's as it grows; from `PRIOR_DOCS` on they are
//!   exactly the batch engine's formula over the live documents.
//! - **A seed.** An index created from a reference collection (`seed.rs`) keeps that
//!   collection's counts apart from the live ones (`SEED_DF`, `seed_docs`, `seed_lens`) and
//!   scores with the two added together; adds and removals change the live counts only. The
//!   seed's documents count towards `PRIOR_DOCS`: the prior applies only while live and
//!   seeded counted documents together are fewer, so a seed of that many turns it off.
//! - **Derived vectors.** A vector depends on the statistics and on the boilerplate rules,
//!   which depend on who else holds each line (`KeyKind::Line` postings). Neither is stored:
//!   each pair is scored from the document's stored terms by line, masked and weighted under
//!   the statistics of the moment, so that a score never mixes two states. The heaviest terms
//!   a document is found by (`KeyKind::Term` postings) are taken once, when it is added.
//! - **Stories.** When an article arrives, the stories its matches belong to are re-linked
//!   with it under the statistics of the moment: every pair among their members and the
//!   article is verified and the batch engine's average linkage runs over them, so a join
//!   made when the archive was small, or before a better match arrived, is made again as one
//!   `cluster` run would make it (stories may merge or split). Each old story keeps its id in
//!   the piece holding its earliest member; other pieces are new stories. Past
//!   [`RELINK_MAX`] documents (a large story), the join rule decides alone: the article joins
//!   the story whose mean linkage score with the story's first [`LINK_SAMPLE`] live members
//!   is highest and reaches the threshold, and the other stories it matched merge in, best
//!   first, when the mean score between the two samples reaches it; a merged story keeps the
//!   oldest id.
//! - **Removals.** When members leave, what is left of each story they leave is re-linked
//!   the same way (every pair among its members verified under the statistics the removal
//!   leaves, and average linkage over them), so a story held together by a member that left
//!   splits as average linkage over the rest splits it: the piece holding its earliest
//!   remaining member keeps the id, the other pieces are new stories. What a replaced version
//!   leaves of its story is re-linked with its new version and the stories that one touches,
//!   in one re-link. A story of more than [`RELINK_MAX`] members keeps them all. A story id
//!   lives as long as any member that held it.

use super::lookup::Found;
use super::*;
use crate::record::VersionParts;
use storyhash_core::candidates::top_terms::{heaviest_keys, window};
use storyhash_core::cluster::LINK_SAMPLE;
use storyhash_core::pipeline::contain::{contained, ContainSide};
use storyhash_core::pipeline::{story_bag, versions, StoryIndex, TopTermsParams};
use storyhash_core::sketch::estimate;
use storyhash_core::text::boilerplate::{keep_mask_with, Seen, NOBODY, REMEMBERED};
use storyhash_core::weight::{self, TermVector, WeightParams};

/// Counted documents below which the IDF is computed as if there were this many (see the
/// module doc).
pub(crate) const PRIOR_DOCS: u64 = 20;

/// The collection statistics of the story preset, as of the last commit: the live counts, and
/// the seed (a reference collection's counts, fixed when the index was created).
#[derive(Debug, Clone, Default)]
pub(crate) struct StoryStats {
    pub(crate) df: FastMap<u32, u32>,
    /// Counted documents.
    pub(crate) docs: u64,
    /// Counted documents by their number of distinct terms (capped at `max_terms`).
    pub(crate) lens: Vec<u64>,
    /// The seed, added to the live counts when a pair is scored; no add or removal changes
    /// it.
    pub(crate) seed: Seed,
}

/// A reference collection's statistics (`index create --stats-from`), counted as the index
/// counts its own documents (`seed.rs`).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Seed {
    pub(crate) df: FastMap<u32, u32>,
    /// Counted documents.
    pub(crate) docs: u64,
    /// Counted documents by their number of distinct terms (capped at `max_terms`).
    pub(crate) lens: Vec<u64>,
}

/// A histogram stored as little-endian u64s, read into `max_terms + 1` slots.
fn read_lens(
    meta: &impl ReadableTable<&'static str, &'static [u8]>,
    k: &str,
    max_terms: usize,
    e: impl Fn(&dyn std::fmt::Display) -> Error,
) -> Result<Vec<u64>> {
    let mut lens = vec![0u64; max_terms + 1];
    if let Some(v) = meta.get(k).map_err(|x| e(&x))? {
        for (slot, c) in lens.iter_mut().zip(v.value().chunks_exact(8)) {
            *slot = u64::from_le_bytes(c.try_into().expect("8 bytes"));
        }
    }
    Ok(lens)
}

fn read_df(
    r: &redb::ReadTransaction,
    table: redb::TableDefinition<u32, u32>,
    e: impl Fn(&dyn std::fmt::Display) -> Error,
) -> Result<FastMap<u32, u32>> {
    let t = r.open_table(table).map_err(|x| e(&x))?;
    let mut df =
        FastMap::with_capacity_and_hasher(t.len().map_err(|x| e(&x))? as usize, Default::default());
    for entry in t.iter().map_err(|x| e(&x))? {
        let (k, v) = entry.map_err(|x| e(&x))?;
        df.insert(k.value(), v.value());
    }
    Ok(df)
}

impl StoryStats {
    /// The statistics in the store.
    pub(crate) fn load(
        r: &redb::ReadTransaction,
        max_terms: usize,
        err: impl Fn(String) -> Error,
    ) -> Result<StoryStats> {
        let e = |x: &dyn std::fmt::Display| err(x.to_string());
        let meta = r.open_table(META).map_err(|x| e(&x))?;
        Ok(StoryStats {
            df: read_df(r, TERM_DF, e)?,
            docs: meta_u64(&meta, "story_docs")?,
            lens: read_lens(&meta, "story_lens", max_terms, e)?,
            seed: Seed {
                df: read_df(r, SEED_DF, e)?,
                docs: meta_u64(&meta, "seed_docs")?,
                lens: read_lens(&meta, "seed_lens", max_terms, e)?,
            },
        })
    }

    /// These statistics with a commit's changes on top, not yet applied.
    pub(crate) fn with<'a>(&'a self, delta: Option<&'a StatsDelta>) -> Overlay<'a> {
        Overlay { base: self, delta }
    }

    pub(crate) fn apply(&mut self, d: &StatsDelta) {
        for (&t, &c) in &d.df {
            let e = self.df.entry(t).or_insert(0);
            *e = (i64::from(*e) + c).max(0) as u32;
            if *e == 0 {
                self.df.remove(&t);
            }
        }
        self.docs = (self.docs as i64 + d.docs).max(0) as u64;
        for (&l, &c) in &d.lens {
            if let Some(slot) = self.lens.get_mut(l) {
                *slot = (*slot as i64 + c).max(0) as u64;
            }
        }
    }

    /// Counted documents, live and seeded: the `N` of the IDF before the prior.
    pub(crate) fn counted(&self) -> u64 {
        self.docs + self.seed.docs
    }
}

/// Statistics with a commit's changes on top (an add weighs its batch under the statistics
/// the commit will leave, without copying the counts). Scoring reads the live counts and the
/// seed together; the store is written the live counts alone.
#[derive(Clone, Copy)]
pub(crate) struct Overlay<'a> {
    base: &'a StoryStats,
    delta: Option<&'a StatsDelta>,
}

impl Overlay<'_> {
    fn live_df(&self, t: u32) -> u32 {
        let base = i64::from(self.base.df.get(&t).copied().unwrap_or(0));
        let d = self.delta.and_then(|d| d.df.get(&t)).copied().unwrap_or(0);
        (base + d).max(0) as u32
    }

    fn live_docs(&self) -> u64 {
        let d = self.delta.map_or(0, |d| d.docs);
        (self.base.docs as i64 + d).max(0) as u64
    }

    fn live_lens(&self) -> Vec<u64> {
        let mut lens = self.base.lens.clone();
        if let Some(d) = self.delta {
            for (&l, &c) in &d.lens {
                if let Some(slot) = lens.get_mut(l) {
                    *slot = (*slot as i64 + c).max(0) as u64;
                }
            }
        }
        lens
    }

    fn df(&self, t: u32) -> u32 {
        let seed = self.base.seed.df.get(&t).copied().unwrap_or(0);
        self.live_df(t).saturating_add(seed)
    }

    fn docs(&self) -> u64 {
        self.live_docs() + self.base.seed.docs
    }

    fn lens(&self) -> Vec<u64> {
        let mut lens = self.live_lens();
        for (slot, &c) in lens.iter_mut().zip(&self.base.seed.lens) {
            *slot += c;
        }
        lens
    }

    /// A term's IDF, with the small-archive prior.
    fn idf(&self, t: u32, n: u32) -> f32 {
        weight::idf(n, self.df(t))
    }

    /// The weighting parameters: the prior capped by the counted documents' median length,
    /// as [`WeightParams::for_collection`] computes it.
    fn weights(&self, base: WeightParams) -> WeightParams {
        let lens = self.lens();
        let total: u64 = lens.iter().sum();
        if total == 0 {
            return base;
        }
        let mid = total / 2;
        let mut acc = 0u64;
        let mut median = 0usize;
        for (len, &c) in lens.iter().enumerate() {
            acc += c;
            if acc > mid {
                median = len;
                break;
            }
        }
        WeightParams {
            prior_terms: base.prior_terms.min(base.prior_fraction * median as f32),
            ..base
        }
    }

    /// A term's document frequency, live and seeded.
    #[cfg(test)]
    pub(crate) fn df_of(&self, t: u32) -> u32 {
        self.df(t)
    }

    /// A term's IDF now: over the live and seeded counts, with the small-archive prior.
    #[cfg(test)]
    pub(crate) fn idf_of(&self, t: u32) -> f32 {
        self.idf(t, self.prior_docs())
    }

    /// The `N` of the IDF: the counted documents, live and seeded, or `PRIOR_DOCS` while
    /// they are fewer.
    fn prior_docs(&self) -> u32 {
        self.docs().max(PRIOR_DOCS).min(u64::from(u32::MAX)) as u32
    }

    /// The story vector of a bag. The prior counts the seed's documents as counted ones: a
    /// seed of `PRIOR_DOCS` documents or more turns it off from the first article.
    pub(crate) fn vector(&self, bag: &[(u32, u32)], base: WeightParams) -> TermVector {
        let n = self.prior_docs();
        TermVector::from_bag_with(bag, |t| self.idf(t, n), self.weights(base))
    }
}

/// Changes to the statistics made by one commit.
#[derive(Debug, Default)]
pub(crate) struct StatsDelta {
    df: FastMap<u32, i64>,
    docs: i64,
    lens: FastMap<usize, i64>,
}

impl StatsDelta {
    /// Count a document's bag in (`sign` 1) or out (-1).
    pub(crate) fn count(&mut self, bag: &[(u32, u32)], sign: i64, max_terms: usize) {
        for &(t, _) in bag {
            *self.df.entry(t).or_insert(0) += sign;
        }
        self.docs += sign;
        *self.lens.entry(bag.len().min(max_terms)).or_insert(0) += sign;
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.docs == 0 && self.df.values().all(|&c| c == 0)
    }

    /// Write the change into the store, on top of `base` (the statistics before it).
    pub(crate) fn write(
        &self,
        w: &WriteTransaction,
        base: &StoryStats,
        err: impl Fn(String) -> Error,
    ) -> Result<()> {
        let e = |x: &dyn std::fmt::Display| err(x.to_string());
        let after = base.with(Some(self));
        let mut t = w.open_table(TERM_DF).map_err(|x| e(&x))?;
        let mut terms: Vec<u32> = self.df.keys().copied().collect();
        terms.sort_unstable();
        for term in terms {
            match after.live_df(term) {
                0 => t.remove(term).map_err(|x| e(&x))?,
                c => t.insert(term, c).map_err(|x| e(&x))?,
            };
        }
        let mut meta = w.open_table(META).map_err(|x| e(&x))?;
        meta.insert("story_docs", after.live_docs().to_le_bytes().as_slice())
            .map_err(|x| e(&x))?;
        let lens: Vec<u8> = after
            .live_lens()
            .iter()
            .flat_map(|c| c.to_le_bytes())
            .collect();
        meta.insert("story_lens", lens.as_slice())
            .map_err(|x| e(&x))?;
        Ok(())
    }
}

/// The top-terms options of a story config (the only story candidate index the archive
/// serves).
pub(crate) fn top_terms_params(cfg: &EngineConfig) -> Option<TopTermsParams> {
    match cfg.story.index {
        StoryIndex::TopTerms(p) if cfg.preset == Preset::Story => Some(p),
        _ => None,
    }
}

/// Who holds each line: the committed postings' live holders, then documents outside them (a
/// batch's articles, a query), which are later than every committed one.
pub(crate) struct Lines<'a> {
    pub(crate) snap: &'a Snapshot,
    pub(crate) gone: &'a (dyn Fn(u32) -> bool + Sync),
    /// Holders outside the segments, by line hash, ascending.
    pub(crate) extra: &'a FastMap<u64, Vec<u32>>,
    /// Holders counted at most: past it no rule's decision changes.
    pub(crate) cap: usize,
}

impl Lines<'_> {
    /// What the boilerplate rules know of a line.
    fn seen(&self, line: u64) -> Option<Seen> {
        let k = key(KeyKind::Line, line);
        let mut s = Seen {
            docs: 0,
            some: [NOBODY; REMEMBERED],
        };
        let extra = self.extra.get(&line).map_or(&[][..], |v| &v[..]);
        let committed = self.snap.segments.iter().flat_map(|seg| seg.holders(k).0);
        for &d in committed.chain(extra) {
            if self.snap.dead.contains(&d) || (self.gone)(d) {
                continue;
            }
            if (s.docs as usize) < REMEMBERED {
                s.some[s.docs as usize] = d;
            }
            s.docs += 1;
            if s.docs as usize >= self.cap {
                break;
            }
        }
        (s.docs > 0).then_some(s)
    }
}

/// The number of holders [`Lines`] needs to count for the rules under `cfg`.
pub(crate) fn holders_cap(cfg: &EngineConfig) -> usize {
    (cfg.story.boilerplate.min_docs as usize).max(REMEMBERED + 1)
}

/// A document's terms by line.
fn line_terms<'a>(r: &'a DocRecord) -> impl Iterator<Item = &'a [u32]> + 'a {
    let mut start = 0usize;
    r.ends.iter().map(move |&end| {
        let s = &r.terms[start..end as usize];
        start = end as usize;
        s
    })
}

/// A document's copy signature and containment features as the boilerplate rules' version
/// test reads them: from a record in memory, or read alone from the store (a whole story
/// record is several times their bytes, and a mask tests many line holders).
pub(crate) enum Sig {
    Record(Arc<DocRecord>),
    Read(Arc<VersionParts>),
}

impl Sig {
    fn side(&self) -> ContainSide<'_> {
        let (sig, own, anchors, words) = match self {
            Sig::Record(r) => (&r.sig, &r.own, &r.anchors, r.words),
            Sig::Read(v) => (&v.sig, &v.own, &v.anchors, v.words),
        };
        ContainSide {
            sig,
            own,
            anchors,
            words,
        }
    }
}

/// Whether `r` and the holder `o` are versions of one text, as the batch engine's story lane
/// decides it ([`versions`]).
fn versions_of(cfg: &EngineConfig, r: &DocRecord, o: &Sig) -> bool {
    let (a, b) = (side_of(r), o.side());
    versions(estimate(a.sig, b.sig), || {
        cfg.copy.contain.and_then(|_| contained(a, b))
    })
}

fn side_of(r: &DocRecord) -> ContainSide<'_> {
    ContainSide {
        sig: &r.sig,
        own: &r.own,
        anchors: &r.anchors,
        words: r.words,
    }
}

/// Document `doc`'s boilerplate mask now: the rules over the line holders in `lines`, two
/// holders being versions of one text as [`versions`] tells.
pub(crate) fn mask(
    cfg: &EngineConfig,
    doc: u32,
    r: &DocRecord,
    lines: &Lines,
    sig_of: &(dyn Fn(u32) -> Option<Sig> + Sync),
) -> Vec<bool> {
    keep_mask_with(
        doc,
        &r.lines,
        cfg.story.boilerplate,
        |h| lines.seen(h),
        |_, o| sig_of(o).is_some_and(|x| versions_of(cfg, r, &x)),
    )
}

/// A document's bag of story terms under `mask`.
pub(crate) fn bag(cfg: &EngineConfig, r: &DocRecord, mask: &[bool]) -> Vec<(u32, u32)> {
    story_bag(line_terms(r), mask, cfg.story.weights.headline_repeats)
}

/// Document `doc`'s story vector now.
pub(crate) fn vector(
    cfg: &EngineConfig,
    stats: Overlay<'_>,
    doc: u32,
    r: &DocRecord,
    lines: &Lines,
    sig_of: &(dyn Fn(u32) -> Option<Sig> + Sync),
) -> TermVector {
    let m = mask(cfg, doc, r, lines, sig_of);
    stats.vector(&bag(cfg, r, &m), cfg.story.weights)
}

/// The keys a document looks its candidates up by: its heaviest terms.
pub(crate) fn top_keys(p: TopTermsParams, v: &TermVector) -> Vec<u32> {
    keys_of(v, p.top_terms)
}

fn keys_of(v: &TermVector, m: usize) -> Vec<u32> {
    let mut k = heaviest_keys(v, m);
    k.sort_unstable();
    k.dedup();
    k
}

/// The story candidates of a document whose heaviest terms are `keys`: earlier documents
/// sharing `min_shared` of them. Committed holders come from the segments (those `gone` says
/// are gone left out), then `extra` (a batch's earlier articles, ascending). A list longer
/// than `max_list` gives its last `window(max_list)` holders only, as the batch engine pairs
/// each holder of a long list with its next few.
pub(crate) fn candidates(
    p: TopTermsParams,
    keys: &[u32],
    snap: &Snapshot,
    gone: &dyn Fn(u32) -> bool,
    extra: impl Fn(u32) -> Vec<u32>,
) -> Vec<u32> {
    let mut count: FastMap<u32, usize> = FastMap::default();
    let mut list: Vec<u32> = Vec::new();
    for &t in keys {
        list.clear();
        let k = key(KeyKind::Term, u64::from(t));
        for seg in &snap.segments {
            list.extend(
                seg.holders(k)
                    .0
                    .iter()
                    .copied()
                    .filter(|d| !snap.dead.contains(d) && !gone(*d)),
            );
        }
        list.extend(extra(t));
        let from = if list.len() > p.max_list {
            list.len() - window(p.max_list).min(list.len())
        } else {
            0
        };
        for &d in &list[from..] {
            *count.entry(d).or_insert(0) += 1;
        }
    }
    let need = p.min_shared.clamp(1, u8::MAX as usize);
    let mut out: Vec<u32> = count
        .into_iter()
        .filter(|&(_, c)| c >= need)
        .map(|(d, _)| d)
        .collect();
    out.sort_unstable();
    out
}

/// The stories an article joins (see the module doc), oldest id first: none (it starts a
/// story), one, or several that merge. `found` are its verified matches, `story_of` a match's
/// story, `sample(s)` the first live members of story `s` (at most [`LINK_SAMPLE`]), `me` the
/// article's document number and `link(x, y)` the linkage score of two documents.
///
/// As average linkage does in the batch engine, the article first joins the story whose mean
/// score with it is highest and reaches the threshold; then each other story it matched, best
/// mean first, merges in when the mean score between the two stories' samples (the joined one
/// with the article) reaches the threshold: the article is the verified pair between them
/// that the batch engine would have compared them on.
pub(crate) fn choose(
    cfg: &EngineConfig,
    found: &[Found],
    story_of: impl Fn(u32) -> Result<u64>,
    sample: impl Fn(u64) -> Result<Vec<u32>>,
    me: u32,
    link: impl Fn(u32, u32) -> f64,
) -> Result<Vec<u64>> {
    if let Some(f) = found.iter().find(|f| f.evidence == Evidence::Exact) {
        return story_of(f.doc).map(|s| vec![s]);
    }
    let stories: BTreeSet<u64> = found
        .iter()
        .map(|f| story_of(f.doc))
        .collect::<Result<_>>()?;
    let threshold = cfg.link.factor * cfg.thresholds.of(Preset::Story);
    let mean = |xs: &[u32], ys: &[u32]| {
        let mut sum = 0.0;
        for &x in xs {
            for &y in ys {
                sum += link(x, y);
            }
        }
        sum / (xs.len() * ys.len()).max(1) as f64
    };
    let mut scored: Vec<(f64, u64, Vec<u32>)> = Vec::new();
    for s in stories {
        let members = sample(s)?;
        if members.is_empty() {
            continue;
        }
        scored.push((mean(&[me], &members), s, members));
    }
    // Best mean first; ties to the older story.
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let Some((best, first, members)) = scored.first() else {
        return Ok(Vec::new());
    };
    if *best < threshold {
        return Ok(Vec::new());
    }
    let mut joined = vec![*first];
    let mut cur: Vec<u32> = members.clone();
    cur.push(me);
    cur.sort_unstable();
    cur.truncate(LINK_SAMPLE);
    for (_, s, members) in &scored[1..] {
        if mean(&cur, members) >= threshold {
            joined.push(*s);
            cur.extend_from_slice(members);
            cur.sort_unstable();
            cur.truncate(LINK_SAMPLE);
        }
    }
    joined.sort_unstable();
    Ok(joined)
}

/// The first live members of story `s`, at most [`LINK_SAMPLE`].
pub(crate) fn sample(
    members: &impl ReadableTable<(u64, u32), ()>,
    s: u64,
) -> std::result::Result<Vec<u32>, redb::StorageError> {
    let mut out = Vec::with_capacity(LINK_SAMPLE);
    for r in members.range((s, 0)..=(s, u32::MAX))?.take(LINK_SAMPLE) {
        out.push(r?.0.value().1);
    }
    Ok(out)
}

/// A document number for a query: later than every stored document, as a new article is.
pub(crate) const QUERY_DOC: u32 = u32::MAX - 1;

/// The record a signed document would be stored as (its links and counted mask aside).
pub(crate) fn record_of_signed(d: &SignedDoc<'_>, added: i64) -> DocRecord {
    DocRecord {
        id: d.id.to_string(),
        time: d.time,
        added,
        content: d.content,
        words: d.words,
        sig: d.sig.to_vec(),
        own: d.own.to_vec(),
        anchors: d.anchors.to_vec(),
        links: Vec::new(),
        lines: d.line_hashes.to_vec(),
        terms: d.story_terms.to_vec(),
        ends: d.story_line_ends.to_vec(),
        counted: None,
    }
}

/// Each distinct line of `r`, for [`Lines::extra`].
pub(crate) fn post_lines(extra: &mut FastMap<u64, Vec<u32>>, doc: u32, r: &DocRecord) {
    let mut lines = r.lines.clone();
    lines.sort_unstable();
    lines.dedup();
    for h in lines {
        extra.entry(h).or_default().push(doc);
    }
}

impl Index {
    /// A committed record, read from `docs` (`None` when it is not there or unreadable: the
    /// boilerplate rules then take it for no version of anything).
    pub(crate) fn read_record(
        &self,
        docs: &(impl ReadableTable<u32, &'static [u8]> + Sync),
        doc: u32,
    ) -> Option<Arc<DocRecord>> {
        self.committed_record(docs, doc).ok().flatten()
    }

    /// The linkage score of two documents with their story vectors.
    pub(crate) fn link_score(
        &self,
        a: &DocRecord,
        va: &TermVector,
        b: &DocRecord,
        vb: &TermVector,
    ) -> f64 {
        let store = lookup::PairStore::new(
            &self.cfg,
            &[lookup::Parts::of_record(a)],
            lookup::Parts::of_record(b),
            Some(vec![va.clone(), vb.clone()]),
        );
        let mem = store.mem();
        PairScorer::new(&mem, Preset::Story).link(0, 1, self.cfg.thresholds.copy)
    }

    /// [`Index::query`] under the story preset: each article's copy-lane candidates and story
    /// candidates, verified by the story preset's scorer under the statistics of the moment,
    /// and the story it would join by the online rule.
    pub(crate) fn query_story(&self, articles: Vec<Article>) -> Result<Vec<Answer>> {
        let p = top_terms_params(&self.cfg).expect("a story index");
        let stats_guard = self.stats.read().expect("stats lock");
        let stats = stats_guard.with(None);
        let snap = self.snapshot();
        let r = self.db.begin_read().map_err(|e| self.err(e))?;
        let batch = self.signer.sign(articles);
        let docs = r.open_table(DOCS).map_err(|e| self.err(e))?;
        let stories = r.open_table(DOC_STORY).map_err(|e| self.err(e))?;
        let members = r.open_table(MEMBERS).map_err(|e| self.err(e))?;
        let no_batch = FastMap::default();
        let looked: Vec<lookup::Looked> = (0..batch.len())
            .into_par_iter()
            .map(|i| self.look_up(&snap, &batch.doc(i), |_| false))
            .collect();
        let records = self.read_records(&looked, &docs)?;
        let cap = holders_cap(&self.cfg);
        (0..batch.len())
            .into_par_iter()
            .map(|i| {
                let d = batch.doc(i);
                let copy_found =
                    self.resolve(&d, &looked[i], &records, &lookup::InBatch::none(&no_batch));
                let q = Arc::new(record_of_signed(&d, 0));
                let mut extra = FastMap::default();
                post_lines(&mut extra, QUERY_DOC, &q);
                let lines = Lines {
                    snap: &snap,
                    gone: &|_| false,
                    extra: &extra,
                    cap,
                };
                let record_of = |doc: u32| -> Option<Arc<DocRecord>> {
                    if doc == QUERY_DOC {
                        return Some(q.clone());
                    }
                    records
                        .get(&doc)
                        .cloned()
                        .or_else(|| self.read_record(&docs, doc))
                };
                let sig_of = |doc: u32| -> Option<Sig> {
                    if doc == QUERY_DOC {
                        return Some(Sig::Record(q.clone()));
                    }
                    match records.get(&doc) {
                        Some(r) => Some(Sig::Record(r.clone())),
                        None => self.read_sig(&docs, doc),
                    }
                };
                let qv = vector(&self.cfg, stats, QUERY_DOC, &q, &lines, &sig_of);
                let keys = top_keys(p, &qv);
                let mut cands: BTreeSet<u32> =
                    candidates(p, &keys, &snap, &|_| false, |_| Vec::new())
                        .into_iter()
                        .collect();
                cands.extend(copy_found.iter().map(|f| f.doc));
                let cand_recs: Vec<(u32, Arc<DocRecord>)> = cands
                    .into_iter()
                    .filter_map(|c| record_of(c).map(|r| (c, r)))
                    .collect();
                let mut vectors: FastMap<u32, TermVector> = cand_recs
                    .iter()
                    .map(|(c, r)| (*c, vector(&self.cfg, stats, *c, r, &lines, &sig_of)))
                    .collect();
                let mut vs: Vec<TermVector> =
                    cand_recs.iter().map(|(c, _)| vectors[c].clone()).collect();
                vs.push(qv.clone());
                let found = self.verify_with(
                    Preset::Story,
                    lookup::Parts::of_record(&q),
                    &cand_recs,
                    Some(vs),
                );
                vectors.insert(QUERY_DOC, qv);
                let cache = std::cell::RefCell::new(&mut vectors);
                let vec_of = |x: u32| -> Option<(Arc<DocRecord>, TermVector)> {
                    let r = record_of(x)?;
                    let v = cache
                        .borrow_mut()
                        .entry(x)
                        .or_insert_with(|| vector(&self.cfg, stats, x, &r, &lines, &sig_of))
                        .clone();
                    Some((r, v))
                };
                // As an add would decide it: a re-link of the stories it touches, or the join
                // rule past RELINK_MAX members.
                let touched = touched_stories(
                    &found,
                    |doc| self.story_of(&stories, doc),
                    &members,
                    RELINK_MAX - 1,
                    |e| self.err(e),
                )?;
                let relinked = match touched {
                    Some(ts) if !ts.is_empty() => self.relink_touched(&ts, Some(QUERY_DOC), vec_of),
                    _ => None,
                };
                let joined = match relinked {
                    Some(r) => match r.article {
                        Some(Slot::Old(s)) => vec![s],
                        _ => Vec::new(),
                    },
                    None => choose(
                        &self.cfg,
                        &found,
                        |doc| self.story_of(&stories, doc),
                        |s| sample(&members, s).map_err(|e| self.err(e)),
                        QUERY_DOC,
                        |x, y| match (vec_of(x), vec_of(y)) {
                            (Some((rx, vx)), Some((ry, vy))) => self.link_score(&rx, &vx, &ry, &vy),
                            _ => 0.0,
                        },
                    )?,
                };
                let mut matches = Vec::with_capacity(found.len());
                for f in found {
                    let story = self.story_of(&stories, f.doc)?;
                    matches.push(f.into_match(&d, story));
                }
                sort_matches(&mut matches);
                let story = self.would_join(&joined, &members, &docs)?;
                Ok(Answer {
                    id: d.id.to_string(),
                    matches,
                    story,
                    stored: None,
                })
            })
            .collect()
    }
}

/// A bag of story terms: distinct terms with their counts.
type Bag = Vec<(u32, u32)>;

/// What the story preset adds to an add, computed in parallel before the write transaction.
pub(crate) struct BatchStory {
    /// Each article's matches, verified by the story preset's scorer.
    pub(crate) found: Vec<Vec<Found>>,
    /// For each counted article, the boilerplate mask it is counted with.
    pub(crate) counted: Vec<Option<Vec<bool>>>,
    /// Each article's heaviest terms (posted for counted articles only).
    pub(crate) keys: Vec<Vec<u32>>,
    /// Each article's story vector under the statistics the commit leaves.
    pub(crate) vectors: Vec<TermVector>,
    /// The batch's change to the statistics.
    pub(crate) delta: StatsDelta,
    /// The batch's line holders (for [`Lines::extra`]).
    pub(crate) extra: FastMap<u64, Vec<u32>>,
}

/// The inputs of [`Index::story_batch`]: a batch being added.
pub(crate) struct BatchIn<'a, T> {
    pub(crate) snap: &'a Snapshot,
    pub(crate) base: u32,
    pub(crate) records: &'a [Arc<DocRecord>],
    /// Matches of the copy lane (the copy preset's decisions): an article with none is
    /// counted in the statistics.
    pub(crate) copy_found: &'a [Vec<Found>],
    pub(crate) committed: &'a lookup::Records,
    /// Committed documents replaced by the batch, and by which position.
    pub(crate) committed_gone: &'a FastMap<u32, usize>,
    pub(crate) replaced_by: &'a [Option<usize>],
    pub(crate) docs: &'a T,
}

impl<T: ReadableTable<u32, &'static [u8]> + Sync> BatchIn<'_, T> {
    /// The record of document `doc`, of the batch or committed.
    pub(crate) fn record_of(&self, index: &Index, doc: u32) -> Option<Arc<DocRecord>> {
        if doc >= self.base {
            return self.records.get((doc - self.base) as usize).cloned();
        }
        self.committed
            .get(&doc)
            .cloned()
            .or_else(|| index.read_record(self.docs, doc))
    }

    /// The copy signature of document `doc`, of the batch or committed (read alone).
    pub(crate) fn sig_of(&self, index: &Index, doc: u32) -> Option<Sig> {
        if doc >= self.base {
            return self
                .records
                .get((doc - self.base) as usize)
                .cloned()
                .map(Sig::Record);
        }
        match self.committed.get(&doc) {
            Some(r) => Some(Sig::Record(r.clone())),
            None => index.read_sig(self.docs, doc),
        }
    }
}

impl Index {
    /// The story side of an add (see [`BatchStory`]). Lines count as held by every article
    /// of the batch that is live once it is committed; story candidates of an article are
    /// committed documents and the batch's earlier articles.
    pub(crate) fn story_batch<T: ReadableTable<u32, &'static [u8]> + Sync>(
        &self,
        p: TopTermsParams,
        stats: &StoryStats,
        b: &BatchIn<'_, T>,
    ) -> BatchStory {
        let n = b.records.len();
        let cfg = &self.cfg;
        let mut extra: FastMap<u64, Vec<u32>> = FastMap::default();
        for (j, r) in b.records.iter().enumerate() {
            if b.replaced_by[j].is_none() {
                post_lines(&mut extra, b.base + j as u32, r);
            }
        }
        let gone_all = |d: u32| b.committed_gone.contains_key(&d);
        let lines = Lines {
            snap: b.snap,
            gone: &gone_all,
            extra: &extra,
            cap: holders_cap(cfg),
        };
        let record_of = |doc: u32| b.record_of(self, doc);
        let sig_of = |doc: u32| b.sig_of(self, doc);
        let bags: Vec<(Vec<bool>, Bag)> = (0..n)
            .into_par_iter()
            .map(|i| {
                let r = &b.records[i];
                let m = mask(cfg, b.base + i as u32, r, &lines, &sig_of);
                let bag = bag(cfg, r, &m);
                (m, bag)
            })
            .collect();
        let mut delta = StatsDelta::default();
        let max_terms = cfg.story.weights.max_terms;
        let mut counted = Vec::with_capacity(n);
        for (i, (m, bag)) in bags.iter().enumerate() {
            if b.copy_found[i].is_empty() {
                delta.count(bag, 1, max_terms);
                counted.push(Some(m.clone()));
            } else {
                counted.push(None);
            }
        }
        let overlay = stats.with(Some(&delta));
        let vectors: Vec<TermVector> = bags
            .par_iter()
            .map(|(_, bag)| overlay.vector(bag, cfg.story.weights))
            .collect();
        drop(bags);
        let probes: Vec<Vec<u32>> = vectors.par_iter().map(|v| top_keys(p, v)).collect();
        // Posted keys are the lookup's: posting twice as many (against the drift of weights
        // as the archive grows) changed no story on the agreement benchmark.
        let keys = probes.clone();
        // The batch's own postings of heaviest terms, by term: counted articles only.
        let mut batch_terms: FastMap<u32, Vec<u32>> = FastMap::default();
        for (i, k) in keys.iter().enumerate() {
            if counted[i].is_some() {
                for &t in k {
                    batch_terms.entry(t).or_default().push(b.base + i as u32);
                }
            }
        }
        let found: Vec<Vec<Found>> = (0..n)
            .into_par_iter()
            .map(|i| {
                let doc = b.base + i as u32;
                let gone = |d: u32| b.committed_gone.get(&d).is_some_and(|&by| by <= i);
                let live_in_batch = |d: u32| {
                    d < doc && b.replaced_by[(d - b.base) as usize].is_none_or(|by| by > i)
                };
                let mut cands: BTreeSet<u32> = candidates(p, &probes[i], b.snap, &gone, |t| {
                    batch_terms.get(&t).map_or(Vec::new(), |v| {
                        v.iter().copied().filter(|&d| live_in_batch(d)).collect()
                    })
                })
                .into_iter()
                .collect();
                cands.extend(b.copy_found[i].iter().map(|f| f.doc));
                let cand_recs: Vec<(u32, Arc<DocRecord>)> = cands
                    .into_iter()
                    .filter_map(|c| record_of(c).map(|r| (c, r)))
                    .collect();
                let mut vs: Vec<TermVector> = cand_recs
                    .iter()
                    .map(|(c, r)| {
                        if *c >= b.base {
                            vectors[(*c - b.base) as usize].clone()
                        } else {
                            vector(cfg, overlay, *c, r, &lines, &sig_of)
                        }
                    })
                    .collect();
                vs.push(vectors[i].clone());
                self.verify_with(
                    Preset::Story,
                    lookup::Parts::of_record(&b.records[i]),
                    &cand_recs,
                    Some(vs),
                )
            })
            .collect();
        BatchStory {
            found,
            counted,
            keys,
            vectors,
            delta,
            extra,
        }
    }
}

/// Members of the stories an article touches, and the article, past which the stories are
/// not re-linked (the join rule of [`choose`] decides alone): re-linking scores every pair of
/// them.
pub(crate) const RELINK_MAX: usize = 32;

/// Where a document goes after a re-link: an existing story, or the k-th new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    Old(u64),
    Fresh(usize),
}

/// The outcome of re-linking the stories an article touches.
#[derive(Debug, Default)]
pub(crate) struct Relinked {
    /// Members whose story changes, and where they go.
    pub(crate) moves: Vec<(u32, Slot)>,
    /// Where the article goes.
    pub(crate) article: Option<Slot>,
    /// New stories needed.
    pub(crate) fresh: usize,
}

impl Index {
    /// Re-link the stories `touched` (id, live members in document order) with the article
    /// `me` (later than all of them), or without one (a removal re-links what is left), under
    /// the statistics of the moment: the batch engine's average linkage over every verified
    /// pair among them, so that a join made when the archive was small, or before a
    /// better-matching article arrived, or held by a member that left, is made again as one
    /// `cluster` run would make it. Each old story keeps its id in the piece holding its
    /// earliest member (the first piece to claim it, oldest story first); other pieces are new
    /// stories. `None` when there are more than [`RELINK_MAX`] documents, or fewer than two.
    pub(crate) fn relink_touched(
        &self,
        touched: &[Touched],
        me: Option<u32>,
        vec_of: impl Fn(u32) -> Option<(Arc<DocRecord>, TermVector)>,
    ) -> Option<Relinked> {
        let mut docs: Vec<(u32, Option<u64>)> = touched
            .iter()
            .flat_map(|(s, m)| m.iter().map(move |&d| (d, Some(*s))))
            .collect();
        docs.sort_unstable();
        docs.extend(me.map(|me| (me, None)));
        if docs.len() > RELINK_MAX || docs.len() < 2 {
            return None;
        }
        let mut recs = Vec::with_capacity(docs.len());
        let mut vecs = Vec::with_capacity(docs.len());
        for &(d, _) in &docs {
            let (r, v) = vec_of(d)?;
            recs.push(r);
            vecs.push(v);
        }
        let n = docs.len();
        let parts: Vec<lookup::Parts<'_>> =
            recs.iter().map(|r| lookup::Parts::of_record(r)).collect();
        let store = lookup::PairStore::new(&self.cfg, &parts[..n - 1], parts[n - 1], Some(vecs));
        let mem = store.mem();
        let scorer = PairScorer::new(&mem, Preset::Story);
        let t = self.cfg.thresholds;
        let mut pairs: Vec<(u32, u32, f64)> = Vec::new();
        for a in 0..n {
            for b in a + 1..n {
                if let Some(s) = scorer.verify(a, b, t) {
                    pairs.push((a as u32, b as u32, s.primary(Preset::Story)));
                }
            }
        }
        let threshold = self.cfg.link.factor * t.of(Preset::Story);
        let clusters = storyhash_core::cluster::average_linkage(
            n,
            &pairs,
            |p| *p,
            threshold,
            |x, y| scorer.link(x as usize, y as usize, t.copy),
        );
        let mut piece_of = vec![0usize; n];
        for (k, c) in clusters.iter().enumerate() {
            for &m in &c.members {
                piece_of[m as usize] = k;
            }
        }
        let mut slot: Vec<Option<Slot>> = vec![None; clusters.len()];
        for (s, members) in touched {
            let Some(&first) = members.first() else {
                continue;
            };
            let at = docs
                .iter()
                .position(|&(d, _)| d == first)
                .expect("a member");
            let p = piece_of[at];
            if slot[p].is_none() {
                slot[p] = Some(Slot::Old(*s));
            }
        }
        let mut out = Relinked::default();
        for s in slot.iter_mut().filter(|s| s.is_none()) {
            *s = Some(Slot::Fresh(out.fresh));
            out.fresh += 1;
        }
        for (i, &(d, old)) in docs.iter().enumerate() {
            let to = slot[piece_of[i]].expect("every piece has a slot");
            match old {
                None => out.article = Some(to),
                Some(o) if to != Slot::Old(o) => out.moves.push((d, to)),
                Some(_) => {}
            }
        }
        Some(out)
    }
}

/// A story and its live members, in document order.
pub(crate) type Touched = (u64, Vec<u32>);

/// The stories of an article's matches with their live members (at most `limit` in all, else
/// `None`).
pub(crate) fn touched_stories(
    found: &[Found],
    story_of: impl Fn(u32) -> Result<u64>,
    members: &impl ReadableTable<(u64, u32), ()>,
    limit: usize,
    err: impl Fn(redb::StorageError) -> Error,
) -> Result<Option<Vec<Touched>>> {
    let stories: BTreeSet<u64> = found
        .iter()
        .map(|f| story_of(f.doc))
        .collect::<Result<_>>()?;
    let mut out = Vec::with_capacity(stories.len());
    let mut total = 0usize;
    for s in stories {
        let mut m = Vec::new();
        for r in members.range((s, 0)..=(s, u32::MAX)).map_err(&err)? {
            m.push(r.map_err(&err)?.0.value().1);
            total += 1;
            if total > limit {
                return Ok(None);
            }
        }
        out.push((s, m));
    }
    Ok(Some(out))
}
