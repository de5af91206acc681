//! Collection statistics and term weights for the story preset. Bags of words (term hash,
//! count) go in; [`TermStats`] counts in how many documents each term appears; a
//! [`TermVector`] gives each term of a document the weight `(1 + ln tf) * idf` with
//! `idf = ln((N + 1) / (df + 0.5))` (sublinear TF-IDF, Manning et al., IR book, 6.4.1), so that
//! names, numbers and places outweigh words every story uses.
//!
//! Terms are word prefixes of at most 7 characters (a language-free stand-in for stemming that
//! folds plurals, inflections and compound heads: `ambassadeurs` and `ambassadeur` meet), and
//! the headline (the first kept line) counts four times: it says what the story is.
//!
//! The vector's norm carries a short-text prior: a document of L distinct terms is normalised
//! as if it had `prior_terms` more terms of its mean weight that match nothing. The cosine of two
//! long articles barely moves; two 20-word blurbs that share a template sentence do not look
//! like one story on a dozen words of evidence. Short is relative to the collection: the prior
//! is at most `prior_fraction` of the collection's median document length
//! ([`WeightParams::for_collection`]), so that in a collection of sentences a sentence is not
//! shrunk as if it were a blurb beside articles (news sets, whose median is long, keep the
//! full prior).
//!
//! Terms are 32-bit hashes ([`Term`]): a bag, a vector and the verifier's packed copy hold 4
//! bytes a term instead of 8, which matters because the story run holds every document's bag
//! at once. A collision of two distinct prefixes in 32 bits merges their counts, with
//! probability about (distinct terms)^2 / 2^33 per collection.
//!
//! Invariant: vectors are sorted by term, so cosine is a linear merge.

/// A story term: a 32-bit hash of a word prefix.
pub type Term = u32;

/// The story term of a word's 64-bit hash: its high 32 bits. The one definition of the rule;
/// [`term_hash`] is its inverse up to the dropped bits.
#[inline]
pub fn term_of(hash: u64) -> Term {
    (hash >> 32) as Term
}

/// The 64-bit hash a story term stands for (its low bits zero), for sketches that hash terms
/// as words were hashed.
#[inline]
pub fn term_hash(term: Term) -> u64 {
    u64::from(term) << 32
}

/// Settings of the story weighting.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct WeightParams {
    /// Phantom terms added to every document's norm (see the module doc). By default, 20.
    pub prior_terms: f32,
    /// The prior is at most this fraction of the collection's median number of terms per
    /// document. By default, 0.5.
    pub prior_fraction: f32,
    /// Keep only this many highest-weighted terms per document. By default, 128: the most
    /// distinctive terms say what the story is; the long tail adds noise (128 scored higher
    /// than 512 on SemEval-2022).
    pub max_terms: usize,
    /// Use only the first n characters of each word as the term (a language-free stand-in
    /// for stemming). By default, 7.
    pub prefix_chars: Option<usize>,
    /// Extra times the first kept line (the headline) is counted. By default, 3.
    pub headline_repeats: usize,
}

impl Default for WeightParams {
    fn default() -> Self {
        WeightParams {
            prior_terms: 20.0,
            prior_fraction: 0.5,
            max_terms: 128,
            prefix_chars: Some(7),
            headline_repeats: 3,
        }
    }
}

impl WeightParams {
    /// The parameters for a collection whose documents have these numbers of distinct terms:
    /// the prior capped at `prior_fraction` of their median (counted up to `max_terms`).
    pub fn for_collection(self, distinct_terms: impl IntoIterator<Item = usize>) -> Self {
        let mut lens: Vec<usize> = distinct_terms
            .into_iter()
            .map(|l| l.min(self.max_terms))
            .collect();
        if lens.is_empty() {
            return self;
        }
        let mid = lens.len() / 2;
        let median = *lens.select_nth_unstable(mid).1 as f32;
        WeightParams {
            prior_terms: self.prior_terms.min(self.prior_fraction * median),
            ..self
        }
    }
}

/// Document frequencies of the terms of a collection (kept, so that documents can be added and
/// removed) and the IDF they give.
#[derive(Debug, Default, Clone)]
pub struct TermStats {
    /// Each term's document frequency and its IDF. The IDF is computed once per change of the
    /// counts ([`TermStats::refresh`]): weighting looks a term up once per document that holds
    /// it, and a logarithm per lookup costs more than the lookup.
    df: crate::hashed::HashedMap<(u32, f32)>,
    docs: u32,
    epoch: u64,
    fresh: bool,
}

impl TermStats {
    /// Count terms over bags of words (each bag: distinct terms with their counts), ready to
    /// weigh with.
    pub fn build<'a>(bags: impl IntoIterator<Item = &'a [(Term, u32)]>) -> Self {
        let mut stats = TermStats::default();
        for bag in bags {
            stats.add(bag);
        }
        stats.refresh();
        stats
    }

    /// Count one more document's bag.
    pub fn add(&mut self, bag: &[(Term, u32)]) {
        self.docs += 1;
        for &(t, _) in bag {
            self.df.entry(u64::from(t)).or_insert((0, 0.0)).0 += 1;
        }
        self.changed();
    }

    /// Take a counted document's bag out again (the bag it was added with).
    pub fn remove(&mut self, bag: &[(Term, u32)]) {
        self.docs = self.docs.saturating_sub(1);
        for &(t, _) in bag {
            let key = u64::from(t);
            if let Some(e) = self.df.get_mut(&key) {
                e.0 -= 1;
                if e.0 == 0 {
                    self.df.remove(&key);
                }
            }
        }
        self.changed();
    }

    fn changed(&mut self) {
        self.epoch += 1;
        self.fresh = false;
    }

    /// Compute the IDF of every term from the counts as they are now.
    pub fn refresh(&mut self) {
        let docs = self.docs;
        for e in self.df.values_mut() {
            e.1 = idf(docs, e.0);
        }
        self.fresh = true;
    }

    /// Number of documents counted.
    pub fn docs(&self) -> u32 {
        self.docs
    }

    /// Documents holding `term`.
    pub fn df(&self, term: Term) -> u32 {
        self.df.get(&u64::from(term)).map_or(0, |e| e.0)
    }

    /// Which state of the counts this is: it changes with every add and remove, so that a
    /// vector weighted with one state is never taken for one weighted with another.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Inverse document frequency of `term`, as of the last [`TermStats::refresh`].
    pub fn idf(&self, term: Term) -> f32 {
        debug_assert!(
            self.fresh,
            "refresh the statistics before weighing with them"
        );
        self.df
            .get(&u64::from(term))
            .map(|e| e.1)
            .unwrap_or_else(|| idf(self.docs, 0))
    }
}

/// IDF of a term held by `df` of `docs` documents (smoothed; never negative).
pub fn idf(docs: u32, df: u32) -> f32 {
    ((docs as f32 + 1.0) / (df as f32 + 0.5)).ln().max(0.0)
}

/// `1 + ln(n)`, the weight of a term counted `n` times, from a table for small counts.
fn tf_weight(n: u32) -> f32 {
    const SMALL: usize = 64;
    static TABLE: std::sync::OnceLock<[f32; SMALL]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| std::array::from_fn(|i| 1.0 + (i.max(1) as f32).ln()));
    match table.get(n as usize) {
        Some(&w) => w,
        None => 1.0 + (n as f32).ln(),
    }
}

/// Count the words of a document into a bag: distinct terms with counts, sorted by term.
pub fn bag_of_words(words: impl IntoIterator<Item = Term>) -> Vec<(Term, u32)> {
    // Collecting a `Vec`'s own iterator reuses its buffer.
    let mut w: Vec<Term> = words.into_iter().collect();
    w.sort_unstable();
    w.chunk_by(|x, y| x == y)
        .map(|run| (run[0], run.len() as u32))
        .collect()
}

/// A document's weighted terms, sorted by term, scaled to unit norm (with the prior).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TermVector {
    /// Terms, ascending.
    pub terms: Vec<Term>,
    /// Weight of each term.
    pub weights: Vec<f32>,
}

impl TermVector {
    /// Weight a bag of words. `stats: None` means no collection: every idf is 1.
    pub fn from_bag(bag: &[(Term, u32)], stats: Option<&TermStats>, params: WeightParams) -> Self {
        match stats {
            Some(s) => Self::from_bag_with(bag, |t| s.idf(t), params),
            None => Self::from_bag_with(bag, |_| 1.0, params),
        }
    }

    /// [`TermVector::from_bag`] with each term's IDF from `idf` (statistics kept elsewhere,
    /// as an archive index keeps its counts).
    pub fn from_bag_with(
        bag: &[(Term, u32)],
        idf: impl Fn(Term) -> f32,
        params: WeightParams,
    ) -> Self {
        let mut tw: Vec<(Term, f32)> = bag
            .iter()
            .map(|&(t, n)| (t, tf_weight(n) * idf(t)))
            .filter(|&(_, w)| w > 0.0)
            .collect();
        if tw.len() > params.max_terms {
            // Highest weight first; ties broken by term so the cut is deterministic. Only the
            // set of the first max_terms matters (it is re-sorted by term below), so a
            // selection does, in linear time.
            if params.max_terms > 0 {
                tw.select_nth_unstable_by(params.max_terms - 1, |a, b| {
                    b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))
                });
            }
            tw.truncate(params.max_terms);
            tw.sort_unstable_by_key(|&(t, _)| t);
        }
        let l = tw.len() as f32;
        let sum_sq: f32 = tw.iter().map(|&(_, w)| w * w).sum();
        let norm = if l > 0.0 {
            (sum_sq * (l + params.prior_terms) / l).sqrt()
        } else {
            1.0
        };
        let (terms, weights) = tw.into_iter().map(|(t, w)| (t, w / norm)).unzip();
        TermVector { terms, weights }
    }

    /// True when no term has weight.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Number of distinct terms.
    pub fn len(&self) -> usize {
        self.terms.len()
    }
}

/// Cosine of two term vectors (dot product: both are already normalised).
///
/// A merge of two sorted term lists, written without a data-dependent branch on the
/// comparison (both cursors advance by a 0/1 step), because which list is behind is
/// unpredictable and verification runs this for every candidate pair.
pub fn cosine(a: &TermVector, b: &TermVector) -> f64 {
    let (ta, tb) = (&a.terms, &b.terms);
    let (mut i, mut j, mut dot) = (0, 0, 0.0f64);
    while i < ta.len() && j < tb.len() {
        let (x, y) = (ta[i], tb[j]);
        if x == y {
            dot += a.weights[i] as f64 * b.weights[j] as f64;
        }
        i += (x <= y) as usize;
        j += (y <= x) as usize;
    }
    dot
}

/// Term vectors of a collection in one buffer (see `pipeline::StoryLane::packed`): 32-bit terms and
/// their weights in two parallel arrays (terms contiguous, for block compares), document i at
/// `offsets[i]..offsets[i + 1]`, sorted by term, each term once.
#[derive(Debug, Clone, Default)]
pub struct PackedVectors {
    terms: Vec<u32>,
    weights: Vec<f32>,
    offsets: Vec<u32>,
}

/// Terms compared at a time by [`PackedVectors::cosine`] (4 measured faster than 8 or 16).
const BLOCK: usize = 4;

impl PackedVectors {
    /// Pack `vectors` (holding `entries` terms in all).
    pub fn new(vectors: impl ExactSizeIterator<Item = TermVector>, entries: usize) -> Self {
        let mut p = PackedVectors {
            terms: Vec::with_capacity(entries),
            weights: Vec::with_capacity(entries),
            offsets: Vec::with_capacity(vectors.len() + 1),
        };
        p.offsets.push(0);
        for v in vectors {
            // Terms are sorted and distinct (`TermVector`'s invariant): copied as they are.
            p.terms.extend_from_slice(&v.terms);
            p.weights.extend_from_slice(&v.weights);
            p.offsets.push(p.terms.len() as u32);
        }
        p
    }

    /// Document `i`'s terms, sorted, and their weights.
    pub fn get(&self, i: usize) -> (&[u32], &[f32]) {
        let r = self.offsets[i] as usize..self.offsets[i + 1] as usize;
        (&self.terms[r.clone()], &self.weights[r])
    }

    /// Cosine of documents `a` and `b`: the dot product of their sorted term lists, walked
    /// four terms against four. For each term of one block, its weight in the other block is
    /// picked by comparisons without a branch (0 when absent; terms are unique, so the pick is
    /// exact), and the walk advances the block that ends first, so every common term is met
    /// once. The merge mispredicts a branch at almost every step; this walk has one
    /// predictable branch per block. Each of the four positions of a block adds into its own
    /// sum, so that the adds of one block do not wait on each other; the result differs from
    /// the scalar merge
    /// ([`PackedVectors::cosine_merge`]) only by rounding (tested). The earlier document is
    /// always walked as `x`, so the cosine is symmetric to the bit, and the same whatever the
    /// threads.
    pub fn cosine(&self, a: usize, b: usize) -> f64 {
        let (a, b) = (a.min(b), a.max(b));
        let ((xk, xw), (yk, yw)) = (self.get(a), self.get(b));
        let (mut i, mut j) = (0, 0);
        let mut lanes = [0.0f64; BLOCK];
        while i + BLOCK <= xk.len() && j + BLOCK <= yk.len() {
            let xb: &[u32; BLOCK] = xk[i..i + BLOCK].try_into().expect("a block");
            let xwb: &[f32; BLOCK] = xw[i..i + BLOCK].try_into().expect("a block");
            let yb: &[u32; BLOCK] = yk[j..j + BLOCK].try_into().expect("a block");
            let ywb: &[f32; BLOCK] = yw[j..j + BLOCK].try_into().expect("a block");
            for ((lane, &x), &xv) in lanes.iter_mut().zip(xb).zip(xwb) {
                let mut w = 0.0f32;
                for (&y, &v) in yb.iter().zip(ywb) {
                    w += if x == y { v } else { 0.0 };
                }
                *lane += xv as f64 * w as f64;
            }
            let (xl, yl) = (xb[BLOCK - 1], yb[BLOCK - 1]);
            i += if xl <= yl { BLOCK } else { 0 };
            j += if yl <= xl { BLOCK } else { 0 };
        }
        let dot = lanes.iter().sum();
        merge(dot, &xk[i..], &xw[i..], &yk[j..], &yw[j..])
    }

    /// [`PackedVectors::cosine`] by a plain merge (the reference it is tested against).
    pub fn cosine_merge(&self, a: usize, b: usize) -> f64 {
        let ((xk, xw), (yk, yw)) = (self.get(a), self.get(b));
        merge(0.0, xk, xw, yk, yw)
    }
}

/// `dot` plus the dot product of two sorted term lists, by a branch-free merge (as
/// [`crate::weight::cosine`]).
fn merge(mut dot: f64, xk: &[u32], xw: &[f32], yk: &[u32], yw: &[f32]) -> f64 {
    let (mut i, mut j) = (0, 0);
    while i < xk.len() && j < yk.len() {
        let (tx, ty) = (xk[i], yk[j]);
        if tx == ty {
            dot += xw[i] as f64 * yw[j] as f64;
        }
        i += (tx <= ty) as usize;
        j += (ty <= tx) as usize;
    }
    dot
}

#[cfg(test)]
mod tests {
    use super::*;

    const NO_PRIOR: WeightParams = WeightParams {
        prior_terms: 0.0,
        prior_fraction: 0.5,
        max_terms: 512,
        prefix_chars: None,
        headline_repeats: 0,
    };

    #[test]
    fn bag_counts_repeats() {
        assert_eq!(bag_of_words([3, 1, 3, 2, 3]), vec![(1, 1), (2, 1), (3, 3)]);
    }

    #[test]
    fn rare_terms_weigh_more() {
        let bags = [
            bag_of_words([1, 2]),
            bag_of_words([1, 3]),
            bag_of_words([1, 4]),
        ];
        let stats = TermStats::build(bags.iter().map(|b| b.as_slice()));
        assert!(stats.idf(2) > stats.idf(1));
    }

    #[test]
    fn identical_documents_have_cosine_one_without_prior() {
        let v = TermVector::from_bag(&bag_of_words([1, 2, 3]), None, NO_PRIOR);
        assert!((cosine(&v, &v) - 1.0).abs() < 1e-6);
    }

    #[test]
    fn prior_shrinks_short_texts_more_than_long_ones() {
        let p = WeightParams {
            max_terms: 2000,
            ..WeightParams::default()
        };
        let short = TermVector::from_bag(&bag_of_words(0..10), None, p);
        let long = TermVector::from_bag(&bag_of_words(0..1000), None, p);
        assert!(cosine(&short, &short) < 0.5);
        assert!(cosine(&long, &long) > 0.95);
    }

    #[test]
    fn prior_is_capped_by_the_collection_median() {
        let p = WeightParams::default();
        // Articles: the median is long, the prior stays.
        assert_eq!(p.for_collection([300, 90, 500]).prior_terms, 20.0);
        // Sentences: half the median length (16 terms).
        assert_eq!(p.for_collection([12, 16, 40]).prior_terms, 8.0);
        // Counted up to max_terms, and no documents change nothing.
        let capped = WeightParams { max_terms: 10, ..p };
        assert_eq!(capped.for_collection([1000, 1000]).prior_terms, 5.0);
        assert_eq!(p.for_collection([]), p);
    }

    #[test]
    fn max_terms_keeps_the_heaviest() {
        let p = WeightParams {
            max_terms: 2,
            ..NO_PRIOR
        };
        let v = TermVector::from_bag(&[(1, 1), (2, 9), (3, 5)], None, p);
        assert_eq!(v.terms, vec![2, 3]);
    }

    #[test]
    fn disjoint_vectors_have_cosine_zero() {
        let a = TermVector::from_bag(&bag_of_words([1, 2]), None, NO_PRIOR);
        let b = TermVector::from_bag(&bag_of_words([3, 4]), None, NO_PRIOR);
        assert_eq!(cosine(&a, &b), 0.0);
    }
}

#[cfg(test)]
mod packed_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// The block walk equals the scalar merge up to rounding, and is symmetric to the bit,
        /// on vectors of any lengths that share any number of terms.
        #[test]
        fn block_cosine_is_the_merge_up_to_rounding(
            a in proptest::collection::vec((0u32..400, 0.01f32..3.0), 0..200),
            b in proptest::collection::vec((0u32..400, 0.01f32..3.0), 0..200),
        ) {
            let vector = |v: &[(u32, f32)]| {
                let mut v = v.to_vec();
                v.sort_by_key(|e| e.0);
                v.dedup_by_key(|e| e.0);
                TermVector {
                    terms: v.iter().map(|e| e.0).collect(),
                    weights: v.iter().map(|e| e.1).collect(),
                }
            };
            let (va, vb) = (vector(&a), vector(&b));
            let n = va.len() + vb.len();
            let p = PackedVectors::new(vec![va, vb].into_iter(), n);
            for (x, y) in [(0, 1), (1, 0), (0, 0)] {
                let (fast, merge) = (p.cosine(x, y), p.cosine_merge(x, y));
                prop_assert!((fast - merge).abs() <= 1e-12 * merge.abs().max(1.0), "{fast} {merge}");
            }
            prop_assert_eq!(p.cosine(0, 1).to_bits(), p.cosine(1, 0).to_bits());
        }
    }
}

#[cfg(test)]
mod stats_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Counts after adding every bag and removing some are the counts of the rest, and so
        /// are the weights.
        #[test]
        fn removing_bags_gives_the_stats_of_the_rest(
            bags in proptest::collection::vec(proptest::collection::btree_set(0u32..30, 0..8), 1..20),
            gone in proptest::collection::vec(any::<bool>(), 20),
        ) {
            let bags: Vec<Vec<(Term, u32)>> =
                bags.iter().map(|b| b.iter().map(|&t| (t, 1)).collect()).collect();
            let mut live = TermStats::default();
            for b in &bags {
                live.add(b);
            }
            let before = live.epoch();
            for (b, &g) in bags.iter().zip(&gone) {
                if g {
                    live.remove(b);
                }
            }
            live.refresh();
            let rest = TermStats::build(
                bags.iter().zip(&gone).filter(|(_, &g)| !g).map(|(b, _)| b.as_slice()),
            );
            prop_assert_eq!(live.docs(), rest.docs());
            for t in 0..30 {
                prop_assert_eq!(live.df(t), rest.df(t));
                prop_assert_eq!(live.idf(t).to_bits(), rest.idf(t).to_bits());
            }
            prop_assert!(gone.iter().take(bags.len()).all(|g| !g) || live.epoch() > before);
        }
    }
}
