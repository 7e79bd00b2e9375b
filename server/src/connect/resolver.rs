//! The connection rule for HTTP clients (reqwest: Microsoft Graph). reqwest
//! asks `CheckedResolver` for a host's addresses and connects to what it
//! returns, so a refused address is never connected to; a URL whose host is
//! an address is not resolved at all, so `check_url` checks it before the
//! request.

use super::{Destinations, Refused, ResolveError, resolve};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::IpAddr;

/// Resolves host names and keeps the addresses `destinations` permit.
pub struct CheckedResolver(Destinations);

impl CheckedResolver {
    pub fn new(destinations: Destinations) -> CheckedResolver {
        CheckedResolver(destinations)
    }
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let destinations = self.0.clone();
        Box::pin(async move {
            // Port 0: reqwest sets the URL's port on each address.
            let addresses = resolve(name.as_str(), 0, &destinations).await?;
            Ok(Box::new(addresses.into_iter()) as Addrs)
        })
    }
}

/// Refuses a URL whose host is an address `destinations` do not permit
/// (host names are checked when they are resolved).
pub fn check_url(destinations: &Destinations, url: &str) -> Result<(), Refused> {
    let Ok(url) = reqwest::Url::parse(url) else {
        // reqwest refuses it itself, without connecting.
        return Ok(());
    };
    let host = url.host_str().unwrap_or_default();
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(address) if !destinations.permits(host, address) => Err(Refused::new(host, address)),
        _ => Ok(()),
    }
}

/// The refusal behind a failed request, if that is why it failed: a
/// refusal is final (no retry) and says why.
pub fn refusal_in(error: &(dyn std::error::Error + 'static)) -> Option<Refused> {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if let Some(ResolveError::Refused(refused)) = error.downcast_ref::<ResolveError>() {
            return Some(refused.clone());
        }
        if let Some(refused) = error.downcast_ref::<Refused>() {
            return Some(refused.clone());
        }
        cause = error.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connect::{ConnectionPolicy, MailboxOwner, destinations_for};
    use app::model::Role;

    #[test]
    fn urls_with_internal_addresses_are_refused() {
        let strict = destinations_for(MailboxOwner::Role(Role::User), &ConnectionPolicy::default());
        for url in [
            "http://127.0.0.1:8080/v1.0",
            "https://169.254.169.254/latest/meta-data",
            "https://10.0.0.1/",
            "http://[::1]:80/",
            "http://[::ffff:127.0.0.1]/",
            "http://2130706433/",
            "http://0x7f.1/",
        ] {
            assert!(check_url(&strict, url).is_err(), "{url}");
            assert!(check_url(&Destinations::Any, url).is_ok(), "{url}");
        }
        assert!(check_url(&strict, "https://graph.microsoft.com/v1.0").is_ok());
        assert!(check_url(&strict, "https://93.184.216.34/").is_ok());
    }
}
