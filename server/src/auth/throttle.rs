//! Throttling by key: failed sign-ins per account and per client, password-reset
//! requests per address and per client. After a few free events for the same
//! key, the next attempt must wait, twice as long after each further event, up
//! to a cap. A key with no event for a while starts over; `clear` forgives at once.
//!
//! Kept in memory: a restart forgives, which is acceptable; the point is to
//! make password guessing and mail flooding slow, not to lock people out for good.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Events allowed before any waiting.
    pub free_events: u32,
    /// The wait after the first event beyond the free ones.
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// A key with no event for this long starts over.
    pub forget_after: Duration,
}

impl Policy {
    /// Failed sign-ins for one e-mail address, from wherever they come: an
    /// attacker with many addresses still gets about five guesses, then one
    /// per half minute, doubling to one per quarter hour. The account's owner
    /// waits as long; a success clears it.
    pub const SIGN_IN_PER_ACCOUNT: Policy = Policy {
        free_events: 5,
        first_delay: Duration::from_secs(30),
        max_delay: Duration::from_secs(15 * 60),
        forget_after: Duration::from_secs(60 * 60),
    };
    /// Failed sign-ins from one client (see `client_key`), whatever account
    /// they try: more generous, an office behind one address makes typos
    /// together. Not cleared by a success, or an attacker with an account
    /// of their own could clear it between guesses.
    pub const SIGN_IN_PER_CLIENT: Policy = Policy {
        free_events: 25,
        first_delay: Duration::from_secs(30),
        max_delay: Duration::from_secs(15 * 60),
        forget_after: Duration::from_secs(60 * 60),
    };
    /// Password-reset requests for one e-mail address (known or not, so the
    /// answer tells nothing): three mails at once, then one after ten minutes,
    /// doubling to one an hour, so nobody can flood a person's inbox.
    pub const RESET_PER_ADDRESS: Policy = Policy {
        free_events: 3,
        first_delay: Duration::from_secs(10 * 60),
        max_delay: Duration::from_secs(60 * 60),
        forget_after: Duration::from_secs(6 * 60 * 60),
    };
    /// Password-reset requests from one client, for any addresses: enough for
    /// a few people behind one address, too few to mail a whole company.
    pub const RESET_PER_CLIENT: Policy = Policy {
        free_events: 10,
        first_delay: Duration::from_secs(60),
        max_delay: Duration::from_secs(60 * 60),
        forget_after: Duration::from_secs(60 * 60),
    };
}

/// The prefix length an IPv6 client is counted by: one subscriber usually
/// holds a whole /64 and could otherwise use a fresh address per attempt.
pub const IPV6_CLIENT_PREFIX: u8 = 64;

/// The throttling key of a client address: the address itself for IPv4 (and
/// IPv4 mapped into IPv6), its /64 network for IPv6.
pub fn client_key(address: IpAddr) -> String {
    match address.to_canonical() {
        IpAddr::V4(v4) => format!("client:{v4}"),
        IpAddr::V6(v6) => {
            let network = u128::from(v6) & (u128::MAX << (128 - u32::from(IPV6_CLIENT_PREFIX)));
            format!(
                "client:{}/{IPV6_CLIENT_PREFIX}",
                std::net::Ipv6Addr::from(network)
            )
        }
    }
}

/// Keys are swept of forgotten entries when the table has grown to this many
/// since the last sweep (and then at twice its size), so recording stays
/// cheap however many keys an attacker makes up.
const SWEEP_AT_LEAST: usize = 1024;

#[derive(Debug, Clone, Copy)]
struct Events {
    count: u32,
    last: Instant,
}

#[derive(Debug)]
struct Table {
    events: HashMap<String, Events>,
    sweep_at: usize,
}

#[derive(Debug)]
pub struct Throttle {
    policy: Policy,
    table: Mutex<Table>,
}

impl Throttle {
    pub fn new(policy: Policy) -> Self {
        Throttle {
            policy,
            table: Mutex::new(Table {
                events: HashMap::new(),
                sweep_at: SWEEP_AT_LEAST,
            }),
        }
    }

    /// `Err(wait)` if `key` must wait before its next attempt.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let table = self.lock();
        let Some(entry) = table.events.get(key) else {
            return Ok(());
        };
        if self.forgotten(entry, now) {
            return Ok(());
        }
        match self.delay_after(entry.count) {
            Some(delay) => {
                let ready_at = entry.last + delay;
                if now < ready_at {
                    Err(ready_at - now)
                } else {
                    Ok(())
                }
            }
            None => Ok(()),
        }
    }

    /// Counts one event (a failed sign-in, a reset request) for `key`.
    pub fn record(&self, key: &str, now: Instant) {
        let mut table = self.lock();
        if table.events.len() >= table.sweep_at {
            table.events.retain(|_, entry| !self.forgotten(entry, now));
            table.sweep_at = (2 * table.events.len()).max(SWEEP_AT_LEAST);
        }
        let entry = table.events.entry(key.to_string()).or_insert(Events {
            count: 0,
            last: now,
        });
        if self.forgotten(entry, now) {
            entry.count = 0;
        }
        entry.count += 1;
        entry.last = now;
    }

    /// Forgets `key`'s events (a successful sign-in).
    pub fn clear(&self, key: &str) {
        self.lock().events.remove(key);
    }

    /// `check`, and if the attempt may go ahead, `record` it: for requests that
    /// count whether or not they succeed.
    pub fn admit(&self, key: &str, now: Instant) -> Result<(), Duration> {
        self.check(key, now)?;
        self.record(key, now);
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Table> {
        self.table
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    fn forgotten(&self, entry: &Events, now: Instant) -> bool {
        now.saturating_duration_since(entry.last) >= self.policy.forget_after
    }

    fn delay_after(&self, count: u32) -> Option<Duration> {
        let beyond = count.checked_sub(self.policy.free_events)?;
        let factor = 1u32.checked_shl(beyond).unwrap_or(u32::MAX);
        Some(
            self.policy
                .first_delay
                .saturating_mul(factor)
                .min(self.policy.max_delay),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: Policy = Policy {
        free_events: 3,
        first_delay: Duration::from_secs(10),
        max_delay: Duration::from_secs(60),
        forget_after: Duration::from_secs(600),
    };

    #[test]
    fn free_events_do_not_wait() {
        let throttle = Throttle::new(POLICY);
        let start = Instant::now();
        for _ in 0..2 {
            throttle.record("a", start);
        }
        assert_eq!(throttle.check("a", start), Ok(()));
    }

    #[test]
    fn waits_double_up_to_the_cap() {
        let throttle = Throttle::new(POLICY);
        let start = Instant::now();
        for _ in 0..3 {
            throttle.record("a", start);
        }
        assert_eq!(throttle.check("a", start), Err(Duration::from_secs(10)));
        assert_eq!(throttle.check("a", start + Duration::from_secs(10)), Ok(()));
        throttle.record("a", start);
        assert_eq!(throttle.check("a", start), Err(Duration::from_secs(20)));
        for _ in 0..10 {
            throttle.record("a", start);
        }
        assert_eq!(throttle.check("a", start), Err(Duration::from_secs(60)));
        assert_eq!(
            throttle.check("b", start),
            Ok(()),
            "other keys are not affected"
        );
    }

    #[test]
    fn success_and_time_forgive() {
        let throttle = Throttle::new(POLICY);
        let start = Instant::now();
        for _ in 0..5 {
            throttle.record("a", start);
            throttle.record("b", start);
        }
        throttle.clear("a");
        assert_eq!(throttle.check("a", start), Ok(()));
        let later = start + Duration::from_secs(601);
        throttle.record("b", later);
        assert_eq!(
            throttle.check("b", later),
            Ok(()),
            "old failures are forgotten"
        );
    }

    #[test]
    fn admit_counts_only_what_it_lets_through() {
        let throttle = Throttle::new(POLICY);
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(throttle.admit("a", start), Ok(()));
        }
        assert_eq!(throttle.admit("a", start), Err(Duration::from_secs(10)));
        assert_eq!(
            throttle.admit("a", start + Duration::from_secs(5)),
            Err(Duration::from_secs(5)),
            "a refused attempt does not make the wait longer"
        );
        assert_eq!(throttle.admit("a", start + Duration::from_secs(10)), Ok(()));
    }

    #[test]
    fn many_keys_are_swept_and_counting_goes_on() {
        let throttle = Throttle::new(POLICY);
        let start = Instant::now();
        for key in 0..3 * SWEEP_AT_LEAST {
            throttle.record(&key.to_string(), start);
        }
        let later = start + Duration::from_secs(601);
        for key in 0..=SWEEP_AT_LEAST {
            throttle.record(&format!("new {key}"), later);
        }
        for _ in 0..3 {
            throttle.record("kept", later);
        }
        let left = throttle.lock().events.len();
        assert_eq!(left, SWEEP_AT_LEAST + 2, "the forgotten keys are gone");
        assert_eq!(throttle.check("kept", later), Err(Duration::from_secs(10)));
    }

    #[test]
    fn ipv6_clients_count_by_their_64_network() {
        let key = |text: &str| client_key(text.parse().unwrap());
        assert_eq!(key("192.0.2.7"), "client:192.0.2.7");
        assert_eq!(key("::ffff:192.0.2.7"), "client:192.0.2.7");
        assert_eq!(key("2001:db8:1:2:aaaa::1"), key("2001:db8:1:2:bbbb::2"));
        assert_eq!(key("2001:db8:1:2::1"), "client:2001:db8:1:2::/64");
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
    }
}
