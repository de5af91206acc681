//! Candidate pairs as sorted lists: a pair of documents `(a, b)` with `a < b`, and the sorted
//! list operations every candidate generator shares (a merge-union, a radix sort with
//! deduplication, a pair packed into one sortable `u64`).
//!
//! Invariant: every list these functions return is sorted and free of duplicates, whatever the
//! order its inputs were produced in, so everything downstream is deterministic.

/// A candidate pair of documents, by position in the collection, `a < b`.
pub type CandidatePair = (u32, u32);

/// The sorted union of two sorted lists without duplicates (a merge: both lists come
/// sorted, from a band here or from the LSH stage in the engine, and re-sorting millions of
/// pairs is wasted work).
pub fn union_sorted<T: Ord + Copy>(x: &[T], y: &[T]) -> Vec<T> {
    debug_assert!(x.is_sorted() && y.is_sorted());
    let mut out = Vec::with_capacity(x.len() + y.len());
    let (mut i, mut j) = (0, 0);
    while i < x.len() && j < y.len() {
        let (a, b) = (x[i], y[j]);
        out.push(a.min(b));
        i += usize::from(a <= b);
        j += usize::from(b <= a);
    }
    out.extend_from_slice(&x[i..]);
    out.extend_from_slice(&y[j..]);
    out
}

/// Sort and deduplicate `v`: a least-significant-digit radix sort by 11-bit digits, skipping
/// the digits that every key shares (pairs of a collection of n documents vary in about
/// 2 log2(n) of their 64 bits). Candidate lists run to millions of pairs, and this takes a
/// quarter of a comparison sort's time on them.
pub fn sort_dedup(v: &mut Vec<u64>) {
    radix_sort(v);
    v.dedup();
}

/// Sort `v` (the radix sort of [`sort_dedup`]; short lists take a comparison sort).
pub fn radix_sort(v: &mut Vec<u64>) {
    const BITS: u32 = 11;
    const RADIX: usize = 1 << BITS;
    if v.len() < 1 << 12 {
        v.sort_unstable();
        return;
    }
    let (mut or, mut and) = (0u64, u64::MAX);
    for &x in v.iter() {
        or |= x;
        and &= x;
    }
    let varying = or ^ and;
    let mut buf = vec![0u64; v.len()];
    let mut shift = 0;
    while shift < 64 {
        let mask = ((RADIX - 1) as u64) << shift;
        if varying & mask != 0 {
            let digit = |x: u64| ((x >> shift) as usize) & (RADIX - 1);
            let mut start = [0usize; RADIX + 1];
            for &x in v.iter() {
                start[digit(x) + 1] += 1;
            }
            for i in 1..=RADIX {
                start[i] += start[i - 1];
            }
            for &x in v.iter() {
                let d = digit(x);
                buf[start[d]] = x;
                start[d] += 1;
            }
            std::mem::swap(v, &mut buf);
        }
        shift += BITS;
    }
}

/// A pair as one sortable u64 (members are in input order within a bucket, so `a < b`).
#[inline]
pub(crate) fn pack(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The four checks of a sorted union, on two sorted lists without duplicates.
    fn check_union<T: Ord + Copy + std::fmt::Debug>(x: &[T], y: &[T]) {
        let mut want = [x, y].concat();
        want.sort_unstable();
        want.dedup();
        assert_eq!(union_sorted(x, y), want);
        assert_eq!(union_sorted(y, x), want);
        assert_eq!(union_sorted(&[], y), y);
        assert_eq!(union_sorted(x, &[]), x);
    }

    #[test]
    fn union_sorted_is_the_sorted_union() {
        check_union(&[1u64, 4, 5, 9], &[0u64, 4, 6, 9, 12]);
        check_union::<CandidatePair>(
            &[(0, 1), (0, 5), (2, 3), (7, 9)],
            &[(0, 5), (1, 2), (7, 9), (8, 9), (9, 10)],
        );
    }

    #[test]
    fn radix_sort_dedup_is_sort_dedup() {
        for (n, mask) in [
            (100usize, u64::MAX),
            (50_000, u64::MAX),
            (50_000, 0xffff_0000_ffff),
            (50_000, 7 << 40),
        ] {
            let mut v: Vec<u64> = (0..n as u64)
                .map(|i| crate::hashed::mix64(i % (n as u64 / 3 + 1)) & mask)
                .collect();
            let mut want = v.clone();
            want.sort_unstable();
            want.dedup();
            sort_dedup(&mut v);
            assert_eq!(v, want);
        }
    }
}
