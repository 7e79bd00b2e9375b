//! The archive viewer: search, one message, restore. Every user searches
//! what they may see (the server applies the rule); bytes — raw messages,
//! attachments, the HTML body, exports — come from plain routes in
//! `server::web::archive`, which check the session the same way.

mod message;
mod restore;
mod restore_plan;
mod search;

pub use message::*;
pub use restore::*;
pub use restore_plan::*;
pub use search::*;
