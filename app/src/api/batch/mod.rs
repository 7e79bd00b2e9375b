//! Batch archiving for admins: a master-user batch or a CSV list creates one
//! mailbox per user, and optionally queues their first runs.

mod import_csv;
mod master;
mod preview_csv;

pub use import_csv::*;
pub use master::*;
pub use preview_csv::*;
