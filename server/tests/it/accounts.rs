//! `auth::Accounts` against real databases.

use crate::harness::{TestClock, databases};
use app::model::Role;
use std::sync::Arc;
use std::time::Duration;
use tresor::auth::{Accounts, AuthError};

const HOUR: Duration = Duration::from_secs(3600);

#[tokio::test]
async fn users_are_created_listed_and_unique_by_address() {
    for db in databases().await {
        let accounts = Accounts::new(db.connection.clone(), HOUR);
        let alice = accounts
            .create_user("Alice@Example.com", "Alice", Role::User, "alice-password")
            .await
            .unwrap();
        assert_eq!(alice.email, "alice@example.com", "{}", db.name);
        accounts
            .create_user("bob@example.com", "", Role::Auditor, "bob-password-1")
            .await
            .unwrap();

        let duplicate = accounts
            .create_user(
                "ALICE@example.com",
                "Alice 2",
                Role::Admin,
                "another-password",
            )
            .await;
        assert!(
            matches!(duplicate, Err(AuthError::EmailTaken(_))),
            "{}: {duplicate:?}",
            db.name
        );

        let users = accounts.list_users().await.unwrap();
        let summary: Vec<_> = users
            .iter()
            .map(|user| {
                (
                    user.email.as_str(),
                    user.display_name.as_str(),
                    user.role().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("alice@example.com", "Alice", Role::User),
                ("bob@example.com", "bob", Role::Auditor)
            ],
            "{}",
            db.name
        );
        assert!(
            users
                .iter()
                .all(|user| user.password_hash.starts_with("$argon2id$"))
        );
    }
}

#[tokio::test]
async fn sign_in_opens_a_session_and_sign_out_ends_it() {
    for db in databases().await {
        let accounts = Accounts::new(db.connection.clone(), HOUR);
        accounts
            .create_user("carol@example.com", "Carol", Role::User, "carol-password")
            .await
            .unwrap();

        let wrong = accounts
            .sign_in("carol@example.com", "wrong-password", None, None)
            .await;
        assert!(
            matches!(wrong, Err(AuthError::BadCredentials)),
            "{}",
            db.name
        );
        let unknown = accounts
            .sign_in("nobody@example.com", "carol-password", None, None)
            .await;
        assert!(
            matches!(unknown, Err(AuthError::BadCredentials)),
            "{}",
            db.name
        );

        let session = accounts
            .sign_in(
                " CAROL@example.com",
                "carol-password",
                None,
                Some("test agent"),
            )
            .await
            .unwrap();
        let user = accounts
            .session_user(&session.token)
            .await
            .unwrap()
            .expect("live session");
        assert_eq!(user.email, "carol@example.com");
        assert!(
            accounts
                .session_user("forged-token")
                .await
                .unwrap()
                .is_none()
        );

        accounts.sign_out(&session.token).await.unwrap();
        assert!(
            accounts
                .session_user(&session.token)
                .await
                .unwrap()
                .is_none(),
            "{}",
            db.name
        );
    }
}

#[tokio::test]
async fn repeated_failures_throttle_even_the_right_password() {
    for db in databases().await {
        let accounts = Accounts::new(db.connection.clone(), HOUR);
        accounts
            .create_user("dave@example.com", "Dave", Role::User, "dave-password")
            .await
            .unwrap();
        for _ in 0..5 {
            let result = accounts
                .sign_in("dave@example.com", "guess", None, None)
                .await;
            assert!(matches!(result, Err(AuthError::BadCredentials)));
        }
        let throttled = accounts
            .sign_in("dave@example.com", "dave-password", None, None)
            .await;
        match throttled {
            Err(AuthError::Throttled(wait)) => assert!(wait > Duration::from_secs(20), "{wait:?}"),
            other => panic!(
                "{}: expected throttling, got {:?}",
                db.name,
                other.map(|session| session.user.email)
            ),
        }
        // Another account is not affected.
        accounts
            .create_user("erin@example.com", "Erin", Role::User, "erin-password")
            .await
            .unwrap();
        assert!(
            accounts
                .sign_in("erin@example.com", "erin-password", None, None)
                .await
                .is_ok()
        );
    }
}

#[tokio::test]
async fn disabling_a_user_ends_their_sessions_and_blocks_sign_in() {
    for db in databases().await {
        let accounts = Accounts::new(db.connection.clone(), HOUR);
        let frank = accounts
            .create_user("frank@example.com", "Frank", Role::User, "frank-password")
            .await
            .unwrap();
        let session = accounts
            .sign_in("frank@example.com", "frank-password", None, None)
            .await
            .unwrap();

        accounts.set_disabled(frank.id, true).await.unwrap();
        assert!(
            accounts
                .session_user(&session.token)
                .await
                .unwrap()
                .is_none(),
            "{}",
            db.name
        );
        let again = accounts
            .sign_in("frank@example.com", "frank-password", None, None)
            .await;
        // The right password learns why; a wrong one learns nothing.
        assert!(matches!(again, Err(AuthError::Disabled)), "{}", db.name);
        let guessed = accounts
            .sign_in("frank@example.com", "not-franks-password", None, None)
            .await;
        assert!(
            matches!(guessed, Err(AuthError::BadCredentials)),
            "{}",
            db.name
        );

        accounts.set_disabled(frank.id, false).await.unwrap();
        assert!(
            accounts
                .sign_in("frank@example.com", "frank-password", None, None)
                .await
                .is_ok()
        );
        assert!(matches!(
            accounts.set_disabled(999_999, true).await,
            Err(AuthError::NotFound)
        ));
    }
}

#[tokio::test]
async fn changing_the_password_keeps_only_the_current_session() {
    for db in databases().await {
        let accounts = Accounts::new(db.connection.clone(), HOUR);
        let grace = accounts
            .create_user("grace@example.com", "Grace", Role::User, "grace-password")
            .await
            .unwrap();
        let here = accounts
            .sign_in("grace@example.com", "grace-password", None, None)
            .await
            .unwrap();
        let elsewhere = accounts
            .sign_in("grace@example.com", "grace-password", None, None)
            .await
            .unwrap();

        let wrong_current = accounts
            .change_password(grace.id, "not-it", "grace-new-password", Some(&here.token))
            .await;
        assert!(
            matches!(
                wrong_current,
                Err(AuthError::Invalid {
                    field: "current_password",
                    ..
                })
            ),
            "{}",
            db.name
        );
        let too_short = accounts
            .change_password(grace.id, "grace-password", "short", Some(&here.token))
            .await;
        assert!(matches!(
            too_short,
            Err(AuthError::Invalid {
                field: "new_password",
                ..
            })
        ));

        accounts
            .change_password(
                grace.id,
                "grace-password",
                "grace-new-password",
                Some(&here.token),
            )
            .await
            .unwrap();
        assert!(
            accounts.session_user(&here.token).await.unwrap().is_some(),
            "{}",
            db.name
        );
        assert!(
            accounts
                .session_user(&elsewhere.token)
                .await
                .unwrap()
                .is_none(),
            "{}",
            db.name
        );
        assert!(
            accounts
                .sign_in("grace@example.com", "grace-password", None, None)
                .await
                .is_err()
        );
        assert!(
            accounts
                .sign_in("grace@example.com", "grace-new-password", None, None)
                .await
                .is_ok()
        );
    }
}

#[tokio::test]
async fn expired_sessions_are_refused() {
    for db in databases().await {
        let clock = Arc::new(TestClock::at(chrono::Utc::now()));
        let accounts =
            Accounts::new(db.connection.clone(), Duration::from_secs(1)).with_clock(clock.clone());
        accounts
            .create_user("heidi@example.com", "Heidi", Role::User, "heidi-password")
            .await
            .unwrap();
        let session = accounts
            .sign_in("heidi@example.com", "heidi-password", None, None)
            .await
            .unwrap();
        assert!(
            accounts
                .session_user(&session.token)
                .await
                .unwrap()
                .is_some()
        );
        // Within its second the session holds; past it, it is refused (a
        // millisecond either side: PostgreSQL keeps microseconds).
        clock.advance(chrono::Duration::milliseconds(999));
        assert!(
            accounts
                .session_user(&session.token)
                .await
                .unwrap()
                .is_some(),
            "{}",
            db.name
        );
        clock.advance(chrono::Duration::milliseconds(2));
        assert!(
            accounts
                .session_user(&session.token)
                .await
                .unwrap()
                .is_none(),
            "{}",
            db.name
        );
    }
}
