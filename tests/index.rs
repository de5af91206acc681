//! The archive index from the command line: an archive added with `index add` and a stream
//! fed to `watch --add` give the clusters of one `cluster --preset copy` run over the live
//! articles; `watch` answers each line as it comes; an acknowledged article survives
//! `kill -9`; bad input is refused with nothing stored. Corpora are `storyhash synth`
//! corpora (synthetic edits of the bundled reference case's real sentences).

use crate::common::{assert_success, json_lines, storyhash, SEED};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

type Partition = BTreeSet<Vec<String>>;

/// A synthetic corpus of `docs` articles, as JSONL lines.
fn synth(dir: &Path, docs: u64, seed: u64) -> Vec<String> {
    let out = dir.join(format!("synth-{docs}-{seed}.jsonl"));
    let o = storyhash()
        .args(["synth", "--source", SEED, "--family-rate", "0.5"])
        .args(["--docs", &docs.to_string(), "--seed", &seed.to_string()])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_success(&o);
    std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

fn id_of(line: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    v["id"].as_str().unwrap().to_string()
}

fn write_lines(path: &Path, lines: &[String]) {
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

fn create(dir: &Path) {
    create_preset(dir, "copy");
}

fn create_preset(dir: &Path, preset: &str) {
    let o = storyhash()
        .args(["index", "create", "--preset", preset])
        .arg(dir)
        .output()
        .unwrap();
    assert_success(&o);
}

/// `watch --add` over `lines`, all written at once; its output once it has exited.
fn watch_add(dir: &Path, lines: &[String]) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_storyhash"))
        .args(["watch", "--add"])
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // Fed from its own thread: the answers fill the stdout pipe while the lines still go in.
    let mut stdin = child.stdin.take().unwrap();
    let input = lines.join("\n") + "\n";
    let feeder = std::thread::spawn(move || stdin.write_all(input.as_bytes()).unwrap());
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    out
}

/// The index's stories, as sets of member ids (singletons included).
fn index_partition(dir: &Path) -> Partition {
    let o = storyhash()
        .args(["index", "stories", "--format", "jsonl"])
        .arg(dir)
        .output()
        .unwrap();
    assert_success(&o);
    json_lines(&o.stdout)
        .iter()
        .map(|s| {
            let mut m: Vec<String> = s["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap().to_string())
                .collect();
            m.sort();
            m
        })
        .collect()
}

/// One `cluster --preset copy` run's clusters over `file`, with every article that joined
/// nothing as a cluster of its own.
fn batch_partition(file: &Path, ids: &[String]) -> Partition {
    batch_partition_of("copy", file, ids)
}

/// [`batch_partition`] under `preset`.
fn batch_partition_of(preset: &str, file: &Path, ids: &[String]) -> Partition {
    let o = storyhash()
        .args(["cluster", "--preset", preset, "--format", "jsonl", "-q"])
        .arg(file)
        .output()
        .unwrap();
    assert_success(&o);
    let mut out: Partition = json_lines(&o.stdout)
        .iter()
        .map(|c| {
            let mut m: Vec<String> = c["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap().to_string())
                .collect();
            m.sort();
            m
        })
        .collect();
    let seen: BTreeSet<String> = out.iter().flatten().cloned().collect();
    for id in ids {
        if !seen.contains(id) {
            out.insert(vec![id.clone()]);
        }
    }
    out
}

#[test]
fn an_archive_and_a_stream_give_the_clusters_of_one_cluster_run() {
    let tmp = tempfile::tempdir().unwrap();
    let lines = synth(tmp.path(), 400, 7);
    let ids: Vec<String> = lines.iter().map(|l| id_of(l)).collect();
    let dir = tmp.path().join("idx");
    create(&dir);
    let archive = tmp.path().join("archive.jsonl");
    write_lines(&archive, &lines[..250]);
    let o = storyhash()
        .args(["index", "add", "-q"])
        .arg(&dir)
        .arg(&archive)
        .output()
        .unwrap();
    assert_success(&o);

    // The stream, one line at a time.
    let out = watch_add(&dir, &lines[250..]);
    assert!(out.status.success());
    let answers = json_lines(&out.stdout);
    assert_eq!(answers.len(), 150);
    for (a, id) in answers.iter().zip(&ids[250..]) {
        assert_eq!(a["id"].as_str().unwrap(), id);
        assert_eq!(a["stored"], serde_json::json!(true), "{a}");
    }
    // Some of the stream must have joined the archive, or the comparison below is weak.
    let joined = answers
        .iter()
        .filter(|a| !a["matches"].as_array().unwrap().is_empty())
        .count();
    assert!(joined > 20, "only {joined} stream articles matched");

    let all = tmp.path().join("all.jsonl");
    write_lines(&all, &lines);
    let want = batch_partition(&all, &ids);
    assert!(want.iter().any(|c| c.len() > 2));
    assert_eq!(index_partition(&dir), want);

    // Remove every seventh article: the stories are the clusters of the rest.
    let gone: Vec<String> = ids.iter().step_by(7).cloned().collect();
    let ids_file = tmp.path().join("gone.txt");
    std::fs::write(&ids_file, gone.join("\n")).unwrap();
    let o = storyhash()
        .args(["index", "remove", "--ids"])
        .arg(&ids_file)
        .arg(&dir)
        .output()
        .unwrap();
    assert_success(&o);
    let live: Vec<String> = lines
        .iter()
        .filter(|l| !gone.contains(&id_of(l)))
        .cloned()
        .collect();
    let live_ids: Vec<String> = live.iter().map(|l| id_of(l)).collect();
    let live_file = tmp.path().join("live.jsonl");
    write_lines(&live_file, &live);
    assert_eq!(
        index_partition(&dir),
        batch_partition(&live_file, &live_ids)
    );

    // Compaction changes no story.
    let before = index_partition(&dir);
    let o = storyhash()
        .args(["index", "compact"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_success(&o);
    assert_eq!(index_partition(&dir), before);
}

#[test]
fn a_story_index_fed_by_watch_gives_the_story_clusters_of_the_reference_case() {
    let tmp = tempfile::tempdir().unwrap();
    let lines: Vec<String> = std::fs::read_to_string(SEED)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    let ids: Vec<String> = lines.iter().map(|l| id_of(l)).collect();
    let dir = tmp.path().join("idx");
    create_preset(&dir, "story");
    let out = watch_add(&dir, &lines);
    assert!(out.status.success());
    let answers = json_lines(&out.stdout);
    assert_eq!(answers.len(), lines.len());
    let wvr = answers
        .iter()
        .find(|a| a["id"] == "wvr-thang-interview")
        .unwrap();
    assert_eq!(wvr["matches"][0]["id"], "vna-thang-interview");
    assert_eq!(wvr["matches"][0]["evidence"], "story");
    assert!(wvr["matches"][0]["jaccard"].as_f64().unwrap() < 0.1);
    assert_eq!(
        index_partition(&dir),
        batch_partition_of("story", Path::new(SEED), &ids)
    );
}

#[test]
fn watch_answers_each_line_before_the_next_arrives() {
    let tmp = tempfile::tempdir().unwrap();
    let lines = synth(tmp.path(), 30, 3);
    let dir = tmp.path().join("idx");
    create(&dir);
    let mut watch = Command::new(env!("CARGO_BIN_EXE_storyhash"))
        .args(["watch", "--add"])
        .arg(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = watch.stdin.take().unwrap();
    let mut stdout = BufReader::new(watch.stdout.take().unwrap());
    let mut ask = |line: &str| -> serde_json::Value {
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
        // Blocks until watch answers: the stdin is still open, so an answer that waited for
        // more input would hang the test here.
        let mut got = String::new();
        stdout.read_line(&mut got).unwrap();
        serde_json::from_str(&got).unwrap()
    };
    let first = ask(&lines[0]);
    assert_eq!(first["stored"], serde_json::json!(true));
    assert_eq!(first["story"]["new"], serde_json::json!(true));
    // A malformed line gets an error line naming it, and the watch goes on.
    let bad = ask(r#"{"id": "broken", "text": "#);
    assert!(bad["error"].as_str().unwrap().contains(":2:"), "{bad}");
    // The same id again: refused, not stored.
    let dup = ask(&lines[0]);
    assert_eq!(dup["stored"], serde_json::json!(false), "{dup}");
    assert!(dup["error"].as_str().unwrap().contains("already"), "{dup}");
    let next = ask(&lines[1]);
    assert_eq!(next["id"].as_str().unwrap(), id_of(&lines[1]));
    drop(stdin);
    assert!(watch.wait().unwrap().success());
    let stored: BTreeSet<String> = index_partition(&dir).into_iter().flatten().collect();
    assert_eq!(stored, BTreeSet::from([id_of(&lines[0]), id_of(&lines[1])]));
}

/// A writer killed with SIGKILL at pseudo-random moments, again and again: every article
/// whose `"stored": true` line was printed is in the index, and the index opens and checks
/// clean after every kill.
#[test]
fn an_acknowledged_article_survives_kill_9() {
    const KILLS: u64 = 50;
    let tmp = tempfile::tempdir().unwrap();
    let lines = synth(tmp.path(), 200, 11);
    let dir = tmp.path().join("idx");
    create(&dir);
    let mut acked: BTreeSet<String> = BTreeSet::new();
    // At least KILLS kills; more (up to 4 times as many) while too few articles were
    // acknowledged to say anything, as on a loaded machine where a process starts slowly.
    let mut round = 0;
    while round < KILLS || (acked.len() <= 50 && round < 4 * KILLS) {
        round += 1;
        let mut watch = Command::new(env!("CARGO_BIN_EXE_storyhash"))
            .args(["watch", "--add"])
            .arg(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Fresh ids each round, texts reused: the writer is always adding.
        let body: String = lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["id"] = format!("r{round}-{i}").into();
                v.to_string() + "\n"
            })
            .collect();
        let mut stdin = watch.stdin.take().unwrap();
        // The writer may die mid-write: a broken pipe is expected.
        let feeder = std::thread::spawn(move || {
            let _ = stdin.write_all(body.as_bytes());
        });
        let stdout = watch.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut ids = Vec::new();
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                // A line cut by the kill is not an acknowledgement.
                let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else {
                    break;
                };
                if v["stored"] == serde_json::json!(true) {
                    ids.push(v["id"].as_str().unwrap().to_string());
                }
            }
            ids
        });
        // Kill moments spread over opening, matching and committing.
        let wait_ms = storyhash::hashed::mix64(round) % 120;
        std::thread::sleep(std::time::Duration::from_millis(wait_ms));
        watch.kill().unwrap();
        watch.wait().unwrap();
        feeder.join().unwrap();
        acked.extend(reader.join().unwrap());
        if round % 10 == 9 {
            let o = storyhash()
                .args(["index", "verify"])
                .arg(&dir)
                .output()
                .unwrap();
            assert_success(&o);
        }
    }
    assert!(
        acked.len() > 50,
        "only {} articles acknowledged",
        acked.len()
    );
    let o = storyhash()
        .args(["index", "verify"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_success(&o);
    let stored: BTreeSet<String> = index_partition(&dir).into_iter().flatten().collect();
    let lost: Vec<&String> = acked.difference(&stored).collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
}

#[test]
fn bad_input_is_refused_and_nothing_is_stored() {
    let tmp = tempfile::tempdir().unwrap();
    let lines = synth(tmp.path(), 20, 5);
    let dir = tmp.path().join("idx");
    create(&dir);
    let count = |dir: &Path| index_partition(dir).into_iter().flatten().count();

    // A malformed record: file and line named, exit 2, nothing stored.
    let bad = tmp.path().join("bad.jsonl");
    let mut with_bad = lines[..3].to_vec();
    with_bad.insert(2, r#"{"id": "x", "text": "#.into());
    write_lines(&bad, &with_bad);
    let o = storyhash()
        .args(["index", "add"])
        .arg(&dir)
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad.jsonl:3"), "{err}");
    assert_eq!(count(&dir), 0);

    // An id already stored refuses the whole batch; --replace stores the new version.
    let first = tmp.path().join("first.jsonl");
    write_lines(&first, &lines[..5]);
    assert_success(
        &storyhash()
            .args(["index", "add", "-q"])
            .arg(&dir)
            .arg(&first)
            .output()
            .unwrap(),
    );
    let again = tmp.path().join("again.jsonl");
    write_lines(&again, &lines[4..8]);
    let o = storyhash()
        .args(["index", "add", "-q"])
        .arg(&dir)
        .arg(&again)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--replace"));
    assert_eq!(count(&dir), 5);
    assert_success(
        &storyhash()
            .args(["index", "add", "-q", "--replace"])
            .arg(&dir)
            .arg(&again)
            .output()
            .unwrap(),
    );
    assert_eq!(count(&dir), 8);

    // Unknown ids refuse the removal.
    let ids = tmp.path().join("ids.txt");
    std::fs::write(&ids, format!("{}\nno-such-id\n", id_of(&lines[0]))).unwrap();
    let o = storyhash()
        .args(["index", "remove", "--ids"])
        .arg(&ids)
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no-such-id"));
    assert_eq!(count(&dir), 8);

    // A directory that is no index, and an index that already exists.
    let o = storyhash()
        .args(["query"])
        .arg(tmp.path().join("nowhere"))
        .arg(&first)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let o = storyhash()
        .args(["index", "create"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(count(&dir), 8);
}

#[test]
fn index_create_seeds_story_statistics_from_a_reference_and_refuses_bad_uses() {
    let tmp = tempfile::tempdir().unwrap();
    // The story preset: the reference's statistics are the seed, and no article is stored.
    let dir = tmp.path().join("seeded");
    let o = storyhash()
        .args(["index", "create", "--preset", "story", "--stats-from", SEED])
        .arg(&dir)
        .output()
        .unwrap();
    assert_success(&o);
    let o = storyhash()
        .args(["index", "stats", "--format", "json"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_success(&o);
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s["documents"], 0);
    assert_eq!(s["story"]["counted"], 0);
    assert!(s["story"]["seed_counted"].as_u64().unwrap() >= 20, "{s}");
    assert_eq!(s["story"]["prior"], false);

    // The copy preset keeps no statistics: refused, naming the flag, nothing created.
    let copy = tmp.path().join("copy");
    let o = storyhash()
        .args(["index", "create", "--preset", "copy", "--stats-from", SEED])
        .arg(&copy)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--stats-from") && err.contains("--preset story"),
        "{err}"
    );
    assert!(!copy.exists());

    // A bad record in the reference: file and line named, exit 2, no index left behind.
    let lines: Vec<String> = std::fs::read_to_string(SEED)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    let bad = tmp.path().join("bad-ref.jsonl");
    let mut with_bad = lines[..4].to_vec();
    with_bad.insert(2, r#"{"id": "x", "text": "#.into());
    write_lines(&bad, &with_bad);
    let broken = tmp.path().join("broken");
    let o = storyhash()
        .args(["index", "create", "--preset", "story", "--stats-from"])
        .arg(&bad)
        .arg(&broken)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad-ref.jsonl:3"), "{err}");
    assert!(!broken.exists());
}

#[test]
fn index_settle_gives_the_story_clusters_of_one_cluster_run_over_the_live_articles() {
    let tmp = tempfile::tempdir().unwrap();
    let lines = synth(tmp.path(), 300, 7);
    let dir = tmp.path().join("idx");
    create_preset(&dir, "story");
    // One at a time, as a desk streams them, then a tenth withdrawn.
    assert!(watch_add(&dir, &lines).status.success());
    let gone: Vec<&String> = lines.iter().skip(3).step_by(10).collect();
    let live: Vec<String> = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 10 != 3)
        .map(|(_, l)| l.clone())
        .collect();
    let gone_ids: Vec<String> = gone.iter().map(|l| id_of(l)).collect();
    std::fs::write(tmp.path().join("gone.txt"), gone_ids.join("\n") + "\n").unwrap();
    let o = storyhash()
        .args(["index", "remove"])
        .arg(&dir)
        .arg("--ids")
        .arg(tmp.path().join("gone.txt"))
        .output()
        .unwrap();
    assert_success(&o);
    let o = storyhash()
        .args(["index", "settle", "--format", "json"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_success(&o);
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s["documents"], live.len());
    let live_file = tmp.path().join("live.jsonl");
    write_lines(&live_file, &live);
    let ids: Vec<String> = live.iter().map(|l| id_of(l)).collect();
    assert_eq!(
        index_partition(&dir),
        batch_partition_of("story", &live_file, &ids)
    );
    // Settled again: nothing moves.
    let o = storyhash()
        .args(["index", "settle", "--format", "json"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_success(&o);
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s["moved"], 0);
}

#[test]
fn index_add_settle_ends_a_load_with_the_stories_of_one_cluster_run() {
    let tmp = tempfile::tempdir().unwrap();
    let lines = synth(tmp.path(), 300, 7);
    let dir = tmp.path().join("idx");
    create_preset(&dir, "story");
    // Streamed one at a time past the last automatic settle (at 256 counted), then the rest
    // loaded in bulk with --settle.
    assert!(watch_add(&dir, &lines[..290]).status.success());
    let rest = tmp.path().join("rest.jsonl");
    write_lines(&rest, &lines[290..]);
    let o = storyhash()
        .args(["index", "add", "--settle", "--quiet"])
        .arg(&dir)
        .arg(&rest)
        .output()
        .unwrap();
    assert_success(&o);
    let all = tmp.path().join("all.jsonl");
    write_lines(&all, &lines);
    let ids: Vec<String> = lines.iter().map(|l| id_of(l)).collect();
    assert_eq!(
        index_partition(&dir),
        batch_partition_of("story", &all, &ids)
    );
}
