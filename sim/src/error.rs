//! Discord's error responses: the JSON shapes and status codes the REST API answers with.
//!
//! Every failing REST call in the sim ends in an [`ApiError`], so a client sees exactly
//! what Discord would send: `{"code": 50035, "errors": {…}, "message": "Invalid Form Body"}`
//! with the right HTTP status and `Content-Type: application/json`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

/// One problem with one field of a request body, as Discord names it
/// (`BASE_TYPE_MAX_LENGTH`, `BASE_TYPE_REQUIRED`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Path to the field: object keys and array indices, e.g. `["embeds", "0", "title"]`.
    pub path: Vec<String>,
    /// Discord's error code for the field, e.g. `BASE_TYPE_MAX_LENGTH`.
    pub code: String,
    /// Human-readable message, e.g. `Must be 2000 or fewer in length.`
    pub message: String,
}

impl FieldError {
    pub fn new(path: &[&str], code: &str, message: impl Into<String>) -> Self {
        Self {
            path: path.iter().map(|s| s.to_string()).collect(),
            code: code.to_string(),
            message: message.into(),
        }
    }

    /// The same error under a parent path (`prefix` + `self.path`).
    pub fn under(mut self, prefix: &[String]) -> Self {
        let mut path = prefix.to_vec();
        path.append(&mut self.path);
        self.path = path;
        self
    }
}

/// A Discord REST error: HTTP status, JSON error code, message and optional field errors.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: u32,
    pub message: String,
    /// Field errors, rendered into Discord's nested `errors` object.
    pub fields: Vec<FieldError>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: u32, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            fields: Vec::new(),
        }
    }

    /// 400 `Invalid Form Body` (50035) with the given field errors.
    pub fn invalid_form_body(fields: Vec<FieldError>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: 50035,
            message: "Invalid Form Body".into(),
            fields,
        }
    }

    /// 400 with one field error.
    pub fn invalid_field(path: &[&str], code: &str, message: impl Into<String>) -> Self {
        Self::invalid_form_body(vec![FieldError::new(path, code, message)])
    }

    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, 0, "401: Unauthorized")
    }
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, 0, "404: Not Found")
    }
    pub fn method_not_allowed() -> Self {
        Self::new(StatusCode::METHOD_NOT_ALLOWED, 0, "405: Method Not Allowed")
    }
    pub fn unknown_channel() -> Self {
        Self::new(StatusCode::NOT_FOUND, 10003, "Unknown Channel")
    }
    pub fn unknown_guild() -> Self {
        Self::new(StatusCode::NOT_FOUND, 10004, "Unknown Guild")
    }
    pub fn unknown_member() -> Self {
        Self::new(StatusCode::NOT_FOUND, 10007, "Unknown Member")
    }
    pub fn unknown_message() -> Self {
        Self::new(StatusCode::NOT_FOUND, 10008, "Unknown Message")
    }
    pub fn unknown_overwrite() -> Self {
        Self::new(StatusCode::NOT_FOUND, 10009, "Unknown Overwrite")
    }
    pub fn unknown_role() -> Self {
        Self::new(StatusCode::NOT_FOUND, 10011, "Unknown Role")
    }
    pub fn unknown_user() -> Self {
        Self::new(StatusCode::NOT_FOUND, 10013, "Unknown User")
    }
    pub fn unknown_emoji() -> Self {
        Self::new(StatusCode::NOT_FOUND, 10014, "Unknown Emoji")
    }
    pub fn unknown_webhook() -> Self {
        Self::new(StatusCode::NOT_FOUND, 10015, "Unknown Webhook")
    }
    pub fn unknown_ban() -> Self {
        Self::new(StatusCode::NOT_FOUND, 10026, "Unknown Ban")
    }
    pub fn unknown_interaction() -> Self {
        Self::new(StatusCode::NOT_FOUND, 10062, "Unknown interaction")
    }
    pub fn unknown_command() -> Self {
        Self::new(StatusCode::NOT_FOUND, 10063, "Unknown application command")
    }
    pub fn already_acknowledged() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            40060,
            "Interaction has already been acknowledged.",
        )
    }
    pub fn missing_access() -> Self {
        Self::new(StatusCode::FORBIDDEN, 50001, "Missing Access")
    }
    pub fn cannot_dm() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            50007,
            "Cannot send messages to this user",
        )
    }
    pub fn missing_permissions() -> Self {
        Self::new(StatusCode::FORBIDDEN, 50013, "Missing Permissions")
    }
    pub fn too_old_to_bulk_delete() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            50034,
            "You can only bulk delete messages that are under 14 days old.",
        )
    }
    pub fn invalid_json() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            50109,
            "The request body contains invalid JSON.",
        )
    }
    pub fn file_too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            40005,
            "Request entity too large",
        )
    }
    pub fn max_guild_commands() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            30032,
            "Maximum number of application commands reached (100)",
        )
    }
    /// A fault injected by a test: a bare 5xx like Discord's edge sends.
    pub fn injected(status: StatusCode) -> Self {
        Self::new(
            status,
            0,
            format!(
                "{}: {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("Error")
            ),
        )
    }

    /// Discord's JSON body for this error.
    pub fn body(&self) -> Value {
        let mut body = json!({ "code": self.code, "message": self.message });
        if !self.fields.is_empty() {
            body["errors"] = nest_field_errors(&self.fields);
        }
        body
    }
}

/// Renders field errors into Discord's nested shape:
/// `{"embeds": {"0": {"title": {"_errors": [{"code", "message"}]}}}}`.
pub fn nest_field_errors(fields: &[FieldError]) -> Value {
    let mut root = Map::new();
    for field in fields {
        let mut node = &mut root;
        for key in &field.path {
            let entry = node
                .entry(key.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(Map::new());
            }
            node = entry.as_object_mut().expect("just made an object");
        }
        let errors = node
            .entry("_errors")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = errors {
            list.push(json!({ "code": field.code, "message": field.message }));
        }
    }
    Value::Object(root)
}

/// A JSON response with `Content-Type: application/json` exactly, as Discord sends it.
pub fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_response(self.status, &self.body())
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} ({})",
            self.status.as_u16(),
            self.message,
            self.code
        )
    }
}

impl std::error::Error for ApiError {}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nests_field_errors_like_discord() {
        let err = ApiError::invalid_form_body(vec![
            FieldError::new(
                &["embeds", "0", "title"],
                "BASE_TYPE_MAX_LENGTH",
                "Must be 256 or fewer in length.",
            ),
            FieldError::new(
                &["content"],
                "BASE_TYPE_MAX_LENGTH",
                "Must be 2000 or fewer in length.",
            ),
        ]);
        let body = err.body();
        assert_eq!(body["code"], 50035);
        assert_eq!(
            body["errors"]["embeds"]["0"]["title"]["_errors"][0]["code"],
            "BASE_TYPE_MAX_LENGTH"
        );
        assert_eq!(
            body["errors"]["content"]["_errors"][0]["message"],
            "Must be 2000 or fewer in length."
        );
    }
}
