//! The authorization matrix: every server function and every byte route,
//! called as each kind of person, with the answer each must get.
//!
//! The endpoints are enumerated from the code — the server functions Leptos
//! registered, the `.route(…)` paths in `server/src/web/` — so a new endpoint
//! without a row here fails `every_endpoint_has_a_row`.
//!
//! The people: nobody signed in; the mailbox's owner (a user); a grantee (a
//! user granted the mailbox); an auditor granted it; another user; an admin.
//! A journal copy naming the other user's address is theirs to read (and
//! the admin's), nobody else's.

use crate::harness::{Site, mailbox_form};
use app::model::Role;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use std::collections::{BTreeSet, HashMap};

/// Who calls, in the order of a row's expectations.
const CALLERS: [&str; 6] = ["anonymous", "owner", "grantee", "auditor", "other", "admin"];

/// What a caller must get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Past the access rule: 2xx, or a 400/409 about the input or the
    /// world (a server that cannot be reached), never 401/403/404 or 5xx.
    Pass,
    /// 401: sign in first.
    Unauthenticated,
    /// 403: the role may not do this.
    Forbidden,
    /// 404: not found — the same as a thing that does not exist.
    Hidden,
    /// 422: refused as input (e.g. "restore only into a mailbox you manage").
    Invalid,
}

use Expect::{Forbidden as F, Hidden as N, Invalid as I, Pass as P, Unauthenticated as U};

/// Admin-only: everyone else is refused by role.
const ADMIN_ONLY: [Expect; 6] = [U, F, F, F, F, P];
/// Anyone signed in.
const SIGNED_IN: [Expect; 6] = [U, P, P, P, P, P];
/// Anyone, signed in or not.
const PUBLIC: [Expect; 6] = [P, P, P, P, P, P];
/// The mailbox's managers (owner, admin); auditors refused by role; those
/// who may not manage it do not learn it exists.
const MANAGE_MAILBOX: [Expect; 6] = [U, P, N, F, N, P];
/// Those who see the mailbox or its mail.
const READ_MAILBOX: [Expect; 6] = [U, P, P, P, N, P];
/// A journal copy: the person it names (the other user) and admins.
const JOURNAL_PARTY: [Expect; 6] = [U, N, N, N, P, P];
/// Users connect mailboxes of their own; auditors never.
const OWN_MAILBOXES: [Expect; 6] = [U, P, P, F, P, P];

/// One row: a method, a path (with placeholders), a form body (ditto) and
/// what each caller gets. `fresh`: a caller who passes changes what later
/// callers would see (a deletion), so the row runs on a site of its own,
/// made anew after each caller who passes.
struct Row {
    method: &'static str,
    path: &'static str,
    body: String,
    expect: [Expect; 6],
    fresh: bool,
}

fn post(path: &'static str, body: impl Into<String>, expect: [Expect; 6]) -> Row {
    Row {
        method: "POST",
        path,
        body: body.into(),
        expect,
        fresh: false,
    }
}

fn get(path: &'static str, expect: [Expect; 6]) -> Row {
    Row {
        method: "GET",
        path,
        body: String::new(),
        expect,
        fresh: false,
    }
}

fn fresh(row: Row) -> Row {
    Row { fresh: true, ..row }
}

/// Placeholders: `{mailbox}` the owner's IMAP mailbox, `{archive}` the
/// owner's mailbox holding `{message}`, `{password}` the caller's password.
fn rows() -> Vec<Row> {
    let saved_mailbox_form = mailbox_form(&[
        ("name", "matrix"),
        ("id", "{mailbox}"),
        ("host", "127.0.0.1"),
        ("port", "9"),
        ("security", "plain"),
    ]);
    let new_mailbox_form = mailbox_form(&[
        ("name", "matrix-new"),
        ("host", "127.0.0.1"),
        ("port", "9"),
        ("security", "plain"),
    ]);
    let template_form = mailbox_form(&[("name", "matrix-template")]);
    vec![
        // Signing in and out, and one's own account.
        post(
            "/api/auth/sign_in",
            "email=user%40example.com&password=user-password",
            PUBLIC,
        ),
        fresh(post("/api/auth/sign_out", "", PUBLIC)),
        post("/language", "lang=de&next=%2Farchive", PUBLIC),
        post("/api/auth/current_user", "", PUBLIC),
        post(
            "/api/auth/request_password_reset",
            "email=nobody%40example.com",
            PUBLIC,
        ),
        post(
            "/api/auth/reset_password",
            "token=not-a-token&new_password=a-long-new-password&confirm_password=a-long-new-password",
            PUBLIC,
        ),
        fresh(post(
            "/api/auth/change_password",
            "current_password={password}&new_password=another-long-password&confirm_password=another-long-password",
            SIGNED_IN,
        )),
        post("/api/dashboard/summary", "", SIGNED_IN),
        post("/api/dashboard/verify_now", "", ADMIN_ONLY),
        // Users and the audit log.
        post("/api/users/list", "", ADMIN_ONLY),
        post(
            "/api/users/create",
            "email=new%40example.com&display_name=New&role=user&password=a-long-password",
            ADMIN_ONLY,
        ),
        fresh(post(
            "/api/users/set_disabled",
            "user_id={other_id}&disabled=true",
            ADMIN_ONLY,
        )),
        fresh(post(
            "/api/users/edit",
            "user_id={other_id}&email=other%40example.com&display_name=Renamed&role=auditor",
            ADMIN_ONLY,
        )),
        fresh(post("/api/users/delete", "user_id={other_id}", ADMIN_ONLY)),
        fresh(post(
            "/api/users/set_password",
            "user_id={other_id}&password=set-by-an-admin",
            ADMIN_ONLY,
        )),
        // Without mail settings the admin is told so (409): past the rule.
        post(
            "/api/users/send_password_link",
            "user_id={other_id}",
            ADMIN_ONLY,
        ),
        post("/api/users/password_mail_ready", "", ADMIN_ONLY),
        post("/api/admin/audit_log", "filter[action]=", ADMIN_ONLY),
        // Mailboxes.
        post("/api/mailboxes/list", "", SIGNED_IN),
        post("/api/mailboxes/editor", "id={mailbox}", MANAGE_MAILBOX),
        post("/api/mailboxes/editor", "", OWN_MAILBOXES),
        // An administrator's save sets the sharing the form holds (none here).
        fresh(post(
            "/api/mailboxes/save",
            saved_mailbox_form.clone(),
            MANAGE_MAILBOX,
        )),
        post(
            "/api/mailboxes/save",
            new_mailbox_form.clone(),
            OWN_MAILBOXES,
        ),
        post(
            "/api/mailboxes/test",
            saved_mailbox_form.clone(),
            MANAGE_MAILBOX,
        ),
        post("/api/mailboxes/test", new_mailbox_form, OWN_MAILBOXES),
        post(
            "/api/mailboxes/subscribe",
            format!("{saved_mailbox_form}&folder=INBOX&subscribed=true"),
            MANAGE_MAILBOX,
        ),
        post("/api/mailboxes/runs", "id={mailbox}", READ_MAILBOX),
        post(
            "/api/mailboxes/set_enabled",
            "id={mailbox}&enabled=false",
            MANAGE_MAILBOX,
        ),
        post("/api/mailboxes/run", "id={mailbox}", MANAGE_MAILBOX),
        fresh(post(
            "/api/mailboxes/delete",
            "id={mailbox}",
            MANAGE_MAILBOX,
        )),
        post("/api/mailboxes/test_mail", "id={mailbox}", MANAGE_MAILBOX),
        // A mailbox's OAuth sign-in (it has no sign-in app: 409 once past the rule).
        post("/api/mailboxes/sign_in", "id={mailbox}", MANAGE_MAILBOX),
        post(
            "/api/mailboxes/device_sign_in",
            "id={mailbox}",
            MANAGE_MAILBOX,
        ),
        post(
            "/api/mailboxes/device_sign_in_progress",
            "id={mailbox}",
            MANAGE_MAILBOX,
        ),
        post(
            "/api/mailboxes/app_only_sign_in",
            "id={mailbox}",
            // Tenant-wide access is the administrators' whatever the mailbox.
            ADMIN_ONLY,
        ),
        post("/api/mailboxes/sign_out", "id={mailbox}", MANAGE_MAILBOX),
        // Sign-in apps.
        post("/api/oauth/apps", "", ADMIN_ONLY),
        post("/api/oauth/app_names", "", OWN_MAILBOXES),
        post(
            "/api/oauth/save_app",
            "form[id]=&form[name]=Contoso&form[provider]=microsoft&form[tenant]=organizations&form[authority]=&form[authorize_url]=&form[token_url]=&form[device_url]=&form[client_id]=c&form[client_secret]=&form[scopes]=offline_access&form[redirect_url]=",
            ADMIN_ONLY,
        ),
        post("/api/oauth/remove_app", "id=424242", [U, F, F, F, F, N]),
        // Templates and batches.
        post("/api/templates/list", "", ADMIN_ONLY),
        post("/api/templates/editor", "", ADMIN_ONLY),
        post("/api/templates/save", template_form, ADMIN_ONLY),
        post("/api/templates/delete", "id=424242", [U, F, F, F, F, N]),
        post(
            "/api/batch/master",
            "form[host]=127.0.0.1&form[port]=9&form[security]=plain&form[ca_file]=&form[master_user]=m&form[secret]=s&form[identity_kind]=address&form[selection]=all&form[users]=&form[template_id]=",
            ADMIN_ONLY,
        ),
        post(
            "/api/batch/preview_csv",
            "form[text]=user%3Bpassword%0Aa%3Bb&form[template_id]=",
            ADMIN_ONLY,
        ),
        post(
            "/api/batch/import_csv",
            "form[text]=&form[template_id]=",
            ADMIN_ONLY,
        ),
        // Notifications.
        post("/api/notifications/smtp", "", ADMIN_ONLY),
        post(
            "/api/notifications/save_smtp",
            "form[scope]=&form[host]=",
            ADMIN_ONLY,
        ),
        post(
            "/api/notifications/remove_smtp",
            "mailbox_id={mailbox}",
            ADMIN_ONLY,
        ),
        post(
            "/api/notifications/test",
            "to=root%40example.com",
            ADMIN_ONLY,
        ),
        // Retention and holds.
        post("/api/retention/overview", "", ADMIN_ONLY),
        post("/api/retention/preview", "", ADMIN_ONLY),
        post("/api/retention/apply", "", ADMIN_ONLY),
        post(
            "/api/retention/add_policy",
            "input[name]=Ten&input[years]=10&input[basis]=message-date",
            ADMIN_ONLY,
        ),
        post("/api/retention/remove_policy", "id=424242", ADMIN_ONLY),
        post(
            "/api/retention/place_hold",
            "input[reason]=Case&input[kind]=mailbox&input[mailbox_id]={archive}",
            ADMIN_ONLY,
        ),
        post(
            "/api/retention/release_hold",
            "id=424242&reason=done",
            ADMIN_ONLY,
        ),
        // The archive.
        post(
            "/api/archive/search",
            "input[query]=figures&input[sort]=newest&input[offset]=0&input[limit]=50",
            SIGNED_IN,
        ),
        post("/api/archive/message", "id={message}", READ_MAILBOX),
        post(
            "/api/archive/restore_plan",
            "input[message_ids][0]={message}",
            SIGNED_IN,
        ),
        post(
            "/api/archive/restore",
            "input[message_ids][0]={message}&input[mailbox_id]={mailbox}&input[folder]=Restored",
            [U, P, I, F, I, P],
        ),
        // Byte routes.
        get("/m/{message}/raw", READ_MAILBOX),
        get("/m/{message}/html", READ_MAILBOX),
        get("/m/{message}/attachments/0", READ_MAILBOX),
        get("/m/{journal_message}/raw", JOURNAL_PARTY),
        get("/export?mailbox={archive}&format=zip", READ_MAILBOX),
        get("/admin/audit.csv", ADMIN_ONLY),
        post(
            "/admin/import/upload?file=matrix.eml&mailbox=Matrix%20import&owner=user%40example.com",
            "From: a@example.com\r\nSubject: upload\r\n\r\nbody\r\n",
            ADMIN_ONLY,
        ),
        get("/healthz", PUBLIC),
        post("/oauth/start/{mailbox_id}", "", [U, P, N, N, N, P]),
        get("/oauth/callback?state=unknown&code=x", [U, P, P, P, P, P]),
    ]
}

/// The message the archive holds: an HTML part and one attachment.
const MAIL: &[u8] = b"From: Alice <alice@example.com>\r\nTo: user@example.com\r\nSubject: Quarterly figures\r\nDate: Tue, 5 Mar 2024 10:00:00 +0100\r\nMessage-ID: <matrix@example.com>\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/html\r\n\r\n<p>Figures attached.</p>\r\n--B\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=figures.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--B--\r\n";

/// A journal copy of a message to the other user.
const JOURNAL_MAIL: &[u8] = b"From: Alice <alice@example.com>\r\nTo: other@example.com\r\nSubject: Journaled\r\nDate: Tue, 5 Mar 2024 11:00:00 +0100\r\nMessage-ID: <journal-matrix@example.com>\r\n\r\nFor the other user.\r\n";

/// A site with the five people, a mailbox of the owner's granted to the
/// grantee and the auditor, and a message in it; the cookie of each caller.
struct World {
    site: Site,
    cookies: HashMap<&'static str, String>,
    values: HashMap<&'static str, String>,
}

const PASSWORDS: [(&str, &str); 6] = [
    ("anonymous", ""),
    ("owner", "user-password"),
    ("grantee", "grantee-password"),
    ("auditor", "auditor-password"),
    ("other", "other-password"),
    ("admin", "root-password"),
];

impl World {
    async fn new() -> World {
        let db = crate::harness::sqlite().await;
        let site = Site::new(&db).await;
        let accounts = &site.state.accounts;
        let grantee = accounts
            .create_user(
                "grantee@example.com",
                "Grantee",
                Role::User,
                "grantee-password",
            )
            .await
            .unwrap();
        let auditor = accounts
            .create_user(
                "auditor@example.com",
                "Auditor",
                Role::Auditor,
                "auditor-password",
            )
            .await
            .unwrap();
        let other = accounts
            .create_user("other@example.com", "Other", Role::User, "other-password")
            .await
            .unwrap();
        let mut input =
            app::model::mailbox::MailboxInput::new("owner-imap", "127.0.0.1", "someone");
        input.port = 9;
        input.security = app::model::mailbox::Security::Plain;
        let mailbox = site.add_mailbox(site.user_id, &input).await;
        let message = site
            .archive_for(site.user_id, "owner-archive", &[("mail", MAIL)])
            .await["mail"];
        let archive = site
            .services
            .mailboxes
            .by_name("owner-archive")
            .await
            .unwrap()
            .id;
        let readers = BTreeSet::from([grantee.id, auditor.id]);
        for id in [mailbox.id, archive] {
            site.services
                .mailboxes
                .set_sharing(id, Some(site.user_id), &readers)
                .await
                .unwrap();
        }
        let journal_message = journal_copy(&site).await;
        let mut cookies = HashMap::new();
        for (caller, email) in [
            ("owner", "user@example.com"),
            ("grantee", "grantee@example.com"),
            ("auditor", "auditor@example.com"),
            ("other", "other@example.com"),
            ("admin", "root@example.com"),
        ] {
            let password = PASSWORDS.iter().find(|(who, _)| *who == caller).unwrap().1;
            cookies.insert(caller, site.sign_in(email, password).await);
        }
        let values = HashMap::from([
            ("mailbox", mailbox.id.to_string()),
            ("archive", archive.to_string()),
            ("message", message.to_string()),
            ("other_id", other.id.to_string()),
            ("journal_message", journal_message.to_string()),
        ]);
        World {
            site,
            cookies,
            values,
        }
    }

    fn fill(&self, text: &str, caller: &str) -> String {
        let mut text = text.to_string();
        for (name, value) in &self.values {
            let name = if *name == "mailbox" && text.contains("{mailbox_id}") {
                "mailbox_id"
            } else {
                name
            };
            // Bodies are form-encoded: a placeholder may arrive as %7B…%7D.
            text = text
                .replace(&format!("{{{name}}}"), value)
                .replace(&format!("%7B{name}%7D"), value);
        }
        let password = PASSWORDS.iter().find(|(who, _)| *who == caller).unwrap().1;
        text.replace("{password}", password)
    }

    async fn call(&self, row: &Row, caller: &str) -> (StatusCode, String) {
        let form = self.fill(&row.body, caller);
        let mut request = match row.method {
            "GET" => Request::get(self.fill(row.path, caller)),
            // A length, as every browser sends it (the upload requires one).
            _ => Request::post(self.fill(row.path, caller))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::CONTENT_LENGTH, form.len()),
        };
        if let Some(cookie) = self.cookies.get(caller) {
            request = request.header(header::COOKIE, cookie);
        }
        let body = match row.method {
            "GET" => Body::empty(),
            _ => Body::from(form),
        };
        let response = self.site.send(request.body(body).unwrap()).await;
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes[..bytes.len().min(300)]).into_owned();
        (status, text)
    }
}

/// Delivers `JOURNAL_MAIL` to a journal mailbox of `site`: its message id.
async fn journal_copy(site: &Site) -> i64 {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use tresor::smtp::Deliver;
    let services = &site.services;
    let address = "journal@example.com".to_string();
    tresor::journal::add_mailbox(&services.db, &services.mailboxes, "Journal", &[address])
        .await
        .unwrap();
    let journal = tresor::journal::Journal::new(
        services.db.clone(),
        services.store.clone(),
        services.mailboxes.clone(),
    );
    let envelope = crate::journal::envelope("alice@example.com", &["journal@example.com"]);
    assert!(journal.deliver(&envelope, JOURNAL_MAIL).await.is_ok());
    services.indexer.drain(|_| {}).await.unwrap();
    let sha256 = tresor::store::Digest::of(JOURNAL_MAIL).to_string();
    tresor::db::entity::message::Entity::find()
        .filter(tresor::db::entity::message::Column::Sha256.eq(sha256))
        .one(&services.db)
        .await
        .unwrap()
        .unwrap()
        .id
}

fn meets(expect: Expect, status: StatusCode) -> bool {
    match expect {
        Expect::Pass => {
            status.is_success()
                || status.is_redirection()
                || status == StatusCode::BAD_REQUEST
                || status == StatusCode::CONFLICT
                || status == StatusCode::UNPROCESSABLE_ENTITY
        }
        Expect::Unauthenticated => status == StatusCode::UNAUTHORIZED,
        Expect::Forbidden => status == StatusCode::FORBIDDEN,
        Expect::Hidden => status == StatusCode::NOT_FOUND,
        Expect::Invalid => status == StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// The server functions Leptos registered, and the byte routes written in
/// `server/src/web/`.
fn endpoints_in_code() -> BTreeSet<(String, String)> {
    let mut found: BTreeSet<(String, String)> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, method)| (method.to_string(), path.to_string()))
        .collect();
    let web = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web");
    for entry in std::fs::read_dir(&web).unwrap() {
        let source = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for (index, _) in source.match_indices(".route(") {
            let rest = source[index + ".route(".len()..].trim_start();
            let Some(rest) = rest.strip_prefix('"') else {
                continue;
            };
            let path = &rest[..rest.find('"').unwrap()];
            let handler = &rest[rest.find('"').unwrap()..];
            let method = if handler
                .trim_start_matches(['"', ',', ' ', '\n'])
                .starts_with("post")
            {
                "POST"
            } else {
                "GET"
            };
            found.insert((method.to_string(), path.to_string()));
        }
    }
    found
}

/// A row's path as the router declares it: placeholders and queries aside.
fn declared_path(row: &Row) -> String {
    let path = row.path.split('?').next().unwrap();
    path.replace("{message}", "{id}")
        .replace("{journal_message}", "{id}")
        .replace("/attachments/0", "/attachments/{index}")
}

#[test]
fn every_endpoint_has_a_row() {
    let covered: BTreeSet<(String, String)> = rows()
        .iter()
        .map(|row| (row.method.to_string(), declared_path(row)))
        .collect();
    let missing: Vec<_> = endpoints_in_code()
        .into_iter()
        .filter(|endpoint| !covered.contains(endpoint))
        .collect();
    assert!(
        missing.is_empty(),
        "endpoints without a row in the authorization matrix: {missing:?}"
    );
}

#[tokio::test]
async fn every_endpoint_answers_each_caller_as_the_access_rule_says() {
    let shared = World::new().await;
    let mut failures = Vec::new();
    for row in rows() {
        let mut own = None;
        for (position, caller) in CALLERS.iter().enumerate() {
            let expect = row.expect[position];
            let world = match (row.fresh, &own) {
                (false, _) => &shared,
                (true, Some(world)) => world,
                (true, None) => own.insert(World::new().await),
            };
            let (status, body) = world.call(&row, caller).await;
            if row.fresh && expect == Expect::Pass {
                own = None;
            }
            if !meets(expect, status) {
                failures.push(format!(
                    "{} {} as {caller}: expected {expect:?}, got {status}: {body}",
                    row.method, row.path
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of the matrix's answers are wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
