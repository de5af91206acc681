//! Verification scheduling: candidate pairs are verified in cache-sized tiles of the collection
//! ([`tile_order`]), so that the documents a tile's pairs read stay in the cache.
//!
//! Invariant: verification changes no decision with its order or speed-ups: pairs may come in
//! any order (the result is sorted), the block-wise cosine is bit-identical to the merge, and
//! `Signatures::may_reach` rejects only pairs that cannot reach the copy threshold.

use crate::candidates::CandidatePair;

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
/// read many times.
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
