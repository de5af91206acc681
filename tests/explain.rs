//! The evidence an editor or a CMS reads: `explain`, `cluster --explain` and the passages'
//! offsets, checked against the texts themselves.

use crate::common::{assert_success, json_lines, seed_records, storyhash, SEED};
use serde_json::Value;
use std::collections::HashMap;

const VNA: &str = "vna-thang-interview";
const WVR: &str = "wvr-thang-interview";

/// The seed case's texts by id.
fn seed_texts() -> HashMap<String, String> {
    seed_records().into_iter().collect()
}

fn run_json(args: &[&str]) -> Vec<Value> {
    let out = storyhash().args(args).output().unwrap();
    assert_success(&out);
    json_lines(&out.stdout)
}

/// The text of a `[start, end]` byte range, which must be on char boundaries.
fn slice<'a>(text: &'a str, r: &Value) -> &'a str {
    let (s, e) = (
        r[0].as_u64().unwrap() as usize,
        r[1].as_u64().unwrap() as usize,
    );
    assert!(s <= e && e <= text.len(), "{s}..{e} of {}", text.len());
    assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
    &text[s..e]
}

/// Lowercased words, for comparing two passages' texts.
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric() && c != '.')
        .filter(|w| !w.is_empty())
        .map(|w| w.trim_end_matches('.').to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

#[test]
fn explain_shows_the_reference_pair_as_one_story_with_the_passages_it_shares() {
    let texts = seed_texts();
    let v = &run_json(&["explain", SEED, "--ids", VNA, WVR, "--format", "json"])[0];
    assert!(
        v["verdict"]
            .as_str()
            .unwrap()
            .starts_with("the same story, not copies"),
        "{}",
        v["verdict"]
    );
    assert_eq!(v["together"], true);
    let story = &v["presets"][1];
    assert_eq!(story["preset"], "story");
    assert_eq!(story["joins"], true);
    assert!(story["value"].as_f64().unwrap() >= story["threshold"].as_f64().unwrap());
    assert_eq!(v["presets"][0]["joins"], false);
    let passages = v["passages"].as_array().unwrap();
    assert!(passages.len() >= 10, "{}", passages.len());
    let (ta, tb) = (&texts[VNA], &texts[WVR]);
    let mut figure = false;
    for p in passages {
        let (a, b) = (slice(ta, &p["a"]), slice(tb, &p["b"]));
        figure |= a.contains("5.4 billion") && b.contains("5.4 billion");
        // Each exact run reads the same in both texts, whatever the case and punctuation.
        for r in p["runs"].as_array().unwrap() {
            let ra = slice(ta, &serde_json::json!([r[0], r[1]]));
            let rb = slice(tb, &serde_json::json!([r[2], r[3]]));
            assert_eq!(words(ra), words(rb), "{ra:?} / {rb:?}");
        }
    }
    assert!(figure, "no passage holds the shared figure");
    let shares: f64 = v["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["share"].as_f64().unwrap())
        .sum();
    assert!(shares > 0.2 && shares <= 1.0001, "{shares}");
    let terms: Vec<&str> = v["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["word"].as_str().unwrap())
        .collect();
    assert!(terms.contains(&"thang"), "{terms:?}");
}

#[test]
fn explain_of_a_blurb_and_the_interview_says_not_the_same_story() {
    let v = &run_json(&[
        "explain",
        SEED,
        "--ids",
        VNA,
        "vna-blurb-03",
        "--format",
        "json",
    ])[0];
    assert!(
        v["verdict"]
            .as_str()
            .unwrap()
            .starts_with("not the same story"),
        "{}",
        v["verdict"]
    );
    assert_eq!(v["together"], false);
}

#[test]
fn explain_of_two_files_weighs_every_word_alike_and_prints_a_page() {
    let (a, b) = (
        "fixtures/seeds/vna_ambassador_thang_interview.txt",
        "fixtures/seeds/wvr_ambassador_thang_interview.txt",
    );
    let v = &run_json(&["explain", a, b, "--format", "json"])[0];
    assert!(v["idf"].as_str().unwrap().contains("every IDF is 1"));
    assert!(v["together"].is_null());
    // With every word weighing 1, a passage weighs its word count.
    for p in v["passages"].as_array().unwrap() {
        assert_eq!(p["weight"].as_f64().unwrap(), p["words"].as_f64().unwrap());
    }
    let out = storyhash().args(["explain", a, b]).output().unwrap();
    assert_success(&out);
    let page = String::from_utf8(out.stdout).unwrap();
    for want in [
        "shared passages:",
        "--preset story: joins them",
        "distinctive shared terms",
    ] {
        assert!(page.contains(want), "{want} in\n{page}");
    }
}

#[test]
fn explain_walks_a_saved_cluster_and_refuses_what_it_cannot_explain() {
    let dir = tempfile::tempdir().unwrap();
    let result = dir.path().join("r.jsonl");
    let out = storyhash()
        .args(["cluster", SEED, "--format", "jsonl", "-q"])
        .output()
        .unwrap();
    assert_success(&out);
    std::fs::write(&result, &out.stdout).unwrap();
    let r = result.to_str().unwrap();
    let lines = run_json(&[
        "explain",
        SEED,
        "--result",
        r,
        "--cluster",
        "0",
        "--format",
        "json",
    ]);
    assert_eq!(lines.len(), 1);
    assert_eq!(
        (lines[0]["a"].as_str(), lines[0]["b"].as_str()),
        (Some(VNA), Some(WVR))
    );
    for (args, why) in [
        (vec!["--cluster", "3"], "single document"),
        (vec!["--cluster", "999"], "no cluster with id 999"),
    ] {
        let out = storyhash()
            .args(["explain", SEED, "--result", r])
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(why), "{why} in {err}");
    }
    // A result over other documents names the one it cannot find.
    let other = dir.path().join("other.jsonl");
    std::fs::write(
        &other,
        "{\"id\":\"x\",\"text\":\"one\"}\n{\"id\":\"y\",\"text\":\"two\"}\n",
    )
    .unwrap();
    let out = storyhash()
        .args([
            "explain",
            other.to_str().unwrap(),
            "--result",
            r,
            "--cluster",
            "0",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(VNA));
}

#[test]
fn cluster_explain_gives_each_listed_pair_its_passages_and_terms() {
    let texts = seed_texts();
    let plain = run_json(&["cluster", SEED, "--format", "jsonl", "-q"]);
    assert!(plain.iter().all(|c| c["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p.get("passages").is_none())));
    let explained = run_json(&["cluster", SEED, "--format", "jsonl", "-q", "--explain"]);
    let pairs: Vec<&Value> = explained
        .iter()
        .flat_map(|c| c["pairs"].as_array().unwrap())
        .collect();
    assert_eq!(pairs.len(), 1, "the interview pair only");
    let p = pairs[0];
    let (ta, tb) = (
        &texts[p["a"].as_str().unwrap()],
        &texts[p["b"].as_str().unwrap()],
    );
    let passages = p["passages"].as_array().unwrap();
    assert!(passages
        .iter()
        .any(|x| slice(ta, &x["a"]).contains("5.4 billion")
            && slice(tb, &x["b"]).contains("5.4 billion")));
    assert!(!p["terms"].as_array().unwrap().is_empty());
    // Everything else is the plain output.
    let strip = |mut v: Vec<Value>| {
        for c in &mut v {
            for p in c["pairs"].as_array_mut().unwrap() {
                let o = p.as_object_mut().unwrap();
                o.remove("passages");
                o.remove("terms");
            }
        }
        v
    };
    assert_eq!(strip(explained), plain);
    let out = storyhash()
        .args(["cluster", SEED, "--format", "table", "--explain"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn explanations_do_not_depend_on_the_number_of_threads() {
    let run = |threads: &str| {
        let out = storyhash()
            .args([
                "cluster",
                SEED,
                "--format",
                "jsonl",
                "-q",
                "--explain",
                "--threads",
                threads,
            ])
            .output()
            .unwrap();
        assert_success(&out);
        out.stdout
    };
    assert_eq!(run("1"), run("2"));
}

/// The data object of an HTML report (the JSON in its `script#data` element).
fn page_data(html: &str) -> Value {
    let open = r#"<script type="application/json" id="data">"#;
    let start = html.find(open).expect("a data element") + open.len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

/// A `[start, end]` range in UTF-16 code units of `text`, as the page's script slices it.
fn slice_utf16(text: &str, r: &Value) -> String {
    let units: Vec<u16> = text.encode_utf16().collect();
    let (s, e) = (
        r[0].as_u64().unwrap() as usize,
        r[1].as_u64().unwrap() as usize,
    );
    String::from_utf16(&units[s..e]).expect("a range on char boundaries")
}

fn html_of(args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("page.html");
    let out = storyhash()
        .args(args)
        .arg("--out")
        .arg(&path)
        .output()
        .unwrap();
    assert_success(&out);
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn the_html_report_of_the_reference_case_shows_the_interview_and_25_singletons() {
    let html = html_of(&["cluster", SEED, "--format", "html", "-q"]);
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no network address"
    );
    let data = page_data(&html);
    let docs = data["docs"].as_array().unwrap();
    let id = |i: &Value| docs[i.as_u64().unwrap() as usize]["id"].as_str().unwrap();
    let clusters = data["clusters"].as_array().unwrap();
    let interview = &clusters[0];
    let members: Vec<&str> = interview["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(id)
        .collect();
    assert_eq!(members, [VNA, WVR], "the largest cluster comes first");
    let singletons: Vec<&Value> = clusters
        .iter()
        .filter(|c| c["members"].as_array().unwrap().len() == 1)
        .collect();
    assert_eq!(singletons.len(), 25);
    assert!(singletons.iter().all(|c| {
        let m = id(&c["members"][0]);
        m.starts_with("vna-blurb-") || m.starts_with("wvr-related-")
    }));
    let pair = &data["pairs"][interview["pairs"][0].as_u64().unwrap() as usize];
    assert_eq!(pair["join"], true);
    let (ta, tb) = (
        docs[pair["a"].as_u64().unwrap() as usize]["text"]
            .as_str()
            .unwrap(),
        docs[pair["b"].as_u64().unwrap() as usize]["text"]
            .as_str()
            .unwrap(),
    );
    assert!(pair["passages"].as_array().unwrap().iter().any(|p| {
        slice_utf16(ta, &p["a"]).contains("5.4 billion")
            && slice_utf16(tb, &p["b"]).contains("5.4 billion")
    }));
    assert_eq!(data["summary"]["documents"], 27);
}

#[test]
fn a_saved_result_gives_the_page_of_the_run_and_threads_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let result = dir.path().join("r.jsonl");
    let out = storyhash()
        .args(["cluster", SEED, "--format", "jsonl", "-q"])
        .output()
        .unwrap();
    std::fs::write(&result, &out.stdout).unwrap();
    let from_run = page_data(&html_of(&[
        "cluster",
        SEED,
        "--format",
        "html",
        "-q",
        "--threads",
        "1",
    ]));
    let from_run2 = page_data(&html_of(&[
        "cluster",
        SEED,
        "--format",
        "html",
        "-q",
        "--threads",
        "2",
    ]));
    let from_result = page_data(&html_of(&["report", result.to_str().unwrap(), SEED]));
    let without_time = |mut v: Value| {
        v["summary"]["seconds"] = Value::Null;
        v
    };
    assert_eq!(without_time(from_run.clone()), without_time(from_run2));
    // The page of a saved result lists its pairs (the joins); the run's histogram has every
    // verified pair, which here are the joins too.
    assert_eq!(without_time(from_run), without_time(from_result));
    // A result made with the story preset is refused under --preset copy.
    let out = storyhash()
        .args(["report", result.to_str().unwrap(), SEED, "--preset", "copy"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--preset story"));
}
