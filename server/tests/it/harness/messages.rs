//! Messages the tests make up to archive.

/// A small but real-looking message, different for every `index`.
pub(crate) fn synthetic_message(index: usize) -> Vec<u8> {
    let mut body = String::new();
    for line in 0..(20 + index % 40) {
        body.push_str(&format!(
            "Line {line} of message {index}: the quick brown fox jumps over the lazy dog.\r\n"
        ));
    }
    format!(
        "Message-ID: <crash-{index}@example.com>\r\nDate: Mon, 2 Nov 2026 10:{:02}:00 +0100\r\n\
         From: Sender {index} <sender{index}@example.com>\r\nTo: alice@example.com\r\n\
         Subject: Crash test message {index}\r\n\r\n{body}",
        index % 60
    )
    .into_bytes()
}
