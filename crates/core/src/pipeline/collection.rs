//! A collection: documents go in, in batches and in input order ([`CollectionBuilder`]); once
//! finished, the collection holds every document's columns (copy signatures, story vectors,
//! heaviest terms) and clusters itself ([`Collection::cluster`]).
//!
//! Invariant: the result depends on the documents and the [`EngineConfig`] only, never on the
//! number of threads or the batch sizes: every parallel step collects in input order.

use super::article::{Article, ArticleRef};
use super::config::{EngineConfig, Verify};
use super::contain::{ContainFeatures, ANCHORS};
use super::copy_lane::{copy_candidates, copy_clusters, exact_pairs, ExactCopies};
use super::docs::DocTable;
use super::features::{features, DocFeatures, FeatureRecipe, Scratch, StoryTerms};
use super::store::{MemStore, PairScorer};
use super::story_lane::{story_candidates, story_lane, StoryLane};
use super::verify::tile_order;
use crate::candidates::pairs::union_sorted;
use crate::candidates::CandidatePair;
use crate::cluster::{
    average_linkage_and_joins, clusters_and_joins, ClusterRun, Linkage, ScoredPair,
};
use crate::error::Result;
use crate::score::{PairScores, Preset, Thresholds};
use crate::sketch::Signatures;
use rayon::prelude::*;

/// The features of a batch of articles and the recipe they were made with
/// ([`CollectionBuilder::sign`]).
pub struct SignedBatch {
    recipe: FeatureRecipe,
    articles: Vec<(String, Option<i64>)>,
    feats: Vec<DocFeatures>,
    sigs: Signatures,
    /// Containment: own-bin masks and lead anchors, in document order.
    own: Vec<u64>,
    anchors: Vec<u32>,
}

impl SignedBatch {
    /// The recipe the features were made with.
    pub fn recipe(&self) -> FeatureRecipe {
        self.recipe
    }

    /// Number of articles.
    pub fn len(&self) -> usize {
        self.articles.len()
    }

    /// True when the batch is empty.
    pub fn is_empty(&self) -> bool {
        self.articles.is_empty()
    }
}

/// One document of a [`SignedBatch`], as an archive stores it: everything verification and
/// the candidate indexes read, nothing that needs collection statistics.
#[derive(Debug, Clone, Copy)]
pub struct SignedDoc<'a> {
    /// The caller's id.
    pub id: &'a str,
    /// Its time, when given.
    pub time: Option<i64>,
    /// Hash of its normalised words (`None`: no words).
    pub content: Option<u64>,
    /// Its number of words.
    pub words: u32,
    /// Its copy-lane signature.
    pub sig: &'a [u32],
    /// Containment: the signature's own-bin mask (empty when containment is off, or under
    /// classic MinHash).
    pub own: &'a [u64],
    /// Containment: its lead anchors (empty when containment is off).
    pub anchors: &'a [u32],
    /// Story preset: the hash of each line's words (boilerplate detection); empty otherwise.
    pub line_hashes: &'a [u64],
    /// Story preset: its story terms, all lines in order; empty otherwise.
    pub story_terms: &'a [u32],
    /// Story preset: the end offset (exclusive) in `story_terms` of each line.
    pub story_line_ends: &'a [u32],
    /// Exact verification: its shingle set, sorted; empty otherwise.
    pub shingles: &'a [u64],
}

impl SignedBatch {
    /// Document `i` of the batch.
    pub fn doc(&self, i: usize) -> SignedDoc<'_> {
        let (id, time) = &self.articles[i];
        let f = &self.feats[i];
        let mw = if self.own.is_empty() {
            0
        } else {
            self.own.len() / self.len()
        };
        let na = if self.anchors.is_empty() { 0 } else { ANCHORS };
        SignedDoc {
            id,
            time: *time,
            content: f.content,
            words: f.words,
            sig: self.sigs.get(i),
            own: &self.own[i * mw..(i + 1) * mw],
            anchors: &self.anchors[i * na..(i + 1) * na],
            line_hashes: &f.line_hashes,
            story_terms: f.story_terms.terms(),
            story_line_ends: f.story_terms.line_ends(),
            shingles: f.shingles.as_deref().unwrap_or(&[]),
        }
    }
}

/// Builds a collection from batches of documents.
pub struct CollectionBuilder {
    cfg: EngineConfig,
    seeds: Vec<u64>,
    docs: DocTable,
    feats: Vec<DocFeatures>,
    copy_sigs: Signatures,
    exact: ExactCopies,
    dup_of: Vec<Option<u32>>,
    /// Containment features so far (when containment is on).
    contain: Option<ContainFeatures>,
}

impl CollectionBuilder {
    /// Start an empty collection.
    pub fn new(cfg: EngineConfig) -> Self {
        let contain = cfg.copy.contain.map(|p| ContainFeatures {
            params: p,
            mask_words: if cfg.copy.scheme == crate::sketch::Scheme::OnePermutation {
                super::contain::mask_words(cfg.copy.sketch.num_perm)
            } else {
                0
            },
            ..ContainFeatures::default()
        });
        CollectionBuilder {
            seeds: cfg.copy.sketch.position_seeds(),
            copy_sigs: Signatures::new(cfg.copy_recipe()),
            cfg,
            docs: DocTable::default(),
            feats: Vec::new(),
            exact: ExactCopies::default(),
            dup_of: Vec::new(),
            contain,
        }
    }

    /// Number of documents added so far.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// True when nothing was added.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Add a batch of documents (in input order); their features are computed in parallel.
    pub fn add_batch(&mut self, docs: Vec<Article>) {
        let batch = self.sign(docs);
        self.push_signed(batch);
    }

    /// [`CollectionBuilder::add_batch`] of articles whose texts the caller keeps.
    pub fn add_borrowed(&mut self, docs: &[ArticleRef<'_>]) {
        let batch = self.sign_borrowed(docs);
        self.push_signed(batch);
    }

    /// The features of a batch of documents, computed in parallel from their texts and this
    /// builder's config alone (no collection state), so that they can be computed anywhere and
    /// added later with [`CollectionBuilder::add_signed`].
    pub fn sign(&self, docs: Vec<Article>) -> SignedBatch {
        let refs: Vec<ArticleRef<'_>> = docs.iter().map(Article::borrowed).collect();
        self.sign_borrowed(&refs)
    }

    /// [`CollectionBuilder::sign`] of articles whose texts the caller keeps (the same
    /// features, byte for byte): only the ids are copied.
    pub fn sign_borrowed(&self, docs: &[ArticleRef<'_>]) -> SignedBatch {
        let cfg = &self.cfg;
        let seeds = &self.seeds;
        // Each document's signature is written straight into the batch's flat buffer.
        let k = cfg.copy.sketch.num_perm;
        let mut values = vec![0u32; docs.len() * k];
        // Own-bin masks, written in place like the signatures (one unused slot per document
        // when there are none, so that the chunks line up).
        let mw = self.contain.as_ref().map_or(0, |c| c.mask_words);
        let na = if self.contain.is_some() { ANCHORS } else { 0 };
        let mut own = vec![0u64; docs.len() * mw.max(1)];
        let mut anchors = vec![0u32; docs.len() * na.max(1)];
        let feats: Vec<DocFeatures> = values
            .par_chunks_mut(k.max(1))
            .zip(own.par_chunks_mut(mw.max(1)))
            .zip(anchors.par_chunks_mut(na.max(1)))
            .zip(docs.par_iter())
            .map_init(Scratch::default, |scratch, (((slot, own), anchors), d)| {
                // The headline is the first line, which the story lane counts more.
                let f = features(&d.engine_text(), cfg, seeds, scratch);
                slot.copy_from_slice(&scratch.sig);
                if mw > 0 {
                    own.copy_from_slice(&scratch.own);
                }
                if na > 0 {
                    anchors.copy_from_slice(&scratch.anchors);
                }
                f
            })
            .collect();
        let sigs = Signatures::from_values(cfg.copy_recipe(), values);
        if mw == 0 {
            own.clear();
        }
        if na == 0 {
            anchors.clear();
        }
        SignedBatch {
            recipe: FeatureRecipe::of(cfg),
            articles: docs.iter().map(|d| (d.id.to_owned(), d.time)).collect(),
            feats,
            sigs,
            own,
            anchors,
        }
    }

    /// A batch from documents signed before (by [`CollectionBuilder::sign`] under this
    /// builder's config, then stored, e.g. in a stage file), checked against the config: a
    /// signature, mask or anchor list of the wrong length, line ends that do not cut the terms,
    /// or line hashes that do not match the lines are refused (a corrupt or foreign file), never
    /// read past.
    pub fn signed_from<'a>(
        &self,
        docs: impl IntoIterator<Item = SignedDoc<'a>>,
    ) -> Result<SignedBatch> {
        let cfg = &self.cfg;
        let k = cfg.copy.sketch.num_perm;
        let mw = self.contain.as_ref().map_or(0, |c| c.mask_words);
        let na = if self.contain.is_some() { ANCHORS } else { 0 };
        let story = cfg.preset == Preset::Story;
        let keep_shingles = cfg.copy.verify == Verify::Exact;
        let bad = |id: &str, what: String| {
            crate::error::Error::Config(format!("signed document {id:?}: {what}"))
        };
        let docs = docs.into_iter();
        let mut articles = Vec::with_capacity(docs.size_hint().0);
        let mut feats = Vec::with_capacity(docs.size_hint().0);
        let (mut values, mut own, mut anchors) = (Vec::new(), Vec::new(), Vec::new());
        for d in docs {
            let lengths = [
                ("signature values", d.sig.len(), k),
                ("own-bin mask words", d.own.len(), mw),
                ("lead anchors", d.anchors.len(), na),
            ];
            for (what, got, want) in lengths {
                if got != want {
                    return Err(bad(d.id, format!("{got} {what}, the config makes {want}")));
                }
            }
            let ends_ok = d.story_line_ends.windows(2).all(|w| w[0] <= w[1])
                && d.story_line_ends.last().map_or(0, |&e| e as usize) == d.story_terms.len();
            if !ends_ok || d.line_hashes.len() != d.story_line_ends.len() {
                return Err(bad(
                    d.id,
                    "story line ends and line hashes do not describe its terms".into(),
                ));
            }
            let has_story = !d.line_hashes.is_empty() || !d.story_terms.is_empty();
            if has_story && !story {
                return Err(bad(d.id, "story terms under the copy preset".into()));
            }
            values.extend_from_slice(d.sig);
            own.extend_from_slice(d.own);
            anchors.extend_from_slice(d.anchors);
            articles.push((d.id.to_owned(), d.time));
            feats.push(DocFeatures {
                content: d.content,
                line_hashes: d.line_hashes.to_vec(),
                story_terms: StoryTerms::from_parts(
                    d.story_terms.to_vec(),
                    d.story_line_ends.to_vec(),
                ),
                shingles: keep_shingles.then(|| d.shingles.to_vec()),
                words: d.words,
            });
        }
        Ok(SignedBatch {
            recipe: FeatureRecipe::of(cfg),
            articles,
            feats,
            sigs: Signatures::from_values(cfg.copy_recipe(), values),
            own,
            anchors,
        })
    }

    /// Add a batch signed by [`CollectionBuilder::sign`], possibly of another builder: it is
    /// refused ([`crate::error::Error::ParamMismatch`]) unless it was made with this builder's feature
    /// recipe.
    pub fn add_signed(&mut self, batch: SignedBatch) -> Result<()> {
        FeatureRecipe::of(&self.cfg).ensure_comparable(&batch.recipe)?;
        self.push_signed(batch);
        Ok(())
    }

    fn push_signed(&mut self, batch: SignedBatch) {
        let SignedBatch {
            articles,
            feats,
            sigs,
            own,
            anchors,
            ..
        } = batch;
        self.copy_sigs
            .append(&sigs)
            .expect("a signed batch has the builder's recipe");
        if let Some(c) = &mut self.contain {
            c.words.extend(feats.iter().map(|f| f.words));
            c.anchors.extend_from_slice(&anchors);
            c.own.extend_from_slice(&own);
        }
        for ((id, time), mut f) in articles.into_iter().zip(feats) {
            let pos = self.docs.len() as u32;
            let dup = self.exact.observe(f.content, pos);
            if dup.is_some() {
                // An exact copy needs no features of its own: it is joined to its original.
                f.line_hashes = Vec::new();
                f.story_terms = StoryTerms::default();
            }
            self.dup_of.push(dup);
            self.docs.push(id, time);
            self.feats.push(f);
        }
    }

    /// Compute collection statistics and the story lane; the per-document token lists are
    /// dropped here.
    pub fn finish(self) -> Result<Collection> {
        let CollectionBuilder {
            cfg,
            docs,
            feats,
            copy_sigs,
            dup_of,
            contain,
            ..
        } = self;
        let empty: Vec<bool> = feats.iter().map(|f| f.content.is_none()).collect();
        let shingles: Option<Vec<Vec<u64>>> = if cfg.copy.verify == Verify::Exact {
            Some(
                feats
                    .iter()
                    .map(|f| f.shingles.clone().unwrap_or_default())
                    .collect(),
            )
        } else {
            None
        };
        let mut copy_pairs = None;
        let mut story_of = Vec::new();
        let mut stages = Vec::new();
        let story = match cfg.preset {
            Preset::Story => {
                let t = std::time::Instant::now();
                let (reps, pairs) = copy_clusters(
                    &cfg,
                    &copy_sigs,
                    contain.as_ref(),
                    &dup_of,
                    shingles.as_deref(),
                )?;
                story_of = reps;
                copy_pairs = Some(pairs);
                stages.push(("copy clusters", t.elapsed()));
                let t = std::time::Instant::now();
                let lane = story_lane(&cfg, feats, &story_of, &copy_sigs, contain.as_ref())?;
                stages.push(("story statistics, boilerplate and vectors", t.elapsed()));
                Some(lane)
            }
            Preset::Copy => None,
        };
        Ok(Collection {
            cfg,
            docs,
            empty,
            dup_of,
            story_of,
            copy_pairs,
            copy_sigs,
            contain,
            shingles,
            story,
            stages,
        })
    }
}

/// A collection ready to be clustered or queried.
pub struct Collection {
    /// The configuration it was built with.
    pub cfg: EngineConfig,
    /// The documents (external ids, times, liveness) by [`DocId`](super::docs::DocId), which in a
    /// batch run is the input position.
    pub docs: DocTable,
    /// Whether each document has no words at all.
    pub empty: Vec<bool>,
    /// For an exact copy (same normalised words) of an earlier document, that document.
    pub dup_of: Vec<Option<u32>>,
    /// Story preset: the earliest member of each document's copy cluster (exact and near
    /// copies), the one that stands for the cluster in the story lane's LSH index and
    /// statistics; empty for the copy preset.
    pub story_of: Vec<u32>,
    /// Story preset: the copy lane's candidate pairs, found while building `story_of`.
    pub(crate) copy_pairs: Option<Vec<CandidatePair>>,
    /// Copy-lane MinHash signatures.
    pub copy_sigs: Signatures,
    /// Containment features (trimmed copies), when containment is on.
    pub contain: Option<ContainFeatures>,
    /// Shingle sets, kept only for exact verification.
    pub shingles: Option<Vec<Vec<u64>>>,
    /// Story-lane features (story preset only).
    pub story: Option<StoryLane>,
    /// Wall time of each stage of [`CollectionBuilder::finish`], for `--verbose`.
    pub stages: Vec<(&'static str, std::time::Duration)>,
}

impl Collection {
    /// Number of documents.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// True when the collection has no documents.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// The original of an exact copy, or the document itself.
    pub fn canonical(&self, i: usize) -> usize {
        self.dup_of[i].map_or(i, |d| d as usize)
    }

    /// Whether the candidate stage put documents `a` and `b` in touch: as a candidate pair, or
    /// (story preset) through their copy clusters, whose first members stand for them in the
    /// story lane's index.
    pub fn proposed(
        &self,
        cands: &std::collections::HashSet<CandidatePair>,
        a: u32,
        b: u32,
    ) -> bool {
        let key = |x: u32, y: u32| (x.min(y), x.max(y));
        if a == b || cands.contains(&key(a, b)) {
            return true;
        }
        if self.story_of.is_empty() {
            return false;
        }
        let (ra, rb) = (self.story_of[a as usize], self.story_of[b as usize]);
        ra == rb || cands.contains(&key(ra, rb))
    }

    /// Candidate pairs from both lanes, sorted and unique. Exact copies do not enter the LSH
    /// index: each is paired with its original directly, so a text repeated 100,000 times costs
    /// 100,000 pairs, not a bucket of 100,000 documents in every band.
    pub fn candidates(&self) -> Result<Vec<CandidatePair>> {
        // The copy lane's pairs, borrowed when the story preset already found them (at a
        // million documents they are millions of pairs).
        let mut pairs: std::borrow::Cow<[CandidatePair]> = match &self.copy_pairs {
            Some(p) => p.into(),
            None => copy_candidates(
                &self.cfg,
                &self.copy_sigs,
                self.contain.as_ref(),
                &self.dup_of,
            )?
            .into(),
        };
        if let Some(story) = &self.story {
            let not_rep: Vec<bool> = (0..self.len())
                .map(|i| self.story_of[i] as usize != i)
                .collect();
            let between = story_candidates(&self.cfg, story, &not_rep)?;
            // A story pair between two copy clusters is a pair between their earliest
            // members; the clustering carries it to the rest.
            pairs = union_sorted(&pairs, &between).into();
        }
        let mut dups: Vec<CandidatePair> = exact_pairs(&self.dup_of).collect();
        dups.sort_unstable();
        Ok(union_sorted(&pairs, &dups))
    }

    /// The linkage in force: the configured one, or the preset's default.
    pub fn linkage(&self) -> Linkage {
        self.cfg.linkage()
    }

    /// Verify candidates and cluster.
    pub fn cluster(&self) -> Result<ClusterRun> {
        // In tile order (see `tile_order`); the sorted list is dropped before verification.
        let t = std::time::Instant::now();
        let cands = tile_order(&self.candidates()?, self.len());
        let took = t.elapsed();
        let t = self.cfg.thresholds;
        let (pairs, verified) = self.verify_candidates(&cands, t);
        let proposed = cands.len();
        // The candidates are done with before clustering (at a million documents, tens of
        // millions of pairs).
        drop(cands);
        let mut run = self.cluster_verified(pairs, t, proposed, verified);
        run.stages.insert(0, ("candidates", took));
        Ok(run)
    }

    /// Verify the given candidates at thresholds `t` and cluster (a threshold sweep reuses one
    /// candidate list).
    pub fn cluster_candidates(&self, cands: &[CandidatePair], t: Thresholds) -> ClusterRun {
        let (pairs, verified) = self.verify_candidates(cands, t);
        self.cluster_verified(pairs, t, cands.len(), verified)
    }

    /// Verify candidates (from [`Collection::candidates`], in any order) at the config's
    /// thresholds: the verified pairs sorted by position, as [`Collection::cluster`] verifies
    /// them.
    pub fn verify(&self, cands: &[CandidatePair]) -> Vec<ScoredPair> {
        let cands = tile_order(cands, self.len());
        self.verify_candidates(&cands, self.cfg.thresholds).0
    }

    /// Cluster pairs verified by [`Collection::verify`] from `proposed` candidates: the run
    /// [`Collection::cluster`] gives (stage times aside).
    pub fn link(&self, pairs: Vec<ScoredPair>, proposed: usize) -> ClusterRun {
        self.cluster_verified(pairs, self.cfg.thresholds, proposed, Default::default())
    }

    /// Cluster verified pairs (from [`Collection::verify_candidates`] on `proposed`
    /// candidates, in `verified` time).
    pub(crate) fn cluster_verified(
        &self,
        pairs: Vec<ScoredPair>,
        t: Thresholds,
        proposed: usize,
        verified: std::time::Duration,
    ) -> ClusterRun {
        let preset = self.cfg.preset;
        let started = std::time::Instant::now();
        let store = self.store();
        let scorer = PairScorer::new(&store, preset);
        let (clusters, joined) = match self.linkage() {
            Linkage::Single => clusters_and_joins(self.len(), pairs.iter().map(|p| (p.a, p.b))),
            Linkage::Average => {
                let threshold = self.cfg.link.factor * t.of(preset);
                let edge = |p: &ScoredPair| (p.a, p.b, p.similarity);
                average_linkage_and_joins(self.len(), &pairs, edge, threshold, |x, y| {
                    scorer.link(x as usize, y as usize, t.copy)
                })
            }
        };
        // Joins by their index in `pairs` (sorted by documents, each pair once).
        let mut joins: Vec<u32> = joined
            .iter()
            .filter_map(|&(a, b)| {
                let key = (a.min(b), a.max(b));
                pairs.binary_search_by_key(&key, |p| (p.a, p.b)).ok()
            })
            .map(|i| i as u32)
            .collect();
        joins.sort_unstable();
        // Each member's score against its representative, scored in parallel.
        let mut rep_of: Vec<u32> = (0..self.len() as u32).collect();
        for c in &clusters {
            for &m in &c.members[1..] {
                rep_of[m as usize] = c.representative();
            }
        }
        let sim: Vec<f64> = rep_of
            .par_iter()
            .enumerate()
            .map(|(m, &rep)| {
                if rep as usize == m {
                    1.0
                } else {
                    scorer.primary(rep as usize, m)
                }
            })
            .collect();
        ClusterRun {
            clusters,
            pairs,
            joins,
            similarity_to_representative: sim,
            candidates: proposed,
            stages: vec![
                ("verification", verified),
                ("clustering", started.elapsed()),
            ],
        }
    }
}

impl Collection {
    /// The collection's columns as a feature store.
    pub fn store(&self) -> MemStore<'_> {
        MemStore {
            dup_of: &self.dup_of,
            copy_sigs: &self.copy_sigs,
            shingles: self.shingles.as_deref(),
            story: self.story.as_ref().map(|s| &s.packed),
            contain: self.contain.as_ref(),
        }
    }

    /// The containment estimate of documents `a` and `b` whatever its value (`None` when
    /// containment is off, their leads do not agree, or there are too few samples), for
    /// explanations; decisions use [`Collection::scores`].
    pub fn containment(&self, a: usize, b: usize) -> Option<super::contain::Contained> {
        let (a, b) = (self.canonical(a), self.canonical(b));
        self.contain.as_ref()?.contained(&self.copy_sigs, a, b)
    }

    /// Scores of documents `a` and `b` (exact copies are scored through their originals).
    pub fn scores(&self, a: usize, b: usize) -> PairScores {
        PairScorer::new(&self.store(), self.cfg.preset).scores(a, b)
    }

    /// The candidates the preset joins at thresholds `t`, sorted by position, and the time
    /// it took.
    pub(crate) fn verify_candidates(
        &self,
        cands: &[CandidatePair],
        t: Thresholds,
    ) -> (Vec<ScoredPair>, std::time::Duration) {
        let started = std::time::Instant::now();
        let pairs = PairScorer::new(&self.store(), self.cfg.preset).verify_pairs(cands, t);
        (pairs, started.elapsed())
    }
}
