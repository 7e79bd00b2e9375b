//! Mailbox profiles as the browser's editor uses them: who sees which,
//! editing without retyping the password, field errors, name clashes.

use crate::harness::{databases, services};
use app::model::Role;
use std::time::Duration;
use tresor::auth::Accounts;
use tresor::imap::Credentials;
use tresor::mailbox::{MailboxError, MailboxInput};
use tresor::secrets::Secret;

#[tokio::test]
async fn owners_see_their_own_mailboxes_and_edit_them_keeping_the_secret() {
    for db in databases().await {
        let accounts = Accounts::new(db.connection.clone(), Duration::from_secs(3600));
        let ann = accounts
            .create_user("ann@example.com", "Ann", Role::User, "ann-password-1")
            .await
            .unwrap();
        let bob = accounts
            .create_user("bob@example.com", "Bob", Role::User, "bob-password-1")
            .await
            .unwrap();
        let services = services(&db).await;
        let mailboxes = &services.mailboxes;

        let mut ann_input = MailboxInput::new("ann-work", "imap.example.com", "ann");
        ann_input.folder_rules = "INBOX\n!Spam".into();
        ann_input
            .labels
            .insert("category".into(), "Eingangsrechnung".into());
        ann_input.schedule = Some("1h".into());
        let ann_row = services
            .add_mailbox(Some(ann.id), &ann_input, Some("ann-imap"))
            .await;
        services
            .add_mailbox(
                Some(bob.id),
                &MailboxInput::new("bob-work", "imap.example.com", "bob"),
                Some("bob-imap"),
            )
            .await;

        let names = |rows: Vec<tresor::mailbox::MailboxRow>| {
            rows.into_iter().map(|row| row.name).collect::<Vec<_>>()
        };
        assert_eq!(
            names(mailboxes.visible_to(ann.id, false).await.unwrap()),
            ["ann-work"],
            "{}",
            db.name
        );
        assert_eq!(
            names(mailboxes.visible_to(ann.id, true).await.unwrap()),
            ["ann-work", "bob-work"],
            "{}",
            db.name
        );

        // The editor gets back exactly what was saved.
        assert_eq!(
            mailboxes.input_of(&ann_row).unwrap(),
            ann_input,
            "{}",
            db.name
        );

        // The stored password only goes to the server it was entered for.
        let mut elsewhere = ann_input.clone();
        elsewhere.host = "mail.attacker.example".into();
        match mailboxes
            .update(tresor::mailbox::Editor::Admin, ann_row.id, &elsewhere, None)
            .await
        {
            Err(MailboxError::Invalid(errors)) => assert_eq!(errors[0].field, "secret"),
            other => panic!("a new server without the password was accepted: {other:?}"),
        }
        assert!(
            mailboxes
                .probe_row(
                    tresor::mailbox::Editor::Admin,
                    Some(ann.id),
                    Some(&ann_row),
                    &elsewhere,
                    None
                )
                .await
                .is_err()
        );

        // "Test connection" of a mailbox not saved yet, and of a saved one.
        let unsaved = mailboxes
            .probe_row(
                tresor::mailbox::Editor::Admin,
                Some(ann.id),
                None,
                &ann_input,
                Some(&Secret::new("typed")),
            )
            .await
            .expect("an unsaved mailbox can be tested");
        assert_eq!(unsaved.oauth_app_id, None);
        mailboxes
            .probe_row(
                tresor::mailbox::Editor::Admin,
                Some(ann.id),
                Some(&ann_row),
                &ann_input,
                None,
            )
            .await
            .expect("a saved mailbox tests with its stored password");

        // Editing without a new secret keeps the stored one.
        let mut edited = ann_input.clone();
        edited.schedule = Some("0 2 * * *".into());
        let updated = mailboxes
            .update(tresor::mailbox::Editor::Admin, ann_row.id, &edited, None)
            .await
            .unwrap();
        assert_eq!(updated.schedule.as_deref(), Some("0 2 * * *"));
        assert_eq!(updated.owner_id, Some(ann.id));
        let (_, credentials) = mailboxes.connection(&updated).await.unwrap();
        match credentials {
            Credentials::Plain { password, .. } => assert_eq!(password, "ann-imap"),
            other => panic!("unexpected credentials {other:?}"),
        }

        // Field errors name their field; a name the owner uses already is
        // refused (another owner's is not: names are unique per owner).
        let mut broken = edited.clone();
        broken.folder_rules = "/INBOX".into();
        match mailboxes
            .update(tresor::mailbox::Editor::Admin, ann_row.id, &broken, None)
            .await
        {
            Err(MailboxError::Invalid(errors)) => {
                assert_eq!(errors[0].field, "folder_rules", "{errors:?}")
            }
            other => panic!("expected a field error, got {other:?}"),
        }
        services
            .add_mailbox(
                Some(ann.id),
                &MailboxInput::new("ann-private", "imap.example.com", "ann"),
                Some("ann-imap"),
            )
            .await;
        let mut clash = edited.clone();
        clash.name = "ann-private".into();
        assert!(matches!(
            mailboxes
                .update(tresor::mailbox::Editor::Admin, ann_row.id, &clash, None)
                .await,
            Err(MailboxError::NameTaken(_))
        ));
        clash.name = "bob-work".into();
        let renamed = mailboxes
            .update(tresor::mailbox::Editor::Admin, ann_row.id, &clash, None)
            .await
            .unwrap();
        assert_eq!(renamed.name, "bob-work");
        mailboxes
            .update(tresor::mailbox::Editor::Admin, ann_row.id, &edited, None)
            .await
            .unwrap();

        let disabled = mailboxes.set_enabled(ann_row.id, false).await.unwrap();
        assert!(!disabled.enabled);
        assert_eq!(mailboxes.input_of(&disabled).unwrap(), edited);
    }
}
