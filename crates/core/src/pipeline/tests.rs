//! The pipeline end to end on small collections: the reference case, the presets, batches,
//! exact and near copies, the candidate bounds.

use super::*;
use crate::candidates::CandidatePair;
use crate::cluster::ClusterRun;
use crate::score::Preset;

fn docs(texts: &[&str]) -> Vec<Article> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| Article::new(format!("d{i}"), *t))
        .collect()
}

fn run(cfg: EngineConfig, texts: &[&str]) -> ClusterRun {
    let mut b = CollectionBuilder::new(cfg);
    b.add_batch(docs(texts));
    b.finish().unwrap().cluster().unwrap()
}

#[test]
fn reference_case_blurbs_keep_their_text_and_stay_clear_of_the_threshold() {
    // The VNA page carries its "See more" blurbs, each also a document of its own: the
    // boilerplate rules must strip them from the page, not from the blurbs (a blurb is a
    // story). Every document keeps a story vector, and no pair but the interview comes
    // near the threshold.
    let docs: Vec<Article> = seed_case();
    let ids: Vec<String> = docs.iter().map(|d| d.id.clone()).collect();
    let mut b = CollectionBuilder::new(EngineConfig::default());
    b.add_batch(docs);
    let coll = b.finish().unwrap();
    let story = coll.story.as_ref().expect("story preset");
    for (i, id) in ids.iter().enumerate() {
        assert!(!story.packed.get(i).0.is_empty(), "{id} lost all its terms");
    }
    let t = coll.cfg.thresholds.story;
    let pair = |x: &str| ids.iter().position(|i| i == x).unwrap();
    let (va, wr) = (pair("vna-thang-interview"), pair("wvr-thang-interview"));
    for a in 0..ids.len() {
        for b in a + 1..ids.len() {
            let s = coll.scores(a, b).primary(Preset::Story);
            if (a, b) == (va.min(wr), va.max(wr)) {
                assert!(s >= t, "the interview pair scores {s}");
            } else {
                assert!(s < 0.9 * t, "{} / {} score {s}", ids[a], ids[b]);
            }
        }
    }
}

const A: &str = "The central bank raised its key interest rate by half a point on Tuesday, \
    citing stubborn inflation in services and a tight labour market across the region.";

#[test]
fn exact_copies_cluster_under_copy_preset() {
    let cfg = EngineConfig {
        preset: Preset::Copy,
        ..Default::default()
    };
    let r = run(
        cfg,
        &[A, "Something else entirely, about football results.", A],
    );
    assert_eq!(r.clusters[0].members, vec![0, 2]);
    assert_eq!(r.clusters.len(), 2);
}

#[test]
fn batches_do_not_change_the_result() {
    let texts = [A, "unrelated text about the weather", A];
    let one = run(EngineConfig::default(), &texts);
    let mut b = CollectionBuilder::new(EngineConfig::default());
    for d in docs(&texts) {
        b.add_batch(vec![d]);
    }
    let many = b.finish().unwrap().cluster().unwrap();
    assert_eq!(one.clusters, many.clusters);
    assert_eq!(one.pairs, many.pairs);
}

/// Regression: ideographs are segmented one per word, so unrelated Chinese texts drawn
/// from the same few hundred characters shared nearly all their story terms and merged
/// into one story (found by benches/pathological). Story terms in such scripts are character
/// bigrams.
#[test]
fn unrelated_texts_in_an_unspaced_script_stay_apart() {
    let mut x: u64 = 1;
    let mut text = || -> String {
        (0..600)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                char::from_u32(0x4E00 + ((x >> 33) % 400) as u32).unwrap()
            })
            .collect()
    };
    let texts: Vec<String> = (0..20).map(|_| text()).collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let r = run(EngineConfig::default(), &refs);
    assert_eq!(r.clusters.len(), 20);
}

#[test]
fn empty_documents_are_singletons() {
    let r = run(EngineConfig::default(), &["", "   ", A]);
    assert_eq!(r.clusters.len(), 3);
}

#[test]
fn near_copies_stand_behind_their_first_member_in_the_story_lane() {
    let words: Vec<String> = (0..200).map(|i| format!("w{i}")).collect();
    let original = words.join(" ");
    let mut edited = words.clone();
    edited[100] = "changed".into();
    let edited = edited.join(" ");
    let other: String = (0..200).map(|i| format!("x{i} ")).collect();
    let mut b = CollectionBuilder::new(EngineConfig::default());
    b.add_batch(docs(&[&original, &other, &edited]));
    let coll = b.finish().unwrap();
    assert_eq!(coll.story_of, vec![0, 1, 0]);
    // The copy is still scored on its own vector, and clusters with its original.
    let s02 = coll.scores(0, 2).story.unwrap();
    assert!(s02 > 0.5, "{s02}");
    let run = coll.cluster().unwrap();
    assert_eq!(run.clusters.len(), 2);
    let cands: std::collections::HashSet<_> = coll.candidates().unwrap().into_iter().collect();
    assert!(coll.proposed(&cands, 0, 2));
    assert!(!coll.proposed(&cands, 1, 2));
}

#[test]
fn max_partners_bounds_story_verification_and_keeps_the_group_connected() {
    // Five versions of one story (110 shared words, 10 of their own between them: 5-gram
    // Jaccard about 0.43, below the copy threshold) among twenty unrelated documents.
    let mut texts: Vec<String> = (0..5)
        .map(|i| {
            (0..120)
                .map(|j| {
                    if j % 12 == 11 {
                        format!("own{i}x{j}")
                    } else {
                        format!("shared{j}")
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    texts.extend((0..20).map(|i| {
        (0..120)
            .map(|j| format!("other{i}x{j}"))
            .collect::<Vec<_>>()
            .join(" ")
    }));
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let build = |k: usize| {
        let mut cfg = EngineConfig::default();
        cfg.story.index = StoryIndex::MinHash(StoryMinHashParams {
            max_partners: k,
            ..Default::default()
        });
        // The texts start alike: lead anchors would propose every pair.
        cfg.copy.contain = None;
        let mut b = CollectionBuilder::new(cfg);
        b.add_batch(docs(&refs));
        b.finish().unwrap()
    };
    let partners_of_0 =
        |c: &Collection| c.candidates().unwrap().iter().filter(|p| p.0 == 0).count();
    let (all, one) = (build(0), build(1));
    assert_eq!(partners_of_0(&all), 4);
    assert_eq!(partners_of_0(&one), 1);
    let clusters = one.cluster().unwrap().clusters;
    assert_eq!(clusters[0].members, vec![0, 1, 2, 3, 4]);
    assert_eq!(clusters.len(), 21);

    // The top-terms index: the versions pair with each other and nothing else does; when
    // their terms are held by more documents than `story_max_bucket`, with their next
    // holders only, and the group stays one cluster.
    let top = |max_list: usize| {
        let mut cfg = EngineConfig::default();
        cfg.story.index = StoryIndex::TopTerms(TopTermsParams {
            max_list,
            ..Default::default()
        });
        cfg.copy.contain = None;
        let mut b = CollectionBuilder::new(cfg);
        b.add_batch(docs(&refs));
        let c = b.finish().unwrap();
        let cands = c.candidates().unwrap();
        (cands, c.cluster().unwrap().clusters)
    };
    let (cands, clusters) = top(64);
    let versions: Vec<CandidatePair> = (0..5u32)
        .flat_map(|a| (a + 1..5).map(move |b| (a, b)))
        .collect();
    assert_eq!(cands, versions);
    assert_eq!(clusters[0].members, vec![0, 1, 2, 3, 4]);
    // Five holders > 4: each pairs with its next window(4) = 1.
    let (cands, clusters) = top(4);
    assert_eq!(cands, vec![(0, 1), (1, 2), (2, 3), (3, 4)]);
    assert_eq!(clusters[0].members, vec![0, 1, 2, 3, 4]);
}

#[test]
fn features_signed_under_another_recipe_are_refused() {
    let texts = [A, "unrelated text about the weather"];
    let mut other = EngineConfig::default();
    other.copy.sketch.seed = 7;
    let foreign = CollectionBuilder::new(other).sign(docs(&texts));
    let mut b = CollectionBuilder::new(EngineConfig::default());
    match b.add_signed(foreign) {
        Err(crate::error::Error::ParamMismatch { what, left, right }) => {
            assert_eq!((what, left.as_str(), right.as_str()), ("seed", "42", "7"));
        }
        other => panic!("{:?}", other.map(|_| ())),
    }
    assert!(b.is_empty(), "nothing of the refused batch was added");
    let mut copy = EngineConfig::for_preset(Preset::Copy);
    copy.copy.sketch.seed = 42;
    let story_less = CollectionBuilder::new(copy).sign(docs(&texts));
    assert!(matches!(
        b.add_signed(story_less),
        Err(crate::error::Error::ParamMismatch {
            what: "story terms",
            ..
        })
    ));
    // A batch signed by another builder with the same config is the same as adding it.
    let own = CollectionBuilder::new(EngineConfig::default()).sign(docs(&texts));
    b.add_signed(own).unwrap();
    let signed = b.finish().unwrap().cluster().unwrap();
    assert_eq!(
        signed.clusters,
        run(EngineConfig::default(), &texts).clusters
    );
}

/// The seed case as articles (tests do not read the readers' crate).
fn seed_case() -> Vec<Article> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/seeds/seed_case.jsonl"
    );
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            Article::new(v["id"].as_str().unwrap(), v["text"].as_str().unwrap())
        })
        .collect()
}

#[test]
fn fast_verification_makes_the_decisions_of_the_full_scores() {
    let mut texts: Vec<Article> = seed_case();
    texts.push(Article::new("copy", A));
    texts.push(Article::new("copy-again", A));
    for preset in [Preset::Story, Preset::Copy] {
        let mut b = CollectionBuilder::new(EngineConfig::for_preset(preset));
        b.add_batch(texts.clone());
        let coll = b.finish().unwrap();
        let store = coll.store();
        let scorer = PairScorer::new(&store, preset);
        for t in [0.0, 0.05, 0.2, 0.25, 0.5, 0.8, 1.0] {
            let t = crate::score::Thresholds { copy: t, story: t };
            for a in 0..coll.len() {
                for b in a + 1..coll.len() {
                    let full = scorer.scores(a, b);
                    let want = full.decide(preset, t).map(|_| full);
                    assert_eq!(scorer.verify(a, b, t), want, "{preset:?} {a} {b} {t:?}");
                }
            }
        }
    }
}

/// A store of owned per-document columns, scored by the plain oracles (equal positions of two
/// signatures, a merge of two sorted term lists).
struct OwnedStore {
    original: Vec<usize>,
    sigs: Vec<Vec<u32>>,
    story: Option<Vec<(Vec<u32>, Vec<f32>)>>,
}

impl FeatureStore for OwnedStore {
    fn len(&self) -> usize {
        self.original.len()
    }
    fn original(&self, doc: usize) -> usize {
        self.original[doc]
    }
    fn copy_similarity(&self, a: usize, b: usize) -> f64 {
        crate::sketch::estimate(&self.sigs[a], &self.sigs[b])
    }
    fn copy_may_reach(&self, a: usize, b: usize, t: f64) -> bool {
        self.copy_similarity(a, b) >= t
    }
    fn copy_bound_is_cheap(&self) -> bool {
        true
    }
    fn story_cosine(&self, a: usize, b: usize) -> Option<f64> {
        let v = self.story.as_ref()?;
        let ((xk, xw), (yk, yw)) = (&v[a.min(b)], &v[a.max(b)]);
        let mut dot = 0.0f64;
        for (i, t) in xk.iter().enumerate() {
            if let Ok(j) = yk.binary_search(t) {
                dot += xw[i] as f64 * yw[j] as f64;
            }
        }
        Some(dot)
    }
    fn has_story(&self) -> bool {
        self.story.is_some()
    }
}

#[test]
fn a_store_of_owned_columns_verifies_as_the_collection_does() {
    let mut b = CollectionBuilder::new(EngineConfig::default());
    let mut texts = seed_case();
    texts.push(Article::new("copy", A));
    texts.push(Article::new("copy-again", A));
    b.add_batch(texts);
    let coll = b.finish().unwrap();
    let owned = OwnedStore {
        original: (0..coll.len()).map(|i| coll.canonical(i)).collect(),
        sigs: (0..coll.len())
            .map(|i| coll.copy_sigs.get(i).to_vec())
            .collect(),
        story: coll.story.as_ref().map(|s| {
            (0..coll.len())
                .map(|i| {
                    let (k, w) = s.packed.get(i);
                    (k.to_vec(), w.to_vec())
                })
                .collect()
        }),
    };
    let cands = coll.candidates().unwrap();
    let t = coll.cfg.thresholds;
    let theirs = PairScorer::new(&owned, Preset::Story).verify_pairs(&cands, t);
    let ours = coll.cluster().unwrap().pairs;
    assert!(!ours.is_empty());
    assert_eq!(theirs.len(), ours.len());
    for (x, y) in theirs.iter().zip(&ours) {
        assert_eq!((x.a, x.b, x.evidence), (y.a, y.b, y.evidence));
        assert!((x.similarity - y.similarity).abs() < 1e-9);
    }
}

/// Regression: two identical texts were reported with `story` evidence; they are the same
/// words (`exact`), and a pair over the copy threshold is a `copy` whatever its story score.
#[test]
fn evidence_names_the_strongest_reason() {
    let words: Vec<String> = (0..200).map(|i| format!("w{i}")).collect();
    let original = words.join(" ");
    let mut edited = words.clone();
    edited[199] = "changed".into();
    let edited = edited.join(" ");
    for preset in [Preset::Story, Preset::Copy] {
        let r = run(
            EngineConfig::for_preset(preset),
            &[&original, &original, &edited],
        );
        let of = |a: u32, b: u32| {
            r.pairs
                .iter()
                .find(|p| (p.a, p.b) == (a, b))
                .map(|p| p.evidence)
        };
        assert_eq!(of(0, 1), Some(crate::score::Evidence::Exact), "{preset:?}");
        assert_eq!(of(0, 2), Some(crate::score::Evidence::Copy), "{preset:?}");
    }
}

#[test]
fn a_lead_only_copy_with_a_foreign_sentence_keeps_its_lead_and_does_not_bridge_the_donor() {
    // The VNA interview's first three lines republished with the first sentence of a "See
    // more" blurb inserted (the seed case's own texts): the copy and its source share two
    // lines nobody else holds, with a Jaccard far below VERSION_JACCARD. Unless containment
    // tells them versions of one text, the shared-block rule strips those lines from both,
    // the copy's story vector is the blurb's sentence, and the blurb joins the interview's
    // story through it.
    let mut docs = seed_case();
    let vna: Vec<&str> = docs[0].text.lines().collect();
    let donor = docs.iter().find(|d| d.id == "vna-blurb-01").unwrap();
    let sentence = donor
        .text
        .lines()
        .nth(1)
        .unwrap()
        .split(". ")
        .next()
        .unwrap();
    let copy = [vna[0], vna[1], sentence, vna[2]].join("\n");
    docs.push(Article::new("copy", copy));
    let ids: Vec<String> = docs.iter().map(|d| d.id.clone()).collect();
    let at = |x: &str| ids.iter().position(|i| i == x).unwrap();
    let mut b = CollectionBuilder::new(EngineConfig::default());
    b.add_batch(docs);
    let coll = b.finish().unwrap();
    let (copy, source, blurb) = (at("copy"), at("vna-thang-interview"), at("vna-blurb-01"));
    let t = coll.cfg.thresholds.story;
    let story = |a, b| coll.scores(a, b).story.unwrap();
    assert!(story(copy, source) >= t, "{}", story(copy, source));
    assert!(story(copy, blurb) < t, "{}", story(copy, blurb));
    let run = coll.cluster().unwrap();
    let cluster_of = |d: usize| {
        run.clusters
            .iter()
            .position(|c| c.members.contains(&(d as u32)))
    };
    assert_eq!(cluster_of(copy), cluster_of(source));
    assert_ne!(cluster_of(blurb), cluster_of(source));
}
