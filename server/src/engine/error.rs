//! What can end an archive job or a folder's run: the mailbox row, the
//! connection, the store, the database, the action. Per-message problems are
//! not errors: they go into the job log and the run goes on.

use super::action::ActionError;
use crate::imap::ImapError;
use crate::mailbox::MailboxError;
use sea_orm::DbErr;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Mailbox(#[from] MailboxError),
    #[error(transparent)]
    Imap(#[from] ImapError),
    #[error(transparent)]
    Graph(#[from] crate::graph::GraphError),
    #[error(transparent)]
    Pop3(#[from] crate::pop3::Pop3Error),
    #[error("the after-archive action failed: {0}")]
    Action(#[from] ActionError),
    #[error("storing a message failed: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("the mailbox settings are invalid: {0}")]
    Rules(String),
    #[error("storing a message stopped unexpectedly: {0}")]
    StoreTask(#[from] tokio::task::JoinError),
    #[error("no message arrived for {} s: the server or the connection stalled", .0.as_secs())]
    Stalled(Duration),
}
