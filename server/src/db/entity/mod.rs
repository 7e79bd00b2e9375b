//! sea-orm entities, one file per table. Rows are server-only: they may hold
//! secrets (password hashes), so none of them derives `Serialize`.

pub mod session;
pub mod user;
