//! Helpers shared by the integration tests.

use assert_cmd::Command;
use std::process::Output;

/// The built `storyhash` binary, ready for arguments.
pub fn storyhash() -> Command {
    Command::cargo_bin("storyhash").expect("binary builds")
}

/// Panic with the command's stderr unless it completed with records skipped (exit 3).
pub fn assert_partial(out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Panic with the command's stderr unless it exited with success.
pub fn assert_success(out: &Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The bundled reference case.
pub const SEED: &str = "fixtures/seeds/seed_case.jsonl";

/// The reference case's records, (id, text), in file order.
pub fn seed_records() -> Vec<(String, String)> {
    std::fs::read_to_string(SEED)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["id"].as_str().unwrap().to_owned(),
                v["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Each line of a JSONL output, parsed.
pub fn json_lines(stdout: &[u8]) -> Vec<serde_json::Value> {
    std::str::from_utf8(stdout)
        .expect("output is UTF-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

/// A `storyhash synth` corpus of `docs` articles (families of near-copies at rate 0.5, made
/// from the reference case's real sentences), written as JSONL in `dir`; its path.
pub fn synth_corpus(dir: &std::path::Path, docs: u64, seed: u64) -> std::path::PathBuf {
    let out = dir.join(format!("synth-{docs}-{seed}.jsonl"));
    let o = storyhash()
        .args(["synth", "--source", SEED, "--family-rate", "0.5"])
        .args(["--docs", &docs.to_string(), "--seed", &seed.to_string()])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_success(&o);
    out
}
