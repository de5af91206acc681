//! Story-lane candidates from shared heavy terms: an inverted index over each document's `m`
//! heaviest terms, and the pairs of documents that share at least `k` of them.
//!
//! Two write-ups of one event share their names, places and numbers, and those are among the
//! heaviest terms of each (IDF-weighted, see [`crate::weight`]), so requiring a pair to share a
//! few of them finds same-story pairs among few candidates. Weighted MinHash banded 32 x 1
//! ([`crate::candidates::bands`]) needs many times more candidates for the same recall,
//! because agreeing once on a weighted sample is weak evidence (README, "Story speed", has the
//! table). The index is also exact: which pairs are candidates does not depend on random
//! functions.
//!
//! A term among the heaviest of more than `max_list` documents (a running story's name over
//! an archive, or a common word) pairs each of them with its next few holders only
//! ([`window`]), a sliding window: a large group of versions of one story stays connected (each
//! member meets its neighbours on every term they share), and a term costs O(n) pairs instead
//! of O(n^2). Pairing with the first holder only, as an oversized LSH bucket does, splits a
//! large group of edited copies into many clusters: a copy too far from the first holder to
//! verify is joined to nothing.

use super::pairs::{radix_sort, CandidatePair};
use crate::weight::TermVector;

/// The heaviest terms of each document: 32-bit term keys, sorted, document `i` at
/// `offsets[i]..offsets[i + 1]`.
#[derive(Debug, Clone)]
pub struct TopTerms {
    keys: Vec<u32>,
    offsets: Vec<u32>,
}

impl Default for TopTerms {
    fn default() -> Self {
        TopTerms {
            keys: Vec::new(),
            offsets: vec![0],
        }
    }
}

impl TopTerms {
    /// Add the next document's terms (any order; duplicates are dropped).
    pub fn push(&mut self, keys: impl IntoIterator<Item = u32>) {
        let start = self.keys.len();
        self.keys.extend(keys);
        self.keys[start..].sort_unstable();
        let mut w = start;
        for r in start..self.keys.len() {
            if w == start || self.keys[r] != self.keys[w - 1] {
                self.keys[w] = self.keys[r];
                w += 1;
            }
        }
        self.keys.truncate(w);
        self.offsets.push(self.keys.len() as u32);
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// True when no document has been added.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Document `i`'s terms, sorted.
    pub fn get(&self, i: usize) -> &[u32] {
        &self.keys[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    /// Number of terms documents `a` and `b` share.
    pub fn shared(&self, a: usize, b: usize) -> usize {
        let (x, y) = (self.get(a), self.get(b));
        let (mut i, mut j, mut n) = (0, 0, 0);
        while i < x.len() && j < y.len() {
            let (p, q) = (x[i], y[j]);
            n += (p == q) as usize;
            i += (p <= q) as usize;
            j += (q <= p) as usize;
        }
        n
    }
}

/// Pairs of documents (not `skip`ped) that share at least `min_shared` (at most 255) of their
/// terms, sorted and unique; a term held by more than `max_list` documents pairs each of them
/// with its next [`window`]`(max_list)` holders only.
///
/// Each document counts its later partners over its terms' posting lists in an array indexed
/// by document (ScanCount), so a pair costs one increment per shared term and nothing is
/// sorted but the postings; emitting every (pair, term) meeting instead would sort one item
/// per shared term of every pair.
pub fn candidates(
    top: &TopTerms,
    skip: &[bool],
    min_shared: usize,
    max_list: usize,
) -> Vec<CandidatePair> {
    use rayon::prelude::*;
    let n = top.len();
    let skipped = |doc: usize| skip.get(doc).copied().unwrap_or(false);
    // Postings as `term << 32 | doc`, sorted: each term's documents are a run, in order.
    let mut postings: Vec<u64> = Vec::with_capacity(top.keys.len());
    for doc in (0..n).filter(|&d| !skipped(d)) {
        postings.extend(
            top.get(doc)
                .iter()
                .map(|&t| (u64::from(t) << 32) | doc as u64),
        );
    }
    radix_sort(&mut postings);
    let docs: Vec<u32> = postings.iter().map(|&p| p as u32).collect();
    // Each run (a term's list) as a range of `docs`, and each document's lists.
    let mut lists: Vec<(u32, u32)> = Vec::new();
    let mut start = 0usize;
    for run in postings.chunk_by(|x, y| x >> 32 == y >> 32) {
        lists.push((start as u32, (start + run.len()) as u32));
        start += run.len();
    }
    drop(postings);
    let mut doc_start = vec![0u32; n + 1];
    for d in 0..n {
        doc_start[d + 1] = doc_start[d]
            + if skipped(d) {
                0
            } else {
                top.get(d).len() as u32
            };
    }
    let mut fill = doc_start.clone();
    let mut doc_lists = vec![0u32; doc_start[n] as usize];
    for (l, &(s, e)) in lists.iter().enumerate() {
        for &d in &docs[s as usize..e as usize] {
            doc_lists[fill[d as usize] as usize] = l as u32;
            fill[d as usize] += 1;
        }
    }
    // Counts saturate at 255: a document's array stays small enough for the cache.
    let need = min_shared.clamp(1, u8::MAX as usize) as u8;
    (0..n)
        .into_par_iter()
        .map_init(
            || (vec![0u8; n], Vec::<u32>::new()),
            |(count, touched), a| {
                let mut out: Vec<CandidatePair> = Vec::new();
                let lists_of_a = &doc_lists[doc_start[a] as usize..doc_start[a + 1] as usize];
                for &l in lists_of_a {
                    let (s, e) = lists[l as usize];
                    let list = &docs[s as usize..e as usize];
                    // Later members: the list is sorted, so they follow `a`; in a list of
                    // more than `max_list`, only the next `window(max_list)` of them.
                    let at = list.partition_point(|&d| d as usize <= a);
                    let end = if list.len() > max_list {
                        (at + window(max_list)).min(list.len())
                    } else {
                        list.len()
                    };
                    let partners = &list[at..end];
                    for &b in partners {
                        let c = &mut count[b as usize];
                        if *c == 0 {
                            touched.push(b);
                        }
                        *c = c.saturating_add(1);
                    }
                }
                // Most partners share one term: only those that qualify are sorted.
                for &b in touched.iter() {
                    if count[b as usize] >= need {
                        out.push((a as u32, b));
                    }
                    count[b as usize] = 0;
                }
                touched.clear();
                out.sort_unstable();
                out
            },
        )
        .flatten_iter()
        .collect()
}

/// How many next holders each holder of a term held by more than `max_list` documents pairs
/// with: a quarter of `max_list` (at least 1). A quarter keeps the groups of edited copies as
/// connected as the whole `max_list` does (the same B-cubed F1 against the copy families) with
/// fewer candidates to verify.
pub fn window(max_list: usize) -> usize {
    (max_list / 4).max(1)
}

/// The 32-bit keys (as in [`crate::weight::PackedVectors`]) of the `m` heaviest terms of `v`, ties broken by
/// term so that the choice is deterministic.
pub fn heaviest_keys(v: &TermVector, m: usize) -> Vec<u32> {
    let mut tw: Vec<(f32, u32)> = v
        .weights
        .iter()
        .copied()
        .zip(v.terms.iter().copied())
        .collect();
    let by_weight = |a: &(f32, u32), b: &(f32, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    if m == 0 {
        return Vec::new();
    }
    if tw.len() > m {
        tw.select_nth_unstable_by(m - 1, by_weight);
        tw.truncate(m);
    }
    tw.into_iter().map(|(_, t)| t).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hashed::mix64;
    use std::collections::HashMap;

    /// The candidates by brute force: every pair, its shared terms counted, a term held by
    /// more than `max_list` documents counting only for pairs at most `window(max_list)` apart
    /// among its holders.
    fn brute(top: &TopTerms, skip: &[bool], k: usize, max_list: usize) -> Vec<CandidatePair> {
        let live = |d: usize| !skip[d];
        let mut holders: HashMap<u32, Vec<usize>> = HashMap::new();
        for d in (0..top.len()).filter(|&d| live(d)) {
            for &t in top.get(d) {
                holders.entry(t).or_default().push(d);
            }
        }
        let mut out = Vec::new();
        for a in (0..top.len()).filter(|&d| live(d)) {
            for b in (a + 1..top.len()).filter(|&d| live(d)) {
                let n = top
                    .get(a)
                    .iter()
                    .filter(|t| top.get(b).contains(t))
                    .filter(|t| {
                        let h = &holders[*t];
                        let (pa, pb) = (
                            h.iter().position(|&d| d == a).unwrap(),
                            h.iter().position(|&d| d == b).unwrap(),
                        );
                        h.len() <= max_list || pb - pa <= window(max_list)
                    })
                    .count();
                if n >= k {
                    out.push((a as u32, b as u32));
                }
            }
        }
        out
    }

    #[test]
    fn candidates_are_the_pairs_sharing_enough_terms() {
        for seed in 0..20u64 {
            let docs = 30 + (seed as usize % 5) * 20;
            let vocab = 10 + seed % 40;
            let mut top = TopTerms::default();
            for d in 0..docs as u64 {
                let m = 1 + mix64(seed << 32 | d) % 8;
                top.push((0..m).map(|i| (mix64(seed ^ d << 8 ^ i) % vocab) as u32));
            }
            let skip: Vec<bool> = (0..docs as u64).map(|d| mix64(d ^ seed) % 7 == 0).collect();
            for k in 1..=3 {
                for max_list in [2, 5, 1000] {
                    assert_eq!(
                        candidates(&top, &skip, k, max_list),
                        brute(&top, &skip, k, max_list),
                        "seed {seed} k {k} max_list {max_list}"
                    );
                }
            }
        }
    }

    #[test]
    fn terms_are_sorted_unique_and_shared_counts_them() {
        let mut top = TopTerms::default();
        top.push([5, 1, 5, 9]);
        top.push([9, 2, 1]);
        top.push([]);
        assert_eq!(top.len(), 3);
        assert_eq!(top.get(0), &[1, 5, 9]);
        assert_eq!(top.get(2), &[] as &[u32]);
        assert_eq!(top.shared(0, 1), 2);
        assert_eq!(top.shared(1, 0), 2);
        assert_eq!(top.shared(0, 2), 0);
    }
}
