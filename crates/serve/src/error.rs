//! The API's one error shape, `{"error": {"status", "code", "message"}}` (and `ids` when the
//! error is about particular articles), and how the index's errors map onto it.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use storyhash_core::Error;

/// An error answer: its status, a stable snake_case code for programs, and a message for
/// people.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// The ids the error is about (`unknown_ids`, `duplicate_id`, `duplicate_id_in_request`).
    pub ids: Option<Vec<String>>,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    status: u16,
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    ids: Option<&'a [String]>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            ids: None,
        }
    }

    /// A request that is not what the API takes (syntax, types, fields).
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// An article that is well-formed but cannot be taken (an empty id or text, a bad time).
    pub fn invalid_article(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_article", message)
    }

    /// Something that failed on the server's side, not the request's.
    pub fn internal(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", message)
    }

    pub fn with_ids(mut self, ids: Vec<String>) -> Self {
        self.ids = Some(ids);
        self
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        match e {
            Error::DuplicateDocument { id, .. } => ApiError::new(
                StatusCode::CONFLICT,
                "duplicate_id",
                format!(
                    "an article with id {id:?} is already in the index; nothing was stored \
                     (send \"replace\": true to store the new version instead)"
                ),
            )
            .with_ids(vec![id]),
            Error::UnknownIds { ids } => {
                // The library's message names the first few; `ids` lists every one.
                let message = Error::UnknownIds { ids: ids.clone() }.to_string();
                ApiError::new(StatusCode::NOT_FOUND, "unknown_ids", message).with_ids(ids)
            }
            e @ (Error::Config(_)
            | Error::InvalidSetting { .. }
            | Error::BadRecord { .. }
            | Error::DuplicateId { .. }) => ApiError::bad_request(e.to_string()),
            // The store, the disk, or a damaged index: nothing the request can change.
            e => ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "store_error",
                e.to_string(),
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: Inner {
                status: self.status.as_u16(),
                code: self.code,
                message: &self.message,
                ids: self.ids.as_deref(),
            },
        };
        json_response(self.status, &body)
    }
}

/// `value` as a JSON response with `status`.
pub(crate) fn json_response(status: StatusCode, value: &impl Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => (status, [(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
        // Only a map with non-string keys fails to serialise, and no answer has one; say so
        // rather than panic if one ever does.
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "application/json")],
            format!(
                r#"{{"error":{{"status":500,"code":"internal_error","message":{}}}}}"#,
                serde_json::Value::String(format!("cannot write the answer as JSON: {e}"))
            ),
        )
            .into_response(),
    }
}
