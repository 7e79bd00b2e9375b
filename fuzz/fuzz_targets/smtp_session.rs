//! The SMTP/LMTP session (`smtp::protocol`), fed what a client sends, in
//! pieces: whatever the bytes, no panic, every reply a well-formed reply
//! line, a message handed to storage only within the size and recipient
//! limits, and all the memory it held given back when the session ends.
//! The first byte chooses the settings (SMTP or LMTP, STARTTLS, AUTH, a
//! client on this host or not, a tiny memory budget) and the piece size.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::Arc;
use tresor::smtp::protocol::{ByteBudget, MAX_RECIPIENTS, Protocol, Session, Settings, Step};

const MAX_MESSAGE_BYTES: usize = 4096;

fuzz_target!(|data: &[u8]| {
    let Some((&options, input)) = data.split_first() else {
        return;
    };
    let settings = Settings {
        protocol: if options & 1 == 0 {
            Protocol::Smtp
        } else {
            Protocol::Lmtp
        },
        hostname: "fuzz.example".into(),
        max_message_bytes: MAX_MESSAGE_BYTES,
        starttls: options & 2 != 0,
        auth: options & 4 != 0,
    };
    let client = if options & 8 == 0 {
        "127.0.0.1:2525"
    } else {
        "192.0.2.1:2525"
    };
    let budget = Arc::new(ByteBudget::new(if options & 16 == 0 {
        1 << 20
    } else {
        64
    }));
    let mut session = Session::new(Arc::new(settings), client.parse().unwrap(), budget.clone());
    let mut output = session.take_output();
    let piece = usize::from(options >> 5) * 7 + 1;
    for chunk in input.chunks(piece) {
        session.receive(chunk);
        loop {
            match session.advance() {
                Step::NeedInput | Step::Close => break,
                Step::CheckRecipient(address) => {
                    session.recipient_checked(Ok(address.len() % 2 == 0));
                }
                Step::CheckCredentials(credentials) => {
                    session.credentials_checked(credentials.password == "secret");
                }
                Step::Deliver => {
                    let (envelope, message) = session.delivery().expect("a message to deliver");
                    assert!(message.len() <= MAX_MESSAGE_BYTES);
                    assert!(!envelope.rcpt_to.is_empty());
                    assert!(envelope.rcpt_to.len() <= MAX_RECIPIENTS);
                    session.delivered(Ok(()));
                }
                Step::StartTls => session.tls_started(),
            }
            output.extend(session.take_output());
        }
        output.extend(session.take_output());
    }
    assert!(output.ends_with(b"\r\n"));
    for line in output[..output.len() - 2].split(|byte| *byte == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        assert!(line.len() >= 4, "{line:?}");
        assert!(line[..3].iter().all(u8::is_ascii_digit) && matches!(line[3], b' ' | b'-'));
        assert!(!line.contains(&b'\r'));
    }
    drop(session);
    assert_eq!(budget.in_use(), 0);
});
