//! The engine's configuration: everything that decides the result of a run, nested per lane,
//! with a default for each setting. Arguments are not configuration: a driver (the CLI, a
//! server, Python) maps its own inputs onto an [`EngineConfig`] in one place, and
//! [`EngineConfig::validate`] checks the library's invariants for all of them.
//!
//! Invariant: a config that travels (stored in an index, passed as JSON) carries
//! [`CONFIG_VERSION`]; [`EngineConfig::from_json`] refuses another version and validates what it
//! reads.

use super::contain::ContainParams;
use crate::candidates::bands::LshParams;
use crate::cluster::Linkage;
use crate::error::{Error, Result};
use crate::score::{Preset, Thresholds};
use crate::shingle::ShingleKind;
use crate::sketch::{Scheme, SketchInput, SketchParams, SketchRecipe};
use crate::text::boilerplate::BoilerplateParams;
use crate::text::TextVersion;
use crate::weight::WeightParams;
use serde::{Deserialize, Serialize};

/// Version of the serialised [`EngineConfig`]: bumped when a field changes meaning or is
/// removed, so that a stored config is never read as something else.
pub const CONFIG_VERSION: u32 = 2;

/// Largest standard error of the MinHash estimate at the copy threshold that a config may
/// have: `sqrt(t (1 - t) / num_perm)`, so at least 25 permutations at 0.5 and 16 at 0.8.
pub const MAX_ESTIMATE_ERROR: f64 = 0.1;

/// Longest signature the engine accepts.
pub const MAX_NUM_PERM: usize = 4096;

/// How verification computes shingle Jaccard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verify {
    /// From the MinHash signatures (fast, within sampling error).
    #[default]
    Estimate,
    /// From the shingle sets, kept in memory for the purpose.
    Exact,
}

/// Everything that decides the result of a run.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct EngineConfig {
    /// What counts as a match. By default, [`Preset::Story`].
    pub preset: Preset,
    /// Decision thresholds. By default, [`Thresholds::default`].
    pub thresholds: Thresholds,
    /// The copy lane.
    pub copy: CopyParams,
    /// The story lane (story preset only).
    pub story: StoryParams,
    /// How verified pairs become clusters.
    pub link: LinkParams,
}

/// The copy lane: shingles, their sketch, its banding and verification.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CopyParams {
    /// Shingles. By default, word 5-grams.
    pub shingle: ShingleKind,
    /// MinHash parameters (the story lane's weighted MinHash uses the same seed). By default,
    /// 128 permutations, seed 42.
    pub sketch: SketchParams,
    /// Sketch scheme. By default, one-permutation hashing with optimal densification
    /// ([`Scheme::OnePermutation`]); [`Scheme::MinHash`] is classic MinHash.
    pub scheme: Scheme,
    /// Banding. By default (`None`), optimal for `thresholds.copy`.
    pub bands: Option<LshParams>,
    /// Largest LSH bucket expanded into all its pairs; a larger one pairs each member with its
    /// first only. By default, 256.
    pub max_bucket: usize,
    /// How to verify Jaccard. By default, from signatures.
    pub verify: Verify,
    /// The containment relation (trimmed copies), or `None` for Jaccard alone. By default,
    /// on with its defaults.
    pub contain: Option<ContainParams>,
}

impl Default for CopyParams {
    fn default() -> Self {
        CopyParams {
            shingle: ShingleKind::default(),
            sketch: SketchParams::default(),
            scheme: Scheme::OnePermutation,
            bands: None,
            max_bucket: 256,
            verify: Verify::Estimate,
            contain: Some(ContainParams::default()),
        }
    }
}

/// The story lane: boilerplate rules, term weighting, and how candidates are found.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct StoryParams {
    /// How candidates are found. By default, [`StoryIndex::TopTerms`] with its defaults.
    pub index: StoryIndex,
    /// Boilerplate rules.
    pub boilerplate: BoilerplateParams,
    /// Term weighting.
    pub weights: WeightParams,
    /// Where IDF comes from. By default, the collection itself.
    pub idf: IdfSource,
}

/// How the story lane finds candidate pairs; each kind carries its own options, so an option
/// of one cannot be set on the other.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoryIndex {
    /// Pairs sharing some of their heaviest terms ([`crate::candidates::top_terms`]): on
    /// SemEval-2022 the recall of the weighted MinHash index with far fewer candidates, and no
    /// dependence on the seed.
    TopTerms(TopTermsParams),
    /// Weighted MinHash, banded ([`crate::candidates::bands`]).
    MinHash(StoryMinHashParams),
}

impl Default for StoryIndex {
    fn default() -> Self {
        StoryIndex::TopTerms(TopTermsParams::default())
    }
}

/// Options of the top-terms story index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopTermsParams {
    /// How many of each document's heaviest terms are indexed. By default, 32.
    pub top_terms: usize,
    /// How many of them a pair must share. By default, 2.
    pub min_shared: usize,
    /// A term among the heaviest of more than this many documents pairs each holder with its
    /// next few holders only ([`crate::candidates::top_terms::window`]). By default, 64.
    pub max_list: usize,
}

impl Default for TopTermsParams {
    fn default() -> Self {
        TopTermsParams {
            top_terms: 32,
            min_shared: 2,
            max_list: 64,
        }
    }
}

/// Options of the weighted-MinHash story index.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StoryMinHashParams {
    /// Probability-Jaccard level the banding is tuned to. By default, 0.05.
    pub level: f64,
    /// Bands a pair must share to be verified. By default, 1.
    pub min_hits: usize,
    /// Largest bucket expanded into all its pairs. By default, 64: a larger one is a common
    /// heavy term sampled by many unrelated documents.
    pub max_bucket: usize,
    /// Pairs met only in buckets of more than this many documents are kept only when they
    /// meet in two bands (0: off, the default).
    pub weak_bucket: usize,
    /// Candidates verified per document: its later partners sharing the most bands (0: all,
    /// the default).
    pub max_partners: usize,
}

impl Default for StoryMinHashParams {
    fn default() -> Self {
        StoryMinHashParams {
            level: 0.05,
            min_hits: 1,
            max_bucket: 64,
            weak_bucket: 0,
            max_partners: 0,
        }
    }
}

/// Where the story lane's IDF comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdfSource {
    /// Document frequencies over the collection being processed.
    #[default]
    Corpus,
    /// Every term weighs the same (for two documents with no collection around them).
    Uniform,
}

/// How verified pairs become clusters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LinkParams {
    /// The linkage. By default (`None`), single linkage for the copy preset and average
    /// linkage for the story preset.
    pub linkage: Option<Linkage>,
    /// Average linkage joins two clusters when their members' mean score reaches this
    /// fraction of the pair threshold. By default, 0.5: on Clough-Stevenson higher factors
    /// split heavy rewrites from their sources, while on synthetic chains B-cubed precision
    /// rises with it (the README has the figures).
    pub factor: f64,
}

impl Default for LinkParams {
    fn default() -> Self {
        LinkParams {
            linkage: None,
            factor: 0.5,
        }
    }
}

/// The versioned form of a config, as stored and exchanged.
#[derive(Serialize, Deserialize)]
struct Versioned<C> {
    config_version: u32,
    config: C,
}

impl EngineConfig {
    /// The default config of `preset`.
    pub fn for_preset(preset: Preset) -> Self {
        EngineConfig {
            preset,
            ..EngineConfig::default()
        }
    }

    /// The threshold of the preset in force.
    pub fn threshold(&self) -> f64 {
        self.thresholds.of(self.preset)
    }

    /// The copy lane's banding: the override, or the optimum for the copy threshold.
    pub fn copy_lsh(&self) -> Result<LshParams> {
        match self.copy.bands {
            Some(b) => Ok(b),
            None => LshParams::optimal(self.thresholds.copy, self.copy.sketch.num_perm),
        }
    }

    /// The story lane's banding (weighted-MinHash index), tuned to `level`.
    pub fn story_lsh(&self, level: f64) -> Result<LshParams> {
        LshParams::optimal(level, self.copy.sketch.num_perm)
    }

    /// The recipe of the copy lane's signatures.
    pub fn copy_recipe(&self) -> SketchRecipe {
        SketchRecipe {
            text: TextVersion::CURRENT,
            input: SketchInput::Shingles(self.copy.shingle),
            scheme: self.copy.scheme,
            params: self.copy.sketch,
        }
    }

    /// The linkage in force: the configured one, or the preset's default.
    pub fn linkage(&self) -> Linkage {
        self.link.linkage.unwrap_or(match self.preset {
            Preset::Copy => Linkage::Single,
            Preset::Story => Linkage::Average,
        })
    }

    /// Rough bytes of the documents' features for `text_bytes` of article text (news articles
    /// of about 3,000 bytes and 6 bytes a word): what a run holds before any candidate or
    /// verified pair. Story terms (4 bytes a word, as 32-bit keys) are held until the
    /// collection statistics exist; the copy lane drops words once signed. Per document: the
    /// signatures (`num_perm` x 4 bytes a lane), the id, the duplicate-id map entry and the
    /// verified pairs of a duplicate-heavy corpus.
    pub fn estimate_feature_bytes(&self, text_bytes: u64) -> u64 {
        let words = text_bytes / 6;
        let docs = (text_bytes / 3000).max(1);
        let story = self.preset == Preset::Story;
        let per_word = if story { 4 } else { 0 };
        let lanes = if story { 2 } else { 1 };
        let per_doc = (self.copy.sketch.num_perm as u64) * 4 * lanes + 1200;
        words * per_word + docs * per_doc
    }

    /// Check the settings against the engine's invariants; the error names the setting (by
    /// its path in this struct), the value and what is allowed.
    pub fn validate(&self) -> Result<()> {
        let bad = |name: &'static str, value: String, allowed: &'static str| {
            Err(Error::InvalidSetting {
                name,
                value,
                allowed,
            })
        };
        for (name, t) in [
            ("thresholds.copy", self.thresholds.copy),
            ("thresholds.story", self.thresholds.story),
        ] {
            if !(0.0..=1.0).contains(&t) {
                return bad(name, t.to_string(), "a number in [0, 1]");
            }
        }
        let k = self.copy.sketch.num_perm;
        if k == 0 || k > MAX_NUM_PERM {
            return bad("copy.sketch.num_perm", k.to_string(), "1..=4096");
        }
        // A signature too short to tell the copy threshold from its neighbours joins pairs on
        // chance agreement (one permutation joins any two texts that share their minimum).
        let t = self.thresholds.copy;
        let se = (t * (1.0 - t) / k as f64).sqrt();
        if se > MAX_ESTIMATE_ERROR {
            return bad(
                "copy.sketch.num_perm",
                format!("{k} (its estimate's standard error at the copy threshold {t} is {se:.2})"),
                "a length whose standard error at the copy threshold is at most 0.1",
            );
        }
        if let Some(b) = self.copy.bands {
            b.check(k)?;
        }
        match self.copy.shingle {
            ShingleKind::Word(0) | ShingleKind::Char(0) => {
                return bad(
                    "copy.shingle",
                    self.copy.shingle.to_string(),
                    "a size of 1 or more",
                );
            }
            _ => {}
        }
        match self.story.index {
            StoryIndex::TopTerms(p) => {
                if p.top_terms == 0 {
                    return bad(
                        "story.index.top_terms",
                        p.top_terms.to_string(),
                        "1 or more",
                    );
                }
                if !(1..=255).contains(&p.min_shared) {
                    return bad(
                        "story.index.min_shared",
                        p.min_shared.to_string(),
                        "1..=255",
                    );
                }
            }
            StoryIndex::MinHash(p) => {
                if !(p.level > 0.0 && p.level < 1.0) {
                    return bad(
                        "story.index.level",
                        p.level.to_string(),
                        "a number in (0, 1)",
                    );
                }
            }
        }
        let f = self.link.factor;
        if !(f.is_finite() && f > 0.0 && f <= 1.0) {
            return bad("link.factor", f.to_string(), "a number in (0, 1]");
        }
        if let Some(c) = self.copy.contain {
            if !(c.threshold > 0.0 && c.threshold <= 1.0) {
                return bad(
                    "copy.contain.threshold",
                    c.threshold.to_string(),
                    "a number in (0, 1]",
                );
            }
            if c.lead_words < 8 {
                return bad(
                    "copy.contain.lead_words",
                    c.lead_words.to_string(),
                    "8 or more",
                );
            }
            if c.window == 0 || c.window > c.lead_words {
                return bad(
                    "copy.contain.window",
                    c.window.to_string(),
                    "1 to copy.contain.lead_words",
                );
            }
        }
        Ok(())
    }

    /// The config as JSON, with its version.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&Versioned {
            config_version: CONFIG_VERSION,
            config: self,
        })
        .expect("a config always serialises")
    }

    /// A config from [`EngineConfig::to_json`]'s form: another version is refused, and the
    /// settings are validated.
    pub fn from_json(json: &str) -> Result<Self> {
        #[derive(Deserialize)]
        struct Header {
            config_version: u32,
        }
        let header: Header =
            serde_json::from_str(json).map_err(|e| Error::InvalidConfig(e.to_string()))?;
        if header.config_version != CONFIG_VERSION {
            return Err(Error::IncompatibleFormat {
                what: "engine config",
                found: header.config_version,
                supported: CONFIG_VERSION,
            });
        }
        let v: Versioned<EngineConfig> =
            serde_json::from_str(json).map_err(|e| Error::InvalidConfig(e.to_string()))?;
        v.config.validate()?;
        Ok(v.config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_is_valid_and_round_trips_through_json() {
        for preset in [Preset::Story, Preset::Copy] {
            let mut cfg = EngineConfig::for_preset(preset);
            cfg.story.index = StoryIndex::MinHash(StoryMinHashParams::default());
            cfg.copy.shingle = ShingleKind::Char(4);
            cfg.validate().unwrap();
            let back = EngineConfig::from_json(&cfg.to_json()).unwrap();
            assert_eq!(back, cfg);
        }
    }

    #[test]
    fn the_story_preset_needs_more_memory_than_copy_and_both_grow_with_the_text() {
        let (story, copy) = (
            EngineConfig::default(),
            EngineConfig::for_preset(Preset::Copy),
        );
        let gb = 1_000_000_000;
        assert!(story.estimate_feature_bytes(gb) > copy.estimate_feature_bytes(gb));
        for cfg in [story, copy] {
            let (one, two) = (
                cfg.estimate_feature_bytes(gb),
                cfg.estimate_feature_bytes(2 * gb),
            );
            assert!(two > one && two <= 2 * one + 1000, "{one} {two}");
        }
    }

    #[test]
    fn another_config_version_is_refused() {
        let json = EngineConfig::default().to_json().replace(
            &format!("\"config_version\":{CONFIG_VERSION}"),
            "\"config_version\":99",
        );
        match EngineConfig::from_json(&json) {
            Err(Error::IncompatibleFormat { found: 99, .. }) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn out_of_range_settings_name_the_setting() {
        type Set = Box<dyn Fn(&mut EngineConfig)>;
        let cases: Vec<(&str, Set)> = vec![
            ("thresholds.story", Box::new(|c| c.thresholds.story = 1.5)),
            (
                "copy.sketch.num_perm",
                Box::new(|c| c.copy.sketch.num_perm = 0),
            ),
            // Regression: one permutation was accepted and joined a blurb to the interview.
            (
                "copy.sketch.num_perm",
                Box::new(|c| c.copy.sketch.num_perm = 1),
            ),
            (
                "copy.sketch.num_perm",
                Box::new(|c| c.copy.sketch.num_perm = 15),
            ),
            ("link.factor", Box::new(|c| c.link.factor = f64::NAN)),
            ("link.factor", Box::new(|c| c.link.factor = 5.0)),
            (
                "copy.shingle",
                Box::new(|c| c.copy.shingle = ShingleKind::Word(0)),
            ),
            (
                "story.index.min_shared",
                Box::new(|c| {
                    c.story.index = StoryIndex::TopTerms(TopTermsParams {
                        min_shared: 0,
                        ..Default::default()
                    })
                }),
            ),
        ];
        for (want, set) in cases {
            let mut cfg = EngineConfig::default();
            set(&mut cfg);
            match cfg.validate() {
                Err(Error::InvalidSetting { name, .. }) => assert_eq!(name, want),
                other => panic!("{want}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_stored_config_that_is_invalid_is_refused_on_reading() {
        let mut cfg = EngineConfig::default();
        cfg.thresholds.copy = 2.0;
        assert!(matches!(
            EngineConfig::from_json(&cfg.to_json()),
            Err(Error::InvalidSetting { .. })
        ));
    }
}
