//! What every request may need, shared by all requests: the services, the
//! configuration, and the device-code sign-ins this process polls.

use crate::auth::Accounts;
use crate::config::Config;
use crate::mailbox::Mailboxes;
use crate::scheduler::Scheduler;
use crate::viewer::Viewer;
use app::model::oauth::DeviceProgress;
use sea_orm::DatabaseConnection;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Everything a request may need, shared by all requests.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: DatabaseConnection,
    pub accounts: Arc<Accounts>,
    pub mailboxes: Arc<Mailboxes>,
    /// The one access rule, over `mailboxes`.
    pub access: crate::access::Access,
    /// Runs jobs; the web asks it for manual runs and live progress.
    pub scheduler: Arc<Scheduler>,
    /// Search, read, export and restore archived mail.
    pub viewer: Arc<Viewer>,
    /// Who did what: sign-ins, changes, views, downloads, exports, restores.
    pub audit: crate::audit::AuditLog,
    /// Mails (password resets); `None` until `with_notifier`.
    pub notifier: Option<Arc<crate::notify::Notifier>>,
    /// Sign-ins with a code started in the browser, polled by this process.
    pub device_sign_ins: Arc<DeviceSignIns>,
    /// Checks the archive ("verify now"); `None` until `with_verifier`.
    pub verifier: Option<Arc<crate::store::verify::Verifier>>,
}

impl AppState {
    pub fn new(
        config: Config,
        db: DatabaseConnection,
        mailboxes: Arc<Mailboxes>,
        scheduler: Arc<Scheduler>,
        viewer: Arc<Viewer>,
    ) -> Self {
        let session_lifetime = Duration::from_secs(config.session_hours.max(1) * 3600);
        AppState {
            accounts: Arc::new(Accounts::new(db.clone(), session_lifetime)),
            audit: crate::audit::AuditLog::new(db.clone()),
            notifier: None,
            verifier: None,
            device_sign_ins: Arc::default(),
            config: Arc::new(config),
            db,
            access: crate::access::Access::new(mailboxes.clone()),
            mailboxes,
            scheduler,
            viewer,
        }
    }
}

impl AppState {
    /// The state, able to send mail.
    pub fn with_notifier(mut self, notifier: Arc<crate::notify::Notifier>) -> AppState {
        self.notifier = Some(notifier);
        self
    }

    /// The state, able to start a verification of the archive.
    pub fn with_verifier(mut self, verifier: Arc<crate::store::verify::Verifier>) -> AppState {
        self.verifier = Some(verifier);
        self
    }

    /// Where a provider sends the browser back after a sign-in: the sign-in
    /// app's own address, or this server's `/oauth/callback`.
    pub fn oauth_redirect_url(&self, configured: &str) -> String {
        match configured.trim() {
            "" => format!(
                "{}/oauth/callback",
                self.config.display_url().trim_end_matches('/')
            ),
            url => url.to_string(),
        }
    }
}

/// Device-code sign-ins started in the browser, by mailbox: polled by a
/// task of this process; the page asks how it goes.
#[derive(Default)]
pub struct DeviceSignIns {
    progress: Mutex<HashMap<i64, DeviceProgress>>,
}

impl DeviceSignIns {
    pub fn set(&self, mailbox_id: i64, progress: DeviceProgress) {
        self.progress
            .lock()
            .expect("the sign-in map is never poisoned")
            .insert(mailbox_id, progress);
    }

    pub fn get(&self, mailbox_id: i64) -> DeviceProgress {
        self.progress
            .lock()
            .expect("the sign-in map is never poisoned")
            .get(&mailbox_id)
            .cloned()
            .unwrap_or(DeviceProgress::Idle)
    }
}
