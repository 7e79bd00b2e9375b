//! Batch archiving for admins: a master-user batch or a CSV list creates one
//! mailbox per user, and optionally queues their first runs.

mod csv;
mod master;

pub use csv::*;
pub use master::*;
