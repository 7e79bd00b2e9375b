//! What the server functions of `api::oauth` ask of the server: sign-in apps,
//! and the OAuth sign-ins of mailboxes. One part of the port `Backend` (see
//! there), implemented by `server::web::oauth`.

use crate::error::ApiError;
use crate::model::SessionUser;
use crate::model::oauth::{
    DeviceProgress, DeviceSignIn, MailboxSignIn, SignInAppForm, SignInAppsView,
};

#[async_trait::async_trait]
pub trait OAuthBackend: Send + Sync + 'static {
    /// Sign-in apps (admins only: the caller checks).
    async fn sign_in_apps(&self) -> Result<SignInAppsView, ApiError>;
    async fn save_sign_in_app(
        &self,
        caller: &SessionUser,
        form: SignInAppForm,
    ) -> Result<(), ApiError>;
    async fn remove_sign_in_app(&self, caller: &SessionUser, id: i64) -> Result<(), ApiError>;
    async fn sign_in_app_names(&self) -> Result<Vec<(i64, String)>, ApiError>;
    /// A mailbox's sign-in, for those who manage it; `None` without a sign-in app.
    async fn mailbox_sign_in(
        &self,
        caller: &SessionUser,
        id: i64,
    ) -> Result<Option<MailboxSignIn>, ApiError>;
    async fn start_device_sign_in(
        &self,
        caller: &SessionUser,
        id: i64,
    ) -> Result<DeviceSignIn, ApiError>;
    async fn device_sign_in_progress(
        &self,
        caller: &SessionUser,
        id: i64,
    ) -> Result<DeviceProgress, ApiError>;
    async fn app_only_sign_in(&self, caller: &SessionUser, id: i64) -> Result<(), ApiError>;
    async fn sign_out_mailbox(&self, caller: &SessionUser, id: i64) -> Result<(), ApiError>;
}
