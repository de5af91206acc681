//! The engine's configuration: everything that decides the result of a run, with a default
//! for each setting. Arguments are not configuration: a driver (the CLI, a server, Python)
//! maps its own inputs onto an [`EngineConfig`] in one place.

use crate::candidates::bands::LshParams;
use crate::cluster::Linkage;
use crate::error::Result;
use crate::score::{Preset, Thresholds};
use crate::shingle::ShingleKind;
use crate::sketch::{Scheme, SketchParams};
use crate::text::boilerplate::BoilerplateParams;
use crate::weight::WeightParams;

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
    /// ([`crate::candidates::top_terms`]): on SemEval-2022 the same candidate recall as the weighted MinHash
    /// index with a twelfth of the candidates, and no dependence on the seed.
    #[default]
    TopTerms,
    /// Weighted MinHash banded 32 x 1 ([`crate::candidates::bands`], the options `story_candidate_threshold`,
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
