//! Who may sign in and what they may do: password hashing (bounded, off the
//! async runtime), throttling of sign-ins and password-reset requests,
//! sessions and user accounts (`accounts`), password reset by mail
//! (`reset`), and the recorded changes administrators make to users
//! (`users`). Role checks for server functions live in
//! `app::api::context`; this module answers "who is this?".

pub mod accounts;
pub mod password;
mod reset;
pub mod throttle;
mod users;

pub use accounts::{Accounts, AuthError, UserRow, generate_password, normalize_email};
pub use reset::{INVITATION_LIFETIME, LinkPurpose, RESET_LIFETIME};
pub use throttle::Throttle;
