//! The limits of a request as the docs state them, answered with a clear JSON error:
//! a head (request line and headers) over [`MAX_HEAD_BYTES`] is 431, a URL over
//! [`MAX_URL_BYTES`] is 414, and an API error that a layer below the handlers answered in
//! plain text (a body over the extractors' cap) is turned into the API's JSON shape.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{ErrorHandlerResponse, Next};
use actix_web::ResponseError;

use super::error::ApiError;

/// Largest request line plus headers accepted: far above what a browser sends (a few
/// KiB with cookies), far below the HTTP layer's own 128 KiB buffer.
pub(crate) const MAX_HEAD_BYTES: usize = 32 * 1024;
/// Longest URL (path and query) accepted. Longer ones up to 64 KiB get 414 here; the
/// HTTP layer refuses anything longer with a bare 400 before the app sees it.
pub(crate) const MAX_URL_BYTES: usize = 8 * 1024;

/// Refuses a request whose URL or head is over its limit, before any handler runs.
pub(crate) async fn head_and_url(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let url_bytes = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    let head_bytes = url_bytes
        + req.method().as_str().len()
        + req
            .headers()
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len() + 4)
            .sum::<usize>();
    let refusal = if url_bytes > MAX_URL_BYTES {
        Some(ApiError::UriTooLong(format!(
            "the URL is longer than {MAX_URL_BYTES} bytes"
        )))
    } else if head_bytes > MAX_HEAD_BYTES {
        Some(ApiError::HeadersTooLarge(format!(
            "the request's headers are larger than {MAX_HEAD_BYTES} bytes"
        )))
    } else {
        None
    };
    match refusal {
        Some(error) => Ok(req.into_response(error.error_response())),
        None => Ok(next.call(req).await?.map_into_boxed_body()),
    }
}

/// An API error answered below the handlers in plain text (actix's body extractors, say)
/// in the API's shape, `{"error": "…"}`; JSON answers are left as they are.
pub(crate) fn json_error<B: MessageBody + 'static>(
    response: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return Ok(ErrorHandlerResponse::Response(
            response.map_into_left_body(),
        ));
    }
    let status = response.status();
    let message = match status.as_u16() {
        413 => format!(
            "request body is larger than {} bytes",
            super::DEFAULT_EXTRACTOR_BODY_BYTES
        ),
        _ => status
            .canonical_reason()
            .unwrap_or("the request was refused")
            .to_ascii_lowercase(),
    };
    let (request, mut answer) = response.into_parts();
    let body = serde_json::json!({ "error": message }).to_string();
    let headers = answer.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.remove(header::CONTENT_LENGTH);
    let answer = answer.set_body(body).map_into_boxed_body();
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(request, answer).map_into_right_body(),
    ))
}
