//! What each role may do at all, before any particular mailbox or message is
//! looked at. The server's `access` module decides with this table (and adds
//! who owns or was granted what); the browser uses it only to hide what a
//! person cannot use, never as the check.

use super::{Role, SessionUser};
use serde::{Deserialize, Serialize};

/// A kind of work, as the access rule grants it to roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Capability {
    /// Search, read, download and export the mail of the mailboxes one may see.
    ReadArchive,
    /// Connect mailboxes of one's own and work them: create, edit, test,
    /// subscribe folders, sign in, run, pause, delete, restore into them.
    ManageOwnMailboxes,
    /// Users, shared mailboxes, templates, batches, retention and holds, SMTP,
    /// sign-in apps, app-only (tenant-wide) access, master users, CA files,
    /// internal destinations, the audit log, integrity figures.
    Administer,
}

impl Capability {
    pub const ALL: [Capability; 3] = [
        Capability::ReadArchive,
        Capability::ManageOwnMailboxes,
        Capability::Administer,
    ];
}

impl Role {
    /// The one role table. Auditors only read: they change nothing, connect
    /// nothing and restore nothing (GoBD inspection is read-only).
    pub fn may(self, capability: Capability) -> bool {
        match (self, capability) {
            (Role::Admin, _) => true,
            (Role::User, Capability::ReadArchive | Capability::ManageOwnMailboxes) => true,
            (Role::Auditor, Capability::ReadArchive) => true,
            (Role::User | Role::Auditor, _) => false,
        }
    }
}

impl SessionUser {
    pub fn may(&self, capability: Capability) -> bool {
        self.role.may(capability)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auditors_only_read_and_users_never_administer() {
        assert!(Role::Auditor.may(Capability::ReadArchive));
        assert!(!Role::Auditor.may(Capability::ManageOwnMailboxes));
        assert!(!Role::Auditor.may(Capability::Administer));
        assert!(Role::User.may(Capability::ManageOwnMailboxes));
        assert!(!Role::User.may(Capability::Administer));
        for capability in Capability::ALL {
            assert!(Role::Admin.may(capability), "{capability:?}");
        }
    }
}
