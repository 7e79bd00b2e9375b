//! MailStore-style batch archiving: one privileged login (Dovecot's master user
//! `archiver`) archives several users' mailboxes via SASL PLAIN authzid.

use crate::harness::{endpoint, session, stderr, stdout, synthetic_message, tresor};
use std::time::Duration;
use tresor::imap::{self, Security};

#[tokio::test]
async fn a_master_user_archives_three_users() {
    let Some(endpoint) = endpoint(Security::ImplicitTls, None) else {
        return;
    };
    let folder = format!("it-master-{}", rand::random::<u32>());
    let users = [
        ("bob", "bobpw", 3usize),
        ("carol", "carolpw", 5),
        ("user2", "pass2", 7),
    ];
    for (user, password, count) in users {
        let mut session = session(&endpoint, user, password).await;
        session.create(&folder).await.unwrap();
        for index in 0..count {
            let mut message = synthetic_message(index);
            // Different bytes per user: the test counts archived messages, not duplicates.
            message.extend_from_slice(format!("for {user}\r\n").as_bytes());
            session.append(&folder, None, None, message).await.unwrap();
        }
        imap::logout(session, Duration::from_secs(10))
            .await
            .unwrap();
    }

    let data_dir = tempfile::tempdir().unwrap();
    let ca = std::env::var("TRESOR_TEST_DOVECOT_CA").unwrap();
    let port = std::env::var("TRESOR_TEST_IMAPS_PORT").unwrap();
    for (user, _, _) in users {
        let added = tresor(
            data_dir.path(),
            &[
                "mailbox",
                "add",
                "--name",
                user,
                "--host",
                "localhost",
                "--port",
                &port,
                "--security",
                "tls",
                "--auth",
                "plain",
                "--username",
                user,
                "--master-user",
                "archiver",
                "--identity",
                "username",
                "--password-stdin",
                "--ca-file",
                &ca,
                "--folders",
                &folder,
            ],
            Some("masterpw\n"),
        );
        assert!(added.status.success(), "{}", stderr(&added));
    }

    let run = tresor(data_dir.path(), &["archive", "--all", "--json"], None);
    assert!(run.status.success(), "{}\n{}", stdout(&run), stderr(&run));
    let logs: Vec<serde_json::Value> = serde_json::from_str(&stdout(&run)).unwrap();
    let archived: Vec<(String, u64)> = logs
        .iter()
        .map(|log| {
            (
                log["mailbox"].as_str().unwrap().to_string(),
                log["archived"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        archived,
        [
            ("bob".to_string(), 3),
            ("carol".to_string(), 5),
            ("user2".to_string(), 7)
        ],
        "{logs:?}"
    );
}
