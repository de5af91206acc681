//! Where verification and linkage read documents' features: a [`FeatureStore`] gives the
//! per-document measures (copy similarity, story cosine, the original of an exact copy), and a
//! [`PairScorer`] over any store makes the presets' decisions. The batch pipeline's store is
//! [`MemStore`], the collection's flat in-memory columns; an archive index brings its own.
//!
//! Invariant: a scorer's decisions depend on the store's measures only, so two stores holding
//! the same features give the same verified pairs and clusters.

use super::contain::{ContainFeatures, Contained};
use crate::candidates::CandidatePair;
use crate::cluster::ScoredPair;
use crate::score::{copies, exact_jaccard, Evidence, PairScores, Preset, Thresholds};
use crate::sketch::Signatures;
use crate::weight::PackedVectors;
use rayon::prelude::*;

/// The features of a set of documents, by document number, as verification reads them.
pub trait FeatureStore: Sync {
    /// Number of documents.
    fn len(&self) -> usize;

    /// True when there are none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The document whose features stand for `doc`: its original when `doc` is an exact copy,
    /// else `doc` itself.
    fn original(&self, doc: usize) -> usize;

    /// Copy-lane similarity (estimated or exact shingle Jaccard) of two originals.
    fn copy_similarity(&self, a: usize, b: usize) -> f64;

    /// Whether the copy similarity of two originals could reach `t`; never false when it does.
    fn copy_may_reach(&self, a: usize, b: usize, t: f64) -> bool;

    /// Whether `copy_may_reach` is cheaper than `copy_similarity` (signatures read in part);
    /// false for exact Jaccard, which has no cheaper bound.
    fn copy_bound_is_cheap(&self) -> bool;

    /// The story score of two originals, when the store holds story features.
    fn story_cosine(&self, a: usize, b: usize) -> Option<f64>;

    /// Whether the store holds story features.
    fn has_story(&self) -> bool;

    /// The containment of the shorter of two originals in the other, when it reaches the
    /// containment threshold (a trimmed copy); `None` when it does not, or the store has no
    /// containment features.
    fn contained(&self, _a: usize, _b: usize) -> Option<Contained> {
        None
    }
}

/// The collection's in-memory columns as a [`FeatureStore`].
#[derive(Clone, Copy)]
pub struct MemStore<'a> {
    /// For an exact copy, its original.
    pub dup_of: &'a [Option<u32>],
    /// Copy-lane signatures.
    pub copy_sigs: &'a Signatures,
    /// Shingle sets, kept for exact verification.
    pub shingles: Option<&'a [Vec<u64>]>,
    /// Story vectors (story preset).
    pub story: Option<&'a PackedVectors>,
    /// Containment features (when containment is on).
    pub contain: Option<&'a ContainFeatures>,
}

impl FeatureStore for MemStore<'_> {
    fn len(&self) -> usize {
        self.dup_of.len()
    }

    #[inline]
    fn original(&self, doc: usize) -> usize {
        self.dup_of[doc].map_or(doc, |d| d as usize)
    }

    #[inline]
    fn copy_similarity(&self, a: usize, b: usize) -> f64 {
        match self.shingles {
            Some(s) => exact_jaccard(&s[a], &s[b]),
            None => self.copy_sigs.similarity(a, b),
        }
    }

    #[inline]
    fn copy_may_reach(&self, a: usize, b: usize, t: f64) -> bool {
        match self.shingles {
            Some(_) => self.copy_similarity(a, b) >= t,
            None => self.copy_sigs.may_reach(a, b, t),
        }
    }

    fn copy_bound_is_cheap(&self) -> bool {
        self.shingles.is_none()
    }

    #[inline]
    fn story_cosine(&self, a: usize, b: usize) -> Option<f64> {
        self.story.map(|s| s.cosine(a, b))
    }

    fn has_story(&self) -> bool {
        self.story.is_some()
    }

    fn contained(&self, a: usize, b: usize) -> Option<Contained> {
        let f = self.contain?;
        f.contained(self.copy_sigs, a, b)
            .filter(|c| c.reaches(f.params.threshold))
    }
}

/// The presets' scores and decisions over a [`FeatureStore`].
pub struct PairScorer<'s, S: FeatureStore> {
    store: &'s S,
    preset: Preset,
}

impl<'s, S: FeatureStore> PairScorer<'s, S> {
    /// A scorer of `preset` over `store`.
    pub fn new(store: &'s S, preset: Preset) -> Self {
        PairScorer { store, preset }
    }

    /// Scores of documents `a` and `b` (exact copies are scored through their originals).
    pub fn scores(&self, a: usize, b: usize) -> PairScores {
        self.scores_at(a, b, 1.0)
    }

    /// [`PairScorer::scores`], where a pair that is a copy at copy threshold `copy` carries no
    /// containment: the copy rule decides first, and reading the containment of the millions of
    /// copies an archive holds would double verification.
    pub fn scores_at(&self, a: usize, b: usize, copy: f64) -> PairScores {
        let (a, b) = (self.store.original(a), self.store.original(b));
        if a == b {
            return PairScores {
                jaccard: 1.0,
                story: self.store.has_story().then_some(1.0),
                contained: None,
            };
        }
        let jaccard = self.store.copy_similarity(a, b);
        PairScores {
            jaccard,
            story: self.store.story_cosine(a, b),
            contained: if copies(jaccard, copy) {
                None
            } else {
                self.store.contained(a, b)
            },
        }
    }

    /// The preset's score of documents `a` and `b`.
    pub fn primary(&self, a: usize, b: usize) -> f64 {
        self.scores(a, b).primary(self.preset)
    }

    /// The linkage score of documents `a` and `b` at copy threshold `copy`
    /// ([`PairScores::link`]).
    pub fn link(&self, a: usize, b: usize, copy: f64) -> f64 {
        self.scores_at(a, b, copy).link(self.preset)
    }

    /// [`PairScorer::scores`] of a pair when the preset joins it at thresholds `t`, `None` when
    /// it does not; the same decisions and scores, but the story score comes first, and a pair
    /// it rejects reads only as much of the copy features as it takes to see that they cannot
    /// reach the copy threshold (verification reads a random document per pair, so it waits on
    /// memory).
    pub fn verify(&self, a: usize, b: usize, t: Thresholds) -> Option<PairScores> {
        let (ca, cb) = (self.store.original(a), self.store.original(b));
        if self.preset == Preset::Story && self.store.copy_bound_is_cheap() && ca != cb {
            if let Some(cosine) = self.store.story_cosine(ca, cb) {
                let story_joins = cosine >= t.story && cosine > 0.0;
                // Containment is read last: most pairs a story index proposes are rejected by
                // the two cheaper tests, and few start alike.
                let rejected = !story_joins && !self.store.copy_may_reach(ca, cb, t.copy);
                let mut contained = None;
                if rejected {
                    contained = Some(self.store.contained(ca, cb)?);
                }
                let jaccard = self.store.copy_similarity(ca, cb);
                let scores = PairScores {
                    jaccard,
                    story: Some(cosine),
                    contained: if copies(jaccard, t.copy) {
                        None
                    } else {
                        contained.or_else(|| self.store.contained(ca, cb))
                    },
                };
                return scores.decide(self.preset, t).map(|_| scores);
            }
        }
        let scores = self.scores_at(a, b, t.copy);
        scores.decide(self.preset, t).map(|_| scores)
    }

    /// The candidates the preset joins at thresholds `t`, sorted by document. Candidates may
    /// come in any order: the result is sorted, so the order changes only speed.
    pub fn verify_pairs(&self, cands: &[CandidatePair], t: Thresholds) -> Vec<ScoredPair> {
        let preset = self.preset;
        let mut pairs: Vec<ScoredPair> = cands
            .par_iter()
            .filter_map(|&(a, b)| {
                let scores = self.verify(a as usize, b as usize, t)?;
                let same = self.store.original(a as usize) == self.store.original(b as usize);
                scores.decide(preset, t).map(|evidence| ScoredPair {
                    a,
                    b,
                    similarity: scores.primary(preset),
                    evidence: if same { Evidence::Exact } else { evidence },
                })
            })
            .collect();
        pairs.par_sort_unstable_by_key(|p| (p.a, p.b));
        pairs
    }
}
