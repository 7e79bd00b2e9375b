//! The memory all sessions together may hold for messages on their way in.
//! Each session buffers a whole message before `deliver` (storage wants it
//! whole, and nothing is delivered until the client has sent all of it), so
//! `max_connections` × `max_message_bytes` could be far more than the
//! machine has; one budget bounds the sum instead, and a message that does
//! not fit gets a temporary refusal (the sender tries again later).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Bytes of message content held by all sessions sharing it.
#[derive(Debug)]
pub struct ByteBudget {
    limit: usize,
    in_use: AtomicUsize,
}

impl ByteBudget {
    pub fn new(limit: usize) -> ByteBudget {
        ByteBudget {
            limit,
            in_use: AtomicUsize::new(0),
        }
    }

    /// Bytes held now, by all sessions.
    pub fn in_use(&self) -> usize {
        self.in_use.load(Ordering::SeqCst)
    }

    fn try_take(&self, bytes: usize) -> bool {
        self.in_use
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |in_use| {
                in_use
                    .checked_add(bytes)
                    .filter(|total| *total <= self.limit)
            })
            .is_ok()
    }

    fn give_back(&self, bytes: usize) {
        self.in_use.fetch_sub(bytes, Ordering::SeqCst);
    }
}

/// One message's share of the budget, given back when it is dropped (the
/// message delivered, refused, or its connection gone).
#[derive(Debug)]
pub(super) struct Reservation {
    budget: Arc<ByteBudget>,
    bytes: usize,
}

impl Reservation {
    pub(super) fn new(budget: Arc<ByteBudget>) -> Reservation {
        Reservation { budget, bytes: 0 }
    }

    /// Takes `bytes` more; false (and nothing taken) when the budget has no room.
    pub(super) fn grow(&mut self, bytes: usize) -> bool {
        if !self.budget.try_take(bytes) {
            return false;
        }
        self.bytes += bytes;
        true
    }

    /// Whether the budget has no room left for anything.
    pub(super) fn budget_exhausted(&self) -> bool {
        self.budget.in_use() >= self.budget.limit
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.budget.give_back(self.bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_stay_within_the_limit_and_give_back_when_dropped() {
        let budget = Arc::new(ByteBudget::new(100));
        let mut first = Reservation::new(budget.clone());
        let mut second = Reservation::new(budget.clone());
        assert!(first.grow(60));
        assert!(!second.grow(41));
        assert!(second.grow(40));
        assert!(second.budget_exhausted());
        assert_eq!(budget.in_use(), 100);
        drop(first);
        assert_eq!(budget.in_use(), 40);
        drop(second);
        assert_eq!(budget.in_use(), 0);
    }
}
