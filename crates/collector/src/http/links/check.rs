//! Link check: follows a campaign link's redirects and says whether its `utm_*` parameters
//! arrive at the final page. A redirect that drops the query string (`http://` → `https://`
//! rewrites, vanity domains, "clean URL" rules) is a common, silent reason attribution is
//! lost.
//!
//! Limits: at most [`CheckLimits::max_hops`] redirects (10), a timeout per request and for
//! the whole check, `http`/`https` only — a redirect to any other scheme ends the check
//! without following it. Only HTTP redirects (3xx + `Location`) are followed; a page that
//! redirects with JavaScript or `<meta refresh>` is reported as the final page.
//!
//! Security: this makes the collector fetch URLs given to it, so whoever may call it can
//! make the collector's network position send GET requests (server-side request forgery,
//! e.g. to services on its private network). It is behind the API token, reads no response
//! body, and follows no redirect to non-HTTP schemes; operators who give tokens to people
//! they do not trust with that should block the collector's outbound traffic to private
//! ranges at the firewall.

use std::time::{Duration, Instant};

use reqwest::redirect;
use serde::Serialize;
use url::Url;

/// How far and how long a check may go.
#[derive(Debug, Clone)]
pub struct CheckLimits {
    pub max_hops: usize,
    pub hop_timeout: Duration,
    pub total_timeout: Duration,
}

impl Default for CheckLimits {
    fn default() -> Self {
        CheckLimits {
            max_hops: 10,
            hop_timeout: Duration::from_secs(5),
            total_timeout: Duration::from_secs(20),
        }
    }
}

/// One request of the chain.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Hop {
    pub url: String,
    pub status: u16,
    /// Where it redirects to (resolved against `url`), for redirects.
    pub location: Option<String>,
}

/// What happened to one `utm_*` parameter of the link.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UtmFate {
    pub param: String,
    pub sent: String,
    /// Its value in the final page's URL; `null` when it was dropped.
    pub arrived: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CheckReport {
    pub url: String,
    /// The last URL requested; the final page when `error` is `null`.
    pub final_url: String,
    pub final_status: Option<u16>,
    pub redirects: usize,
    pub hops: Vec<Hop>,
    pub utm: Vec<UtmFate>,
    /// True when every `utm_*` parameter arrived with its value; `null` when the check did
    /// not reach a final page.
    pub utm_survive: Option<bool>,
    /// The parameters that were dropped or changed on the way.
    pub lost: Vec<String>,
    /// Why the check stopped early (timeout, too many redirects, a non-HTTP redirect, a
    /// connection error).
    pub error: Option<String>,
}

/// Why a URL is not checked at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckRefused {
    #[error("url is not an absolute URL: {0}")]
    Invalid(String),
    #[error("url must start with http:// or https://")]
    NotHttp,
    #[error("url carries no utm_* parameters to check")]
    NoUtm,
}

/// The `utm_*` parameters of `url`, keys compared without case and the first of a repeated
/// key kept, as the tracker reads them (`UTM_Source` counts as `utm_source`).
fn utm_params(url: &Url) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = Vec::new();
    for (key, value) in url.query_pairs() {
        let key = key.to_ascii_lowercase();
        if key.starts_with("utm_") && !params.iter().any(|(k, _)| *k == key) {
            params.push((key, value.into_owned()));
        }
    }
    params
}

fn is_http(url: &Url) -> bool {
    matches!(url.scheme(), "http" | "https")
}

/// Follows `link`'s redirects within `limits`. Network failures are part of the report;
/// only a URL that cannot be checked at all is an error.
pub async fn check_link(link: &str, limits: &CheckLimits) -> Result<CheckReport, CheckRefused> {
    let start = Url::parse(link.trim()).map_err(|e| CheckRefused::Invalid(e.to_string()))?;
    if !is_http(&start) {
        return Err(CheckRefused::NotHttp);
    }
    let sent = utm_params(&start);
    if sent.is_empty() {
        return Err(CheckRefused::NoUtm);
    }
    let client = reqwest::Client::builder()
        .redirect(redirect::Policy::none())
        .timeout(limits.hop_timeout)
        .connect_timeout(limits.hop_timeout)
        // Deterministic: the check sees what a visitor's browser would, not a proxy's view.
        .no_proxy()
        .user_agent(concat!("leadtrail-link-check/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| CheckRefused::Invalid(format!("cannot start an HTTP client: {e}")))?;

    let deadline = Instant::now() + limits.total_timeout;
    let mut hops: Vec<Hop> = Vec::new();
    let mut current = start.clone();
    let mut error = None;
    let mut final_status = None;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            error = Some(format!(
                "the check took longer than {} s",
                limits.total_timeout.as_secs()
            ));
            break;
        }
        let response = match tokio::time::timeout(left, client.get(current.clone()).send()).await {
            Err(_) => {
                error = Some(format!(
                    "the check took longer than {} s",
                    limits.total_timeout.as_secs()
                ));
                break;
            }
            Ok(Err(e)) => {
                error = Some(describe(&e));
                break;
            }
            Ok(Ok(response)) => response,
        };
        let status = response.status();
        let location = status
            .is_redirection()
            .then(|| response.headers().get(reqwest::header::LOCATION))
            .flatten()
            .and_then(|v| v.to_str().ok())
            .map(|l| current.join(l));
        drop(response);
        match location {
            Some(Ok(next)) => {
                hops.push(Hop {
                    url: current.to_string(),
                    status: status.as_u16(),
                    location: Some(next.to_string()),
                });
                if !is_http(&next) {
                    error = Some(format!(
                        "redirected to a {}: URL, which is not followed",
                        next.scheme()
                    ));
                    break;
                }
                if hops.len() > limits.max_hops {
                    error = Some(format!("more than {} redirects", limits.max_hops));
                    break;
                }
                current = next;
            }
            Some(Err(e)) => {
                hops.push(Hop {
                    url: current.to_string(),
                    status: status.as_u16(),
                    location: None,
                });
                error = Some(format!("the redirect's Location is not a URL: {e}"));
                break;
            }
            None => {
                hops.push(Hop {
                    url: current.to_string(),
                    status: status.as_u16(),
                    location: None,
                });
                final_status = Some(status.as_u16());
                break;
            }
        }
    }

    let arrived = utm_params(&current);
    let utm: Vec<UtmFate> = sent
        .into_iter()
        .map(|(param, value)| UtmFate {
            arrived: arrived
                .iter()
                .find(|(k, _)| *k == param)
                .map(|(_, v)| v.clone()),
            param,
            sent: value,
        })
        .collect();
    let lost: Vec<String> = utm
        .iter()
        .filter(|u| u.arrived.as_deref() != Some(u.sent.as_str()))
        .map(|u| u.param.clone())
        .collect();
    Ok(CheckReport {
        url: start.to_string(),
        final_url: current.to_string(),
        final_status,
        redirects: hops.iter().filter(|h| h.location.is_some()).count(),
        utm_survive: error.is_none().then_some(lost.is_empty()),
        lost,
        hops,
        utm,
        error,
    })
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "a request timed out".to_owned()
    } else if e.is_connect() {
        format!("cannot connect: {e}")
    } else {
        format!("request failed: {e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn refuses_what_it_cannot_check() {
        let limits = CheckLimits::default();
        assert_eq!(
            check_link("ftp://x.example/?utm_source=a", &limits)
                .await
                .unwrap_err(),
            CheckRefused::NotHttp
        );
        assert_eq!(
            check_link("https://x.example/", &limits).await.unwrap_err(),
            CheckRefused::NoUtm
        );
        assert!(matches!(
            check_link("not a url", &limits).await.unwrap_err(),
            CheckRefused::Invalid(_)
        ));
    }

    #[test]
    fn utm_parameters_are_read_as_the_tracker_reads_them() {
        let url = Url::parse(
            "https://x.example/?UTM_Source=LinkedIn&utm_source=other&utm_medium=a%20b&ref=1",
        )
        .unwrap();
        assert_eq!(
            utm_params(&url),
            vec![
                ("utm_source".to_owned(), "LinkedIn".to_owned()),
                ("utm_medium".to_owned(), "a b".to_owned()),
            ]
        );
    }
}
