//! The after-archive action through Graph: categories written with PATCH,
//! moves into `<base>/<folder>` (made as needed), DELETE — four requests at
//! a time, for settled messages only.

use crate::engine::action::{ActionError, ServerFolder};
use crate::graph::{self, Client, GraphError, Listed};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use reqwest::Method;
use std::collections::HashMap;

/// A Graph folder as the after-archive action changes it.
pub(super) struct GraphFolder<'c> {
    pub(super) client: &'c Client,
    /// The round's messages by UID: their Graph ids and categories.
    pub(super) listed: &'c HashMap<u32, Listed>,
    /// Folder ids by path: those listed, and move targets made in this run.
    pub(super) folder_ids: &'c mut HashMap<String, String>,
    /// The folder's path, below which move targets are made.
    pub(super) path: &'c str,
    pub(super) now: DateTime<Utc>,
}

impl ServerFolder for GraphFolder<'_> {
    fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Adds the tag as an Outlook category.
    async fn tag(&mut self, uids: &[u32], tag: &str) -> Result<u64, ActionError> {
        let client = self.client;
        let mut patches = Vec::with_capacity(uids.len());
        for uid in uids {
            let listed = &self.listed[uid];
            let mut categories = listed.categories.clone();
            categories.push(tag.to_string());
            let url = client.url(&format!("messages/{}", listed.id));
            let body = serde_json::json!({ "categories": categories });
            patches.push(async move { client.call(Method::PATCH, &url, Some(body)).await });
        }
        Ok(each_at_most_four(patches).await?)
    }

    async fn move_to(&mut self, uids: &[u32], base: &str) -> Result<u64, ActionError> {
        let target = self.target_folder(&format!("{base}/{}", self.path)).await?;
        let client = self.client;
        let mut moves = Vec::with_capacity(uids.len());
        for uid in uids {
            let url = client.url(&format!("messages/{}/move", self.listed[uid].id));
            let body = serde_json::json!({ "destinationId": target });
            moves.push(async move { client.call(Method::POST, &url, Some(body)).await });
        }
        Ok(each_at_most_four(moves).await?)
    }

    async fn delete(&mut self, uids: &[u32]) -> Result<u64, ActionError> {
        let client = self.client;
        let mut deletions = Vec::with_capacity(uids.len());
        for uid in uids {
            let url = client.url(&format!("messages/{}", self.listed[uid].id));
            deletions.push(async move { client.call(Method::DELETE, &url, None).await });
        }
        Ok(each_at_most_four(deletions).await?)
    }
}

impl GraphFolder<'_> {
    /// The id of the folder at `path`, made level by level below the root
    /// where missing.
    async fn target_folder(&mut self, path: &str) -> Result<String, GraphError> {
        if let Some(id) = self.folder_ids.get(path) {
            return Ok(id.clone());
        }
        let mut parent = "msgfolderroot".to_string();
        let mut so_far = String::new();
        for name in path.split('/') {
            if !so_far.is_empty() {
                so_far.push('/');
            }
            so_far.push_str(name);
            let id = match self.folder_ids.get(&so_far) {
                Some(id) => id.clone(),
                None => {
                    let id = graph::create_folder(self.client, &parent, name).await?;
                    self.folder_ids.insert(so_far.clone(), id.clone());
                    id
                }
            };
            parent = id;
        }
        Ok(parent)
    }
}

/// Runs the requests, four at a time (the client's limit), and counts those
/// done; one that finds its message gone counts as nothing, any other
/// refusal is the action's failure.
async fn each_at_most_four<F>(requests: Vec<F>) -> Result<u64, GraphError>
where
    F: std::future::Future<Output = Result<Vec<u8>, GraphError>>,
{
    let results: Vec<_> = futures::stream::iter(requests)
        .buffer_unordered(graph::MAX_CONCURRENT)
        .collect()
        .await;
    let mut done = 0;
    for result in results {
        match result {
            Ok(_) => done += 1,
            Err(error) if error.is_not_found() => {}
            Err(error) => return Err(error),
        }
    }
    Ok(done)
}
