//! Mailbox names unique per owner only (item 5), on the web, on the
//! command line, and through the migration over existing mailboxes.

use crate::harness::{
    Services, Site, assert_field_error, databases, mailbox_form, stderr, tresor,
    unmigrated_postgres,
};
use app::model::Role;
use sea_orm::{EntityTrait, QueryOrder};
use std::time::Duration;
use tresor::connect::ConnectionPolicy;
use tresor::mailbox::{MailboxError, MailboxInput};
use tresor::secrets::Secret;

#[tokio::test]
async fn mailbox_names_are_unique_per_owner_not_per_installation() {
    for db in databases().await {
        let site = Site::new(&db).await;
        site.state
            .accounts
            .create_user("other@example.com", "Other", Role::User, "other-password")
            .await
            .unwrap();
        let user = site.sign_in("user@example.com", "user-password").await;
        let other = site.sign_in("other@example.com", "other-password").await;
        let admin = site.sign_in("root@example.com", "root-password").await;
        let save = |form: String, cookie: String| {
            let site = &site;
            async move { site.call("/api/mailboxes/save", &form, Some(&cookie)).await }
        };
        let mine = mailbox_form(&[("name", "Inbox archive")]);
        let shared = mailbox_form(&[("name", "Inbox archive"), ("shared", "on")]);
        for (form, cookie) in [(&mine, &user), (&mine, &other), (&shared, &admin)] {
            let (status, body, _) = save(form.clone(), cookie.clone()).await;
            assert_eq!(status, 200, "{}: {body}", db.name);
        }
        // Within one owner (and among shared mailboxes) a name stays unique.
        for (form, cookie) in [(&mine, &other), (&shared, &admin)] {
            let (status, body, _) = save(form.clone(), cookie.clone()).await;
            assert_eq!(status, 422, "{}: {body}", db.name);
            assert_field_error(status, &body, "name");
            assert!(body.contains("exists already"), "{body}");
        }

        // The command line names one by its owner when the name is shared.
        match site.services.mailboxes.by_name("Inbox archive").await {
            Err(MailboxError::Ambiguous { candidates, .. }) => assert_eq!(
                candidates,
                [
                    "user@example.com/Inbox archive",
                    "other@example.com/Inbox archive",
                    "shared/Inbox archive"
                ]
            ),
            other => panic!("{}: expected ambiguity, got {other:?}", db.name),
        }
        let others = site
            .services
            .mailboxes
            .by_name("Other@Example.com/Inbox archive")
            .await
            .unwrap();
        assert_ne!(others.owner_id, Some(site.user_id));
        assert!(others.owner_id.is_some());
        let shared_row = site
            .services
            .mailboxes
            .by_name("shared/Inbox archive")
            .await
            .unwrap();
        assert_eq!(shared_row.owner_id, None);
        assert!(matches!(
            site.services
                .mailboxes
                .by_name("nobody@example.com/Inbox archive")
                .await,
            Err(MailboxError::NotFound(_))
        ));
        // Moving a mailbox to an owner who has the name already is refused.
        assert!(matches!(
            site.services
                .mailboxes
                .set_sharing(shared_row.id, Some(site.user_id), &Default::default())
                .await,
            Err(MailboxError::NameTaken(_))
        ));
    }
}

#[test]
fn the_command_line_asks_which_owner_when_a_name_is_ambiguous() {
    let dir = tempfile::tempdir().unwrap();
    for owner in ["ann@example.com", "bob@example.com"] {
        let added = tresor(
            dir.path(),
            &["user", "add", "--email", owner, "--password-stdin"],
            Some("a-long-enough-password\n"),
        );
        assert!(added.status.success(), "{}", stderr(&added));
        let added = tresor(
            dir.path(),
            &[
                "mailbox",
                "add",
                "--owner",
                owner,
                "--name",
                "Inbox archive",
                "--host",
                "imap.example.com",
                "--username",
                owner,
                "--password-stdin",
            ],
            Some("imap-password\n"),
        );
        assert!(added.status.success(), "{owner}: {}", stderr(&added));
    }
    // An export opens the search index (here: an empty one).
    let reindexed = tresor(dir.path(), &["reindex"], None);
    assert!(reindexed.status.success(), "{}", stderr(&reindexed));
    let out = dir.path().join("export.mbox");
    let out = out.to_str().unwrap();
    let ambiguous = tresor(
        dir.path(),
        &[
            "export",
            "--mailbox",
            "Inbox archive",
            "--format",
            "mbox",
            "--out",
            out,
        ],
        None,
    );
    assert!(!ambiguous.status.success());
    let message = stderr(&ambiguous);
    assert!(message.contains("OWNER-EMAIL/NAME"), "{message}");
    assert!(
        message.contains("bob@example.com/Inbox archive"),
        "{message}"
    );
    let named = tresor(
        dir.path(),
        &[
            "export",
            "--mailbox",
            "bob@example.com/Inbox archive",
            "--format",
            "mbox",
            "--out",
            out,
        ],
        None,
    );
    assert!(named.status.success(), "{}", stderr(&named));
}

/// Columns of `mailboxes` that migrations after the one under test add
/// (name, SQL type).
const LATER_MAILBOX_COLUMNS: (&str, [(&str, &str); 1]) =
    ("mailboxes", [("pinned_cert_sha256", "TEXT NULL")]);
const LATER_USER_COLUMNS: (&str, [(&str, &str); 1]) = ("users", [("language", "TEXT NULL")]);

/// Adds (`"ADD"`) or drops (`"DROP"`) the later `columns` of a table.
async fn later_columns<const N: usize>(
    connection: &sea_orm::DatabaseConnection,
    change: &str,
    (table, columns): &(&str, [(&str, &str); N]),
) {
    use sea_orm::ConnectionTrait;
    for (name, kind) in columns {
        let statement = match change {
            "ADD" => format!("ALTER TABLE {table} ADD COLUMN {name} {kind}"),
            _ => format!("ALTER TABLE {table} DROP COLUMN {name}"),
        };
        connection.execute_unprepared(&statement).await.unwrap();
    }
}

/// The migration keeps every mailbox, its id, what refers to it and the
/// id sequence, on a database that has mailboxes already.
#[tokio::test]
async fn the_migration_keeps_existing_mailboxes() {
    use migrations::{Migrator, MigratorTrait};
    use tresor::db::entity::{mailbox, mailbox_grant};
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("old.db").display());
    let mut urls = vec![url];
    if let Some(postgres) = unmigrated_postgres().await {
        urls.push(postgres);
    }
    for url in urls {
        let connection = tresor::db::connect(&url).await.unwrap();
        // The schema before mailbox names were per owner.
        let before = Migrator::migrations()
            .iter()
            .position(|migration| migration.name() == "m20261124_000015_mailbox_names_per_owner")
            .unwrap();
        Migrator::up(&connection, Some(before as u32))
            .await
            .unwrap();
        later_columns(&connection, "ADD", &LATER_USER_COLUMNS).await;
        let accounts = tresor::auth::Accounts::new(connection.clone(), Duration::from_secs(60));
        let ann = accounts
            .create_user("ann@example.com", "Ann", Role::User, "ann-password-1")
            .await
            .unwrap();
        later_columns(&connection, "DROP", &LATER_USER_COLUMNS).await;
        // The rows are written by today's code, which knows columns later
        // migrations add: they exist for the inserts only, so the migrations
        // under test run on the old schema. (Added before anything reads the
        // table: PostgreSQL refuses a cached plan whose result type changed.)
        later_columns(&connection, "ADD", &LATER_MAILBOX_COLUMNS).await;
        let services = Services::new(&connection, ConnectionPolicy::allow_private(), &[]).await;
        let mailboxes = &services.mailboxes;
        let mut ids = Vec::new();
        for name in ["one", "two", "three"] {
            let row = services
                .add_mailbox(
                    Some(ann.id),
                    &MailboxInput::new(name, "imap.example.com", "ann"),
                    Some("pw"),
                )
                .await;
            ids.push(row.id);
        }
        mailboxes
            .set_sharing(ids[1], Some(ann.id), &[ann.id].into())
            .await
            .unwrap();
        later_columns(&connection, "DROP", &LATER_MAILBOX_COLUMNS).await;

        tresor::db::migrate(&connection).await.unwrap();
        // A fresh connection: the old one's cached plans know the old table.
        let connection = tresor::db::connect(&url).await.unwrap();
        let services = Services::new(&connection, ConnectionPolicy::allow_private(), &[]).await;
        let mailboxes = &services.mailboxes;
        let rows = mailbox::Entity::find()
            .order_by_asc(mailbox::Column::Id)
            .all(&connection)
            .await
            .unwrap();
        let kept: Vec<(i64, String)> = rows.iter().map(|row| (row.id, row.name.clone())).collect();
        assert_eq!(
            kept,
            [
                (ids[0], "one".to_string()),
                (ids[1], "two".to_string()),
                (ids[2], "three".to_string())
            ],
            "{url}"
        );
        let grants = mailbox_grant::Entity::find()
            .all(&connection)
            .await
            .unwrap();
        assert_eq!(grants.len(), 1);
        assert_eq!(grants[0].mailbox_id, ids[1]);
        // New ids continue after the old ones; names repeat across owners only.
        let next = services
            .add_mailbox(
                None,
                &MailboxInput::new("one", "imap.example.com", "x"),
                Some("pw"),
            )
            .await;
        assert!(next.id > ids[2], "{url}");
        assert!(matches!(
            mailboxes
                .create(
                    tresor::mailbox::Editor::Admin,
                    Some(ann.id),
                    &MailboxInput::new("one", "imap.example.com", "x"),
                    Some(&Secret::new("pw"))
                )
                .await,
            Err(MailboxError::NameTaken(_))
        ));
    }
}
