//! The copy lane: exact copies by content hash, and near copies by LSH over the copy-lane
//! signatures, verified by (estimated or exact) shingle Jaccard and joined by union-find.
//!
//! Under the story preset the copy clusters come first: each is represented in the story lane
//! by its earliest member (`story_of`), so that a text republished ten times neither turns its
//! own lines into boilerplate nor multiplies every story candidate by ten.
//!
//! Invariant: exact copies never enter the LSH index; each is paired with its first occurrence
//! directly, so a text repeated 100,000 times costs 100,000 pairs, not a bucket of 100,000
//! documents in every band.

use super::config::EngineConfig;
use super::contain::ContainFeatures;
use super::verify::tile_order;
use crate::candidates::bands::candidates;
use crate::candidates::pairs::union_sorted;
use crate::candidates::CandidatePair;
use crate::cluster::UnionFind;
use crate::error::Result;
use crate::hashed::HashedMap;
use crate::score::{copies, exact_jaccard};
use crate::sketch::Signatures;
use rayon::prelude::*;

/// Exact copies by content hash: the first document with each content, by position.
#[derive(Debug, Default)]
pub(crate) struct ExactCopies {
    first_with_content: HashedMap<u32>,
}

impl ExactCopies {
    /// The earlier document with the same content as document `pos`, or `None` when `pos` is
    /// the first (or has no words: empty documents are nobody's copy).
    pub(crate) fn observe(&mut self, content: Option<u64>, pos: u32) -> Option<u32> {
        content.and_then(|h| match self.first_with_content.entry(h) {
            std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(pos);
                None
            }
        })
    }
}

/// Each exact copy paired with its original, `(original, copy)`, in the copy's order.
pub(crate) fn exact_pairs(dup_of: &[Option<u32>]) -> impl Iterator<Item = CandidatePair> + '_ {
    dup_of
        .iter()
        .enumerate()
        .filter_map(|(i, d)| d.map(|d| (d, i as u32)))
}

/// The copy lane's LSH candidates, and with containment on the pairs whose leads share a band
/// (sorted, unique); exact copies stay out of both indexes.
pub(crate) fn copy_candidates(
    cfg: &EngineConfig,
    sigs: &Signatures,
    contain: Option<&ContainFeatures>,
    dup_of: &[Option<u32>],
) -> Result<Vec<CandidatePair>> {
    let skip: Vec<bool> = dup_of.iter().map(Option::is_some).collect();
    let Some(c) = contain else {
        return candidates(sigs, &skip, cfg.copy_lsh()?, cfg.copy.max_bucket);
    };
    let banding = cfg.copy_lsh()?;
    // The two indexes are independent: built side by side.
    let (pairs, leads) = rayon::join(
        || candidates(sigs, &skip, banding, cfg.copy.max_bucket),
        || c.candidates(&skip, cfg.copy.max_bucket),
    );
    Ok(union_sorted(&pairs?, &leads))
}

/// Whether the copy lane joins two originals: a copy by Jaccard, or a trimmed copy.
pub(crate) fn copy_lane_joins(
    cfg: &EngineConfig,
    sigs: &Signatures,
    contain: Option<&ContainFeatures>,
    shingles: Option<&[Vec<u64>]>,
    a: usize,
    b: usize,
) -> bool {
    let j = match shingles {
        Some(s) => exact_jaccard(&s[a], &s[b]),
        None => sigs.similarity(a, b),
    };
    copies(j, cfg.thresholds.copy)
        || contain.is_some_and(|c| {
            c.contained(sigs, a, b)
                .is_some_and(|x| x.reaches(c.params.threshold))
        })
}

/// Copy clusters (exact and near copies): for every document the earliest member of its copy
/// cluster, and the copy lane's candidate pairs found on the way (kept for the final
/// candidate list, so that the lane is banded once).
pub(crate) fn copy_clusters(
    cfg: &EngineConfig,
    sigs: &Signatures,
    contain: Option<&ContainFeatures>,
    dup_of: &[Option<u32>],
    shingles: Option<&[Vec<u64>]>,
) -> Result<(Vec<u32>, Vec<CandidatePair>)> {
    let n = dup_of.len();
    let pairs = copy_candidates(cfg, sigs, contain, dup_of)?;
    // Checked in parallel and in tiles (two random signatures per pair, tens of millions of
    // pairs at a million documents; see `tile_order`). Union-find gives the same sets in any
    // order.
    let near: Vec<CandidatePair> = tile_order(&pairs, n)
        .par_iter()
        .filter(|&&(a, b)| copy_lane_joins(cfg, sigs, None, shingles, a as usize, b as usize))
        .copied()
        .collect();
    let mut uf = UnionFind::new(n);
    for (a, b) in near.into_iter().chain(exact_pairs(dup_of)) {
        uf.union(a, b);
    }
    let story_of = (0..n as u32).map(|i| uf.find(i)).collect();
    Ok((story_of, pairs))
}
