//! Tokenising: normalised text goes in, words come out (UAX #29 word boundaries via
//! unicode-segmentation, so Vietnamese, French and CJK text segment correctly), each hashed
//! to a `u64` with xxh3. Apostrophes split words (`l'ambassadeur` -> `l`, `ambassadeur`), so
//! French and Italian elisions match the bare word.
//!
//! Invariant: the same normalised text always gives the same token hashes (seed fixed here,
//! independent of the sketch seed).

use unicode_segmentation::UnicodeSegmentation;
use xxhash_rust::xxh3::xxh3_64;

/// Iterate over the words of normalised text.
pub fn words(normalized: &str) -> impl Iterator<Item = &str> {
    normalized
        .unicode_words()
        .flat_map(|w| w.split('\''))
        .filter(|w| !w.is_empty())
}

/// Hash of one word.
#[inline]
pub fn hash_word(word: &str) -> u64 {
    xxh3_64(word.as_bytes())
}

/// Hash of the first `n` characters of a word (all of it when shorter): a language-free
/// stand-in for stemming that folds inflections and compound heads (`ambassadeurs` ->
/// `ambas`, `Botschafterin` -> `botsc`).
#[inline]
pub fn hash_word_prefix(word: &str, n: usize) -> u64 {
    match word.char_indices().nth(n) {
        Some((end, _)) => xxh3_64(&word.as_bytes()[..end]),
        None => xxh3_64(word.as_bytes()),
    }
}

/// Append the hashes of the words of `normalized` to `out`.
pub fn hash_words_into(normalized: &str, out: &mut Vec<u64>) {
    out.extend(words(normalized).map(hash_word));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize::normalize;

    fn toks(s: &str) -> Vec<String> {
        words(&normalize(s)).map(str::to_owned).collect()
    }

    #[test]
    fn punctuation_is_not_a_word() {
        assert_eq!(
            toks("Paris (VNA) - hello, world!"),
            ["paris", "vna", "hello", "world"]
        );
    }

    #[test]
    fn numbers_with_separators_stay_whole() {
        assert_eq!(
            toks("over 5.4 billion USD, 11%"),
            ["over", "5.4", "billion", "usd", "11"]
        );
    }

    #[test]
    fn french_elision_splits() {
        assert_eq!(
            toks("L’ambassadeur d'Italie"),
            ["l", "ambassadeur", "d", "italie"]
        );
    }

    #[test]
    fn vietnamese_words_are_syllables() {
        assert_eq!(
            toks("Đại sứ Đinh Toàn Thắng"),
            ["đại", "sứ", "đinh", "toàn", "thắng"]
        );
    }

    #[test]
    fn cjk_ideographs_segment() {
        let t = toks("越南和法国");
        assert!(t.len() >= 2, "{t:?}");
        assert_eq!(t.concat(), "越南和法国");
    }

    #[test]
    fn prefix_hash_folds_inflections_and_counts_characters() {
        assert_eq!(
            hash_word_prefix("ambassadeurs", 7),
            hash_word_prefix("ambassadeur", 7)
        );
        assert_ne!(
            hash_word_prefix("ambassadeur", 7),
            hash_word_prefix("ambulance", 7)
        );
        // Seven characters, not seven bytes: "thắng" is 5 characters and stays whole.
        assert_eq!(hash_word_prefix("thắng", 7), hash_word("thắng"));
        assert_eq!(hash_word_prefix("đạisứquán", 3), hash_word("đại"));
    }

    #[test]
    fn same_word_same_hash_across_case() {
        let a: Vec<u64> = words(&normalize("Macron")).map(hash_word).collect();
        let b: Vec<u64> = words(&normalize("MACRON")).map(hash_word).collect();
        assert_eq!(a, b);
    }
}
