//! Tokenising: normalised text goes in, words come out (UAX #29 word boundaries via
//! unicode-segmentation, so Vietnamese, French and CJK text segment correctly), each hashed
//! to a `u64` with xxh3. Apostrophes split words (`l'ambassadeur` -> `l`, `ambassadeur`), so
//! French and Italian elisions match the bare word.
//!
//! Invariant: the same normalised text always gives the same token hashes (seed fixed here,
//! independent of the sketch seed).

use unicode_segmentation::UnicodeSegmentation;
use xxhash_rust::xxh3::xxh3_64;

/// Call `f` with each word of normalised text, in order.
///
/// Fast path: the text is cut at ASCII whitespace (UAX #29 never joins a word across it); a
/// piece that is all ASCII is split by `ascii_words`, a byte-class state machine that
/// implements the UAX #29 rules that can apply to ASCII; any other piece goes through
/// unicode-segmentation. A proptest checks that both paths give the same words as
/// unicode-segmentation on the whole text.
pub fn for_each_word<'a>(normalized: &'a str, mut f: impl FnMut(&'a str)) {
    let mut emit = |w: &'a str| {
        for part in w.split('\'') {
            if !part.is_empty() {
                f(part);
            }
        }
    };
    for piece in normalized.split(|c: char| c.is_ascii_whitespace()) {
        if piece.is_empty() {
            continue;
        }
        if piece.is_ascii() {
            ascii_words(piece, &mut emit);
        } else {
            piece.unicode_words().for_each(&mut emit);
        }
    }
}

/// The words of normalised text (see [`for_each_word`]).
pub fn words(normalized: &str) -> impl Iterator<Item = &str> {
    let mut out = Vec::new();
    for_each_word(normalized, |w| out.push(w));
    out.into_iter()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Letter,
    Digit,
    Underscore,
    /// `:` (MidLetter): joins letters only.
    MidLetter,
    /// `.` and `'` (MidNumLet, Single_Quote): join letters or digits.
    MidNumLet,
    /// `,` and `;` (MidNum): join digits only.
    MidNum,
    Other,
}

const fn class_of(b: u8) -> Class {
    match b {
        b'a'..=b'z' | b'A'..=b'Z' => Class::Letter,
        b'0'..=b'9' => Class::Digit,
        b'_' => Class::Underscore,
        b':' => Class::MidLetter,
        b'.' | b'\'' => Class::MidNumLet,
        b',' | b';' => Class::MidNum,
        _ => Class::Other,
    }
}

const CLASS: [Class; 128] = {
    let mut t = [Class::Other; 128];
    let mut i = 0;
    while i < 128 {
        t[i] = class_of(i as u8);
        i += 1;
    }
    t
};

fn joins_across(before: Class, mid: Class, after: Class) -> bool {
    match mid {
        Class::MidLetter => before == Class::Letter && after == Class::Letter,
        Class::MidNumLet => {
            (before == Class::Letter && after == Class::Letter)
                || (before == Class::Digit && after == Class::Digit)
        }
        Class::MidNum => before == Class::Digit && after == Class::Digit,
        _ => false,
    }
}

fn is_word_char(c: Class) -> bool {
    matches!(c, Class::Letter | Class::Digit | Class::Underscore)
}

/// UAX #29 words of an all-ASCII piece (WB5-WB13b restricted to ASCII; segments without a
/// letter or digit are not words, as in `unicode_words`).
fn ascii_words<'a>(piece: &'a str, f: &mut impl FnMut(&'a str)) {
    let b = piece.as_bytes();
    let n = b.len();
    let mut i = 0;
    while i < n {
        if !is_word_char(CLASS[b[i] as usize & 127]) {
            i += 1;
            continue;
        }
        let start = i;
        let mut alnum = CLASS[b[i] as usize & 127] != Class::Underscore;
        let mut last = CLASS[b[i] as usize & 127];
        i += 1;
        while i < n {
            let c = CLASS[b[i] as usize & 127];
            if is_word_char(c) {
                alnum |= c != Class::Underscore;
                last = c;
                i += 1;
            } else if i + 1 < n && joins_across(last, c, CLASS[b[i + 1] as usize & 127]) {
                last = CLASS[b[i + 1] as usize & 127];
                i += 2;
            } else {
                break;
            }
        }
        if alnum {
            f(&piece[start..i]);
        }
    }
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
    for_each_word(normalized, |w| out.push(hash_word(w)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize::normalize;
    use proptest::prelude::*;

    /// The oracle: unicode-segmentation on the whole text, then the apostrophe split.
    fn reference(text: &str) -> Vec<&str> {
        text.unicode_words()
            .flat_map(|w| w.split('\''))
            .filter(|w| !w.is_empty())
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn fast_path_matches_unicode_segmentation_on_ascii(s in "[a-c0-2_:.',; \t\n!-]{0,24}") {
            prop_assert_eq!(words(&s).collect::<Vec<_>>(), reference(&s));
        }

        #[test]
        fn fast_path_matches_unicode_segmentation_on_mixed(
            s in "[a-b0-1_:.', \n\u{e9}\u{301}\u{5d0}\u{30a2}\u{4e00}\u{200d}\u{ff0e}\u{a0}]{0,20}"
        ) {
            prop_assert_eq!(words(&s).collect::<Vec<_>>(), reference(&s));
        }
    }

    #[test]
    fn ascii_rules_keep_numbers_abbreviations_and_underscores_whole() {
        assert_eq!(
            words("u.s. 1,000.5 e.g a:b foo_bar __ 3:4 x.1").collect::<Vec<_>>(),
            ["u.s", "1,000.5", "e.g", "a:b", "foo_bar", "3", "4", "x", "1"]
        );
    }

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
