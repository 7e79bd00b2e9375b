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

/// The id of a well-known folder (`sentitems`, `deleteditems`, …), or
/// `None` if the mailbox has none (not every mailbox has an `archive`).
pub async fn well_known_folder(client: &Client, name: &str) -> Result<Option<String>, GraphError> {
    #[derive(Deserialize)]
    struct Found {
        id: String,
    }
    match client
        .get_json::<Found>(&client.url(&format!("mailFolders/{name}?$select=id")), None)
        .await
    {
        Ok(found) => Ok(Some(found.id)),
        Err(error) if error.is_not_found() => Ok(None),
        Err(error) => Err(error),
    }
}

/// Creates folder `name` below `parent_id` (`msgfolderroot` for the top
/// level) and returns its id; an existing one of that name is found instead.
pub async fn create_folder(
    client: &Client,
    parent_id: &str,
    name: &str,
) -> Result<String, GraphError> {
    #[derive(Deserialize)]
    struct Created {
        id: String,
    }
    let url = client.url(&format!("mailFolders/{parent_id}/childFolders"));
    let created = client
        .call(
            reqwest::Method::POST,
            &url,
            Some(serde_json::json!({ "displayName": name })),
        )
        .await;
    match created {
        Ok(body) => serde_json::from_slice::<Created>(&body)
            .map(|created| created.id)
            .map_err(|error| GraphError::BadAnswer {
                url,
                reason: error.to_string(),
            }),
        // Made meanwhile (another run, or the user): use it.
        Err(error) if error.code() == Some("ErrorFolderExists") => {
            let mut next = Some(format!("{url}?includeHiddenFolders=true&$top=100"));
            while let Some(url) = next {
                let page: Page = client.get_json(&url, None).await?;
                if let Some(found) = page
                    .value
                    .into_iter()
                    .find(|entry| entry.display_name == name)
                {
                    return Ok(found.id);
                }
                next = page.next;
            }
            Err(error)
        }
        Err(error) => Err(error),
    }
}
