//! Defences of the public form endpoint against floods and bots: a per-address rate limit
//! (token bucket), the honeypot field, and the optional allow-list of origins.
//!
//! All of it is in memory and per process: a restart forgets the buckets, which only
//! means a fresh burst for everyone.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

/// The honeypot: a field a site adds to its forms, hidden from people (CSS, `tabindex=-1`,
/// `autocomplete=off`), that form-filling bots fill in. A post where it is not empty is
/// answered like a successful one and dropped. It carries the tracker's `lt_` prefix so
/// that it never lands in a submission's payload.
pub(crate) const HONEYPOT_FIELD: &str = "lt_hp";

/// Buckets kept before idle ones are swept: bounds the memory a flood of addresses (say,
/// spoofed IPv6 sources of single requests) can take.
const MAX_TRACKED_ADDRESSES: usize = 100_000;

/// A token bucket per client address.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl RateLimiter {
    /// `None` when `per_minute` is 0 (no limit).
    pub(crate) fn new(per_minute: u32, burst: u32) -> Option<RateLimiter> {
        (per_minute > 0).then(|| RateLimiter {
            per_second: f64::from(per_minute) / 60.0,
            burst: f64::from(burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        })
    }

    /// Takes one token for `address`; `Err(seconds)` says how long until one is there.
    pub(crate) fn check(&self, address: IpAddr, now: Instant) -> Result<(), u32> {
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() >= MAX_TRACKED_ADDRESSES && !buckets.contains_key(&address) {
            self.sweep(&mut buckets, now);
        }
        let bucket = buckets.entry(address).or_insert(Bucket {
            tokens: self.burst,
            updated: now,
        });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - bucket.tokens) / self.per_second;
            Err(wait.ceil().max(1.0) as u32)
        }
    }

    /// Forgets buckets that have refilled (their addresses are back to a full burst, so
    /// forgetting them changes nothing); if that frees nothing, forgets all.
    fn sweep(&self, buckets: &mut HashMap<IpAddr, Bucket>, now: Instant) {
        let full_after = self.burst / self.per_second;
        buckets.retain(|_, bucket| {
            now.saturating_duration_since(bucket.updated).as_secs_f64() < full_after
        });
        if buckets.len() >= MAX_TRACKED_ADDRESSES {
            buckets.clear();
        }
    }
}

/// True when `origin` (an `Origin` header) may post, given the configured allow-list
/// (normalised by config: lower case, no trailing slash; empty = any).
pub(crate) fn origin_allowed(allowed: &[String], origin: Option<&str>) -> bool {
    match origin {
        _ if allowed.is_empty() => true,
        // Not a browser (browsers send Origin with every POST): no header stops those.
        None => true,
        Some(origin) => {
            let origin = origin.trim().trim_end_matches('/');
            allowed
                .iter()
                .any(|allowed| allowed.eq_ignore_ascii_case(origin))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn bucket_allows_a_burst_then_the_rate() {
        let limiter = RateLimiter::new(60, 3).unwrap();
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "2001:db8::1".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check(a, t0), Ok(()));
        }
        assert_eq!(limiter.check(a, t0), Err(1));
        // Another address has its own bucket.
        assert_eq!(limiter.check(b, t0), Ok(()));
        // One token a second comes back.
        assert_eq!(limiter.check(a, t0 + Duration::from_millis(1000)), Ok(()));
        assert_eq!(limiter.check(a, t0 + Duration::from_millis(1000)), Err(1));
        // Never more than the burst, however long the pause.
        let later = t0 + Duration::from_secs(3600);
        for _ in 0..3 {
            assert_eq!(limiter.check(a, later), Ok(()));
        }
        assert!(limiter.check(a, later).is_err());
    }

    #[test]
    fn retry_after_is_how_long_a_token_takes() {
        let limiter = RateLimiter::new(6, 1).unwrap(); // one per 10 s
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let t0 = Instant::now();
        assert_eq!(limiter.check(a, t0), Ok(()));
        assert_eq!(limiter.check(a, t0), Err(10));
        assert_eq!(limiter.check(a, t0 + Duration::from_secs(4)), Err(6));
        assert!(RateLimiter::new(0, 10).is_none());
    }

    #[test]
    fn sweeping_bounds_memory() {
        let limiter = RateLimiter::new(60, 1).unwrap();
        let t0 = Instant::now();
        for i in 0..MAX_TRACKED_ADDRESSES as u32 + 10 {
            let address = IpAddr::from(std::net::Ipv4Addr::from(i));
            let _ = limiter.check(address, t0);
        }
        assert!(limiter.buckets.lock().unwrap().len() <= MAX_TRACKED_ADDRESSES);
    }

    #[test]
    fn origins() {
        let none: Vec<String> = Vec::new();
        assert!(origin_allowed(&none, Some("https://evil.example")));
        let list = vec!["https://www.acme.example".to_owned()];
        assert!(origin_allowed(&list, Some("https://www.acme.example")));
        assert!(origin_allowed(&list, Some("https://WWW.acme.example/")));
        assert!(origin_allowed(&list, None));
        assert!(!origin_allowed(&list, Some("https://evil.example")));
        assert!(!origin_allowed(&list, Some("null")));
        assert!(!origin_allowed(&list, Some("http://www.acme.example")));
    }
}
