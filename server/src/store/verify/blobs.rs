//! The blob store's side of a verification: every blob re-hashed on all
//! cores, and the blobs compared with the message rows (each message has its
//! blob, each blob a message, nothing else in the store).

use super::finding::Finding;
use super::{Verifier, VerifyError, sorted};
use crate::store::{BlobStore, Check, Digest, StoreError};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};

impl Verifier {
    /// Re-hashes every blob on all cores; compares the store with the rows.
    pub(super) async fn check_blobs(
        &self,
        messages: &HashMap<i64, String>,
        findings: &mut Vec<Finding>,
    ) -> Result<(u64, u64), VerifyError> {
        let store = self.store.clone();
        let threads = self.threads;
        let (listing, checks) = tokio::task::spawn_blocking(move || {
            let listing = store.list()?;
            let checks = check_all(&store, &listing.digests, threads);
            Ok::<_, StoreError>((listing, checks))
        })
        .await
        .map_err(|error| VerifyError::Join(error.to_string()))??;

        let mut by_hash: HashMap<&str, Vec<i64>> = HashMap::new();
        for (id, sha256) in messages {
            by_hash.entry(sha256.as_str()).or_default().push(*id);
        }
        let mut bytes = 0u64;
        let mut present = HashSet::with_capacity(listing.digests.len());
        for (digest, check) in listing.digests.iter().zip(checks) {
            let sha256 = digest.to_string();
            let mut message_ids = by_hash.get(sha256.as_str()).cloned().unwrap_or_default();
            message_ids.sort_unstable();
            match check {
                Ok(Check::Intact { raw_len }) => bytes += raw_len,
                // Listed a moment ago, gone now: reported below as missing.
                Ok(Check::Missing) => continue,
                Ok(Check::Damaged { reason }) => findings.push(Finding::AlteredBlob {
                    sha256: sha256.clone(),
                    message_ids: message_ids.clone(),
                    reason,
                }),
                Err(error) => findings.push(Finding::AlteredBlob {
                    sha256: sha256.clone(),
                    message_ids: message_ids.clone(),
                    reason: error.to_string(),
                }),
            }
            if message_ids.is_empty() {
                findings.push(Finding::ExtraBlob {
                    sha256: sha256.clone(),
                });
            }
            present.insert(sha256);
        }
        for (message_id, sha256) in sorted(messages) {
            if !present.contains(sha256) {
                findings.push(Finding::MissingBlob {
                    message_id,
                    sha256: sha256.clone(),
                });
            }
        }
        for path in listing.strays {
            findings.push(Finding::StrayFile {
                path: path.display().to_string(),
            });
        }
        Ok((present.len() as u64, bytes))
    }
}

/// Checks blobs on `threads` threads, each taking the next unchecked one;
/// results in the order of `digests`.
fn check_all(
    store: &BlobStore,
    digests: &[Digest],
    threads: usize,
) -> Vec<Result<Check, StoreError>> {
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<Result<Check, StoreError>>> =
        (0..digests.len()).map(|_| None).collect();
    let parts: Vec<Vec<(usize, Result<Check, StoreError>)>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.max(1))
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(digest) = digests.get(index) else {
                            return done;
                        };
                        done.push((index, store.check(digest)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("a blob check never panics"))
            .collect()
    });
    for (index, result) in parts.into_iter().flatten() {
        results[index] = Some(result);
    }
    results
        .into_iter()
        .map(|result| result.expect("every blob was checked"))
        .collect()
}
