//! Where the link check may go: public addresses only, unless the operator allows a host.
//!
//! The check makes the collector fetch URLs that a token holder gives it, so without this
//! anyone with a token could make it reach its own machine or its private network
//! (server-side request forgery). Every hop's host is resolved here, every address it
//! resolves to must be public, and the request then goes to exactly the address that was
//! checked, so a second DNS answer cannot point it elsewhere. IP literals in any spelling
//! (`127.1`, `0x7f000001`, `2130706433`, `[::ffff:127.0.0.1]`) are read by the URL parser
//! into the address they mean before they are checked.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use url::{Host, Url};

/// True for an address on the public internet: not loopback, private, link-local,
/// carrier-grade NAT, unique-local, multicast, documentation, benchmarking, reserved or
/// unspecified, and no IPv6 form that carries such an IPv4 address.
pub(crate) fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let segments = ip.segments();
    // Forms that carry an IPv4 address: mapped, compatible, NAT64, 6to4.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    if segments[..6] == [0, 0, 0, 0, 0, 0] {
        // ::a.b.c.d (deprecated compatible form), and :: and ::1 themselves.
        return !ip.is_unspecified() && !ip.is_loopback() && is_public_v4(embedded_v4(ip));
    }
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return is_public_v4(embedded_v4(ip));
    }
    if segments[0] == 0x2002 {
        let [a, b] = segments[1].to_be_bytes();
        let [c, d] = segments[2].to_be_bytes();
        return is_public_v4(Ipv4Addr::new(a, b, c, d));
    }
    !(ip.is_multicast()
        || (segments[0] & 0xfe00) == 0xfc00 // unique local
        || (segments[0] & 0xffc0) == 0xfe80 // link-local
        || (segments[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
        || (segments[0] == 0x2001 && segments[1] == 0x0db8) // documentation
        || (segments[0] == 0x2001 && segments[1] == 0) // Teredo
        || segments[0] == 0x0100) // discard-only
}

fn embedded_v4(ip: Ipv6Addr) -> Ipv4Addr {
    let octets = ip.octets();
    Ipv4Addr::new(octets[12], octets[13], octets[14], octets[15])
}

/// Whether the operator allowed `host` (exactly, or below a `.suffix` entry) to resolve to
/// non-public addresses: intranet sites.
fn allowed(host: &str, allowed_hosts: &[String]) -> bool {
    allowed_hosts.iter().any(|entry| {
        let entry = entry.trim().trim_end_matches('.').to_ascii_lowercase();
        match entry.strip_prefix('.') {
            Some(suffix) => host.ends_with(&format!(".{suffix}")) || host == suffix,
            None => host == entry,
        }
    })
}

/// The address to connect to for `url`, or `None` when the check must not go there.
/// The host name as the URL writes it (`[::1]` for IPv6) is what an allow-list names.
pub(crate) async fn target(url: &Url, allowed_hosts: &[String]) -> Option<SocketAddr> {
    let port = url.port_or_known_default()?;
    let host_text = url.host_str()?.to_ascii_lowercase();
    let may_be_private = allowed(&host_text, allowed_hosts);
    let addresses: Vec<SocketAddr> = match url.host()? {
        Host::Ipv4(ip) => vec![SocketAddr::new(IpAddr::V4(ip), port)],
        Host::Ipv6(ip) => vec![SocketAddr::new(IpAddr::V6(ip), port)],
        Host::Domain(domain) => tokio::net::lookup_host((domain, port))
            .await
            .ok()?
            .collect(),
    };
    // All of them: a name with one public and one private address could be made to
    // connect to either.
    if addresses.is_empty() || (!may_be_private && !addresses.iter().all(|a| is_public(a.ip()))) {
        return None;
    }
    addresses.first().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for blocked in [
            "127.0.0.1",
            "127.1.2.3",
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.254",
            "192.0.0.8",
            "198.18.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::a00:1",
            "2002:7f00:1::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "2001:db8::1",
            "2001::1",
        ] {
            let ip: IpAddr = blocked.parse().unwrap();
            assert!(!is_public(ip), "{blocked}");
        }
        for public in [
            "93.184.216.34",
            "1.1.1.1",
            "100.128.0.1",
            "172.32.0.1",
            "2606:4700:4700::1111",
            "::ffff:93.184.216.34",
            "2002:5db8:d822::",
        ] {
            let ip: IpAddr = public.parse().unwrap();
            assert!(is_public(ip), "{public}");
        }
    }

    #[tokio::test]
    async fn every_spelling_of_loopback_is_refused() {
        for url in [
            "http://127.0.0.1:8080/",
            "http://127.1/",
            "http://0x7f000001/",
            "http://2130706433/",
            "http://0177.0.0.1/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::1]/",
            "http://0.0.0.0/",
            "http://localhost/",
            "http://LOCALHOST./",
        ] {
            let url = Url::parse(url).unwrap();
            assert_eq!(target(&url, &[]).await, None, "{url}");
        }
    }

    #[tokio::test]
    async fn an_allowed_host_may_be_private_and_only_it() {
        let allow = vec!["localhost".to_owned(), ".intranet.example".to_owned()];
        let local = Url::parse("http://localhost:9/").unwrap();
        assert!(target(&local, &allow)
            .await
            .is_some_and(|a| !is_public(a.ip())));
        let other = Url::parse("http://127.0.0.1:9/").unwrap();
        assert_eq!(target(&other, &allow).await, None);
        assert!(allowed("wiki.intranet.example", &allow));
        assert!(allowed("intranet.example", &allow));
        assert!(!allowed("evilintranet.example", &allow));
    }
}
