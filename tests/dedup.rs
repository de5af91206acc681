//! `--dedup-out` and `--report-bad` as an archive team relies on them: the right records kept,
//! byte for byte, nothing half-written, no debris, refusals before any work. Each regression
//! test is named after the defect it pins.

use crate::common::{assert_success, storyhash};
use std::path::Path;

/// The CRLF CSV of the defect report: `a` and `b` are one text, `c` and `d` are others.
const CRLF_CSV: &str = "id,text\r\n\
    a,the quick brown fox jumps over the lazy dog near the river bank today\r\n\
    b,the quick brown fox jumps over the lazy dog near the river bank today\r\n\
    c,an entirely different sentence about elections in france and germany\r\n\
    d,football results from the spanish league on sunday evening were surprising\r\n";

fn dedup(input: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    storyhash()
        .arg("cluster")
        .arg(input)
        .arg("--dedup-out")
        .arg(out)
        .args(["-q", "--format", "csv"])
        .args(extra)
        .output()
        .unwrap()
}

/// A copy-preset run with `--dedup-out`, as a plain process (to run several at once, or kill).
fn copy_run(input: &Path, out: &Path) -> std::process::Command {
    let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("storyhash"));
    c.arg("cluster")
        .arg(input)
        .arg("--dedup-out")
        .arg(out)
        .args(["-q", "--preset", "copy", "--format", "csv"])
        .stdout(std::process::Stdio::null());
    c
}

/// Everything in `dir` but the named files: temporary files left behind.
fn debris(dir: &Path, keep: &[&str]) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !keep.contains(&n.as_str()))
        .collect()
}

#[test]
fn crlf_csv_dedup_keeps_the_first_of_each_cluster_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let (input, out) = (dir.path().join("crlf.csv"), dir.path().join("dd.csv"));
    std::fs::write(&input, CRLF_CSV).unwrap();
    assert_success(&dedup(&input, &out, &[]));
    let kept = std::fs::read_to_string(&out).unwrap();
    let want: String = CRLF_CSV
        .split_inclusive("\r\n")
        .filter(|l| !l.starts_with("b,"))
        .collect();
    assert_eq!(kept, want);
    assert!(debris(dir.path(), &["crlf.csv", "dd.csv"]).is_empty());
}

#[test]
fn csv_written_by_python_keeps_every_representative() {
    // Quoted fields with CRLF inside, CRLF line endings: what Python's csv module writes.
    let dir = tempfile::tempdir().unwrap();
    let (input, out) = (dir.path().join("py.csv"), dir.path().join("dd.csv"));
    let mut text = String::from("id,text\r\n");
    for i in 0..40 {
        text.push_str(&format!(
            "s{i},\"story {i} line one about topic {i}\r\nline two of story {i}, with a comma\"\r\n"
        ));
    }
    std::fs::write(&input, &text).unwrap();
    assert_success(&dedup(&input, &out, &["--preset", "copy"]));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), text);
}

#[test]
fn ragged_row_under_skip_bad_is_left_out_of_the_dedup_output() {
    let dir = tempfile::tempdir().unwrap();
    let (input, out) = (dir.path().join("r.csv"), dir.path().join("dd.csv"));
    std::fs::write(
        &input,
        "id,text\na,first text\nb,too,many,fields\nc,third text\n",
    )
    .unwrap();
    // One record of three skipped: allowed by --max-bad 50%, and the run says it was partial.
    crate::common::assert_partial(&dedup(&input, &out, &["--skip-bad", "--max-bad", "50%"]));
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "id,text\na,first text\nc,third text\n"
    );
    assert!(debris(dir.path(), &["r.csv", "dd.csv"]).is_empty());
}

/// Regression: `--skip-bad` exited 0 even when every record was bad.
#[test]
fn a_run_whose_records_are_all_bad_fails() {
    let dir = tempfile::tempdir().unwrap();
    let (input, out) = (dir.path().join("bad.jsonl"), dir.path().join("dd.jsonl"));
    std::fs::write(&input, "not json\n{\"id\":1}\n[]\n").unwrap();
    let r = dedup(&input, &out, &["--skip-bad"]);
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("3 of 3 records were skipped"));
    assert!(!out.exists(), "no output from a failed run");
    assert!(debris(dir.path(), &["bad.jsonl"]).is_empty());
    // A count: at most 3 allowed, the run completes, partially.
    crate::common::assert_partial(&dedup(&input, &out, &["--skip-bad", "--max-bad", "3"]));
}

#[test]
fn compressed_dedup_out_is_compressed_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(
        &input,
        "{\"id\":\"a\",\"text\":\"one text here\"}\n{\"id\":\"b\",\"text\":\"one text here\"}\n",
    )
    .unwrap();
    for name in ["dd.jsonl.gz", "dd.jsonl.zst"] {
        let out = dir.path().join(name);
        assert_success(&dedup(&input, &out, &[]));
        let back = storyhash()
            .arg("cluster")
            .arg(&out)
            .args(["-q", "--format", "csv"])
            .output()
            .unwrap();
        assert_success(&back);
        let rows = String::from_utf8(back.stdout).unwrap();
        assert_eq!(
            rows.lines().count(),
            2,
            "{name}: header and one record: {rows}"
        );
    }
}

#[test]
fn mixed_formats_fifos_and_one_file_for_two_outputs_are_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let (j, c) = (dir.path().join("a.jsonl"), dir.path().join("b.csv"));
    std::fs::write(&j, "{\"id\":\"a\",\"text\":\"x\"}\n").unwrap();
    std::fs::write(&c, "id,text\nb,y\n").unwrap();
    let out = dir.path().join("dd.jsonl");
    let mixed = storyhash()
        .arg("cluster")
        .args([&j, &c])
        .arg("--dedup-out")
        .arg(&out)
        .arg("-q")
        .output()
        .unwrap();
    assert_eq!(mixed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&mixed.stderr).contains("mix formats"));
    let same = dedup(&j, &out, &["--report-bad", out.to_str().unwrap()]);
    assert_eq!(same.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&same.stderr).contains("same file"));
    let fifo = dir.path().join("feed.jsonl");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        // Refused up front: the run never opens the FIFO, so it cannot hang on it.
        let r = dedup(&fifo, &out, &[]);
        assert_eq!(r.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&r.stderr).contains("read a second time"));
    }
    assert!(!out.exists());
}

#[test]
fn unwritable_dedup_out_fails_before_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    // A bad record at the end: a run that read the input would fail on it instead.
    std::fs::write(&input, "{\"id\":\"a\",\"text\":\"x\"}\nnot json\n").unwrap();
    let out = dir.path().join("no-such-dir").join("dd.jsonl");
    let r = dedup(&input, &out, &[]);
    assert_eq!(r.status.code(), Some(2));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("no-such-dir"), "{err}");
    assert!(!err.contains("malformed"), "the input was read: {err}");
}

/// Regression: two overlapping runs with one `--dedup-out` shared a fixed temporary name, and a
/// cron overlap left a file mixing both runs.
#[test]
fn overlapping_runs_each_write_the_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let mut text = String::new();
    for i in 0..3000 {
        text.push_str(&format!(
            "{{\"id\":\"d{i}\",\"text\":\"article {i} about topic {} with words {} {} {}\"}}\n",
            i % 50,
            i * 7,
            i * 13,
            i % 11
        ));
    }
    std::fs::write(&input, &text).unwrap();
    let out = dir.path().join("dd.jsonl");
    let children: Vec<_> = (0..3)
        .map(|_| copy_run(&input, &out).spawn().unwrap())
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    // Every text is distinct: the whole input is kept, whichever run renamed last.
    assert_eq!(std::fs::read_to_string(&out).unwrap(), text);
    assert!(debris(dir.path(), &["in.jsonl", "dd.jsonl"]).is_empty());
}

/// A run killed at any point leaves the destination whole or absent, and the next run removes
/// what the killed one left. Bounded: 8 kills.
#[test]
fn killed_runs_never_leave_a_partial_file_and_their_debris_is_cleaned() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let mut text = String::new();
    for i in 0..4000 {
        text.push_str(&format!(
            "{{\"id\":\"d{i}\",\"text\":\"report {i} on matter {} and item {}\"}}\n",
            i * 31,
            i % 97
        ));
    }
    std::fs::write(&input, &text).unwrap();
    let out = dir.path().join("dd.jsonl");
    for k in 0..8u64 {
        let mut child = copy_run(&input, &out).spawn().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(5 + 15 * k));
        let _ = child.kill();
        let _ = child.wait();
        if out.exists() {
            assert_eq!(std::fs::read_to_string(&out).unwrap(), text, "kill {k}");
        }
    }
    let last = copy_run(&input, &out).status().unwrap();
    assert!(last.success());
    assert_eq!(std::fs::read_to_string(&out).unwrap(), text);
    assert!(debris(dir.path(), &["in.jsonl", "dd.jsonl"]).is_empty());
}

/// Regression: `eval ... > /dev/full` panicked (exit 101); a full disk is an error like any
/// other write error.
#[test]
fn a_full_stdout_is_an_error_not_a_panic() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return;
    };
    for args in [
        &[
            "eval",
            "fixtures/seeds/seed_case.jsonl",
            "--gold-field",
            "story",
        ][..],
        &[
            "cluster",
            "fixtures/seeds/seed_case.jsonl",
            "--format",
            "csv",
            "-q",
        ][..],
        &["bench", "fixtures/seeds/seed_case.jsonl", "--repeat", "1"][..],
    ] {
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("storyhash"))
            .args(args)
            .stdout(full.try_clone().unwrap())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("<stdout>"),
            "{args:?}"
        );
    }
}

/// Regression: with `--format csv`, a reader that closed the pipe early made the run exit 2
/// and skip `--dedup-out`, while jsonl and table went on; one rule now: the run goes on.
#[test]
fn a_closed_pipe_ends_no_format_early() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dd.jsonl");
    for format in ["csv", "jsonl", "table"] {
        let _ = std::fs::remove_file(&out);
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("storyhash"))
            .args([
                "cluster",
                "fixtures/seeds/seed_case.jsonl",
                "-q",
                "--format",
                format,
            ])
            .arg("--dedup-out")
            .arg(&out)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let status = child.wait().unwrap();
        assert!(status.success(), "{format}: {status}");
        assert!(out.exists(), "{format}: --dedup-out not written");
    }
}

/// Regression: the JSONL result listed every verified pair inside a cluster, larger than the
/// input at scale. By default a cluster lists the pairs that joined it (a spanning tree) and
/// each member's score to the representative; `--pairs all` lists every verified pair.
#[test]
fn jsonl_lists_the_joining_pairs_by_default_and_all_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("family.jsonl");
    let base: Vec<String> = (0..120).map(|i| format!("w{i}")).collect();
    let mut text = String::new();
    for v in 0..6 {
        let mut words = base.clone();
        words[v * 7] = format!("edit{v}");
        text.push_str(&format!(
            "{{\"id\":\"v{v}\",\"text\":\"{}\"}}\n",
            words.join(" ")
        ));
    }
    std::fs::write(&input, &text).unwrap();
    let run = |extra: &[&str]| -> Vec<serde_json::Value> {
        let out = storyhash()
            .arg("cluster")
            .arg(&input)
            .args(["--preset", "copy", "--format", "jsonl", "-q"])
            .args(extra)
            .output()
            .unwrap();
        assert_success(&out);
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let joins = run(&[]);
    assert_eq!(joins.len(), 1, "one family");
    let c = &joins[0];
    assert_eq!(c["size"], 6);
    assert_eq!(c["pairs"].as_array().unwrap().len(), 5, "a spanning tree");
    assert_eq!(c["similarity"].as_array().unwrap().len(), 6);
    assert_eq!(c["similarity"][0], 1.0);
    let all = run(&["--pairs", "all"]);
    let listed = all[0]["pairs"].as_array().unwrap().len();
    assert!(
        listed > 5 && listed <= 15,
        "every verified pair of six: {listed}"
    );
}

#[test]
fn a_semicolon_csv_is_read_and_its_subset_kept_as_given() {
    let dir = tempfile::tempdir().unwrap();
    let (input, out) = (dir.path().join("eu.csv"), dir.path().join("dd.csv"));
    let text = "id;text\na;le même texte, mot pour mot, ici\nb;le même texte, mot pour mot, ici\nc;un autre sujet\n";
    std::fs::write(&input, text).unwrap();
    let r = dedup(&input, &out, &["--delimiter", ";"]);
    assert_success(&r);
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "id;text\na;le même texte, mot pour mot, ici\nc;un autre sujet\n"
    );
}

#[test]
fn an_unwritable_report_bad_fails_before_the_run_naming_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, "{\"id\":\"a\",\"text\":\"x\"}\nnot json\n").unwrap();
    let report = dir.path().join("missing-dir").join("bad.jsonl");
    let out = storyhash()
        .arg("cluster")
        .arg(&input)
        .args(["--skip-bad", "-q", "--report-bad"])
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("missing-dir/bad.jsonl") && !err.contains("storyhash-tmp"),
        "{err}"
    );
}

/// Regression: "1 clusters", "duplicates" for story joins, term counts with four decimals and
/// sweep rows as raw JSON.
#[test]
fn counts_and_figures_read_as_words_and_numbers() {
    let seed = "fixtures/seeds/seed_case.jsonl";
    let out = storyhash()
        .args(["cluster", seed, "--format", "table"])
        .output()
        .unwrap();
    assert_success(&out);
    let (table, err) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(table.contains("1 cluster of 2 or more"), "{table}");
    assert!(
        err.contains("1 document joined to an earlier one") && !err.contains("duplicates"),
        "{err}"
    );
    let out = storyhash()
        .args([
            "compare",
            seed,
            "--ids",
            "vna-thang-interview",
            "wvr-thang-interview",
        ])
        .output()
        .unwrap();
    assert_success(&out);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let shared = text
        .lines()
        .find(|l| l.starts_with("heaviest terms shared"))
        .unwrap();
    assert!(!shared.trim_end().ends_with(".0000"), "{shared}");
    let out = storyhash()
        .args([
            "eval",
            "fixtures/clough/docs.jsonl",
            "--pairs",
            "fixtures/clough/pairs.jsonl",
        ])
        .args(["--sweep", "threshold=0.2:0.3:0.05"])
        .output()
        .unwrap();
    assert_success(&out);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let row = text
        .lines()
        .find(|l| l.contains("threshold 0.2000"))
        .unwrap();
    assert!(row.contains("precision") && !row.contains('{'), "{row}");
}

#[test]
#[cfg(unix)]
fn outputs_are_made_as_the_umask_allows_and_keep_a_replaced_files_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, CRLF_CSV).unwrap();
    let (dedup, html) = (dir.path().join("dedup.csv"), dir.path().join("page.html"));
    let bin = assert_cmd::cargo::cargo_bin("storyhash");
    let run = |umask: &str| {
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "umask {umask}; exec \"$0\" cluster \"$1\" -q --dedup-out \"$2\" --format html --out \"$3\""
            ))
            .arg(&bin)
            .arg(&input)
            .arg(&dedup)
            .arg(&html)
            .status()
            .unwrap();
        assert!(status.success());
    };
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    run("022");
    assert_eq!((mode(&dedup), mode(&html)), (0o644, 0o644));
    std::fs::set_permissions(&dedup, std::fs::Permissions::from_mode(0o640)).unwrap();
    run("077");
    assert_eq!(mode(&dedup), 0o640, "a replaced file keeps its mode");
    assert_eq!(mode(&html), 0o644);
}
