//! Normalisation: a `&str` goes in, a normalised `String` comes out. Unicode NFKC (skipped when
//! the NFKC quick check says the text is already normal, which is most news text), case folding,
//! and folding of typographic quotes and dashes to their ASCII forms.
//!
//! Invariant: normalisation is idempotent (`normalize(normalize(x)) == normalize(x)`), so
//! documents normalised at different times compare equal; a proptest checks it.

use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};
use unicode_segmentation::UnicodeSegmentation;

/// Version of the normalisation rules; stored with every sketch so that sketches made under
/// different rules are never compared.
pub const NORMALIZE_VERSION: u32 = 2;

/// Normalise `input` into `out` (cleared first), reusing its allocation.
///
/// ASCII runs are copied and lowercased in bulk; only the stretches around non-ASCII bytes
/// take the Unicode path. Cutting there is exact: every ASCII character is an NFKC starter
/// that never composes with what precedes it (no canonical composition has an ASCII second
/// element), so NFKC of a concatenation cut just before an ASCII character is the
/// concatenation of the NFKC of the parts (UAX #15, "stable code points"). A non-ASCII
/// stretch takes the one ASCII character before it along, because a combining mark composes
/// with it (`e` + U+0301 -> `é`). A proptest checks the result against the whole-text path.
pub fn normalize_into(input: &str, out: &mut String) {
    out.clear();
    out.reserve(input.len());
    for_each_piece(input, |piece, _, ascii| {
        if ascii {
            push_ascii_lower(piece, out)
        } else {
            normalize_unicode(piece, out)
        }
    });
}

/// Cut `input` into the pieces normalisation works in, in order: ASCII runs (`true`) and
/// non-ASCII stretches with the ASCII character before them (`false`), each with its byte
/// offset in `input` (see [`normalize_into`] for why cutting there is exact).
#[inline(always)]
fn for_each_piece<'a>(input: &'a str, mut f: impl FnMut(&'a str, usize, bool)) {
    let bytes = input.as_bytes();
    let mut done = 0; // input[..done] has been handed on
    let mut i = 0;
    while i < bytes.len() {
        // Next non-ASCII byte.
        let start = crate::text::tokenize::next_non_ascii(bytes, i);
        if start == bytes.len() {
            break;
        }
        // The ASCII character before the stretch goes with it (it may compose).
        let seg_start = if start > done { start - 1 } else { start };
        if seg_start > done {
            f(&input[done..seg_start], done, true);
        }
        let end = bytes[start..]
            .iter()
            .position(|b| b.is_ascii())
            .map_or(bytes.len(), |p| start + p);
        f(&input[seg_start..end], seg_start, false);
        done = end;
        i = end;
    }
    if done < bytes.len() {
        f(&input[done..], done, true);
    }
}

/// Append an ASCII string lowercased.
fn push_ascii_lower(ascii: &str, out: &mut String) {
    let from = out.len();
    out.push_str(ascii);
    out[from..].make_ascii_lowercase();
}

/// The Unicode path for a stretch of text: NFKC (skipped when the text is Latin-1 or the
/// quick check says it is normal already), then folding, appended to `out`.
fn normalize_unicode(input: &str, out: &mut String) {
    if input.chars().all(is_stable) {
        fold_chars(input.chars(), out);
    } else {
        nfkc_fold(input, out);
    }
}

/// Characters that are NFKC already, are starters, and never compose with a neighbour, so a
/// stretch made only of them (and ASCII) needs folding and nothing else: Latin-1 letters (and
/// `×` `÷`), the Latin-1 punctuation and signs without a compatibility decomposition, and the
/// common typographic punctuation and the euro sign. A test checks each against NFKC.
#[inline]
fn is_stable(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{7F}'
        | '\u{A1}'..='\u{A7}' | '\u{A9}' | '\u{AB}' | '\u{AC}' | '\u{AE}' | '\u{B0}' | '\u{B1}'
        | '\u{B6}' | '\u{B7}' | '\u{BB}' | '\u{BF}'
        | '\u{C0}'..='\u{FF}'
        | '\u{2010}' | '\u{2012}'..='\u{2016}' | '\u{2018}'..='\u{2023}' | '\u{2027}'
        | '\u{20AC}')
}

/// NFKC and folding by the book, appended to `out`.
fn nfkc_fold(input: &str, out: &mut String) {
    let from = out.len();
    if is_nfkc_quick(input.chars()) == IsNormalized::Yes {
        fold_chars(input.chars(), out);
    } else {
        fold_chars(input.nfkc(), out);
    }
    // Folding can produce sequences that are not NFKC (e.g. lowercasing a precomposed
    // capital with no lowercase precomposed form); renormalise in that rare case so the
    // function is idempotent.
    if is_nfkc_quick(out[from..].chars()) != IsNormalized::Yes {
        let again: String = out[from..].nfkc().collect();
        out.truncate(from);
        fold_chars(again.chars(), out);
    }
}

/// Normalise `input` into a new `String`.
pub fn normalize(input: &str) -> String {
    let mut out = String::new();
    normalize_into(input, &mut out);
    out
}

fn fold_chars(chars: impl Iterator<Item = char>, out: &mut String) {
    for c in chars {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        match c {
            // Typographic single quotes and primes: one apostrophe.
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{02BC}' => {
                out.push('\'')
            }
            // Typographic double quotes and guillemets.
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
            | '\u{00BB}' => out.push('"'),
            // Hyphens and dashes of every width, and the minus sign.
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' => {
                out.push('-')
            }
            // Full case folding differs from lowercasing in a few letters that matter for
            // matching words: German sharp s and Greek final sigma.
            '\u{00DF}' | '\u{1E9E}' => out.push_str("ss"),
            '\u{03C2}' => out.push('\u{03C3}'),
            // Turkish dotted capital I and dotless i: `İstanbul`, `Istanbul`, `ıstanbul` and
            // `istanbul` are one word (lowercasing `İ` gives `i` and a combining dot, which
            // is dropped after an `i` for the same reason).
            '\u{0130}' | '\u{0131}' => out.push('i'),
            '\u{0307}' if out.ends_with('i') => {}
            // Arabic, as Lucene's ArabicNormalizer: tatweel (a stretching stroke) and the
            // short-vowel marks (tashkeel) go, alef with madda or hamza is alef, alef maksura
            // is yeh, teh marbuta is heh. Spelling varies in all of these, the word does not.
            '\u{0640}' | '\u{064B}'..='\u{0652}' => {}
            '\u{0622}' | '\u{0623}' | '\u{0625}' => out.push('\u{0627}'),
            '\u{0649}' => out.push('\u{064A}'),
            '\u{0629}' => out.push('\u{0647}'),
            // Punctuation and signs without case.
            '\u{A0}'..='\u{BF}'
            | '\u{2016}'..='\u{2017}'
            | '\u{2020}'..='\u{2027}'
            | '\u{20AC}' => out.push(c),
            // Latin-1 lowercase letters (and `×`) are their own lowercase.
            '\u{D7}' | '\u{E0}'..='\u{FF}' => out.push(c),
            // Latin-1 capitals lowercase by one offset (not `×`).
            '\u{C0}'..='\u{DE}' if c != '\u{D7}' => {
                out.push(char::from_u32(c as u32 + 0x20).unwrap_or(c))
            }
            _ => out.extend(c.to_lowercase()),
        }
    }
}

/// Where each part of a normalised text came from in the original, so that a span found in
/// the normalised text (a word, a shared passage) can be shown in the text as it was given.
/// NFKC and folding change lengths (`ß` -> `ss`, ligatures, full-width forms), so normalised
/// offsets cannot be used on the original directly.
///
/// The map is made of the pieces [`normalize_into`] works in: ASCII runs, mapped byte for byte,
/// and non-ASCII stretches (with the ASCII character before them), mapped as a whole. A span
/// inside a stretch maps to the whole stretch: never less than the original text of the span.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OffsetMap {
    /// (start in the normalised text, start in the original, byte for byte?), by start.
    pieces: Vec<(usize, usize, bool)>,
    normalized_len: usize,
    original_len: usize,
}

impl OffsetMap {
    fn push(&mut self, norm: usize, orig: usize, linear: bool) {
        self.pieces.push((norm, orig, linear));
    }

    /// The piece holding normalised byte `at` (the last starting at or before it).
    fn piece(&self, at: usize) -> usize {
        self.pieces.partition_point(|p| p.0 <= at).saturating_sub(1)
    }

    /// The original bytes of the normalised span `start..end`: the smallest range of the
    /// original, cut at piece boundaries inside non-ASCII stretches, whose normalisation holds
    /// the span.
    pub fn original_span(&self, start: usize, end: usize) -> std::ops::Range<usize> {
        if self.pieces.is_empty() || start >= end {
            let at = if self.pieces.is_empty() {
                0
            } else {
                self.to_original_start(start)
            };
            return at..at;
        }
        self.to_original_start(start)..self.to_original_end(end)
    }

    fn to_original_start(&self, at: usize) -> usize {
        let (n, o, linear) = self.pieces[self.piece(at.min(self.normalized_len))];
        if linear {
            o + (at - n)
        } else {
            o
        }
    }

    fn to_original_end(&self, end: usize) -> usize {
        let k = self.piece(end - 1);
        let (n, o, linear) = self.pieces[k];
        if linear {
            o + (end - n)
        } else {
            self.pieces.get(k + 1).map_or(self.original_len, |p| p.1)
        }
    }
}

/// [`normalize`], with the map from the normalised text back to `input`'s byte offsets. The
/// text is the same as [`normalize`]'s (tested).
pub fn normalize_with_offsets(input: &str) -> (String, OffsetMap) {
    let mut out = String::with_capacity(input.len());
    let mut map = OffsetMap {
        original_len: input.len(),
        ..OffsetMap::default()
    };
    // The same pieces as `normalize_into`, so the text is the same.
    let mut parts = String::new();
    for_each_piece(input, |piece, at, ascii| {
        if ascii {
            map.push(out.len(), at, true);
            push_ascii_lower(piece, &mut out);
            return;
        }
        // A non-ASCII stretch can be a whole CJK paragraph: map it grapheme by grapheme when
        // normalising the graphemes one by one gives the same text (almost always: NFKC
        // composes within a grapheme), so that a word inside it maps to itself and not to
        // the stretch.
        let from = out.len();
        normalize_unicode(piece, &mut out);
        parts.clear();
        let mut cuts: Vec<(usize, usize)> = Vec::new();
        for (off, g) in piece.grapheme_indices(true) {
            cuts.push((from + parts.len(), at + off));
            normalize_unicode(g, &mut parts);
        }
        if parts == out[from..] {
            for (n, o) in cuts {
                map.push(n, o, false);
            }
        } else {
            map.push(from, at, false);
        }
    });
    map.normalized_len = out.len();
    (out, map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ascii_is_lowercased() {
        assert_eq!(
            normalize("Paris (VNA) - The UPGRADE"),
            "paris (vna) - the upgrade"
        );
    }

    #[test]
    fn vietnamese_diacritics_survive_and_fold_case() {
        assert_eq!(normalize("Đinh Toàn Thắng"), "đinh toàn thắng");
    }

    #[test]
    fn decomposed_vietnamese_equals_precomposed() {
        // "ắ" as a + combining breve + combining acute.
        let decomposed = "Tha\u{0306}\u{0301}ng";
        assert_eq!(normalize(decomposed), normalize("Thắng"));
    }

    #[test]
    fn french_typographic_apostrophe_folds() {
        assert_eq!(normalize("L’ambassadeur"), normalize("l'ambassadeur"));
    }

    #[test]
    fn dashes_and_quotes_fold() {
        assert_eq!(
            normalize("Vietnam–France “ties”"),
            "vietnam-france \"ties\""
        );
    }

    #[test]
    fn german_sharp_s_folds_to_ss() {
        assert_eq!(normalize("Straße"), normalize("STRASSE"));
    }

    #[test]
    fn fullwidth_and_ligatures_fold_by_nfkc() {
        assert_eq!(normalize("ＡＢＣ ﬁne"), "abc fine");
    }

    #[test]
    fn cjk_passes_through() {
        assert_eq!(normalize("越南和法国"), "越南和法国");
    }

    /// The whole-text path the chunked one must agree with.
    fn whole(input: &str) -> String {
        let mut out = String::new();
        nfkc_fold(input, &mut out);
        out
    }

    #[test]
    fn stable_characters_are_nfkc_starters_that_do_not_compose() {
        use unicode_normalization::char::canonical_combining_class;
        for c in ('\u{80}'..='\u{3000}').filter(|&c| is_stable(c)) {
            let alone = c.to_string();
            assert_eq!(is_nfkc_quick(alone.chars()), IsNormalized::Yes, "{c:?}");
            assert_eq!(canonical_combining_class(c), 0, "{c:?}");
            for ctx in [format!("a{c}b"), format!("{c}{c}"), format!("e{c}")] {
                assert_eq!(ctx.nfkc().collect::<String>(), ctx, "{c:?} in {ctx:?}");
            }
            // Folding leaves them as lowercasing does.
            assert_eq!(whole(&alone), normalize(&alone), "{c:?}");
        }
    }

    #[test]
    fn caseless_fold_arm_matches_lowercasing() {
        for c in ('\u{A0}'..='\u{BF}')
            .chain('\u{2016}'..='\u{2017}')
            .chain('\u{2020}'..='\u{2027}')
            .chain(['\u{D7}'])
            .chain('\u{E0}'..='\u{FF}')
            .filter(|&c| c != '\u{DF}')
        {
            assert_eq!(c.to_lowercase().collect::<String>(), c.to_string(), "{c:?}");
        }
        assert_eq!('\u{20AC}'.to_lowercase().to_string(), "\u{20AC}");
    }

    #[test]
    fn offsets_map_words_back_to_the_original_text() {
        let text = "Đại sứ THANG: «Straße» ﬁnal — Paris";
        let (norm, map) = normalize_with_offsets(text);
        assert_eq!(norm, normalize(text));
        let mut words = Vec::new();
        crate::text::tokenize::word_spans(&norm, |s, e| words.push(map.original_span(s, e)));
        let shown: Vec<&str> = words.iter().map(|r| &text[r.clone()]).collect();
        assert!(shown.contains(&"Paris"), "{shown:?}");
        assert!(shown.iter().any(|w| w.contains("Straße")), "{shown:?}");
        assert!(shown.iter().any(|w| w.contains("ﬁnal")), "{shown:?}");
    }

    #[test]
    fn turkish_dotted_and_dotless_i_fold_to_i() {
        for (a, b) in [
            ("İstanbul", "istanbul"),
            ("ISTANBUL", "ıstanbul"),
            ("DİYARBAKIR", "diyarbakir"),
            ("I\u{0307}zmir", "izmir"),
            ("i\u{0307}zmir", "izmir"),
            ("Kılıçdaroğlu", "kiliçdaroğlu"),
        ] {
            assert_eq!(normalize(a), normalize(b), "{a} / {b}");
        }
        assert_eq!(normalize("İstanbul"), "istanbul");
        // A combining dot elsewhere stays.
        assert_eq!(normalize("a\u{0307}"), "\u{0227}");
    }

    #[test]
    fn arabic_spelling_variants_fold() {
        for (a, b) in [
            // tashkeel
            ("كَتَبَ", "كتب"),
            ("مُحَمَّد", "محمد"),
            // tatweel
            ("العـــربية", "العربية"),
            // alef with hamza above, below, madda
            ("أحمد", "احمد"),
            ("إسلام", "اسلام"),
            ("آمن", "امن"),
            // alef maksura and yeh
            ("مستشفى", "مستشفي"),
            // teh marbuta and heh
            ("مدرسة", "مدرسه"),
            // hamza as a combining mark after alef composes first, then folds
            ("ا\u{0654}حمد", "احمد"),
        ] {
            assert_eq!(normalize(a), normalize(b), "{a} / {b}");
        }
        // Different words stay apart.
        assert_ne!(normalize("كتب"), normalize("كلب"));
    }

    #[test]
    fn a_word_inside_a_long_non_ascii_stretch_maps_to_itself() {
        let text = "Hội đàm 会谈在巴黎举行 Thắng";
        let (norm, map) = normalize_with_offsets(text);
        let mut shown = Vec::new();
        crate::text::tokenize::word_spans(&norm, |s, e| {
            shown.push(&text[map.original_span(s, e)]);
        });
        assert_eq!(
            shown,
            ["Hội", "đàm", "会", "谈", "在", "巴", "黎", "举", "行", "Thắng"]
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        /// The text is normalize's, and every word of it maps to a range of the original (on
        /// character boundaries, in order) whose normalisation holds the word.
        #[test]
        fn offset_map_spans_hold_their_words(
            s in "[a-zA-Z ßÉéü\u{0301}\u{FB01}\u{FF21}-\u{FF25}«»—’.,İ一二三]{0,60}"
        ) {
            let (norm, map) = normalize_with_offsets(&s);
            prop_assert_eq!(&norm, &normalize(&s));
            let mut last = 0;
            let mut spans = Vec::new();
            crate::text::tokenize::word_spans(&norm, |a, b| spans.push((a, b)));
            for (a, b) in spans {
                let r = map.original_span(a, b);
                prop_assert!(r.start <= r.end && r.end <= s.len());
                prop_assert!(s.is_char_boundary(r.start) && s.is_char_boundary(r.end));
                prop_assert!(r.start >= last, "spans in order");
                last = r.start;
                let back = normalize(&s[r.clone()]);
                prop_assert!(back.contains(&norm[a..b]), "{:?} -> {:?} -> {:?}", &norm[a..b], &s[r.clone()], back);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn chunked_equals_whole_text(
            s in "[a-cA-C .\n\u{a1}\u{a8}\u{b4}\u{bf}\u{2011}\u{2026}\u{2033}\u{20ac}\u{c0}\u{d7}\u{de}\u{f7}\u{ff}\u{aa}\u{b5}\u{e9}\u{c9}\u{301}\u{308}\u{327}\u{1100}\u{1161}\u{11a8}\u{ac00}\u{ff21}\u{fb01}\u{2460}\u{a0}\u{2019}\u{df}\u{130}\u{3a3}\u{345}\u{f900}]{0,24}"
        ) {
            prop_assert_eq!(normalize(&s), whole(&s));
        }

        #[test]
        fn chunked_equals_whole_text_any(s in "\\PC{0,40}") {
            prop_assert_eq!(normalize(&s), whole(&s));
        }

        #[test]
        fn normalisation_is_idempotent(s in "\\PC{0,40}") {
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once);
        }
    }
}
