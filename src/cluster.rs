//! Clustering: verified pairs over documents `0..n` go in, [`Cluster`]s come out. Union-find
//! with path halving; every document is in exactly one cluster (singletons included).
//!
//! Invariant (determinism): clusters are ordered by their earliest member's input position,
//! members by input position, and the representative is the earliest member, whatever order
//! the pairs arrived in.

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

    /// Join the sets of `a` and `b`.
    pub fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi as usize] = lo;
        }
    }
}

/// Group documents `0..n` by the pairs that join them.
pub fn clusters(n: usize, pairs: impl IntoIterator<Item = (u32, u32)>) -> Vec<Cluster> {
    let mut uf = UnionFind::new(n);
    for (a, b) in pairs {
        uf.union(a, b);
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
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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

    proptest! {
        #[test]
        fn pair_order_does_not_matter(pairs in proptest::collection::vec((0u32..20, 0u32..20), 0..30)) {
            let mut rev = pairs.clone();
            rev.reverse();
            prop_assert_eq!(clusters(20, pairs), clusters(20, rev));
        }
    }
}
