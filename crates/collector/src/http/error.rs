//! Every error the HTTP layer answers with, and the one place that turns it into a status
//! code and a JSON body `{"error": "..."}`.
//!
//! Client mistakes are always 4xx with a message that says what to fix; a 500 is only
//! ever a bug or a broken database, and is logged. Actix's own extractor and payload
//! errors are converted here too, so clients never see actix's plain-text bodies.

use actix_web::error::{PayloadError, QueryPayloadError};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use crate::refusal::Refusal;
use crate::store::StoreError;

/// How long a client should wait before retrying when storage cannot take writes.
const RETRY_AFTER_UNAVAILABLE_SECS: u32 = 5;
/// How long before retrying while the collector shuts down (a restart takes a moment).
const RETRY_AFTER_CLOSED_SECS: u32 = 10;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request cannot be read: malformed body, bad parameter.
    #[error("{0}")]
    BadRequest(String),
    /// Not signed in: no session cookie and no `Authorization: Bearer` token, or one that
    /// is not valid (unknown, revoked, expired, or its user disabled).
    #[error("sign in, or send a valid API token (Authorization: Bearer <token>)")]
    Unauthorized,
    /// A sign-in with a wrong e-mail or password (one message for both).
    #[error("{0}")]
    SignInFailed(&'static str),
    /// Refused for who is asking (an origin outside the allow-list).
    #[error("{0}")]
    Forbidden(String),
    /// A refusal of the request's content, by kind: see [`Refusal`] for the status each
    /// kind gets.
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("method not allowed; use {allow}")]
    MethodNotAllowed { allow: &'static str },
    /// The client sent its body too slowly.
    #[error("the request body took too long to arrive")]
    Timeout,
    #[error("{0}")]
    PayloadTooLarge(String),
    /// The URL is longer than the collector reads.
    #[error("{0}")]
    UriTooLong(String),
    /// The request's headers are larger than the collector reads.
    #[error("{0}")]
    HeadersTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// This client sent more than its rate allows; nothing was read or written.
    #[error("too many requests; retry in {retry_after_secs} s")]
    TooManyRequests { retry_after_secs: u32 },
    /// Storage cannot take the request right now; nothing was written.
    #[error("{message}")]
    Unavailable {
        message: &'static str,
        retry_after_secs: u32,
    },
    /// A bug or a broken database. The detail is logged, never sent.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    /// The 404 for a person id that names no one (also after an erasure).
    pub(crate) fn no_person(id: i64) -> ApiError {
        ApiError::not_found(format!("no person with id {id}"))
    }

    /// The 404 for a company id that names none.
    pub(crate) fn no_company(id: i64) -> ApiError {
        ApiError::not_found(format!("no company with id {id}"))
    }

    pub(crate) fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::Refused(Refusal::not_found(message))
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::BadRequest(message.into())
    }

    pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::Refused(Refusal::invalid(field, message))
    }

    pub(crate) fn too_large(limit: usize) -> ApiError {
        ApiError::PayloadTooLarge(format!("request body is larger than {limit} bytes"))
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::Unavailable(detail) => {
                tracing::warn!(%detail, "storage unavailable");
                ApiError::Unavailable {
                    message: "storage is temporarily unavailable; retry later",
                    retry_after_secs: RETRY_AFTER_UNAVAILABLE_SECS,
                }
            }
            StoreError::Closed => ApiError::Unavailable {
                message: "the collector is shutting down; retry later",
                retry_after_secs: RETRY_AFTER_CLOSED_SECS,
            },
            StoreError::Internal(detail) => ApiError::Internal(detail),
        }
    }
}

impl From<PayloadError> for ApiError {
    fn from(e: PayloadError) -> ApiError {
        match e {
            PayloadError::Overflow => {
                ApiError::PayloadTooLarge("request body is too large".to_owned())
            }
            other => ApiError::BadRequest(format!("request body could not be read: {other}")),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized | ApiError::SignInFailed(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::Refused(refusal) => match refusal {
                Refusal::Malformed(_) => StatusCode::BAD_REQUEST,
                Refusal::NotFound(_) => StatusCode::NOT_FOUND,
                Refusal::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            },
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Timeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UriTooLong(_) => StatusCode::URI_TOO_LONG,
            ApiError::HeadersTooLarge(_) => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        match self {
            ApiError::Unauthorized => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            ApiError::MethodNotAllowed { allow } => {
                response.insert_header((header::ALLOW, *allow));
            }
            ApiError::Unavailable {
                retry_after_secs, ..
            }
            | ApiError::TooManyRequests { retry_after_secs } => {
                response.insert_header((header::RETRY_AFTER, HeaderValue::from(*retry_after_secs)));
            }
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "internal error answered with 500");
            }
            ApiError::BadRequest(_)
            | ApiError::SignInFailed(_)
            | ApiError::Forbidden(_)
            | ApiError::Refused(_)
            | ApiError::Timeout
            | ApiError::PayloadTooLarge(_)
            | ApiError::UriTooLong(_)
            | ApiError::HeadersTooLarge(_)
            | ApiError::UnsupportedMediaType(_) => {}
        }
        response
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(serde_json::json!({ "error": self.to_string() }))
    }
}

/// For `web::PathConfig`: a path segment that does not parse (e.g. a non-numeric id).
pub(crate) fn path_error(
    err: actix_web::error::PathError,
    _: &actix_web::HttpRequest,
) -> actix_web::Error {
    ApiError::bad_request(format!("invalid path parameter: {err}")).into()
}

/// For `web::QueryConfig`: a query string that does not fit the endpoint's parameters.
pub(crate) fn query_error(err: QueryPayloadError, _: &actix_web::HttpRequest) -> actix_web::Error {
    ApiError::bad_request(format!("invalid query string: {err}")).into()
}

/// For `web::JsonConfig`: a JSON body that is too large, of the wrong type, or malformed.
pub(crate) fn json_error(
    err: actix_web::error::JsonPayloadError,
    _: &actix_web::HttpRequest,
) -> actix_web::Error {
    use actix_web::error::JsonPayloadError;
    match err {
        JsonPayloadError::OverflowKnownLength { limit, .. }
        | JsonPayloadError::Overflow { limit } => ApiError::too_large(limit).into(),
        JsonPayloadError::ContentType => {
            ApiError::UnsupportedMediaType("send the body as application/json".to_owned()).into()
        }
        other => ApiError::bad_request(format!("malformed JSON body: {other}")).into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::to_bytes;

    async fn body_of(e: ApiError) -> (StatusCode, serde_json::Value, HttpResponse) {
        let response = e.error_response();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = to_bytes(response.into_body()).await.unwrap();
        let mut rebuilt = HttpResponse::build(status);
        for (name, value) in &headers {
            rebuilt.insert_header((name.clone(), value.clone()));
        }
        (
            status,
            serde_json::from_slice(&bytes).unwrap(),
            rebuilt.finish(),
        )
    }

    #[actix_web::test]
    async fn each_error_has_its_status_and_a_json_message() {
        let (status, body, _) = body_of(ApiError::invalid("email", "email is required")).await;
        assert_eq!(status, 422);
        assert_eq!(
            body,
            serde_json::json!({"error": "email: email is required"})
        );

        let (status, _, response) = body_of(ApiError::Unauthorized).await;
        assert_eq!(status, 401);
        assert_eq!(
            response.headers().get("www-authenticate").unwrap(),
            "Bearer"
        );

        let (status, body, response) =
            body_of(StoreError::Unavailable("disk full".into()).into()).await;
        assert_eq!(status, 503);
        assert_eq!(response.headers().get("retry-after").unwrap(), "5");
        assert!(!body["error"].as_str().unwrap().contains("disk full"));

        let (status, body, response) = body_of(ApiError::TooManyRequests {
            retry_after_secs: 3,
        })
        .await;
        assert_eq!(status, 429);
        assert_eq!(response.headers().get("retry-after").unwrap(), "3");
        assert!(body["error"].as_str().unwrap().contains("retry"));

        let (status, _, _) = body_of(ApiError::Forbidden("no".into())).await;
        assert_eq!(status, 403);

        let (status, _, _) = body_of(StoreError::Closed.into()).await;
        assert_eq!(status, 503);

        let (status, body, _) = body_of(StoreError::Internal("secret detail".into()).into()).await;
        assert_eq!(status, 500);
        assert_eq!(body, serde_json::json!({"error": "internal error"}));

        let (status, _, _) = body_of(PayloadError::Overflow.into()).await;
        assert_eq!(status, 413);
        let (status, _, _) = body_of(PayloadError::Incomplete(None).into()).await;
        assert_eq!(status, 400);
    }
}
