//! The pipeline, composed: documents go in (in batches, in input order), a [`ClusterRun`]
//! comes out. Each stage lives in its own module; this one only wires them:
//!
//! 1. per document, in parallel: normalise, split into lines of hashed words, shingle, MinHash;
//! 2. over the collection: line statistics (boilerplate) and term statistics (IDF), then per
//!    document, in parallel: the story term vector and its weighted MinHash;
//! 3. LSH banding on both signatures -> candidate pairs; verify each pair -> scored pairs;
//! 4. union-find -> clusters.
//!
//! Invariant: the result depends on the documents and the [`EngineConfig`] only, never on the
//! number of threads: every parallel step collects in input order.

use crate::cluster::{average_linkage, clusters, Cluster, Linkage, UnionFind};
use crate::corpus::Document;
use crate::error::Result;
use crate::index::TopTerms;
use crate::lsh::{candidates, union_sorted, CandidatePair, LshParams};
use crate::score::{exact_jaccard, Evidence, PairScores, Preset, Thresholds};
use crate::shingle::{char_shingles_into, word_shingles_into, ShingleKind};
use crate::sketch::{minhash, oph, weighted, Scheme, Signatures, SketchParams};
use crate::text::boilerplate::{BoilerplateParams, LineStats, LinedTokens};
use crate::text::normalize::normalize_into;
use crate::text::tokenize::{hash_ascii_words_into, hash_words_into};
use crate::weight::{TermStats, TermVector, WeightParams};
use rayon::prelude::*;

/// How verification computes shingle Jaccard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Verify {
    /// From the MinHash signatures (fast, within sampling error).
    #[default]
    Estimate,
    /// From the shingle sets, kept in memory for the purpose.
    Exact,
}

/// Everything that decides the result of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineConfig {
    /// What counts as a match. By default, [`Preset::Story`].
    pub preset: Preset,
    /// Shingles of the copy lane. By default, word 5-grams.
    pub shingle: ShingleKind,
    /// MinHash parameters of both lanes. By default, 128 permutations, seed 42.
    pub sketch: SketchParams,
    /// Sketch of the copy lane. By default, one-permutation hashing with optimal
    /// densification ([`Scheme::OnePermutation`]); [`Scheme::MinHash`] is classic MinHash.
    pub copy_scheme: Scheme,
    /// Decision thresholds. By default, [`Thresholds::default`].
    pub thresholds: Thresholds,
    /// Banding of the copy lane. By default (`None`), optimal for `thresholds.copy`.
    pub copy_bands: Option<LshParams>,
    /// How the story lane finds candidates. By default, [`StoryIndex::TopTerms`].
    pub story_index: StoryIndex,
    /// Top-terms index: how many of each document's heaviest terms are indexed. By default, 32.
    pub story_top_terms: usize,
    /// Top-terms index: how many of them a pair must share. By default, 2.
    pub story_min_shared: usize,
    /// Weighted MinHash index: probability-Jaccard level its banding is tuned to. By default,
    /// 0.05.
    pub story_candidate_threshold: f64,
    /// Bands a story-lane pair must share to be verified. By default, 1.
    pub story_min_hits: usize,
    /// How verified pairs become clusters. By default (`None`), single linkage for the copy
    /// preset and average linkage for the story preset.
    pub linkage: Option<Linkage>,
    /// Average linkage joins two clusters when their members' mean score reaches this
    /// fraction of the pair threshold. By default, 0.5: on Clough-Stevenson, 0.7 and above
    /// split heavy rewrites from their sources (ARI 0.97 -> 0.94 -> 0.77 at 1.0), while on
    /// synthetic chains B-cubed precision rises with it (see the README).
    pub link_factor: f64,
    /// How to verify Jaccard. By default, from signatures.
    pub verify: Verify,
    /// Boilerplate rules of the story lane.
    pub boilerplate: BoilerplateParams,
    /// Term weighting of the story lane.
    pub weights: WeightParams,
    /// Largest copy-lane LSH bucket expanded into all its pairs. By default, 256.
    pub max_bucket: usize,
    /// Largest story-lane LSH bucket expanded into all its pairs. By default, 64: a larger
    /// one is a common heavy term sampled by many unrelated documents. On 22,000 articles
    /// (real texts and edited copies) 64 instead of 256 cuts candidates from 5.5 to 1.7
    /// million and the run from 7.8 s to 2.9 s with the same clusters (B-cubed F1 0.787 /
    /// 0.786); SemEval candidate recall goes from 0.971 to 0.957.
    pub story_max_bucket: usize,
    /// Story-lane pairs met only in buckets of more than this many documents are kept only
    /// when they meet in two bands (0: off, the default). On 22,000 articles, 32 cuts
    /// candidates from 1.7 to 0.8 million and the story run by 18%, at a SemEval candidate
    /// recall of 0.945 instead of 0.957; 16: 0.45 million, 25%, 0.931.
    pub story_weak_bucket: usize,
    /// Story-lane candidates verified per document: its later partners sharing the most bands
    /// (0: all). By default, 0.
    pub story_max_partners: usize,
    /// Where IDF comes from. By default, the collection itself.
    pub idf: IdfSource,
}

/// How the story lane finds candidate pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StoryIndex {
    /// Pairs sharing `story_min_shared` of their `story_top_terms` heaviest terms
    /// ([`crate::index`]): on SemEval-2022 the same candidate recall as the weighted MinHash
    /// index with a twelfth of the candidates, and no dependence on the seed.
    #[default]
    TopTerms,
    /// Weighted MinHash banded 32 x 1 ([`crate::lsh`], the options `story_candidate_threshold`,
    /// `story_min_hits`, `story_weak_bucket` and `story_max_partners`).
    MinHash,
}

/// Where the story lane's IDF comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IdfSource {
    /// Document frequencies over the collection being processed.
    #[default]
    Collection,
    /// Every term weighs the same (for two documents with no collection around them).
    Uniform,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            preset: Preset::Story,
            shingle: ShingleKind::default(),
            sketch: SketchParams::default(),
            copy_scheme: Scheme::OnePermutation,
            thresholds: Thresholds::default(),
            copy_bands: None,
            story_index: StoryIndex::TopTerms,
            story_top_terms: 32,
            story_min_shared: 2,
            story_candidate_threshold: 0.05,
            story_min_hits: 1,
            linkage: None,
            link_factor: 0.5,
            verify: Verify::Estimate,
            boilerplate: BoilerplateParams::default(),
            weights: WeightParams::default(),
            max_bucket: 256,
            story_max_bucket: 64,
            story_weak_bucket: 0,
            story_max_partners: 0,
            idf: IdfSource::Collection,
        }
    }
}

impl EngineConfig {
    /// The copy lane's banding: the override, or the optimum for the copy threshold.
    pub fn copy_lsh(&self) -> Result<LshParams> {
        match self.copy_bands {
            Some(b) => Ok(b),
            None => LshParams::optimal(self.thresholds.copy, self.sketch.num_perm),
        }
    }

    /// The story lane's banding.
    pub fn story_lsh(&self) -> Result<LshParams> {
        LshParams::optimal(self.story_candidate_threshold, self.sketch.num_perm)
    }
}

/// What one document contributes before collection statistics exist.
#[derive(Debug, Clone)]
struct DocFeatures {
    /// Hash of the normalised text's words (`None` for a document without words).
    content: Option<u64>,
    /// Story lane only: hash of each line's words (for boilerplate detection).
    line_hashes: Vec<u64>,
    /// Story lane only: terms by line (word prefixes when `weights.prefix_chars` is set).
    /// The copy lane's word hashes are not kept: once signed, they are dropped.
    story_terms: StoryTerms,
    shingles: Option<Vec<u64>>,
}

/// A document's story terms by line, held from reading until the collection statistics exist
/// (the peak of a story run, when every document's terms are in memory at once). Each term is
/// the high 32 bits of its hash, the part the packed vectors compare anyway
/// ([`PackedVectors`]): 4 bytes a word instead of 8. In the story lane a term is
/// `u64::from(t) << 32`.
#[derive(Debug, Clone, Default)]
struct StoryTerms {
    terms: Vec<u32>,
    line_ends: Vec<u32>,
}

impl StoryTerms {
    fn from_lined(l: &LinedTokens) -> Self {
        StoryTerms {
            terms: l.tokens.iter().map(|&t| (t >> 32) as u32).collect(),
            line_ends: l.line_ends.clone(),
        }
    }

    /// The lines, as slices of terms.
    fn lines(&self) -> impl Iterator<Item = &[u32]> + '_ {
        crate::text::boilerplate::lines_of(&self.terms, &self.line_ends)
    }
}

/// Per-thread buffers reused from one document to the next.
#[derive(Default)]
struct Scratch {
    norm: String,
    tokens: Vec<u64>,
    /// Story lane: the document's words and story terms by line.
    whole: LinedTokens,
    prefixed: LinedTokens,
    shingles: Vec<u64>,
    bins: Vec<u32>,
    sig: Vec<u32>,
}

/// Features of a document computed from its text alone; its copy signature is left in
/// `scratch.sig`.
fn features(text: &str, cfg: &EngineConfig, seeds: &[u64], scratch: &mut Scratch) -> DocFeatures {
    let Scratch {
        norm,
        tokens,
        whole,
        prefixed,
        shingles: sh,
        bins,
        sig,
    } = scratch;
    let story = cfg.preset == Preset::Story;
    // ASCII text in the copy lane is tokenised in place (normalising ASCII is lowercasing,
    // done as words are hashed); everything else works on the normalised text.
    let fused = !story && matches!(cfg.shingle, ShingleKind::Word(_)) && text.is_ascii();
    if !fused {
        normalize_into(text, norm);
    }
    // The copy lane needs no lines: words of the whole text are the words of its lines, since
    // a line break is whitespace.
    let (lined, prefixed): (Option<&LinedTokens>, Option<&LinedTokens>) =
        match (story, cfg.weights.prefix_chars) {
            (true, Some(n)) => {
                LinedTokens::fill_with_prefixes(norm, n, whole, prefixed);
                (Some(whole), Some(prefixed))
            }
            (true, None) => {
                *whole = LinedTokens::from_normalized(norm);
                (Some(whole), None)
            }
            (false, _) if fused => {
                tokens.clear();
                hash_ascii_words_into(text, tokens);
                (None, None)
            }
            (false, _) => {
                tokens.clear();
                hash_words_into(norm, tokens);
                (None, None)
            }
        };
    let words: &[u64] = lined.map_or(tokens, |l| &l.tokens);
    let exact = cfg.verify == Verify::Exact;
    if let (ShingleKind::Word(n), Scheme::OnePermutation, false) =
        (cfg.shingle, cfg.copy_scheme, exact)
    {
        // The common case: shingles go straight into the sketch, never stored.
        let (k, seed) = (cfg.sketch.num_perm, cfg.sketch.seed);
        oph::sign_words_into(words, n, k, seed, bins, sig);
    } else {
        copy_sketch(cfg, seeds, norm, words, sh, bins, sig);
    }
    let content = (!words.is_empty()).then(|| content_hash(words));
    let (line_hashes, story_terms) = match lined {
        Some(lined) => {
            let hashes = lined.line_hashes();
            (hashes, StoryTerms::from_lined(prefixed.unwrap_or(lined)))
        }
        None => (Vec::new(), StoryTerms::default()),
    };
    DocFeatures {
        content,
        line_hashes,
        story_terms,
        shingles: exact.then(|| sh.clone()),
    }
}

/// The copy-lane sketch through a stored shingle list (character shingles, classic MinHash,
/// or exact verification, which keeps the set).
fn copy_sketch(
    cfg: &EngineConfig,
    seeds: &[u64],
    norm: &str,
    words: &[u64],
    sh: &mut Vec<u64>,
    bins: &mut Vec<u32>,
    sig: &mut Vec<u32>,
) {
    sh.clear();
    match cfg.shingle {
        ShingleKind::Word(n) => word_shingles_into(words, n, sh),
        ShingleKind::Char(n) => char_shingles_into(norm, n, &mut String::new(), sh),
    }
    let exact = cfg.verify == Verify::Exact;
    if exact || cfg.copy_scheme != Scheme::OnePermutation {
        // One-permutation hashing keeps bin minima, so duplicates cannot change it; the
        // other schemes and exact verification want a set.
        sh.sort_unstable();
        sh.dedup();
    }
    let (k, seed) = (cfg.sketch.num_perm, cfg.sketch.seed);
    match (cfg.copy_scheme, cfg.shingle) {
        // Word shingles are signed as in the streamed path, so that a signature does not
        // depend on whether the set was also kept.
        (Scheme::OnePermutation, ShingleKind::Word(n)) => {
            oph::sign_words_into(words, n, k, seed, bins, sig)
        }
        (Scheme::OnePermutation, ShingleKind::Char(_)) => oph::sign_into(sh, k, seed, bins, sig),
        _ => minhash::sign_into(sh, seeds, sig),
    }
}

/// xxh3 of the word hashes' little-endian bytes: equal for documents with the same words.
/// Fed to the streaming hasher 32 words at a time (per-word updates cost more than hashing).
fn content_hash(words: &[u64]) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    let mut buf = [0u8; 256];
    for chunk in words.chunks(32) {
        for (dst, w) in buf.chunks_exact_mut(8).zip(chunk) {
            dst.copy_from_slice(&w.to_le_bytes());
        }
        h.update(&buf[..chunk.len() * 8]);
    }
    h.digest()
}

/// Builds a collection from batches of documents.
pub struct CollectionBuilder {
    cfg: EngineConfig,
    seeds: Vec<u64>,
    ids: Vec<String>,
    feats: Vec<DocFeatures>,
    copy_sigs: Signatures,
    first_with_content: crate::hashed::HashedMap<u32>,
    dup_of: Vec<Option<u32>>,
}

impl CollectionBuilder {
    /// Start an empty collection.
    pub fn new(cfg: EngineConfig) -> Self {
        CollectionBuilder {
            seeds: cfg.sketch.position_seeds(),
            copy_sigs: Signatures::new(cfg.sketch, cfg.copy_scheme),
            cfg,
            ids: Vec::new(),
            feats: Vec::new(),
            first_with_content: Default::default(),
            dup_of: Vec::new(),
        }
    }

    /// Number of documents added so far.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when nothing was added.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Add a batch of documents (in input order); their features are computed in parallel.
    pub fn add_batch(&mut self, docs: Vec<Document>) {
        let cfg = &self.cfg;
        let seeds = &self.seeds;
        let out: Vec<(DocFeatures, Vec<u32>)> = docs
            .par_iter()
            .map_init(Scratch::default, |scratch, d| {
                let f = features(&d.text, cfg, seeds, scratch);
                (f, scratch.sig.clone())
            })
            .collect();
        for (d, (mut f, sig)) in docs.into_iter().zip(out) {
            let pos = self.ids.len() as u32;
            let dup = f
                .content
                .and_then(|h| match self.first_with_content.entry(h) {
                    std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
                    std::collections::hash_map::Entry::Vacant(e) => {
                        e.insert(pos);
                        None
                    }
                });
            if dup.is_some() {
                // An exact copy needs no features of its own: it is joined to its original.
                f.line_hashes = Vec::new();
                f.story_terms = StoryTerms::default();
            }
            self.dup_of.push(dup);
            self.ids.push(d.id);
            self.copy_sigs.push(&sig);
            self.feats.push(f);
        }
    }

    /// Compute collection statistics and the story lane; the per-document token lists are
    /// dropped here.
    pub fn finish(self) -> Result<Collection> {
        let CollectionBuilder {
            cfg,
            ids,
            feats,
            copy_sigs,
            dup_of,
            ..
        } = self;
        let empty: Vec<bool> = feats.iter().map(|f| f.content.is_none()).collect();
        let shingles: Option<Vec<Vec<u64>>> = if cfg.verify == Verify::Exact {
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
                // Copies first: the story lane sees one document per copy cluster (its
                // earliest member), so that a text republished ten times neither turns its
                // own lines into boilerplate nor multiplies every story candidate by ten.
                let skip: Vec<bool> = dup_of.iter().map(Option::is_some).collect();
                let pairs = candidates(&copy_sigs, &skip, cfg.copy_lsh()?, cfg.max_bucket)?;
                // Checked in parallel and in tiles (two random signatures per pair, tens of
                // millions of pairs at a million documents; see `tile_order`). Union-find gives
                // the same sets in any order.
                let copies: Vec<CandidatePair> = tile_order(&pairs, ids.len())
                    .par_iter()
                    .filter(|&&(a, b)| {
                        let j = match &shingles {
                            Some(s) => exact_jaccard(&s[a as usize], &s[b as usize]),
                            None => copy_sigs.similarity(a as usize, b as usize),
                        };
                        j >= cfg.thresholds.copy && j > 0.0
                    })
                    .copied()
                    .collect();
                let exact = dup_of
                    .iter()
                    .enumerate()
                    .filter_map(|(i, d)| d.map(|d| (d, i as u32)));
                let mut uf = UnionFind::new(ids.len());
                for (a, b) in copies.into_iter().chain(exact) {
                    uf.union(a, b);
                }
                story_of = (0..ids.len() as u32).map(|i| uf.find(i)).collect();
                copy_pairs = Some(pairs);
                stages.push(("copy clusters", t.elapsed()));
                let t = std::time::Instant::now();
                let lane = story_lane(&cfg, cfg.story_lsh()?, feats, &story_of, &copy_sigs);
                stages.push(("story statistics, boilerplate and vectors", t.elapsed()));
                Some(lane)
            }
            Preset::Copy => None,
        };
        Ok(Collection {
            cfg,
            ids,
            empty,
            dup_of,
            story_of,
            copy_pairs,
            copy_sigs,
            shingles,
            story,
            stages,
        })
    }
}

/// The story lane's per-document features.
#[derive(Debug, Clone)]
pub struct StoryLane {
    /// Weighted MinHash index only: each document's signature; a document that is not its
    /// copy cluster's first member (`story_of[i] != i`) has the empty signature, since it does
    /// not enter the story index (its cluster's first member stands for it).
    pub sigs: Option<Signatures>,
    /// Top-terms index only: each document's heaviest terms (none for a document that is not
    /// its copy cluster's first member).
    pub top: TopTerms,
    /// The term vectors, packed for verification: (32-bit term, weight) entries of all
    /// documents in one buffer, document i at `packed[offsets[i]..offsets[i + 1]]`. Half the
    /// bytes of the [`TermVector`]s and one allocation instead of two per document:
    /// verification touches a random document per candidate pair, so it is bound by memory
    /// traffic. The `TermVector`s themselves are dropped as they are packed, so candidates
    /// and verification no longer hold both forms (the peak of a story run is earlier, while
    /// every document's story terms wait for the collection statistics). A 32-bit term
    /// collision adds a spurious product with probability about 128 * 128 / 2^32 per pair.
    pub packed: PackedVectors,
}

/// Term vectors of a collection in one buffer (see [`StoryLane::packed`]): 32-bit terms and
/// their weights in two parallel arrays (terms contiguous, for block compares), document i at
/// `offsets[i]..offsets[i + 1]`, sorted by term, each term once.
#[derive(Debug, Clone, Default)]
pub struct PackedVectors {
    terms: Vec<u32>,
    weights: Vec<f32>,
    offsets: Vec<u32>,
}

/// Terms compared at a time by [`PackedVectors::cosine`] (4 measured faster than 8 or 16).
const BLOCK: usize = 4;

impl PackedVectors {
    fn new(vectors: impl ExactSizeIterator<Item = TermVector>, entries: usize) -> Self {
        let mut p = PackedVectors {
            terms: Vec::with_capacity(entries),
            weights: Vec::with_capacity(entries),
            offsets: Vec::with_capacity(vectors.len() + 1),
        };
        p.offsets.push(0);
        for v in vectors {
            // Terms are sorted and distinct (`TermVector`'s invariant): copied as they are.
            p.terms.extend_from_slice(&v.terms);
            p.weights.extend_from_slice(&v.weights);
            p.offsets.push(p.terms.len() as u32);
        }
        p
    }

    /// Document `i`'s terms, sorted, and their weights.
    pub fn get(&self, i: usize) -> (&[u32], &[f32]) {
        let r = self.offsets[i] as usize..self.offsets[i + 1] as usize;
        (&self.terms[r.clone()], &self.weights[r])
    }

    /// Cosine of documents `a` and `b`: the dot product of their sorted term lists, walked
    /// four terms against four. For each term of one block, its weight in the other block is
    /// picked by comparisons without a branch (0 when absent; terms are unique, so the pick is
    /// exact), and the walk advances the block that ends first, so every common term is met
    /// once. The merge mispredicts a branch at almost every step; this walk has one
    /// predictable branch per block: the story preset on 22,000 articles went from 2.67 s to
    /// 2.0 s on one core. Each of the four positions of a block adds into its own sum, so
    /// that the adds of one block do not wait on each other (verification 0.73 -> 0.65 s on
    /// the same run); the result differs from the scalar merge
    /// ([`PackedVectors::cosine_merge`]) only by rounding (tested). The earlier document is
    /// always walked as `x`, so the cosine is symmetric to the bit, and the same whatever the
    /// threads.
    pub fn cosine(&self, a: usize, b: usize) -> f64 {
        let (a, b) = (a.min(b), a.max(b));
        let ((xk, xw), (yk, yw)) = (self.get(a), self.get(b));
        let (mut i, mut j) = (0, 0);
        let mut lanes = [0.0f64; BLOCK];
        while i + BLOCK <= xk.len() && j + BLOCK <= yk.len() {
            let xb: &[u32; BLOCK] = xk[i..i + BLOCK].try_into().expect("a block");
            let xwb: &[f32; BLOCK] = xw[i..i + BLOCK].try_into().expect("a block");
            let yb: &[u32; BLOCK] = yk[j..j + BLOCK].try_into().expect("a block");
            let ywb: &[f32; BLOCK] = yw[j..j + BLOCK].try_into().expect("a block");
            for ((lane, &x), &xv) in lanes.iter_mut().zip(xb).zip(xwb) {
                let mut w = 0.0f32;
                for (&y, &v) in yb.iter().zip(ywb) {
                    w += if x == y { v } else { 0.0 };
                }
                *lane += xv as f64 * w as f64;
            }
            let (xl, yl) = (xb[BLOCK - 1], yb[BLOCK - 1]);
            i += if xl <= yl { BLOCK } else { 0 };
            j += if yl <= xl { BLOCK } else { 0 };
        }
        let dot = lanes.iter().sum();
        merge(dot, &xk[i..], &xw[i..], &yk[j..], &yw[j..])
    }

    /// [`PackedVectors::cosine`] by a plain merge (the reference it is tested against).
    pub fn cosine_merge(&self, a: usize, b: usize) -> f64 {
        let ((xk, xw), (yk, yw)) = (self.get(a), self.get(b));
        merge(0.0, xk, xw, yk, yw)
    }
}

/// `dot` plus the dot product of two sorted term lists, by a branch-free merge (as
/// [`crate::weight::cosine`]).
fn merge(mut dot: f64, xk: &[u32], xw: &[f32], yk: &[u32], yw: &[f32]) -> f64 {
    let (mut i, mut j) = (0, 0);
    while i < xk.len() && j < yk.len() {
        let (tx, ty) = (xk[i], yk[j]);
        if tx == ty {
            dot += xw[i] as f64 * yw[j] as f64;
        }
        i += (tx <= ty) as usize;
        j += (ty <= tx) as usize;
    }
    dot
}

/// Estimated word 5-gram Jaccard at or above which two documents are versions of one text for
/// the boilerplate rules: lines they share are content, not template. Edited versions of one
/// article (trims, inserted sentences, typos) sit around 0.5-0.8; rewrites of one story by two
/// outlets, and unrelated pages sharing a footer, near 0.
const VERSION_JACCARD: f64 = 0.3;

/// Collection statistics (boilerplate lines, IDF) come from one document per copy cluster
/// (`story_of[i] == i`): a text published three times must not turn its own lines into
/// boilerplate, nor its words common. Every document still gets its own vector, its lines
/// judged as its cluster's first member's would be.
///
/// Each stage's input is dropped as soon as the next exists (terms -> bags -> vectors), so the
/// peak holds two of them, not all.
fn story_lane(
    cfg: &EngineConfig,
    banding: LshParams,
    feats: Vec<DocFeatures>,
    story_of: &[u32],
    copy_sigs: &Signatures,
) -> StoryLane {
    let is_rep = |i: usize| story_of[i] as usize == i;
    let rep_lines: Vec<&[u64]> = feats
        .iter()
        .enumerate()
        .map(|(i, f)| {
            if is_rep(i) {
                f.line_hashes.as_slice()
            } else {
                &[][..]
            }
        })
        .collect();
    let line_stats = LineStats::build(&rep_lines);
    drop(rep_lines);
    // Each document's features are consumed (and freed) as its bag is built, so the two
    // never both exist in full.
    let bags: Vec<Vec<(u32, u32)>> = feats
        .into_par_iter()
        .enumerate()
        .map(|(i, f)| {
            let keep = line_stats.keep_mask_versions(
                story_of[i],
                &f.line_hashes,
                cfg.boilerplate,
                |x, y| copy_sigs.similarity(x as usize, y as usize) >= VERSION_JACCARD,
            );
            let mut terms: Vec<u32> = Vec::new();
            let source = &f.story_terms;
            for (n, (line, _)) in source.lines().zip(keep).filter(|(_, k)| *k).enumerate() {
                terms.extend_from_slice(line);
                // The headline says what the story is: count it more.
                if n == 0 {
                    for _ in 0..cfg.weights.headline_repeats {
                        terms.extend_from_slice(line);
                    }
                }
            }
            crate::weight::bag_of_words(terms)
        })
        .collect();
    drop(line_stats);
    let term_stats = TermStats::build(
        bags.iter()
            .enumerate()
            .filter(|&(i, _)| is_rep(i))
            .map(|(_, b)| b.as_slice()),
    );
    // The story signature only needs the positions its banding reads.
    let sketch = SketchParams {
        num_perm: banding.bands * banding.rows,
        seed: cfg.sketch.seed,
    };
    let seeds = sketch.position_seeds();
    // Short is relative to the collection (see `weight`): the prior follows its median.
    let weights = cfg.weights.for_collection(
        bags.iter()
            .enumerate()
            .filter(|&(i, _)| is_rep(i))
            .map(|(_, b)| b.len()),
    );
    let minhash = cfg.story_index == StoryIndex::MinHash;
    let out: Vec<(TermVector, Vec<u32>, Vec<u32>)> = bags
        .into_par_iter()
        .enumerate()
        .map(|(i, bag)| {
            let stats = (cfg.idf == IdfSource::Collection).then_some(&term_stats);
            let v = TermVector::from_bag(&bag, stats, weights);
            // Only a copy cluster's first member enters the story index (see
            // `StoryLane::sigs`): the others' sketches would never be read.
            let (mut sig, mut top) = (Vec::new(), Vec::new());
            if !is_rep(i) {
                if minhash {
                    sig.resize(sketch.num_perm, crate::sketch::EMPTY);
                }
            } else if minhash {
                // The sketch hashes terms as they were before they became 32-bit keys.
                let wide: Vec<u64> = v.terms.iter().map(|&t| u64::from(t) << 32).collect();
                weighted::sign_into(&wide, &v.weights, &seeds, &mut sig);
            } else {
                top = heaviest_keys(&v, cfg.story_top_terms);
            }
            (v, sig, top)
        })
        .collect();
    let sigs = minhash.then(|| {
        let mut sigs = Signatures::new(sketch, Scheme::Weighted);
        for (_, s, _) in &out {
            sigs.push(s);
        }
        sigs
    });
    let mut top = TopTerms::default();
    for (_, _, t) in &out {
        top.push(t.iter().copied());
    }
    let entries = out.iter().map(|(v, _, _)| v.len()).sum();
    let packed = PackedVectors::new(out.into_iter().map(|(v, _, _)| v), entries);
    StoryLane { sigs, top, packed }
}

/// The 32-bit keys (as in [`PackedVectors`]) of the `m` heaviest terms of `v`, ties broken by
/// term so that the choice is deterministic.
fn heaviest_keys(v: &TermVector, m: usize) -> Vec<u32> {
    let mut tw: Vec<(f32, u32)> = v
        .weights
        .iter()
        .copied()
        .zip(v.terms.iter().copied())
        .collect();
    let by_weight = |a: &(f32, u32), b: &(f32, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    if m == 0 {
        return Vec::new();
    }
    if tw.len() > m {
        tw.select_nth_unstable_by(m - 1, by_weight);
        tw.truncate(m);
    }
    tw.into_iter().map(|(_, t)| t).collect()
}

/// Candidate pairs are verified in tiles of 2^TILE_SHIFT by 2^TILE_SHIFT document positions
/// (see [`tile_order`]); 1,024 documents' story vectors (about 1 KB each)
/// and copy signatures fit in a core's L2 cache. Past a million documents tiles grow, so that
/// there are at most `MAX_TILES_PER_SIDE`^2 of them.
const TILE_SHIFT: u32 = 10;
const MAX_TILES_PER_SIDE: usize = 1024;

/// `pairs` grouped by tile (see [`TILE_SHIFT`]), by a counting sort: tiles in row-major
/// order, pairs within a tile in their order in `pairs`.
///
/// Verification reads both documents' vectors and signatures, and for a document with
/// hundreds of partners the partner is a random one of the collection: a cache miss. In tiles
/// of (earlier, later) documents by position, each tile's documents fit in the cache and are
/// read many times: 22,000 articles' story cosines took 0.42 s in candidate order and 0.31 s
/// in tiles.
fn tile_order(pairs: &[CandidatePair], docs: usize) -> Vec<CandidatePair> {
    let mut shift = TILE_SHIFT;
    while (docs >> shift) + 1 > MAX_TILES_PER_SIDE {
        shift += 1;
    }
    let side = (docs >> shift) + 1;
    let tile = |&(a, b): &CandidatePair| (a as usize >> shift) * side + (b as usize >> shift);
    let mut start = vec![0usize; side * side + 1];
    for p in pairs {
        start[tile(p) + 1] += 1;
    }
    for i in 1..start.len() {
        start[i] += start[i - 1];
    }
    let mut out = vec![(0, 0); pairs.len()];
    for p in pairs {
        let t = tile(p);
        out[start[t]] = *p;
        start[t] += 1;
    }
    out
}

/// A collection ready to be clustered or queried.
pub struct Collection {
    /// The configuration it was built with.
    pub cfg: EngineConfig,
    /// Document ids, by input position.
    pub ids: Vec<String>,
    /// Whether each document has no words at all.
    pub empty: Vec<bool>,
    /// For an exact copy (same normalised words) of an earlier document, that document.
    pub dup_of: Vec<Option<u32>>,
    /// Story preset: the earliest member of each document's copy cluster (exact and near
    /// copies), the one that stands for the cluster in the story lane's LSH index and
    /// statistics; empty for the copy preset.
    pub story_of: Vec<u32>,
    /// Story preset: the copy lane's candidate pairs, found while building `story_of`.
    copy_pairs: Option<Vec<CandidatePair>>,
    /// Copy-lane MinHash signatures.
    pub copy_sigs: Signatures,
    /// Shingle sets, kept only for exact verification.
    pub shingles: Option<Vec<Vec<u64>>>,
    /// Story-lane features (story preset only).
    pub story: Option<StoryLane>,
    /// Wall time of each stage of [`CollectionBuilder::finish`], for `--verbose`.
    pub stages: Vec<(&'static str, std::time::Duration)>,
}

/// A verified pair with the preset's score (24 bytes: a run can verify tens of millions;
/// [`Collection::scores`] gives every measure of a pair again on demand).
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredPair {
    /// Earlier document (input position).
    pub a: u32,
    /// Later document.
    pub b: u32,
    /// The preset's score of the pair ([`PairScores::primary`]).
    pub similarity: f64,
    /// Why it was joined.
    pub evidence: Evidence,
}

/// The result of clustering a collection.
#[derive(Debug, Clone)]
pub struct ClusterRun {
    /// Clusters in order of their earliest member; every document is in one.
    pub clusters: Vec<Cluster>,
    /// Verified pairs, sorted by `(a, b)`.
    pub pairs: Vec<ScoredPair>,
    /// For every document, the preset's score against its cluster's representative (1 for the
    /// representative itself).
    pub similarity_to_representative: Vec<f64>,
    /// Number of candidate pairs the LSH stage proposed.
    pub candidates: usize,
    /// Wall time of each stage of clustering, for `--verbose`.
    pub stages: Vec<(&'static str, std::time::Duration)>,
}

impl Collection {
    /// Number of documents.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when the collection has no documents.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
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

    /// [`scores`](Self::scores) of a candidate pair when the preset joins it at thresholds
    /// `t`, `None` when it does not; the same decisions and scores, but the story score comes
    /// first, and a pair it rejects reads only as much of the copy signatures as it takes to
    /// see that they cannot reach the copy threshold (verification reads a random signature
    /// per pair, so it waits on memory).
    fn verify(&self, a: usize, b: usize, t: Thresholds) -> Option<PairScores> {
        let preset = self.cfg.preset;
        let (ca, cb) = (self.canonical(a), self.canonical(b));
        if let (Preset::Story, Some(story), None) = (preset, &self.story, &self.shingles) {
            if ca != cb {
                let cosine = story.packed.cosine(ca, cb);
                let story_joins = cosine >= t.story && cosine > 0.0;
                if !story_joins && !self.copy_sigs.may_reach(ca, cb, t.copy) {
                    return None;
                }
                let scores = PairScores {
                    jaccard: self.copy_sigs.similarity(ca, cb),
                    story: Some(cosine),
                };
                return scores.decide(preset, t).map(|_| scores);
            }
        }
        let scores = self.scores(a, b);
        scores.decide(preset, t).map(|_| scores)
    }

    /// Scores of documents `a` and `b` (exact copies are scored through their originals).
    pub fn scores(&self, a: usize, b: usize) -> PairScores {
        let (a, b) = (self.canonical(a), self.canonical(b));
        if a == b {
            return PairScores {
                jaccard: 1.0,
                story: self.story.as_ref().map(|_| 1.0),
            };
        }
        let jaccard = match &self.shingles {
            Some(s) => exact_jaccard(&s[a], &s[b]),
            None => self.copy_sigs.similarity(a, b),
        };
        let story = self.story.as_ref().map(|s| s.packed.cosine(a, b));
        PairScores { jaccard, story }
    }

    /// Candidate pairs from both lanes, sorted and unique. Exact copies do not enter the LSH
    /// index: each is paired with its original directly, so a text repeated 100,000 times costs
    /// 100,000 pairs, not a bucket of 100,000 documents in every band.
    pub fn candidates(&self) -> Result<Vec<CandidatePair>> {
        let skip: Vec<bool> = self.dup_of.iter().map(Option::is_some).collect();
        let max = self.cfg.max_bucket;
        // The copy lane's pairs, borrowed when the story preset already found them (a clone
        // was millions of pairs at a million documents).
        let mut pairs: std::borrow::Cow<[CandidatePair]> = match &self.copy_pairs {
            Some(p) => p.into(),
            None => candidates(&self.copy_sigs, &skip, self.cfg.copy_lsh()?, max)?.into(),
        };
        if let Some(story) = &self.story {
            let not_rep: Vec<bool> = (0..self.len())
                .map(|i| self.story_of[i] as usize != i)
                .collect();
            let between = match &story.sigs {
                Some(sigs) => self.minhash_candidates(sigs, &not_rep)?,
                None => crate::index::candidates(
                    &story.top,
                    &not_rep,
                    self.cfg.story_min_shared,
                    self.cfg.story_max_bucket,
                ),
            };
            // A story pair between two copy clusters is a pair between their earliest
            // members; the clustering carries it to the rest.
            pairs = union_sorted(&pairs, &between).into();
        }
        let mut dups: Vec<CandidatePair> = self
            .dup_of
            .iter()
            .enumerate()
            .filter_map(|(i, d)| d.map(|d| (d, i as u32)))
            .collect();
        dups.sort_unstable();
        Ok(union_sorted(&pairs, &dups))
    }

    /// Story candidates from the weighted MinHash index (`StoryIndex::MinHash`), with its
    /// filters.
    fn minhash_candidates(
        &self,
        sigs: &Signatures,
        not_rep: &[bool],
    ) -> Result<Vec<CandidatePair>> {
        let banding = self.cfg.story_lsh()?;
        let mut between = crate::lsh::candidates_weak(
            sigs,
            not_rep,
            banding,
            self.cfg.story_max_bucket,
            self.cfg.story_weak_bucket,
        )?;
        let hits = |&(a, b): &CandidatePair| {
            let (x, y) = (sigs.get(a as usize), sigs.get(b as usize));
            x.chunks(banding.rows)
                .zip(y.chunks(banding.rows))
                .filter(|(p, q)| p == q)
                .count()
        };
        if self.cfg.story_min_hits > 1 {
            // Bands shared, from the signatures: a cheap filter before the cosine, which
            // costs a hundred times more.
            let need = self.cfg.story_min_hits;
            between.retain(|p| hits(p) >= need);
        }
        let k = self.cfg.story_max_partners;
        if k > 0 {
            // Each document verifies only its k later partners that share the most bands
            // (ties by position). In a large group of versions of one story every member
            // is a candidate of every other; k links each are enough to connect it, and
            // clustering carries the rest.
            let scored: Vec<(CandidatePair, usize)> =
                between.par_iter().map(|p| (*p, hits(p))).collect();
            between.clear();
            for group in scored.chunk_by(|x, y| x.0 .0 == y.0 .0) {
                if group.len() <= k {
                    between.extend(group.iter().map(|g| g.0));
                } else {
                    let mut g = group.to_vec();
                    g.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
                    g.truncate(k);
                    let mut kept: Vec<CandidatePair> = g.into_iter().map(|g| g.0).collect();
                    kept.sort_unstable();
                    between.extend(kept);
                }
            }
        }
        Ok(between)
    }

    /// The linkage in force: the configured one, or the preset's default.
    pub fn linkage(&self) -> Linkage {
        self.cfg.linkage.unwrap_or(match self.cfg.preset {
            Preset::Copy => Linkage::Single,
            Preset::Story => Linkage::Average,
        })
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
        // The candidates are done with before clustering (48 million pairs, 384 MB, at a
        // million documents).
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

    /// The candidates the preset joins at thresholds `t`, sorted by position, and the time
    /// it took.
    fn verify_candidates(
        &self,
        cands: &[CandidatePair],
        t: Thresholds,
    ) -> (Vec<ScoredPair>, std::time::Duration) {
        let preset = self.cfg.preset;
        let started = std::time::Instant::now();
        // Candidates may come in any order: the verified pairs are sorted, so the order changes
        // no result, only speed (`cluster` passes them in tiles, see `tile_order`).
        let mut pairs: Vec<ScoredPair> = cands
            .par_iter()
            .filter_map(|&(a, b)| {
                let scores = self.verify(a as usize, b as usize, t)?;
                scores.decide(preset, t).map(|evidence| ScoredPair {
                    a,
                    b,
                    similarity: scores.primary(preset),
                    evidence,
                })
            })
            .collect();
        pairs.par_sort_unstable_by_key(|p| (p.a, p.b));
        (pairs, started.elapsed())
    }

    /// Cluster verified pairs (from [`Collection::verify_candidates`] on `proposed`
    /// candidates, in `verified` time).
    fn cluster_verified(
        &self,
        pairs: Vec<ScoredPair>,
        t: Thresholds,
        proposed: usize,
        verified: std::time::Duration,
    ) -> ClusterRun {
        let preset = self.cfg.preset;
        let started = std::time::Instant::now();
        let clusters = match self.linkage() {
            Linkage::Single => clusters(self.len(), pairs.iter().map(|p| (p.a, p.b))),
            Linkage::Average => {
                let threshold = self.cfg.link_factor
                    * match preset {
                        Preset::Copy => t.copy,
                        Preset::Story => t.story,
                    };
                let edge = |p: &ScoredPair| (p.a, p.b, p.similarity);
                average_linkage(self.len(), &pairs, edge, threshold, |x, y| {
                    self.scores(x as usize, y as usize).primary(preset)
                })
            }
        };
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
                    self.scores(rep as usize, m).primary(preset)
                }
            })
            .collect();
        ClusterRun {
            clusters,
            pairs,
            similarity_to_representative: sim,
            candidates: proposed,
            stages: vec![
                ("verification", verified),
                ("clustering", started.elapsed()),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Location;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// The block walk equals the scalar merge up to rounding, and is symmetric to the bit,
        /// on vectors of any lengths that share any number of terms.
        #[test]
        fn block_cosine_is_the_merge_up_to_rounding(
            a in proptest::collection::vec((0u32..400, 0.01f32..3.0), 0..200),
            b in proptest::collection::vec((0u32..400, 0.01f32..3.0), 0..200),
        ) {
            let vector = |v: &[(u32, f32)]| {
                let mut v = v.to_vec();
                v.sort_by_key(|e| e.0);
                v.dedup_by_key(|e| e.0);
                TermVector {
                    terms: v.iter().map(|e| e.0).collect(),
                    weights: v.iter().map(|e| e.1).collect(),
                }
            };
            let (va, vb) = (vector(&a), vector(&b));
            let n = va.len() + vb.len();
            let p = PackedVectors::new(vec![va, vb].into_iter(), n);
            for (x, y) in [(0, 1), (1, 0), (0, 0)] {
                let (fast, merge) = (p.cosine(x, y), p.cosine_merge(x, y));
                prop_assert!((fast - merge).abs() <= 1e-12 * merge.abs().max(1.0), "{fast} {merge}");
            }
            prop_assert_eq!(p.cosine(0, 1).to_bits(), p.cosine(1, 0).to_bits());
        }
    }

    #[test]
    fn tile_order_permutes_pairs_into_tiles() {
        for docs in [1usize, 5_000, 3_000_000] {
            let n = docs as u64;
            let mut pairs: Vec<CandidatePair> = (0..20_000u64)
                .map(|i| {
                    let (x, y) = (crate::sketch::mix64(i) % n, crate::sketch::mix64(!i) % n);
                    (x.min(y) as u32, x.max(y) as u32)
                })
                .collect();
            pairs.sort_unstable();
            pairs.dedup();
            let tiled = tile_order(&pairs, docs);
            let mut back = tiled.clone();
            back.sort_unstable();
            assert_eq!(back, pairs, "a permutation");
            // Each tile is one run: once left, never met again.
            let side_shift = if docs > 1 << 20 { 12 } else { TILE_SHIFT };
            let key = |&(a, b): &CandidatePair| (a >> side_shift, b >> side_shift);
            let mut seen = std::collections::HashSet::new();
            for run in tiled.chunk_by(|p, q| key(p) == key(q)) {
                assert!(seen.insert(key(&run[0])), "tile {:?} split", key(&run[0]));
            }
        }
    }

    fn docs(texts: &[&str]) -> Vec<Document> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| Document {
                id: format!("d{i}"),
                text: t.to_string(),
                location: Location {
                    path: std::path::Path::new("-").into(),
                    line: i as u64 + 1,
                },
            })
            .collect()
    }

    fn run(cfg: EngineConfig, texts: &[&str]) -> ClusterRun {
        let mut b = CollectionBuilder::new(cfg);
        b.add_batch(docs(texts));
        b.finish().unwrap().cluster().unwrap()
    }

    #[test]
    fn reference_case_blurbs_keep_their_text_and_stay_clear_of_the_threshold() {
        // The VNA page carries its "See more" blurbs, each also a document of its own: the
        // boilerplate rules must strip them from the page, not from the blurbs (a blurb is a
        // story). Every document keeps a story vector, and no pair but the interview comes
        // near the threshold.
        let path = std::path::PathBuf::from("fixtures/seeds/seed_case.jsonl");
        let docs: Vec<Document> =
            crate::corpus::open_all(&[path], &crate::corpus::ReadOptions::default())
                .unwrap()
                .collect::<Result<_>>()
                .unwrap();
        let ids: Vec<String> = docs.iter().map(|d| d.id.clone()).collect();
        let mut b = CollectionBuilder::new(EngineConfig::default());
        b.add_batch(docs);
        let coll = b.finish().unwrap();
        let story = coll.story.as_ref().expect("story preset");
        for (i, id) in ids.iter().enumerate() {
            assert!(!story.packed.get(i).0.is_empty(), "{id} lost all its terms");
        }
        let t = coll.cfg.thresholds.story;
        let pair = |x: &str| ids.iter().position(|i| i == x).unwrap();
        let (va, wr) = (pair("vna-thang-interview"), pair("wvr-thang-interview"));
        for a in 0..ids.len() {
            for b in a + 1..ids.len() {
                let s = coll.scores(a, b).primary(Preset::Story);
                if (a, b) == (va.min(wr), va.max(wr)) {
                    assert!(s >= t, "the interview pair scores {s}");
                } else {
                    assert!(s < 0.9 * t, "{} / {} score {s}", ids[a], ids[b]);
                }
            }
        }
    }

    const A: &str = "The central bank raised its key interest rate by half a point on Tuesday, \
        citing stubborn inflation in services and a tight labour market across the region.";

    #[test]
    fn exact_copies_cluster_under_copy_preset() {
        let cfg = EngineConfig {
            preset: Preset::Copy,
            ..Default::default()
        };
        let r = run(
            cfg,
            &[A, "Something else entirely, about football results.", A],
        );
        assert_eq!(r.clusters[0].members, vec![0, 2]);
        assert_eq!(r.clusters.len(), 2);
    }

    #[test]
    fn batches_do_not_change_the_result() {
        let texts = [A, "unrelated text about the weather", A];
        let one = run(EngineConfig::default(), &texts);
        let mut b = CollectionBuilder::new(EngineConfig::default());
        for d in docs(&texts) {
            b.add_batch(vec![d]);
        }
        let many = b.finish().unwrap().cluster().unwrap();
        assert_eq!(one.clusters, many.clusters);
        assert_eq!(one.pairs, many.pairs);
    }

    /// Regression: ideographs are segmented one per word, so unrelated Chinese texts drawn
    /// from the same few hundred characters shared nearly all their story terms and merged
    /// into one story (found by benches/pathological). Story terms are now character bigrams.
    #[test]
    fn unrelated_texts_in_an_unspaced_script_stay_apart() {
        let mut x: u64 = 1;
        let mut text = || -> String {
            (0..600)
                .map(|_| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    char::from_u32(0x4E00 + ((x >> 33) % 400) as u32).unwrap()
                })
                .collect()
        };
        let texts: Vec<String> = (0..20).map(|_| text()).collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let r = run(EngineConfig::default(), &refs);
        assert_eq!(r.clusters.len(), 20);
    }

    #[test]
    fn empty_documents_are_singletons() {
        let r = run(EngineConfig::default(), &["", "   ", A]);
        assert_eq!(r.clusters.len(), 3);
    }

    #[test]
    fn near_copies_stand_behind_their_first_member_in_the_story_lane() {
        let words: Vec<String> = (0..200).map(|i| format!("w{i}")).collect();
        let original = words.join(" ");
        let mut edited = words.clone();
        edited[100] = "changed".into();
        let edited = edited.join(" ");
        let other: String = (0..200).map(|i| format!("x{i} ")).collect();
        let mut b = CollectionBuilder::new(EngineConfig::default());
        b.add_batch(docs(&[&original, &other, &edited]));
        let coll = b.finish().unwrap();
        assert_eq!(coll.story_of, vec![0, 1, 0]);
        // The copy is still scored on its own vector, and clusters with its original.
        let s02 = coll.scores(0, 2).story.unwrap();
        assert!(s02 > 0.5, "{s02}");
        let run = coll.cluster().unwrap();
        assert_eq!(run.clusters.len(), 2);
        let cands: std::collections::HashSet<_> = coll.candidates().unwrap().into_iter().collect();
        assert!(coll.proposed(&cands, 0, 2));
        assert!(!coll.proposed(&cands, 1, 2));
    }

    #[test]
    fn max_partners_bounds_story_verification_and_keeps_the_group_connected() {
        // Five versions of one story (110 shared words, 10 of their own between them: 5-gram
        // Jaccard about 0.43, below the copy threshold) among twenty unrelated documents.
        let mut texts: Vec<String> = (0..5)
            .map(|i| {
                (0..120)
                    .map(|j| {
                        if j % 12 == 11 {
                            format!("own{i}x{j}")
                        } else {
                            format!("shared{j}")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        texts.extend((0..20).map(|i| {
            (0..120)
                .map(|j| format!("other{i}x{j}"))
                .collect::<Vec<_>>()
                .join(" ")
        }));
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let build = |k: usize| {
            let cfg = EngineConfig {
                story_index: StoryIndex::MinHash,
                story_max_partners: k,
                ..EngineConfig::default()
            };
            let mut b = CollectionBuilder::new(cfg);
            b.add_batch(docs(&refs));
            b.finish().unwrap()
        };
        let partners_of_0 =
            |c: &Collection| c.candidates().unwrap().iter().filter(|p| p.0 == 0).count();
        let (all, one) = (build(0), build(1));
        assert_eq!(partners_of_0(&all), 4);
        assert_eq!(partners_of_0(&one), 1);
        let clusters = one.cluster().unwrap().clusters;
        assert_eq!(clusters[0].members, vec![0, 1, 2, 3, 4]);
        assert_eq!(clusters.len(), 21);

        // The top-terms index: the versions pair with each other and nothing else does; when
        // their terms are held by more documents than `story_max_bucket`, with their next
        // holders only, and the group stays one cluster.
        let top = |max_list: usize| {
            let cfg = EngineConfig {
                story_max_bucket: max_list,
                ..EngineConfig::default()
            };
            let mut b = CollectionBuilder::new(cfg);
            b.add_batch(docs(&refs));
            let c = b.finish().unwrap();
            let cands = c.candidates().unwrap();
            (cands, c.cluster().unwrap().clusters)
        };
        let (cands, clusters) = top(64);
        let versions: Vec<CandidatePair> = (0..5u32)
            .flat_map(|a| (a + 1..5).map(move |b| (a, b)))
            .collect();
        assert_eq!(cands, versions);
        assert_eq!(clusters[0].members, vec![0, 1, 2, 3, 4]);
        // Five holders > 4: each pairs with its next window(4) = 1.
        let (cands, clusters) = top(4);
        assert_eq!(cands, vec![(0, 1), (1, 2), (2, 3), (3, 4)]);
        assert_eq!(clusters[0].members, vec![0, 1, 2, 3, 4]);
    }
}
