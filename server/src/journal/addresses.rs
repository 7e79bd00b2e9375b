//! Which journal mailbox takes mail for which recipient address: one
//! address belongs to one journal mailbox; `*` makes a mailbox the
//! catch-all for every address no other names.
//!
//! Read from the database at every RCPT TO, so an address added while
//! `tresor serve` runs is taken at once.

use crate::db::entity::journal_address;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};

/// The address that stands for every address no journal mailbox names.
pub const CATCH_ALL: &str = "*";
/// The longest address taken (RFC 5321 §4.5.3.1.3: a path is at most 256
/// octets with its angle brackets).
const MAX_ADDRESS_BYTES: usize = 254;

#[derive(Debug, thiserror::Error)]
pub enum AddressError {
    #[error("{0:?} is not an e-mail address (local@domain) or \"*\"")]
    Invalid(String),
    #[error("the address {0:?} is taken by another journal mailbox already")]
    Taken(String),
    #[error("database error: {0}")]
    Db(#[from] DbErr),
}

/// `address` as the table keeps it: trimmed, without angle brackets,
/// lower-cased; `None` if it is neither an address nor `*`.
pub fn normalize(address: &str) -> Option<String> {
    let address = address.trim();
    let address = address
        .strip_prefix('<')
        .and_then(|inner| inner.strip_suffix('>'))
        .unwrap_or(address);
    if address == CATCH_ALL {
        return Some(CATCH_ALL.to_string());
    }
    let (local, domain) = address.rsplit_once('@')?;
    let plausible = !local.is_empty()
        && !domain.is_empty()
        && address.len() <= MAX_ADDRESS_BYTES
        && !address.chars().any(|c| c.is_whitespace() || c.is_control());
    plausible.then(|| address.to_lowercase())
}

/// The journal mailbox that takes mail for `recipient`: the one naming it,
/// else the catch-all; `None` if neither exists.
pub async fn mailbox_for(db: &impl ConnectionTrait, recipient: &str) -> Result<Option<i64>, DbErr> {
    let Some(address) = normalize(recipient) else {
        return Ok(None);
    };
    let rows = journal_address::Entity::find()
        .filter(journal_address::Column::Address.is_in([address.as_str(), CATCH_ALL]))
        .all(db)
        .await?;
    let named = rows.iter().find(|row| row.address == address);
    let catch_all = rows.iter().find(|row| row.address == CATCH_ALL);
    Ok(named.or(catch_all).map(|row| row.mailbox_id))
}

/// Lets journal mailbox `mailbox_id` take mail for `address`.
pub async fn add(
    db: &impl ConnectionTrait,
    mailbox_id: i64,
    address: &str,
) -> Result<(), AddressError> {
    let normalized = normalize(address).ok_or_else(|| AddressError::Invalid(address.into()))?;
    if let Some(existing) = journal_address::Entity::find()
        .filter(journal_address::Column::Address.eq(normalized.as_str()))
        .one(db)
        .await?
    {
        if existing.mailbox_id == mailbox_id {
            return Ok(());
        }
        return Err(AddressError::Taken(normalized));
    }
    journal_address::ActiveModel {
        mailbox_id: Set(mailbox_id),
        address: Set(normalized),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Every address of every journal mailbox, as (mailbox id, address), by mailbox.
pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<(i64, String)>, DbErr> {
    let rows = journal_address::Entity::find()
        .order_by_asc(journal_address::Column::MailboxId)
        .order_by_asc(journal_address::Column::Address)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.mailbox_id, row.address))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_kept_lower_case_without_brackets() {
        assert_eq!(
            normalize(" <Journal@Example.ORG> "),
            Some("journal@example.org".into())
        );
        assert_eq!(normalize("*"), Some("*".into()));
        assert_eq!(normalize("no-at-sign"), None);
        assert_eq!(normalize("a b@example.org"), None);
        assert_eq!(normalize("@example.org"), None);
    }
}
