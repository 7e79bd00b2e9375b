//! Failed sign-in throttling. After a few free failures for the same key
//! (an e-mail address, or a client address), further attempts must wait,
//! twice as long after each new failure, up to a cap. A success clears the key.
//!
//! Kept in memory: a restart forgives, which is acceptable; the point is to
//! make password guessing slow, not to lock people out for good.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Failures allowed before any waiting.
    pub free_failures: u32,
    /// The wait after the first failure beyond the free ones.
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// A key with no failure for this long starts over.
    pub forget_after: Duration,
}

impl Policy {
    /// For one e-mail address.
    pub const PER_ACCOUNT: Policy = Policy {
        free_failures: 5,
        first_delay: Duration::from_secs(30),
        max_delay: Duration::from_secs(15 * 60),
        forget_after: Duration::from_secs(60 * 60),
    };
    /// For one client address: more generous, an office may share one address.
    pub const PER_CLIENT: Policy = Policy {
        free_failures: 25,
        first_delay: Duration::from_secs(30),
        max_delay: Duration::from_secs(15 * 60),
        forget_after: Duration::from_secs(60 * 60),
    };
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

#[derive(Debug)]
pub struct Throttle {
    policy: Policy,
    failures: Mutex<HashMap<String, Failures>>,
}

impl Throttle {
    pub fn new(policy: Policy) -> Self {
        Throttle {
            policy,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(wait)` if `key` must wait before its next attempt.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let failures = self
            .failures
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        let Some(entry) = failures.get(key) else {
            return Ok(());
        };
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

    pub fn record_failure(&self, key: &str, now: Instant) {
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        let forget_after = self.policy.forget_after;
        failures.retain(|_, entry| now.saturating_duration_since(entry.last) < forget_after);
        let entry = failures.entry(key.to_string()).or_insert(Failures {
            count: 0,
            last: now,
        });
        entry.count += 1;
        entry.last = now;
    }

    pub fn record_success(&self, key: &str) {
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        failures.remove(key);
    }

    fn delay_after(&self, count: u32) -> Option<Duration> {
        let beyond = count.checked_sub(self.policy.free_failures)?;
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
        free_failures: 3,
        first_delay: Duration::from_secs(10),
        max_delay: Duration::from_secs(60),
        forget_after: Duration::from_secs(600),
    };

    #[test]
    fn free_failures_do_not_wait() {
        let throttle = Throttle::new(POLICY);
        let start = Instant::now();
        for _ in 0..2 {
            throttle.record_failure("a", start);
        }
        assert_eq!(throttle.check("a", start), Ok(()));
    }

    #[test]
    fn waits_double_up_to_the_cap() {
        let throttle = Throttle::new(POLICY);
        let start = Instant::now();
        for _ in 0..3 {
            throttle.record_failure("a", start);
        }
        assert_eq!(throttle.check("a", start), Err(Duration::from_secs(10)));
        assert_eq!(throttle.check("a", start + Duration::from_secs(10)), Ok(()));
        throttle.record_failure("a", start);
        assert_eq!(throttle.check("a", start), Err(Duration::from_secs(20)));
        for _ in 0..10 {
            throttle.record_failure("a", start);
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
            throttle.record_failure("a", start);
            throttle.record_failure("b", start);
        }
        throttle.record_success("a");
        assert_eq!(throttle.check("a", start), Ok(()));
        let later = start + Duration::from_secs(601);
        throttle.record_failure("b", later);
        assert_eq!(
            throttle.check("b", later),
            Ok(()),
            "old failures are forgotten"
        );
    }
}
