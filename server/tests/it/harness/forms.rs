//! The forms the tests post, encoded as the browser's WASM encodes them, the
//! mailbox editor's valid forms, and the field errors the server answers with.

use app::error::ApiError;
use axum::http::StatusCode;

/// `text` percent-encoded for a form body: everything but ASCII letters,
/// digits and `-._` as `%XX`. The one encoder of the tests.
pub(crate) fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// A server function's plain arguments: `name=value&…`.
pub(crate) fn plain_form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(name, value)| format!("{name}={}", urlencode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A server function's struct argument `argument` (`form`, `input`,
/// `filter`): `argument[field]=value&…`, the brackets encoded too.
pub(crate) fn struct_form(argument: &str, fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(field, value)| format!("{argument}%5B{field}%5D={}", urlencode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `fields` with `changes` applied in order: a changed field keeps its
/// place, a new one is added at the end, the last change of a field wins.
pub(crate) fn changed<'a>(
    fields: &[(&'a str, &'a str)],
    changes: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut result = fields.to_vec();
    for &(name, value) in changes {
        match result.iter_mut().find(|(field, _)| *field == name) {
            Some(field) => field.1 = value,
            None => result.push((name, value)),
        }
    }
    result
}

/// A complete, valid editor form: a new IMAP mailbox "Accounting" on
/// imap.example.com with a password.
const VALID_MAILBOX: [(&str, &str); 20] = [
    ("id", ""),
    ("name", "Accounting"),
    ("host", "imap.example.com"),
    ("port", "993"),
    ("security", "tls"),
    ("auth_method", "plain"),
    ("username", "someone"),
    ("secret", "imap-pw"),
    ("folder_rules", ""),
    ("action", "none"),
    ("success_folder", "Archived"),
    ("duplicate_folder", "Duplicates"),
    ("error_folder", "Archive errors"),
    ("success_tag", "$Archived"),
    ("duplicate_tag", "$ArchivedDuplicate"),
    ("duplicate_policy", "drop"),
    ("duplicate_match", "content"),
    ("labels", ""),
    ("schedule", ""),
    ("max_connections", "2"),
];

/// The mailbox editor's form as the browser posts it: the valid one with
/// `changes` (see `changed`).
pub(crate) fn mailbox_form(changes: &[(&str, &str)]) -> String {
    struct_form("form", &changed(&VALID_MAILBOX, changes))
}

/// The editor's form for a Graph mailbox of user@contoso.example at the
/// service root `root`, signed in through sign-in app `app_id` (no
/// password: Graph takes tokens), with `changes`.
pub(crate) fn graph_mailbox_form(root: &str, app_id: &str, changes: &[(&str, &str)]) -> String {
    let graph = [
        ("source", "graph"),
        ("host", root),
        ("auth_method", "xoauth2"),
        ("oauth_app", app_id),
        ("username", "user@contoso.example"),
        ("secret", ""),
        ("page_size", "25"),
    ];
    mailbox_form(&[&graph[..], changes].concat())
}

/// Every field problem of a refused form: asserts the answer is 422 with
/// `ApiError::Invalid`.
pub(crate) fn field_errors(status: StatusCode, body: &str) -> ApiError {
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    match serde_json::from_str::<ApiError>(body) {
        Ok(error @ ApiError::Invalid { .. }) => error,
        other => panic!("expected field errors, got {other:?} from {body}"),
    }
}

/// Asserts a refused form whose first problem is `field`.
pub(crate) fn assert_field_error(status: StatusCode, body: &str, field: &str) {
    match field_errors(status, body) {
        ApiError::Invalid { field: first, .. } => assert_eq!(first, field, "{body}"),
        _ => unreachable!("field_errors returns field errors"),
    }
}

/// A master-user batch's form (Admin → Batch): the master user "archiver"
/// on imap.example.com for every user, acting for their address, with
/// `changes`.
pub(crate) fn master_batch_form(changes: &[(&str, &str)]) -> String {
    let valid = [
        ("host", "imap.example.com"),
        ("port", "993"),
        ("security", "tls"),
        ("master_user", "archiver"),
        ("secret", "masterpw"),
        ("identity_kind", "address"),
        ("selection", "all"),
        ("users", ""),
    ];
    struct_form("form", &changed(&valid, changes))
}

/// A CSV list of mailboxes as the batch page posts it, without a template.
pub(crate) fn csv_batch_form(list: &str) -> String {
    struct_form("form", &[("text", list), ("template_id", "")])
}

/// The reset-password page's form: the link's token, the new password twice.
pub(crate) fn reset_password_form(token: &str, password: &str, confirm: &str) -> String {
    plain_form(&[
        ("token", token),
        ("new_password", password),
        ("confirm_password", confirm),
    ])
}

/// The sign-in page's form.
pub(crate) fn sign_in_form(email: &str, password: &str) -> String {
    plain_form(&[("email", email), ("password", password)])
}
