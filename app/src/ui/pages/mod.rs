//! One component per page.

mod account;
mod archive;
mod dashboard;
mod mailbox;
mod mailbox_editor;
mod mailbox_sign_in;
mod mailboxes;
mod message;
mod not_found;
mod password_reset;
mod restore;
mod sign_in;

pub use account::AccountPage;
pub use archive::ArchivePage;
pub use dashboard::DashboardPage;
pub use mailbox::MailboxPage;
pub use mailbox_editor::{EditMailboxPage, NewMailboxPage, TemplateEditorPage};
pub use mailboxes::MailboxesPage;
pub use message::MessagePage;
pub use not_found::NotFoundPage;
pub use password_reset::{ForgotPasswordPage, ResetPasswordPage};
pub use sign_in::SignInPage;
