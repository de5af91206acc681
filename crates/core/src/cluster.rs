//! Clustering: verified pairs over documents `0..n` go in, [`Cluster`]s come out; every
//! document is in exactly one cluster (singletons included). Two linkages:
//!
//! - single ([`clusters`]): union-find with path halving; any verified pair joins two
//!   clusters, so A-B and B-C put A and C together even when A and C are unrelated. Right for
//!   copies (an edit of an edit is still a copy), wrong for stories, where a page that quotes
//!   two stories bridges them.
//! - average ([`average_linkage`]): pairs are taken best first, and two clusters join only
//!   when the mean score over their members' pairs reaches the threshold (the cut of UPGMA
//!   applied greedily), so a cluster grows only with support from the cluster, not from one
//!   member. Large clusters are represented by a bottom-k sample of their members (the 12 of
//!   lowest rank under a fixed mix of the position), kept up to date as clusters join.
//!
//! Invariant (determinism): clusters are ordered by their earliest member's input position,
//! members by input position, and the representative is the earliest member, whatever order
//! the pairs arrived in.

use crate::score::Evidence;
use rayon::prelude::*;

/// A set of documents judged to be the same story, by input position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    /// Cluster number, 0-based, in order of the earliest member.
    pub id: usize,
    /// Members by input position, ascending; the first is the representative.
    pub members: Vec<u32>,
}

impl Cluster {
    /// The representative: the earliest member in input order (the first-seen version, which
    /// is what a deduplicated corpus keeps).
    pub fn representative(&self) -> u32 {
        self.members[0]
    }
}

/// A verified pair with the preset's score (24 bytes: a run can verify tens of millions;
/// `Collection::scores` gives every measure of a pair again on demand).
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredPair {
    /// Earlier document (input position).
    pub a: u32,
    /// Later document.
    pub b: u32,
    /// The preset's score of the pair (`PairScores::primary`).
    pub similarity: f64,
    /// Why it was joined.
    pub evidence: Evidence,
}

/// The result of clustering a collection.
#[derive(Debug, Clone)]
pub struct ClusterRun {
    /// Clusters in order of their earliest member; every document is in one.
    pub clusters: Vec<Cluster>,
    /// Verified pairs, sorted by `(a, b)`.
    pub pairs: Vec<ScoredPair>,
    /// The verified pairs that joined two clusters (indices into `pairs`, ascending): a
    /// spanning tree of each cluster, the path by which its members came together.
    pub joins: Vec<u32>,
    /// For every document, the preset's score against its cluster's representative (1 for the
    /// representative itself).
    pub similarity_to_representative: Vec<f64>,
    /// Number of candidate pairs the LSH stage proposed.
    pub candidates: usize,
    /// Wall time of each stage of clustering, for `--verbose`.
    pub stages: Vec<(&'static str, std::time::Duration)>,
}

/// Disjoint sets over `0..n`.
#[derive(Debug, Clone)]
pub struct UnionFind {
    parent: Vec<u32>,
}

impl UnionFind {
    /// `n` singletons.
    pub fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n as u32).collect(),
        }
    }

    /// The root of `x`'s set (the smallest member: unions keep the smaller root).
    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = p;
        }
        x
    }

    /// The root of `x`'s set, without shortening paths (for readers sharing the sets).
    pub fn root(&self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            x = self.parent[x as usize];
        }
        x
    }

    /// Join the sets of `a` and `b`; true when they were apart.
    pub fn union(&mut self, a: u32, b: u32) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi as usize] = lo;
        }
        ra != rb
    }
}

/// Group documents `0..n` by the pairs that join them.
pub fn clusters(n: usize, pairs: impl IntoIterator<Item = (u32, u32)>) -> Vec<Cluster> {
    clusters_and_joins(n, pairs).0
}

/// [`clusters`], and the pairs that joined two clusters, in the order given: a spanning tree
/// of each cluster (`size - 1` pairs), the path by which its members came together.
pub fn clusters_and_joins(
    n: usize,
    pairs: impl IntoIterator<Item = (u32, u32)>,
) -> (Vec<Cluster>, Vec<(u32, u32)>) {
    let mut uf = UnionFind::new(n);
    let mut joins = Vec::new();
    for (a, b) in pairs {
        if uf.union(a, b) {
            joins.push((a, b));
        }
    }
    // Roots are the smallest members, so iterating documents in order meets each cluster's
    // root first: clusters come out ordered by earliest member.
    let mut slot: Vec<u32> = vec![u32::MAX; n];
    let mut out: Vec<Cluster> = Vec::new();
    for d in 0..n as u32 {
        let r = uf.find(d);
        if slot[r as usize] == u32::MAX {
            slot[r as usize] = out.len() as u32;
            out.push(Cluster {
                id: out.len(),
                members: Vec::new(),
            });
        }
        out[slot[r as usize] as usize].members.push(d);
    }
    (out, joins)
}

/// How verified pairs become clusters (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Linkage {
    /// Any verified pair joins its two clusters.
    Single,
    /// Two clusters join when the mean score between their members reaches the threshold.
    Average,
}

impl Linkage {
    /// Name as used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Linkage::Single => "single",
            Linkage::Average => "average",
        }
    }
}

/// Members sampled from each side when two clusters are compared: at most this many, so a
/// merge costs at most its square in score evaluations.
pub const LINK_SAMPLE: usize = 12;

/// Average-linkage clusters of documents `0..n`. `pairs` are verified pairs; `edge` gives a
/// pair's two documents and its score. They are taken in order of score (best first, ties by
/// position, so the result does not depend on their input order), and the clusters of a pair
/// join when the mean of `score(x, y)` over (sampled) members `x` of one and `y` of the other
/// is at least `threshold`. `score` is called for pairs that were never candidates too (it
/// must be defined for every pair) and should be symmetric.
///
/// The order is kept as 32-bit indices into `pairs`, which are read through `edge` rather
/// than copied: a run can verify tens of millions of pairs, and a copy of (a, b, score)
/// triples with a list of references to them would cost several times the 4 bytes a pair
/// an index does.
pub fn average_linkage<P: Sync>(
    n: usize,
    pairs: &[P],
    edge: impl Fn(&P) -> (u32, u32, f64) + Sync,
    threshold: f64,
    score: impl Fn(u32, u32) -> f64 + Sync,
) -> Vec<Cluster> {
    average_linkage_and_joins(n, pairs, edge, threshold, score).0
}

/// [`average_linkage`], and the pairs whose joins made the clusters, in the order they were
/// made (a spanning tree of each cluster, as [`clusters_and_joins`]).
pub fn average_linkage_and_joins<P: Sync>(
    n: usize,
    pairs: &[P],
    edge: impl Fn(&P) -> (u32, u32, f64) + Sync,
    threshold: f64,
    score: impl Fn(u32, u32) -> f64 + Sync,
) -> (Vec<Cluster>, Vec<(u32, u32)>) {
    linkage_in_windows(n, pairs, edge, threshold, score, LINK_WINDOW)
}

/// [`average_linkage`], comparing `window` pairs at a time (see below).
fn linkage_in_windows<P: Sync>(
    n: usize,
    pairs: &[P],
    edge: impl Fn(&P) -> (u32, u32, f64) + Sync,
    threshold: f64,
    score: impl Fn(u32, u32) -> f64 + Sync,
    window: usize,
) -> (Vec<Cluster>, Vec<(u32, u32)>) {
    // Best first, ties by position: sorted on keys computed once, because a comparison that
    // looks both pairs up through `edge` reads random pairs from memory at every step of the
    // sort. Each key is (score, the pair's documents in order, index) packed so that
    // ascending order is the wanted one; the index makes keys distinct, so an unstable
    // parallel sort gives one order.
    assert!(u32::try_from(pairs.len()).is_ok(), "fewer than 2^32 pairs");
    let mut keyed: Vec<(u64, u64, u32)> = pairs
        .par_iter()
        .enumerate()
        .map(|(i, p)| {
            let (a, b, s) = edge(p);
            let docs = (u64::from(a.min(b)) << 32) | u64::from(a.max(b));
            (!total_order_key(s), docs, i as u32)
        })
        .collect();
    keyed.par_sort_unstable();
    let order: Vec<u32> = keyed.iter().map(|k| k.2).collect();
    drop(keyed);
    let mut uf = UnionFind::new(n);
    // The sample of each root's cluster (see `Sample`).
    let mut samples: Vec<Sample> = (0..n as u32).map(Sample::one).collect();
    let mut joined: Vec<(u32, u32)> = Vec::new();
    // The state of each root's sample: a number that no other state shares (singletons are
    // their own number; a join that changes the sample takes a new one). A comparison depends
    // on the two samples only, so while both keep their states its answer stands.
    let mut state: Vec<u32> = (0..n as u32).collect();
    let mut next_state = n as u64;
    // Pairs of sample states already compared and found apart. Two clusters are compared
    // once for every verified pair between them; until one of the samples changes the
    // answer is the same, so remembering it saves scoring the same sampled pairs again. A
    // stale answer would change clusters: the proptest against `full_mean_linkage` fails
    // when joins do not renew the state.
    let mut apart = crate::hashed::HashedSet::default();
    let state_key = |sa: u32, sb: u32| (u64::from(sa.min(sb)) << 32) | u64::from(sa.max(sb));
    // The comparisons of a window of pairs are made in parallel against the clusters as they
    // were when the window began, then the window is walked in order: a comparison is used
    // only when both clusters are still in the state it saw (same samples, same
    // orientation), and made again otherwise, so the result is the sequential one whatever
    // the threads. Comparisons that fail change nothing, and they are the costly ones (every
    // sampled pair scored), so few are made twice.
    for window in order.chunks(window.max(1)) {
        let guesses: Vec<Option<(u32, u32, bool)>> = window
            .par_iter()
            .map(|&i| {
                let (a, b, _) = edge(&pairs[i as usize]);
                let (ra, rb) = (uf.root(a), uf.root(b));
                let (ma, mb) = (samples[ra as usize].docs(), samples[rb as usize].docs());
                if ra == rb || (ma.len() == 1 && mb.len() == 1) {
                    return None;
                }
                let (sa, sb) = (state[ra as usize], state[rb as usize]);
                if apart.contains(&state_key(sa, sb)) {
                    return None;
                }
                Some((sa, sb, reaches(ma, mb, threshold, &score)))
            })
            .collect();
        for (&i, guess) in window.iter().zip(guesses) {
            let (a, b, s) = edge(&pairs[i as usize]);
            let (ra, rb) = (uf.find(a), uf.find(b));
            if ra == rb {
                continue;
            }
            let (ma, mb) = (samples[ra as usize].docs(), samples[rb as usize].docs());
            let (sa, sb) = (state[ra as usize], state[rb as usize]);
            let key = state_key(sa, sb);
            let joins = if ma.len() == 1 && mb.len() == 1 {
                s >= threshold
            } else if apart.contains(&key) {
                false
            } else {
                let reached = match guess {
                    Some((ga, gb, r)) if (ga, gb) == (sa, sb) => r,
                    _ => reaches(ma, mb, threshold, &score),
                };
                if !reached {
                    apart.insert(key);
                }
                reached
            };
            if joins {
                uf.union(a, b);
                let root = uf.find(a);
                let other = if root == ra { rb } else { ra };
                let merged = samples[root as usize].merge(&samples[other as usize]);
                if merged != samples[root as usize] {
                    samples[root as usize] = merged;
                    state[root as usize] =
                        u32::try_from(next_state).expect("fewer than 2^32 joins");
                    next_state += 1;
                }
                joined.push((a, b));
            }
        }
    }
    (clusters(n, joined.iter().copied()), joined)
}

/// A key whose unsigned order is `f64::total_cmp`'s order (the transform `total_cmp` makes,
/// with the sign bit flipped so that negative values sort first as unsigned numbers too).
fn total_order_key(x: f64) -> u64 {
    let bits = x.to_bits();
    let flipped = bits ^ ((((bits as i64) >> 63) as u64) >> 1);
    flipped ^ (1 << 63)
}

/// Pairs of a window of [`average_linkage`] compared at once. Larger windows give the threads
/// more to do in parallel, but more of their comparisons go stale within the window and are
/// made again; of the sizes tried (one pair, 256, 1,024, 4,096), 1,024 measured fastest.
const LINK_WINDOW: usize = 1024;

/// Whether the mean of `score` over the sampled members of `ma` and `mb` reaches `threshold`.
///
/// Only whether the mean reaches the threshold matters, and scores are never negative: once
/// the sum so far over the full count reaches it, so does the final mean (float addition of
/// non-negative terms and division are monotone), and the rest need not be scored. Most joins
/// are versions of one story, whose first few scores settle it.
fn reaches(ma: &[u32], mb: &[u32], threshold: f64, score: impl Fn(u32, u32) -> f64) -> bool {
    let total = ma.len() * mb.len();
    let mut sum = 0.0;
    for &x in ma {
        for &y in mb {
            sum += score(x, y);
            if sum / total as f64 >= threshold {
                return true;
            }
        }
    }
    false
}

/// The members a cluster is represented by in [`average_linkage`]: the `LINK_SAMPLE` members
/// of lowest rank (a fixed bijective mix of the position), all of them in a smaller cluster.
/// A bottom-k sample is a uniform one, kept up to date at each join by merging two samples,
/// and it changes only when a joining member ranks below the current ones: a large cluster
/// keeps its sample (and so the comparisons made against it stay valid) while it grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sample {
    len: u8,
    /// Members by ascending rank; the first `len` are used.
    docs: [u32; LINK_SAMPLE],
}

impl Sample {
    fn one(doc: u32) -> Self {
        let mut docs = [0; LINK_SAMPLE];
        docs[0] = doc;
        Sample { len: 1, docs }
    }

    fn docs(&self) -> &[u32] {
        &self.docs[..self.len as usize]
    }

    /// The sample of the union of two disjoint clusters.
    fn merge(&self, other: &Sample) -> Sample {
        let (x, y) = (self.docs(), other.docs());
        let mut out = Sample {
            len: 0,
            docs: [0; LINK_SAMPLE],
        };
        let (mut i, mut j) = (0, 0);
        while (out.len as usize) < LINK_SAMPLE && (i < x.len() || j < y.len()) {
            let take_x = j == y.len() || (i < x.len() && rank(x[i]) < rank(y[j]));
            let d = if take_x {
                i += 1;
                x[i - 1]
            } else {
                j += 1;
                y[j - 1]
            };
            out.docs[out.len as usize] = d;
            out.len += 1;
        }
        out
    }
}

/// The rank of a document in samples: a bijective mix of its position, so ranks are distinct.
fn rank(doc: u32) -> u64 {
    crate::hashed::mix64(u64::from(doc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn total_order_key_orders_as_total_cmp(x in any::<f64>(), y in any::<f64>()) {
            prop_assert_eq!(total_order_key(x).cmp(&total_order_key(y)), x.total_cmp(&y));
        }
    }

    #[test]
    fn total_order_key_orders_signed_zeros_and_infinities() {
        let xs = [
            f64::NEG_INFINITY,
            -1.0,
            -0.0,
            0.0,
            1e-300,
            0.25,
            1.0,
            f64::INFINITY,
        ];
        for w in xs.windows(2) {
            assert!(
                total_order_key(w[0]) < total_order_key(w[1]),
                "{} {}",
                w[0],
                w[1]
            );
        }
    }

    #[test]
    fn singletons_are_clusters() {
        let c = clusters(3, []);
        assert_eq!(c.len(), 3);
        assert!(c.iter().all(|c| c.members.len() == 1));
    }

    #[test]
    fn transitive_pairs_join() {
        let c = clusters(4, [(2, 3), (1, 2)]);
        assert_eq!(c[1].members, vec![1, 2, 3]);
        assert_eq!(c[1].representative(), 1);
    }

    /// Scores from a symmetric table; pairs not in it score 0.
    fn table(entries: &[(u32, u32, f64)]) -> impl Fn(u32, u32) -> f64 + '_ {
        move |x, y| {
            entries
                .iter()
                .find(|e| (e.0, e.1) == (x.min(y), x.max(y)))
                .map_or(0.0, |e| e.2)
        }
    }

    #[test]
    fn average_linkage_does_not_chain_through_a_bridge() {
        // 0-1-2 is one story, 3-4 another; document 2 also quotes story 3-4 (a page with a
        // "related news" blurb), so single linkage would chain all five.
        let pairs = [
            (0, 1, 0.9),
            (0, 2, 0.8),
            (1, 2, 0.85),
            (3, 4, 0.9),
            (2, 3, 0.5),
        ];
        let single = clusters(5, pairs.iter().map(|p| (p.0, p.1)));
        assert_eq!(single.len(), 1);
        let avg = average_linkage(5, &pairs, |&p| p, 0.4, table(&pairs));
        assert_eq!(avg.len(), 2);
        assert_eq!(avg[0].members, vec![0, 1, 2]);
        assert_eq!(avg[1].members, vec![3, 4]);
    }

    #[test]
    fn average_linkage_joins_a_clique_and_a_lone_pair_like_single() {
        let pairs = [(0, 1, 0.6), (1, 2, 0.7), (0, 2, 0.5), (3, 4, 0.3)];
        let avg = average_linkage(5, &pairs, |&p| p, 0.25, table(&pairs));
        let single = clusters(5, pairs.iter().map(|p| (p.0, p.1)));
        assert_eq!(avg, single);
    }

    fn merge_sorted(x: &[u32], y: &[u32]) -> Vec<u32> {
        let mut out = Vec::with_capacity(x.len() + y.len());
        let (mut i, mut j) = (0, 0);
        while i < x.len() && j < y.len() {
            if x[i] <= y[j] {
                out.push(x[i]);
                i += 1;
            } else {
                out.push(y[j]);
                j += 1;
            }
        }
        out.extend_from_slice(&x[i..]);
        out.extend_from_slice(&y[j..]);
        out
    }

    /// The bottom-k sample of a member list, computed from scratch (the reference the
    /// incremental samples are tested against).
    fn bottom_k(members: &[u32]) -> Vec<u32> {
        let mut m = members.to_vec();
        m.sort_by_key(|&d| rank(d));
        m.truncate(LINK_SAMPLE);
        m
    }

    proptest! {
        /// Merging two samples gives the sample of the union, however the union was built.
        #[test]
        fn merged_samples_are_the_bottom_k_of_the_union(
            parts in proptest::collection::vec(proptest::collection::btree_set(0u32..500, 1..30), 1..6)
        ) {
            let mut seen = std::collections::BTreeSet::new();
            let mut all = Vec::new();
            let mut sample: Option<Sample> = None;
            for part in parts {
                let part: Vec<u32> = part.into_iter().filter(|d| seen.insert(*d)).collect();
                if part.is_empty() {
                    continue;
                }
                let mut s = Sample::one(part[0]);
                for &d in &part[1..] {
                    s = s.merge(&Sample::one(d));
                }
                prop_assert_eq!(s.docs().to_vec(), bottom_k(&part));
                all.extend_from_slice(&part);
                sample = Some(match sample {
                    None => s,
                    Some(t) => t.merge(&s),
                });
            }
            if let Some(s) = sample {
                prop_assert_eq!(s.docs().to_vec(), bottom_k(&all));
            }
        }
    }

    /// Average linkage without the early exit: the mean over every sampled pair.
    fn full_mean_linkage(
        n: usize,
        pairs: &[(u32, u32, f64)],
        threshold: f64,
        score: impl Fn(u32, u32) -> f64,
    ) -> Vec<Cluster> {
        let mut order: Vec<&(u32, u32, f64)> = pairs.iter().collect();
        order.sort_by(|x, y| {
            y.2.total_cmp(&x.2)
                .then((x.0.min(x.1), x.0.max(x.1)).cmp(&(y.0.min(y.1), y.0.max(y.1))))
        });
        let mut uf = UnionFind::new(n);
        let mut members: Vec<Vec<u32>> = (0..n as u32).map(|i| vec![i]).collect();
        let mut joined = Vec::new();
        for &&(a, b, s) in &order {
            let (ra, rb) = (uf.find(a), uf.find(b));
            if ra == rb {
                continue;
            }
            let (ma, mb) = (&members[ra as usize], &members[rb as usize]);
            let link = if ma.len() == 1 && mb.len() == 1 {
                s
            } else {
                let (mut sum, mut count) = (0.0, 0usize);
                for &x in &bottom_k(ma) {
                    for &y in &bottom_k(mb) {
                        sum += score(x, y);
                        count += 1;
                    }
                }
                sum / count as f64
            };
            if link >= threshold {
                uf.union(a, b);
                let root = uf.find(a);
                let other = if root == ra { rb } else { ra };
                let moved = std::mem::take(&mut members[other as usize]);
                let kept = std::mem::take(&mut members[root as usize]);
                members[root as usize] = merge_sorted(&kept, &moved);
                joined.push((a, b));
            }
        }
        clusters(n, joined)
    }

    /// A symmetric score in [0, 1) for every pair of documents, drawn by `salt`.
    fn salted_score(salt: u32) -> impl Fn(u32, u32) -> f64 + Sync + Copy {
        move |x: u32, y: u32| {
            let (a, b) = (x.min(y), x.max(y));
            (crate::hashed::mix64(((a as u64) << 32 | b as u64) ^ salt as u64) % 1000) as f64
                / 1000.0
        }
    }

    proptest! {
        #[test]
        fn average_linkage_ignores_pair_order(
            pairs in proptest::collection::vec((0u32..12, 0u32..12, 0.0f64..1.0), 0..30)
        ) {
            let pairs: Vec<(u32, u32, f64)> =
                pairs.into_iter().filter(|p| p.0 != p.1).collect();
            let score = |x: u32, y: u32| ((x * 7 + y * 7) % 10) as f64 / 10.0;
            let mut rev = pairs.clone();
            rev.reverse();
            prop_assert_eq!(
                average_linkage(12, &pairs, |&p| p, 0.3, score),
                average_linkage(12, &rev, |&p| p, 0.3, score)
            );
        }

        /// The early exit changes no decision: the same clusters as joining on the full mean
        /// of every sampled pair (the reference below), on clusters large enough to sample.
        #[test]
        fn average_linkage_equals_the_full_mean(
            pairs in proptest::collection::vec((0u32..40, 0u32..40, 0.0f64..1.0), 0..120),
            salt in 0u32..1000,
            threshold in 0.05f64..0.9,
        ) {
            let pairs: Vec<(u32, u32, f64)> =
                pairs.into_iter().filter(|p| p.0 != p.1).collect();
            let score = salted_score(salt);
            prop_assert_eq!(
                average_linkage(40, &pairs, |&p| p, threshold, score),
                full_mean_linkage(40, &pairs, threshold, score)
            );
        }

        /// Comparisons made ahead of their turn are used only when still valid: small windows
        /// (where clusters change between a comparison and its use) give the sequential
        /// clusters. Using every comparison made ahead, valid or not, fails this.
        #[test]
        fn windows_give_the_sequential_clusters(
            pairs in proptest::collection::vec((0u32..30, 0u32..30, 0.0f64..1.0), 0..150),
            salt in 0u32..1000,
            threshold in 0.05f64..0.9,
            window in 1usize..12,
        ) {
            let pairs: Vec<(u32, u32, f64)> =
                pairs.into_iter().filter(|p| p.0 != p.1).collect();
            let score = salted_score(salt);
            let (got, joins) = linkage_in_windows(30, &pairs, |&p| p, threshold, score, window);
            prop_assert_eq!(&got, &full_mean_linkage(30, &pairs, threshold, score));
            // The joins are a spanning tree of each cluster: one fewer than its members, each
            // inside one cluster, and they alone rebuild the clusters.
            prop_assert_eq!(joins.len(), 30 - got.len());
            prop_assert_eq!(clusters(30, joins.iter().copied()), got);
        }

        #[test]
        fn pair_order_does_not_matter(pairs in proptest::collection::vec((0u32..20, 0u32..20), 0..30)) {
            let mut rev = pairs.clone();
            rev.reverse();
            prop_assert_eq!(clusters(20, pairs), clusters(20, rev));
        }
    }
}
