//! Sketching: sets (or weighted sets) of `u64` hashes go in, fixed-length signatures of `u32`
//! come out, stored for a whole collection in one flat buffer ([`Signatures`]).
//! - [`minhash`]: classic MinHash (k hash functions); the fraction of equal positions
//!   estimates Jaccard. Kept as the oracle and for `--sketch classic`.
//! - [`oph`]: one-permutation hashing with optimal densification: the same estimate for about
//!   one hash per shingle; the copy lane's default.
//! - [`weighted`]: P-MinHash over weighted sets; equal positions estimate the probability
//!   Jaccard of the weight vectors (used by the story preset over IDF weights).
//!
//! Invariant: signatures made with the same [`SketchRecipe`] (text rules, input, scheme,
//! parameters) are comparable; different ones are not, and [`Signatures::ensure_comparable`]
//! turns that into an error naming both values. Where two signature sets meet
//! ([`Signatures::append`]) the check is made.

pub mod minhash;
pub mod oph;
pub mod weighted;

use crate::error::{Error, Result};
use crate::hashed::mix64;
use crate::shingle::ShingleKind;
use crate::text::TextVersion;
use serde::{Deserialize, Serialize};

/// Which sketching scheme made a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scheme {
    /// Classic MinHash over a shingle set.
    MinHash,
    /// One-permutation hashing with optimal densification over a shingle set.
    OnePermutation,
    /// P-MinHash over a weighted set.
    Weighted,
}

/// Parameters of a sketch; they travel with the signatures they made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SketchParams {
    /// Signature length (number of hash functions). By default, 128.
    pub num_perm: usize,
    /// Seed of the hash family. By default, 42.
    pub seed: u64,
}

impl Default for SketchParams {
    fn default() -> Self {
        SketchParams {
            num_perm: 128,
            seed: 42,
        }
    }
}

impl SketchParams {
    /// The per-position seeds of the hash family.
    pub fn position_seeds(&self) -> Vec<u64> {
        (0..self.num_perm as u64)
            .map(|i| mix64(self.seed ^ mix64(i.wrapping_add(0x9e37_79b9_7f4a_7c15))))
            .collect()
    }
}

/// What a sketch was computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SketchInput {
    /// A set of shingles of this kind (the copy lane). Under one-permutation hashing, word
    /// shingles are always signed by `oph::sign_words_into` and character shingles by
    /// `oph::sign_into`, so the kind names the signing function as well.
    Shingles(ShingleKind),
    /// A story vector: IDF-weighted terms (the story lane's weighted MinHash).
    StoryTerms,
}

/// Everything a signature's values depend on: the text rules, what was sketched, the scheme
/// and its parameters. Two signatures are comparable exactly when their recipes are equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SketchRecipe {
    /// The normalisation and tokenisation rules of the hashes.
    pub text: TextVersion,
    /// What was sketched.
    pub input: SketchInput,
    /// The scheme.
    pub scheme: Scheme,
    /// Its parameters.
    pub params: SketchParams,
}

impl SketchRecipe {
    /// Word 5-gram shingles under this build's text rules, with `scheme` and `params`.
    #[cfg(test)]
    pub(crate) fn test(scheme: Scheme, params: SketchParams) -> Self {
        SketchRecipe {
            text: TextVersion::CURRENT,
            input: SketchInput::Shingles(ShingleKind::Word(5)),
            scheme,
            params,
        }
    }

    /// Error unless `other` is the same recipe; the error names the first field that differs
    /// and both of its values.
    pub fn ensure_comparable(&self, other: &SketchRecipe) -> Result<()> {
        let differ = |what: &'static str, l: String, r: String| {
            Err(Error::ParamMismatch {
                what,
                left: l,
                right: r,
            })
        };
        if self.text != other.text {
            return differ(
                "text rules",
                format!("{:?}", self.text),
                format!("{:?}", other.text),
            );
        }
        if self.input != other.input {
            return differ(
                "sketch input",
                format!("{:?}", self.input),
                format!("{:?}", other.input),
            );
        }
        if self.scheme != other.scheme {
            return differ(
                "sketch scheme",
                format!("{:?}", self.scheme),
                format!("{:?}", other.scheme),
            );
        }
        if self.params.num_perm != other.params.num_perm {
            return differ(
                "num_perm",
                self.params.num_perm.to_string(),
                other.params.num_perm.to_string(),
            );
        }
        if self.params.seed != other.params.seed {
            return differ(
                "seed",
                self.params.seed.to_string(),
                other.params.seed.to_string(),
            );
        }
        Ok(())
    }
}

/// The signatures of a collection: one flat buffer, `num_perm` values per document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signatures {
    /// The recipe that made them (and that a signature added to them must share).
    pub recipe: SketchRecipe,
    /// Shorthand for `recipe.params`.
    pub params: SketchParams,
    values: Vec<u32>,
}

impl Signatures {
    /// An empty collection of signatures.
    pub fn new(recipe: SketchRecipe) -> Self {
        Signatures {
            recipe,
            params: recipe.params,
            values: Vec::new(),
        }
    }

    /// Signatures of `recipe` from their values, `num_perm` per document, one after another.
    pub fn from_values(recipe: SketchRecipe, values: Vec<u32>) -> Self {
        assert_eq!(
            values.len() % recipe.params.num_perm.max(1),
            0,
            "whole signatures"
        );
        Signatures {
            recipe,
            params: recipe.params,
            values,
        }
    }

    /// Append every signature of `other`, which must have been made with the same recipe.
    pub fn append(&mut self, other: &Signatures) -> Result<()> {
        self.recipe.ensure_comparable(&other.recipe)?;
        self.values.extend_from_slice(&other.values);
        Ok(())
    }

    /// Append one signature (must be `num_perm` long).
    pub fn push(&mut self, sig: &[u32]) {
        debug_assert_eq!(sig.len(), self.params.num_perm);
        self.values.extend_from_slice(sig);
    }

    /// Number of signatures.
    pub fn len(&self) -> usize {
        self.values.len() / self.params.num_perm.max(1)
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Signature of document `i`.
    pub fn get(&self, i: usize) -> &[u32] {
        let k = self.params.num_perm;
        &self.values[i * k..(i + 1) * k]
    }

    /// Error unless `other` was made with the same recipe.
    pub fn ensure_comparable(&self, other: &Signatures) -> Result<()> {
        self.recipe.ensure_comparable(&other.recipe)
    }

    /// Fraction of positions where signatures `i` and `j` agree: the estimate of Jaccard
    /// (classic) or probability Jaccard (weighted). Empty-set signatures never agree.
    pub fn similarity(&self, i: usize, j: usize) -> f64 {
        estimate(self.get(i), self.get(j))
    }

    /// Whether `similarity(i, j) >= t` could hold: false as soon as the positions left cannot
    /// bring the agreeing fraction up to `t`, so that a clearly dissimilar pair reads a few
    /// cache lines of the two signatures instead of all of them. Never false when the
    /// similarity is at least `t` (tested).
    pub fn may_reach(&self, i: usize, j: usize, t: f64) -> bool {
        let (a, b) = (self.get(i), self.get(j));
        let n = a.len();
        if n == 0 {
            return 0.0 >= t;
        }
        let mut eq = 0usize;
        for (c, (x, y)) in a.chunks(16).zip(b.chunks(16)).enumerate() {
            eq += agreeing(x, y);
            let left = n - ((c + 1) * 16).min(n);
            if ((eq + left) as f64 / n as f64) < t {
                return false;
            }
        }
        true
    }
}

/// Fraction of equal positions of two signatures, ignoring positions that hold the
/// empty-set marker.
pub fn estimate(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() {
        return 0.0;
    }
    agreeing(a, b) as f64 / a.len() as f64
}

/// Positions where two signatures hold the same value, not the empty-set marker.
fn agreeing(a: &[u32], b: &[u32]) -> usize {
    a.iter()
        .zip(b)
        .map(|(x, y)| ((x == y) & (*x != EMPTY)) as usize)
        .sum()
}

/// The value of every position of the signature of an empty set.
pub const EMPTY: u32 = u32::MAX;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        /// `may_reach` is false only for pairs whose similarity is below the threshold, and
        /// true for all others, at any signature length and agreement pattern.
        #[test]
        fn may_reach_never_rejects_a_pair_that_reaches(
            k in 1usize..200, agree in proptest::collection::vec(0u8..4, 200),
            t in 0.0f64..1.0,
        ) {
            let mut s = Signatures::new(SketchRecipe::test(Scheme::OnePermutation, SketchParams { num_perm: k, seed: 0 }));
            let a: Vec<u32> = (0..k as u32).collect();
            // 0: differ, 1-2: agree, 3: both empty (never agree).
            let b: Vec<u32> = (0..k)
                .map(|i| match agree[i] {
                    0 => 1000 + i as u32,
                    3 => EMPTY,
                    _ => i as u32,
                })
                .collect();
            let a: Vec<u32> = a.iter().zip(&b).map(|(&x, &y)| if y == EMPTY { EMPTY } else { x }).collect();
            s.push(&a);
            s.push(&b);
            let sim = s.similarity(0, 1);
            let may = s.may_reach(0, 1, t);
            prop_assert!(may || sim < t, "similarity {sim} threshold {t}");
            // And it rejects once the whole signature shows the pair below the threshold.
            if k <= 16 {
                prop_assert_eq!(may, sim >= t);
            }
        }
    }
}
