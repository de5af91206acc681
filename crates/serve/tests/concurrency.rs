//! Adds and queries at once: a query never sees an article whose add was not yet sent, sees
//! every article whose add was answered before it was sent, and the index is held by the server
//! alone.

use crate::common::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use storyhash_index::Index;
use storyhash_serve::Limits;

/// Articles the writer adds, one request each.
const N: usize = 40;

/// `N` distinct articles: runs of three sentences of the seed texts, ids `c-0`...
fn articles() -> Vec<(String, String)> {
    let sentences: Vec<String> = seeds()
        .iter()
        .flat_map(|(_, t)| {
            t.replace('\n', " ")
                .split(". ")
                .filter(|s| s.len() > 40)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(sentences.len() >= 3 * N, "enough seed sentences");
    (0..N)
        .map(|i| (format!("c-{i}"), sentences[3 * i..3 * i + 3].join(". ")))
        .collect()
}

fn number(id: &str) -> usize {
    id.strip_prefix("c-")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a match of an id never added: {id}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_see_only_sent_adds_and_every_answered_one() {
    bounded(async {
        let mut s = start(Limits::default()).await;
        let addr = s.addr;
        let arts = articles();
        // Adds sent so far (set before sending), and answered so far (set after the answer).
        let sent = Arc::new(AtomicUsize::new(0));
        let acked = Arc::new(AtomicUsize::new(0));

        let writer = {
            let (arts, sent, acked) = (arts.clone(), sent.clone(), acked.clone());
            tokio::spawn(async move {
                let c = client();
                for (i, a) in arts.iter().enumerate() {
                    sent.store(i + 1, Ordering::SeqCst);
                    let r =
                        post_ok(&c, addr, "/add", &articles_body(std::slice::from_ref(a))).await;
                    assert_eq!(r["answers"][0]["stored"], serde_json::json!(true));
                    acked.store(i + 1, Ordering::SeqCst);
                }
            })
        };
        let querier = {
            let (sent, acked) = (sent.clone(), acked.clone());
            // The same texts under other ids: each matches its source exactly once stored.
            let probes: Vec<(String, String)> = arts
                .iter()
                .map(|(id, t)| (format!("q-{id}"), t.clone()))
                .collect();
            tokio::spawn(async move {
                let c = client();
                let mut rounds = 0;
                loop {
                    let done = acked.load(Ordering::SeqCst) == N;
                    let answered_before = acked.load(Ordering::SeqCst);
                    let q = post_ok(&c, addr, "/query", &articles_body(&probes)).await;
                    let sent_after = sent.load(Ordering::SeqCst);
                    for (j, answer) in q["answers"].as_array().unwrap().iter().enumerate() {
                        let ids = matched_ids(answer);
                        for id in &ids {
                            assert!(
                                number(id) < sent_after,
                                "{id} matched before its add was sent ({sent_after} sent)"
                            );
                        }
                        if j < answered_before {
                            assert!(
                                ids.contains(&format!("c-{j}")),
                                "c-{j} was answered before the query was sent, yet not matched"
                            );
                        }
                    }
                    rounds += 1;
                    if done {
                        return rounds;
                    }
                }
            })
        };
        writer.await.expect("the writer's asserts hold");
        let rounds = querier.await.expect("the querier's asserts hold");
        assert!(rounds >= 2, "queries ran while adding ({rounds} rounds)");
        let c = client();
        assert_eq!(documents(&c, addr).await, N as u64);

        // A second open of the index the server holds is refused, and changes nothing.
        match Index::open(&s.dir) {
            Ok(_) => panic!("a second open of a served index must be refused"),
            Err(e) => assert!(
                e.to_string().contains("open in another process"),
                "the refusal says why: {e}"
            ),
        }
        assert_eq!(documents(&c, addr).await, N as u64);
        s.stop().await;
        let reopened = reopen(&s.dir).await;
        assert!(
            s.index.upgrade().is_none(),
            "the server let go of its index"
        );
        assert_eq!(reopened.stats().unwrap().documents, N as u64);
    })
    .await;
}
