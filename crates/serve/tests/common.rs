//! A server over a fresh index, a small HTTP client, and the seed articles.

use axum::body::Bytes;
use axum::http::{HeaderMap, Request};
use axum::Router;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Weak};
use std::time::Duration;
use storyhash_core::score::Preset;
use storyhash_core::EngineConfig;
use storyhash_index::Index;
use storyhash_serve::Limits;
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Every test's whole body runs under this bound.
pub const TEST_TIMEOUT: Duration = Duration::from_secs(45);

/// Run `f` under [`TEST_TIMEOUT`].
pub async fn bounded<F: Future>(f: F) -> F::Output {
    tokio::time::timeout(TEST_TIMEOUT, f)
        .await
        .expect("the test finished within its bound")
}

/// The articles (id, text) of a fixture every crate's tests share, `fixtures/<rel>` (JSONL).
pub fn fixture(rel: &str) -> Vec<(String, String)> {
    let path = format!("{}/../../fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("a fixture line is JSON");
            (
                v["id"].as_str().expect("id").to_string(),
                v["text"].as_str().expect("text").to_string(),
            )
        })
        .collect()
}

/// The seed articles (id, text).
pub fn seeds() -> Vec<(String, String)> {
    fixture("seeds/seed_case.jsonl")
}

/// The text of seed `id`.
pub fn seed_text(id: &str) -> String {
    seeds()
        .into_iter()
        .find(|(i, _)| i == id)
        .map(|(_, t)| t)
        .expect("a seed of that id")
}

/// An `/add` or `/query` body of `(id, text)` articles.
pub fn articles_body(articles: &[(String, String)]) -> Value {
    json!({
        "articles": articles
            .iter()
            .map(|(id, text)| json!({ "id": id, "text": text }))
            .collect::<Vec<_>>()
    })
}

/// A server running in-process over an index of its own.
pub struct TestServer {
    pub addr: SocketAddr,
    /// The index directory.
    pub dir: PathBuf,
    /// The server's index, to tell when it is closed.
    pub index: Weak<Index>,
    _tmp: TempDir,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

/// A new empty copy-preset index in a temporary directory.
pub fn new_index() -> (TempDir, PathBuf, Index) {
    new_index_of(EngineConfig {
        preset: Preset::Copy,
        ..Default::default()
    })
}

/// A new empty index of `cfg` in a temporary directory.
pub fn new_index_of(cfg: EngineConfig) -> (TempDir, PathBuf, Index) {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let dir = tmp.path().join("index");
    let index = Index::create(&dir, cfg).expect("an index is created");
    (tmp, dir, index)
}

/// A server over a new empty index, with `limits`.
pub async fn start(limits: Limits) -> TestServer {
    start_wrapped(limits, |app| app).await
}

/// A server over a new empty story-preset index.
pub async fn start_story(limits: Limits) -> TestServer {
    start_over(
        new_index_of(EngineConfig::for_preset(Preset::Story)),
        limits,
        |app| app,
    )
    .await
}

/// A server over a new empty index whose router `wrap` may wrap in layers of its own.
pub async fn start_wrapped(limits: Limits, wrap: impl FnOnce(Router) -> Router) -> TestServer {
    start_over(new_index(), limits, wrap).await
}

async fn start_over(
    (tmp, dir, index): (TempDir, PathBuf, Index),
    limits: Limits,
    wrap: impl FnOnce(Router) -> Router,
) -> TestServer {
    let index = Arc::new(index);
    let weak = Arc::downgrade(&index);
    let app = wrap(storyhash_serve::router(index, limits));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local address");
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(storyhash_serve::serve(listener, app, async move {
        let _ = rx.await;
    }));
    TestServer {
        addr,
        dir,
        index: weak,
        _tmp: tmp,
        stop: Some(tx),
        task,
    }
}

impl TestServer {
    /// Ask the server to shut down (it returns once every request it has is answered).
    pub fn trigger_stop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }

    /// Whether the server has returned.
    pub fn finished(&self) -> bool {
        self.task.is_finished()
    }

    /// Shut down and wait for the server to return; the temporary directory stays while
    /// `self` lives.
    pub async fn stop(&mut self) {
        self.trigger_stop();
        let task = &mut self.task;
        tokio::time::timeout(Duration::from_secs(20), task)
            .await
            .expect("the server returned within 20 s of the shutdown")
            .expect("the server task did not panic")
            .expect("the server returned Ok");
    }
}

/// Open the index in `dir` once the server that held it has let go of it. The last
/// connection task may still be dropping its share of the router just after the server
/// returned, so a refusal (the index still open) is retried for a bounded time.
pub async fn reopen(dir: &std::path::Path) -> Index {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        match Index::open(dir) {
            Ok(index) => return index,
            Err(e) if std::time::Instant::now() < deadline => {
                assert!(e.to_string().contains("open in another process"), "{e}");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            Err(e) => panic!("the index is still held 5 s after the server returned: {e}"),
        }
    }
}

pub type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// A pooled HTTP/1 client.
pub fn client() -> HttpClient {
    Client::builder(TokioExecutor::new()).build_http()
}

/// An answer: its status, headers and body (JSON when it parses as JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Reply {
    /// The body as JSON; a body that is not JSON fails the test, showing it.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| {
            panic!(
                "status {}: body is not JSON ({e}): {:?}",
                self.status, self.text
            )
        })
    }

    /// Assert the API's error shape, with `status` and `code`.
    pub fn assert_error(&self, status: u16, code: &str) -> Value {
        let v = self.json();
        assert_eq!(self.status, status, "status of {v}");
        let e = &v["error"];
        assert_eq!(e["status"], json!(status), "error.status of {v}");
        assert_eq!(e["code"], json!(code), "error.code of {v}");
        let message = e["message"].as_str().expect("error.message is a string");
        assert!(message.len() > 10, "a message a user can act on: {v}");
        let content_type = self.headers.get("content-type").expect("a content type");
        assert_eq!(content_type, "application/json", "content type of {v}");
        v
    }
}

/// Send a request; `Err` when no answer came (connection refused or closed).
pub async fn send(
    c: &HttpClient,
    addr: SocketAddr,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: impl Into<Bytes>,
    headers: &[(&str, &str)],
) -> Result<Reply, String> {
    let mut req = Request::builder()
        .method(method)
        .uri(format!("http://{addr}{path}"));
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req.body(Full::new(body.into())).expect("a request");
    let res = c.request(req).await.map_err(|e| format!("{e:?}"))?;
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let bytes = res
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("{e:?}"))?
        .to_bytes();
    Ok(Reply {
        status,
        headers,
        text: String::from_utf8_lossy(&bytes).into_owned(),
    })
}

/// `GET path`, which must be answered.
pub async fn get(c: &HttpClient, addr: SocketAddr, path: &str) -> Reply {
    send(c, addr, "GET", path, None, Bytes::new(), &[])
        .await
        .unwrap_or_else(|e| panic!("GET {path}: no answer: {e}"))
}

/// `POST path` with a JSON body, which must be answered.
pub async fn post(c: &HttpClient, addr: SocketAddr, path: &str, body: &Value) -> Reply {
    send(
        c,
        addr,
        "POST",
        path,
        Some("application/json"),
        body.to_string(),
        &[],
    )
    .await
    .unwrap_or_else(|e| panic!("POST {path}: no answer: {e}"))
}

/// `POST path`, which must answer 200; its JSON.
pub async fn post_ok(c: &HttpClient, addr: SocketAddr, path: &str, body: &Value) -> Value {
    let r = post(c, addr, path, body).await;
    assert_eq!(r.status, 200, "POST {path}: {}", r.text);
    r.json()
}

/// The live document count, by `/stats`.
pub async fn documents(c: &HttpClient, addr: SocketAddr) -> u64 {
    let r = get(c, addr, "/stats").await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()["documents"].as_u64().expect("documents")
}

/// The ids an answer matched.
pub fn matched_ids(answer: &Value) -> Vec<String> {
    answer["matches"]
        .as_array()
        .expect("matches is an array")
        .iter()
        .map(|m| m["id"].as_str().expect("a match id").to_string())
        .collect()
}
