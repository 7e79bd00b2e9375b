//! A stored credential reads only the mail it was given for (issue 15,
//! items 1 and 2): a stored password, master password or OAuth grant is
//! bound to everything that decides whose mail is read and whether the
//! connection is trusted; master users and app-only sign-in apps are the
//! administrators'; Graph's service root is Microsoft's unless configured;
//! the Graph client follows no redirect and reads no answer without end.

mod graph_client;
mod master_users;
mod sign_ins;

/// The site's user and administrator, as they sign in.
const USER: &str = "user@example.com";
const ROOT: &str = "root@example.com";
