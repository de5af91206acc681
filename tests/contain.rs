//! Trimmed copies: a site republishes the headline and first paragraphs of an agency story,
//! with or without a credit line. Built from the bundled VNA article (fixtures/seeds), whose
//! text we ship.

use crate::common::{assert_success, json_lines, storyhash};
use serde_json::{json, Value};
use std::path::Path;

const VNA: &str = "fixtures/seeds/vna_ambassador_thang_interview.txt";

/// The VNA article without its appended blurbs, as paragraphs.
fn paragraphs() -> Vec<String> {
    let text = std::fs::read_to_string(VNA).unwrap();
    text.lines()
        .take_while(|l| *l != "See more")
        .map(str::to_owned)
        .collect()
}

fn write(dir: &Path, records: &[(&str, String)]) -> std::path::PathBuf {
    let path = dir.join("in.jsonl");
    let body: String = records
        .iter()
        .map(|(id, text)| format!("{}\n", json!({"id": id, "text": text})))
        .collect();
    std::fs::write(&path, body).unwrap();
    path
}

fn clusters(input: &Path, extra: &[&str]) -> Vec<Value> {
    let out = storyhash()
        .arg("cluster")
        .arg(input)
        .args(["--format", "jsonl", "-q"])
        .args(extra)
        .output()
        .unwrap();
    assert_success(&out);
    json_lines(&out.stdout)
}

fn members(c: &Value) -> Vec<&str> {
    c["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect()
}

#[test]
fn a_lead_only_copy_with_a_credit_line_is_contained_in_its_source_under_both_presets() {
    let p = paragraphs();
    let source = p.join("\n");
    let lead = format!("{}\n{}\n(Reuters) - Source: VNA", p[0], p[1]);
    // Starts as the source does, then goes its own way: not a trimmed copy.
    let diverging = format!(
        "{}\nThe rest of this text is about a football match in which the home side won three \
         goals to one after a long delay caused by heavy rain over the northern stadium, and \
         the coach said the players had trained for weeks on a pitch of the same kind.",
        p[0]
    );
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        &[("source", source), ("lead", lead), ("diverging", diverging)],
    );
    for preset in ["copy", "story"] {
        let cs = clusters(&input, &["--preset", preset]);
        assert_eq!(members(&cs[0]), ["source", "lead"], "{preset}: {cs:?}");
        let pair = &cs[0]["pairs"][0];
        assert_eq!(pair["evidence"], "contained", "{preset}");
        assert_eq!(pair["contained"], "lead", "{preset}: the short side");
        // The reported score stays the preset's own (a trimmed copy's Jaccard is low).
        assert!(pair["similarity"].as_f64().unwrap() < 0.5);
        assert_eq!(members(&cs[1]), ["diverging"], "{preset}");
    }
    // Without containment, the copy preset sees two different texts.
    let cs = clusters(&input, &["--preset", "copy", "--no-contain"]);
    assert_eq!(cs.len(), 3);
    // explain names the relation, the short side and the threshold.
    let out = storyhash()
        .arg("explain")
        .arg(&input)
        .args(["--ids", "source", "lead", "--format", "json"])
        .output()
        .unwrap();
    assert_success(&out);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["containment"]["of"], "b in a");
    assert_eq!(v["containment"]["joins"], true);
    assert!(v["verdict"].as_str().unwrap().starts_with("a trimmed copy"));
}

#[test]
fn dedup_keeps_the_fuller_version_unless_asked_for_the_first() {
    let p = paragraphs();
    let dir = tempfile::tempdir().unwrap();
    // The trimmed copy comes first, the whole story later.
    let input = write(
        dir.path(),
        &[
            ("lead", format!("{}\n{}", p[0], p[1])),
            ("whole", p.join("\n")),
        ],
    );
    let kept = |keep: &str| {
        let out_path = dir.path().join(format!("kept-{keep}.jsonl"));
        let out = storyhash()
            .arg("cluster")
            .arg(&input)
            .args(["--preset", "copy", "-q", "--format", "csv", "--keep", keep])
            .arg("--dedup-out")
            .arg(&out_path)
            .output()
            .unwrap();
        assert_success(&out);
        let text = std::fs::read_to_string(&out_path).unwrap();
        text.lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(kept("longest"), ["whole"]);
    assert_eq!(kept("first"), ["lead"]);
}
