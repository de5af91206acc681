//! The OpenAPI document against the server: the same endpoints both ways, each documented one
//! answers its documented example, and each 200 (and error) answer has every property its
//! schema requires, of the right JSON type. A hand-rolled check of the keywords the document
//! uses (`$ref`, `type`, `required`, `properties`, `items`, `oneOf`, `enum`, `const`).

use crate::common::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use storyhash_serve::{Limits, ROUTES};

fn document() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");
    let text = std::fs::read_to_string(path).expect("openapi.json is readable");
    serde_json::from_str(&text).expect("openapi.json is JSON")
}

/// `(METHOD, path)` of every operation in the document, in its order.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("a path item") {
            out.push((method.to_uppercase(), path.clone(), op.clone()));
        }
    }
    out
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r
                .strip_prefix("#/components/schemas/")
                .or_else(|| r.strip_prefix("#/components/responses/"))
                .unwrap_or_else(|| panic!("a $ref into components: {r}"));
            let kind = if r.contains("/schemas/") {
                "schemas"
            } else {
                "responses"
            };
            let target = &doc["components"][kind][name];
            assert!(!target.is_null(), "$ref {r} resolves");
            resolve(doc, target)
        }
        None => schema,
    }
}

fn type_matches(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        other => panic!("a JSON Schema type the check does not know: {other}"),
    }
}

/// Every way `v` falls short of `schema`, with where.
fn check(doc: &Value, schema: &Value, v: &Value, at: &str, errs: &mut Vec<String>) {
    let schema = resolve(doc, schema);
    if let Some(branches) = schema.get("oneOf").or_else(|| schema.get("anyOf")) {
        let fits = branches.as_array().unwrap().iter().any(|b| {
            let mut e = Vec::new();
            check(doc, b, v, at, &mut e);
            e.is_empty()
        });
        if !fits {
            errs.push(format!("{at}: {v} fits none of its schema's branches"));
        }
    }
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().map(|x| x.as_str().unwrap()).collect(),
            _ => panic!("{at}: a bad type in the schema"),
        };
        if !types.iter().any(|t| type_matches(t, v)) {
            errs.push(format!("{at}: {v} is not of type {types:?}"));
            return;
        }
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array) {
        if !e.contains(v) {
            errs.push(format!("{at}: {v} is not one of {e:?}"));
        }
    }
    if let Some(c) = schema.get("const") {
        if c != v {
            errs.push(format!("{at}: {v} is not {c}"));
        }
    }
    if let Some(obj) = v.as_object() {
        for r in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let r = r.as_str().unwrap();
            if !obj.contains_key(r) {
                errs.push(format!("{at}: required property {r:?} is missing"));
            }
        }
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (k, sub) in props {
                if let Some(x) = obj.get(k) {
                    check(doc, sub, x, &format!("{at}.{k}"), errs);
                }
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
        for (i, x) in arr.iter().enumerate() {
            check(doc, items, x, &format!("{at}[{i}]"), errs);
        }
    }
}

/// `v` against the JSON schema of `op`'s response `status`.
fn assert_fits(doc: &Value, op: &Value, status: &str, v: &Value, what: &str) {
    let response = resolve(doc, &op["responses"][status]);
    let schema = &response["content"]["application/json"]["schema"];
    assert!(
        !schema.is_null(),
        "{what}: a documented {status} with a JSON schema"
    );
    let mut errs = Vec::new();
    check(doc, schema, v, "$", &mut errs);
    assert!(errs.is_empty(), "{what}: {errs:#?}\nin {v}");
}

#[test]
fn the_document_lists_exactly_the_served_routes() {
    let doc = document();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "OpenAPI 3.1"
    );
    let documented: BTreeSet<(String, String)> = operations(&doc)
        .into_iter()
        .map(|(m, p, _)| (m, p))
        .collect();
    let served: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|r| (r.method.as_str().to_string(), r.path.to_string()))
        .collect();
    assert_eq!(
        documented, served,
        "openapi.json paths vs storyhash_serve::ROUTES"
    );
    // The document served is this file.
    let served_doc: Value = serde_json::from_str(storyhash_serve::OPENAPI).unwrap();
    assert_eq!(served_doc, doc);
}

#[test]
fn the_checker_finds_what_is_wrong() {
    // The checks below can only fail if the checker can: a few wrong answers, caught.
    let doc = document();
    let stats = json!({ "$ref": "#/components/schemas/Health" });
    for (bad, why) in [
        (json!({ "status": "ok" }), "a required property missing"),
        (json!({ "status": "ok", "documents": "3" }), "a wrong type"),
        (
            json!({ "status": "down", "documents": 3 }),
            "a wrong constant",
        ),
    ] {
        let mut errs = Vec::new();
        check(&doc, &stats, &bad, "$", &mut errs);
        assert!(!errs.is_empty(), "{why}: {bad}");
    }
    let answer = json!({ "$ref": "#/components/schemas/Answer" });
    let mut errs = Vec::new();
    check(
        &doc,
        &answer,
        &json!({ "id": "a", "matches": [{ "id": "b", "score": 1.0, "evidence": "same", "story": 1 }], "story": 5 }),
        "$",
        &mut errs,
    );
    assert_eq!(
        errs.len(),
        2,
        "a wrong enum inside an array and a wrong oneOf: {errs:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_operation_answers_as_documented() {
    bounded(async {
        let doc = document();
        let mut s = start(Limits::default()).await;
        let c = client();
        post_ok(&c, s.addr, "/add", &articles_body(&seeds())).await;

        // Each operation with its documented example body, in the document's order (the
        // examples are written to follow one another: /remove's removes what /add added).
        for (method, path, op) in operations(&doc) {
            let what = format!("{method} {path}");
            let body = match op.get("requestBody") {
                None => String::new(),
                Some(rb) => {
                    let media = &rb["content"]["application/json"];
                    let example = media.get("example").cloned().unwrap_or_else(|| {
                        media["examples"]
                            .as_object()
                            .and_then(|e| e.values().next())
                            .map(|e| e["value"].clone())
                            .unwrap_or_else(|| panic!("{what}: a documented example body"))
                    });
                    let mut errs = Vec::new();
                    check(&doc, &media["schema"], &example, "$", &mut errs);
                    assert!(errs.is_empty(), "{what}: its example fits its schema: {errs:?}");
                    example.to_string()
                }
            };
            let ct = (!body.is_empty()).then_some("application/json");
            let r = send(&c, s.addr, &method, &path, ct, body, &[])
                .await
                .unwrap_or_else(|e| panic!("{what}: no answer: {e}"));
            assert!(r.status != 404 && r.status != 405, "{what} is served: {}", r.status);
            assert_eq!(r.status, 200, "{what}: {}", r.text);
            assert_fits(&doc, &op, "200", &r.json(), &what);
        }

        // Answers with every optional part present: matches (one contained), a story.
        let ops = operations(&doc);
        let op = |m: &str, p: &str| {
            ops.iter()
                .find(|(mm, pp, _)| mm == m && pp == p)
                .map(|(_, _, op)| op.clone())
                .unwrap()
        };
        let long = seed_text("vna-thang-interview");
        let half: Vec<&str> = long.lines().collect();
        let probe = articles_body(&[
            ("same".into(), seed_text("vna-blurb-03")),
            ("half".into(), half[..half.len() / 2].join("\n")),
            ("none".into(), "Nothing like any article of the archive.".into()),
        ]);
        let q = post_ok(&c, s.addr, "/query", &probe).await;
        assert_fits(&doc, &op("POST", "/query"), "200", &q, "a query with matches");
        assert!(q.to_string().contains("\"containment\""), "a contained match: {q}");
        assert!(q["answers"][2]["story"].is_null());
        let a = post_ok(&c, s.addr, "/add", &probe).await;
        assert_fits(&doc, &op("POST", "/add"), "200", &a, "an add with matches");

        // The documented error answers.
        let r = post(&c, s.addr, "/remove", &json!({ "ids": ["nope"] })).await;
        assert_eq!(r.status, 404);
        assert_fits(&doc, &op("POST", "/remove"), "404", &r.json(), "unknown ids");
        let r = post(&c, s.addr, "/add", &probe).await;
        assert_eq!(r.status, 409);
        assert_fits(&doc, &op("POST", "/add"), "409", &r.json(), "a duplicate id");
        for (status, body) in [("400", "{"), ("413", "")] {
            let body = if status == "413" {
                json!({ "articles": (0..1001).map(|i| json!({"id": i.to_string(), "text": "x"})).collect::<Vec<_>>() }).to_string()
            } else {
                body.to_string()
            };
            let r = send(&c, s.addr, "POST", "/query", Some("application/json"), body, &[])
                .await
                .unwrap();
            assert_eq!(r.status.to_string(), status);
            assert_fits(&doc, &op("POST", "/query"), status, &r.json(), status);
        }
        let r = send(&c, s.addr, "POST", "/query", Some("text/plain"), "{}", &[])
            .await
            .unwrap();
        assert_fits(&doc, &op("POST", "/query"), "415", &r.json(), "415");
        s.stop().await;
    })
    .await;
}
