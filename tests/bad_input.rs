//! Bad and hostile input: every record accounted for, clear errors, no crash.

use crate::common::{assert_partial, assert_success, storyhash};
use serde_json::Value;
use std::io::Write;

/// One JSONL file with a record of every defect a reader can meet, one per line.
fn defects() -> Vec<u8> {
    let mut f: Vec<u8> = Vec::new();
    f.extend_from_slice(
        b"\xEF\xBB\xBF{\"id\":\"bom\",\"text\":\"a line after a byte order mark\"}\r\n",
    );
    f.extend_from_slice(b"{\"id\":\"ok-1\",\"text\":\"plain text\"}\n");
    f.extend_from_slice(b"{\"id\":\"bad-utf8-text\",\"text\":\"caf\xE9\"}\n");
    f.extend_from_slice(b"{\"id\":\"bad-\xFFid\",\"text\":\"x\"}\n");
    f.extend_from_slice(b"{\"id\":\"nul\",\"text\":\"a\x00b\"}\n");
    f.extend_from_slice(b"[1,2,3]\n");
    f.extend_from_slice(b"{\"id\":\"no-text\"}\n");
    f.extend_from_slice(b"{\"id\":\"num-text\",\"text\":42}\n");
    f.extend_from_slice(b"{\"id\":7,\"text\":\"numeric ids are accepted\"}\n");
    f.extend_from_slice(b"{\"id\":\"ok-1\",\"text\":\"duplicate id\"}\n");
    f.extend_from_slice(b"{\"id\":\"truncated\",\"text\":\"no closing\n");
    f.extend_from_slice(b"{\"id\":\"empty\",\"text\":\"   \"}\n");
    f.extend_from_slice(b"{\"id\":\"escaped-nul\",\"text\":\"a\\u0000b\"}\r\n");
    f.extend_from_slice(b"{\"id\":\"last\",\"text\":\"no newline at the end\"}");
    f
}

const DEFECT_LINES: u64 = 14;
const DEFECT_BAD: u64 = 7; // bad-utf8 text, bad-utf8 id, raw NUL, array, no text, number text, truncated

#[test]
fn every_defect_is_accounted_for_under_skip_bad() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("defects.jsonl");
    std::fs::write(&input, defects()).unwrap();
    let report = dir.path().join("bad.jsonl");
    let out = storyhash()
        .args([
            "cluster",
            input.to_str().unwrap(),
            "--skip-bad",
            "--max-bad",
            "100%",
            "--format",
            "jsonl",
        ])
        .arg("--report-bad")
        .arg(&report)
        .output()
        .unwrap();
    assert_partial(&out);
    let clustered: usize = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["size"]
                .as_u64()
                .unwrap() as usize
        })
        .sum();
    let bad: Vec<Value> = std::fs::read_to_string(&report)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Every line is either clustered or reported.
    assert_eq!(clustered as u64 + bad.len() as u64, DEFECT_LINES);
    assert_eq!(
        bad.iter().filter(|b| b["kind"] == "duplicate-id").count(),
        1
    );
    assert_eq!(
        bad.iter().filter(|b| b["kind"] == "bad-record").count() as u64,
        DEFECT_BAD
    );
    // Each report names its line.
    assert!(bad.iter().all(|b| b["line"].as_u64().unwrap() >= 1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{DEFECT_LINES} records read")),
        "{stderr}"
    );
    assert!(stderr.contains("1 empty"), "{stderr}");
}

#[test]
fn first_defect_stops_the_run_by_default_naming_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("defects.jsonl");
    std::fs::write(&input, defects()).unwrap();
    let out = storyhash()
        .args(["cluster", input.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("defects.jsonl:3"), "{err}");
    assert!(err.contains("UTF-8"), "{err}");
}

#[test]
fn empty_file_is_zero_documents_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("empty.jsonl");
    std::fs::write(&input, b"").unwrap();
    let out = storyhash()
        .args(["cluster", input.to_str().unwrap(), "--format", "jsonl"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
}

#[test]
fn truncated_gzip_is_an_error_and_counted_under_skip_bad() {
    let dir = tempfile::tempdir().unwrap();
    let raw = std::fs::read("fixtures/seeds/seed_case.jsonl").unwrap();
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(&raw).unwrap();
    let gz = e.finish().unwrap();
    let input = dir.path().join("cut.jsonl.gz");
    std::fs::write(&input, &gz[..gz.len() / 2]).unwrap();
    let out = storyhash()
        .args(["cluster", input.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // The error says how far the file was read, and the hint that it is damaged.
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the rest of the input is not read"), "{err}");
    assert!(err.contains("damaged or truncated"), "{err}");
    let out = storyhash()
        .args([
            "cluster",
            input.to_str().unwrap(),
            "--skip-bad",
            "--format",
            "jsonl",
        ])
        .output()
        .unwrap();
    // Regression: a truncated archive lost its records with exit 0; unreadable from its first
    // buffer, it is all of the run's records, over the default --max-bad.
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 unreadable"));
    let out = storyhash()
        .args([
            "cluster",
            input.to_str().unwrap(),
            "--skip-bad",
            "--max-bad",
            "100%",
            "-q",
        ])
        .output()
        .unwrap();
    assert_partial(&out);
}

#[test]
fn truncated_zstd_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let raw = std::fs::read("fixtures/seeds/seed_case.jsonl").unwrap();
    let z = zstd::encode_all(raw.as_slice(), 3).unwrap();
    let input = dir.path().join("cut.jsonl.zst");
    std::fs::write(&input, &z[..z.len() / 2]).unwrap();
    let out = storyhash()
        .args(["cluster", input.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn missing_input_is_skipped_under_skip_bad_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.jsonl");
    let out = storyhash()
        .args([
            "cluster",
            missing.to_str().unwrap(),
            "fixtures/seeds/seed_case.jsonl",
            "--skip-bad",
            "--format",
            "jsonl",
        ])
        .output()
        .unwrap();
    assert_partial(&out);
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 26);
}

#[test]
fn overlong_document_is_truncated_with_a_warning_or_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("long.jsonl");
    let long = "word ".repeat(1000);
    std::fs::write(
        &input,
        format!("{}\n", serde_json::json!({"id": "long", "text": long})),
    )
    .unwrap();
    let out = storyhash()
        .args([
            "cluster",
            input.to_str().unwrap(),
            "--max-doc-bytes",
            "100",
            "--format",
            "jsonl",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("truncated"), "{err}");
    let out = storyhash()
        .args([
            "cluster",
            input.to_str().unwrap(),
            "--max-doc-bytes",
            "100",
            "--skip-bad",
            "--format",
            "jsonl",
        ])
        .output()
        .unwrap();
    // Every record skipped: over any --max-bad share, the run fails and prints nothing.
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("1 too long") && err.contains("--max-bad"),
        "{err}"
    );
}

#[test]
fn csv_with_ragged_row_names_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("r.csv");
    std::fs::write(&input, "id,text\na,\"two\nlines\"\nb,x,extra\n").unwrap();
    let out = storyhash()
        .args(["cluster", input.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("r.csv:4"));
}

#[test]
fn scripts_without_spaces_and_one_repeated_word_cluster_without_error() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("s.jsonl");
    let rows = [
        serde_json::json!({"id": "zh", "text": "越南驻法国大使在马克龙国事访问前接受采访"}),
        serde_json::json!({"id": "zh-copy", "text": "越南驻法国大使在马克龙国事访问前接受采访"}),
        serde_json::json!({"id": "th", "text": "เอกอัครราชทูตเวียดนามประจำฝรั่งเศสให้สัมภาษณ์"}),
        serde_json::json!({"id": "rep", "text": "news ".repeat(500)}),
    ];
    let body: String = rows.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(&input, body).unwrap();
    let out = storyhash()
        .args(["cluster", input.to_str().unwrap(), "--format", "jsonl"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let first: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["members"], serde_json::json!(["zh", "zh-copy"]));
}

#[test]
fn two_hundred_megabyte_document_is_truncated_to_the_default_limit() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("huge.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&input).unwrap());
    f.write_all(b"{\"id\":\"huge\",\"text\":\"").unwrap();
    let chunk = "breaking news from the wire ".repeat(1000);
    let mut written = 0;
    while written < 200 * 1024 * 1024 {
        f.write_all(chunk.as_bytes()).unwrap();
        written += chunk.len();
    }
    f.write_all(b"\"}\n{\"id\":\"small\",\"text\":\"a short one\"}\n")
        .unwrap();
    drop(f);
    let out = storyhash()
        .args([
            "cluster",
            input.to_str().unwrap(),
            "--preset",
            "copy",
            "--format",
            "jsonl",
        ])
        .output()
        .unwrap();
    assert_success(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("1 document(s) over --max-doc-bytes 52428800 were truncated"),
        "{err}"
    );
    assert!(err.contains("2 documents clustered"), "{err}");
}

/// Regression: `--link-factor` NaN, inf, 5 and -1 were accepted (NaN, inf and 5 silently
/// stopped every join), `--threads 100000` ran for minutes on 27 documents, and `--num-perm 1`
/// joined a blurb to the interview as a copy.
#[test]
fn out_of_range_options_are_refused_before_the_run() {
    for bad in [
        &["--link-factor", "NaN"][..],
        &["--link-factor", "inf"][..],
        &["--link-factor", "5"][..],
        &["--link-factor=-1"][..],
        &["--threads", "100000"][..],
        &["--num-perm", "1"][..],
        &["--threshold", "1.5"][..],
    ] {
        let out = storyhash()
            .args(["cluster", "fixtures/seeds/seed_case.jsonl", "-q"])
            .args(bad)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("hint:"), "{bad:?}: {err}");
    }
}

/// Regression: a binary file in a text directory got a hint about `--id-field`, which a text
/// directory does not have.
#[test]
fn a_binary_file_in_a_text_directory_gets_a_hint_about_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ok.txt"), "a plain text").unwrap();
    std::fs::write(dir.path().join("image.txt"), b"\x89PNG\r\n\x1a\n\xff\xfe").unwrap();
    let out = storyhash()
        .arg("cluster")
        .arg(dir.path())
        .arg("-q")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("image.txt"), "{err}");
    assert!(
        !err.contains("--id-field") && err.contains("move it out"),
        "{err}"
    );
}

/// Regression: symlinked directories and files that are not `.txt` were left out of a text
/// tree without a word.
#[test]
fn what_a_text_tree_leaves_out_is_counted() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    std::fs::create_dir_all(tree.join("sub")).unwrap();
    std::fs::write(tree.join("a.txt"), "a text document").unwrap();
    std::fs::write(tree.join("notes.md"), "not a document").unwrap();
    std::fs::write(tree.join("sub/b.txt"), "another text document").unwrap();
    let linked = std::os::unix::fs::symlink(tree.join("sub"), tree.join("link"));
    let out = storyhash()
        .arg("cluster")
        .arg(&tree)
        .args(["--format", "csv"])
        .output()
        .unwrap();
    assert_success(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("1 file not .txt"), "{err}");
    if linked.is_ok() {
        assert!(err.contains("1 symlinked directory not followed"), "{err}");
    }
}
