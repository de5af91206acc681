//! The evidence for a clustering, for `cluster --explain`, `cluster --format html` and
//! `report`: each pair shown explained by the engine (`storyhash::explain`), and the HTML page
//! built from a run.

use rayon::prelude::*;
use std::collections::HashMap;
use storyhash::explain::{explain_pair, Explanation, PassageParams, Rarity};
use storyhash::report::html::{ClusterView, DocView, Page, PairView, PassageView, Summary};
use storyhash::report::round4;
use storyhash::Collection;

/// Terms listed per explained pair.
pub const TERMS: usize = 10;

/// Explanations of pairs of a collection, by pair (smaller position first).
pub struct Explained {
    by_pair: HashMap<(u32, u32), Explanation>,
}

impl Explained {
    /// Explain `pairs` of `coll` (texts by position), in parallel; the result does not depend
    /// on the number of threads.
    pub fn new(coll: &Collection, texts: &[String], pairs: &[(u32, u32)]) -> Self {
        let rarity = Rarity::build(texts);
        let mut keys: Vec<(u32, u32)> = pairs.iter().map(|&(a, b)| (a.min(b), a.max(b))).collect();
        keys.sort_unstable();
        keys.dedup();
        let by_pair = keys
            .par_iter()
            .map(|&(a, b)| {
                let (x, y) = (a as usize, b as usize);
                let e = explain_pair(
                    coll,
                    [&texts[x], &texts[y]],
                    x,
                    y,
                    Some(&rarity),
                    PassageParams::default(),
                    TERMS,
                );
                ((a, b), e)
            })
            .collect();
        Explained { by_pair }
    }

    /// The explanation of `(a, b)`, seen from `a` (passages' `a` ranges are in `a`'s text).
    fn get(&self, a: u32, b: u32) -> Option<(bool, &Explanation)> {
        self.by_pair.get(&(a.min(b), a.max(b))).map(|e| (a > b, e))
    }

    /// JSON fields for the pair `(a, b)`: `passages` (byte ranges `a` and `b` of the two
    /// texts, `words`, `weight`) and `terms` (`word`, `weight`, `share` of the story score).
    pub fn fields(&self, a: u32, b: u32) -> serde_json::Map<String, serde_json::Value> {
        use serde_json::json;
        let mut m = serde_json::Map::new();
        let Some((swapped, e)) = self.get(a, b) else {
            return m;
        };
        let passages: Vec<serde_json::Value> = e
            .passages
            .iter()
            .map(|p| {
                let (ra, rb) = if swapped { (&p.b, &p.a) } else { (&p.a, &p.b) };
                json!({"a": [ra.start, ra.end], "b": [rb.start, rb.end], "words": p.words,
                       "weight": round4(p.weight)})
            })
            .collect();
        let terms: Vec<serde_json::Value> = e
            .terms
            .iter()
            .map(|t| json!({"word": t.word, "weight": round4(t.weight), "share": t.share.map(round4)}))
            .collect();
        m.insert("passages".into(), passages.into());
        m.insert("terms".into(), terms.into());
        m
    }
}

/// A cluster as a saved result or a run gives it.
pub struct ClusterRow {
    pub id: usize,
    /// Members, the representative first.
    pub members: Vec<u32>,
    /// Each member's score against the representative.
    pub similarity: Vec<f64>,
}

/// A pair as a saved result or a run gives it.
pub struct PairRow {
    pub a: u32,
    pub b: u32,
    pub similarity: f64,
    pub evidence: String,
}

/// Build the page: every cluster's joins (`joins`, the linkage path) and each member against
/// its representative, explained.
pub fn build(
    coll: &Collection,
    texts: &[String],
    clusters: &[ClusterRow],
    joins: &[PairRow],
    scores: Vec<f64>,
    summary: Summary,
) -> Page {
    let preset = coll.cfg.preset;
    let t = coll.cfg.thresholds;
    let mut cluster_of = vec![0usize; coll.len()];
    for (k, c) in clusters.iter().enumerate() {
        for &m in &c.members {
            cluster_of[m as usize] = k;
        }
    }
    // Pairs: the joins, then member-representative pairs that are not joins.
    let mut pairs: Vec<PairView> = Vec::new();
    let mut index: HashMap<(u32, u32), usize> = HashMap::new();
    let mut of_cluster: Vec<Vec<usize>> = vec![Vec::new(); clusters.len()];
    for j in joins {
        let key = (j.a.min(j.b), j.a.max(j.b));
        // A saved result of `--pairs all` lists pairs whose clusters stayed apart: they are
        // in the histogram, not in a cluster.
        if index.contains_key(&key) || cluster_of[j.a as usize] != cluster_of[j.b as usize] {
            continue;
        }
        index.insert(key, pairs.len());
        of_cluster[cluster_of[j.a as usize]].push(pairs.len());
        pairs.push(PairView {
            a: j.a,
            b: j.b,
            similarity: j.similarity,
            evidence: j.evidence.clone(),
            join: true,
            ..PairView::default()
        });
    }
    let mut evidence: Vec<Vec<Option<String>>> = Vec::with_capacity(clusters.len());
    for (k, c) in clusters.iter().enumerate() {
        let rep = c.members[0];
        let mut ev = vec![None; c.members.len()];
        for (i, &m) in c.members.iter().enumerate().skip(1) {
            let s = coll.scores(rep as usize, m as usize);
            ev[i] = s.decide(preset, t).map(|e| e.name().to_string());
            let key = (rep.min(m), rep.max(m));
            if index.contains_key(&key) {
                continue;
            }
            index.insert(key, pairs.len());
            of_cluster[k].push(pairs.len());
            pairs.push(PairView {
                a: rep,
                b: m,
                similarity: c.similarity[i],
                evidence: ev[i].clone().unwrap_or_else(|| "none".into()),
                join: false,
                ..PairView::default()
            });
        }
        evidence.push(ev);
    }
    let wanted: Vec<(u32, u32)> = pairs.iter().map(|p| (p.a, p.b)).collect();
    let explained = Explained::new(coll, texts, &wanted);
    for p in &mut pairs {
        if let Some((swapped, e)) = explained.get(p.a, p.b) {
            p.passages = e
                .passages
                .iter()
                .map(|x| {
                    let (ra, rb) = if swapped { (&x.b, &x.a) } else { (&x.a, &x.b) };
                    PassageView {
                        a: ra.clone(),
                        b: rb.clone(),
                        weight: x.weight,
                        words: x.words,
                    }
                })
                .collect();
            // Shares exist for the story score only: the copy score is not made of terms.
            p.terms = e
                .terms
                .iter()
                .filter_map(|t| t.share.map(|s| (t.word.clone(), s)))
                .collect();
        }
    }
    let ids = coll.docs.ids();
    Page {
        summary,
        docs: ids
            .iter()
            .zip(texts)
            .map(|(id, text)| DocView {
                id: id.clone(),
                text: text.clone(),
            })
            .collect(),
        clusters: clusters
            .iter()
            .zip(evidence)
            .zip(of_cluster)
            .map(|((c, evidence), pairs)| ClusterView {
                id: c.id,
                members: c.members.clone(),
                similarity: c.similarity.clone(),
                evidence,
                pairs,
            })
            .collect(),
        pairs,
        scores,
    }
}

/// The settings a page lists, and the copy lane's banding for its S-curve.
pub fn summary(coll: &Collection, clusters: usize, seconds: Option<f64>) -> Summary {
    let cfg = &coll.cfg;
    let lsh = cfg.copy_lsh().ok();
    let mut params = vec![
        ("preset".to_string(), cfg.preset.name().to_string()),
        ("copy threshold".into(), cfg.thresholds.copy.to_string()),
        ("copy shingles".into(), cfg.copy.shingle.to_string()),
        ("permutations".into(), cfg.copy.sketch.num_perm.to_string()),
        ("seed".into(), cfg.copy.sketch.seed.to_string()),
        ("linkage".into(), cfg.linkage().name().to_string()),
    ];
    if cfg.preset == storyhash::Preset::Story {
        params.insert(
            2,
            ("story threshold".into(), cfg.thresholds.story.to_string()),
        );
    }
    if let Some(l) = lsh {
        params.push((
            "copy LSH".into(),
            format!("{} bands x {} rows", l.bands, l.rows),
        ));
    }
    Summary {
        documents: coll.len(),
        clusters,
        duplicates_removed: coll.len() - clusters,
        preset: cfg.preset.name().to_string(),
        threshold: cfg.thresholds.of(cfg.preset),
        bands: lsh.map_or(0, |l| l.bands),
        rows: lsh.map_or(0, |l| l.rows),
        lsh_threshold: cfg.thresholds.copy,
        params,
        seconds,
    }
}
