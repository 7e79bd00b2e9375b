//! A maximum message size that always holds (item 4), also against a
//! server that announces more than it sends: refused before it is
//! buffered, skipped and listed by a run.

use crate::harness::{services, sqlite};
use futures::TryStreamExt;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use tresor::imap::{self, Credentials, Endpoint, Security, TlsOptions};
use tresor::mailbox::MailboxInput;

/// A scripted IMAP server on localhost, for one connection: any LOGIN works;
/// INBOX holds one message, UID 1, whose size the server states as
/// `stated_size`; its body is `body_response` (a FETCH response up to the
/// tagged OK), which may announce more than it sends.
async fn fake_imap_server(stated_size: u64, body_response: Vec<u8>) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        let (read, mut write) = socket.into_split();
        let mut lines = tokio::io::BufReader::new(read).lines();
        write
            .write_all(b"* OK [CAPABILITY IMAP4rev1] fake server ready\r\n")
            .await
            .unwrap();
        while let Ok(Some(line)) = lines.next_line().await {
            let (tag, rest) = line.split_once(' ').unwrap_or((&line, ""));
            let upper = rest.to_ascii_uppercase();
            let command = upper.split(' ').next().unwrap_or("");
            let mut reply: Vec<u8> = Vec::new();
            match command {
                "LOGIN" | "NOOP" => {}
                "CAPABILITY" => reply.extend_from_slice(b"* CAPABILITY IMAP4rev1\r\n"),
                "LSUB" => reply.extend_from_slice(b"* LSUB () \"/\" INBOX\r\n"),
                "LIST" => reply.extend_from_slice(b"* LIST () \"/\" INBOX\r\n"),
                "SELECT" | "EXAMINE" => reply.extend_from_slice(
                    b"* 1 EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [UIDNEXT 2] ok\r\n",
                ),
                "UID" if upper.contains("BODY") => reply.extend_from_slice(&body_response),
                "UID" if upper.contains("SEARCH") => reply.extend_from_slice(b"* SEARCH 1\r\n"),
                "UID" => reply.extend_from_slice(
                    format!(
                        "* 1 FETCH (UID 1 INTERNALDATE \"01-Jan-2024 00:00:00 +0000\" RFC822.SIZE {stated_size})\r\n"
                    )
                    .as_bytes(),
                ),
                "LOGOUT" => reply.extend_from_slice(b"* BYE bye\r\n"),
                _ => {
                    reply.extend_from_slice(format!("{tag} BAD not here\r\n").as_bytes());
                    let _ = write.write_all(&reply).await;
                    continue;
                }
            }
            reply.extend_from_slice(format!("{tag} OK done\r\n").as_bytes());
            if write.write_all(&reply).await.is_err() || command == "LOGOUT" {
                break;
            }
        }
    });
    port
}

fn fake_endpoint(port: u16) -> Endpoint {
    Endpoint {
        destinations: tresor::connect::Destinations::Any,
        host: "127.0.0.1".into(),
        port,
        security: Security::Plain,
        tls: TlsOptions::default(),
        timeout: Duration::from_secs(20),
    }
}

/// A FETCH response announcing a body of `announced` bytes, of which it
/// sends only a few (a server that would make Tresor wait and allocate).
fn announcing(announced: u64) -> Vec<u8> {
    let mut response = format!("* 1 FETCH (UID 1 BODY[] {{{announced}}}\r\n").into_bytes();
    response.extend_from_slice(b"Subject: big\r\n");
    response
}

async fn fetch_body(session: &mut imap::Session) -> Result<Vec<u8>, String> {
    let fetched = tokio::time::timeout(Duration::from_secs(30), async {
        session
            .uid_fetch("1", "(UID BODY.PEEK[])")
            .await?
            .try_collect::<Vec<_>>()
            .await
    })
    .await
    .map_err(|_| "still waiting for the announced bytes".to_string())?
    .map_err(|error| error.to_string())?;
    Ok(fetched[0].body().unwrap_or_default().to_vec())
}

#[tokio::test]
async fn a_body_over_the_maximum_message_size_is_refused_before_it_is_buffered() {
    // More than the default limit, which holds before a mailbox sets any.
    let announced = tresor::mailbox::DEFAULT_MAX_MESSAGE_BYTES + 1;
    let port = fake_imap_server(100, announcing(announced)).await;
    let credentials = Credentials::Login {
        user: "u".into(),
        password: "p".into(),
    };
    let mut connection = imap::open(&fake_endpoint(port), &credentials)
        .await
        .unwrap();
    connection.session.select("INBOX").await.unwrap();
    let error = fetch_body(&mut connection.session)
        .await
        .expect_err("the announcement is refused");
    assert!(error.contains("maximum message size"), "{error}");
    assert!(error.contains(&announced.to_string()), "{error}");
}

#[tokio::test]
async fn message_text_shaped_like_a_literal_passes_and_the_limit_follows_the_mailbox() {
    let body = b"Subject: braces\r\n\r\nThis line ends like a literal {999999999999}\r\nand \"this\" {5}\r\n";
    let mut response = format!(
        "* 1 FETCH (UID 1 FLAGS (\\Seen) BODY[] {{{}}}\r\n",
        body.len()
    )
    .into_bytes();
    response.extend_from_slice(body);
    response.extend_from_slice(b")\r\n");
    let port = fake_imap_server(body.len() as u64, response).await;
    let credentials = Credentials::Login {
        user: "u".into(),
        password: "p".into(),
    };
    let mut connection = imap::open(&fake_endpoint(port), &credentials)
        .await
        .unwrap();
    connection.session.select("INBOX").await.unwrap();
    imap::limit_literals(&connection.session, body.len() as u64);
    assert_eq!(fetch_body(&mut connection.session).await.unwrap(), body);
    imap::limit_literals(&connection.session, body.len() as u64 - 1);
    let error = fetch_body(&mut connection.session).await.unwrap_err();
    assert!(error.contains("maximum message size"), "{error}");
}

#[tokio::test]
async fn without_a_limit_of_its_own_a_mailbox_skips_and_lists_what_is_over_the_default() {
    let over = tresor::mailbox::DEFAULT_MAX_MESSAGE_BYTES + 1;
    // Were the body asked for, the server would announce it and stall.
    let port = fake_imap_server(over, announcing(over)).await;
    let db = sqlite().await;
    let services = services(&db).await;
    let profile = MailboxInput {
        port,
        security: app::model::mailbox::Security::Plain,
        auth_method: app::model::mailbox::AuthMethod::Login,
        ..MailboxInput::new("hostile", "127.0.0.1", "u")
    };
    assert_eq!(profile.max_message_size, None, "no limit of its own");
    services.add_mailbox(None, &profile, Some("p")).await;
    let log = tokio::time::timeout(Duration::from_secs(60), services.engine.archive("hostile"))
        .await
        .expect("the run does not wait for the body")
        .unwrap();
    assert_eq!(log.archived, 0, "{log:?}");
    assert_eq!(log.skipped, 1, "{log:?}");
    let skip = &log.folders[0].skips[0];
    assert_eq!(skip.uid, 1);
    assert!(
        skip.reason
            .contains(&tresor::mailbox::DEFAULT_MAX_MESSAGE_BYTES.to_string()),
        "{skip:?}"
    );
}
