//! Containment: "B is a trimmed (possibly credited) copy of A", the wire desk's commonest case
//! (a site republishes the headline and first paragraphs of an agency story), which Jaccard
//! misses: a copy keeping a fifth of its source has a Jaccard of about 0.2 with it.
//!
//! Two features per document, both from the copy lane's words:
//! - **lead anchors**: the shingles of the first [`ContainParams::lead_words`] words picked by
//!   winnowing (Schleimer, Wilkerson, Aiken 2003: the smallest hash of every window of
//!   [`ContainParams::window`] shingles), so that two texts whose leads share a run of
//!   `window + n - 1` words share an anchor, wherever the run sits (a credit line or a new
//!   headline before it moves it, and changes nothing); an inverted index of anchors proposes
//!   the candidate pairs;
//! - which bins of its copy signature hold a shingle of its own (one-permutation hashing fills
//!   empty bins from others; those say nothing about the document's own shingles).
//!
//! The estimate of `|B ∩ A| / |B|` reads the bins where B has a shingle: the smallest shingle of
//! `A ∪ B` in such a bin is in `A ∩ B` when the two minima are equal, and in `B \ A` when B's is
//! smaller (or A's bin is empty); so equal bins over the bins where B's minimum is the
//! smaller or equal one estimate the containment, one sample per such bin (about
//! `k * |B| / |A ∪ B|` of them). Under classic MinHash every position is such a sample.
//!
//! A pair is `contained` when the two share a lead anchor and the estimate reaches the
//! threshold on at least [`MIN_SAMPLES`] samples.

use crate::candidates::CandidatePair;
use crate::sketch::{Signatures, EMPTY};
use serde::{Deserialize, Serialize};

/// Fewest samples (bins where the shorter text's minimum wins or ties) for an estimate: below
/// it, a pair is not called contained.
pub const MIN_SAMPLES: u32 = 4;

/// Anchors two leads must share to agree, when the shorter lead has `m`: half of them, and
/// at least 3 (all, below 3). A lead-only copy shares its whole lead (a credit line or a new
/// headline costs it an anchor or two of about a dozen); two articles that open on one common
/// sentence share one or two.
pub fn anchors_needed(m: usize) -> usize {
    m.min(3).max(m.div_ceil(2)).max(1)
}

/// Settings of the containment relation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ContainParams {
    /// Containment of the shorter text in the longer at or above which the pair is a trimmed
    /// copy. By default, 0.7 (the lower bound of the estimate, see [`Contained::reaches`]).
    pub threshold: f64,
    /// Words of each text's lead whose shingles are winnowed into anchors. By default, 64.
    pub lead_words: usize,
    /// Winnowing window, in shingles: any run of `window + n - 1` words two leads share gives
    /// them a common anchor. By default, 8 (12 words, with word 5-grams).
    pub window: usize,
}

impl Default for ContainParams {
    fn default() -> Self {
        ContainParams {
            threshold: 0.7,
            lead_words: 64,
            window: 8,
        }
    }
}

/// The salt of the anchors' hash: anchors must not be comparable with signature values.
const ANCHOR_SALT: u64 = 0x6c65_6164_5f61_6e63;

/// Anchors kept per document: the smallest of its lead's winnowed anchors, so that two texts
/// with the same lead keep the same ones (a bottom-k sample of its anchors).
pub const ANCHORS: usize = 8;

/// The lead anchors of a document (its word hashes), with word `n`-grams: the [`ANCHORS`]
/// smallest winnowed shingle hashes of its lead, ascending, into `out` (padded with `EMPTY`).
/// `hashes` is scratch.
pub(crate) fn lead_anchors(
    words: &[u64],
    n: usize,
    p: &ContainParams,
    hashes: &mut Vec<u32>,
    out: &mut [u32],
) {
    out.fill(EMPTY);
    let lead = &words[..words.len().min(p.lead_words)];
    hashes.clear();
    hashes.extend(
        crate::shingle::WordShingles::new(lead, n)
            .map(|h| ((crate::hashed::mix64(h ^ ANCHOR_SALT) >> 32) as u32).min(EMPTY - 1)),
    );
    let w = p.window.max(1);
    let mut kept = 0;
    let mut keep = |v: u32, out: &mut [u32]| {
        // Insert into the sorted, unique bottom-k held in `out[..kept]`.
        if let Err(at) = out[..kept].binary_search(&v) {
            if kept < out.len() {
                out.copy_within(at..kept, at + 1);
                out[at] = v;
                kept += 1;
            } else if at < out.len() {
                let last = out.len() - 1;
                out.copy_within(at..last, at + 1);
                out[at] = v;
            }
        }
    };
    if hashes.len() <= w {
        // A lead shorter than a window: its smallest shingle stands for it.
        if let Some(&m) = hashes.iter().min() {
            keep(m, out);
        }
    } else {
        for win in hashes.windows(w) {
            keep(*win.iter().min().expect("a window is not empty"), out);
        }
    }
}

/// Append the mask of a signature's own bins (bit i set: bin i holds a shingle of the
/// document) to `masks`, from the sketch's raw bins (`EMPTY` where no shingle fell), in
/// `words_per` 64-bit words.
pub(crate) fn push_own_bins(raw_bins: &[u32], words_per: usize, masks: &mut Vec<u64>) {
    let from = masks.len();
    masks.resize(from + words_per, 0);
    for (i, &v) in raw_bins.iter().enumerate() {
        if v != EMPTY {
            masks[from + i / 64] |= 1 << (i % 64);
        }
    }
}

/// 64-bit words of a mask of `k` bins.
pub(crate) fn mask_words(k: usize) -> usize {
    k.div_ceil(64)
}

/// The containment features of a collection's documents, by position.
#[derive(Debug, Clone, Default)]
pub struct ContainFeatures {
    /// The settings they were made with.
    pub params: ContainParams,
    /// Each document's words (its length, to tell the fuller version).
    pub words: Vec<u32>,
    /// Lead anchors of all documents, [`ANCHORS`] a document (ascending, `EMPTY` after the
    /// last).
    pub anchors: Vec<u32>,
    /// Own-bin masks of the copy signatures, [`ContainFeatures::mask_words`] words each; empty
    /// when every position is the document's own (classic MinHash).
    pub own: Vec<u64>,
    /// 64-bit words per mask.
    pub mask_words: usize,
}

impl Contained {
    /// The lower end of the estimate's confidence interval (Wilson score interval, one
    /// standard error): what the threshold is held against, so that a short text, whose
    /// estimate rests on a few samples, needs more of them to agree (4 of 4 passes 0.8, 13 of
    /// 20 passes 0.55).
    pub fn lower_bound(&self) -> f64 {
        let n = f64::from(self.samples);
        if n == 0.0 {
            return 0.0;
        }
        let p = self.value;
        let z2 = 1.0;
        let center = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
        let half = (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
        (center - half).max(0.0)
    }

    /// Whether the estimate's lower bound reaches `threshold`.
    pub fn reaches(&self, threshold: f64) -> bool {
        self.lower_bound() >= threshold
    }
}

/// An estimate of how much of the shorter of two texts is in the other.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Contained {
    /// The estimate, in [0, 1].
    pub value: f64,
    /// Whether the first document of the pair is the one contained (else the second).
    pub first: bool,
    /// Samples the estimate rests on.
    pub samples: u32,
}

impl ContainFeatures {
    /// The lead anchors of document `doc`.
    pub fn anchors_of(&self, doc: usize) -> &[u32] {
        let all = &self.anchors[doc * ANCHORS..(doc + 1) * ANCHORS];
        &all[..all.partition_point(|&v| v != EMPTY)]
    }

    /// Document `doc`'s features, borrowed.
    pub fn side<'a>(&'a self, sigs: &'a Signatures, doc: usize) -> ContainSide<'a> {
        let mw = self.mask_words;
        ContainSide {
            sig: sigs.get(doc),
            own: if self.own.is_empty() {
                &[]
            } else {
                &self.own[doc * mw..(doc + 1) * mw]
            },
            anchors: self.anchors_of(doc),
            words: self.words[doc],
        }
    }

    /// Whether the leads of `a` and `b` agree ([`leads_agree`]).
    pub fn leads_agree(&self, a: usize, b: usize) -> bool {
        leads_agree(self.anchors_of(a), self.anchors_of(b))
    }

    /// The containment of the shorter of `a` and `b` in the other ([`contained`]).
    pub fn contained(&self, sigs: &Signatures, a: usize, b: usize) -> Option<Contained> {
        contained(self.side(sigs, a), self.side(sigs, b))
    }

    /// Pairs of documents sharing a lead anchor, sorted and unique; documents marked in
    /// `skip` (exact copies) stay out. An anchor held by more than `max_bucket` documents
    /// pairs each of them with its first holder only, as an LSH bucket does.
    pub fn candidates(&self, skip: &[bool], max_bucket: usize) -> Vec<CandidatePair> {
        // (anchor, document) packed in one u64, so that a radix sort groups the holders of
        // each anchor, in document order.
        let mut held: Vec<u64> = Vec::with_capacity(self.anchors.len());
        for (d, anchors) in self.anchors.chunks(ANCHORS).enumerate() {
            if skip.get(d).copied().unwrap_or(false) {
                continue;
            }
            for &h in anchors.iter().take_while(|&&h| h != EMPTY) {
                held.push(u64::from(h) << 32 | d as u64);
            }
        }
        crate::candidates::pairs::radix_sort(&mut held);
        // One entry per pair and anchor they share: a pair's count is its shared anchors.
        let mut pairs: Vec<u64> = Vec::new();
        for run in held.chunk_by(|x, y| x >> 32 == y >> 32) {
            let n = run.len();
            let all = n <= max_bucket;
            for i in 1..n {
                let upto = if all { i } else { 1 };
                for x in &run[..upto] {
                    pairs.push((x & 0xffff_ffff) << 32 | (run[i] & 0xffff_ffff));
                }
            }
        }
        crate::candidates::pairs::radix_sort(&mut pairs);
        let mut out = Vec::new();
        for run in pairs.chunk_by(|x, y| x == y) {
            let (a, b) = ((run[0] >> 32) as usize, run[0] as u32 as usize);
            let need = anchors_needed(self.anchors_of(a).len().min(self.anchors_of(b).len()));
            if run.len() >= need {
                out.push((a as u32, b as u32));
            }
        }
        out
    }
}

/// One document's containment features, wherever they are kept (a collection's columns, an
/// archived record).
#[derive(Debug, Clone, Copy)]
pub struct ContainSide<'a> {
    /// Its copy signature.
    pub sig: &'a [u32],
    /// Its own-bin mask; empty when every position is its own (classic MinHash).
    pub own: &'a [u64],
    /// Its lead anchors (`EMPTY` padding is ignored).
    pub anchors: &'a [u32],
    /// Its number of words.
    pub words: u32,
}

/// Whether two leads agree: they share [`anchors_needed`] anchors, so that one sentence two
/// leads happen to share is not enough.
pub fn leads_agree(x: &[u32], y: &[u32]) -> bool {
    let (x, y) = (
        &x[..x.partition_point(|&v| v != EMPTY)],
        &y[..y.partition_point(|&v| v != EMPTY)],
    );
    let need = anchors_needed(x.len().min(y.len()));
    let (mut i, mut j, mut shared) = (0, 0, 0);
    while i < x.len() && j < y.len() {
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                if shared >= need {
                    return true;
                }
                i += 1;
                j += 1;
            }
        }
    }
    false
}

/// The containment of the shorter of `a` and `b` (fewer words) in the other, when the leads
/// agree and the estimate has [`MIN_SAMPLES`] samples; `None` otherwise.
pub fn contained(a: ContainSide<'_>, b: ContainSide<'_>) -> Option<Contained> {
    if !leads_agree(a.anchors, b.anchors) {
        return None;
    }
    // The shorter is the one that can be contained (ties: the later, as a copy is).
    let first = a.words < b.words;
    let (inner, outer) = if first { (a, b) } else { (b, a) };
    let (equal, samples) = counts(inner, outer);
    (samples >= MIN_SAMPLES).then(|| Contained {
        value: f64::from(equal) / f64::from(samples),
        first,
        samples,
    })
}

/// (equal, samples) of `inner` in `outer`.
fn counts(inner: ContainSide<'_>, outer: ContainSide<'_>) -> (u32, u32) {
    let (x, y) = (inner.sig, outer.sig);
    let (mut equal, mut samples) = (0u32, 0u32);
    if inner.own.is_empty() {
        for (&v, &w) in x.iter().zip(y) {
            equal += u32::from(v == w);
            samples += u32::from(v <= w);
        }
        return (equal, samples);
    }
    // Only the inner text's own bins are samples: walk their set bits.
    for (word, (&own_in, &own_out)) in inner.own.iter().zip(outer.own).enumerate() {
        let mut bits = own_in;
        while bits != 0 {
            let i = word * 64 + bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let outer_own = own_out >> (i % 64) & 1 == 1;
            let (v, w) = (x[i], y[i]);
            if outer_own && v == w {
                equal += 1;
                samples += 1;
            } else if !outer_own || v < w {
                samples += 1;
            }
        }
    }
    (equal, samples)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sketch::{oph, Scheme, SketchParams, SketchRecipe};

    /// Features of word-hash documents signed as the pipeline signs them.
    fn features(docs: &[Vec<u64>], k: usize) -> (Signatures, ContainFeatures) {
        let p = ContainParams::default();
        let params = SketchParams {
            num_perm: k,
            seed: 7,
        };
        let mut sigs = Signatures::new(SketchRecipe::test(Scheme::OnePermutation, params));
        let mut f = ContainFeatures {
            params: p,
            mask_words: mask_words(k),
            ..ContainFeatures::default()
        };
        let (mut bins, mut out, mut scratch) = (Vec::new(), Vec::new(), Vec::new());
        for d in docs {
            oph::sign_words_into(d, 5, k, 7, &mut bins, &mut out);
            sigs.push(&out);
            push_own_bins(&bins, mask_words(k), &mut f.own);
            let mut anchors = [0u32; ANCHORS];
            lead_anchors(d, 5, &p, &mut scratch, &mut anchors);
            f.anchors.extend_from_slice(&anchors);
            f.words.push(d.len() as u32);
        }
        (sigs, f)
    }

    fn words(range: std::ops::Range<u64>) -> Vec<u64> {
        range.map(crate::hashed::mix64).collect()
    }

    #[test]
    fn a_lead_only_copy_is_contained_in_its_source() {
        let source = words(0..600);
        for keep in [60u64, 120, 210, 300] {
            let copy = words(0..keep);
            let (sigs, f) = features(&[source.clone(), copy], 128);
            let c = f
                .contained(&sigs, 0, 1)
                .expect("leads agree, enough samples");
            assert!(!c.first, "the copy (second) is the contained one");
            assert!(c.value >= 0.95, "{keep}: {c:?}");
            assert!(sigs.similarity(0, 1) < 0.6, "Jaccard misses it");
        }
    }

    #[test]
    fn a_credit_line_or_a_foreign_sentence_keeps_the_copy_contained() {
        let source = words(0..500);
        let mut credited = vec![crate::hashed::mix64(9_999)];
        credited.extend(words(0..120));
        credited.extend(words(10_000..10_004));
        let mut inserted = words(0..200);
        inserted.splice(100..100, words(20_000..20_020));
        for copy in [credited, inserted] {
            let (sigs, f) = features(&[source.clone(), copy], 128);
            let c = f.contained(&sigs, 0, 1).unwrap();
            assert!(c.value >= 0.8, "{c:?}");
        }
    }

    #[test]
    fn texts_that_start_alike_and_then_differ_are_not_contained() {
        // One opening sentence in common: the leads do not agree.
        let mut a = words(0..20);
        a.extend(words(1_000..1_400));
        let mut b = words(0..20);
        b.extend(words(5_000..5_200));
        // A whole lead in common, then apart: the leads agree, the shorter is not contained.
        let mut c = words(0..50);
        c.extend(words(9_000..9_300));
        let mut d = words(0..50);
        d.extend(words(1_000..1_400));
        let (sigs, f) = features(&[a, b, d, c], 128);
        assert!(!f.leads_agree(0, 1));
        assert_eq!(f.contained(&sigs, 0, 1), None);
        assert!(f.leads_agree(2, 3));
        let x = f.contained(&sigs, 2, 3).unwrap();
        assert!(x.value < 0.5, "{x:?}");
    }

    #[test]
    fn unrelated_texts_have_no_estimate_and_a_tiny_text_too_few_samples() {
        let (sigs, f) = features(&[words(0..300), words(7_000..7_300)], 128);
        assert_eq!(f.contained(&sigs, 0, 1), None);
        let (sigs, f) = features(&[words(0..3_000), words(0..6)], 128);
        assert_eq!(
            f.contained(&sigs, 0, 1),
            None,
            "6 words: 2 shingles, too few samples"
        );
    }

    #[test]
    fn a_credit_line_or_a_new_headline_does_not_hide_the_shared_lead() {
        let source = words(0..400);
        let mut credited = words(50_000..50_003);
        credited.extend(words(0..30));
        let mut headline = words(60_000..60_012);
        headline.extend(words(10..40));
        let unrelated = words(70_000..70_300);
        let (_, f) = features(&[source, credited, headline, unrelated], 128);
        let c = f.candidates(&[false; 4], 256);
        assert!(c.contains(&(0, 1)) && c.contains(&(0, 2)), "{c:?}");
        assert!(!c.iter().any(|&(a, b)| a == 3 || b == 3), "{c:?}");
        assert!(f.leads_agree(0, 1) && !f.leads_agree(0, 3));
        // An exact copy stays out of the index.
        let c = f.candidates(&[false, true, false, false], 256);
        assert!(!c.contains(&(0, 1)));
    }

    #[test]
    fn a_crowded_anchor_pairs_its_holders_with_the_first_only() {
        let docs: Vec<Vec<u64>> = (0..6)
            .map(|i| {
                let mut d = words(0..56);
                d.extend(words(1_000 * (i + 1)..1_000 * (i + 1) + 50));
                d
            })
            .collect();
        let (_, f) = features(&docs, 64);
        let all = f.candidates(&[false; 6], 256);
        assert_eq!(all.len(), 15);
        // The anchors of the shared lead are held by all six: past the cap, each holder is
        // paired with the first (anchors of windows running into a text's own words may still
        // pair a few others).
        let capped = f.candidates(&[false; 6], 3);
        assert!((1..6).all(|b| capped.contains(&(0, b))), "{capped:?}");
        assert!(capped.len() < all.len(), "{capped:?}");
    }
}
