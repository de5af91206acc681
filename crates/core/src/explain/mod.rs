//! Why two documents match: a collection and a pair go in, the evidence comes out: every
//! similarity measure the engine knows for the pair ([`pair_measures`]), the distinctive
//! terms that carried its story score ([`shared_terms`]), and the passages the two texts
//! share ([`passages()`], weighed by how rare their words are: [`Rarity`]). For `compare`,
//! `explain`, `eval --errors`, `cluster --explain` and the HTML report.
//!
//! Invariant: explanations use the engine's own rules (the story-term rule
//! [`crate::weight::term_of`], the collection's vectors and signatures), never a copy of them,
//! so what is shown is what was scored.

use crate::pipeline::{Collection, StoryIndex};
use crate::score::{containment, exact_jaccard};
use crate::shingle::{char_shingles_into, into_set, word_shingles_into};
use crate::text::boilerplate::LinedTokens;
use crate::text::normalize::normalize;
use crate::text::tokenize;
use crate::weight::{term_of, Term};
use std::collections::HashMap;

pub mod passages;
pub use passages::{passages, passages_of, Passage, PassageParams, Run, Words};

/// How rare each word is in a collection: document frequencies of its words (the story-term
/// rule: [`term_of`] of the word's hash) and the engine's IDF of them. Counted over whole
/// texts, boilerplate included, since a passage is shown where it stands in the text.
#[derive(Debug, Clone)]
pub struct Rarity {
    stats: crate::weight::TermStats,
}

impl Rarity {
    /// Count the words of `texts` (in parallel; the same counts for any number of threads).
    pub fn build<S: AsRef<str> + Sync>(texts: &[S]) -> Self {
        use rayon::prelude::*;
        let bags: Vec<Vec<(Term, u32)>> = texts
            .par_iter()
            .map(|t| {
                let norm = normalize(t.as_ref());
                crate::weight::bag_of_words(
                    tokenize::words(&norm).map(|w| term_of(tokenize::hash_word(w))),
                )
            })
            .collect();
        Rarity {
            stats: crate::weight::TermStats::build(bags.iter().map(|b| b.as_slice())),
        }
    }

    /// The IDF of a normalised word (a word no text holds weighs as one held by none).
    pub fn idf(&self, word: &str) -> f64 {
        f64::from(self.stats.idf(term_of(tokenize::hash_word(word))))
    }

    /// Documents counted.
    pub fn docs(&self) -> u32 {
        self.stats.docs()
    }
}

/// Why two documents of a collection match: the passages they share and the terms that
/// carried the score.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// Shared passages, in the order of the first text.
    pub passages: Vec<Passage>,
    /// The heaviest shared terms.
    pub terms: Vec<TermShare>,
}

/// A shared term and what it carried.
#[derive(Debug, Clone, PartialEq)]
pub struct TermShare {
    /// A word of the texts it stands for.
    pub word: String,
    /// Story preset: its product of weights in the two story vectors; copy preset: its IDF.
    pub weight: f64,
    /// Story preset: its share of the story score (the shares of all shared terms add up to
    /// 1); `None` for the copy preset, whose score is not made of terms.
    pub share: Option<f64>,
}

/// Explain documents `a` and `b` of `coll` (whose texts are `texts`): their shared passages,
/// each word weighed by its IDF in `rarity` (by 1 when `None`), and their `k` heaviest shared
/// terms: the story vectors' (story preset), or the rarest shared words by `rarity` (copy
/// preset).
pub fn explain_pair(
    coll: &Collection,
    texts: [&str; 2],
    a: usize,
    b: usize,
    rarity: Option<&Rarity>,
    params: PassageParams,
    k: usize,
) -> Explanation {
    let (wa, wb) = (Words::new(texts[0]), Words::new(texts[1]));
    let weigh = |w: &str| rarity.map_or(1.0, |r| r.idf(w));
    let passages = passages_of(&wa, &wb, params, &weigh);
    let terms = if coll.story.is_some() {
        let story = coll.scores(a, b).story.unwrap_or(0.0);
        shared_terms(coll, texts, a, b, k)
            .into_iter()
            .map(|t| TermShare {
                word: t.word,
                weight: t.weight,
                share: Some(if story > 0.0 { t.weight / story } else { 0.0 }),
            })
            .collect()
    } else {
        rarest_shared_words(&wa, &wb, &weigh, k)
    };
    Explanation { passages, terms }
}

/// The `k` words both texts hold with the largest weight (ties by word).
fn rarest_shared_words(
    wa: &Words,
    wb: &Words,
    weigh: &dyn Fn(&str) -> f64,
    k: usize,
) -> Vec<TermShare> {
    let in_b: std::collections::HashSet<&str> = (0..wb.len()).map(|j| wb.word(j)).collect();
    let mut shared: Vec<&str> = (0..wa.len())
        .map(|i| wa.word(i))
        .filter(|w| in_b.contains(w))
        .collect();
    shared.sort_unstable();
    shared.dedup();
    let mut scored: Vec<(f64, &str)> = shared.into_iter().map(|w| (weigh(w), w)).collect();
    scored.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(y.1)));
    scored
        .into_iter()
        .take(k)
        .map(|(weight, w)| TermShare {
            word: w.to_owned(),
            weight,
            share: None,
        })
        .collect()
}

/// A term two documents' story vectors share.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedTerm {
    /// A word of either text that the term stands for (`#xxxxxxxx` when none is found).
    pub word: String,
    /// The term.
    pub term: Term,
    /// Its product of weights: its part of the story score (the cosine of unit vectors).
    pub weight: f64,
}

/// The `k` shared story terms with the largest product of weights, heaviest first (ties by
/// term), with a word of `texts` (the two documents' texts) for each.
pub fn shared_terms(
    coll: &Collection,
    texts: [&str; 2],
    a: usize,
    b: usize,
    k: usize,
) -> Vec<SharedTerm> {
    let Some(story) = &coll.story else {
        return Vec::new();
    };
    let (va, vb) = (story.packed.get(a), story.packed.get(b));
    // Story terms are word prefixes when the engine uses them: map back the same way.
    let term_hash = |w: &str| match coll.cfg.story.weights.prefix_chars {
        Some(n) => tokenize::hash_word_prefix(w, n),
        None => tokenize::hash_word(w),
    };
    let mut words: HashMap<Term, String> = HashMap::new();
    for t in texts {
        for w in tokenize::words(&normalize(t)) {
            words
                .entry(term_of(term_hash(w)))
                .or_insert_with(|| w.to_owned());
        }
    }
    let wb: HashMap<Term, f32> = vb.0.iter().copied().zip(vb.1.iter().copied()).collect();
    let mut shared: Vec<(f32, Term)> =
        va.0.iter()
            .zip(va.1)
            .filter_map(|(&t, &w)| wb.get(&t).map(|x| (w * x, t)))
            .collect();
    shared.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    shared
        .into_iter()
        .take(k)
        .map(|(w, t)| SharedTerm {
            word: words
                .get(&t)
                .cloned()
                .unwrap_or_else(|| format!("#{t:08x}")),
            term: t,
            weight: f64::from(w),
        })
        .collect()
}

/// Every measure of documents `a` and `b` of `coll` (whose texts are `texts`), named as
/// `compare` prints them: exact word n-gram Jaccard and containment (n = 1, 2, 3, 5), exact
/// character 5-gram Jaccard, the copy lane's MinHash estimate, the story score, and the story
/// index's view of the pair (bands agreeing or heaviest terms shared, through the copy
/// clusters' representatives).
pub fn pair_measures(
    coll: &Collection,
    texts: [&str; 2],
    a: usize,
    b: usize,
) -> Vec<(String, f64)> {
    let cfg = &coll.cfg;
    let scores = coll.scores(a, b);
    // The story index's view of the pair: a copy is indexed through its copy cluster's first
    // member.
    let rep = |i: usize| coll.story_of.get(i).map_or(i, |&r| r as usize);
    let (ra, rb) = (rep(a), rep(b));
    let index_measure = coll.story.as_ref().map(|s| match &s.sigs {
        Some(sigs) => (
            "weighted minhash estimate".to_string(),
            sigs.similarity(ra, rb),
        ),
        None => (
            format!(
                "heaviest terms shared (of {})",
                match cfg.story.index {
                    StoryIndex::TopTerms(p) => p.top_terms,
                    StoryIndex::MinHash(_) => 0,
                }
            ),
            if ra == rb {
                s.top.get(ra).len() as f64
            } else {
                s.top.shared(ra, rb) as f64
            },
        ),
    });
    let (na, nb) = (normalize(texts[0]), normalize(texts[1]));
    let (la, lb) = (
        LinedTokens::from_normalized(&na),
        LinedTokens::from_normalized(&nb),
    );
    let mut measures: Vec<(String, f64)> = Vec::new();
    for n in [1usize, 2, 3, 5] {
        let (mut sa, mut sb) = (Vec::new(), Vec::new());
        word_shingles_into(&la.tokens, n, &mut sa);
        word_shingles_into(&lb.tokens, n, &mut sb);
        let (sa, sb) = (into_set(sa), into_set(sb));
        measures.push((format!("word {n}-gram jaccard"), exact_jaccard(&sa, &sb)));
        measures.push((
            format!("word {n}-gram containment a in b"),
            containment(&sa, &sb),
        ));
        measures.push((
            format!("word {n}-gram containment b in a"),
            containment(&sb, &sa),
        ));
    }
    let (mut sa, mut sb, mut scratch) = (Vec::new(), Vec::new(), String::new());
    char_shingles_into(&na, 5, &mut scratch, &mut sa);
    char_shingles_into(&nb, 5, &mut scratch, &mut sb);
    let (sa, sb) = (into_set(sa), into_set(sb));
    measures.push(("char 5-gram jaccard".into(), exact_jaccard(&sa, &sb)));
    measures.push((
        format!(
            "minhash estimate ({}, {} perm)",
            cfg.copy.shingle, cfg.copy.sketch.num_perm
        ),
        coll.copy_sigs.similarity(a, b),
    ));
    measures.push((
        "story score (idf cosine)".into(),
        scores.story.unwrap_or(0.0),
    ));
    measures.extend(index_measure);
    measures
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{Article, CollectionBuilder, EngineConfig};

    const A: &str = "Ambassador Thang told reporters in Paris that Vietnam and France would \
        expand cooperation in aerospace, nuclear energy and culture next year.";
    const B: &str = "In Paris, ambassador Dinh Toan Thang said Vietnam and France plan wider \
        cooperation on aerospace and nuclear energy.";
    const C: &str = "The football league announced its fixtures for the autumn season.";

    fn coll() -> Collection {
        let mut b = CollectionBuilder::new(EngineConfig::default());
        b.add_batch(vec![
            Article::new("a", A),
            Article::new("b", B),
            Article::new("c", C),
        ]);
        b.finish().unwrap()
    }

    #[test]
    fn shared_terms_name_the_words_the_two_texts_share_and_sum_to_the_story_score() {
        let coll = coll();
        let terms = shared_terms(&coll, [A, B], 0, 1, 1000);
        let words: Vec<&str> = terms.iter().map(|t| t.word.as_str()).collect();
        for w in ["paris", "thang"] {
            assert!(words.contains(&w), "{w} in {words:?}");
        }
        assert!(!words.contains(&"football"));
        assert!(terms.windows(2).all(|w| w[0].weight >= w[1].weight));
        let sum: f64 = terms.iter().map(|t| t.weight).sum();
        let story = coll.scores(0, 1).story.unwrap();
        assert!((sum - story).abs() < 1e-5, "{sum} vs {story}");
        assert!(shared_terms(&coll, [A, C], 0, 2, 10).is_empty());
    }

    #[test]
    fn an_explanation_names_passages_and_terms_under_either_preset() {
        let coll = coll();
        let texts: Vec<&str> = vec![A, B, C];
        let rarity = Rarity::build(&texts);
        let e = explain_pair(
            &coll,
            [A, B],
            0,
            1,
            Some(&rarity),
            PassageParams::default(),
            5,
        );
        assert!(e
            .passages
            .iter()
            .any(|p| A[p.a.clone()].to_lowercase().contains("vietnam and france")));
        let shares: f64 = explain_pair(&coll, [A, B], 0, 1, None, PassageParams::default(), 1000)
            .terms
            .iter()
            .map(|t| t.share.unwrap())
            .sum();
        assert!((shares - 1.0).abs() < 1e-4, "{shares}");
        let mut copy = CollectionBuilder::new(EngineConfig::for_preset(crate::Preset::Copy));
        copy.add_batch(vec![Article::new("a", A), Article::new("b", B)]);
        let copy = copy.finish().unwrap();
        let e = explain_pair(
            &copy,
            [A, B],
            0,
            1,
            Some(&rarity),
            PassageParams::default(),
            3,
        );
        assert_eq!(e.terms.len(), 3);
        assert!(e.terms.iter().all(|t| t.share.is_none()));
        // The rarest first: none of them is a word of the unrelated third text.
        assert!(
            e.terms.iter().all(|t| !C.to_lowercase().contains(&t.word)),
            "{:?}",
            e.terms
        );
    }

    #[test]
    fn pair_measures_agree_with_the_collection_scores() {
        let coll = coll();
        let m: HashMap<String, f64> = pair_measures(&coll, [A, B], 0, 1).into_iter().collect();
        assert_eq!(
            m["story score (idf cosine)"],
            coll.scores(0, 1).story.unwrap()
        );
        assert!(m["word 1-gram containment a in b"] > 0.0);
        let same: HashMap<String, f64> = pair_measures(&coll, [A, A], 0, 0).into_iter().collect();
        assert_eq!(same["word 5-gram jaccard"], 1.0);
    }
}
