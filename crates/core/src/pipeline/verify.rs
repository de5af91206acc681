//! Verification: candidate pairs go in, the pairs the preset joins come out with their
//! scores. Every measure of a pair is computed again from the collection's columns on demand
//! ([`Collection::scores`]); the fast path ([`Collection::verify`]) makes the same decisions
//! while reading as little as it can.
//!
//! Invariant: verification changes no decision with its order or speed-ups: pairs may come in
//! any order (the result is sorted), the block-wise cosine is bit-identical to the merge, and
//! `Signatures::may_reach` rejects only pairs that cannot reach the copy threshold.

use super::collection::Collection;
use crate::candidates::CandidatePair;
use crate::cluster::ScoredPair;
use crate::score::{exact_jaccard, PairScores, Preset, Thresholds};
use rayon::prelude::*;

/// Candidate pairs are verified in tiles of 2^TILE_SHIFT by 2^TILE_SHIFT document positions
/// (see [`tile_order`]); 1,024 documents' story vectors (about 1 KB each)
/// and copy signatures fit in a core's L2 cache. Past a million documents tiles grow, so that
/// there are at most `MAX_TILES_PER_SIDE`^2 of them.
const TILE_SHIFT: u32 = 10;
const MAX_TILES_PER_SIDE: usize = 1024;

/// `pairs` grouped by tile (see [`TILE_SHIFT`]), by a counting sort: tiles in row-major
/// order, pairs within a tile in their order in `pairs`.
///
/// Verification reads both documents' vectors and signatures, and for a document with
/// hundreds of partners the partner is a random one of the collection: a cache miss. In tiles
/// of (earlier, later) documents by position, each tile's documents fit in the cache and are
/// read many times: 22,000 articles' story cosines took 0.42 s in candidate order and 0.31 s
/// in tiles.
pub(crate) fn tile_order(pairs: &[CandidatePair], docs: usize) -> Vec<CandidatePair> {
    let mut shift = TILE_SHIFT;
    while (docs >> shift) + 1 > MAX_TILES_PER_SIDE {
        shift += 1;
    }
    let side = (docs >> shift) + 1;
    let tile = |&(a, b): &CandidatePair| (a as usize >> shift) * side + (b as usize >> shift);
    let mut start = vec![0usize; side * side + 1];
    for p in pairs {
        start[tile(p) + 1] += 1;
    }
    for i in 1..start.len() {
        start[i] += start[i - 1];
    }
    let mut out = vec![(0, 0); pairs.len()];
    for p in pairs {
        let t = tile(p);
        out[start[t]] = *p;
        start[t] += 1;
    }
    out
}

impl Collection {
    /// [`scores`](Self::scores) of a candidate pair when the preset joins it at thresholds
    /// `t`, `None` when it does not; the same decisions and scores, but the story score comes
    /// first, and a pair it rejects reads only as much of the copy signatures as it takes to
    /// see that they cannot reach the copy threshold (verification reads a random signature
    /// per pair, so it waits on memory).
    pub(crate) fn verify(&self, a: usize, b: usize, t: Thresholds) -> Option<PairScores> {
        let preset = self.cfg.preset;
        let (ca, cb) = (self.canonical(a), self.canonical(b));
        if let (Preset::Story, Some(story), None) = (preset, &self.story, &self.shingles) {
            if ca != cb {
                let cosine = story.packed.cosine(ca, cb);
                let story_joins = cosine >= t.story && cosine > 0.0;
                if !story_joins && !self.copy_sigs.may_reach(ca, cb, t.copy) {
                    return None;
                }
                let scores = PairScores {
                    jaccard: self.copy_sigs.similarity(ca, cb),
                    story: Some(cosine),
                };
                return scores.decide(preset, t).map(|_| scores);
            }
        }
        let scores = self.scores(a, b);
        scores.decide(preset, t).map(|_| scores)
    }

    /// Scores of documents `a` and `b` (exact copies are scored through their originals).
    pub fn scores(&self, a: usize, b: usize) -> PairScores {
        let (a, b) = (self.canonical(a), self.canonical(b));
        if a == b {
            return PairScores {
                jaccard: 1.0,
                story: self.story.as_ref().map(|_| 1.0),
            };
        }
        let jaccard = match &self.shingles {
            Some(s) => exact_jaccard(&s[a], &s[b]),
            None => self.copy_sigs.similarity(a, b),
        };
        let story = self.story.as_ref().map(|s| s.packed.cosine(a, b));
        PairScores { jaccard, story }
    }

    /// The candidates the preset joins at thresholds `t`, sorted by position, and the time
    /// it took.
    pub(crate) fn verify_candidates(
        &self,
        cands: &[CandidatePair],
        t: Thresholds,
    ) -> (Vec<ScoredPair>, std::time::Duration) {
        let preset = self.cfg.preset;
        let started = std::time::Instant::now();
        // Candidates may come in any order: the verified pairs are sorted, so the order changes
        // no result, only speed (`cluster` passes them in tiles, see `tile_order`).
        let mut pairs: Vec<ScoredPair> = cands
            .par_iter()
            .filter_map(|&(a, b)| {
                let scores = self.verify(a as usize, b as usize, t)?;
                scores.decide(preset, t).map(|evidence| ScoredPair {
                    a,
                    b,
                    similarity: scores.primary(preset),
                    evidence,
                })
            })
            .collect();
        pairs.par_sort_unstable_by_key(|p| (p.a, p.b));
        (pairs, started.elapsed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_order_permutes_pairs_into_tiles() {
        for docs in [1usize, 5_000, 3_000_000] {
            let n = docs as u64;
            let mut pairs: Vec<CandidatePair> = (0..20_000u64)
                .map(|i| {
                    let (x, y) = (crate::hashed::mix64(i) % n, crate::hashed::mix64(!i) % n);
                    (x.min(y) as u32, x.max(y) as u32)
                })
                .collect();
            pairs.sort_unstable();
            pairs.dedup();
            let tiled = tile_order(&pairs, docs);
            let mut back = tiled.clone();
            back.sort_unstable();
            assert_eq!(back, pairs, "a permutation");
            // Each tile is one run: once left, never met again.
            let side_shift = if docs > 1 << 20 { 12 } else { TILE_SHIFT };
            let key = |&(a, b): &CandidatePair| (a >> side_shift, b >> side_shift);
            let mut seen = std::collections::HashSet::new();
            for run in tiled.chunk_by(|p, q| key(p) == key(q)) {
                assert!(seen.insert(key(&run[0])), "tile {:?} split", key(&run[0]));
            }
        }
    }
}
