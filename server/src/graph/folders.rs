//! The mail folder tree: the root's children (hidden ones included), then
//! each folder's children, every list followed through `@odata.nextLink`.

use super::{Client, GraphError};
use serde::Deserialize;

/// A mail folder with its path (`Inbox/Projects/2024`), as Tresor names
/// folders in locations and rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder {
    pub id: String,
    pub path: String,
    pub total: u64,
    pub hidden: bool,
}

#[derive(Deserialize)]
struct Page {
    value: Vec<Entry>,
    #[serde(rename = "@odata.nextLink")]
    next: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    id: String,
    display_name: String,
    #[serde(default)]
    child_folder_count: u64,
    #[serde(default)]
    total_item_count: u64,
    #[serde(default)]
    is_hidden: bool,
}

/// Every folder, parents before children, depth first.
pub async fn list_folders(client: &Client) -> Result<Vec<Folder>, GraphError> {
    let mut folders = Vec::new();
    // (url of a folder list, the path of the folder it lists)
    let mut pending = vec![(
        client.url("mailFolders?includeHiddenFolders=true&$top=100"),
        String::new(),
    )];
    while let Some((url, parent)) = pending.pop() {
        let mut next = Some(url);
        let mut children = Vec::new();
        while let Some(url) = next {
            let page: Page = client.get_json(&url, None).await?;
            children.extend(page.value);
            next = page.next;
        }
        // Reversed onto the stack, so siblings come out in the server's order.
        for entry in children.into_iter().rev() {
            let path = if parent.is_empty() {
                entry.display_name.clone()
            } else {
                format!("{parent}/{}", entry.display_name)
            };
            if entry.child_folder_count > 0 {
                pending.push((
                    client.url(&format!(
                        "mailFolders/{}/childFolders?includeHiddenFolders=true&$top=100",
                        entry.id
                    )),
                    path.clone(),
                ));
            }
            folders.push(Folder {
                id: entry.id,
                path,
                total: entry.total_item_count,
                hidden: entry.is_hidden,
            });
        }
    }
    folders.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(folders)
}
