//! Per-document features: one text and the [`EngineConfig`] go in, what the document
//! contributes before any collection statistics exist comes out (its content hash, its
//! copy-lane signature, and for the story lane its line hashes and story terms by line). A pure
//! function of the text and the configuration, computed in parallel, document by document.

use super::config::{EngineConfig, Verify};
use crate::error::{Error, Result};
use crate::score::Preset;
use crate::shingle::{char_shingles_into, word_shingles_into, ShingleKind};
use crate::sketch::SketchRecipe;
use crate::sketch::{minhash, oph, Scheme};
use crate::text::boilerplate::LinedTokens;
use crate::text::normalize::normalize_into;
use crate::text::tokenize::{hash_ascii_words_into, hash_words_into};
use serde::{Deserialize, Serialize};

/// Everything a document's features depend on besides its text: features made with equal
/// recipes can be pooled in one collection, others cannot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureRecipe {
    /// The copy-lane signature's recipe.
    pub copy: SketchRecipe,
    /// The story terms kept per line.
    pub story_terms: StoryTermsRecipe,
    /// Whether the shingle sets are kept (exact verification).
    pub keep_shingles: bool,
    /// The containment features' lead anchors: (words of the lead, winnowing window), when on.
    pub lead: Option<(usize, usize)>,
}

/// Which story terms a document keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoryTermsRecipe {
    /// None (the copy preset).
    Off,
    /// Whole words.
    Words,
    /// Word prefixes of at most this many characters.
    Prefixes(usize),
}

impl FeatureRecipe {
    /// The recipe `cfg` makes features with.
    pub fn of(cfg: &EngineConfig) -> Self {
        FeatureRecipe {
            copy: cfg.copy_recipe(),
            story_terms: match (cfg.preset, cfg.story.weights.prefix_chars) {
                (Preset::Copy, _) => StoryTermsRecipe::Off,
                (Preset::Story, None) => StoryTermsRecipe::Words,
                (Preset::Story, Some(n)) => StoryTermsRecipe::Prefixes(n),
            },
            keep_shingles: cfg.copy.verify == Verify::Exact,
            lead: cfg.copy.contain.map(|c| (c.lead_words, c.window)),
        }
    }

    /// Error unless `other` is the same recipe, naming what differs.
    pub fn ensure_comparable(&self, other: &FeatureRecipe) -> Result<()> {
        self.copy.ensure_comparable(&other.copy)?;
        if self.story_terms != other.story_terms {
            return Err(Error::ParamMismatch {
                what: "story terms",
                left: format!("{:?}", self.story_terms),
                right: format!("{:?}", other.story_terms),
            });
        }
        if self.lead != other.lead {
            return Err(Error::ParamMismatch {
                what: "lead anchors (containment: lead words, window)",
                left: format!("{:?}", self.lead),
                right: format!("{:?}", other.lead),
            });
        }
        if self.keep_shingles != other.keep_shingles {
            return Err(Error::ParamMismatch {
                what: "kept shingle sets (exact verification)",
                left: self.keep_shingles.to_string(),
                right: other.keep_shingles.to_string(),
            });
        }
        Ok(())
    }
}

/// What one document contributes before collection statistics exist.
#[derive(Debug, Clone)]
pub(crate) struct DocFeatures {
    /// Hash of the normalised text's words (`None` for a document without words).
    pub(crate) content: Option<u64>,
    /// Story lane only: hash of each line's words (for boilerplate detection).
    pub(crate) line_hashes: Vec<u64>,
    /// Story lane only: terms by line (word prefixes when `weights.prefix_chars` is set).
    /// The copy lane's word hashes are not kept: once signed, they are dropped.
    pub(crate) story_terms: StoryTerms,
    pub(crate) shingles: Option<Vec<u64>>,
    /// Its number of words (how full a version it is).
    pub(crate) words: u32,
}

/// A document's story terms by line, held from reading until the collection statistics exist
/// (the peak of a story run, when every document's terms are in memory at once). Each term is
/// the high 32 bits of its hash, the part the packed vectors compare anyway
/// ([`crate::weight::PackedVectors`]): 4 bytes a word instead of 8. In the story lane a term is
/// [`crate::weight::term_hash`]`(t)`.
#[derive(Debug, Clone, Default)]
pub(crate) struct StoryTerms {
    terms: Vec<u32>,
    line_ends: Vec<u32>,
}

impl StoryTerms {
    fn from_lined(l: &LinedTokens) -> Self {
        StoryTerms {
            terms: l
                .tokens
                .iter()
                .map(|&t| crate::weight::term_of(t))
                .collect(),
            line_ends: l.line_ends.clone(),
        }
    }

    /// Terms and line ends as stored (the caller checked that the ends cut the terms).
    pub(crate) fn from_parts(terms: Vec<u32>, line_ends: Vec<u32>) -> Self {
        StoryTerms { terms, line_ends }
    }

    /// Every term, all lines in order.
    pub(crate) fn terms(&self) -> &[u32] {
        &self.terms
    }

    /// End offset (exclusive) in [`StoryTerms::terms`] of each line.
    pub(crate) fn line_ends(&self) -> &[u32] {
        &self.line_ends
    }

    /// The lines, as slices of terms.
    pub(crate) fn lines(&self) -> impl Iterator<Item = &[u32]> + '_ {
        crate::text::boilerplate::lines_of(&self.terms, &self.line_ends)
    }
}

/// Per-thread buffers reused from one document to the next.
#[derive(Default)]
pub(crate) struct Scratch {
    norm: String,
    tokens: Vec<u64>,
    /// Story lane: the document's words and story terms by line.
    whole: LinedTokens,
    prefixed: LinedTokens,
    shingles: Vec<u64>,
    bins: Vec<u32>,
    pub(crate) sig: Vec<u32>,
    /// Containment: the copy signature's own-bin mask (empty under classic MinHash, whose
    /// every position is the document's own), the lead anchors, and their scratch.
    pub(crate) own: Vec<u64>,
    pub(crate) anchors: [u32; super::contain::ANCHORS],
    lead_hashes: Vec<u32>,
}

/// Features of a document computed from its text alone; its copy signature is left in
/// `scratch.sig`.
pub(crate) fn features(
    text: &str,
    cfg: &EngineConfig,
    seeds: &[u64],
    scratch: &mut Scratch,
) -> DocFeatures {
    let Scratch {
        norm,
        tokens,
        whole,
        prefixed,
        shingles: sh,
        bins,
        sig,
        own,
        anchors,
        lead_hashes,
    } = scratch;
    let story = cfg.preset == Preset::Story;
    // ASCII text in the copy lane is tokenised in place (normalising ASCII is lowercasing,
    // done as words are hashed); everything else works on the normalised text.
    let fused = !story && matches!(cfg.copy.shingle, ShingleKind::Word(_)) && text.is_ascii();
    if !fused {
        normalize_into(text, norm);
    }
    // The copy lane needs no lines: words of the whole text are the words of its lines, since
    // a line break is whitespace.
    let (lined, prefixed): (Option<&LinedTokens>, Option<&LinedTokens>) =
        match (story, cfg.story.weights.prefix_chars) {
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
    let exact = cfg.copy.verify == Verify::Exact;
    if let (ShingleKind::Word(n), Scheme::OnePermutation, false) =
        (cfg.copy.shingle, cfg.copy.scheme, exact)
    {
        // The common case: shingles go straight into the sketch, never stored.
        let (k, seed) = (cfg.copy.sketch.num_perm, cfg.copy.sketch.seed);
        oph::sign_words_into(words, n, k, seed, bins, sig);
    } else {
        copy_sketch(cfg, seeds, norm, words, sh, bins, sig);
    }
    if let Some(c) = &cfg.copy.contain {
        // `bins` still holds the copy sketch's own bins (before densification).
        own.clear();
        if cfg.copy.scheme == Scheme::OnePermutation {
            super::contain::push_own_bins(bins, super::contain::mask_words(bins.len()), own);
        }
        let n = match cfg.copy.shingle {
            ShingleKind::Word(n) => n,
            ShingleKind::Char(_) => 5,
        };
        super::contain::lead_anchors(words, n, c, lead_hashes, anchors);
    }
    let content = (!words.is_empty()).then(|| crate::hashed::content_hash(words));
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
        words: words.len() as u32,
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
    match cfg.copy.shingle {
        ShingleKind::Word(n) => word_shingles_into(words, n, sh),
        ShingleKind::Char(n) => char_shingles_into(norm, n, &mut String::new(), sh),
    }
    let exact = cfg.copy.verify == Verify::Exact;
    if exact || cfg.copy.scheme != Scheme::OnePermutation {
        // One-permutation hashing keeps bin minima, so duplicates cannot change it; the
        // other schemes and exact verification want a set.
        sh.sort_unstable();
        sh.dedup();
    }
    let (k, seed) = (cfg.copy.sketch.num_perm, cfg.copy.sketch.seed);
    match (cfg.copy.scheme, cfg.copy.shingle) {
        // Word shingles are signed as in the streamed path, so that a signature does not
        // depend on whether the set was also kept.
        (Scheme::OnePermutation, ShingleKind::Word(n)) => {
            oph::sign_words_into(words, n, k, seed, bins, sig)
        }
        (Scheme::OnePermutation, ShingleKind::Char(_)) => oph::sign_into(sh, k, seed, bins, sig),
        _ => minhash::sign_into(sh, seeds, sig),
    }
}
