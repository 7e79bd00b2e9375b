//! The client's address, worked out once per request: the socket peer, or —
//! when the peer is one of the configured `trusted_proxies` — the nearest
//! address its forwarding headers name that is not itself a trusted proxy.
//! Sign-in throttling and the audit log read it (as `ClientAddress`), never
//! the socket or the headers themselves.

use crate::config::TrustedProxies;
use app::api::context::ClientAddress;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// Middleware: puts the request's `ClientAddress` into its extensions. A request
/// without a socket peer (an in-process call) gets none.
pub(super) async fn remember_client_address(
    State(proxies): State<Arc<TrustedProxies>>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    if let Some(peer) = peer {
        let address = client_address(peer, request.headers(), &proxies);
        request.extensions_mut().insert(ClientAddress(address));
    }
    next.run(request).await
}

/// Who sent the request. Each trusted proxy appends the address it got the
/// request from to the header's list, so the list is read from the right:
/// past every trusted proxy, the first other address is the client; anything
/// further left was written by that client and proves nothing.
///
/// `X-Forwarded-For` is read when present (every common proxy sets it), else
/// `Forwarded: for=`. A proxy that sets only `Forwarded` must drop an incoming
/// `X-Forwarded-For`, or a client could name its own address.
fn client_address(peer: IpAddr, headers: &HeaderMap, proxies: &TrustedProxies) -> IpAddr {
    let peer = peer.to_canonical();
    if !proxies.contains(peer) {
        return peer;
    }
    let hops = forwarded_hops(headers);
    let mut nearest = peer;
    for hop in hops.iter().rev() {
        // A hop that is no address ("unknown", an obfuscated name) ends what can
        // be known: the nearest address so far is the best there is.
        let Some(hop) = hop else {
            return nearest;
        };
        nearest = hop.to_canonical();
        if !proxies.contains(nearest) {
            return nearest;
        }
    }
    nearest
}

/// The forwarded-for list, nearest hop last; `None` for a hop that names no address.
fn forwarded_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let values = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
            .collect()
    };
    let x_forwarded_for = values("x-forwarded-for");
    if !x_forwarded_for.is_empty() {
        return x_forwarded_for
            .iter()
            .flat_map(|value| value.split(','))
            .map(parse_hop)
            .collect();
    }
    values("forwarded")
        .iter()
        .flat_map(|value| split_outside_quotes(value, ','))
        .map(|element| {
            split_outside_quotes(element, ';')
                .into_iter()
                .find_map(|pair| {
                    let (name, value) = pair.split_once('=')?;
                    name.trim().eq_ignore_ascii_case("for").then_some(value)
                })
                .and_then(parse_hop)
        })
        .collect()
}

/// One hop's address: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`,
/// `[2001:db8::1]:4711`, each maybe in quotes.
fn parse_hop(text: &str) -> Option<IpAddr> {
    let text = text.trim().trim_matches('"');
    if let Ok(address) = text.parse::<IpAddr>() {
        return Some(address);
    }
    if let Ok(socket) = text.parse::<SocketAddr>() {
        return Some(socket.ip());
    }
    let bracketed = text.strip_prefix('[')?.split(']').next()?;
    bracketed.parse().ok()
}

/// `text` split at `separator`, except inside double quotes.
fn split_outside_quotes(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (index, character) in text.char_indices() {
        if character == '"' {
            quoted = !quoted;
        } else if character == separator && !quoted {
            parts.push(&text[start..index]);
            start = index + 1;
        }
    }
    parts.push(&text[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn address(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    fn proxies(list: &str) -> TrustedProxies {
        list.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let claims = headers(&[
            ("x-forwarded-for", "198.51.100.1"),
            ("forwarded", "for=198.51.100.2"),
        ]);
        for trusted in ["", "10.0.0.0/8"] {
            assert_eq!(
                client_address(address("203.0.113.5"), &claims, &proxies(trusted)),
                address("203.0.113.5")
            );
        }
    }

    #[test]
    fn behind_trusted_proxies_the_rightmost_untrusted_hop_is_the_client() {
        let trusted = proxies("10.0.0.0/8");
        let peer = address("10.0.0.1");
        let forged_then_real = headers(&[("x-forwarded-for", "1.1.1.1, 198.51.100.7, 10.0.0.9")]);
        assert_eq!(
            client_address(peer, &forged_then_real, &trusted),
            address("198.51.100.7")
        );
        let two_lines = headers(&[
            ("x-forwarded-for", "1.1.1.1"),
            ("x-forwarded-for", "198.51.100.8:4711"),
        ]);
        assert_eq!(
            client_address(peer, &two_lines, &trusted),
            address("198.51.100.8")
        );
        assert_eq!(
            client_address(peer, &headers(&[]), &trusted),
            peer,
            "without a header the proxy itself"
        );
        assert_eq!(
            client_address(
                peer,
                &headers(&[("x-forwarded-for", "1.1.1.1, junk")]),
                &trusted
            ),
            peer,
            "what stands left of a hop that is no address is not believed"
        );
        assert_eq!(
            client_address(
                address("::ffff:10.0.0.1"),
                &headers(&[("x-forwarded-for", "2001:db8::5")]),
                &trusted
            ),
            address("2001:db8::5")
        );
    }

    #[test]
    fn forwarded_is_read_when_there_is_no_x_forwarded_for() {
        let trusted = proxies("10.0.0.1");
        let forwarded = headers(&[(
            "forwarded",
            r#"for=1.1.1.1;proto=https, For="[2001:db8:cafe::17]:4711";by=10.0.0.1"#,
        )]);
        assert_eq!(
            client_address(address("10.0.0.1"), &forwarded, &trusted),
            address("2001:db8:cafe::17")
        );
        let unknown = headers(&[("forwarded", "for=1.1.1.1, for=unknown")]);
        assert_eq!(
            client_address(address("10.0.0.1"), &unknown, &trusted),
            address("10.0.0.1")
        );
        let both = headers(&[
            ("forwarded", "for=1.1.1.1"),
            ("x-forwarded-for", "198.51.100.9"),
        ]);
        assert_eq!(
            client_address(address("10.0.0.1"), &both, &trusted),
            address("198.51.100.9")
        );
    }
}
