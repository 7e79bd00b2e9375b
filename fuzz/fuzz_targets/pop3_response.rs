//! The POP3 response reader (`pop3::response`), fed what a server sends:
//! every line through each line reader without a panic, the APOP timestamp
//! a part of the greeting, and a multi-line body read back exactly as it was
//! stuffed — whatever the bytes, dot-stuffing and unstuffing are inverses.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tresor::pop3::response;

fuzz_target!(|data: &[u8]| {
    for line in data.split_inclusive(|byte| *byte == b'\n') {
        let _ = response::status(line);
        let _ = response::continuation(line);
        let _ = response::capability_line(line);
        if let Ok((number, unique_id)) = response::unique_id_line(line) {
            assert!(number > 0);
            assert!(!unique_id.is_empty() && unique_id.len() <= response::MAX_UNIQUE_ID);
        }
        let _ = response::size_line(line);
    }
    let text = String::from_utf8_lossy(data);
    if let Some(stamp) = response::apop_timestamp(&text) {
        assert!(text.contains(stamp) && stamp.starts_with('<') && stamp.ends_with('>'));
    }
    let _ = response::stat(&text);
    let _ = response::multi_line_body(data);

    // A message of whole lines comes back byte for byte (a last line
    // without its end gets a CRLF, as a server adds one).
    let stuffed = response::dot_stuffed(data);
    let mut expected = data.to_vec();
    if !data.is_empty() && !data.ends_with(b"\n") {
        expected.extend_from_slice(b"\r\n");
    }
    assert_eq!(response::multi_line_body(&stuffed), Some(expected));
});
