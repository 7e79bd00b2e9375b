//! OAuth2 sign-in for mailboxes against the test bed's authorization server
//! (Microsoft-shaped: `xtask/testbed/oauth_server.py`), whose tokens the test
//! bed's Dovecot accepts over XOAUTH2: the device-code flow from the CLI
//! (including a `slow_down` and an expired code), an archive run with the
//! token, renewal after the access token expired, and a revoked grant that
//! leaves the mailbox "needs sign-in".

use crate::harness::{endpoint, service_env, session, stderr, stdout, tresor};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tresor::imap::Security;

const IMAP_SCOPES: &str = "https://outlook.office.com/IMAP.AccessAsUser.All offline_access";

struct Bed {
    oauth_url: String,
    imaps_port: String,
    ca: String,
}

fn bed() -> Option<Bed> {
    Some(Bed {
        oauth_url: service_env("TRESOR_TEST_OAUTH_URL", "the OAuth2 test server")?,
        imaps_port: service_env("TRESOR_TEST_IMAPS_PORT", "Dovecot")?,
        ca: service_env("TRESOR_TEST_DOVECOT_CA", "Dovecot")?,
    })
}

/// The test server's counters (grants by type, polls, slow_downs).
async fn stats(bed: &Bed) -> serde_json::Value {
    let body = reqwest::get(format!("{}/test/stats", bed.oauth_url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    serde_json::from_str(&body).unwrap()
}

/// A Dovecot user, and what its mailbox gets for a test: `folders` fresh
/// folders with `messages` messages in each.
struct Account<'a> {
    user: &'a str,
    password: &'a str,
    folders: usize,
    messages: usize,
}

/// A sign-in app for client `client_id` at the test server, and an XOAUTH2
/// mailbox of `account` using it, archiving the account's fresh folders.
async fn oauth_mailbox(
    bed: &Bed,
    data_dir: &std::path::Path,
    name: &str,
    client_id: &str,
    account: Account<'_>,
) {
    let Account {
        user,
        password,
        folders,
        messages,
    } = account;
    let app = format!("{name}-app");
    let added = tresor(
        data_dir,
        &[
            "oauth-app",
            "add",
            "--name",
            &app,
            "--provider",
            "microsoft",
            "--tenant",
            "organizations",
            "--authority",
            &bed.oauth_url,
            "--client-id",
            client_id,
            "--scopes",
            IMAP_SCOPES,
        ],
        None,
    );
    assert!(added.status.success(), "{}", stderr(&added));

    let endpoint = endpoint(Security::ImplicitTls, None).unwrap();
    let mut imap = session(&endpoint, user, password).await;
    let prefix = format!("it-oauth-{}", rand::random::<u32>());
    for index in 0..folders {
        let folder = format!("{prefix}-{index}");
        imap.create(&folder).await.unwrap();
        for n in 0..messages {
            let message = format!(
                "From: sender@example.com\r\nTo: {user}@example.com\r\nSubject: OAuth {n}\r\n\
                 Message-ID: <oauth-{n}-{folder}@example.com>\r\n\r\nMessage {n} of {folder}.\r\n"
            );
            imap.append(&folder, None, None, message.into_bytes())
                .await
                .unwrap();
        }
    }
    let rule = format!("{prefix}-*");
    let added = tresor(
        data_dir,
        &[
            "mailbox",
            "add",
            "--name",
            name,
            "--host",
            "localhost",
            "--port",
            &bed.imaps_port,
            "--security",
            "tls",
            "--auth",
            "xoauth2",
            "--username",
            user,
            "--ca-file",
            &bed.ca,
            "--folders",
            &rule,
            "--oauth-app",
            &app,
        ],
        None,
    );
    assert!(added.status.success(), "{}", stderr(&added));
}

/// When the person at the provider's verification page enters the code.
enum Person<'a> {
    /// Never: the code expires.
    Away,
    /// As this user, as soon as it is shown.
    SignsInAtOnce(&'a str),
    /// As this user, once the provider has told the CLI to slow down (the
    /// "slow" client's second poll), so the next poll must wait for it.
    SignsInAfterSlowDown(&'a str),
}

/// Runs `tresor mailbox authorize NAME`; once it shows the code, `person`
/// enters it at the verification page (or not).
/// Returns (success, stdout + stderr, seconds until it ended).
async fn authorize(
    bed: &Bed,
    data_dir: &std::path::Path,
    name: &str,
    person: Person<'_>,
) -> (bool, String, Duration) {
    let slow_downs_before = stats(bed).await["slow_down"].as_u64().unwrap();
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tresor"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(["mailbox", "authorize", name])
        .env_remove("DATABASE_URL")
        .env_remove("TRESOR_DATABASE_URL")
        .env("RUST_LOG", "warn")
        .env("TRESOR_ALLOW_PRIVATE_DESTINATIONS", "true")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut shown = String::new();
    let mut code = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        shown.push_str(&line);
        shown.push('\n');
        if let Some(rest) = line.strip_prefix("code: ") {
            code = Some(rest.trim().to_string());
            break;
        }
    }
    let code = code.unwrap_or_else(|| panic!("no code shown: {shown}"));
    let user = match person {
        Person::Away => None,
        Person::SignsInAtOnce(user) => Some(user),
        Person::SignsInAfterSlowDown(user) => {
            // Waiting for what the provider said, not for time to pass.
            let deadline = Instant::now() + Duration::from_secs(60);
            while stats(bed).await["slow_down"].as_u64().unwrap() == slow_downs_before {
                assert!(
                    Instant::now() < deadline,
                    "never told to slow down: {shown}"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Some(user)
        }
    };
    if let Some(user) = user {
        let entered = reqwest::get(format!(
            "{}/device?user_code={code}&user={user}",
            bed.oauth_url
        ))
        .await
        .unwrap();
        assert!(entered.status().is_success());
    }
    for line in lines {
        shown.push_str(&line.unwrap());
        shown.push('\n');
    }
    let output = child.wait_with_output().unwrap();
    shown.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status.success(), shown, started.elapsed())
}

fn archive(data_dir: &std::path::Path, name: &str) -> serde_json::Value {
    let run = tresor(data_dir, &["archive", name, "--json"], None);
    serde_json::from_str(&stdout(&run))
        .unwrap_or_else(|_| panic!("{}\n{}", stdout(&run), stderr(&run)))
}

#[tokio::test]
async fn a_device_code_sign_in_from_the_cli_archives_over_xoauth2() {
    let Some(bed) = bed() else {
        return;
    };
    let data_dir = tempfile::tempdir().unwrap();
    // "slow": the server answers the second poll with slow_down.
    oauth_mailbox(
        &bed,
        data_dir.path(),
        "m365-device",
        "tresor-slow-public",
        Account {
            user: "user4",
            password: "pass4",
            folders: 1,
            messages: 3,
        },
    )
    .await;

    // Not signed in yet: the run says so instead of trying a login.
    let log = archive(data_dir.path(), "m365-device");
    assert_eq!(log["status"], "failed");
    assert!(
        log["error"].as_str().unwrap().contains("needs a sign-in"),
        "{log}"
    );

    let before = stats(&bed).await;
    let (ok, shown, took) = authorize(
        &bed,
        data_dir.path(),
        "m365-device",
        Person::SignsInAfterSlowDown("user4"),
    )
    .await;
    assert!(ok, "{shown}");
    assert!(
        shown.contains("To sign in, use a web browser to open the page"),
        "{shown}"
    );
    assert!(
        shown.contains("signed in: the mailbox \"m365-device\""),
        "{shown}"
    );
    let after = stats(&bed).await;
    let count = |stats: &serde_json::Value, key: &str| stats[key].as_u64().unwrap();
    assert_eq!(
        count(&after, "slow_down") - count(&before, "slow_down"),
        1,
        "one slow_down, and the CLI obeyed it (a second would mean it polled too soon)"
    );
    assert!(
        took >= Duration::from_secs(6),
        "after slow_down the interval is 1 + 5 s: {took:?}"
    );
    assert!(count(&after, "device_code") > count(&before, "device_code"));

    let log = archive(data_dir.path(), "m365-device");
    assert_eq!(log["status"], "succeeded", "{log}");
    assert_eq!(log["archived"], 3, "{log}");
}

#[tokio::test]
async fn an_expired_or_declined_device_code_is_a_clear_error() {
    let Some(bed) = bed() else {
        return;
    };
    let data_dir = tempfile::tempdir().unwrap();
    // "expiring": codes live 4 s.
    oauth_mailbox(
        &bed,
        data_dir.path(),
        "m365-expiring",
        "tresor-expiring-public",
        Account {
            user: "user5",
            password: "pass5",
            folders: 1,
            messages: 1,
        },
    )
    .await;
    let (ok, shown, took) = authorize(&bed, data_dir.path(), "m365-expiring", Person::Away).await;
    assert!(!ok, "{shown}");
    assert!(
        shown.contains("the code expired before anyone signed in"),
        "{shown}"
    );
    assert!(took < Duration::from_secs(30), "it stops polling: {took:?}");
    let log = archive(data_dir.path(), "m365-expiring");
    assert_eq!(log["status"], "failed", "still not signed in: {log}");
}

#[tokio::test]
async fn an_access_token_about_to_expire_is_renewed_and_a_revoked_grant_needs_sign_in() {
    let Some(bed) = bed() else {
        return;
    };
    let data_dir = tempfile::tempdir().unwrap();
    // "short": access tokens live 30 s, inside the two-minute renewal margin,
    // so every login renews first — before the run and before each folder.
    oauth_mailbox(
        &bed,
        data_dir.path(),
        "m365-short",
        "tresor-short-public",
        Account {
            user: "user6",
            password: "pass6",
            folders: 3,
            messages: 2,
        },
    )
    .await;
    let (ok, shown, _) = authorize(
        &bed,
        data_dir.path(),
        "m365-short",
        Person::SignsInAtOnce("user6"),
    )
    .await;
    assert!(ok, "{shown}");

    let before = stats(&bed).await;
    let log = archive(data_dir.path(), "m365-short");
    assert_eq!(log["status"], "succeeded", "{log}");
    assert_eq!(log["archived"], 6, "three folders of two: {log}");
    let after = stats(&bed).await;
    let renewals =
        after["refresh_token"].as_u64().unwrap() - before["refresh_token"].as_u64().unwrap();
    // Before the first login, then — the token always being about to
    // expire — before each further folder, with a fresh login.
    assert!(
        renewals >= 3,
        "renewed with the refresh token during the run: {renewals}"
    );

    // The user's sessions are revoked at the provider: the next renewal is
    // refused and the mailbox needs a sign-in, said in the job's error.
    let revoked = reqwest::Client::new()
        .post(format!("{}/test/revoke", bed.oauth_url))
        .form(&[("user", "user6")])
        .send()
        .await
        .unwrap();
    assert!(revoked.status().is_success());
    let log = archive(data_dir.path(), "m365-short");
    assert_eq!(log["status"], "failed", "{log}");
    let error = log["error"].as_str().unwrap();
    assert!(error.contains("needs a sign-in"), "{error}");
    assert!(
        error.contains("invalid_grant"),
        "the provider's reason: {error}"
    );
    let listed = tresor(data_dir.path(), &["mailbox", "list", "--json"], None);
    assert!(
        stdout(&listed).contains("needs_sign_in"),
        "the mailbox list shows it: {}",
        stdout(&listed)
    );
}
