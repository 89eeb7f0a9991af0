//! Static files: the tracker (`target/leadtrail-tracker/`, loaded by customer sites on any
//! origin), the demo site (`www/`), vendor files (`target/leadtrail-vendor/` at `/vendor/`),
//! and the built-in thank-you page.
//!
//! Both folders are embedded with rust-embed, so a release binary runs from any directory;
//! debug builds read them from disk at request time, so a rebuilt tracker or an edited page
//! shows up without recompiling the collector. `build.rs` makes the release build re-embed
//! when either folder changes.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use rust_embed::{EmbeddedFile, RustEmbed};

use super::error::ApiError;

#[derive(RustEmbed)]
#[folder = "$CARGO_MANIFEST_DIR/../../target/leadtrail-tracker/"]
#[allow_missing = true]
pub(crate) struct TrackerFiles;

/// Third-party browser files (the dashboard's chart library), copied from node_modules by
/// `cargo xtask` (see crates/xtask/src/vendor.rs); served under `/vendor/`.
#[derive(RustEmbed)]
#[folder = "$CARGO_MANIFEST_DIR/../../target/leadtrail-vendor/"]
#[allow_missing = true]
pub(crate) struct VendorFiles;

#[derive(RustEmbed)]
#[folder = "$CARGO_MANIFEST_DIR/../../www/"]
#[allow_missing = true]
pub(crate) struct SiteFiles;

/// The files of the tracker contract, named in the 404 when the tracker was not built.
const TRACKER_FILES: [&str; 3] = [
    "leadtrail.js",
    "leadtrail_tracker.js",
    "leadtrail_tracker_bg.wasm",
];

/// The tracker's URLs are fixed (they are pasted into customer sites), so caches must
/// revalidate soon; the ETag makes revalidation a cheap 304.
const TRACKER_CACHE: &str = "public, max-age=300";
const PAGE_CACHE: &str = "no-cache";
const SITE_ASSET_CACHE: &str = "public, max-age=300";

/// The built-in page a browser lands on after a post without `_redirect`. Fixed text:
/// nothing from the request is put into it.
const THANK_YOU_HTML: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Thank you</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}</style>
</head>
<body>
<h1>Thank you!</h1>
<p>Your form was received. You can close this page or use your browser's back button.</p>
</body>
</html>
"#;

/// The policy of every page the collector serves: scripts and styles from files of its
/// own only (no inline script anywhere), WebAssembly for the tracker on the demo site,
/// never framed by another site (clickjacking), forms posting only to the collector.
const PAGE_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
    base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
/// The thank-you page has one inline style and no script at all.
const THANK_YOU_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; \
    form-action 'none'; frame-ancestors 'none'";

/// Headers of every HTML answer: its policy, no framing for browsers without
/// `frame-ancestors`, and no full URL (a person's id in `/people/123`) leaving the site
/// in `Referer`.
fn page_headers(response: &mut HttpResponseBuilder, csp: &'static str) {
    response
        .insert_header((header::CONTENT_SECURITY_POLICY, csp))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::REFERRER_POLICY, "same-origin"));
}

fn content_type_of(path: &str, file: &EmbeddedFile) -> String {
    let extension = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match extension.as_deref() {
        Some("js" | "mjs") => "text/javascript; charset=utf-8".to_owned(),
        Some("wasm") => "application/wasm".to_owned(),
        Some("html" | "htm") => "text/html; charset=utf-8".to_owned(),
        Some("css") => "text/css; charset=utf-8".to_owned(),
        Some("json") => "application/json".to_owned(),
        Some("svg") => "image/svg+xml".to_owned(),
        Some("txt") => "text/plain; charset=utf-8".to_owned(),
        _ => file.metadata.mimetype().to_owned(),
    }
}

/// A weak ETag from the content hash rust-embed computes: weak, because the same file
/// goes out gzip-, brotli- or un-encoded, and those are different bytes.
fn etag_of(file: &EmbeddedFile) -> String {
    format!("W/\"{}\"", hex::encode(&file.metadata.sha256_hash()[..16]))
}

fn if_none_match(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| {
            let tag = tag.trim();
            tag == "*" || tag.trim_start_matches("W/") == etag.trim_start_matches("W/")
        })
}

fn respond_with(
    req: &HttpRequest,
    path: &str,
    file: EmbeddedFile,
    cache: &'static str,
    cross_origin: bool,
) -> HttpResponse {
    let etag = etag_of(&file);
    let not_modified = if_none_match(req, &etag);
    let mut response = if not_modified {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache));
    if cross_origin {
        // Customer sites load the module from another origin: a module script needs CORS,
        // and sites with cross-origin isolation need the resource policy too.
        response
            .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
            .insert_header(("cross-origin-resource-policy", "cross-origin"));
    }
    if not_modified {
        return response.finish();
    }
    let content_type = content_type_of(path, &file);
    if content_type.starts_with("text/html") {
        page_headers(&mut response, PAGE_CSP);
    }
    response
        .insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_str(&content_type)
                .unwrap_or(HeaderValue::from_static("application/octet-stream")),
        ))
        .body(file.data.into_owned())
}

/// A request path as a relative file path, or `None` when it tries to leave the folder.
fn relative_path(req: &HttpRequest) -> Option<String> {
    let path = req.path().trim_start_matches('/');
    let safe = !path.contains('\\')
        && !path.contains('\0')
        && path
            .split('/')
            .all(|segment| segment != ".." && segment != ".");
    safe.then(|| path.to_owned())
}

/// The app's record pages: `/people/123` is `person.html`, which reads the id from its own
/// URL, so a reload or a shared link opens the same record. Ids are what the API uses
/// (1 to 19 digits, an i64); anything else is the usual 404.
fn deep_link(path: &str) -> Option<&'static str> {
    let (collection, id) = path.split_once('/')?;
    let page = match collection {
        "people" => "person.html",
        "companies" => "company.html",
        "selections" => "selection.html",
        _ => return None,
    };
    let is_id = (1..=19).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit());
    is_id.then_some(page)
}

/// `GET /thanks`: also where a script's post answered with a redirect lands, so it is
/// readable across origins like the post's own answer (else the script sees an error).
pub(crate) async fn thank_you(req: HttpRequest) -> HttpResponse {
    let mut builder = HttpResponse::Ok();
    page_headers(&mut builder, THANK_YOU_CSP);
    let mut response = builder
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(THANK_YOU_HTML);
    super::form::CorsAnswer::for_request(&req).apply(response.headers_mut());
    response
}

/// Everything no route matched: a tracker file, else a page or file of the demo site,
/// else a JSON 404.
pub(crate) async fn fallback(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let not_found = || ApiError::not_found(format!("nothing at {}", req.path()));
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return Err(not_found());
    }
    let path = relative_path(&req).ok_or_else(not_found)?;
    if let Some(file) = TrackerFiles::get(&path) {
        return Ok(respond_with(&req, &path, file, TRACKER_CACHE, true));
    }
    if let Some(name) = path.strip_prefix("vendor/") {
        return match VendorFiles::get(name) {
            Some(file) => Ok(respond_with(&req, &path, file, SITE_ASSET_CACHE, false)),
            None => Err(ApiError::not_found(format!(
                "{path} is not there; run `cargo xtask run` (or `cargo xtask test`), which copies it from node_modules"
            ))),
        };
    }
    if TRACKER_FILES.contains(&path.as_str()) {
        return Err(ApiError::not_found(format!(
            "{path} is not built; run `cargo xtask build-tracker`"
        )));
    }
    if let Some(page) = deep_link(&path) {
        return match SiteFiles::get(page) {
            Some(file) => Ok(respond_with(&req, page, file, PAGE_CACHE, false)),
            None => Err(not_found()),
        };
    }
    // Pages answer without their extension too (`/people` → `people.html`).
    let candidates = if path.is_empty() || path.ends_with('/') {
        vec![format!("{path}index.html")]
    } else if path
        .rsplit('/')
        .next()
        .is_some_and(|name| !name.contains('.'))
    {
        vec![
            path.clone(),
            format!("{path}.html"),
            format!("{path}/index.html"),
        ]
    } else {
        vec![path.clone(), format!("{path}/index.html")]
    };
    for candidate in candidates {
        if let Some(file) = SiteFiles::get(&candidate) {
            let cache = if candidate.ends_with(".html") {
                PAGE_CACHE
            } else {
                SITE_ASSET_CACHE
            };
            return Ok(respond_with(&req, &candidate, file, cache, false));
        }
    }
    Err(not_found())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn paths_cannot_leave_the_folder() {
        let ok = TestRequest::get().uri("/a/b.js").to_http_request();
        assert_eq!(relative_path(&ok).as_deref(), Some("a/b.js"));
        for bad in ["/../Cargo.toml", "/a/../../x", "/a/./b"] {
            let req = TestRequest::get().uri(bad).to_http_request();
            assert_eq!(relative_path(&req), None, "{bad}");
        }
    }

    #[test]
    fn record_urls_open_their_page() {
        assert_eq!(deep_link("people/123"), Some("person.html"));
        assert_eq!(deep_link("companies/45"), Some("company.html"));
        assert_eq!(deep_link("selections/7"), Some("selection.html"));
        assert_eq!(deep_link("people/1234567890123456789"), Some("person.html"));
        for not_a_record in [
            "people",
            "people/",
            "people/12345678901234567890",
            "people/12a",
            "people/-1",
            "people/+1",
            "people/1/2",
            "people/1.html",
            "people/١٢",
            "links/1",
            "person/1",
            "selections/7/board",
        ] {
            assert_eq!(deep_link(not_a_record), None, "{not_a_record}");
        }
    }

    #[test]
    fn etags_match_with_or_without_weak_prefix() {
        let req = TestRequest::get()
            .insert_header((header::IF_NONE_MATCH, "W/\"abc\", \"def\""))
            .to_http_request();
        assert!(if_none_match(&req, "W/\"abc\""));
        assert!(if_none_match(&req, "W/\"def\""));
        assert!(!if_none_match(&req, "W/\"xyz\""));
    }
}
