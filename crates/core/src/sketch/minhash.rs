//! Classic MinHash (Broder 1997): a shingle set goes in, `num_perm` minima of independent hash
//! functions come out. Position i holds the top 32 bits of `min over s of mix64(s ^ seed_i)`;
//! Pr[two sets agree at i] = Jaccard (up to 2^-32 collisions).

/// Sign a shingle set (duplicates allowed) into `out` (resized to `seeds.len()`).
pub fn sign_into(shingles: &[u64], seeds: &[u64], out: &mut Vec<u32>) {
    out.clear();
    out.resize(seeds.len(), super::EMPTY);
    if shingles.is_empty() {
        return;
    }
    let mut mins = vec![u64::MAX; seeds.len()];
    for &s in shingles {
        for (m, &seed) in mins.iter_mut().zip(seeds) {
            let v = crate::hashed::mix64(s ^ seed);
            if v < *m {
                *m = v;
            }
        }
    }
    for (o, m) in out.iter_mut().zip(mins) {
        // Never produce the empty marker for a non-empty set.
        *o = ((m >> 32) as u32).min(super::EMPTY - 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::exact_jaccard;
    use crate::sketch::{estimate, SketchParams};
    use proptest::prelude::*;

    fn sign(set: &[u64], p: &SketchParams) -> Vec<u32> {
        let mut out = Vec::new();
        sign_into(set, &p.position_seeds(), &mut out);
        out
    }

    #[test]
    fn identical_sets_have_identical_signatures() {
        let p = SketchParams::default();
        assert_eq!(sign(&[1, 2, 3], &p), sign(&[3, 2, 1, 1], &p));
    }

    #[test]
    fn empty_set_never_matches() {
        let p = SketchParams::default();
        assert_eq!(estimate(&sign(&[], &p), &sign(&[], &p)), 0.0);
    }

    #[test]
    fn seed_changes_signature() {
        let a = SketchParams {
            seed: 1,
            ..Default::default()
        };
        let b = SketchParams {
            seed: 2,
            ..Default::default()
        };
        assert_ne!(sign(&[1, 2, 3], &a), sign(&[1, 2, 3], &b));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// The estimate is a mean of k Bernoulli(J) draws: its standard deviation is
        /// sqrt(J(1-J)/k) <= 0.5/sqrt(k). Allow 5 standard deviations (k = 256: 0.156),
        /// a bound a broken hash family or an off-by-one in the estimator would break.
        #[test]
        fn estimate_within_statistical_bound_of_exact(
            common in 0u64..300, only_a in 0u64..300, only_b in 0u64..300, salt in any::<u64>()
        ) {
            prop_assume!(common + only_a + only_b > 0);
            let a: Vec<u64> = (0..common).chain(1000..1000 + only_a).map(|x| x ^ salt).collect();
            let b: Vec<u64> = (0..common).chain(5000..5000 + only_b).map(|x| x ^ salt).collect();
            let p = SketchParams { num_perm: 256, seed: salt };
            let j = exact_jaccard(&crate::shingle::into_set(a.clone()), &crate::shingle::into_set(b.clone()));
            let est = estimate(&sign(&a, &p), &sign(&b, &p));
            let sd = (j * (1.0 - j) / 256.0).sqrt();
            prop_assert!((est - j).abs() <= 5.0 * sd + 1e-9, "exact {j} estimate {est}");
        }
    }
}
