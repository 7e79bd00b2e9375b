//! One delta round of a folder's messages: the first round lists every
//! message, a later one (from the stored delta link) what changed since.
//! Pages follow `@odata.nextLink` until one carries `@odata.deltaLink`, which
//! is kept for the next round — the Graph counterpart of an IMAP UID mark.

use super::{Client, GraphError};
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// A message the round reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeltaItem {
    /// New or changed: fetch it (if not archived yet).
    Present(Listed),
    /// Deleted, or moved out of the folder.
    Removed { id: String },
}

/// A message as a delta round lists it: enough to decide on filters and
/// actions without fetching it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub id: String,
    pub received: Option<DateTime<Utc>>,
    /// Outlook categories (what tags become on Graph).
    pub categories: Vec<String>,
}

impl DeltaItem {
    pub fn id(&self) -> &str {
        match self {
            DeltaItem::Present(listed) => &listed.id,
            DeltaItem::Removed { id } => id,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeltaRound {
    pub items: Vec<DeltaItem>,
    /// Where the next round starts.
    pub delta_link: String,
    pub pages: usize,
}

#[derive(Deserialize)]
struct Page {
    value: Vec<Entry>,
    #[serde(rename = "@odata.nextLink")]
    next: Option<String>,
    #[serde(rename = "@odata.deltaLink")]
    delta: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    id: String,
    #[serde(rename = "@removed")]
    removed: Option<serde_json::Value>,
    received_date_time: Option<DateTime<Utc>>,
    #[serde(default)]
    categories: Vec<String>,
}

/// Runs a round of `folder_id` from `delta_link` (or from the start) with
/// pages of `page_size` messages. Query options are only sent on the first
/// request: the links carry them on.
pub async fn delta_round(
    client: &Client,
    folder_id: &str,
    delta_link: Option<&str>,
    page_size: usize,
) -> Result<DeltaRound, GraphError> {
    let mut url = match delta_link {
        Some(link) => link.to_string(),
        None => client.url(&format!(
            "mailFolders/{folder_id}/messages/delta?$select=id,receivedDateTime,categories"
        )),
    };
    let mut items = Vec::new();
    let mut pages = 0;
    loop {
        let page: Page = client.get_json(&url, Some(page_size)).await?;
        pages += 1;
        items.extend(page.value.into_iter().map(|entry| match entry.removed {
            Some(_) => DeltaItem::Removed { id: entry.id },
            None => DeltaItem::Present(Listed {
                id: entry.id,
                received: entry.received_date_time,
                categories: entry.categories,
            }),
        }));
        match (page.next, page.delta) {
            (Some(next), _) => url = next,
            (None, Some(delta_link)) => {
                return Ok(DeltaRound {
                    items,
                    delta_link,
                    pages,
                });
            }
            (None, None) => {
                return Err(GraphError::BadAnswer {
                    url,
                    reason: "a delta page with neither a next link nor a delta link".into(),
                });
            }
        }
    }
}
