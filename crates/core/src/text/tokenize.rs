//! Tokenising: normalised text goes in, words come out (UAX #29 word boundaries via
//! unicode-segmentation, so Vietnamese, French and CJK text segment correctly), each hashed
//! to a `u64` with xxh3. Apostrophes split words (`l'ambassadeur` -> `l`, `ambassadeur`), so
//! French and Italian elisions match the bare word.
//!
//! Invariant: the same normalised text always gives the same token hashes (seed fixed here,
//! independent of the sketch seed).

use unicode_segmentation::UnicodeSegmentation;
use xxhash_rust::xxh3::xxh3_64;

/// Version of the word segmentation and word hashes. Any change to which words a text has or
/// to the hash of a word bumps it: every stored hash depends on both.
pub const TOKENIZE_VERSION: u32 = 1;

/// Call `f` with each word of normalised text, in order.
///
/// Fast path: text made of ASCII and Latin letters (most European news text) is split by
/// `fast_word_spans`, which implements the UAX #29 rules that can apply to those
/// characters. Around any other character, the piece between ASCII whitespace (UAX #29 never
/// joins a word across it) goes through unicode-segmentation, and the fast path resumes after
/// it. Proptests check that this gives the same words as unicode-segmentation on the whole
/// text.
pub fn for_each_word<'a>(normalized: &'a str, mut f: impl FnMut(&'a str)) {
    word_spans(normalized, |s, e| f(&normalized[s..e]));
}

/// [`for_each_word`] as byte spans `f(start, end)` of `text` (a normalised text; map a span
/// back to the original with [`crate::text::normalize::OffsetMap`]).
#[inline(always)]
pub fn word_spans(text: &str, mut f: impl FnMut(usize, usize)) {
    let b = text.as_bytes();
    let mut done = 0;
    loop {
        let bad = next_non_latin(b, done);
        if bad == b.len() {
            break;
        }
        // The piece around it, between ASCII whitespace.
        let start = b[..bad]
            .iter()
            .rposition(u8::is_ascii_whitespace)
            .map_or(0, |p| p + 1)
            .max(done);
        let end = b[bad..]
            .iter()
            .position(u8::is_ascii_whitespace)
            .map_or(b.len(), |p| bad + p);
        fast_word_spans(&b[done..start], |s, e| f(done + s, done + e));
        let base = b.as_ptr() as usize;
        for w in text[start..end].unicode_words() {
            for part in w.split('\'') {
                if !part.is_empty() {
                    let s = part.as_ptr() as usize - base;
                    f(s, s + part.len());
                }
            }
        }
        done = end;
    }
    fast_word_spans(&b[done..], |s, e| f(done + s, done + e));
}

/// Latin letters outside ASCII that UAX #29 classes as ALetter, with no special rule of their
/// own: Latin-1 letters (not `×`, `÷`), Latin Extended-A and -B, and Latin Extended
/// Additional (Vietnamese). A test checks every one of them against unicode-segmentation.
#[cfg(test)]
fn is_latin_letter(c: char) -> bool {
    matches!(c, '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{24F}' | '\u{1E00}'..='\u{1EFF}')
}

/// Index of the first character from byte `i` on that is neither ASCII nor a Latin letter
/// (see `is_latin_letter`), `b.len()` when there is none. Byte-level, on the UTF-8 forms of
/// those ranges; `b` is valid UTF-8, so a lead byte is followed by its continuation bytes.
fn next_non_latin(b: &[u8], mut i: usize) -> usize {
    loop {
        i = next_non_ascii(b, i);
        if i >= b.len() {
            return b.len();
        }
        let next = b[i + 1];
        match b[i] {
            // U+00C0..=U+00FF, not U+00D7 `×` or U+00F7 `÷`.
            0xC3 if next != 0x97 && next != 0xB7 => i += 2,
            // U+0100..=U+023F.
            0xC4..=0xC8 => i += 2,
            // U+0240..=U+024F.
            0xC9 if next <= 0x8F => i += 2,
            // U+1E00..=U+1EFF.
            0xE1 if (0xB8..=0xBB).contains(&next) => i += 3,
            _ => return i,
        }
    }
}

/// Index of the first byte from `i` on that is not ASCII (`b.len()` when there is none),
/// eight bytes at a time.
#[inline]
pub(crate) fn next_non_ascii(b: &[u8], mut i: usize) -> usize {
    while i + 8 <= b.len() {
        let w = u64::from_le_bytes(b[i..i + 8].try_into().expect("eight bytes"));
        let high = w & 0x8080_8080_8080_8080;
        if high != 0 {
            return i + (high.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < b.len() && b[i] < 0x80 {
        i += 1;
    }
    i
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
    /// `.` (MidNumLet): joins letters or digits.
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
        // `'` is MidNumLet in UAX #29, but words are split at apostrophes afterwards anyway
        // (elisions), so the fast path never lets it join.
        b'.' => Class::MidNumLet,
        b',' | b';' => Class::MidNum,
        _ => Class::Other,
    }
}

/// Byte classes. Bytes from 0x80 up are `Letter`: the fast path sees non-ASCII bytes only
/// inside Latin letters (see [`next_non_latin`]), and a multi-byte letter is a run of
/// letter bytes, so it never needs decoding.
const CLASS: [Class; 256] = {
    let mut t = [Class::Letter; 256];
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

/// UAX #29 words of text whose characters are ASCII or Latin letters (WB5-WB13b restricted
/// to those classes; segments without a letter or digit are not words, as in
/// `unicode_words`), as byte spans `f(start, end)`.
///
/// Branch-light: 64 bytes at a time, a bit mask of word bytes is built from a table, the rare
/// punctuation that can join (`.` `:` `,` `;`) is checked against its neighbours and added,
/// and words are the runs of set bits, found with `trailing_zeros`. A per-byte loop would
/// mispredict a branch at the end of every word.
#[inline(always)]
fn fast_word_spans(text: &[u8], mut f: impl FnMut(usize, usize)) {
    let n = text.len();
    let mut emit = |s: usize, e: usize| {
        // A run of underscores alone is not a word.
        if text[s] != b'_' || text[s..e].iter().any(|&c| c != b'_') {
            f(s, e);
        }
    };
    let mut open: Option<usize> = None;
    let mut pos = 0;
    while pos < n {
        let len = (n - pos).min(64);
        let block = &text[pos..pos + len];
        let (mut m, mut mid) = (0u64, 0u64);
        let mut chunks = block.chunks_exact(8);
        for (j, c) in chunks.by_ref().enumerate() {
            let (w8, mid8) = swar_classes(u64::from_le_bytes(c.try_into().expect("8 bytes")));
            m |= w8 << (8 * j);
            mid |= mid8 << (8 * j);
        }
        let tail = chunks.remainder();
        let at = len - tail.len();
        for (k, &c) in tail.iter().enumerate() {
            let bits = BITS[c as usize];
            m |= ((bits & WORD_BIT) as u64) << (at + k);
            mid |= (((bits & MID_BIT) >> 1) as u64) << (at + k);
        }
        while mid != 0 {
            let k = mid.trailing_zeros() as usize;
            mid &= mid - 1;
            let i = pos + k;
            if i > 0
                && i + 1 < n
                && joins_across(
                    CLASS[text[i - 1] as usize],
                    CLASS[text[i] as usize],
                    CLASS[text[i + 1] as usize],
                )
            {
                m |= 1 << k;
            }
        }
        let mut k = 0u32;
        let len32 = len as u32;
        while k < len32 {
            match open {
                Some(s) => {
                    // Set bits from k continue the word; bits past the block are clear.
                    k += (!(m >> k)).trailing_zeros();
                    if k < len32 {
                        emit(s, pos + k as usize);
                        open = None;
                    }
                }
                None => {
                    let rest = m >> k;
                    if rest == 0 {
                        break;
                    }
                    k += rest.trailing_zeros();
                    open = Some(pos + k as usize);
                }
            }
        }
        pos += len;
    }
    if let Some(s) = open {
        emit(s, n);
    }
}

/// Word-byte and joining-punctuation masks (bit k for byte k) of eight bytes, SWAR: the same
/// classes as [`BITS`] (a test checks every byte value), without a table lookup per byte.
#[inline(always)]
fn swar_classes(w: u64) -> (u64, u64) {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    // 7-bit part of each byte; adding below cannot carry across bytes.
    let x = w & !HI;
    // High bit of each byte set where lo <= x <= hi.
    let in_range = |x: u64, lo: u64, hi: u64| (x + (0x80 - lo) * LO) & !(x + (0x7f - hi) * LO);
    let word = (w & HI)
        | in_range(x | (0x20 * LO), 0x61, 0x7a)
        | in_range(x, 0x30, 0x39)
        | in_range(x, 0x5f, 0x5f);
    let mid = !w & (in_range(x, 0x2e, 0x2e) | in_range(x, 0x3a, 0x3b) | in_range(x, 0x2c, 0x2c));
    // Gather the eight high bits into the low byte.
    let gather = |v: u64| (((v & HI) >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56;
    (gather(word), gather(mid))
}

/// Word and joining-punctuation bits per byte (see [`fast_word_spans`]).
const WORD_BIT: u8 = 1;
const MID_BIT: u8 = 2;
const BITS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = match CLASS[i] {
            Class::Letter | Class::Digit | Class::Underscore => WORD_BIT,
            Class::MidLetter | Class::MidNumLet | Class::MidNum => MID_BIT,
            Class::Other => 0,
        };
        i += 1;
    }
    t
};

// Word hashing. Words are short (news words average 5-6 bytes), and a general-purpose hash
// spends most of its time on length dispatch for them, so words up to 16 bytes take a
// wyhash-style path (two 64-bit loads, two 128-bit multiply-folds) and longer ones xxh3.
// The constants have every byte in 0xF8..=0xFF, which never occurs in UTF-8, so no loaded
// word can cancel them to zero.
const P0: u64 = 0xfaf9_fbfd_fefc_f8ff;
const P1: u64 = 0xfcfe_f9fb_fdf8_fffa;

#[inline]
fn mum(a: u64, b: u64) -> u64 {
    let r = (a as u128) * (b as u128);
    (r as u64) ^ ((r >> 64) as u64)
}

#[inline]
fn load8(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("eight bytes"))
}

/// Hash of `text[start..end]`, a word of at most 16 bytes. Equal to [`hash_bytes`] of the
/// same bytes; it may read up to eight bytes past `end` (masked off) when `text` has them,
/// which saves a copy.
#[inline(always)]
fn hash_short(text: &[u8], start: usize, end: usize) -> u64 {
    let (a, b) = load_short(text, start, end);
    mix_short(a, b, end - start)
}

/// [`hash_short`] of the word lowercased (ASCII letters only): the hash of the same word
/// after normalisation, for ASCII text that was not normalised.
#[inline(always)]
fn hash_short_folded(text: &[u8], start: usize, end: usize) -> u64 {
    let (a, b) = load_short(text, start, end);
    mix_short(ascii_lower8(a), ascii_lower8(b), end - start)
}

/// The two words [`hash_short`] mixes: the first and last eight bytes (overlapping) of a
/// word of 8 to 16 bytes, or a shorter word zero-padded.
#[inline(always)]
fn load_short(text: &[u8], start: usize, end: usize) -> (u64, u64) {
    let len = end - start;
    debug_assert!(len <= 16);
    if len > 0 && start + 8 <= text.len() && end >= 8 {
        // Both loads in bounds: no branch on the length (short and long words alternate
        // unpredictably, so such a branch mispredicts often). The second word is the last eight
        // bytes when the word has them, zero otherwise; the first is masked to the word when
        // it is shorter than eight. The same two words as the careful path below (tested).
        let long = len >= 8;
        let a = load8(text, start) & (u64::MAX >> (64 - 8 * len.min(8)));
        let b = load8(text, end - 8) & (long as u64).wrapping_neg();
        return (a, b);
    }
    if len >= 8 {
        // Overlapping loads: with the length known, they determine every byte.
        (load8(text, start), load8(text, end - 8))
    } else {
        let a = if start + 8 <= text.len() {
            load8(text, start)
        } else {
            let mut buf = [0u8; 8];
            buf[..len].copy_from_slice(&text[start..end]);
            u64::from_le_bytes(buf)
        };
        let mask = if len == 0 {
            0
        } else {
            u64::MAX >> (64 - 8 * len)
        };
        (a & mask, 0)
    }
}

#[inline(always)]
fn mix_short(a: u64, b: u64, len: usize) -> u64 {
    mum(P0 ^ len as u64, mum(a ^ P0, b ^ P1))
}

/// Eight bytes with `A`-`Z` lowercased, SWAR.
#[inline(always)]
fn ascii_lower8(w: u64) -> u64 {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let x = w & !HI;
    let upper = (x + (0x80 - 0x41) * LO) & !(x + (0x7f - 0x5a) * LO) & !w & HI;
    w | (upper >> 2)
}

/// Hash of a word longer than 16 bytes; out of line so that the short path inlines.
#[inline(never)]
fn hash_long(bytes: &[u8]) -> u64 {
    xxh3_64(bytes)
}

/// Hash of a byte string: the hash every word goes by (words, word prefixes).
#[inline]
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    if bytes.len() <= 16 {
        hash_short(bytes, 0, bytes.len())
    } else {
        hash_long(bytes)
    }
}

/// [`hash_bytes`] of `text[start..end]`, read in place: a word inside a longer text is hashed
/// by the branch-free loads of [`hash_short`], which a word passed alone (shorter than the
/// eight bytes they read) cannot take.
#[inline(always)]
pub(crate) fn hash_span(text: &[u8], start: usize, end: usize) -> u64 {
    if end - start <= 16 {
        hash_short(text, start, end)
    } else {
        hash_long(&text[start..end])
    }
}

/// Hash of one word.
#[inline]
pub fn hash_word(word: &str) -> u64 {
    hash_bytes(word.as_bytes())
}

/// Hash of the first `n` characters of a word (all of it when shorter): a language-free
/// stand-in for stemming that folds inflections and compound heads (`ambassadeurs` ->
/// `ambas`, `Botschafterin` -> `botsc`).
#[inline]
pub fn hash_word_prefix(word: &str, n: usize) -> u64 {
    hash_bytes(&word.as_bytes()[..prefix_len(word, n)])
}

/// Length in bytes of the first `n` characters of `word` (all of it when shorter).
#[inline]
pub(crate) fn prefix_len(word: &str, n: usize) -> usize {
    word.char_indices()
        .nth(n)
        .map_or(word.len(), |(end, _)| end)
}

/// Append the hashes of the words of `normalize(ascii)` to `out` for ASCII text, the same
/// values as [`hash_words_into`] on the normalised text, without normalising it: words are
/// lowercased as they are hashed (normalising ASCII is lowercasing). A proptest checks it.
pub fn hash_ascii_words_into(ascii: &str, out: &mut Vec<u64>) {
    debug_assert!(ascii.is_ascii());
    let b = ascii.as_bytes();
    fast_word_spans(b, |s, e| {
        out.push(if e - s <= 16 {
            hash_short_folded(b, s, e)
        } else {
            hash_long(&b[s..e].to_ascii_lowercase())
        })
    });
}

/// Append the hashes of the words of `normalized` to `out`.
pub fn hash_words_into(normalized: &str, out: &mut Vec<u64>) {
    let text = normalized.as_bytes();
    let hash = |s: usize, e: usize| {
        if e - s <= 16 {
            hash_short(text, s, e)
        } else {
            hash_long(&text[s..e])
        }
    };
    word_spans(normalized, |s, e| out.push(hash(s, e)));
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
        fn fast_path_matches_unicode_segmentation_across_blocks(
            s in "[a-b0-1_:.,;' \n\u{e9}]{0,300}"
        ) {
            prop_assert_eq!(words(&s).collect::<Vec<_>>(), reference(&s));
        }

        #[test]
        fn fast_path_matches_unicode_segmentation_on_latin(
            s in "[a-b0-1_:.,;' \n\u{e9}\u{df}\u{f8}\u{c0}\u{24f}\u{1ec7}\u{1e00}\u{d7}\u{f7}\u{b5}\u{301}]{0,24}"
        ) {
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
    fn every_latin_letter_segments_like_an_ascii_letter() {
        let all = ('\u{80}'..='\u{2000}').chain('\u{1E00}'..='\u{1EFF}');
        for c in all.filter(|&c| is_latin_letter(c)) {
            for (text, want) in [
                (format!("{c}"), vec![format!("{c}")]),
                (format!("a{c}1"), vec![format!("a{c}1")]),
                (format!("{c}.b:{c}"), vec![format!("{c}.b:{c}")]),
                (format!("{c},1"), vec![format!("{c}"), "1".into()]),
                (format!("1.{c}"), vec!["1".into(), format!("{c}")]),
                (format!("_{c}'x"), vec![format!("_{c}"), "x".into()]),
            ] {
                assert_eq!(words(&text).collect::<Vec<_>>(), want, "{c:?} in {text:?}");
                assert_eq!(reference(&text), want, "{c:?} in {text:?}");
            }
        }
    }

    #[test]
    fn byte_level_latin_check_matches_the_character_ranges() {
        for c in ('\u{80}'..='\u{3000}').filter(|c| !c.is_whitespace()) {
            let text = format!("a{c}b");
            assert_eq!(
                next_non_latin(text.as_bytes(), 0) == text.len(),
                is_latin_letter(c),
                "{c:?}"
            );
        }
        assert_eq!(next_non_latin(b"plain ascii", 0), 11);
        assert_eq!(next_non_latin("caf\u{e9} \u{20ac}5".as_bytes(), 0), 6);
    }

    #[test]
    fn next_non_ascii_finds_the_first_high_byte() {
        let s = "abcdefghijklmn\u{e9}opq\u{e8}";
        for start in 0..s.len() {
            let want = s.as_bytes()[start..]
                .iter()
                .position(|&b| b >= 0x80)
                .map_or(s.len(), |p| start + p);
            assert_eq!(next_non_ascii(s.as_bytes(), start), want);
        }
    }

    proptest! {
        #[test]
        fn in_place_word_hash_equals_hash_of_the_word(s in "[a-z\u{e9} .]{0,40}") {
            let mut fast = Vec::new();
            hash_words_into(&s, &mut fast);
            let slow: Vec<u64> = words(&s).map(hash_word).collect();
            prop_assert_eq!(fast, slow);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn ascii_words_hash_as_their_normalised_form(s in "[a-zA-Z0-9 .,:;'_-]{0,300}") {
            let mut fused = Vec::new();
            hash_ascii_words_into(&s, &mut fused);
            let mut two = Vec::new();
            hash_words_into(&normalize(&s), &mut two);
            prop_assert_eq!(fused, two);
        }
    }

    #[test]
    fn ascii_lower8_lowercases_only_capitals() {
        for c in 0..=255u8 {
            let want = if c.is_ascii_uppercase() { c + 32 } else { c };
            let got = ascii_lower8(u64::from(c) << 24).to_le_bytes()[3];
            assert_eq!(got, want, "{c:#x}");
        }
    }

    #[test]
    fn short_word_hashes_are_distinct() {
        // Every word of one to three characters over a-z0-9, plus runs of one letter up to
        // 40 long (both hash paths): no two distinct words share a hash.
        let alphabet: Vec<char> = ('a'..='z').chain('0'..='9').collect();
        let mut words = std::collections::HashSet::new();
        for &x in &alphabet {
            for &y in &alphabet {
                for &z in &alphabet {
                    words.insert(format!("{x}"));
                    words.insert(format!("{x}{y}"));
                    words.insert(format!("{x}{y}{z}"));
                }
            }
        }
        words.extend((1..=40).map(|n| "e".repeat(n)));
        let hashes: std::collections::HashSet<u64> = words.iter().map(|w| hash_word(w)).collect();
        assert_eq!(hashes.len(), words.len());
    }

    #[test]
    fn short_hash_in_place_equals_hash_of_the_copied_word_at_every_length_and_offset() {
        // The branch-free load (word inside a longer text) against the same bytes on their
        // own (at text end: the careful path), for every length up to 16.
        let text: Vec<u8> = (0..64usize).map(|i| b'a' + (i * 7 % 26) as u8).collect();
        for len in 0..=16 {
            for start in 0..=text.len() - len {
                let word = text[start..start + len].to_vec();
                assert_eq!(
                    hash_short(&text, start, start + len),
                    hash_short(&word, 0, len),
                    "length {len} at {start}"
                );
                assert_eq!(
                    hash_short_folded(&text, start, start + len),
                    hash_short_folded(&word, 0, len),
                    "length {len} at {start}"
                );
            }
        }
    }

    #[test]
    fn swar_classes_match_the_byte_table() {
        for c in 0..=255u8 {
            for k in 0..8 {
                let mut bytes = [b' '; 8];
                bytes[k] = c;
                let (w, mid) = swar_classes(u64::from_le_bytes(bytes));
                let bits = BITS[c as usize];
                assert_eq!(w, ((bits & WORD_BIT) as u64) << k, "byte {c:#x} at {k}");
                assert_eq!(
                    mid,
                    (((bits & MID_BIT) >> 1) as u64) << k,
                    "byte {c:#x} at {k}"
                );
            }
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
