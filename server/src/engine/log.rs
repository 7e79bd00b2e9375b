//! The job log lives in `app::model::job`, shared with the browser, which
//! shows it; the engine fills it in.

pub use app::model::job::{FolderLog, JobLog, JobStatus, MessageNote};
