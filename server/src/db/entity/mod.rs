//! sea-orm entities, one file per table. Rows are server-only: they may hold
//! secrets (password hashes, sealed mailbox secrets), so none derives `Serialize`.

pub mod audit_entry;
pub mod failure_notice;
pub mod folder_checkpoint;
pub mod index_queue;
pub mod job;
pub mod journal_address;
pub mod ledger;
pub mod ledger_head;
pub mod legal_hold;
pub mod mailbox;
pub mod mailbox_grant;
pub mod mailbox_template;
pub mod message;
pub mod message_location;
pub mod oauth_app;
pub mod oauth_flow;
pub mod oauth_grant;
pub mod password_reset;
pub mod retention_policy;
pub mod session;
pub mod smtp_settings;
pub mod user;
pub mod verification;
