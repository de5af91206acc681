//! Request bodies: the JSON extractor (Content-Type, size, syntax and types, each refused in
//! the API's error shape) and the checks that turn the wire's articles into the engine's.

use crate::error::ApiError;
use crate::{AppState, Limits};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, StatusCode};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashSet;
use storyhash_core::Article;

/// A JSON body of type `T`, refused (before any handler runs) when it is not JSON by its
/// Content-Type (415), over the body limit (413), or not a `T` (400).
pub(crate) struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        if !is_json(req.headers()) {
            let given = req
                .headers()
                .get(header::CONTENT_TYPE)
                .map(|v| format!("{:?}", String::from_utf8_lossy(v.as_bytes())));
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                format!(
                    "the body must be JSON with the header Content-Type: application/json ({})",
                    given.map_or("no Content-Type was given".into(), |g| format!("got {g}"))
                ),
            ));
        }
        let limit = state.limits.body_bytes;
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body_too_large",
                    format!(
                        "the body is over the server's limit of {limit} bytes (its \
                         --body-limit): send fewer articles per request"
                    ),
                )
            } else {
                ApiError::bad_request(format!("the body could not be read: {}", e.body_text()))
            }
        })?;
        let invalid = |e: &dyn std::fmt::Display| {
            ApiError::bad_request(format!("the body is not a valid request: {e}"))
        };
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| invalid(&e))?;
        de.end().map_err(|e| invalid(&e))?;
        Ok(JsonBody(value))
    }
}

/// Whether the Content-Type is `application/json` (parameters such as `charset` allowed).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
}

/// One article as the API takes it. Fields other than these are ignored, so that records of
/// a JSONL archive can be sent as they are.
#[derive(Deserialize)]
pub(crate) struct ArticleIn {
    id: String,
    text: String,
    #[serde(default)]
    title: Option<String>,
    /// Seconds since 1970 (an integer), or a date or date-time string; checked by `articles`.
    #[serde(default)]
    time: Option<Value>,
}

/// `POST /query`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct QueryBody {
    pub articles: Vec<ArticleIn>,
}

/// `POST /add`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AddBody {
    pub articles: Vec<ArticleIn>,
    /// Replace a stored article of the same id instead of refusing the request.
    #[serde(default)]
    pub replace: bool,
}

/// `POST /remove`: exactly one of the three.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RemoveBody {
    #[serde(default)]
    pub ids: Option<Vec<String>>,
    #[serde(default)]
    pub older_than_secs: Option<i64>,
    #[serde(default)]
    pub before: Option<Value>,
}

/// What a removal asks for, checked.
pub(crate) enum Removal {
    Ids(Vec<String>),
    /// Everything whose time is before this (seconds since 1970).
    Before(i64),
}

/// What a time may be, as the error messages say it.
const TIMES: &str = "seconds since 1970 (an integer), or a date like \"2026-12-01\" or \
                     \"2026-12-01T10:20:30Z\"";

/// The engine's articles of a request, or the first reason to refuse it whole.
pub(crate) fn articles(list: Vec<ArticleIn>, limits: &Limits) -> Result<Vec<Article>, ApiError> {
    check_batch(list.len(), "articles", limits)?;
    let mut out = Vec::with_capacity(list.len());
    for (i, a) in list.into_iter().enumerate() {
        if a.id.is_empty() {
            return Err(ApiError::invalid_article(format!(
                "articles[{i}].id is empty: every article needs an id"
            )));
        }
        if a.text.trim().is_empty() {
            return Err(ApiError::invalid_article(format!(
                "articles[{i}].text (id {:?}) is empty: an article without words matches nothing",
                a.id
            )));
        }
        let title = a.title.filter(|t| !t.trim().is_empty());
        let bytes = a.text.len() + title.as_ref().map_or(0, String::len);
        if bytes > limits.article_bytes {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "article_too_large",
                format!(
                    "articles[{i}] (id {:?}) has {bytes} bytes of text and title, over the \
                     server's limit of {} bytes an article (its --max-article-bytes)",
                    a.id, limits.article_bytes
                ),
            ));
        }
        let time = match &a.time {
            None => None,
            Some(v) => storyhash_corpus::time::time_of_value(v).ok_or_else(|| {
                ApiError::invalid_article(format!(
                    "articles[{i}].time (id {:?}) is {v}, not a time: give {TIMES}",
                    a.id
                ))
            })?,
        };
        out.push(Article {
            id: a.id,
            text: a.text,
            title,
            time,
        });
    }
    Ok(out)
}

/// Refuse a request whose articles repeat an id: an add stores each id once.
pub(crate) fn unique_ids(articles: &[Article]) -> Result<(), ApiError> {
    let mut seen = HashSet::with_capacity(articles.len());
    let mut repeated = Vec::new();
    for a in articles {
        if !seen.insert(a.id.as_str()) && !repeated.contains(&a.id) {
            repeated.push(a.id.clone());
        }
    }
    if repeated.is_empty() {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::BAD_REQUEST,
        "duplicate_id_in_request",
        format!(
            "the request has more than one article with id {}; nothing was stored (send each \
             id once)",
            repeated
                .iter()
                .map(|i| format!("{i:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
    .with_ids(repeated))
}

/// Refuse a request of more than `limits.batch` items.
fn check_batch(n: usize, what: &str, limits: &Limits) -> Result<(), ApiError> {
    if n > limits.batch {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            format!(
                "the request has {n} {what}, over the server's limit of {} a request (its \
                 --max-batch): split it",
                limits.batch
            ),
        ));
    }
    Ok(())
}

impl RemoveBody {
    /// What to remove, `now` being the server's time (for `older_than_secs`).
    pub fn removal(self, now: i64, limits: &Limits) -> Result<Removal, ApiError> {
        let given = [
            self.ids.is_some(),
            self.older_than_secs.is_some(),
            self.before.is_some(),
        ];
        if given.iter().filter(|&&g| g).count() != 1 {
            return Err(ApiError::bad_request(
                "give exactly one of \"ids\" (a list of ids), \"older_than_secs\" (an age in \
                 seconds) or \"before\" (a time)",
            ));
        }
        if let Some(ids) = self.ids {
            check_batch(ids.len(), "ids", limits)?;
            return Ok(Removal::Ids(ids));
        }
        if let Some(age) = self.older_than_secs {
            if age < 0 {
                return Err(ApiError::bad_request(format!(
                    "older_than_secs is {age}: an age is 0 or more seconds"
                )));
            }
            return Ok(Removal::Before(now.saturating_sub(age)));
        }
        let before = self.before.unwrap_or(Value::Null);
        match storyhash_corpus::time::time_of_value(&before) {
            Some(Some(t)) => Ok(Removal::Before(t)),
            _ => Err(ApiError::bad_request(format!(
                "before is {before}, not a time: give {TIMES}"
            ))),
        }
    }
}
