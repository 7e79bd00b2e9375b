//! Raw conversations over TCP: several messages pipelined in one write,
//! 8-bit DATA and binary BDAT kept byte for byte, nothing delivered from a
//! connection dropped mid-message, oversize refused, and a temporary
//! refusal from storage that the client retries.

use super::{RawClient, start};
use tresor::smtp::Refusal;

#[tokio::test]
async fn pipelined_messages_in_one_write_are_all_delivered() {
    let receiver = start(|_| {}).await;
    let mut client = RawClient::greeted(receiver.address).await;
    client
        .send(
            b"EHLO mta.test\r\nMAIL FROM:<a@sender.test>\r\nRCPT TO:<one@journal.example>\r\nDATA\r\n\
              Subject: 1\r\n\r\nfirst\r\n.\r\n\
              MAIL FROM:<b@sender.test>\r\nRCPT TO:<nobody@elsewhere.test>\r\nRCPT TO:<two@journal.example>\r\nDATA\r\n\
              Subject: 2\r\n\r\nsecond\r\n.\r\nQUIT\r\n",
        )
        .await;
    let mut codes = Vec::new();
    loop {
        let reply = client.reply().await;
        if reply.is_empty() {
            break;
        }
        let last_line = reply.lines().last().unwrap();
        codes.push(last_line[..3].to_string());
    }
    assert_eq!(
        codes,
        [
            "250", "250", "250", "354", "250", "250", "550", "250", "354", "250", "221"
        ]
    );
    let delivered = receiver.storage.delivered();
    assert_eq!(delivered.len(), 2);
    assert_eq!(delivered[0].1, b"Subject: 1\r\n\r\nfirst\r\n");
    assert_eq!(delivered[0].0.rcpt_to, ["one@journal.example"]);
    assert_eq!(delivered[1].1, b"Subject: 2\r\n\r\nsecond\r\n");
    assert_eq!(delivered[1].0.mail_from, "b@sender.test");
    assert_eq!(delivered[1].0.rcpt_to, ["two@journal.example"]);
    assert_eq!(delivered[1].0.client.ip(), client_ip());
    receiver.stop().await;
}

fn client_ip() -> std::net::IpAddr {
    "127.0.0.1".parse().unwrap()
}

#[tokio::test]
async fn eight_bit_data_and_binary_bdat_arrive_byte_exact() {
    let receiver = start(|_| {}).await;
    let mut client = RawClient::greeted(receiver.address).await;
    client.command("EHLO mta.test").await;
    client.command("MAIL FROM:<a@b.test> BODY=8BITMIME").await;
    client.command("RCPT TO:<j@journal.example>").await;
    assert!(client.command("DATA").await.starts_with("354"));
    let eight_bit: Vec<u8> = (0x80..=0xff).collect();
    let mut data = b"Subject: 8bit\r\n\r\n".to_vec();
    data.extend_from_slice(&eight_bit);
    data.extend_from_slice(b"\r\nbare\nlf\r\n..stuffed\r\n.\r\n");
    client.send(&data).await;
    assert!(client.reply().await.starts_with("250 2.0.0"));

    // Every byte value, CRLF.CRLF and what looks like commands, in two chunks.
    let mut binary: Vec<u8> = (0..=255).collect();
    binary.extend_from_slice(b"\r\n.\r\nQUIT\r\n");
    let (first, second) = binary.split_at(100);
    client.command("MAIL FROM:<a@b.test>").await;
    client.command("RCPT TO:<j@journal.example>").await;
    let mut chunks = format!("BDAT {}\r\n", first.len()).into_bytes();
    chunks.extend_from_slice(first);
    chunks.extend_from_slice(format!("BDAT {} LAST\r\n", second.len()).as_bytes());
    chunks.extend_from_slice(second);
    client.send(&chunks).await;
    assert!(client.reply().await.starts_with("250 2.0.0 100 octets"));
    assert!(
        client
            .reply()
            .await
            .starts_with("250 2.0.0 Message archived")
    );

    let delivered = receiver.storage.delivered();
    let mut expected = b"Subject: 8bit\r\n\r\n".to_vec();
    expected.extend_from_slice(&eight_bit);
    expected.extend_from_slice(b"\r\nbare\nlf\r\n.stuffed\r\n");
    assert_eq!(delivered[0].1, expected);
    assert_eq!(delivered[1].1, binary);
    receiver.stop().await;
}

#[tokio::test]
async fn a_connection_dropped_mid_message_delivers_nothing() {
    let receiver = start(|config| config.max_connections = 1).await;
    for unfinished in [
        &b"DATA\r\nSubject: cut\r\n\r\nthe end never comes\r\n"[..],
        b"BDAT 100 LAST\r\nonly part of the chunk",
    ] {
        let mut client = RawClient::greeted_when_free(receiver.address).await;
        client.command("EHLO mta.test").await;
        client.command("MAIL FROM:<a@b.test>").await;
        client.command("RCPT TO:<j@journal.example>").await;
        client.send(unfinished).await;
        drop(client);
    }
    // With one connection allowed, a banner means the cut sessions have ended.
    let mut last = RawClient::greeted_when_free(receiver.address).await;
    assert!(last.command("QUIT").await.starts_with("221"));
    assert!(receiver.storage.delivered().is_empty());
    receiver.stop().await;
}

#[tokio::test]
async fn an_oversize_message_is_refused_and_not_delivered() {
    let receiver = start(|config| config.max_message_bytes = 1000).await;
    let mut client = RawClient::greeted(receiver.address).await;
    let greeting = client.command("EHLO mta.test").await;
    assert!(greeting.contains("SIZE 1000"), "{greeting}");
    let early = client.command("MAIL FROM:<a@b.test> SIZE=5000").await;
    assert!(early.starts_with("552 5.3.4"), "{early}");
    client.command("MAIL FROM:<a@b.test>").await;
    client.command("RCPT TO:<j@journal.example>").await;
    client.command("DATA").await;
    let line = "x".repeat(99);
    client
        .send(format!("{line}\r\n").repeat(20).as_bytes())
        .await;
    let late = client.command(".").await;
    assert!(late.starts_with("552 5.3.4"), "{late}");
    assert!(client.command("NOOP").await.starts_with("250"));
    assert!(receiver.storage.delivered().is_empty());
    receiver.stop().await;
}

#[tokio::test]
async fn a_temporary_refusal_is_451_and_the_retry_goes_through() {
    let receiver = start(|_| {}).await;
    receiver
        .storage
        .refuse_next(Refusal::Temporary("storage busy".into()));
    let mut client = RawClient::greeted(receiver.address).await;
    client.command("EHLO mta.test").await;
    for expected in ["451 4.3.0 storage busy", "250 2.0.0"] {
        client.command("MAIL FROM:<a@b.test>").await;
        client.command("RCPT TO:<j@journal.example>").await;
        client.command("DATA").await;
        let reply = client.command("Subject: retry\r\n\r\nbody\r\n.").await;
        assert!(reply.starts_with(expected), "{reply}");
    }
    let delivered = receiver.storage.delivered();
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].1, b"Subject: retry\r\n\r\nbody\r\n");
    receiver.stop().await;
}
