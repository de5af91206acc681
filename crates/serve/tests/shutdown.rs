//! Graceful shutdown: an add in flight when the shutdown begins is committed and answered,
//! every add answered 2xx is in the index once it is reopened, and the server returns and lets
//! go of the index.

use crate::common::*;
use axum::extract::Request;
use axum::middleware::{self, Next};
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use storyhash_serve::Limits;
use tokio::sync::Notify;

/// Holds a request marked `x-test-hold` after it reached the server, until released: the
/// test then knows it is in flight when it starts the shutdown.
#[derive(Default)]
struct Hold {
    entered: Notify,
    released: Notify,
    open: AtomicBool,
}

fn text(i: usize, tag: &str) -> String {
    format!(
        "Dispatch {tag} number {i}: the port authority of city {i} reported {} containers \
         handled in week {}, and officials of district {} expect the new terminal to open on \
         schedule, said spokesperson {} of the agency.",
        i * 37 + 11,
        i % 52,
        i * 7 + 3,
        i * 13 + 5
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_answers_adds_in_flight_and_loses_nothing_answered() {
    bounded(async {
        let hold = Arc::new(Hold::default());
        let layer_hold = hold.clone();
        let mut s = start_wrapped(Limits::default(), move |app| {
            app.layer(middleware::from_fn(move |req: Request, next: Next| {
                let hold = layer_hold.clone();
                async move {
                    if req.headers().contains_key("x-test-hold") {
                        hold.entered.notify_one();
                        if !hold.open.load(Ordering::SeqCst) {
                            hold.released.notified().await;
                        }
                    }
                    next.run(req).await
                }
            }))
        })
        .await;
        let addr = s.addr;
        let acked: Arc<Mutex<Vec<String>>> = Arc::default();

        // Writers adding one article a request until the server stops answering.
        let writers: Vec<_> = (0..3)
            .map(|w| {
                let acked = acked.clone();
                tokio::spawn(async move {
                    let c = client();
                    for i in 0..10_000 {
                        let id = format!("w{w}-{i}");
                        let body = articles_body(&[(id.clone(), text(i, &format!("w{w}")))]);
                        let r = send(
                            &c,
                            addr,
                            "POST",
                            "/add",
                            Some("application/json"),
                            body.to_string(),
                            &[],
                        )
                        .await;
                        match r {
                            Ok(r) if r.status == 200 => {
                                assert_eq!(r.json()["answers"][0]["stored"], json!(true));
                                acked.lock().unwrap().push(id);
                            }
                            // Refused once the server is closing: not acknowledged.
                            Ok(r) => panic!(
                                "an add answered {} instead of 200 or nothing: {}",
                                r.status, r.text
                            ),
                            Err(_) => return i,
                        }
                    }
                    panic!("the server never stopped")
                })
            })
            .collect();

        // A batch whose request is held inside the server when the shutdown starts.
        let big: Vec<(String, String)> = (0..200)
            .map(|i| (format!("big-{i}"), text(i, "big")))
            .collect();
        let held = {
            let body = articles_body(&big).to_string();
            tokio::spawn(async move {
                let c = client();
                send(
                    &c,
                    addr,
                    "POST",
                    "/add",
                    Some("application/json"),
                    body,
                    &[("x-test-hold", "1")],
                )
                .await
            })
        };
        hold.entered.notified().await;
        // Let the writers get some adds answered first.
        while acked.lock().unwrap().len() < 10 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        s.trigger_stop();
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(
            !s.finished(),
            "the server returned while a request it had received was not answered"
        );
        hold.open.store(true, Ordering::SeqCst);
        hold.released.notify_one();

        let held = held
            .await
            .unwrap()
            .expect("the held add is answered, not cut off");
        assert_eq!(held.status, 200, "{}", held.text);
        let answers = held.json()["answers"].as_array().unwrap().clone();
        assert_eq!(answers.len(), big.len());
        assert!(answers.iter().all(|a| a["stored"] == json!(true)));
        for w in writers {
            w.await
                .expect("every writer's adds were answered 200 until the server stopped");
        }
        s.stop().await;

        // Everything acknowledged is there after a reopen.
        let index = reopen(&s.dir).await;
        assert!(
            s.index.upgrade().is_none(),
            "the server let go of its index"
        );
        let mut acked = acked.lock().unwrap().clone();
        acked.extend(big.iter().map(|(id, _)| id.clone()));
        let stats = index.stats().unwrap();
        assert!(
            stats.documents >= acked.len() as u64,
            "{} documents for {} acknowledged adds",
            stats.documents,
            acked.len()
        );
        let removed = index
            .remove_ids(&acked)
            .expect("every acknowledged id is in the index");
        assert_eq!(removed.removed, acked.len());
    })
    .await;
}
