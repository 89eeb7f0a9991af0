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
//! Security: this makes the collector fetch URLs given to it, so it goes only where a
//! visitor's browser on the internet could: every hop's host must resolve to public
//! addresses only, and the request is sent to the address that was checked (see
//! `reach`); the operator may allow intranet hosts by name (`link_check_allowed_hosts`).
//! A URL's `user:password@` is never sent. A target refused for its address and a page
//! that cannot be reached get the same answer, so the check cannot tell a private
//! network's open, closed and slow ports apart. It is behind the API token and reads no
//! response body.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use reqwest::redirect;
use serde::Serialize;
use url::Url;

use super::reach;
use crate::config::Settings;

/// How far and how long a check may go.
#[derive(Debug, Clone)]
pub(crate) struct CheckLimits {
    pub(crate) max_hops: usize,
    pub(crate) hop_timeout: Duration,
    pub(crate) total_timeout: Duration,
    /// Hosts that may resolve to private addresses (`wiki.corp.example`, or
    /// `.corp.example` for every host below it).
    pub(crate) allowed_hosts: Vec<String>,
}

impl Default for CheckLimits {
    fn default() -> Self {
        CheckLimits {
            max_hops: 10,
            hop_timeout: Duration::from_secs(5),
            total_timeout: Duration::from_secs(20),
            allowed_hosts: Vec::new(),
        }
    }
}

impl CheckLimits {
    /// The defaults, with the operator's intranet hosts.
    pub(crate) fn of(settings: &Settings) -> CheckLimits {
        CheckLimits {
            allowed_hosts: settings.link_check_allowed_hosts.clone(),
            ..CheckLimits::default()
        }
    }
}

/// The one answer for a hop the check does not reach, whether its address was refused or
/// the page did not answer: different answers would map a private network.
pub(crate) const UNREACHABLE: &str =
    "the page could not be loaded (the link check reaches public addresses only)";

/// One request of the chain.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub(crate) struct Hop {
    pub(crate) url: String,
    pub(crate) status: u16,
    /// Where it redirects to (resolved against `url`), for redirects.
    pub(crate) location: Option<String>,
}

/// What happened to one `utm_*` parameter of the link.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub(crate) struct UtmFate {
    pub(crate) param: String,
    pub(crate) sent: String,
    /// Its value in the final page's URL; `null` when it was dropped.
    pub(crate) arrived: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub(crate) struct CheckReport {
    pub(crate) url: String,
    /// The last URL requested; the final page when `error` is `null`.
    pub(crate) final_url: String,
    pub(crate) final_status: Option<u16>,
    pub(crate) redirects: usize,
    pub(crate) hops: Vec<Hop>,
    pub(crate) utm: Vec<UtmFate>,
    /// True when every `utm_*` parameter arrived with its value; `null` when the check did
    /// not reach a final page.
    pub(crate) utm_survive: Option<bool>,
    /// The parameters that were dropped or changed on the way.
    pub(crate) lost: Vec<String>,
    /// Why the check stopped early (timeout, too many redirects, a non-HTTP redirect, a
    /// connection error).
    pub(crate) error: Option<String>,
}

/// Why a URL is not checked at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum CheckRefused {
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
pub(crate) async fn check_link(
    link: &str,
    limits: &CheckLimits,
) -> Result<CheckReport, CheckRefused> {
    let mut start = Url::parse(link.trim()).map_err(|e| CheckRefused::Invalid(e.to_string()))?;
    if !is_http(&start) {
        return Err(CheckRefused::NotHttp);
    }
    without_userinfo(&mut start);
    let sent = utm_params(&start);
    if sent.is_empty() {
        return Err(CheckRefused::NoUtm);
    }

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
        let hop = async {
            let address = tokio::time::timeout(
                limits.hop_timeout,
                reach::target(&current, &limits.allowed_hosts),
            )
            .await
            .ok()
            .flatten()?;
            client_for(&current, address, limits)?
                .get(current.clone())
                .send()
                .await
                .ok()
        };
        let response = match tokio::time::timeout(left, hop).await {
            Err(_) => {
                error = Some(format!(
                    "the check took longer than {} s",
                    limits.total_timeout.as_secs()
                ));
                break;
            }
            Ok(None) => {
                error = Some(UNREACHABLE.to_owned());
                break;
            }
            Ok(Some(response)) => response,
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
                without_userinfo(&mut current);
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

/// Drops `user:password@`: a client would send it as an `Authorization` header.
fn without_userinfo(url: &mut Url) {
    let _ = url.set_username("");
    let _ = url.set_password(None);
}

/// A client for one hop that connects to `address` (the one `reach` checked) whatever the
/// name resolves to by the time it connects.
fn client_for(url: &Url, address: SocketAddr, limits: &CheckLimits) -> Option<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .redirect(redirect::Policy::none())
        .timeout(limits.hop_timeout)
        .connect_timeout(limits.hop_timeout)
        // Deterministic: the check sees what a visitor's browser would, not a proxy's view.
        .no_proxy()
        .user_agent(concat!("leadtrail-link-check/", env!("CARGO_PKG_VERSION")));
    if let Some(url::Host::Domain(domain)) = url.host() {
        builder = builder.resolve(domain, address);
    }
    builder.build().ok()
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
