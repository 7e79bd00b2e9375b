//! User administration. Admins only.

mod audit_log;
mod create;
mod list;
mod set_disabled;

pub use audit_log::*;
pub use create::*;
pub use list::*;
pub use set_disabled::*;
