//! The figures on the start page, and checking the archive on demand.

mod summary;
mod verify_now;

pub use summary::*;
pub use verify_now::*;
