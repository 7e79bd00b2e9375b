//! User administration. Admins only.

mod audit_log;
mod create;
mod delete;
mod edit;
mod list;
mod password_mail_ready;
mod send_password_link;
mod set_disabled;
mod set_password;

pub use audit_log::*;
pub use create::*;
pub use delete::*;
pub use edit::*;
pub use list::*;
pub use password_mail_ready::*;
pub use send_password_link::*;
pub use set_disabled::*;
pub use set_password::*;
