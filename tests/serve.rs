//! `storyhash serve` as a process: it says where it listens, holds the index against other
//! commands, and on SIGTERM answers a request it was still receiving, closes the index and
//! exits 0 with the acknowledged article stored.

use crate::common::{assert_success, storyhash, SEED};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills the server if the test fails before it stopped it.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn request_head(path: &str, body_len: usize) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: {body_len}\r\nConnection: close\r\n\r\n"
    )
}

/// The status and body of a whole response read to the end.
fn read_response(mut s: TcpStream) -> (u16, serde_json::Value) {
    let mut raw = String::new();
    s.read_to_string(&mut raw).expect("a response");
    let status = raw
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("a status line: {raw:?}"));
    let body = raw.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    let json = serde_json::from_str(body).unwrap_or_else(|e| panic!("JSON body ({e}): {raw:?}"));
    (status, json)
}

#[test]
fn serve_answers_in_flight_on_sigterm_and_exits_0() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("idx");
    assert_success(
        &storyhash()
            .arg("index")
            .arg("create")
            .arg(&dir)
            .output()
            .unwrap(),
    );
    assert_success(
        &storyhash()
            .args(["index", "add", "-q"])
            .arg(&dir)
            .arg(SEED)
            .output()
            .unwrap(),
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_storyhash"))
        .arg("serve")
        .arg(&dir)
        .args(["--addr", "127.0.0.1:0", "--print-addr", "--threads", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let mut server = Server(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let addr: std::net::SocketAddr = line.trim().parse().expect("the address on stdout");
    assert!(addr.ip().is_loopback());

    // The index is the server's: another command is refused, with the reason.
    let o = storyhash()
        .args(["index", "stats"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("open in another process"));

    // An add in flight when SIGTERM comes: its headers ask `Expect: 100-continue`, so that the
    // server's "100 Continue" says the handler is reading the body; SIGTERM then, and the body
    // only once the server has stopped accepting connections.
    let body = serde_json::json!({ "articles": [{
        "id": "in-flight",
        "text": "The harbour authority said on Tuesday that the new container terminal will open \
                 in March after two years of works, doubling the port's capacity."
    }]})
    .to_string();
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let head =
        request_head("/add", body.len()).replace("\r\n\r\n", "\r\nExpect: 100-continue\r\n\r\n");
    s.write_all(head.as_bytes()).unwrap();
    let mut interim = Vec::new();
    while !interim.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8];
        s.read_exact(&mut byte).expect("a 100 Continue");
        interim.push(byte[0]);
    }
    assert!(
        String::from_utf8_lossy(&interim).starts_with("HTTP/1.1 100"),
        "{interim:?}"
    );
    let pid = server.0.id().to_string();
    let kill = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(kill.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(addr).is_ok() {
        assert!(
            Instant::now() < deadline,
            "still accepting 20 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    s.write_all(body.as_bytes()).unwrap();
    let (status, json) = read_response(s);
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["answers"][0]["stored"], serde_json::json!(true));

    // It exits 0 by itself, soon.
    let deadline = Instant::now() + Duration::from_secs(20);
    let code = loop {
        if let Some(st) = server.0.try_wait().unwrap() {
            break st;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    stderr.read_to_string(&mut err).unwrap();
    assert!(code.success(), "exit {code:?}; stderr: {err}");
    assert!(
        err.contains(&format!("listening on http://{addr}")),
        "{err}"
    );
    assert!(err.contains("SIGTERM"), "{err}");

    // The acknowledged article is in the index, which is free again.
    let o = storyhash()
        .args(["index", "stats", "--format", "json"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_success(&o);
    let stats: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let seeds = std::fs::read_to_string(SEED).unwrap().lines().count() as u64;
    assert_eq!(stats["documents"], serde_json::json!(seeds + 1));
}

/// The server killed with SIGKILL while a client adds one article a request: every add that
/// got a 200 is in the index afterwards, and the index verifies clean after each kill.
#[test]
fn an_acknowledged_http_add_survives_kill_9() {
    const KILLS: u64 = 15;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("idx");
    assert_success(
        &storyhash()
            .arg("index")
            .arg("create")
            .arg(&dir)
            .output()
            .unwrap(),
    );
    let texts: Vec<String> = crate::common::seed_records()
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    let mut acked: Vec<String> = Vec::new();
    for round in 0..KILLS {
        let mut child = Command::new(env!("CARGO_BIN_EXE_storyhash"))
            .arg("serve")
            .arg(&dir)
            .args(["--addr", "127.0.0.1:0", "--print-addr"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let addr: std::net::SocketAddr = line.trim().parse().expect("the address on stdout");
        let texts = texts.clone();
        let client = std::thread::spawn(move || {
            let mut ok = Vec::new();
            for (i, text) in texts.iter().cycle().take(400).enumerate() {
                let id = format!("r{round}-{i}");
                let body = serde_json::json!({"articles": [{"id": id, "text": text}]}).to_string();
                let Ok(mut s) = TcpStream::connect(addr) else {
                    break;
                };
                let sent = s
                    .write_all(request_head("/add", body.len()).as_bytes())
                    .and_then(|()| s.write_all(body.as_bytes()));
                if sent.is_err() {
                    break;
                }
                let mut raw = String::new();
                if s.read_to_string(&mut raw).is_err() || !raw.starts_with("HTTP/1.1 200") {
                    break;
                }
                ok.push(id);
            }
            ok
        });
        let wait_ms = 30 + storyhash::hashed::mix64(round) % 200;
        std::thread::sleep(Duration::from_millis(wait_ms));
        child.kill().unwrap();
        child.wait().unwrap();
        acked.extend(client.join().unwrap());
        let o = storyhash()
            .args(["index", "verify"])
            .arg(&dir)
            .output()
            .unwrap();
        assert_success(&o);
    }
    assert!(acked.len() > 20, "only {} adds acknowledged", acked.len());
    let o = storyhash()
        .args(["index", "stories", "--format", "jsonl"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_success(&o);
    let stored: std::collections::BTreeSet<String> = crate::common::json_lines(&o.stdout)
        .iter()
        .flat_map(|s| s["members"].as_array().unwrap().clone())
        .map(|m| m.as_str().unwrap().to_string())
        .collect();
    let lost: Vec<&String> = acked.iter().filter(|id| !stored.contains(*id)).collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
}
