//! `tresor mailbox test` and `tresor mailbox folders` against the real Dovecot:
//! what an administrator sees when a mailbox works, and when it does not.

use crate::harness::{service_env, stderr, stdout, tresor};

/// A data dir with one mailbox `name` for alice, added with `options`.
fn mailbox(data_dir: &std::path::Path, name: &str, password: &str, options: &[&str]) {
    crate::harness::add_owner(data_dir);
    let mut args = vec![
        "mailbox",
        "add",
        "--owner",
        "alice@example.com",
        "--name",
        name,
        "--username",
        "alice",
        "--password-stdin",
    ];
    args.extend_from_slice(options);
    let added = tresor(data_dir, &args, Some(&format!("{password}\n")));
    assert!(added.status.success(), "{}", stderr(&added));
}

fn probe(data_dir: &std::path::Path, name: &str) -> (bool, serde_json::Value) {
    let run = tresor(data_dir, &["mailbox", "test", name, "--json"], None);
    let report = serde_json::from_str(&stdout(&run))
        .unwrap_or_else(|error| panic!("{error}: {}\n{}", stdout(&run), stderr(&run)));
    (run.status.success(), report)
}

#[test]
fn a_working_mailbox_reports_capabilities_certificate_and_folders() {
    let Some(ca) = service_env("TRESOR_TEST_DOVECOT_CA", "Dovecot") else {
        return;
    };
    let port = std::env::var("TRESOR_TEST_IMAP_PORT").unwrap();
    let data_dir = tempfile::tempdir().unwrap();
    mailbox(
        data_dir.path(),
        "alice",
        "alicepw",
        &[
            "--host",
            "localhost",
            "--port",
            &port,
            "--security",
            "starttls",
            "--ca-file",
            &ca,
        ],
    );
    let (ok, report) = probe(data_dir.path(), "alice");
    assert!(ok, "{report}");
    assert_eq!(report["error"], serde_json::Value::Null);
    let capabilities = report["capabilities"].as_array().unwrap();
    assert!(
        capabilities.iter().any(|capability| capability == "MOVE"),
        "{report}"
    );
    assert!(
        report["certificate"]["issuer"]
            .as_str()
            .unwrap()
            .contains("Test CA"),
        "{report}"
    );
    assert_eq!(report["insecure_tls"], false);
    let folders = report["folders"].as_array().unwrap();
    let folder = |path: &str| {
        folders
            .iter()
            .find(|folder| folder["path"] == path)
            .unwrap_or_else(|| panic!("{path} in {report}"))
    };
    assert!(folder("INBOX")["messages"].is_u64());
    assert_eq!(folder("INBOX")["selected"], true);
    assert_eq!(folder("Trash")["special_use"], "trash");
    assert_eq!(
        folder("Trash")["selected"],
        false,
        "trash is excluded by default"
    );

    let listed = tresor(data_dir.path(), &["mailbox", "folders", "alice"], None);
    assert!(listed.status.success(), "{}", stderr(&listed));
    let table = stdout(&listed);
    assert!(
        table
            .lines()
            .any(|line| line.starts_with("Trash") && line.trim_end().ends_with("no")),
        "{table}"
    );
}

#[test]
fn each_kind_of_failure_is_named() {
    let Some(ca) = service_env("TRESOR_TEST_DOVECOT_CA", "Dovecot") else {
        return;
    };
    let port = std::env::var("TRESOR_TEST_IMAPS_PORT").unwrap();
    let cases: [(&str, &str, Vec<&str>, &str, &str); 4] = [
        (
            "wrong-password",
            "not-the-password",
            vec!["--host", "localhost", "--ca-file", &ca],
            "authentication",
            "authentication failed",
        ),
        (
            "untrusted",
            "alicepw",
            vec!["--host", "localhost"],
            "certificate",
            "not trusted",
        ),
        (
            "no-such-host",
            "alicepw",
            vec!["--host", "imap.does-not-exist.invalid"],
            "host_not_found",
            "was not found",
        ),
        (
            "closed-port",
            "alicepw",
            vec!["--host", "127.0.0.1"],
            "connect",
            "cannot connect",
        ),
    ];
    for (name, password, mut options, kind, message) in cases {
        let data_dir = tempfile::tempdir().unwrap();
        let closed_port = "1";
        options.extend_from_slice(&[
            "--port",
            if name == "closed-port" {
                closed_port
            } else {
                &port
            },
        ]);
        mailbox(data_dir.path(), name, password, &options);
        let (ok, report) = probe(data_dir.path(), name);
        assert!(!ok, "{name}: {report}");
        assert_eq!(report["error_kind"], kind, "{name}: {report}");
        assert!(
            report["error"].as_str().unwrap().contains(message),
            "{name}: {report}"
        );
    }
}

#[test]
fn accepting_invalid_certificates_works_and_is_flagged() {
    let Some(_) = service_env("TRESOR_TEST_DOVECOT_CA", "Dovecot") else {
        return;
    };
    let port = std::env::var("TRESOR_TEST_IMAPS_PORT").unwrap();
    let data_dir = tempfile::tempdir().unwrap();
    mailbox(
        data_dir.path(),
        "lenient",
        "alicepw",
        &[
            "--host",
            "localhost",
            "--port",
            &port,
            "--accept-invalid-certs",
        ],
    );
    let (ok, report) = probe(data_dir.path(), "lenient");
    assert!(ok, "{report}");
    assert_eq!(report["insecure_tls"], true);
    let listed = tresor(data_dir.path(), &["mailbox", "list", "--json"], None);
    let list: serde_json::Value = serde_json::from_str(&stdout(&listed)).unwrap();
    assert_eq!(list[0]["insecure_tls"], true, "{list}");
}

#[test]
fn every_login_mechanism_works_from_a_mailbox_profile() {
    let Some(ca) = service_env("TRESOR_TEST_DOVECOT_CA", "Dovecot") else {
        return;
    };
    let port = std::env::var("TRESOR_TEST_IMAPS_PORT").unwrap();
    // For XOAUTH2 and OAUTHBEARER the stored secret is the access token the
    // harness's introspection server knows.
    for (auth, secret) in [
        ("plain", "alicepw"),
        ("login", "alicepw"),
        ("cram-md5", "alicepw"),
        ("xoauth2", "alice-token"),
        ("oauthbearer", "alice-token"),
    ] {
        let data_dir = tempfile::tempdir().unwrap();
        mailbox(
            data_dir.path(),
            auth,
            secret,
            &[
                "--host",
                "localhost",
                "--port",
                &port,
                "--ca-file",
                &ca,
                "--auth",
                auth,
            ],
        );
        let (ok, report) = probe(data_dir.path(), auth);
        assert!(ok, "{auth}: {report}");
    }
}
