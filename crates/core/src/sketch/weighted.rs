//! P-MinHash over weighted sets (an exponential race: Moulton and Jiang 2018, "Maximally
//! Consistent Sampling and the Jaccard Index of Probability Distributions"; Ertl 2020,
//! ProbMinHash). A sparse vector of (term, weight > 0) goes in; position i holds the term that
//! minimises `-ln(U_i(term)) / weight`, with `U_i` a uniform hash. Each term wins with
//! probability proportional to its weight, and two vectors agree at a position with probability
//! equal to their probability Jaccard, so distinctive (high-IDF) terms dominate the sketch.

/// Sign a weighted set into `out` (resized to `seeds.len()`). Terms with weight <= 0 are
/// ignored; an empty set gives the empty marker everywhere.
pub fn sign_into(terms: &[u64], weights: &[f32], seeds: &[u64], out: &mut Vec<u32>) {
    out.clear();
    out.resize(seeds.len(), super::EMPTY);
    let mut best = vec![f64::INFINITY; seeds.len()];
    for (&t, &w) in terms.iter().zip(weights) {
        if w <= 0.0 || !w.is_finite() {
            continue;
        }
        let inv_w = 1.0 / w as f64;
        for ((b, o), &seed) in best.iter_mut().zip(out.iter_mut()).zip(seeds) {
            let h = crate::hashed::mix64(t ^ seed);
            // Uniform in (0, 1]: 53 high bits, shifted away from zero.
            let u = ((h >> 11) as f64 + 1.0) * (1.0 / (1u64 << 53) as f64);
            // -ln(u) >= 1 - u: when even that bound loses, the logarithm is not needed (most
            // candidates, once a few terms have set the minima). Same result, fewer `ln`s; the
            // bound is shaded by 1e-12 so that rounding in `ln` can never flip a comparison.
            if (1.0 - u) * inv_w * (1.0 - 1e-12) >= *b {
                continue;
            }
            let v = -u.ln() * inv_w;
            if v < *b {
                *b = v;
                *o = ((crate::hashed::mix64(t) >> 32) as u32).min(super::EMPTY - 1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sketch::{estimate, SketchParams};

    /// Probability Jaccard: sum over shared terms t of 1 / sum over all terms s of
    /// max(x_s / x_t, y_s / y_t).
    fn probability_jaccard(a: &[(u64, f32)], b: &[(u64, f32)]) -> f64 {
        use std::collections::BTreeMap;
        let mut all: BTreeMap<u64, (f64, f64)> = BTreeMap::new();
        for &(t, w) in a {
            all.entry(t).or_default().0 = w as f64;
        }
        for &(t, w) in b {
            all.entry(t).or_default().1 = w as f64;
        }
        let mut j = 0.0;
        for (_, &(xt, yt)) in all.iter() {
            if xt > 0.0 && yt > 0.0 {
                let d: f64 = all.values().map(|&(xs, ys)| (xs / xt).max(ys / yt)).sum();
                j += 1.0 / d;
            }
        }
        j
    }

    fn sign(v: &[(u64, f32)], p: &SketchParams) -> Vec<u32> {
        let (t, w): (Vec<u64>, Vec<f32>) = v.iter().copied().unzip();
        let mut out = Vec::new();
        sign_into(&t, &w, &p.position_seeds(), &mut out);
        out
    }

    #[test]
    fn estimate_tracks_probability_jaccard() {
        let a: Vec<(u64, f32)> = (0..60).map(|i| (i, 1.0 + (i % 7) as f32)).collect();
        let b: Vec<(u64, f32)> = (30..90).map(|i| (i, 1.0 + (i % 5) as f32)).collect();
        let p = SketchParams {
            num_perm: 1024,
            seed: 7,
        };
        let exact = probability_jaccard(&a, &b);
        let est = estimate(&sign(&a, &p), &sign(&b, &p));
        let sd = (exact * (1.0 - exact) / 1024.0).sqrt();
        assert!((est - exact).abs() < 5.0 * sd, "exact {exact} est {est}");
    }

    #[test]
    fn heavy_shared_term_dominates() {
        let a = [(1u64, 100.0f32), (2, 1.0), (3, 1.0)];
        let b = [(1u64, 100.0f32), (4, 1.0), (5, 1.0)];
        let p = SketchParams::default();
        assert!(estimate(&sign(&a, &p), &sign(&b, &p)) > 0.9);
    }

    #[test]
    fn scaling_weights_does_not_change_signature() {
        let a = [(1u64, 1.0f32), (2, 3.0), (3, 0.5)];
        let b = [(1u64, 2.0f32), (2, 6.0), (3, 1.0)];
        let p = SketchParams::default();
        assert_eq!(sign(&a, &p), sign(&b, &p));
    }

    /// The race run in full, a logarithm for every term and position.
    fn sign_reference(terms: &[u64], weights: &[f32], seeds: &[u64]) -> Vec<u32> {
        let mut out = vec![crate::sketch::EMPTY; seeds.len()];
        let mut best = vec![f64::INFINITY; seeds.len()];
        for (&t, &w) in terms.iter().zip(weights) {
            if w <= 0.0 || !w.is_finite() {
                continue;
            }
            for (i, &seed) in seeds.iter().enumerate() {
                let h = crate::hashed::mix64(t ^ seed);
                let u = ((h >> 11) as f64 + 1.0) * (1.0 / (1u64 << 53) as f64);
                let v = -u.ln() * (1.0 / w as f64);
                if v < best[i] {
                    best[i] = v;
                    out[i] = ((crate::hashed::mix64(t) >> 32) as u32).min(crate::sketch::EMPTY - 1);
                }
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn skipping_logarithms_changes_nothing(
            v in proptest::collection::vec((0u64..1_000_000, 0.001f32..100.0), 0..200)
        ) {
            let (t, w): (Vec<u64>, Vec<f32>) = v.into_iter().unzip();
            let seeds = SketchParams::default().position_seeds();
            let mut out = Vec::new();
            sign_into(&t, &w, &seeds, &mut out);
            proptest::prop_assert_eq!(out, sign_reference(&t, &w, &seeds));
        }
    }
}
