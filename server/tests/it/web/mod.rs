//! The web layer driven in-process through the axum router, one file per
//! area of `app::api` (plus the pages): server functions, session cookies,
//! role checks, pages and byte routes. The attacker's view of the same edge
//! is in `crate::edge`, who may call what in `crate::access_matrix`.

mod archive;
mod assets;
mod auth;
mod batch;
mod dashboard;
mod graph;
mod language;
mod mailboxes;
mod notifications;
mod oauth;
mod pages;
mod templates;
mod upload;
mod user_admin;
mod users;

/// The user's message: HTML with a script and a remote image, a PDF attachment.
pub(super) const OWN_MAIL: &[u8] = b"From: Alice <alice@example.com>\r\nTo: user@example.com\r\nSubject: Quarterly figures\r\nDate: Tue, 5 Mar 2024 10:00:00 +0100\r\nMessage-ID: <own@example.com>\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/html\r\n\r\n<p>Figures attached.</p><script>alert(1)</script><img src=\"https://tracker.example/x.gif\">\r\n--B\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename*=utf-8''Zahlen%20M%C3%A4rz.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--B--\r\n";
/// Another person's message, which the user must never get.
pub(super) const OTHER_MAIL: &[u8] = b"From: Carol <carol@example.com>\r\nTo: root@example.com\r\nSubject: Quarterly figures, confidential\r\nDate: Wed, 6 Mar 2024 10:00:00 +0100\r\nMessage-ID: <other@example.com>\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/html\r\n\r\n<p>Only for the board.</p>\r\n--B\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=board.txt\r\n\r\nsecret plans\r\n--B--\r\n";
