//! Snapshots of `storyhash --help` and of each subcommand's `--help`, so that a change to the
//! help text is seen in review (`cargo insta review`, or `INSTA_UPDATE=always cargo test --test
//! integration help` and read the diff of tests/snapshots/).
//!
//! The width is pinned: clap wraps help to the terminal (its `wrap_help` feature), at most 100
//! columns (`max_term_width` on the top-level command), and these tests set `COLUMNS=100`.

use assert_cmd::Command;

/// The `--help` output of `storyhash <args> --help`, with trailing spaces cut from each line
/// (clap pads blank lines inside an option's help; editors strip them from snapshot files).
fn help(args: &[&str]) -> String {
    let out = Command::cargo_bin("storyhash")
        .expect("binary builds")
        .args(args)
        .arg("--help")
        .env("COLUMNS", "100")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("help is UTF-8");
    stdout
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn help_top_level() {
    insta::assert_snapshot!("help_top_level", help(&[]));
}

#[test]
fn help_cluster() {
    insta::assert_snapshot!("help_cluster", help(&["cluster"]));
}

#[test]
fn help_compare() {
    insta::assert_snapshot!("help_compare", help(&["compare"]));
}

#[test]
fn help_eval() {
    insta::assert_snapshot!("help_eval", help(&["eval"]));
}

#[test]
fn help_bench() {
    insta::assert_snapshot!("help_bench", help(&["bench"]));
}

#[test]
fn help_synth() {
    insta::assert_snapshot!("help_synth", help(&["synth"]));
}

#[test]
fn help_explain() {
    insta::assert_snapshot!("help_explain", help(&["explain"]));
}

#[test]
fn help_report() {
    insta::assert_snapshot!("help_report", help(&["report"]));
}

#[test]
fn help_index() {
    insta::assert_snapshot!("help_index", help(&["index"]));
}

#[test]
fn help_index_create() {
    insta::assert_snapshot!("help_index_create", help(&["index", "create"]));
}

#[test]
fn help_index_add() {
    insta::assert_snapshot!("help_index_add", help(&["index", "add"]));
}

#[test]
fn help_query() {
    insta::assert_snapshot!("help_query", help(&["query"]));
}

#[test]
fn help_watch() {
    insta::assert_snapshot!("help_watch", help(&["watch"]));
}

#[test]
fn help_serve() {
    insta::assert_snapshot!("help_serve", help(&["serve"]));
}

#[test]
fn help_sign() {
    insta::assert_snapshot!("help_sign", help(&["sign"]));
}
