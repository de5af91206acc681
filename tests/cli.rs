//! Integration tests: run the real binary on `fixtures/` and check parsed output.

use crate::common::{assert_success, storyhash};
use serde_json::Value;
use std::io::Write;

const SEED: &str = "fixtures/seeds/seed_case.jsonl";

fn jsonl(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

fn members(c: &Value) -> Vec<String> {
    c["members"]
        .as_array()
        .expect("members array")
        .iter()
        .map(|m| m.as_str().expect("id string").to_owned())
        .collect()
}

#[test]
fn seed_case_joins_the_interview_pair_and_nothing_else() {
    let out = storyhash()
        .args(["cluster", SEED, "--format", "jsonl", "--quiet"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let clusters = jsonl(&out.stdout);
    // Every document is in exactly one cluster.
    let total: usize = clusters.iter().map(|c| members(c).len()).sum();
    assert_eq!(total, 27);
    let multi: Vec<_> = clusters.iter().filter(|c| members(c).len() > 1).collect();
    assert_eq!(
        multi.len(),
        1,
        "only the interview pair clusters: {multi:?}"
    );
    assert_eq!(
        members(multi[0]),
        ["vna-thang-interview", "wvr-thang-interview"]
    );
    assert_eq!(multi[0]["representative"], "vna-thang-interview");
    let pairs = multi[0]["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 1);
    assert!(pairs[0]["similarity"].as_f64().unwrap() > 0.0);
}

#[test]
fn seed_case_clusters_match_gold_stories() {
    // Gold: the `story` field of the fixture. Pairwise agreement must be perfect.
    let text = std::fs::read_to_string(SEED).unwrap();
    let gold: std::collections::HashMap<String, String> = text
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["id"].as_str().unwrap().into(),
                v["story"].as_str().unwrap().into(),
            )
        })
        .collect();
    let out = storyhash()
        .args(["cluster", SEED, "--format", "csv", "--quiet"])
        .output()
        .unwrap();
    let mut rdr = csv::Reader::from_reader(out.stdout.as_slice());
    let rows: Vec<(String, String)> = rdr
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_owned(), r[1].to_owned())
        })
        .collect();
    assert_eq!(rows.len(), 27);
    for (ca, a) in &rows {
        for (cb, b) in &rows {
            assert_eq!(ca == cb, gold[a] == gold[b], "{a} vs {b}");
        }
    }
}

#[test]
fn copy_preset_keeps_the_rewritten_interview_apart() {
    let out = storyhash()
        .args([
            "cluster", SEED, "--preset", "copy", "--format", "jsonl", "--quiet",
        ])
        .output()
        .unwrap();
    let clusters = jsonl(&out.stdout);
    assert_eq!(
        clusters.len(),
        27,
        "5-gram Jaccard of the two write-ups is ~0.015"
    );
}

#[test]
fn both_linkages_keep_the_seed_case_to_the_interview_pair() {
    for linkage in ["single", "average"] {
        let out = storyhash()
            .args([
                "cluster",
                SEED,
                "--format",
                "jsonl",
                "--quiet",
                "--linkage",
                linkage,
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{linkage}");
        let clusters = jsonl(&out.stdout);
        let multi: Vec<_> = clusters.iter().filter(|c| members(c).len() > 1).collect();
        assert_eq!(multi.len(), 1, "{linkage}: {multi:?}");
        assert_eq!(
            members(multi[0]),
            ["vna-thang-interview", "wvr-thang-interview"]
        );
    }
    let bad = storyhash()
        .args(["cluster", SEED, "--linkage", "complete"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
}

#[test]
fn one_two_and_eight_threads_give_identical_output() {
    let run = |t: &str| {
        storyhash()
            .args([
                "cluster",
                SEED,
                "--format",
                "jsonl",
                "--quiet",
                "--threads",
                t,
            ])
            .output()
            .unwrap()
            .stdout
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    assert_eq!(one, run("8"));
}

#[test]
fn exact_copies_cluster_under_both_presets() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.jsonl");
    let seed = std::fs::read_to_string(SEED).unwrap();
    let first: Value = serde_json::from_str(seed.lines().next().unwrap()).unwrap();
    let mut f = std::fs::File::create(&path).unwrap();
    for (i, line) in seed.lines().enumerate() {
        writeln!(f, "{line}").unwrap();
        if i == 5 {
            let copy = serde_json::json!({"id": "copy-of-vna", "text": first["text"]});
            writeln!(f, "{copy}").unwrap();
        }
    }
    drop(f);
    for preset in ["copy", "story"] {
        let out = storyhash()
            .args([
                "cluster",
                path.to_str().unwrap(),
                "--preset",
                preset,
                "--format",
                "jsonl",
                "-q",
            ])
            .output()
            .unwrap();
        let clusters = jsonl(&out.stdout);
        let vna = clusters
            .iter()
            .find(|c| members(c).contains(&"vna-thang-interview".to_string()))
            .unwrap();
        assert!(
            members(vna).contains(&"copy-of-vna".to_string()),
            "{preset}: {vna}"
        );
    }
}

#[test]
fn malformed_line_names_file_and_line_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.jsonl");
    std::fs::write(
        &path,
        "{\"id\":\"a\",\"text\":\"x\"}\n{\"id\":\"b\",\"text\":\n",
    )
    .unwrap();
    let out = storyhash()
        .args(["cluster", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.jsonl:2"), "{err}");
    assert!(err.contains("hint:"), "{err}");
}

#[test]
fn duplicate_id_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dup.jsonl");
    std::fs::write(
        &path,
        "{\"id\":\"a\",\"text\":\"x\"}\n{\"id\":\"a\",\"text\":\"y\"}\n",
    )
    .unwrap();
    let out = storyhash()
        .args(["cluster", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("duplicate id"));
}

#[test]
fn empty_documents_are_singletons_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e.jsonl");
    std::fs::write(
        &path,
        "{\"id\":\"a\",\"text\":\"\"}\n{\"id\":\"b\",\"text\":\"  \"}\n",
    )
    .unwrap();
    let out = storyhash()
        .args(["cluster", path.to_str().unwrap(), "--format", "jsonl"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(jsonl(&out.stdout).len(), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("2 documents clustered (2 empty)"));
}

#[test]
fn dedup_out_keeps_one_record_per_cluster_verbatim() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("dedup.jsonl");
    let out = storyhash()
        .args([
            "cluster",
            SEED,
            "-q",
            "--format",
            "jsonl",
            "--dedup-out",
            out_path.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let kept = std::fs::read_to_string(&out_path).unwrap();
    let original = std::fs::read_to_string(SEED).unwrap();
    assert_eq!(kept.lines().count(), 26);
    assert!(kept.lines().all(|l| original.lines().any(|o| o == l)));
    assert!(!kept.contains("\"id\": \"wvr-thang-interview\""));
}

#[test]
fn dedup_out_of_a_text_directory_copies_one_file_per_cluster() {
    // Two articles and an exact copy of one of them in a subdirectory: the output directory
    // keeps each cluster's first file, byte for byte, at its relative path.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(input.join("sub")).unwrap();
    let vna = std::fs::read("fixtures/seeds/vna_ambassador_thang_interview.txt").unwrap();
    let wvr = std::fs::read("fixtures/seeds/wvr_ambassador_thang_interview.txt").unwrap();
    std::fs::write(input.join("a_vna.txt"), &vna).unwrap();
    std::fs::write(input.join("b_wvr.txt"), &wvr).unwrap();
    std::fs::write(input.join("sub/c_copy.txt"), &vna).unwrap();
    let note = b"A short note on the weather in Hanoi, unrelated to anything else here.\n";
    std::fs::write(input.join("sub/d_note.txt"), note).unwrap();
    let out_dir = dir.path().join("kept");
    let run = |extra: &[&str]| {
        storyhash()
            .args([
                "cluster",
                input.to_str().unwrap(),
                "-q",
                "--format",
                "jsonl",
            ])
            .args(["--dedup-out", out_dir.to_str().unwrap()])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&[]);
    assert_success(&out);
    let clusters = jsonl(&out.stdout);
    let copy = clusters
        .iter()
        .find(|c| members(c).len() == 2)
        .expect("the copy joins its original");
    assert_eq!(members(copy), ["a_vna.txt", "sub/c_copy.txt"]);
    let mut kept: Vec<String> = walk_files(&out_dir);
    kept.sort();
    assert_eq!(kept.len(), clusters.len());
    assert_eq!(kept, ["a_vna.txt", "b_wvr.txt", "sub/d_note.txt"]);
    assert_eq!(std::fs::read(out_dir.join("sub/d_note.txt")).unwrap(), note);
    assert_eq!(std::fs::read(out_dir.join("a_vna.txt")).unwrap(), vna);
    assert_eq!(std::fs::read(out_dir.join("b_wvr.txt")).unwrap(), wvr);
    // A second run does not write over the first one's output.
    let again = run(&[]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("refusing to overwrite"));
}

fn walk_files(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(
                walk_files(&p)
                    .into_iter()
                    .map(|f| format!("{}/{f}", p.file_name().unwrap().to_string_lossy())),
            );
        } else {
            out.push(p.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    out
}

#[test]
fn dedup_out_refuses_to_overwrite_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.jsonl");
    std::fs::copy(SEED, &path).unwrap();
    let p = path.to_str().unwrap();
    let out = storyhash()
        .args(["cluster", p, "--dedup-out", p])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(&path).unwrap(), std::fs::read(SEED).unwrap());
}

#[test]
fn compare_reports_story_join_for_the_interview_pair() {
    let out = storyhash()
        .args([
            "compare",
            SEED,
            "--ids",
            "vna-thang-interview",
            "wvr-thang-interview",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["story"]["joins"], true);
    assert_eq!(v["copy"]["joins"], false);
    let j5 = v["measures"]["word 5-gram jaccard"].as_f64().unwrap();
    assert!(j5 < 0.05, "the write-ups share few 5-grams: {j5}");
}

#[test]
fn stdin_is_read_when_input_is_dash() {
    let out = storyhash()
        .args(["cluster", "-", "--format", "jsonl", "-q"])
        .write_stdin(std::fs::read(SEED).unwrap())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(jsonl(&out.stdout).len(), 26);
}

#[test]
fn eval_on_the_seed_case_reports_perfect_agreement() {
    let out = storyhash()
        .args(["eval", SEED, "--gold-field", "story", "--format", "json"])
        .output()
        .unwrap();
    assert_success(&out);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["documents"], 27);
    assert_eq!(v["pairwise"]["f1"], 1.0);
    assert_eq!(v["candidate_recall"], 1.0);
}

#[test]
fn eval_pairs_mode_scores_inline_pairs() {
    // Two pairs built from the seed fixture: the interview pair (label 1) and a blurb pair
    // that shares a template sentence (label 0).
    let seed = std::fs::read_to_string(SEED).unwrap();
    let by_id: std::collections::HashMap<String, String> = seed
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["id"].as_str().unwrap().into(),
                v["text"].as_str().unwrap().into(),
            )
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pairs.jsonl");
    let rows = [
        ("vna-thang-interview", "wvr-thang-interview", 1),
        ("vna-blurb-10", "vna-blurb-16", 0),
        ("vna-blurb-04", "vna-blurb-05", 0),
    ];
    let mut body = String::new();
    for (a, b, l) in rows {
        let o = serde_json::json!({"a_id": a, "b_id": b, "a_text": by_id[a], "b_text": by_id[b], "label": l});
        body.push_str(&format!("{o}\n"));
    }
    std::fs::write(&path, body).unwrap();
    let out = storyhash()
        .args([
            "eval",
            "--pairs",
            path.to_str().unwrap(),
            "--format",
            "json",
            "--errors",
            "1",
        ])
        .output()
        .unwrap();
    assert_success(&out);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["all"]["pairs"], 3);
    assert_eq!(v["all"]["auc"], 1.0);
    assert_eq!(v["false_splits"][0]["a"], "vna-thang-interview");
}

/// Regression: a text published three times had all its lines counted as boilerplate (a line in
/// 3+ documents), which emptied its story vector, so a rewrite of it could no longer join.
/// Exact copies are now left out of the collection statistics.
#[test]
fn story_found_three_times_verbatim_still_joins_its_rewrite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("copies.jsonl");
    let seed = std::fs::read_to_string(SEED).unwrap();
    let first: Value = serde_json::from_str(seed.lines().next().unwrap()).unwrap();
    let mut body = seed.clone();
    for i in 0..3 {
        body.push_str(&format!(
            "{}\n",
            serde_json::json!({"id": format!("vna-copy-{i}"), "text": first["text"]})
        ));
    }
    std::fs::write(&path, body).unwrap();
    let out = storyhash()
        .args(["cluster", path.to_str().unwrap(), "--format", "jsonl", "-q"])
        .output()
        .unwrap();
    let clusters = jsonl(&out.stdout);
    let multi: Vec<_> = clusters.iter().filter(|c| members(c).len() > 1).collect();
    assert_eq!(multi.len(), 1, "{multi:?}");
    assert_eq!(
        members(multi[0]),
        [
            "vna-thang-interview",
            "wvr-thang-interview",
            "vna-copy-0",
            "vna-copy-1",
            "vna-copy-2"
        ]
    );
}

#[test]
fn input_order_does_not_change_the_clusters() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rev.jsonl");
    let seed = std::fs::read_to_string(SEED).unwrap();
    let mut lines: Vec<&str> = seed.lines().collect();
    lines.reverse();
    std::fs::write(&path, lines.join("\n")).unwrap();
    let as_sets = |p: &str| {
        let out = storyhash()
            .args(["cluster", p, "--format", "jsonl", "-q"])
            .output()
            .unwrap();
        let mut sets: Vec<Vec<String>> = jsonl(&out.stdout)
            .iter()
            .map(|c| {
                let mut m = members(c);
                m.sort();
                m
            })
            .collect();
        sets.sort();
        sets
    };
    assert_eq!(as_sets(SEED), as_sets(path.to_str().unwrap()));
}

#[test]
fn verbose_names_every_stage_and_changes_no_output() {
    let run = |verbose: bool| {
        let mut cmd = storyhash();
        cmd.args(["cluster", SEED, "--format", "jsonl"]);
        if verbose {
            cmd.arg("--verbose");
        }
        let out = cmd.output().unwrap();
        assert_success(&out);
        out
    };
    let (plain, verbose) = (run(false), run(true));
    assert_eq!(plain.stdout, verbose.stdout);
    let err = String::from_utf8_lossy(&verbose.stderr);
    let stages = err
        .lines()
        .find(|l| l.starts_with("stages: "))
        .unwrap_or_else(|| panic!("no stages line in {err}"));
    for stage in [
        "reading and per-document features",
        "copy clusters",
        "story statistics, boilerplate and vectors",
        "candidates",
        "verification",
        "clustering",
    ] {
        assert!(
            stages.contains(&format!("{stage} ")),
            "{stage} missing: {stages}"
        );
    }
    assert!(!String::from_utf8_lossy(&plain.stderr).contains("stages: "));
}
