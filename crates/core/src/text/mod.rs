//! Text handling before shingling: [`normalize`] (NFKC, case folding, typographic folding),
//! [`tokenize`] (words, hashed), and [`boilerplate`] (lines repeated across a collection).

pub mod boilerplate;
pub mod normalize;
pub mod tokenize;

/// The version of the text rules a hash depends on: normalisation and tokenisation (word
/// segmentation and word hashing). Stored with every sketch and index, so that hashes made under
/// other rules are refused rather than compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TextVersion {
    /// [`normalize::NORMALIZE_VERSION`] when the hashes were made.
    pub normalize: u32,
    /// [`tokenize::TOKENIZE_VERSION`] when the hashes were made.
    pub tokenize: u32,
}

impl TextVersion {
    /// The rules of this build.
    pub const CURRENT: TextVersion = TextVersion {
        normalize: normalize::NORMALIZE_VERSION,
        tokenize: tokenize::TOKENIZE_VERSION,
    };
}

impl Default for TextVersion {
    fn default() -> Self {
        TextVersion::CURRENT
    }
}
