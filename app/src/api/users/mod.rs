//! User administration. Admins only.

mod create;
mod list;
mod set_disabled;

pub use create::*;
pub use list::*;
pub use set_disabled::*;
