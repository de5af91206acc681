//! The seed case read through every input format gives the same clusters as the JSONL original.

use crate::common::{assert_success, seed_records, storyhash, SEED};
use serde_json::Value;
use std::io::Write;
use std::path::Path;

/// Cluster `input` and return the clusters as lists of ids.
fn clusters(input: &Path, extra: &[&str]) -> Vec<Vec<String>> {
    let out = storyhash()
        .arg("cluster")
        .arg(input)
        .args(["--format", "jsonl", "-q"])
        .args(extra)
        .output()
        .unwrap();
    assert_success(&out);
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m.as_str().unwrap().to_owned())
                .collect()
        })
        .collect()
}

fn expected() -> Vec<Vec<String>> {
    clusters(Path::new(SEED), &[])
}

#[test]
fn csv_with_quoted_newlines_matches_jsonl() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seed.csv");
    let mut w = csv::Writer::from_path(&path).unwrap();
    w.write_record(["body", "key"]).unwrap();
    for (id, text) in seed_records() {
        w.write_record([text.as_str(), id.as_str()]).unwrap();
    }
    w.flush().unwrap();
    assert_eq!(
        clusters(&path, &["--id-field", "key", "--text-field", "body"]),
        expected()
    );
}

#[test]
fn gzip_and_zstd_match_plain() {
    let dir = tempfile::tempdir().unwrap();
    let raw = std::fs::read(SEED).unwrap();
    let gz = dir.path().join("seed.jsonl.gz");
    let mut e = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    e.write_all(&raw).unwrap();
    e.finish().unwrap();
    let zst = dir.path().join("seed.jsonl.zst");
    std::fs::write(&zst, zstd::encode_all(raw.as_slice(), 3).unwrap()).unwrap();
    assert_eq!(clusters(&gz, &[]), expected());
    assert_eq!(clusters(&zst, &[]), expected());
}

#[test]
fn text_directory_uses_relative_paths_as_ids() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    for (id, text) in seed_records() {
        std::fs::write(dir.path().join("sub").join(format!("{id}.txt")), text).unwrap();
    }
    std::fs::write(dir.path().join("notes.md"), "not a .txt file").unwrap();
    let got = clusters(dir.path(), &[]);
    assert_eq!(got.iter().map(Vec::len).sum::<usize>(), 27);
    let pair: Vec<_> = got.into_iter().filter(|c| c.len() > 1).collect();
    assert_eq!(
        pair,
        vec![vec![
            "sub/vna-thang-interview.txt",
            "sub/wvr-thang-interview.txt"
        ]]
    );
}

#[test]
fn two_inputs_are_one_collection() {
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = std::fs::read_to_string(SEED)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    let (a, b) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
    std::fs::write(&a, lines[..10].join("\n")).unwrap();
    std::fs::write(&b, lines[10..].join("\n") + "\n").unwrap();
    let out = storyhash()
        .arg("cluster")
        .args([&a, &b])
        .args(["--format", "jsonl", "-q"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 26);
}

#[test]
fn help_teaches_with_examples() {
    let out = storyhash().args(["cluster", "--help"]).output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--preset",
        "--threshold",
        "--format",
        "--dedup-out",
        "--threads",
        "--seed",
        "Examples:",
    ] {
        assert!(help.contains(flag), "cluster --help lacks {flag}");
    }
}

#[test]
fn bench_counts_duplicates_of_copied_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.jsonl");
    let seed = std::fs::read_to_string(SEED).unwrap();
    let first: Value = serde_json::from_str(seed.lines().next().unwrap()).unwrap();
    let extra = serde_json::json!({"id": "copy", "text": first["text"]});
    std::fs::write(&path, format!("{seed}{extra}\n")).unwrap();
    let out = storyhash()
        .args([
            "bench",
            path.to_str().unwrap(),
            "--preset",
            "copy",
            "--repeat",
            "1",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let row = text
        .lines()
        .find(|l| l.starts_with("| 1 |"))
        .expect("single-thread row");
    let dups: u64 = row
        .trim_end_matches(" |")
        .rsplit("| ")
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(dups, 1, "{text}");
}

#[test]
fn synth_is_deterministic_labelled_and_says_it_is_synthetic() {
    let run = || {
        storyhash()
            .args(["synth", "--source", SEED, "--docs", "50", "--seed", "3"])
            .output()
            .unwrap()
    };
    let (a, b) = (run(), run());
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    assert_eq!(a.stdout, b.stdout);
    assert!(String::from_utf8_lossy(&a.stderr).contains("synthetic"));
    let recs: Vec<Value> = String::from_utf8(a.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(recs.len(), 50);
    assert!(recs.iter().all(|r| r["synthetic"] == true));
    let words = |r: &Value| r["text"].as_str().unwrap().split_whitespace().count();
    // Base articles (no edits) are 300-1,500 words, give or take the last sentence.
    assert!(recs
        .iter()
        .filter(|r| r["edits"].as_array().unwrap().is_empty())
        .all(|r| (300..1700).contains(&words(r))));
    let families: std::collections::HashSet<&str> =
        recs.iter().map(|r| r["family"].as_str().unwrap()).collect();
    assert!(
        families.len() < 50,
        "some documents are edited copies of earlier ones"
    );
}

#[test]
fn synth_whole_uses_each_real_text_once_then_makes_copies() {
    let out = storyhash()
        .args([
            "synth", "--source", SEED, "--docs", "60", "--seed", "5", "--whole",
        ])
        .output()
        .unwrap();
    assert_success(&out);
    let recs: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(recs.len(), 60);
    // The first record of each family is its original.
    let mut families = std::collections::HashSet::new();
    let originals: Vec<&Value> = recs
        .iter()
        .filter(|r| families.insert(r["family"].as_str().unwrap().to_owned()))
        .collect();
    assert!(originals
        .iter()
        .all(|r| r["edits"].as_array().unwrap().is_empty()));
    // Originals are the seed file's texts of two or more paragraphs, each at most once.
    let source = std::fs::read_to_string(SEED).unwrap();
    let texts: Vec<String> = source
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["text"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    // Originals are the source texts' sentences (fragments under four words are dropped).
    let words = |s: &str| -> std::collections::HashSet<String> {
        s.split_whitespace().map(str::to_owned).collect()
    };
    let mut seen = std::collections::HashSet::new();
    for o in &originals {
        let t = o["text"].as_str().unwrap();
        assert!(seen.insert(t.to_owned()), "an original repeats");
        // Sentence splitting can cut a token ("U.S." at its first full stop), so most words,
        // not all, are the source's own.
        let w = words(t);
        assert!(
            texts.iter().any(|s| {
                let sw = words(s);
                w.iter().filter(|x| sw.contains(*x)).count() * 10 >= w.len() * 9
            }),
            "an original is not made of one source text"
        );
    }
    assert!(originals.len() <= texts.len());
    assert!(recs.len() > originals.len(), "the rest are edited copies");
}

/// `--title-field` reads the headline apart from the text, as its first line: the same
/// clusters and scores as a text that starts with the headline.
#[test]
fn a_title_field_is_the_texts_first_line() {
    let dir = tempfile::tempdir().unwrap();
    let seed = std::fs::read_to_string(SEED).unwrap();
    let (mut split, mut joined) = (String::new(), String::new());
    for line in seed.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let text = v["text"].as_str().unwrap();
        let (title, body) = text.split_once('\n').unwrap_or((text, ""));
        split.push_str(&format!(
            "{}\n",
            serde_json::json!({"id": v["id"], "headline": title, "text": body})
        ));
        joined.push_str(&format!(
            "{}\n",
            serde_json::json!({"id": v["id"], "text": format!("{title}\n{body}")})
        ));
    }
    let (a, b) = (
        dir.path().join("split.jsonl"),
        dir.path().join("joined.jsonl"),
    );
    std::fs::write(&a, split).unwrap();
    std::fs::write(&b, joined).unwrap();
    let run = |p: &std::path::Path, extra: &[&str]| {
        let out = storyhash()
            .arg("cluster")
            .arg(p)
            .args(["--format", "jsonl", "-q"])
            .args(extra)
            .output()
            .unwrap();
        assert_success(&out);
        out.stdout
    };
    let with_title = run(&a, &["--title-field", "headline"]);
    assert_eq!(with_title, run(&b, &[]));
    assert_ne!(
        with_title,
        run(&a, &[]),
        "without the flag the headlines are not read"
    );
}

/// Integer ids are written back as integers in JSONL (a script joining on them gets the type
/// it gave); string ids stay strings, even when they look like numbers.
#[test]
fn integer_ids_come_back_as_integers() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("ids.jsonl");
    std::fs::write(
        &input,
        "{\"id\":7,\"text\":\"the same words in both records here\"}\n\
         {\"id\":\"8\",\"text\":\"the same words in both records here\"}\n",
    )
    .unwrap();
    let out = storyhash()
        .arg("cluster")
        .arg(&input)
        .args(["--format", "jsonl", "-q"])
        .output()
        .unwrap();
    assert_success(&out);
    let c: Value =
        serde_json::from_slice(out.stdout.split(|&b| b == b'\n').next().unwrap()).unwrap();
    assert_eq!(c["representative"], serde_json::json!(7));
    assert_eq!(c["members"], serde_json::json!([7, "8"]));
    assert_eq!(c["pairs"][0]["a"], serde_json::json!(7));
}

/// `--keep-fields` carries named fields into the JSONL output with each cluster's members (a
/// missing one is `null`), from JSONL (dotted paths too) and CSV alike.
#[test]
fn kept_fields_come_out_with_the_members() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("in.jsonl");
    std::fs::write(
        &jsonl,
        "{\"id\":\"a\",\"text\":\"one text repeated word for word here\",\"url\":\"http://a\",\"meta\":{\"date\":\"2026-01-01\"}}\n\
         {\"id\":\"b\",\"text\":\"one text repeated word for word here\"}\n",
    )
    .unwrap();
    let csv = dir.path().join("in.csv");
    std::fs::write(&csv, "id,text,url\na,one text repeated word for word here,http://a\nb,one text repeated word for word here,\n").unwrap();
    let first = |p: &std::path::Path, keep: &str| -> Value {
        let out = storyhash()
            .arg("cluster")
            .arg(p)
            .args(["--format", "jsonl", "-q", "--keep-fields", keep])
            .output()
            .unwrap();
        assert_success(&out);
        serde_json::from_slice(out.stdout.split(|&b| b == b'\n').next().unwrap()).unwrap()
    };
    let j = first(&jsonl, "url,meta.date");
    assert_eq!(
        j["fields"],
        serde_json::json!([
            {"url": "http://a", "meta.date": "2026-01-01"},
            {"url": null, "meta.date": null}
        ])
    );
    let c = first(&csv, "url");
    assert_eq!(
        c["fields"],
        serde_json::json!([{"url": "http://a"}, {"url": ""}])
    );
}
