//! The figures on the start page.

mod summary;

pub use summary::*;
