//! Evaluation metrics: predicted clusters and gold labels (or pair scores and pair labels) go in,
//! numbers come out. Pure functions, no I/O.
//! - clusterings: pairwise precision/recall/F1, B-cubed precision/recall/F1 (Bagga and Baldwin
//!   1998), adjusted Rand index (Hubert and Arabie 1985);
//! - scored pairs: ROC AUC (Mann-Whitney, ties count one half), the threshold of best F1,
//!   Spearman (Pearson of average ranks) and Pearson correlation.

use std::collections::BTreeMap;

/// Precision, recall and F1.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct Prf {
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// Harmonic mean of the two.
    pub f1: f64,
}

impl Prf {
    /// From counts; 0/0 counts as 1 (nothing claimed, nothing wrong).
    pub fn from_counts(tp: f64, predicted: f64, gold: f64) -> Self {
        let precision = if predicted == 0.0 {
            1.0
        } else {
            tp / predicted
        };
        let recall = if gold == 0.0 { 1.0 } else { tp / gold };
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        Prf {
            precision,
            recall,
            f1,
        }
    }
}

fn pairs(n: u64) -> f64 {
    (n * n.saturating_sub(1) / 2) as f64
}

/// Quality of a clustering against gold labels (both: one label per item, any type).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ClusterQuality {
    /// Pairwise: a pair is positive when both items share a cluster.
    pub pairwise: Prf,
    /// B-cubed, averaged over items.
    pub bcubed: Prf,
    /// Adjusted Rand index.
    pub ari: f64,
    /// Number of gold positive pairs.
    pub gold_pairs: u64,
    /// Number of predicted positive pairs.
    pub predicted_pairs: u64,
}

/// Compare predicted cluster labels with gold labels, item by item.
pub fn cluster_quality(predicted: &[usize], gold: &[usize]) -> ClusterQuality {
    assert_eq!(predicted.len(), gold.len(), "one label per item in both");
    let n = predicted.len();
    // Ordered maps: the B-cubed sums add fractions, and a sum in hash order would differ in
    // its last digits from run to run.
    let mut joint: BTreeMap<(usize, usize), u64> = BTreeMap::new();
    let mut pred_size: BTreeMap<usize, u64> = BTreeMap::new();
    let mut gold_size: BTreeMap<usize, u64> = BTreeMap::new();
    for (&p, &g) in predicted.iter().zip(gold) {
        *joint.entry((p, g)).or_default() += 1;
        *pred_size.entry(p).or_default() += 1;
        *gold_size.entry(g).or_default() += 1;
    }
    let tp: f64 = joint.values().map(|&c| pairs(c)).sum();
    let pp: f64 = pred_size.values().map(|&c| pairs(c)).sum();
    let gp: f64 = gold_size.values().map(|&c| pairs(c)).sum();
    let pairwise = Prf::from_counts(tp, pp, gp);
    // B-cubed: item i's precision is |pred(i) ∩ gold(i)| / |pred(i)|; summing over the items of
    // one (pred, gold) cell gives c * c / |pred|.
    let (mut bp, mut br) = (0.0, 0.0);
    for (&(p, g), &c) in &joint {
        bp += (c * c) as f64 / pred_size[&p] as f64;
        br += (c * c) as f64 / gold_size[&g] as f64;
    }
    let bcubed = if n == 0 {
        Prf::from_counts(0.0, 0.0, 0.0)
    } else {
        let (p, r) = (bp / n as f64, br / n as f64);
        Prf {
            precision: p,
            recall: r,
            f1: if p + r == 0.0 {
                0.0
            } else {
                2.0 * p * r / (p + r)
            },
        }
    };
    let total = pairs(n as u64);
    let expected = if total == 0.0 { 0.0 } else { pp * gp / total };
    let max = (pp + gp) / 2.0;
    let ari = if (max - expected).abs() < 1e-12 {
        1.0
    } else {
        (tp - expected) / (max - expected)
    };
    ClusterQuality {
        pairwise,
        bcubed,
        ari,
        gold_pairs: gp as u64,
        predicted_pairs: pp as u64,
    }
}

/// ROC AUC of scores for binary labels: the probability that a random positive outscores a
/// random negative (ties count one half). `None` without both classes.
pub fn roc_auc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    let ranks = average_ranks(scores);
    let pos = labels.iter().filter(|&&l| l).count() as f64;
    let neg = labels.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return None;
    }
    let rank_sum: f64 = ranks
        .iter()
        .zip(labels)
        .filter(|(_, &l)| l)
        .map(|(r, _)| r)
        .sum();
    Some((rank_sum - pos * (pos + 1.0) / 2.0) / (pos * neg))
}

/// Ranks 1..n, ties sharing their average rank.
pub fn average_ranks(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut ranks = vec![0.0; x.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && x[idx[j + 1]] == x[idx[i]] {
            j += 1;
        }
        let r = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            ranks[k] = r;
        }
        i = j + 1;
    }
    ranks
}

/// Pearson correlation; `None` when either side is constant.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len() as f64;
    if n < 2.0 {
        return None;
    }
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx == 0.0 || syy == 0.0 {
        None
    } else {
        Some(sxy / (sxx * syy).sqrt())
    }
}

/// Spearman rank correlation.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    pearson(&average_ranks(x), &average_ranks(y))
}

/// Binary metrics when predicting "positive" for score >= threshold.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct AtThreshold {
    /// The threshold.
    pub threshold: f64,
    /// Precision, recall, F1 of the positive class.
    pub prf: Prf,
    /// Fraction of pairs classified correctly.
    pub accuracy: f64,
}

/// Metrics of scored pairs at one threshold.
pub fn at_threshold(scores: &[f64], labels: &[bool], threshold: f64) -> AtThreshold {
    let (mut tp, mut fp, mut fne, mut tn) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for (&s, &l) in scores.iter().zip(labels) {
        match (s >= threshold, l) {
            (true, true) => tp += 1.0,
            (true, false) => fp += 1.0,
            (false, true) => fne += 1.0,
            (false, false) => tn += 1.0,
        }
    }
    let n = (tp + fp + fne + tn).max(1.0);
    AtThreshold {
        threshold,
        prf: Prf::from_counts(tp, tp + fp, tp + fne),
        accuracy: (tp + tn) / n,
    }
}

/// The threshold (one of the scores) with the best F1; ties go to the higher threshold.
pub fn best_f1(scores: &[f64], labels: &[bool]) -> Option<AtThreshold> {
    let mut cands: Vec<f64> = scores.to_vec();
    cands.sort_by(f64::total_cmp);
    cands.dedup();
    cands
        .into_iter()
        .map(|t| at_threshold(scores, labels, t))
        .max_by(|a, b| {
            a.prf
                .f1
                .total_cmp(&b.prf.f1)
                .then(a.threshold.total_cmp(&b.threshold))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: B-cubed was summed in hash-map order, so `eval` printed precision and
    /// recall that differed in their last digits from run to run.
    #[test]
    fn bcubed_is_the_same_to_the_bit_every_time() {
        let n = 2000u64;
        let pred: Vec<usize> = (0..n)
            .map(|i| (crate::hashed::mix64(i) % 97) as usize)
            .collect();
        let gold: Vec<usize> = (0..n)
            .map(|i| (crate::hashed::mix64(!i) % 89) as usize)
            .collect();
        let first = cluster_quality(&pred, &gold);
        for _ in 0..20 {
            let again = cluster_quality(&pred, &gold);
            assert_eq!(
                again.bcubed.precision.to_bits(),
                first.bcubed.precision.to_bits()
            );
            assert_eq!(again.bcubed.recall.to_bits(), first.bcubed.recall.to_bits());
        }
    }

    #[test]
    fn perfect_clustering_scores_one() {
        let q = cluster_quality(&[0, 0, 1, 2], &[5, 5, 6, 7]);
        assert_eq!(q.pairwise.f1, 1.0);
        assert_eq!(q.bcubed.f1, 1.0);
        assert!((q.ari - 1.0).abs() < 1e-12);
    }

    #[test]
    fn merging_everything_loses_precision() {
        let q = cluster_quality(&[0, 0, 0, 0], &[1, 1, 2, 2]);
        assert_eq!(q.pairwise.recall, 1.0);
        assert!((q.pairwise.precision - 2.0 / 6.0).abs() < 1e-12);
        assert!((q.bcubed.precision - 0.5).abs() < 1e-12);
        assert!(q.ari <= 0.0);
    }

    #[test]
    fn ari_matches_a_hand_computed_case() {
        // Contingency [[2,1],[0,2]] for pred {0,0,0,1,1} vs gold {a,a,b,b,b}: index
        // C(2,2)+C(2,2) = 2, pred pairs 3+1 = 4, gold pairs 1+3 = 4, expected 4*4/10 = 1.6,
        // max 4, ARI = (2-1.6)/(4-1.6) = 1/6.
        let q = cluster_quality(&[0, 0, 0, 1, 1], &[0, 0, 1, 1, 1]);
        assert!((q.ari - 1.0 / 6.0).abs() < 1e-12, "{}", q.ari);
    }

    #[test]
    fn auc_of_perfect_and_reversed_ranking() {
        let labels = [false, false, true, true];
        assert_eq!(roc_auc(&[0.1, 0.2, 0.8, 0.9], &labels), Some(1.0));
        assert_eq!(roc_auc(&[0.9, 0.8, 0.2, 0.1], &labels), Some(0.0));
        assert_eq!(roc_auc(&[0.5; 4], &labels), Some(0.5));
    }

    #[test]
    fn spearman_is_one_for_monotone_relation() {
        let x = [1.0, 2.0, 3.0, 4.0];
        let y = [1.0, 4.0, 9.0, 16.0];
        assert!((spearman(&x, &y).unwrap() - 1.0).abs() < 1e-12);
        assert!(pearson(&x, &y).unwrap() < 1.0);
    }

    #[test]
    fn best_f1_finds_the_separating_threshold() {
        let b = best_f1(&[0.1, 0.2, 0.7, 0.9], &[false, false, true, true]).unwrap();
        assert_eq!(b.threshold, 0.7);
        assert_eq!(b.prf.f1, 1.0);
    }
}
