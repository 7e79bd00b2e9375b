//! Sign-in, sign-out, who am I, change my password, reset it by mail.

mod change_password;
mod current_user;
mod request_password_reset;
mod reset_password;
mod sign_in;
mod sign_out;

pub use change_password::*;
pub use current_user::*;
pub use request_password_reset::*;
pub use reset_password::*;
pub use sign_in::*;
pub use sign_out::*;
