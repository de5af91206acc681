//! The stage commands: `sign`, `candidates`, `verify` and `link` with Parquet files between
//! them give the bytes of one `cluster` run, whether the corpus is signed whole or in parts,
//! and whatever the thread count; a stage refuses files of another stage, of other signed
//! files or of another config. Corpora are `storyhash synth` corpora (synthetic edits of the
//! bundled reference case's real sentences).

use crate::common::{assert_success, storyhash, synth_corpus};
use std::path::{Path, PathBuf};

fn synth(dir: &Path, docs: u64) -> PathBuf {
    synth_corpus(dir, docs, 7)
}

/// `corpus` split into two files of lines, `at` lines in the first.
fn split(corpus: &Path, at: usize) -> (PathBuf, PathBuf) {
    let text = std::fs::read_to_string(corpus).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let dir = corpus.parent().unwrap();
    let (a, b) = (dir.join("part1.jsonl"), dir.join("part2.jsonl"));
    std::fs::write(&a, lines[..at].join("\n") + "\n").unwrap();
    std::fs::write(&b, lines[at..].join("\n") + "\n").unwrap();
    (a, b)
}

fn run(args: &[&std::ffi::OsStr]) -> std::process::Output {
    storyhash().args(args).output().unwrap()
}

/// Run `storyhash` with `args` (strings or paths), asserting success; its stdout.
macro_rules! ok {
    ($($a:expr),* $(,)?) => {{
        let o = run(&[$(std::ffi::OsStr::new($a)),*]);
        assert_success(&o);
        o.stdout
    }};
}

/// Run `storyhash` with `args`, asserting exit 2; its stderr.
macro_rules! refused {
    ($($a:expr),* $(,)?) => {{
        let o = run(&[$(std::ffi::OsStr::new($a)),*]);
        assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stderr).unwrap()
    }};
}

#[test]
fn the_stages_give_the_bytes_of_one_cluster_run_on_both_presets_signed_whole_or_in_parts() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = synth(dir.path(), 400);
    let (p1, p2) = split(&corpus, 150);
    let d = |name: &str| dir.path().join(name);
    for preset in ["story", "copy"] {
        // Whole.
        ok!(
            "sign",
            &corpus,
            "-o",
            &d("s.parquet"),
            "--preset",
            preset,
            "-q"
        );
        ok!("candidates", &d("s.parquet"), "-o", &d("c.parquet"), "-q");
        ok!(
            "verify",
            &d("s.parquet"),
            "--candidates",
            &d("c.parquet"),
            "-o",
            &d("v.parquet"),
            "-q"
        );
        // In two parts, signed apart, given in order.
        let (s1, s2) = (d("s1.parquet"), d("s2.parquet"));
        ok!("sign", &p1, "-o", &s1, "--preset", preset, "-q");
        ok!("sign", &p2, "-o", &s2, "--preset", preset, "-q");
        ok!("candidates", &s1, &s2, "-o", &d("c2.parquet"), "-q");
        ok!(
            "verify",
            &s1,
            &s2,
            "--candidates",
            &d("c2.parquet"),
            "-o",
            &d("v2.parquet"),
            "-q"
        );
        for (format, pairs) in [("jsonl", "joins"), ("jsonl", "all"), ("csv", "joins")] {
            let want = ok!(
                "cluster", &corpus, "--preset", preset, "--format", format, "--pairs", pairs, "-q"
            );
            let whole = ok!(
                "link",
                &d("s.parquet"),
                "--verified",
                &d("v.parquet"),
                "--format",
                format,
                "--pairs",
                pairs,
                "-q"
            );
            assert_eq!(
                String::from_utf8_lossy(&whole),
                String::from_utf8_lossy(&want),
                "{preset} {format} {pairs}, signed whole"
            );
            let parts = ok!(
                "link",
                &s1,
                &s2,
                "--verified",
                &d("v2.parquet"),
                "--format",
                format,
                "--pairs",
                pairs,
                "-q"
            );
            assert_eq!(
                parts, want,
                "{preset} {format} {pairs}, signed in two parts"
            );
        }
        // The corpus has clusters of both kinds to compare.
        let want = String::from_utf8(ok!(
            "cluster", &corpus, "--preset", preset, "-q", "--format", "jsonl"
        ))
        .unwrap();
        assert!(want.contains("\"size\":3"), "{preset}: the corpus clusters");
    }
}

#[test]
fn a_signed_file_does_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = synth(dir.path(), 300);
    let (one, two) = (dir.path().join("1.parquet"), dir.path().join("2.parquet"));
    ok!("sign", &corpus, "-o", &one, "--threads", "1", "-q");
    ok!("sign", &corpus, "-o", &two, "--threads", "2", "-q");
    assert_eq!(std::fs::read(&one).unwrap(), std::fs::read(&two).unwrap());
    let (c1, c2) = (dir.path().join("c1.parquet"), dir.path().join("c2.parquet"));
    ok!("candidates", &one, "-o", &c1, "--threads", "1", "-q");
    ok!("candidates", &one, "-o", &c2, "--threads", "2", "-q");
    assert_eq!(std::fs::read(&c1).unwrap(), std::fs::read(&c2).unwrap());
}

#[test]
fn a_stage_refuses_files_of_another_stage_other_signed_files_or_another_config() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = synth(dir.path(), 120);
    let (p1, p2) = split(&corpus, 60);
    let d = |name: &str| dir.path().join(name);
    ok!("sign", &p1, "-o", &d("s1.parquet"), "-q");
    ok!("sign", &p2, "-o", &d("s2.parquet"), "-q");
    ok!(
        "sign",
        &p2,
        "-o",
        &d("s2-other.parquet"),
        "--threshold",
        "0.3",
        "-q"
    );
    ok!(
        "sign",
        &p1,
        "-o",
        &d("s1-copy.parquet"),
        "--preset",
        "copy",
        "-q"
    );

    // Parts signed with other options: the setting is named.
    let e = refused!(
        "candidates",
        &d("s1.parquet"),
        &d("s2-other.parquet"),
        "-o",
        &d("c.parquet")
    );
    assert!(
        e.contains("another engine config") && e.contains("thresholds.story"),
        "{e}"
    );
    let e = refused!(
        "candidates",
        &d("s1.parquet"),
        &d("s1-copy.parquet"),
        "-o",
        &d("c.parquet")
    );
    assert!(e.contains("s1-copy.parquet") && e.contains("recipe"), "{e}");
    assert!(!d("c.parquet").exists(), "a refused stage writes nothing");

    // The same document twice.
    let e = refused!(
        "candidates",
        &d("s1.parquet"),
        &d("s1.parquet"),
        "-o",
        &d("c.parquet")
    );
    assert!(e.contains("duplicate id"), "{e}");

    ok!(
        "candidates",
        &d("s1.parquet"),
        &d("s2.parquet"),
        "-o",
        &d("c.parquet"),
        "-q"
    );
    // Candidates of other signed files, or the right files in another order.
    let e = refused!(
        "verify",
        &d("s1.parquet"),
        "--candidates",
        &d("c.parquet"),
        "-o",
        &d("v.parquet")
    );
    assert!(e.contains("made from other signed files"), "{e}");
    let e = refused!(
        "verify",
        &d("s2.parquet"),
        &d("s1.parquet"),
        "--candidates",
        &d("c.parquet"),
        "-o",
        &d("v.parquet")
    );
    assert!(e.contains("made from other signed files"), "{e}");
    // A file of another stage.
    let e = refused!(
        "link",
        &d("s1.parquet"),
        &d("s2.parquet"),
        "--verified",
        &d("c.parquet")
    );
    assert!(e.contains("this is a candidates file"), "{e}");
    let e = refused!("candidates", &d("c.parquet"), "-o", &d("c3.parquet"));
    assert!(
        e.contains("this is a candidates file") && e.contains("storyhash sign"),
        "{e}"
    );
    // Not Parquet at all, and a Parquet file that is not a stage file.
    let e = refused!("candidates", &corpus, "-o", &d("c3.parquet"));
    assert!(
        e.contains("synth-120-7.jsonl") && e.contains("not a readable Parquet file"),
        "{e}"
    );
    // The output may not be an input.
    let e = refused!("candidates", &d("s1.parquet"), "-o", &d("s1.parquet"));
    assert!(e.contains("--out"), "{e}");
}
