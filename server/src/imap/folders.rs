//! The folder list as LIST and LSUB report it, and creating folders.

use super::{ImapError, Session, utf7, with_timeout};
use futures::TryStreamExt;
use std::collections::HashSet;
use std::time::Duration;

/// A folder as LIST reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedFolder {
    /// As the server spells it (modified UTF-7); pass it back unchanged in commands.
    pub name: String,
    /// The hierarchy separator, `/` or `.` usually.
    pub delimiter: Option<String>,
    /// Attributes such as `\Noselect`, `\Trash`, `\Sent`.
    pub attributes: Vec<String>,
    /// Whether the user subscribed to it (LSUB).
    pub subscribed: bool,
}

impl ListedFolder {
    pub fn is_selectable(&self) -> bool {
        !self.attributes.iter().any(|attribute| {
            attribute.eq_ignore_ascii_case("\\Noselect")
                || attribute.eq_ignore_ascii_case("\\NonExistent")
        })
    }

    /// The readable name with `/` between levels, whatever the server's
    /// separator: what rules match and what people see.
    pub fn path(&self) -> String {
        let readable = utf7::decode(&self.name);
        match self.delimiter.as_deref() {
            Some(delimiter) if delimiter != "/" && !delimiter.is_empty() => {
                readable.replace(delimiter, "/")
            }
            _ => readable,
        }
    }
}

/// Every folder with its attributes and subscription.
pub async fn list_folders(
    session: &mut Session,
    timeout: Duration,
) -> Result<Vec<ListedFolder>, ImapError> {
    use async_imap::types::NameAttribute;
    with_timeout(timeout, "listing folders", async {
        let subscribed: HashSet<String> = session
            .lsub(None, Some("*"))
            .await?
            .map_ok(|name| name.name().to_string())
            .try_collect()
            .await?;
        let names: Vec<_> = session.list(None, Some("*")).await?.try_collect().await?;
        Ok::<_, ImapError>(
            names
                .iter()
                .map(|name| ListedFolder {
                    name: name.name().to_string(),
                    delimiter: name.delimiter().map(str::to_string),
                    attributes: name
                        .attributes()
                        .iter()
                        .map(|attribute| match attribute {
                            NameAttribute::NoInferiors => "\\Noinferiors".to_string(),
                            NameAttribute::NoSelect => "\\Noselect".to_string(),
                            NameAttribute::Marked => "\\Marked".to_string(),
                            NameAttribute::Unmarked => "\\Unmarked".to_string(),
                            NameAttribute::All => "\\All".to_string(),
                            NameAttribute::Archive => "\\Archive".to_string(),
                            NameAttribute::Drafts => "\\Drafts".to_string(),
                            NameAttribute::Flagged => "\\Flagged".to_string(),
                            NameAttribute::Junk => "\\Junk".to_string(),
                            NameAttribute::Sent => "\\Sent".to_string(),
                            NameAttribute::Trash => "\\Trash".to_string(),
                            NameAttribute::Extension(other) => other.to_string(),
                            _ => String::new(),
                        })
                        .filter(|attribute| !attribute.is_empty())
                        .collect(),
                    subscribed: subscribed.contains(name.name()),
                })
                .collect(),
        )
    })
    .await?
}

/// Creates `name` (server spelling) and subscribes to it so mail clients show
/// it. A folder that exists already is fine: another run may have created it.
pub async fn create_folder(
    session: &mut Session,
    name: &str,
    timeout: Duration,
) -> Result<(), ImapError> {
    let created = with_timeout(timeout, "creating a folder", session.create(name)).await?;
    if let Err(error) = created {
        let exists = with_timeout(timeout, "listing folders", async {
            let found: Vec<_> = session.list(None, Some(name)).await?.try_collect().await?;
            Ok::<_, ImapError>(!found.is_empty())
        })
        .await??;
        if !exists {
            return Err(ImapError::CreateFolder {
                name: utf7::decode(name),
                source: error,
            });
        }
    }
    // Not being able to subscribe does not lose mail; the folder is there.
    let _ = with_timeout(timeout, "subscribing", session.subscribe(name)).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_paths_use_slashes_and_noselect_is_not_selectable() {
        let cyrus = ListedFolder {
            name: "INBOX.Rechnungen.Entw&APw-rfe".into(),
            delimiter: Some(".".into()),
            attributes: vec!["\\HasNoChildren".into()],
            subscribed: true,
        };
        assert_eq!(cyrus.path(), "INBOX/Rechnungen/Entwürfe");
        assert!(cyrus.is_selectable());
        let parent = ListedFolder {
            name: "Projects".into(),
            delimiter: Some("/".into()),
            attributes: vec!["\\Noselect".into()],
            subscribed: false,
        };
        assert_eq!(parent.path(), "Projects");
        assert!(!parent.is_selectable());
    }
}
