//! The client's address and scheme. Forwarded headers are honoured only with
//! `--trust-proxy`: without a proxy in front, any client could forge them and, for
//! example, escape the per-IP login limit.

use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientInfo {
    /// `None` when the router runs without connect info (unit tests) and no trusted
    /// proxy header says otherwise.
    pub ip: Option<IpAddr>,
    /// Whether the client reached us over HTTPS (our own TLS, or a trusted proxy's).
    pub https: bool,
}

impl ClientInfo {
    pub fn from_parts(parts: &Parts, trust_proxy: bool, own_tls: bool) -> Self {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip().to_canonical());
        let forwarded = trust_proxy.then(|| forwarded_for(&parts.headers)).flatten();
        let forwarded_https = trust_proxy && forwarded_proto(&parts.headers).is_some_and(|p| p.eq_ignore_ascii_case("https"));
        Self { ip: forwarded.or(peer), https: own_tls || forwarded_https }
    }
}

impl FromRequestParts<AppState> for ClientInfo {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Self::from_parts(parts, state.config.trust_proxy, state.config.tls_enabled()))
    }
}

/// The address our proxy saw. Proxies (nginx's `$proxy_add_x_forwarded_for`, Traefik)
/// *append* the peer they saw to whatever the client sent, so only the last entry was
/// written by our proxy; earlier entries are the client's word and could be forged to get
/// a fresh "IP" for every login attempt. (Deliberately the last entry, not the first:
/// behind a chain of proxies this yields the inner proxy's view, which errs on the side of
/// stricter limits.)
fn forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    let last_header = headers.get_all("x-forwarded-for").iter().next_back()?;
    let last_entry = last_header.to_str().ok()?.rsplit(',').next()?.trim();
    parse_ip(last_entry)
}

fn forwarded_proto(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get("x-forwarded-proto")?.to_str().ok()?;
    value.rsplit(',').next().map(str::trim)
}

/// Accepts `1.2.3.4`, `1.2.3.4:567`, `::1` and `[::1]:567`.
fn parse_ip(s: &str) -> Option<IpAddr> {
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    s.parse::<SocketAddr>().ok().map(|a| a.ip().to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(xff: Option<&str>, proto: Option<&str>, peer: Option<&str>) -> Parts {
        let mut req = Request::builder().uri("/");
        if let Some(v) = xff {
            req = req.header("x-forwarded-for", v);
        }
        if let Some(v) = proto {
            req = req.header("x-forwarded-proto", v);
        }
        let (mut parts, ()) = req.body(()).unwrap().into_parts();
        if let Some(p) = peer {
            parts.extensions.insert(ConnectInfo(p.parse::<SocketAddr>().unwrap()));
        }
        parts
    }

    #[test]
    fn without_trust_the_forwarded_headers_are_ignored() {
        let p = parts(Some("9.9.9.9"), Some("https"), Some("10.0.0.2:4000"));
        let info = ClientInfo::from_parts(&p, false, false);
        assert_eq!(info, ClientInfo { ip: Some("10.0.0.2".parse().unwrap()), https: false });
    }

    #[test]
    fn behind_a_trusted_proxy_the_entry_it_appended_counts() {
        let p = parts(Some("6.6.6.6, 203.0.113.7"), Some("https"), Some("127.0.0.1:4000"));
        let info = ClientInfo::from_parts(&p, true, false);
        assert_eq!(info, ClientInfo { ip: Some("203.0.113.7".parse().unwrap()), https: true });
    }

    #[test]
    fn no_connect_info_and_no_proxy_means_unknown_ip() {
        let info = ClientInfo::from_parts(&parts(None, None, None), true, true);
        assert_eq!(info, ClientInfo { ip: None, https: true });
    }

    #[test]
    fn ipv4_mapped_peers_read_as_ipv4() {
        let p = parts(None, None, Some("[::ffff:192.0.2.1]:80"));
        assert_eq!(ClientInfo::from_parts(&p, false, false).ip, Some("192.0.2.1".parse().unwrap()));
    }
}
