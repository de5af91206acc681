//! Boilerplate: lines that a document shares with other documents of the collection and that
//! are therefore not evidence of what the document itself says.
//!
//! In: every document's words grouped by line ([`LinedTokens`]). Out: for each document, which
//! lines to keep ([`LineStats::keep_mask`]). Two rules, both language-free:
//! 1. A line that appears (after normalisation) in `min_docs` or more documents is template text:
//!    footers, cookie notices, bylines, "Related News", digest templates. Dropped everywhere.
//! 2. A document whose lines also appear in two or more *other* documents is a page that embeds
//!    other stories (a "See more" list of blurbs, a link list): the lines it shares are dropped
//!    from it, but kept in the documents they came from. Two documents sharing one paragraph
//!    (a quote, an agency paragraph) keep it: that is evidence of the same story.
//! 3. Two documents that share two or more lines held by nobody else, and are not versions of
//!    one text, share a block: one site's footer or contact box under two different stories
//!    (two police press releases from one department). The lines they share are dropped from
//!    both, except from a document all of whose lines are in the other: that one is a story
//!    the other page embeds (a single "See more" blurb), and it keeps its text. Without this
//!    rule, two unrelated stories from one site look alike by their shared footer, which
//!    matters where many pages come from one outlet (as in SemEval-2022's real pairs).
//!
//! Both rules set aside lines shared among *versions of one text* (an agency story republished
//! with edits, below the copy threshold): when every document holding a line is, by the
//! caller's `same_text` test, a version of the document at hand, the line is content, not
//! template (see [`LineStats::keep_mask_versions`]); otherwise three edited versions of one
//! wire story would lose every line they share.
//!
//! Invariant: the decision depends only on the set of documents, never on their order.

use xxhash_rust::xxh3::xxh3_64_with_seed;

/// A document's word hashes, grouped by line. Lines without words are not stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinedTokens {
    /// Every word hash of the document, in order.
    pub tokens: Vec<u64>,
    /// End offset (exclusive) in `tokens` of each line.
    pub line_ends: Vec<u32>,
}

impl LinedTokens {
    /// Split normalised text into lines and hash their words.
    pub fn from_normalized(normalized: &str) -> Self {
        Self::from_normalized_with(normalized, crate::text::tokenize::hash_word)
    }

    /// Like [`LinedTokens::from_normalized`], hashing each word with `hash`.
    pub fn from_normalized_with(normalized: &str, hash: impl Fn(&str) -> u64) -> Self {
        let mut out = LinedTokens::default();
        for line in normalized.split('\n') {
            let before = out.tokens.len();
            crate::text::tokenize::for_each_word(line, |w| out.tokens.push(hash(w)));
            if out.tokens.len() > before {
                out.line_ends.push(out.tokens.len() as u32);
            }
        }
        out
    }

    /// Two views of the same text in one tokenising pass: whole-word hashes, and story terms:
    /// each word's first `prefix_chars` characters, except in scripts written without spaces
    /// (Han, kana, Thai, Lao, Khmer, Myanmar), where a "word" is one ideograph or a whole
    /// phrase, and the terms are character bigrams instead (as CJK retrieval systems index).
    pub fn from_normalized_with_prefixes(normalized: &str, prefix_chars: usize) -> (Self, Self) {
        let (mut whole, mut prefixes) = (LinedTokens::default(), LinedTokens::default());
        Self::fill_with_prefixes(normalized, prefix_chars, &mut whole, &mut prefixes);
        (whole, prefixes)
    }

    /// [`LinedTokens::from_normalized_with_prefixes`] into buffers a caller reuses from one
    /// document to the next (they are cleared first).
    pub fn fill_with_prefixes(
        normalized: &str,
        prefix_chars: usize,
        whole: &mut LinedTokens,
        prefixes: &mut LinedTokens,
    ) {
        for t in [&mut *whole, &mut *prefixes] {
            t.tokens.clear();
            t.line_ends.clear();
        }
        let text = normalized.as_bytes();
        let mut line_start = 0;
        for line in normalized.split('\n') {
            let off = line_start;
            line_start += line.len() + 1;
            let before = whole.tokens.len();
            // Last character of the previous word when it was in a script written without
            // spaces, so that character bigrams run across ideographs segmented one by one.
            let mut prev: Option<char> = None;
            // Words are hashed where they lie in the text (`hash_span`): the same values as
            // hashing each word alone, with the branch-free short-word loads.
            crate::text::tokenize::word_spans(line, |s, e| {
                let (s, e) = (off + s, off + e);
                let w = &normalized[s..e];
                let h = crate::text::tokenize::hash_span(text, s, e);
                whole.tokens.push(h);
                // Unspaced scripts are never ASCII; checked on the first byte first.
                if text[s] >= 0x80 && w.chars().next().is_some_and(is_unspaced_script) {
                    let mut last = prev;
                    for c in w.chars() {
                        if let Some(p) = last {
                            prefixes.tokens.push(char_bigram_hash(p, c));
                        }
                        last = Some(c);
                    }
                    prev = last;
                } else {
                    prev = None;
                    // A word of at most `prefix_chars` bytes is its own prefix: same hash.
                    prefixes.tokens.push(if w.len() <= prefix_chars {
                        h
                    } else {
                        match w.char_indices().nth(prefix_chars) {
                            Some((end, _)) => crate::text::tokenize::hash_span(text, s, s + end),
                            None => h,
                        }
                    });
                }
            });
            if whole.tokens.len() > before {
                whole.line_ends.push(whole.tokens.len() as u32);
                prefixes.line_ends.push(prefixes.tokens.len() as u32);
            }
        }
    }

    /// The lines, as slices of word hashes.
    pub fn lines(&self) -> impl Iterator<Item = &[u64]> + '_ {
        lines_of(&self.tokens, &self.line_ends)
    }

    /// Hash of each line's word sequence (so "Related  News" and "related news" are one line).
    pub fn line_hashes(&self) -> Vec<u64> {
        self.lines().map(line_hash).collect()
    }
}

/// `items` cut into lines at `ends` (exclusive end offsets, ascending).
pub(crate) fn lines_of<'a, T>(items: &'a [T], ends: &'a [u32]) -> impl Iterator<Item = &'a [T]> {
    let mut start = 0usize;
    ends.iter().map(move |&end| {
        let s = &items[start..end as usize];
        start = end as usize;
        s
    })
}

/// Scripts whose text has no spaces between words.
fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF      // Thai, Lao
        | 0x1000..=0x109F    // Myanmar
        | 0x1780..=0x17FF    // Khmer
        | 0x3040..=0x30FF    // Hiragana, Katakana
        | 0x3400..=0x4DBF    // Han extension A
        | 0x4E00..=0x9FFF    // Han
        | 0xF900..=0xFAFF    // Han compatibility
        | 0x20000..=0x2FFFF  // Han extensions B-F
    )
}

fn char_bigram_hash(a: char, b: char) -> u64 {
    let mut buf = [0u8; 8];
    let n = a.encode_utf8(&mut buf).len();
    let m = b.encode_utf8(&mut buf[n..]).len();
    xxh3_64_with_seed(&buf[..n + m], 0x6269_6772)
}

fn line_hash(words: &[u64]) -> u64 {
    let mut bytes = Vec::with_capacity(words.len() * 8);
    for w in words {
        bytes.extend_from_slice(&w.to_le_bytes());
    }
    xxh3_64_with_seed(&bytes, 0x6c69_6e65)
}

/// Settings for boilerplate detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BoilerplateParams {
    /// A line in at least this many documents is template text. By default, 3. 0 disables
    /// both rules.
    pub min_docs: u32,
}

impl Default for BoilerplateParams {
    fn default() -> Self {
        BoilerplateParams { min_docs: 3 }
    }
}

/// Documents remembered per line, to tell versions of one text from unrelated pages.
pub const REMEMBERED: usize = 6;

/// An empty slot of [`Seen::some`].
pub const NOBODY: u32 = u32::MAX;

/// What the rules know of one line: how many documents hold it, and the first of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    /// Documents holding the line.
    pub docs: u32,
    /// The earliest documents holding the line that are known, in order, at most
    /// `REMEMBERED` (the rest [`NOBODY`]). Documents are added in order, so these are the first
    /// `min(docs, REMEMBERED)` holders, unless a remembered holder was removed while more
    /// documents held the line: then the line is *incomplete* ([`Seen::complete`]).
    pub some: [u32; REMEMBERED],
}

impl Seen {
    fn known(&self) -> usize {
        self.some.iter().take_while(|&&d| d != NOBODY).count()
    }

    /// Whether every holder the rules may ask for is known: all of them when at most
    /// `REMEMBERED` documents hold the line.
    pub fn complete(&self) -> bool {
        self.known() == (self.docs as usize).min(REMEMBERED)
    }
}

/// How many documents each line appears in, over a collection that documents can be added to
/// (in order) and removed from.
///
/// Removal policy: a line whose remembered holders were removed while more documents held it
/// is incomplete until the statistics are rebuilt; an incomplete line is never discounted as
/// shared only by versions of one text, nor taken for a block shared with one other page, so
/// it is kept unless enough documents hold it to make it template text.
#[derive(Debug, Default)]
pub struct LineStats {
    seen: crate::hashed::HashedMap<Seen>,
    epoch: u64,
}

impl LineStats {
    /// Count lines over the collection: `docs[i]` holds document `i`'s line hashes.
    pub fn build<D: AsRef<[u64]>>(docs: &[D]) -> Self {
        let mut stats = LineStats::default();
        let mut uniq = Vec::new();
        for (i, lines) in docs.iter().enumerate() {
            stats.add_with(i as u32, lines.as_ref(), &mut uniq);
        }
        stats
    }

    /// Count document `doc`'s lines; `doc` is later than every document counted so far.
    pub fn add(&mut self, doc: u32, lines: &[u64]) {
        self.add_with(doc, lines, &mut Vec::new());
    }

    fn add_with(&mut self, doc: u32, lines: &[u64], uniq: &mut Vec<u64>) {
        uniq.clear();
        uniq.extend_from_slice(lines);
        uniq.sort_unstable();
        uniq.dedup();
        for &h in uniq.iter() {
            let e = self.seen.entry(h).or_insert(Seen {
                docs: 0,
                some: [NOBODY; REMEMBERED],
            });
            let known = e.known();
            if known < REMEMBERED {
                e.some[known] = doc;
            }
            e.docs += 1;
        }
        self.epoch += 1;
    }

    /// Take document `doc`'s lines out again (the lines it was added with).
    pub fn remove(&mut self, doc: u32, lines: &[u64]) {
        let mut uniq = lines.to_vec();
        uniq.sort_unstable();
        uniq.dedup();
        for h in uniq {
            let Some(e) = self.seen.get_mut(&h) else {
                continue;
            };
            e.docs -= 1;
            if e.docs == 0 {
                self.seen.remove(&h);
                continue;
            }
            if let Some(at) = e.some.iter().position(|&d| d == doc) {
                e.some.copy_within(at + 1.., at);
                e.some[REMEMBERED - 1] = NOBODY;
            }
        }
        self.epoch += 1;
    }

    /// Which state of the counts this is: it changes with every add and remove.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Number of documents holding the line.
    pub fn doc_count(&self, line: u64) -> u32 {
        self.seen.get(&line).map_or(0, |s| s.docs)
    }

    /// Which of document `doc`'s lines to keep (see the module doc for the rules).
    pub fn keep_mask(&self, doc: u32, lines: &[u64], params: BoilerplateParams) -> Vec<bool> {
        self.keep_mask_versions(doc, lines, params, |_, _| false)
    }

    /// [`LineStats::keep_mask`], where a line held only by `doc` and documents `o` with
    /// `same_text(doc, o)` (all of them remembered, so at most six) counts as held by `doc`
    /// alone.
    pub fn keep_mask_versions(
        &self,
        doc: u32,
        lines: &[u64],
        params: BoilerplateParams,
        same_text: impl Fn(u32, u32) -> bool,
    ) -> Vec<bool> {
        keep_mask_with(
            doc,
            lines,
            params,
            |h| self.seen.get(&h).copied(),
            same_text,
        )
    }
}

/// [`LineStats::keep_mask_versions`] over any record of the lines: `seen(line)` says what is
/// known of a line (`None`: no document holds it), so that a store that keeps its lines
/// elsewhere (an archive index's postings) applies the same rules.
pub fn keep_mask_with(
    doc: u32,
    lines: &[u64],
    params: BoilerplateParams,
    seen: impl Fn(u64) -> Option<Seen>,
    same_text: impl Fn(u32, u32) -> bool,
) -> Vec<bool> {
    if params.min_docs == 0 {
        return vec![true; lines.len()];
    }
    // Effective document count of each line, and its seen record. The lines of one
    // document meet the same few other documents again and again: `same_text` is asked
    // once per other document.
    let mut memo: Vec<(u32, bool)> = Vec::new();
    let mut version = |o: u32| match memo.iter().find(|m| m.0 == o) {
        Some(&(_, v)) => v,
        None => {
            let v = same_text(doc, o);
            memo.push((o, v));
            v
        }
    };
    let counted: Vec<(u32, Option<Seen>)> = lines
        .iter()
        .map(|&h| match seen(h) {
            None => (0, None),
            Some(s) => {
                let all_known = s.docs as usize <= REMEMBERED && s.complete();
                let versions = s.some[..(s.docs as usize).min(REMEMBERED)]
                    .iter()
                    .all(|&o| o == doc || version(o));
                if s.docs >= 2 && all_known && versions {
                    (1, Some(s))
                } else {
                    (s.docs, Some(s))
                }
            }
        })
        .collect();
    // The other holder of each distinct line shared with exactly one other document.
    let other_of = |s: &Seen| {
        if s.some[0] == doc {
            s.some[1]
        } else {
            s.some[0]
        }
    };
    let mut shared: Vec<(u32, u64)> = lines
        .iter()
        .zip(&counted)
        .filter_map(|(&h, &(n, s))| match s {
            Some(s) if n >= 2 && n < params.min_docs && s.complete() => Some((other_of(&s), h)),
            _ => None,
        })
        .collect();
    shared.sort_unstable();
    shared.dedup();
    // Lines shared with each such document.
    let mut embeds: Vec<(u32, u32)> = Vec::new();
    for &(o, _) in &shared {
        match embeds.last_mut() {
            Some(e) if e.0 == o => e.1 += 1,
            _ => embeds.push((o, 1)),
        }
    }
    let embeds_others = embeds.len() >= 2;
    // Rule 3: a block of two or more lines shared with one other document is a footer,
    // unless every line of this document is in the other one: then this document is the
    // story a page embeds (a "See more" blurb), and it keeps its text. The document's
    // distinct lines are counted only when there is a block.
    let own_lines = if embeds.iter().any(|&(_, c)| c >= 2) {
        let mut own = lines.to_vec();
        own.sort_unstable();
        own.dedup();
        own.len()
    } else {
        0
    };
    let footer_with = |o: u32| {
        embeds
            .iter()
            .any(|&(x, c)| x == o && c >= 2 && (c as usize) < own_lines)
    };
    counted
        .iter()
        .map(|&(n, s)| {
            let block = n >= 2 && s.is_some_and(|s| s.complete() && footer_with(other_of(&s)));
            !(n >= params.min_docs || (n >= 2 && (embeds_others || block)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Vec<u64> {
        LinedTokens::from_normalized(&crate::text::normalize::normalize(text)).line_hashes()
    }

    #[test]
    fn line_in_three_documents_is_boilerplate() {
        let docs = vec![
            doc("a story\nfooter text"),
            doc("b story\nfooter text"),
            doc("c story\nFooter  text!"),
        ];
        let stats = LineStats::build(&docs);
        assert_eq!(
            stats.keep_mask(0, &docs[0], BoilerplateParams::default()),
            [true, false]
        );
        assert_eq!(
            stats.keep_mask(2, &docs[2], BoilerplateParams::default()),
            [true, false]
        );
    }

    #[test]
    fn lines_shared_by_versions_of_one_text_are_kept_and_footers_are_not() {
        let docs = vec![
            doc("first version lede\nshared paragraph one\nshared paragraph two\nsite footer"),
            doc("second version lede\nshared paragraph one\nshared paragraph two\nsite footer"),
            doc("third version lede\nshared paragraph one\nshared paragraph two"),
            doc("an unrelated story\nsite footer"),
        ];
        let stats = LineStats::build(&docs);
        let versions = |a: u32, b: u32| a < 3 && b < 3;
        let p = BoilerplateParams::default();
        assert_eq!(
            stats.keep_mask_versions(0, &docs[0], p, versions),
            [true, true, true, false]
        );
        assert_eq!(
            stats.keep_mask_versions(2, &docs[2], p, versions),
            [true, true, true]
        );
        // Without the versions test, the shared paragraphs look like template text.
        assert_eq!(stats.keep_mask(0, &docs[0], p), [true, false, false, false]);
    }

    #[test]
    fn block_of_lines_shared_by_two_unrelated_documents_is_a_footer() {
        // Two press releases of one police department: different incidents, one contact block.
        let docs = vec![
            doc("a crash on the b7\nquestions to\npolice hq\nphone 0291 9020"),
            doc("a stolen mirror\nquestions to\npolice hq\nphone 0291 9020"),
            doc("other"),
        ];
        let stats = LineStats::build(&docs);
        let p = BoilerplateParams::default();
        assert_eq!(stats.keep_mask(0, &docs[0], p), [true, false, false, false]);
        assert_eq!(stats.keep_mask(1, &docs[1], p), [true, false, false, false]);
        // Versions of one text keep the block: it is their shared content.
        let versions = |a: u32, b: u32| a < 2 && b < 2;
        assert_eq!(
            stats.keep_mask_versions(0, &docs[0], p, versions),
            [true, true, true, true]
        );
        // A blurb whose every line a page carries keeps them; the page does not.
        let docs = vec![
            doc("a long article\nwith its own lines\nblurb title\nblurb lede"),
            doc("blurb title\nblurb lede"),
            doc("other"),
        ];
        let stats = LineStats::build(&docs);
        assert_eq!(stats.keep_mask(1, &docs[1], p), [true, true]);
        assert_eq!(stats.keep_mask(0, &docs[0], p), [true, true, false, false]);
    }

    #[test]
    fn paragraph_shared_by_two_documents_is_kept() {
        let docs = vec![
            doc("own a\nshared quote"),
            doc("own b\nshared quote"),
            doc("other"),
        ];
        let stats = LineStats::build(&docs);
        assert_eq!(
            stats.keep_mask(0, &docs[0], BoilerplateParams::default()),
            [true, true]
        );
    }

    #[test]
    fn page_embedding_two_documents_loses_them_but_they_keep_their_text() {
        let docs = vec![
            doc("body\nblurb one\nblurb two"),
            doc("blurb one"),
            doc("blurb two"),
        ];
        let stats = LineStats::build(&docs);
        let p = BoilerplateParams::default();
        assert_eq!(stats.keep_mask(0, &docs[0], p), [true, false, false]);
        assert_eq!(stats.keep_mask(1, &docs[1], p), [true]);
        assert_eq!(stats.keep_mask(2, &docs[2], p), [true]);
    }

    #[test]
    fn min_docs_zero_keeps_everything() {
        let docs = vec![doc("x\nf"), doc("y\nf"), doc("z\nf")];
        let stats = LineStats::build(&docs);
        let p = BoilerplateParams { min_docs: 0 };
        assert_eq!(stats.keep_mask(0, &docs[0], p), [true, true]);
    }

    #[test]
    fn one_pass_prefixes_match_two_passes() {
        let t = crate::text::normalize::normalize("Ambassadeurs of France\n\nVietnamese officials");
        let (whole, pre) = LinedTokens::from_normalized_with_prefixes(&t, 5);
        assert_eq!(whole, LinedTokens::from_normalized(&t));
        let two = LinedTokens::from_normalized_with(&t, |w| {
            crate::text::tokenize::hash_word_prefix(w, 5)
        });
        assert_eq!(pre, two);
    }

    #[test]
    fn unspaced_scripts_give_character_bigrams() {
        let (whole, terms) = LinedTokens::from_normalized_with_prefixes("越南和法国 ok", 7);
        // Five ideographs are five words, but four bigrams, plus the word "ok".
        assert_eq!(whole.tokens.len(), 6);
        assert_eq!(terms.tokens.len(), 5);
        let (_, thai) = LinedTokens::from_normalized_with_prefixes("สวัสดีครับ", 7);
        assert_eq!(thai.tokens.len(), "สวัสดีครับ".chars().count() - 1);
    }

    #[test]
    fn lines_without_words_are_not_lines() {
        let t = LinedTokens::from_normalized("one\n\n  --- \ntwo three");
        assert_eq!(t.line_ends, [1, 3]);
    }

    proptest::proptest! {
        /// After adding documents in order and removing some, line counts are those of the
        /// survivors, and a survivor none of whose lines is incomplete keeps the lines it would
        /// keep in statistics built from the survivors alone.
        #[test]
        fn removing_documents_gives_the_line_stats_of_the_rest(
            docs in proptest::collection::vec(proptest::collection::vec(0u64..24, 0..6), 1..16),
            gone in proptest::collection::vec(proptest::prelude::any::<bool>(), 16),
            versions in proptest::prelude::any::<u64>(),
        ) {
            let same = |a: u32, b: u32| (versions >> ((a * 7 + b * 3) % 64)) & 1 == 1
                && (versions >> ((b * 7 + a * 3) % 64)) & 1 == 1;
            let params = BoilerplateParams::default();
            let mut live = LineStats::default();
            for (i, d) in docs.iter().enumerate() {
                live.add(i as u32, d);
            }
            let mut rest = LineStats::default();
            for (i, d) in docs.iter().enumerate() {
                if gone[i] {
                    live.remove(i as u32, d);
                } else {
                    rest.add(i as u32, d);
                }
            }
            for line in 0u64..24 {
                proptest::prop_assert_eq!(live.doc_count(line), rest.doc_count(line));
                // A line never held by more documents than are remembered loses no holder.
                let ever = docs.iter().filter(|d| d.contains(&line)).count();
                if ever <= REMEMBERED {
                    proptest::prop_assert!(live.seen.get(&line).is_none_or(|s| s.complete()));
                }
            }
            for (i, d) in docs.iter().enumerate() {
                if gone[i] || d.iter().any(|h| live.seen.get(h).is_some_and(|s| !s.complete())) {
                    continue;
                }
                let doc = i as u32;
                proptest::prop_assert_eq!(
                    live.keep_mask_versions(doc, d, params, same),
                    rest.keep_mask_versions(doc, d, params, same)
                );
            }
        }
    }
}
