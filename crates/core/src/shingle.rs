//! Shingling: word hashes (or normalised text) go in, a set of `u64` shingle hashes comes out.
//! Word n-grams combine the n word hashes with a mixing function; character n-grams hash the
//! UTF-8 bytes of n consecutive characters (whitespace runs collapsed to one space). No
//! `String` is allocated per shingle.
//!
//! Invariant: a text with fewer than n words still gets one shingle (all its words), so short
//! texts are comparable; an empty text gets none.

use crate::hashed::mix64;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// What a shingle is. Written as `word:N` or `char:N` (in configs and stored recipes too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum ShingleKind {
    /// n consecutive words.
    Word(usize),
    /// n consecutive characters of the normalised text.
    Char(usize),
}

impl Default for ShingleKind {
    fn default() -> Self {
        ShingleKind::Word(5)
    }
}

impl std::fmt::Display for ShingleKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShingleKind::Word(n) => write!(f, "word:{n}"),
            ShingleKind::Char(n) => write!(f, "char:{n}"),
        }
    }
}

impl From<ShingleKind> for String {
    fn from(k: ShingleKind) -> String {
        k.to_string()
    }
}

impl TryFrom<String> for ShingleKind {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl std::str::FromStr for ShingleKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (kind, n) = s
            .split_once(':')
            .ok_or_else(|| format!("expected KIND:N such as word:5 or char:5, got {s:?}"))?;
        let n: usize = n
            .parse()
            .map_err(|_| format!("shingle size must be a positive integer, got {n:?}"))?;
        if n == 0 || n > 64 {
            return Err(format!("shingle size must be 1..=64, got {n}"));
        }
        match kind {
            "word" => Ok(ShingleKind::Word(n)),
            "char" => Ok(ShingleKind::Char(n)),
            _ => Err(format!("shingle kind must be word or char, got {kind:?}")),
        }
    }
}

/// Word n-gram hashes of a word-hash sequence, appended to `out` (not deduplicated); see
/// [`WordShingles`].
pub fn word_shingles_into(words: &[u64], n: usize, out: &mut Vec<u64>) {
    out.extend(WordShingles::new(words, n));
}

/// The word n-gram hashes of a word-hash sequence, in order (not deduplicated), without
/// storing them.
///
/// Rolling: a window's raw hash is the XOR of its words rotated by their distance from the
/// window's end (a cyclic polynomial, as in Buzhash), updated in O(1) per word, then mixed
/// once. Word hashes are random 64-bit values, so distinct windows collide with probability
/// about 2^-64; a test checks the rolling value against the window computed from scratch.
#[derive(Debug, Clone)]
pub struct WordShingles<'a> {
    words: &'a [u64],
    n: usize,
    /// Index of the next word to roll in; `words.len() + 1` when done.
    next: usize,
    h: u64,
    salt: u64,
}

impl<'a> WordShingles<'a> {
    /// Shingles of `n` words (all of them when there are fewer; none for no words).
    pub fn new(words: &'a [u64], n: usize) -> Self {
        Self::with_key(words, n, 0)
    }

    /// The same windows, each mixed with `key` folded in before the mix: a keyed family of
    /// shingle hashes for one mix per shingle (see `oph::sign_words_into`).
    pub fn with_key(words: &'a [u64], n: usize, key: u64) -> Self {
        let n = n.min(words.len());
        let mut h = 0u64;
        for &w in &words[..n] {
            h = h.rotate_left(1) ^ w;
        }
        let done = words.is_empty() || n == 0;
        WordShingles {
            words,
            n,
            next: if done { words.len() + 1 } else { n },
            h,
            salt: (n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ key,
        }
    }
}

impl Iterator for WordShingles<'_> {
    type Item = u64;

    #[inline]
    fn next(&mut self) -> Option<u64> {
        let i = self.next;
        if i > self.words.len() {
            return None;
        }
        if i > self.n {
            // Roll word i - 1 in and word i - 1 - n out.
            let (w_in, w_out) = (self.words[i - 1], self.words[i - 1 - self.n]);
            self.h = self.h.rotate_left(1) ^ w_out.rotate_left(self.n as u32) ^ w_in;
        }
        self.next = i + 1;
        Some(mix64(self.h ^ self.salt))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = (self.words.len() + 1).saturating_sub(self.next);
        (left, Some(left))
    }
}

/// Character n-gram hashes of normalised text, appended to `out` (not deduplicated).
pub fn char_shingles_into(normalized: &str, n: usize, scratch: &mut String, out: &mut Vec<u64>) {
    scratch.clear();
    let mut last_space = true;
    for c in normalized.chars() {
        if c.is_whitespace() {
            if !last_space {
                scratch.push(' ');
            }
            last_space = true;
        } else {
            scratch.push(c);
            last_space = false;
        }
    }
    while scratch.ends_with(' ') {
        scratch.pop();
    }
    if scratch.is_empty() || n == 0 {
        return;
    }
    let bounds: Vec<usize> = scratch
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(scratch.len()))
        .collect();
    let chars = bounds.len() - 1;
    let n = n.min(chars);
    for i in 0..=(chars - n) {
        out.push(xxh3_64_with_seed(
            &scratch.as_bytes()[bounds[i]..bounds[i + n]],
            n as u64,
        ));
    }
}

/// Sort and deduplicate shingle hashes into a set.
pub fn into_set(mut shingles: Vec<u64>) -> Vec<u64> {
    shingles.sort_unstable();
    shingles.dedup();
    shingles
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_shingle_count_is_len_minus_n_plus_one() {
        let mut out = Vec::new();
        word_shingles_into(&[1, 2, 3, 4, 5, 6], 5, &mut out);
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn rolling_hash_equals_each_window_from_scratch() {
        let words: Vec<u64> = (0..40u64).map(|i| mix64(i % 7)).collect();
        for n in [1, 2, 5, 13, 40, 64] {
            let mut rolled = Vec::new();
            word_shingles_into(&words, n, &mut rolled);
            let m = n.min(words.len());
            let scratch: Vec<u64> = words
                .windows(m)
                .map(|w| {
                    let mut one = Vec::new();
                    word_shingles_into(w, m, &mut one);
                    one[0]
                })
                .collect();
            assert_eq!(rolled, scratch, "n = {n}");
        }
    }

    #[test]
    fn repeated_windows_hash_alike_and_others_do_not() {
        // Words repeat with period 7, so 5-word windows repeat with period 7 too.
        let words: Vec<u64> = (0..40u64).map(|i| mix64(i % 7)).collect();
        let mut out = Vec::new();
        word_shingles_into(&words, 5, &mut out);
        let mut set = out.clone();
        set.sort_unstable();
        set.dedup();
        assert_eq!(set.len(), 7);
        assert_eq!(out[0], out[7]);
    }

    #[test]
    fn short_text_gets_one_shingle() {
        let mut out = Vec::new();
        word_shingles_into(&[1, 2], 5, &mut out);
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn word_order_matters() {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        word_shingles_into(&[1, 2], 2, &mut a);
        word_shingles_into(&[2, 1], 2, &mut b);
        assert_ne!(a, b);
    }

    #[test]
    fn char_shingles_skip_whitespace_runs() {
        let (mut s, mut a, mut b) = (String::new(), Vec::new(), Vec::new());
        char_shingles_into("ab   cd", 3, &mut s, &mut a);
        char_shingles_into("ab cd", 3, &mut s, &mut b);
        assert_eq!(a, b);
        assert_eq!(a.len(), 3);
    }

    #[test]
    fn char_shingles_count_characters_not_bytes() {
        let (mut s, mut out) = (String::new(), Vec::new());
        char_shingles_into("越南和法国", 2, &mut s, &mut out);
        assert_eq!(out.len(), 4);
    }

    #[test]
    fn shingle_kind_parses() {
        assert_eq!("word:5".parse::<ShingleKind>(), Ok(ShingleKind::Word(5)));
        assert_eq!("char:3".parse::<ShingleKind>(), Ok(ShingleKind::Char(3)));
        assert!("word:0".parse::<ShingleKind>().is_err());
        assert!("line:3".parse::<ShingleKind>().is_err());
    }
}
