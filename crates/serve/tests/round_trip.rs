//! Add, query, replace, remove: what each endpoint answers, and that the index changes only as
//! it says.

use crate::common::*;
use serde_json::json;
use storyhash_serve::Limits;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_query_remove_round_trip() {
    bounded(async {
        let mut s = start(Limits::default()).await;
        let c = client();
        let seeds = seeds();

        let health = get(&c, s.addr, "/health").await;
        assert_eq!(health.status, 200);
        assert_eq!(health.json(), json!({ "status": "ok", "documents": 0 }));

        let added = post_ok(&c, s.addr, "/add", &articles_body(&seeds)).await;
        let answers = added["answers"].as_array().expect("answers");
        assert_eq!(answers.len(), seeds.len());
        for (a, (id, _)) in answers.iter().zip(&seeds) {
            assert_eq!(a["id"], json!(id), "answers come in the order sent");
            assert_eq!(a["stored"], json!(true), "{a}");
            assert!(a["story"]["id"].is_u64(), "an add names the story joined: {a}");
        }
        assert_eq!(documents(&c, s.addr).await, seeds.len() as u64);
        let health = get(&c, s.addr, "/health").await.json();
        assert_eq!(health["documents"], json!(seeds.len()));

        // A trimmed copy: the first half of the long interview's paragraphs.
        let source = "vna-thang-interview";
        let text = seed_text(source);
        let paragraphs: Vec<&str> = text.lines().collect();
        let trimmed = paragraphs[..paragraphs.len() / 2].join("\n");
        let q = post_ok(
            &c,
            s.addr,
            "/query",
            &articles_body(&[("incoming".into(), trimmed.clone())]),
        )
        .await;
        let answer = &q["answers"][0];
        assert_eq!(answer["id"], json!("incoming"));
        assert!(answer.get("stored").is_none(), "a query stores nothing: {answer}");
        let m = answer["matches"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == json!(source))
            .unwrap_or_else(|| panic!("the trimmed copy matches its source: {answer}"));
        let evidence = m["evidence"].as_str().unwrap();
        assert!(
            evidence == "contained" || evidence == "copy",
            "evidence {evidence}: {m}"
        );
        assert_eq!(documents(&c, s.addr).await, seeds.len() as u64, "query stored nothing");

        // Replace: the same id again stores the new version in place of the old.
        let replaced = post_ok(
            &c,
            s.addr,
            "/add",
            &json!({ "articles": [{ "id": "vna-blurb-01", "text": seed_text("vna-blurb-02") }],
                     "replace": true }),
        )
        .await;
        assert_eq!(replaced["answers"][0]["stored"], json!(true));
        assert_eq!(documents(&c, s.addr).await, seeds.len() as u64);

        // Remove by id: the source no longer matches.
        let removed = post_ok(&c, s.addr, "/remove", &json!({ "ids": [source] })).await;
        assert_eq!(removed["removed"], json!(1), "{removed}");
        assert_eq!(documents(&c, s.addr).await, seeds.len() as u64 - 1);
        let q = post_ok(
            &c,
            s.addr,
            "/query",
            &articles_body(&[("incoming".into(), trimmed)]),
        )
        .await;
        assert!(
            !matched_ids(&q["answers"][0]).contains(&source.to_string()),
            "a removed article matches nothing: {q}"
        );

        // Remove by time: the article of 1990 before 1995, then the one of 2001 by its age.
        let dated = json!({ "articles": [
            { "id": "dated-2001", "text": "A dispatch of the year 2001 about the harbour opening.", "time": "2001-06-01" },
            { "id": "dated-1990", "text": "A dispatch of the year 1990 about the bridge closing.", "time": 631152000 },
        ]});
        post_ok(&c, s.addr, "/add", &dated).await;
        let n = documents(&c, s.addr).await;
        let r = post_ok(&c, s.addr, "/remove", &json!({ "before": "1995-01-01" })).await;
        assert_eq!(r["removed"], json!(1), "only the 1990 article is before 1995: {r}");
        let r = post_ok(
            &c,
            s.addr,
            "/remove",
            &json!({ "older_than_secs": 20u64 * 365 * 86_400 }),
        )
        .await;
        assert_eq!(r["removed"], json!(1), "only the 2001 article is left of those 20 years old: {r}");
        assert_eq!(documents(&c, s.addr).await, n - 2);

        // An empty request is answered, and changes nothing.
        let empty = post_ok(&c, s.addr, "/add", &json!({ "articles": [] })).await;
        assert_eq!(empty, json!({ "answers": [] }));
        assert_eq!(documents(&c, s.addr).await, n - 2);
        s.stop().await;
    })
    .await;
}

/// The hundred shipped Clough-Stevenson texts (fixtures/clough: five Wikipedia sources and 95
/// answers), as (id, text).
fn clough() -> Vec<(String, String)> {
    fixture("clough/docs.jsonl")
}

/// Stories as sorted sets of member ids.
fn partition(stories: Vec<Vec<String>>) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = stories
        .into_iter()
        .map(|mut m| {
            m.sort();
            m
        })
        .collect();
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settle_makes_the_stories_of_one_batch_run() {
    bounded(async {
        let mut s = start_story(Limits::default()).await;
        let c = client();
        let docs = clough();
        // One at a time, as a CMS sends them.
        for d in &docs {
            post_ok(&c, s.addr, "/add", &articles_body(std::slice::from_ref(d))).await;
        }
        let settle = || async {
            let r = send(&c, s.addr, "POST", "/settle", None, "", &[])
                .await
                .expect("an answer");
            assert_eq!(r.status, 200, "{}", r.text);
            r.json()
        };
        let settled = settle().await;
        assert_eq!(settled["documents"], json!(docs.len()), "{settled}");
        let index = s.index.upgrade().expect("the server's index");
        let stories: Vec<Vec<String>> = index
            .stories()
            .unwrap()
            .into_iter()
            .map(|st| st.members)
            .collect();
        // The model: one batch run over the same articles in the order they were added.
        let cfg = storyhash_core::EngineConfig::for_preset(storyhash_core::score::Preset::Story);
        let mut b = storyhash_core::CollectionBuilder::new(cfg);
        b.add_batch(
            docs.iter()
                .map(|(id, t)| storyhash_core::Article::new(id.clone(), t.clone()))
                .collect(),
        );
        let run = b.finish().unwrap().cluster().unwrap();
        let batch: Vec<Vec<String>> = run
            .clusters
            .iter()
            .map(|cl| {
                cl.members
                    .iter()
                    .map(|&i| docs[i as usize].0.clone())
                    .collect()
            })
            .collect();
        assert_eq!(partition(stories), partition(batch));
        drop(index);
        assert_eq!(
            settle().await["moved"],
            json!(0),
            "settled twice: nothing moves"
        );
        s.stop().await;
    })
    .await
}
