//! Quality floors on real labelled data, so that a change that makes the method worse fails
//! `cargo test`. The fixtures are copies of `../shared/data` sets (see `fixtures/README.md`);
//! each floor sits a little under the figure measured when it was set (in the comment), so
//! noise from a changed hash function passes and a real regression does not. The full tables
//! (every set, every baseline) come from `bash benches/quality/run.sh`.

use crate::common::{assert_success, storyhash};
use serde_json::Value;
use std::io::Write;

const CLOUGH_DOCS: &str = "fixtures/clough/docs.jsonl";
const CLOUGH_PAIRS: &str = "fixtures/clough/pairs.jsonl";
const MSRP: &str = "fixtures/msrp/train_first1000.jsonl";

fn eval(args: &[&str]) -> Value {
    let out = storyhash()
        .arg("eval")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_success(&out);
    serde_json::from_slice(&out.stdout).expect("eval prints JSON")
}

fn num(v: &Value, path: &[&str]) -> f64 {
    let mut v = v;
    for p in path {
        v = &v[*p];
    }
    v.as_f64()
        .unwrap_or_else(|| panic!("{path:?} is not a number"))
}

#[test]
fn clough_stevenson_clusters_sources_with_their_derived_answers() {
    // Measured 0.955 (0.955-0.971 over seeds 1-8). The floor of 0.95 keeps sources clustered
    // with the answers derived from them, and just below the lowest seed so seed noise passes.
    let r = eval(&[CLOUGH_DOCS, "--gold-field", "story"]);
    let ari = num(&r, &["ari"]);
    assert!(ari >= 0.95, "ARI {ari}");
}

#[test]
fn clough_stevenson_story_scores_rank_derived_answers_above_independent_ones() {
    // Measured AUC 0.970 and F1 0.935 at the fixed threshold.
    let r = eval(&[
        CLOUGH_DOCS,
        "--pairs",
        CLOUGH_PAIRS,
        "--score-field",
        "grade",
    ]);
    let auc = num(&r, &["all", "auc"]);
    let f1 = num(&r, &["all", "at_default_threshold", "prf", "f1"]);
    assert!(auc >= 0.96, "AUC {auc}");
    assert!(f1 >= 0.92, "F1 {f1}");
}

#[test]
fn copy_preset_flags_cut_and_light_copies_and_never_independent_answers() {
    // Positives: near copies and light revisions of the source; negatives: answers written
    // independently. The copy preset must not flag a single independent answer.
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("cutlight.jsonl");
    let mut f = std::fs::File::create(&sub).unwrap();
    for line in std::fs::read_to_string(CLOUGH_PAIRS).unwrap().lines() {
        let p: Value = serde_json::from_str(line).unwrap();
        if matches!(p["category"].as_str(), Some("cut" | "light" | "non")) {
            writeln!(f, "{line}").unwrap();
        }
    }
    drop(f);
    let r = eval(&[
        CLOUGH_DOCS,
        "--pairs",
        sub.to_str().unwrap(),
        "--preset",
        "copy",
    ]);
    let precision = num(&r, &["all", "at_default_threshold", "prf", "precision"]);
    let recall = num(&r, &["all", "at_default_threshold", "prf", "recall"]);
    assert!(precision >= 0.98, "precision {precision}");
    assert!(recall > 0.0, "the copy preset flags no copy at all");
}

#[test]
fn msrp_paraphrases_rank_above_non_paraphrases() {
    // First 1,000 pairs of MSRP train: story AUC measured 0.755 (copy 0.629). Word-unigram
    // Jaccard reaches 0.759 on the whole train split: sentences are the story preset's
    // weakest ground, and this floor keeps it from getting weaker.
    let story = num(&eval(&["--pairs", MSRP]), &["all", "auc"]);
    let copy = num(
        &eval(&["--pairs", MSRP, "--preset", "copy"]),
        &["all", "auc"],
    );
    assert!(story >= 0.74, "story AUC {story}");
    assert!(story > copy, "story {story} copy {copy}");
}
