//! The archive viewer's service: search, read, download, export and restore
//! archived mail — each only over what the asker may see. The web and the
//! CLI both go through here, so the visibility rule is applied in one place:
//! a `Reader` becomes a `Scope` from `Mailboxes::visible_to`, the index
//! applies it to every query, and every single-message access checks that
//! the message has a copy in one of the reader's mailboxes.
//!
//! `service` is the `Viewer` itself (scope, search, one message, raw bytes);
//! `message` reads a message's text, HTML and attachments; `selection` what
//! an export covers, page by page; `export` writes it as zip or mbox;
//! `restore` puts messages back on a mail server, `copy_check` asks
//! whether a folder there already holds them.

mod copy_check;
pub mod export;
pub mod message;
mod restore;
mod selection;
mod service;

pub use restore::{MAX_RESTORE_MESSAGES, RestoreError};
pub use selection::{ExportItems, ExportPlan, Selection};
pub use service::{EXPORT_PAGE_SIZE, Reader, Viewer, ViewerError};
