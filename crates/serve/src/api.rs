//! The handlers: each checks its request whole, then makes one call into the index on the
//! blocking pool, and answers its result or its error.

use crate::body::{self, AddBody, JsonBody, QueryBody, Removal, RemoveBody};
use crate::error::{json_response, ApiError};
use crate::{AppState, ROUTES};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;
use storyhash_index::{AddOptions, Index};

type Answer = Result<Response, ApiError>;

/// Run `f` on the index on tokio's blocking pool. A panic inside it is a 500, not a dropped
/// connection.
async fn blocking<T, F>(state: &AppState, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&Index) -> storyhash_core::Result<T> + Send + 'static,
{
    let index = state.index.clone();
    // The closure owns the reference, so it is released as soon as the call returns, before
    // the answer is sent: once every request is answered, nothing but the server holds it.
    match tokio::task::spawn_blocking(move || f(&index)).await {
        Ok(result) => result.map_err(ApiError::from),
        Err(e) => Err(ApiError::internal(format!(
            "the index call failed inside the server (a bug; the request may or may not have \
             been stored): {e}"
        ))),
    }
}

fn ok(value: &impl serde::Serialize) -> Answer {
    Ok(json_response(StatusCode::OK, value))
}

pub(crate) async fn health(State(state): State<AppState>) -> Answer {
    // The store's own count: a health check must stay cheap on a large archive.
    let documents = blocking(&state, Index::documents).await?;
    ok(&json!({ "status": "ok", "documents": documents }))
}

pub(crate) async fn stats(State(state): State<AppState>) -> Answer {
    ok(&blocking(&state, Index::stats).await?)
}

pub(crate) async fn query(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<QueryBody>,
) -> Answer {
    let articles = body::articles(req.articles, &state.limits)?;
    if articles.is_empty() {
        return ok(&json!({ "answers": [] }));
    }
    let answers = blocking(&state, move |index| index.query(articles)).await?;
    ok(&json!({ "answers": answers }))
}

pub(crate) async fn add(State(state): State<AppState>, JsonBody(req): JsonBody<AddBody>) -> Answer {
    let articles = body::articles(req.articles, &state.limits)?;
    body::unique_ids(&articles)?;
    if articles.is_empty() {
        return ok(&json!({ "answers": [] }));
    }
    let opts = AddOptions {
        replace: req.replace,
        now: None,
    };
    let answers = blocking(&state, move |index| index.add(articles, opts)).await?;
    ok(&json!({ "answers": answers }))
}

pub(crate) async fn remove(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<RemoveBody>,
) -> Answer {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let removed = match req.removal(now, &state.limits)? {
        Removal::Ids(ids) => blocking(&state, move |index| index.remove_ids(&ids)).await?,
        Removal::Before(t) => blocking(&state, move |index| index.remove_older_than(t)).await?,
    };
    ok(&removed)
}

pub(crate) async fn settle(State(state): State<AppState>) -> Answer {
    ok(&blocking(&state, Index::settle).await?)
}

pub(crate) async fn openapi() -> Response {
    use axum::response::IntoResponse;
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        crate::OPENAPI,
    )
        .into_response()
}

/// The endpoints, as one line for error messages.
fn endpoints() -> String {
    ROUTES
        .iter()
        .map(|r| format!("{} {}", r.method.as_str(), r.path))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) async fn not_found(req: Request) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!(
            "no endpoint {}; the endpoints are {} (GET /openapi.json describes them)",
            req.uri().path(),
            endpoints()
        ),
    )
}

pub(crate) async fn method_not_allowed(req: Request) -> ApiError {
    let path = req.uri().path();
    let methods: Vec<&str> = ROUTES
        .iter()
        .filter(|r| r.path == path)
        .map(|r| r.method.as_str())
        .collect();
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!(
            "{path} does not take {}; it takes {}",
            req.method(),
            methods.join(" or ")
        ),
    )
}
