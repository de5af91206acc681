//! Every refused request: its status, the JSON error shape and code, and that the index did not
//! change (no article stored, none removed).

use crate::common::*;
use serde_json::{json, Value};
use storyhash_serve::Limits;

/// Small limits, so that the cases over them stay small.
const LIMITS: Limits = Limits {
    body_bytes: 64 << 10,
    article_bytes: 16 << 10,
    batch: 10,
};

struct Case {
    name: &'static str,
    method: &'static str,
    path: &'static str,
    content_type: Option<&'static str>,
    body: String,
    status: u16,
    code: &'static str,
    /// The ids the error must name, when it names some.
    ids: Option<Vec<&'static str>>,
}

fn case(
    name: &'static str,
    path: &'static str,
    body: Value,
    status: u16,
    code: &'static str,
) -> Case {
    Case {
        name,
        method: "POST",
        path,
        content_type: Some("application/json"),
        body: body.to_string(),
        status,
        code,
        ids: None,
    }
}

fn article(id: &str, text: &str) -> Value {
    json!({ "id": id, "text": text })
}

fn cases() -> Vec<Case> {
    let fresh = article(
        "fresh",
        "A new article that would be stored if the request were taken.",
    );
    let words = |n: usize| "word ".repeat(n / 5);
    let mut v = vec![
        Case {
            body: r#"{"articles": [{"id": "fresh", "text": "unterminated"#.into(),
            ..case("malformed JSON", "/add", json!(null), 400, "bad_request")
        },
        Case {
            body: r#"{"articles": []} trailing"#.into(),
            ..case(
                "trailing characters",
                "/add",
                json!(null),
                400,
                "bad_request",
            )
        },
        case(
            "missing text",
            "/add",
            json!({ "articles": [{ "id": "fresh" }] }),
            400,
            "bad_request",
        ),
        case("missing articles", "/query", json!({}), 400, "bad_request"),
        case(
            "text of the wrong type",
            "/add",
            json!({ "articles": [{ "id": "fresh", "text": 5 }] }),
            400,
            "bad_request",
        ),
        case(
            "articles of the wrong type",
            "/add",
            json!({ "articles": { "id": "fresh" } }),
            400,
            "bad_request",
        ),
        case(
            "replace of the wrong type",
            "/add",
            json!({ "articles": [fresh.clone()], "replace": "yes" }),
            400,
            "bad_request",
        ),
        case(
            "unknown top-level field",
            "/add",
            json!({ "articles": [fresh.clone()], "replcae": true }),
            400,
            "bad_request",
        ),
        case(
            "replace on a query",
            "/query",
            json!({ "articles": [fresh.clone()], "replace": true }),
            400,
            "bad_request",
        ),
        case(
            "empty id",
            "/add",
            json!({ "articles": [fresh.clone(), article("", "Some text.")] }),
            400,
            "invalid_article",
        ),
        case(
            "empty text",
            "/add",
            json!({ "articles": [fresh.clone(), article("blank", "  \n ")] }),
            400,
            "invalid_article",
        ),
        case(
            "a time that is not one",
            "/add",
            json!({ "articles": [{ "id": "fresh", "text": "Some text.", "time": "yesterday" }] }),
            400,
            "invalid_article",
        ),
        case(
            "a time of the wrong type",
            "/add",
            json!({ "articles": [{ "id": "fresh", "text": "Some text.", "time": [2026] }] }),
            400,
            "invalid_article",
        ),
        Case {
            ids: Some(vec!["twice"]),
            ..case(
                "an id twice in one request",
                "/add",
                json!({ "articles": [fresh.clone(), article("twice", "One text."), article("twice", "Another text.")] }),
                400,
                "duplicate_id_in_request",
            )
        },
        Case {
            ids: Some(vec!["vna-blurb-01"]),
            ..case(
                "an id the index has, without replace",
                "/add",
                json!({ "articles": [fresh.clone(), article("vna-blurb-01", "A new version.")] }),
                409,
                "duplicate_id",
            )
        },
        case(
            "a body over --body-limit",
            "/add",
            json!({ "articles": [article("fresh", &words(100 << 10))] }),
            413,
            "body_too_large",
        ),
        case(
            "an article over --max-article-bytes",
            "/add",
            json!({ "articles": [fresh.clone(), article("big", &words(17 << 10))] }),
            413,
            "article_too_large",
        ),
        case(
            "text and title together over --max-article-bytes",
            "/query",
            json!({ "articles": [{ "id": "big", "text": words(10 << 10), "title": words(10 << 10) }] }),
            413,
            "article_too_large",
        ),
        case(
            "more articles than --max-batch",
            "/add",
            json!({ "articles": (0..11).map(|i| article(&format!("a{i}"), "Short text.")).collect::<Vec<_>>() }),
            413,
            "batch_too_large",
        ),
        case(
            "more ids than --max-batch",
            "/remove",
            json!({ "ids": (0..11).map(|i| format!("a{i}")).collect::<Vec<_>>() }),
            413,
            "batch_too_large",
        ),
        Case {
            content_type: Some("text/plain"),
            ..case(
                "a text/plain body",
                "/add",
                json!({ "articles": [fresh.clone()] }),
                415,
                "unsupported_media_type",
            )
        },
        Case {
            content_type: None,
            ..case(
                "no Content-Type",
                "/add",
                json!({ "articles": [fresh.clone()] }),
                415,
                "unsupported_media_type",
            )
        },
        Case {
            content_type: Some("application/jsonx"),
            ..case(
                "a near-JSON Content-Type",
                "/remove",
                json!({ "ids": ["vna-blurb-01"] }),
                415,
                "unsupported_media_type",
            )
        },
        Case {
            ids: Some(vec!["nope-1", "nope-2"]),
            ..case(
                "unknown ids (with a known one)",
                "/remove",
                json!({ "ids": ["vna-blurb-01", "nope-1", "nope-2"] }),
                404,
                "unknown_ids",
            )
        },
        case(
            "two kinds of removal",
            "/remove",
            json!({ "ids": ["vna-blurb-01"], "before": "2030-01-01" }),
            400,
            "bad_request",
        ),
        case("no removal", "/remove", json!({}), 400, "bad_request"),
        case(
            "a negative age",
            "/remove",
            json!({ "older_than_secs": -5 }),
            400,
            "bad_request",
        ),
        case(
            "before that is not a time",
            "/remove",
            json!({ "before": "soon" }),
            400,
            "bad_request",
        ),
        case(
            "an unknown path",
            "/delete",
            json!({ "ids": ["vna-blurb-01"] }),
            404,
            "not_found",
        ),
        Case {
            method: "GET",
            ..case(
                "GET of a POST endpoint",
                "/add",
                json!(null),
                405,
                "method_not_allowed",
            )
        },
        Case {
            method: "DELETE",
            ..case(
                "DELETE of a POST endpoint",
                "/remove",
                json!({ "ids": ["vna-blurb-01"] }),
                405,
                "method_not_allowed",
            )
        },
        case(
            "POST of a GET endpoint",
            "/health",
            json!({}),
            405,
            "method_not_allowed",
        ),
    ];
    for c in &mut v {
        if c.method == "GET" {
            c.body.clear();
        }
    }
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_refused_request_stores_nothing() {
    bounded(async {
        let mut s = start(LIMITS).await;
        let c = client();
        let held: Vec<(String, String)> = seeds()
            .into_iter()
            .filter(|(id, _)| id.starts_with("vna-blurb-0"))
            .collect();
        post_ok(&c, s.addr, "/add", &articles_body(&held)).await;
        let before = documents(&c, s.addr).await;
        assert_eq!(before, held.len() as u64);
        let stats_before = get(&c, s.addr, "/stats").await.json();

        for k in cases() {
            let r = send(
                &c,
                s.addr,
                k.method,
                k.path,
                k.content_type,
                k.body.clone(),
                &[],
            )
            .await
            .unwrap_or_else(|e| panic!("{}: no answer: {e}", k.name));
            let v = r.assert_error(k.status, k.code);
            if let Some(ids) = &k.ids {
                assert_eq!(
                    v["error"]["ids"],
                    json!(ids),
                    "{}: the ids named: {v}",
                    k.name
                );
            }
            if k.status == 405 {
                assert!(
                    r.headers.contains_key("allow"),
                    "{}: 405 says what is allowed",
                    k.name
                );
            }
            assert_eq!(
                documents(&c, s.addr).await,
                before,
                "{}: the document count changed",
                k.name
            );
        }
        // Nothing stored, removed or replaced: the counts are as before, and `fresh` (in most
        // refused adds) is not there.
        let stats_after = get(&c, s.addr, "/stats").await.json();
        for key in ["documents", "stories", "segments", "postings", "dead"] {
            assert_eq!(stats_after[key], stats_before[key], "{key}");
        }
        let q = post_ok(
            &c,
            s.addr,
            "/query",
            &articles_body(&[(
                "probe".into(),
                "A new article that would be stored if the request were taken.".into(),
            )]),
        )
        .await;
        assert_eq!(matched_ids(&q["answers"][0]), Vec::<String>::new(), "{q}");
        s.stop().await;
    })
    .await;
}
