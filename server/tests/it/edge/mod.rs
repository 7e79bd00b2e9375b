//! The HTTP edge as an attacker meets it: bodies over their limit, requests
//! another site makes a signed-in browser send, audited reads, and what
//! `/healthz` tells a stranger.

mod audited_reads;
mod body_limits;
mod cross_site;
mod healthz;

use crate::harness::Site;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use tresor::db::entity::audit_entry;

/// What a browser says of where a request comes from (`Sec-Fetch-Site`).
pub(super) const CROSS_SITE: (&str, &str) = ("sec-fetch-site", "cross-site");
pub(super) const SAME_SITE: (&str, &str) = ("sec-fetch-site", "same-site");
pub(super) const SAME_ORIGIN: (&str, &str) = ("sec-fetch-site", "same-origin");

/// Audit entries of `action` about `target`.
pub(super) async fn entries(site: &Site, action: &str, target: &str) -> Vec<audit_entry::Model> {
    audit_entry::Entity::find()
        .filter(audit_entry::Column::Action.eq(action))
        .filter(audit_entry::Column::Target.eq(target))
        .all(&site.services.db)
        .await
        .unwrap()
}
