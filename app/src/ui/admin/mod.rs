//! Pages for administrators. The server checks the role on every call; these
//! pages only decide what to show.

mod users;

pub use users::UsersPage;
