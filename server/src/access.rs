//! The one access rule: who may read, manage or administer what.
//!
//! Two questions, answered here and nowhere else:
//! - may this *role* do this kind of work at all? (`app::model::access`'s
//!   table: auditors only read, users never administer);
//! - may this *person* touch this mailbox? Reading follows
//!   `Mailboxes::visible_to` (own, granted, admins all); managing is the
//!   owner's, if their role may manage, or an administrator's.
//!
//! The web's server functions and byte routes, and the services the CLI
//! shares, ask through `Access`; a mailbox one may not read is "not found",
//! the same answer as one that does not exist, so ids cannot be probed.

use crate::mailbox::{MailboxError, MailboxRow, Mailboxes};
use crate::viewer::Reader;
use app::model::access::Capability;
use app::model::{Role, SessionUser};
use std::sync::Arc;

/// Why the rule says no.
#[derive(Debug, thiserror::Error)]
pub enum Denied {
    /// The role may not do this kind of work (403).
    #[error("your role may not do this")]
    Forbidden,
    /// No such mailbox, or not one the person may see (404).
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Mailbox(#[from] MailboxError),
}

/// What someone wants to do with one mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailboxUse {
    /// See it, its runs and its mail.
    Read,
    /// Change, test, run, pause, delete, sign in, restore into.
    Manage,
}

/// Whether `person` may do `capability`'s kind of work.
pub fn require(person: &SessionUser, capability: Capability) -> Result<(), Denied> {
    if person.may(capability) {
        Ok(())
    } else {
        Err(Denied::Forbidden)
    }
}

/// Whether `person` manages `row`: an administrator, or its owner when
/// their role manages mailboxes.
pub fn manages(person: &SessionUser, row: &MailboxRow) -> bool {
    person.may(Capability::Administer)
        || (row.owner_id == Some(person.id) && person.may(Capability::ManageOwnMailboxes))
}

/// What `person` reads in the archive: all of it, the mailboxes they own or
/// were granted, or those read-only.
pub fn reader(person: &SessionUser) -> Reader {
    match person.role {
        Role::Admin => Reader::Everyone,
        Role::User => Reader::User(person.id),
        Role::Auditor => Reader::Auditor(person.id),
    }
}

/// Decides about mailboxes for the web and the services.
#[derive(Clone)]
pub struct Access {
    mailboxes: Arc<Mailboxes>,
}

impl Access {
    pub fn new(mailboxes: Arc<Mailboxes>) -> Access {
        Access { mailboxes }
    }

    /// Mailbox `id` if `person` may use it so. Managing needs the role's
    /// capability first (an auditor is refused outright, 403); a mailbox the
    /// person may not read is 404; one they read but do not manage is 404
    /// as well, as it always was (read-only grantees see no manage controls).
    pub async fn mailbox(
        &self,
        person: &SessionUser,
        id: i64,
        usage: MailboxUse,
    ) -> Result<MailboxRow, Denied> {
        if usage == MailboxUse::Manage {
            require(person, Capability::ManageOwnMailboxes)?;
        }
        let row = match self.mailboxes.by_id(id).await {
            Ok(row) => row,
            Err(MailboxError::NotFound(_)) => return Err(Denied::NotFound),
            Err(other) => return Err(other.into()),
        };
        let allowed = match usage {
            MailboxUse::Manage => manages(person, &row),
            MailboxUse::Read => manages(person, &row) || self.is_granted(person, &row).await?,
        };
        if allowed {
            Ok(row)
        } else {
            Err(Denied::NotFound)
        }
    }

    /// The mailboxes `person` may see: own and granted, administrators all.
    pub async fn visible_mailboxes(
        &self,
        person: &SessionUser,
    ) -> Result<Vec<MailboxRow>, MailboxError> {
        self.mailboxes
            .visible_to(person.id, person.may(Capability::Administer))
            .await
    }

    async fn is_granted(&self, person: &SessionUser, row: &MailboxRow) -> Result<bool, Denied> {
        Ok(self.mailboxes.is_granted(row.id, person.id).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: i64, role: Role) -> SessionUser {
        SessionUser {
            id,
            email: format!("{id}@example.com"),
            display_name: String::new(),
            role,
            language: None,
        }
    }

    #[test]
    fn auditors_read_only_even_what_they_own() {
        let auditor = person(7, Role::Auditor);
        assert!(matches!(
            require(&auditor, Capability::ManageOwnMailboxes),
            Err(Denied::Forbidden)
        ));
        assert_eq!(reader(&auditor), Reader::Auditor(7));
        assert_eq!(reader(&person(8, Role::User)), Reader::User(8));
        assert_eq!(reader(&person(9, Role::Admin)), Reader::Everyone);
    }
}
