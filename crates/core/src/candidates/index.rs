//! Candidate indexes that grow and shrink: documents are inserted and removed one at a time,
//! one document's candidates are asked for ([`CandidateIndex::query`]), or every pair at once
//! ([`CandidateIndex::self_join`]). The batch pipeline finds candidates by sorting a whole
//! collection ([`super::bands::candidates`], [`super::top_terms::candidates`]); an archive
//! that takes articles as they arrive needs these instead.
//!
//! Invariant: an index's `self_join` gives exactly the batch generator's pairs over its live
//! documents (it is the batch generator, run over what the index holds), and `query` finds
//! every live document that `self_join` would pair with the queried one, so the two ways of
//! asking never disagree on what is a candidate (both are tested against each other).

use super::bands::{band_key, candidates, LshParams};
use super::pairs::CandidatePair;
use super::top_terms::{self, TopTerms};
use crate::error::Result;
use crate::hashed::HashedMap;
use crate::sketch::{Signatures, SketchRecipe};

/// A candidate generator that documents can be added to and removed from. Documents are
/// numbered by the caller, in insertion order (a smaller number is an earlier document).
pub trait CandidateIndex {
    /// What a document is indexed by (a signature, a list of heavy terms).
    type Entry: ?Sized;

    /// Index document `doc` (a number larger than any inserted before) by `entry`.
    fn insert(&mut self, doc: u32, entry: &Self::Entry) -> Result<()>;

    /// Take `doc` out: it is no longer anyone's candidate. Unknown documents are ignored.
    fn remove(&mut self, doc: u32);

    /// The live documents that would be candidates of a document indexed by `entry`, sorted.
    fn query(&self, entry: &Self::Entry) -> Result<Vec<u32>>;

    /// Every candidate pair among the live documents, sorted and unique.
    fn self_join(&self) -> Result<Vec<CandidatePair>>;
}

/// Mark `doc` removed; false when it is unknown or was removed already.
fn mark_removed(removed: &mut [bool], doc: u32) -> bool {
    match removed.get_mut(doc as usize) {
        Some(gone) if !*gone => {
            *gone = true;
            true
        }
        _ => false,
    }
}

/// The copy lane's LSH bands as an index: buckets by [`band_key`], per band.
#[derive(Debug, Clone)]
pub struct BandIndex {
    params: LshParams,
    max_bucket: usize,
    sigs: Signatures,
    removed: Vec<bool>,
    /// Per band: band key -> documents (in insertion order).
    buckets: Vec<HashedMap<Vec<u32>>>,
}

impl BandIndex {
    /// An empty index of signatures made with `recipe`, banded by `params`; a bucket of more
    /// than `max_bucket` documents pairs its members with its first only (as the batch path).
    pub fn new(recipe: SketchRecipe, params: LshParams, max_bucket: usize) -> Result<Self> {
        params.check(recipe.params.num_perm)?;
        Ok(BandIndex {
            params,
            max_bucket,
            sigs: Signatures::new(recipe),
            removed: Vec::new(),
            buckets: vec![HashedMap::default(); params.bands],
        })
    }
}

impl CandidateIndex for BandIndex {
    type Entry = [u32];

    fn insert(&mut self, doc: u32, sig: &[u32]) -> Result<()> {
        assert_eq!(
            doc as usize,
            self.removed.len(),
            "documents are numbered in order"
        );
        if sig.len() != self.sigs.params.num_perm {
            return Err(crate::error::Error::ParamMismatch {
                what: "signature length",
                left: self.sigs.params.num_perm.to_string(),
                right: sig.len().to_string(),
            });
        }
        let mut buf = Vec::new();
        for (band, bucket) in self.buckets.iter_mut().enumerate() {
            if let Some(key) = band_key(sig, self.params, band, &mut buf) {
                bucket.entry(key).or_default().push(doc);
            }
        }
        self.sigs.push(sig);
        self.removed.push(false);
        Ok(())
    }

    fn remove(&mut self, doc: u32) {
        if !mark_removed(&mut self.removed, doc) {
            return;
        }
        let mut buf = Vec::new();
        let sig = self.sigs.get(doc as usize).to_vec();
        for (band, bucket) in self.buckets.iter_mut().enumerate() {
            if let Some(key) = band_key(&sig, self.params, band, &mut buf) {
                if let Some(docs) = bucket.get_mut(&key) {
                    docs.retain(|&d| d != doc);
                }
            }
        }
    }

    fn query(&self, sig: &[u32]) -> Result<Vec<u32>> {
        let mut buf = Vec::new();
        let mut out = Vec::new();
        for (band, bucket) in self.buckets.iter().enumerate() {
            if let Some(docs) =
                band_key(sig, self.params, band, &mut buf).and_then(|k| bucket.get(&k))
            {
                out.extend_from_slice(docs);
            }
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    fn self_join(&self) -> Result<Vec<CandidatePair>> {
        candidates(&self.sigs, &self.removed, self.params, self.max_bucket)
    }
}

/// The story lane's top-terms index: posting lists of each document's heaviest terms.
#[derive(Debug, Clone, Default)]
pub struct TopTermsIndex {
    min_shared: usize,
    max_list: usize,
    top: TopTerms,
    removed: Vec<bool>,
    postings: HashedMap<Vec<u32>>,
}

impl TopTermsIndex {
    /// An empty index pairing documents that share `min_shared` of their terms, a term of more
    /// than `max_list` documents pairing each with its next few holders only (as the batch
    /// path, [`top_terms::candidates`]).
    pub fn new(min_shared: usize, max_list: usize) -> Self {
        TopTermsIndex {
            min_shared,
            max_list,
            ..TopTermsIndex::default()
        }
    }
}

impl CandidateIndex for TopTermsIndex {
    type Entry = [u32];

    fn insert(&mut self, doc: u32, terms: &[u32]) -> Result<()> {
        assert_eq!(
            doc as usize,
            self.removed.len(),
            "documents are numbered in order"
        );
        self.top.push(terms.iter().copied());
        for &t in self.top.get(doc as usize) {
            self.postings.entry(u64::from(t)).or_default().push(doc);
        }
        self.removed.push(false);
        Ok(())
    }

    fn remove(&mut self, doc: u32) {
        if !mark_removed(&mut self.removed, doc) {
            return;
        }
        for &t in self.top.get(doc as usize) {
            if let Some(docs) = self.postings.get_mut(&u64::from(t)) {
                docs.retain(|&d| d != doc);
            }
        }
    }

    fn query(&self, terms: &[u32]) -> Result<Vec<u32>> {
        let mut terms = terms.to_vec();
        terms.sort_unstable();
        terms.dedup();
        let mut hits: Vec<u32> = terms
            .iter()
            .filter_map(|&t| self.postings.get(&u64::from(t)))
            .flatten()
            .copied()
            .collect();
        hits.sort_unstable();
        Ok(hits
            .chunk_by(|a, b| a == b)
            .filter(|run| run.len() >= self.min_shared.max(1))
            .map(|run| run[0])
            .collect())
    }

    fn self_join(&self) -> Result<Vec<CandidatePair>> {
        Ok(top_terms::candidates(
            &self.top,
            &self.removed,
            self.min_shared,
            self.max_list,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hashed::mix64;
    use crate::sketch::{Scheme, SketchParams};
    use proptest::prelude::*;

    /// Partners of `doc` in `pairs`.
    fn partners(pairs: &[CandidatePair], doc: u32) -> Vec<u32> {
        let mut p: Vec<u32> = pairs
            .iter()
            .filter_map(|&(a, b)| (a == doc).then_some(b).or((b == doc).then_some(a)))
            .collect();
        p.sort_unstable();
        p
    }

    /// Check an index against its batch generator: after inserting every entry and removing
    /// some, `self_join` is the batch generator's pairs over the live documents, and `query` of
    /// a live document finds its partners there (and itself), and no removed document.
    fn check<I: CandidateIndex<Entry = [u32]>>(
        mut index: I,
        entries: &[Vec<u32>],
        removed: &[bool],
        batch: impl Fn(&[bool]) -> Vec<CandidatePair>,
        capped: bool,
    ) {
        for (d, e) in entries.iter().enumerate() {
            index.insert(d as u32, e).unwrap();
        }
        for (d, &r) in removed.iter().enumerate() {
            if r {
                index.remove(d as u32);
            }
        }
        let joined = index.self_join().unwrap();
        assert_eq!(joined, batch(removed));
        for (d, e) in entries.iter().enumerate() {
            if removed[d] {
                continue;
            }
            let found = index.query(e).unwrap();
            assert!(
                found.iter().all(|&x| !removed[x as usize]),
                "a removed document was found"
            );
            let want = partners(&joined, d as u32);
            if capped {
                // Capped buckets and windows pair fewer: every partner is still found.
                assert!(
                    want.iter().all(|p| found.contains(p)),
                    "{want:?} not in {found:?}"
                );
            } else {
                let mut found = found;
                found.retain(|&x| x != d as u32);
                assert_eq!(found, want);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn band_index_agrees_with_the_batch_bands(
            docs in 1usize..60, vocab in 2u64..6, seed in any::<u64>(), max in 2usize..8,
        ) {
            let params = LshParams { bands: 4, rows: 2 };
            let recipe = SketchRecipe::test(Scheme::MinHash, SketchParams { num_perm: 8, seed: 0 });
            let entries: Vec<Vec<u32>> = (0..docs as u64)
                .map(|d| (0..8).map(|i| (mix64(seed ^ d << 8 ^ i) % vocab) as u32).collect())
                .collect();
            let removed: Vec<bool> = (0..docs as u64).map(|d| mix64(d ^ !seed) % 5 == 0).collect();
            let mut sigs = Signatures::new(recipe);
            for e in &entries {
                sigs.push(e);
            }
            let capped = docs > max;
            check(
                BandIndex::new(recipe, params, max).unwrap(),
                &entries,
                &removed,
                |skip| candidates(&sigs, skip, params, max).unwrap(),
                capped,
            );
        }

        #[test]
        fn top_terms_index_agrees_with_the_batch_index(
            docs in 1usize..60, vocab in 3u64..40, seed in any::<u64>(), k in 1usize..3,
            max_list in 2usize..80,
        ) {
            let entries: Vec<Vec<u32>> = (0..docs as u64)
                .map(|d| {
                    let m = 1 + mix64(seed << 32 | d) % 6;
                    (0..m).map(|i| (mix64(seed ^ d << 8 ^ i) % vocab) as u32).collect()
                })
                .collect();
            let removed: Vec<bool> = (0..docs as u64).map(|d| mix64(d ^ seed) % 7 == 0).collect();
            let mut top = TopTerms::default();
            for e in &entries {
                top.push(e.iter().copied());
            }
            let capped = docs > max_list;
            check(
                TopTermsIndex::new(k, max_list),
                &entries,
                &removed,
                |skip| top_terms::candidates(&top, skip, k, max_list),
                capped,
            );
        }
    }
}
