//! LSH banding: signatures go in, candidate pairs come out. A signature of `bands x rows`
//! values is cut into bands; two documents become candidates when all rows of some band agree.
//! The chance of that for similarity s is `1 - (1 - s^rows)^bands` (the S-curve).
//!
//! [`LshParams::optimal`] picks bands x rows for a threshold by minimising the false-positive
//! area (integral of the S-curve below the threshold) plus the false-negative area (integral of
//! its complement above it), with equal weights, as datasketch's `_optimal_param` does.
//!
//! Invariant: candidate pairs come out as `(i, j)` with `i < j`, sorted and unique, whatever the
//! order of insertion, so everything downstream is deterministic.

use super::pairs::{pack, sort_dedup, union_sorted, CandidatePair};
use crate::error::{Error, Result};
use crate::sketch::{Signatures, EMPTY};
use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Banding of a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LshParams {
    /// Number of bands.
    pub bands: usize,
    /// Rows (signature positions) per band.
    pub rows: usize,
}

fn integrate(f: impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    // Composite Simpson's rule; the integrands are smooth polynomials in s.
    let n = 200;
    let h = (b - a) / n as f64;
    let mut sum = f(a) + f(b);
    for i in 1..n {
        let x = a + i as f64 * h;
        sum += if i % 2 == 1 { 4.0 } else { 2.0 } * f(x);
    }
    sum * h / 3.0
}

impl LshParams {
    /// Probability that a pair of similarity `s` becomes a candidate.
    pub fn candidate_probability(&self, s: f64) -> f64 {
        1.0 - (1.0 - s.powi(self.rows as i32)).powi(self.bands as i32)
    }

    /// The similarity at which the S-curve crosses 50%.
    pub fn midpoint(&self) -> f64 {
        (1.0 - 0.5f64.powf(1.0 / self.bands as f64)).powf(1.0 / self.rows as f64)
    }

    /// The bands x rows (with bands x rows <= num_perm) that minimise false-positive plus
    /// false-negative area around `threshold`.
    pub fn optimal(threshold: f64, num_perm: usize) -> Result<Self> {
        if !(0.0..=1.0).contains(&threshold) || num_perm == 0 {
            return Err(Error::Config(format!(
                "threshold must be in [0, 1] and num_perm > 0 (got {threshold}, {num_perm})"
            )));
        }
        let mut best = (f64::INFINITY, LshParams { bands: 1, rows: 1 });
        for bands in 1..=num_perm {
            for rows in 1..=num_perm / bands {
                let p = LshParams { bands, rows };
                let fp = integrate(|s| p.candidate_probability(s), 0.0, threshold);
                let fne = integrate(|s| 1.0 - p.candidate_probability(s), threshold, 1.0);
                let err = fp + fne;
                if err < best.0 - 1e-12 {
                    best = (err, p);
                }
            }
        }
        Ok(best.1)
    }

    /// Error unless the banding fits in signatures of `num_perm` values.
    pub fn check(&self, num_perm: usize) -> Result<()> {
        if self.bands == 0 || self.rows == 0 || self.bands * self.rows > num_perm {
            return Err(Error::Config(format!(
                "bands x rows = {} x {} must be at least 1 x 1 and fit in num_perm = {num_perm}",
                self.bands, self.rows
            )));
        }
        Ok(())
    }
}

/// The key of band `band` of signature `sig`: xxh3 of its rows' little-endian bytes, seeded by
/// the band number, or `None` when a row holds the empty-set marker (an empty document is
/// nobody's candidate). `buf` is scratch space. This is the one definition of a band key:
/// every index, stage file or job that bands signatures must band them with it.
#[inline]
pub fn band_key(sig: &[u32], params: LshParams, band: usize, buf: &mut Vec<u8>) -> Option<u64> {
    let rows = &sig[band * params.rows..(band + 1) * params.rows];
    if rows.contains(&EMPTY) {
        return None;
    }
    buf.clear();
    for r in rows {
        buf.extend_from_slice(&r.to_le_bytes());
    }
    Some(xxh3_64_with_seed(buf, band as u64))
}

/// Every band key of `sig` ([`band_key`]), band by band.
pub fn band_keys(sig: &[u32], params: LshParams) -> Vec<Option<u64>> {
    let mut buf = Vec::with_capacity(params.rows * 4);
    (0..params.bands)
        .map(|b| band_key(sig, params, b, &mut buf))
        .collect()
}

/// Candidate pairs of a collection. A bucket holding more than `max_bucket` documents (exact or
/// near-exact copies of one text, or a degenerate band) is not expanded into all its pairs:
/// each member is paired with the bucket's first member instead, which keeps the pairs linear
/// in the bucket size and, since such buckets hold near-copies, keeps their cluster connected.
/// Documents with `skip[i]` set are left out of the index.
pub fn candidates(
    sigs: &Signatures,
    skip: &[bool],
    params: LshParams,
    max_bucket: usize,
) -> Result<Vec<CandidatePair>> {
    candidates_weak(sigs, skip, params, max_bucket, 0)
}

/// [`candidates`], where a pair met only in buckets of more than `weak` documents is kept
/// only when it meets in two bands or more (`weak` 0: every pair is kept, as `candidates`).
pub fn candidates_weak(
    sigs: &Signatures,
    skip: &[bool],
    params: LshParams,
    max_bucket: usize,
    weak: usize,
) -> Result<Vec<CandidatePair>> {
    params.check(sigs.params.num_perm)?;
    let weak = if weak == 0 { usize::MAX } else { weak };
    // Pairs packed as `a << 32 | b`: sorting and deduplicating u64s is cheaper than tuples.
    let mut pairs: Vec<u64> = Vec::new();
    let mut weak_pairs: Vec<u64> = Vec::new();
    // Bands are independent: as many as there are threads are bucketed at once, each band's
    // pairs sorted and deduplicated in its own thread, then merged into the pairs so far (a
    // linear pass instead of one serial sort of every band's pairs). The result is the sorted
    // union whatever the threads. One group at a time keeps at most that many bands' pairs in
    // flight.
    let bands: Vec<usize> = (0..params.bands).collect();
    for group in bands.chunks(rayon::current_num_threads().max(1)) {
        let outs: Vec<(Vec<u64>, Vec<u64>)> = group
            .par_iter()
            .map(|&band| {
                let (mut p, w) = band_pairs(sigs, skip, params, band, max_bucket, weak);
                sort_dedup(&mut p);
                (p, w)
            })
            .collect();
        for (p, w) in outs {
            pairs = union_sorted(&pairs, &p);
            weak_pairs.extend_from_slice(&w);
        }
    }
    if !weak_pairs.is_empty() {
        weak_pairs.sort_unstable();
        let mut keep: Vec<u64> = Vec::new();
        for run in weak_pairs.chunk_by(|x, y| x == y) {
            if run.len() >= 2 || pairs.binary_search(&run[0]).is_ok() {
                keep.push(run[0]);
            }
        }
        pairs.extend(keep);
        sort_dedup(&mut pairs);
    }
    Ok(pairs
        .into_iter()
        .map(|p| ((p >> 32) as u32, p as u32))
        .collect())
}

/// One band's pairs (each at most once: a document is in one bucket per band), and its weak
/// pairs (see [`candidates_weak`]).
fn band_pairs(
    sigs: &Signatures,
    skip: &[bool],
    params: LshParams,
    band: usize,
    max_bucket: usize,
    weak: usize,
) -> (Vec<u64>, Vec<u64>) {
    let n = sigs.len();
    let (mut pairs, mut weak_pairs) = (Vec::new(), Vec::new());
    // A band's buckets: (key, document) sorted, so each bucket is a run with its members in
    // input order. One sort per band instead of a hash map of small vectors, which costs an
    // allocation per bucket.
    let mut keyed: Vec<(u64, u32)> = Vec::with_capacity(n);
    let mut key_bytes: Vec<u8> = Vec::with_capacity(params.rows * 4);
    for doc in 0..n {
        if skip.get(doc).copied().unwrap_or(false) {
            continue;
        }
        if let Some(key) = band_key(sigs.get(doc), params, band, &mut key_bytes) {
            keyed.push((key, doc as u32));
        }
    }
    keyed.sort_unstable();
    for bucket in keyed.chunk_by(|x, y| x.0 == y.0) {
        if bucket.len() < 2 {
            continue;
        }
        let first = bucket[0].1;
        let out = if bucket.len() > weak {
            &mut weak_pairs
        } else {
            &mut pairs
        };
        if bucket.len() > max_bucket {
            out.extend(bucket[1..].iter().map(|&(_, m)| pack(first, m)));
        } else {
            for (x, &(_, a)) in bucket.iter().enumerate() {
                out.extend(bucket[x + 1..].iter().map(|&(_, b)| pack(a, b)));
            }
        }
    }
    (pairs, weak_pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::sketch::{Scheme, SketchParams};

    #[test]
    fn optimal_for_high_threshold_has_midpoint_near_it() {
        let p = LshParams::optimal(0.8, 128).unwrap();
        assert!(p.bands * p.rows <= 128);
        assert!(
            (p.midpoint() - 0.8).abs() < 0.1,
            "{p:?} mid {}",
            p.midpoint()
        );
    }

    #[test]
    fn lower_threshold_gives_lower_midpoint() {
        let lo = LshParams::optimal(0.3, 128).unwrap();
        let hi = LshParams::optimal(0.8, 128).unwrap();
        assert!(lo.midpoint() < hi.midpoint());
    }

    #[test]
    fn s_curve_is_monotone() {
        let p = LshParams { bands: 16, rows: 8 };
        let mut last = 0.0;
        for i in 0..=100 {
            let v = p.candidate_probability(i as f64 / 100.0);
            assert!(v >= last);
            last = v;
        }
    }

    fn sigs(rows: &[[u32; 4]]) -> Signatures {
        let mut s = Signatures::new(crate::sketch::SketchRecipe::test(
            Scheme::MinHash,
            SketchParams {
                num_perm: 4,
                seed: 0,
            },
        ));
        for r in rows {
            s.push(r);
        }
        s
    }

    #[test]
    fn equal_band_makes_candidate_once() {
        let s = sigs(&[[1, 2, 3, 4], [1, 2, 9, 9], [7, 7, 3, 4]]);
        let pairs = candidates(&s, &[], LshParams { bands: 2, rows: 2 }, 100).unwrap();
        assert_eq!(pairs, vec![(0, 1), (0, 2)]);
    }

    #[test]
    fn weak_buckets_keep_only_pairs_that_meet_twice() {
        // Band 0 (rows 0-1): documents 0-3 share a common value (a bucket of 4 > weak 2).
        // Band 1 (rows 2-3): 0 and 1 meet again; 2 and 4 meet in a bucket of 2 (not weak).
        let s = sigs(&[
            [5, 5, 1, 1],
            [5, 5, 1, 1],
            [5, 5, 2, 2],
            [5, 5, 3, 3],
            [9, 9, 2, 2],
        ]);
        let p = LshParams { bands: 2, rows: 2 };
        let all = candidates(&s, &[], p, 100).unwrap();
        assert_eq!(all.len(), 7);
        let weak = candidates_weak(&s, &[], p, 100, 2).unwrap();
        assert_eq!(weak, vec![(0, 1), (2, 4)]);
        // A limit no bucket exceeds changes nothing.
        assert_eq!(candidates_weak(&s, &[], p, 100, 4).unwrap(), all);
    }

    #[test]
    fn oversized_bucket_pairs_with_first_member_only() {
        let s = sigs(&[[1, 1, 1, 1]; 5]);
        let pairs = candidates(&s, &[], LshParams { bands: 1, rows: 4 }, 3).unwrap();
        assert_eq!(pairs, vec![(0, 1), (0, 2), (0, 3), (0, 4)]);
    }

    #[test]
    fn empty_signatures_never_collide() {
        let s = sigs(&[[EMPTY; 4], [EMPTY; 4]]);
        assert!(candidates(&s, &[], LshParams { bands: 4, rows: 1 }, 100)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn banding_larger_than_signature_is_an_error() {
        let s = sigs(&[[1, 2, 3, 4]]);
        assert!(candidates(&s, &[], LshParams { bands: 3, rows: 2 }, 100).is_err());
    }
}
