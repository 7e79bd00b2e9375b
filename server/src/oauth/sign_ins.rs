//! The sign-ins and sign-outs people do for mailboxes (in the browser, or
//! `tresor mailbox authorize`), each recorded in the audit log by the
//! `Grants` themselves, so the web and the command line leave the same
//! entries.

use super::grants::{Flow, Grants};
use super::{OAuthError, Tokens};
use crate::audit::{Action, Actor, Outcome};
use crate::db::entity::oauth_grant;
use sea_orm::EntityTrait;
use serde_json::json;

/// A mailbox whose sign-in changes: its id and name.
pub type SignedInMailbox<'a> = (i64, &'a str);

impl Grants {
    /// Keeps what a finished sign-in gave for `mailbox` (see `store`), as
    /// `by`'s recorded sign-in.
    pub async fn sign_in(
        &self,
        mailbox: SignedInMailbox<'_>,
        app_id: i64,
        flow: Flow,
        tokens: &Tokens,
        by: &Actor,
    ) -> Result<(), OAuthError> {
        self.store(mailbox.0, app_id, flow, tokens).await?;
        self.record_sign_in(mailbox.1, flow, true, by).await
    }

    /// Records how `by`'s sign-in of the mailbox `name` ended. A sign-in
    /// with a code runs on after it was started and may end without tokens
    /// (expired, declined): its entry says whether it succeeded.
    pub async fn record_sign_in(
        &self,
        name: &str,
        flow: Flow,
        signed_in: bool,
        by: &Actor,
    ) -> Result<(), OAuthError> {
        let details = match flow {
            Flow::DeviceCode => json!({ "flow": flow.as_str(), "signed_in": signed_in }),
            Flow::AuthorizationCode | Flow::ClientCredentials => json!({ "flow": flow.as_str() }),
        };
        let outcome = if signed_in {
            Outcome::Ok
        } else {
            Outcome::Failed
        };
        self.audit
            .record(
                by,
                None,
                Action::MailboxSignedIn,
                &format!("mailbox {name}"),
                details,
                outcome,
            )
            .await
            .map_err(OAuthError::Audit)
    }

    /// Forgets `mailbox`'s grant, as `by`'s recorded sign-out.
    pub async fn sign_out(
        &self,
        mailbox: SignedInMailbox<'_>,
        by: &Actor,
    ) -> Result<(), OAuthError> {
        oauth_grant::Entity::delete_by_id(mailbox.0)
            .exec(&self.db)
            .await?;
        let target = format!("mailbox {}", mailbox.1);
        self.audit
            .record_change(by, Action::MailboxSignedOut, &target, json!({}))
            .await
            .map_err(OAuthError::Audit)
    }
}
