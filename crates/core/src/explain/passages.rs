//! Shared passages: the word runs two texts have in common after normalisation, aligned, joined
//! across small edits, and mapped back to byte ranges of the texts as they were given.
//!
//! How: every run of [`PassageParams::min_words`] words of `b` is indexed by its hash; `a` is
//! scanned word by word, and where its next `min_words` words occur in `b`, the run is extended
//! as far as the two texts agree (the longest of at most [`MAX_CANDIDATES`] places in `b`), and
//! the scan goes on after it. Runs that follow each other in both texts with at most
//! [`PassageParams::max_gap`] words between them on each side are one passage (an edited
//! word, a changed number, an inserted clause).
//!
//! Bounded: each position of `a` starts at most [`MAX_CANDIDATES`] extensions, and the scan
//! skips a run once found, so the work is linear in the two texts' words whatever they hold
//! (two near-identical 50 MB texts; one word repeated a million times). Memory: the two
//! normalised texts, their offset maps, 16 bytes per word of each text and 16 per word of `b`
//! for the index.

use crate::text::normalize::{normalize_with_offsets, OffsetMap};
use crate::text::tokenize::{hash_word, word_spans};
use std::ops::Range;

/// At most this many places in `b` are tried for each run start in `a` (a run that occurs
/// more often, such as a repeated word, is matched at the place that extends furthest among
/// its first occurrences).
pub const MAX_CANDIDATES: usize = 8;

/// What counts as a shared passage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PassageParams {
    /// The fewest words an exact run must have (after normalisation) to count.
    pub min_words: usize,
    /// The most words of either text that may stand between two runs of one passage.
    pub max_gap: usize,
}

impl Default for PassageParams {
    /// Runs of 3 words or more (a figure with its unit, "5.4 billion usd", is one), joined
    /// across up to 4 differing words on either side.
    fn default() -> Self {
        PassageParams {
            min_words: 3,
            max_gap: 4,
        }
    }
}

/// One exact run: the same normalised words at `a` and at `b` (byte ranges of the original
/// texts, on character boundaries).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// Its bytes in the first text.
    pub a: Range<usize>,
    /// Its bytes in the second text.
    pub b: Range<usize>,
    /// Its first word's position among the first text's words.
    pub a_word: usize,
    /// Its first word's position among the second text's words.
    pub b_word: usize,
    /// Its number of words.
    pub words: usize,
}

/// A shared passage: one or more exact runs in the same order in both texts, close together.
#[derive(Debug, Clone, PartialEq)]
pub struct Passage {
    /// Its bytes in the first text (from its first run's start to its last run's end).
    pub a: Range<usize>,
    /// Its bytes in the second text.
    pub b: Range<usize>,
    /// Its exact runs, in order.
    pub runs: Vec<Run>,
    /// Words matched (the runs' words).
    pub words: usize,
    /// Sum of the matched words' weights (see [`passages`]).
    pub weight: f64,
}

/// A text's words after normalisation, with the way back to the original.
pub struct Words {
    norm: String,
    map: OffsetMap,
    /// Each word's byte span in `norm`.
    spans: Vec<(u32, u32)>,
    /// Each word's hash.
    hashes: Vec<u64>,
}

impl Words {
    /// Normalise and split `text`.
    pub fn new(text: &str) -> Self {
        let (norm, map) = normalize_with_offsets(text);
        let mut spans = Vec::new();
        word_spans(&norm, |s, e| spans.push((s as u32, e as u32)));
        let hashes = spans
            .iter()
            .map(|&(s, e)| hash_word(&norm[s as usize..e as usize]))
            .collect();
        Words {
            norm,
            map,
            spans,
            hashes,
        }
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True when the text has no words.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Word `i`, normalised.
    pub fn word(&self, i: usize) -> &str {
        let (s, e) = self.spans[i];
        &self.norm[s as usize..e as usize]
    }

    /// The original bytes of words `first..first + n`.
    pub fn original(&self, first: usize, n: usize) -> Range<usize> {
        let s = self.spans[first].0 as usize;
        let e = self.spans[first + n - 1].1 as usize;
        self.map.original_span(s, e)
    }

    /// The hash of the `k` words from `i`.
    fn gram(&self, i: usize, k: usize) -> u64 {
        self.hashes[i..i + k]
            .iter()
            .fold(0x51_7c_c1_b7_27_22_0a_95, |h, &w| {
                crate::hashed::mix64(h ^ w)
            })
    }

    fn same(&self, i: usize, other: &Words, j: usize) -> bool {
        self.hashes[i] == other.hashes[j] && self.word(i) == other.word(j)
    }
}

/// The passages texts `a` and `b` share, in the order of `a`, each word weighed by `weight`
/// (its normalised form in; for example its IDF in the collection).
pub fn passages(
    a: &str,
    b: &str,
    params: PassageParams,
    weight: &dyn Fn(&str) -> f64,
) -> Vec<Passage> {
    let (wa, wb) = (Words::new(a), Words::new(b));
    passages_of(&wa, &wb, params, weight)
}

/// [`passages`] of texts already split (a document explained against many others is split
/// once).
pub fn passages_of(
    wa: &Words,
    wb: &Words,
    params: PassageParams,
    weight: &dyn Fn(&str) -> f64,
) -> Vec<Passage> {
    let runs = runs(wa, wb, params.min_words.max(1));
    let mut out: Vec<Passage> = Vec::new();
    for r in runs {
        let joins = out.last().is_some_and(|p| {
            let last = p.runs.last().expect("a passage has a run");
            let (a_end, b_end) = (last.a_word + last.words, last.b_word + last.words);
            r.a_word >= a_end
                && r.a_word - a_end <= params.max_gap
                && r.b_word >= b_end
                && r.b_word - b_end <= params.max_gap
        });
        let w: f64 = (r.a_word..r.a_word + r.words)
            .map(|i| weight(wa.word(i)))
            .sum();
        if joins {
            let p = out.last_mut().expect("checked");
            p.a.end = r.a.end;
            p.b.end = r.b.end;
            p.words += r.words;
            p.weight += w;
            p.runs.push(r);
        } else {
            out.push(Passage {
                a: r.a.clone(),
                b: r.b.clone(),
                words: r.words,
                weight: w,
                runs: vec![r],
            });
        }
    }
    out
}

/// The exact runs of at least `k` words, in the order of `a`, not overlapping in `a`.
fn runs(wa: &Words, wb: &Words, k: usize) -> Vec<Run> {
    if wa.len() < k || wb.len() < k {
        return Vec::new();
    }
    let mut index: Vec<(u64, u32)> = (0..=wb.len() - k)
        .map(|j| (wb.gram(j, k), j as u32))
        .collect();
    index.sort_unstable();
    let mut out = Vec::new();
    let mut i = 0;
    while i + k <= wa.len() {
        let g = wa.gram(i, k);
        let from = index.partition_point(|e| e.0 < g);
        let mut best: Option<(usize, usize)> = None; // (length, place in b)
        for &(h, j) in index[from..].iter().take(MAX_CANDIDATES) {
            if h != g {
                break;
            }
            let j = j as usize;
            let mut len = 0;
            while i + len < wa.len() && j + len < wb.len() && wa.same(i + len, wb, j + len) {
                len += 1;
            }
            if len >= k && best.is_none_or(|(l, _)| len > l) {
                best = Some((len, j));
            }
        }
        match best {
            Some((len, j)) => {
                out.push(Run {
                    a: wa.original(i, len),
                    b: wb.original(j, len),
                    a_word: i,
                    b_word: j,
                    words: len,
                });
                i += len;
            }
            None => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize::normalize;
    use crate::text::tokenize::words;
    use proptest::prelude::*;

    fn one(_: &str) -> f64 {
        1.0
    }

    fn norm_words(s: &str) -> Vec<String> {
        words(&normalize(s)).map(str::to_owned).collect()
    }

    #[test]
    fn finds_the_shared_figure_in_rewritten_sentences() {
        let a = "Bilateral trade in 2024 recorded an impressive 11% increase, reaching over 5.4 billion USD.";
        let b = "Trade between the two countries in 2024 recorded an impressive growth of 11%, reaching more than 5.4 billion USD.";
        let ps = passages(a, b, PassageParams::default(), &one);
        let shown: Vec<&str> = ps.iter().map(|p| &a[p.a.clone()]).collect();
        assert!(
            shown.iter().any(|s| s.contains("5.4 billion USD")),
            "{shown:?}"
        );
        assert!(
            shown
                .iter()
                .any(|s| s.contains("in 2024 recorded an impressive")),
            "{shown:?}"
        );
        for p in &ps {
            for r in &p.runs {
                assert_eq!(norm_words(&a[r.a.clone()]), norm_words(&b[r.b.clone()]));
            }
        }
    }

    #[test]
    fn runs_close_together_are_one_passage_across_an_edit() {
        let a = "the minister said on monday that the new bridge will open in march next year";
        let b = "the minister said on tuesday that the new bridge will open in march next year";
        let ps = passages(a, b, PassageParams::default(), &one);
        assert_eq!(ps.len(), 1, "{ps:?}");
        assert_eq!(ps[0].runs.len(), 2);
        assert_eq!(ps[0].words, 14);
        assert_eq!(&a[ps[0].a.clone()], a);
        let apart = PassageParams {
            max_gap: 0,
            ..PassageParams::default()
        };
        assert_eq!(passages(a, b, apart, &one).len(), 2);
    }

    #[test]
    fn short_common_runs_and_unrelated_texts_give_nothing() {
        let ps = passages(
            "the cat sat on the mat",
            "a dog ran in the park",
            PassageParams::default(),
            &one,
        );
        assert!(ps.is_empty(), "{ps:?}");
        assert!(passages("", "anything here at all", PassageParams::default(), &one).is_empty());
    }

    #[test]
    fn weights_are_summed_over_matched_words() {
        let w = |s: &str| if s == "paris" { 10.0 } else { 1.0 };
        let ps = passages(
            "talks in paris went well",
            "the talks in paris went on",
            PassageParams::default(),
            &w,
        );
        assert_eq!(ps.len(), 1);
        assert_eq!(ps[0].words, 4);
        assert_eq!(ps[0].weight, 13.0);
    }

    #[test]
    fn a_repeated_word_is_matched_once_in_linear_work() {
        let a = "word ".repeat(20_000);
        let b = "word ".repeat(30_000);
        let ps = passages(&a, &b, PassageParams::default(), &one);
        assert_eq!(ps.len(), 1);
        assert_eq!(ps[0].words, 20_000);
    }

    #[test]
    fn offsets_are_of_the_original_text_on_multibyte_input() {
        let a = "Đại sứ Đinh Toàn Thắng nói: «ﬁnal» ＡＢＣ 会谈在巴黎举行 🎉 kết thúc";
        let b = "Hôm nay, đại sứ đinh toàn thắng nói: «final» abc 会谈在巴黎举行 🎉 kết thúc.";
        let ps = passages(a, b, PassageParams::default(), &one);
        assert!(!ps.is_empty());
        for p in &ps {
            for r in &p.runs {
                assert_eq!(norm_words(&a[r.a.clone()]), norm_words(&b[r.b.clone()]));
            }
        }
        assert!(
            a[ps[0].a.clone()].starts_with("Đại sứ"),
            "{:?}",
            &a[ps[0].a.clone()]
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        /// Every span slices both texts on character boundaries, and the two spans of every
        /// exact run normalise to the same words (at least `min_words` of them).
        #[test]
        fn spans_slice_the_originals_and_runs_hold_the_same_words(
            common in "[a-cA-Cßéü\u{0301}\u{FB01}\u{FF21}-\u{FF23}一二三🎉 ]{0,40}",
            pa in "[a-dÉ\u{FF24}四 ]{0,12}",
            pb in "[a-dé\u{FF24}四 ]{0,12}",
            sa in "[a-c ]{0,12}",
            sb in "[b-d ]{0,12}",
        ) {
            let a = format!("{pa} {common} {sa}");
            let b = format!("{pb} {} {sb}", common.to_lowercase());
            let params = PassageParams::default();
            for p in passages(&a, &b, params, &one) {
                for (t, r) in [(&a, &p.a), (&b, &p.b)] {
                    prop_assert!(r.start <= r.end && r.end <= t.len());
                    prop_assert!(t.is_char_boundary(r.start) && t.is_char_boundary(r.end));
                }
                for r in &p.runs {
                    let (x, y) = (norm_words(&a[r.a.clone()]), norm_words(&b[r.b.clone()]));
                    prop_assert!(x.len() >= params.min_words, "{:?}", x);
                    prop_assert_eq!(&x, &y, "{:?} / {:?}", &a[r.a.clone()], &b[r.b.clone()]);
                    prop_assert_eq!(x.len(), r.words);
                }
            }
        }
    }
}
