//! Argon2id password hashes in PHC string format, computed off the async
//! runtime and never more than `MAX_CONCURRENT_HASHES` at once.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Argon2, password_hash::rand_core::OsRng};
use std::sync::LazyLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::{Semaphore, SemaphorePermit};

/// Argon2 computations running at once, in the whole process. Each takes
/// 19 MiB and tens of milliseconds of one core: without a bound, a burst of
/// sign-in attempts would take every core and a lot of memory, and the
/// server would stop answering anyone else. Further attempts wait their turn.
pub const MAX_CONCURRENT_HASHES: usize = 4;

static HASHING: Semaphore = Semaphore::const_new(MAX_CONCURRENT_HASHES);

/// Computations running now, and the most seen at once (for the test of the bound).
static RUNNING: AtomicUsize = AtomicUsize::new(0);
static MOST_AT_ONCE: AtomicUsize = AtomicUsize::new(0);

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// The right to run one Argon2 computation now. Taken before the throttle is
/// checked, so attempts that queued for it see the failures recorded while
/// they waited.
pub struct HashingSlot(#[allow(dead_code)] SemaphorePermit<'static>);

impl HashingSlot {
    /// Waits until fewer than `MAX_CONCURRENT_HASHES` computations run.
    pub async fn acquire() -> HashingSlot {
        // The semaphore is never closed, so acquiring cannot fail.
        let permit = HASHING
            .acquire()
            .await
            .expect("the hashing semaphore is never closed");
        HashingSlot(permit)
    }

    /// Hashes a new password off the async runtime.
    pub async fn hash(self, password: &str) -> Result<String, HashError> {
        let password = password.to_string();
        let hashed = tokio::task::spawn_blocking(move || counted(|| hash(&password))).await;
        drop(self);
        hashed.unwrap_or_else(|join_error| Err(HashError::from_join(join_error)))
    }

    /// Whether `password` matches `stored` (a PHC string), off the async
    /// runtime. Without a stored hash (an unknown account) it spends the same
    /// time on a dummy hash and answers `false`, so an unknown e-mail address
    /// cannot be told from a wrong password by timing.
    pub async fn verify(self, password: &str, stored: Option<&str>) -> bool {
        let password = password.to_string();
        let stored = stored.map(str::to_string);
        let matched = tokio::task::spawn_blocking(move || {
            counted(|| match stored {
                Some(stored) => verify(&password, &stored),
                None => {
                    let _ = verify(&password, &DUMMY);
                    false
                }
            })
        })
        .await;
        drop(self);
        matched.unwrap_or(false)
    }
}

/// Runs one computation, counted in `RUNNING`.
fn counted<T>(compute: impl FnOnce() -> T) -> T {
    let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
    MOST_AT_ONCE.fetch_max(now, Ordering::SeqCst);
    let result = compute();
    RUNNING.fetch_sub(1, Ordering::SeqCst);
    result
}

/// A hash with the same parameters as every new one, to verify against for
/// unknown accounts.
static DUMMY: LazyLock<String> =
    LazyLock::new(|| hash("dummy password for timing").unwrap_or_default());

/// Computes the dummy hash now, so the first unknown account does not pay for it.
pub fn prepare_dummy() {
    LazyLock::force(&DUMMY);
}

/// Hashes with Argon2id and the crate's recommended parameters (19 MiB, 2 passes).
/// Blocks for tens of milliseconds: async code goes through `HashingSlot`.
pub fn hash(password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| HashError(error.to_string()))
}

/// Whether `password` matches `phc_hash`. A malformed stored hash never matches.
/// Blocks for tens of milliseconds: async code goes through `HashingSlot`.
pub fn verify(password: &str, phc_hash: &str) -> bool {
    match PasswordHash::new(phc_hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

impl HashError {
    fn from_join(error: tokio::task::JoinError) -> Self {
        HashError(format!("hashing task failed: {error}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_argon2id_and_verifies() {
        let hashed = hash("correct horse battery").unwrap();
        assert!(hashed.starts_with("$argon2id$"), "{hashed}");
        assert!(verify("correct horse battery", &hashed));
        assert!(!verify("correct horse batterY", &hashed));
    }

    #[test]
    fn same_password_gets_a_new_salt_each_time() {
        assert_ne!(hash("pw-pw-pw-pw").unwrap(), hash("pw-pw-pw-pw").unwrap());
    }

    #[test]
    fn malformed_hash_never_matches() {
        assert!(!verify("", ""));
        assert!(!verify("x", "not a phc string"));
    }

    /// The dummy costs what a real verification costs: the same algorithm
    /// and parameters as a freshly stored hash.
    #[test]
    fn the_dummy_hash_has_the_parameters_of_a_real_one() {
        let parameters = |phc: &str| {
            let parsed = PasswordHash::new(phc).unwrap();
            (
                parsed.algorithm.to_string(),
                parsed.version,
                parsed.params.to_string(),
            )
        };
        assert_eq!(parameters(&DUMMY), parameters(&hash("a password").unwrap()));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn no_more_than_the_limit_hash_at_once() {
        let attempts: Vec<_> = (0..4 * MAX_CONCURRENT_HASHES)
            .map(|round| {
                tokio::spawn(async move {
                    let slot = HashingSlot::acquire().await;
                    if round % 2 == 0 {
                        slot.hash("a password").await.is_ok()
                    } else {
                        !slot.verify("a password", None).await
                    }
                })
            })
            .collect();
        for attempt in attempts {
            assert!(attempt.await.unwrap());
        }
        let most = MOST_AT_ONCE.load(Ordering::SeqCst);
        assert!((2..=MAX_CONCURRENT_HASHES).contains(&most), "{most}");
    }
}
