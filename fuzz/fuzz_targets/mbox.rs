//! The mbox reader (`import::mbox`) over any file: it ends, never panics, and
//! only ever removes bytes (separators, escapes), so the messages together
//! are never longer than the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tresor::import::mbox::MboxReader;

fuzz_target!(|data: &[u8]| {
    let mut reader = MboxReader::new(data);
    let mut total = 0;
    let mut messages = 0;
    while let Some(message) = reader.next_message().expect("reading from memory") {
        total += message.len();
        messages += 1;
        assert!(messages <= data.len(), "more messages than bytes");
    }
    assert!(total <= data.len(), "{total} bytes out of {}", data.len());
});
