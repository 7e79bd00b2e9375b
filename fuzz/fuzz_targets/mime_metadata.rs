//! The MIME metadata reader (`metadata::MessageMetadata::read`) over any
//! bytes an IMAP server, Graph or an import file hands over: it never fails
//! and never panics.
//!
//! `read` catches a panic of mail-parser and records it as a defect (so does
//! the viewer); libFuzzer's panic hook would abort on it all the same. Here a
//! panic inside mail-parser is let through to that `catch_unwind`, as in the
//! server, and its place printed once, so a run still names it; a panic
//! anywhere else, a hang, a stack overflow or running out of memory is a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;
use std::sync::{Mutex, Once};
use tresor::metadata::MessageMetadata;

fuzz_target!(|data: &[u8]| {
    let_mail_parser_panics_be_caught();
    let metadata = MessageMetadata::read(data);
    assert_eq!(metadata.size, data.len() as u64);
    let _ = metadata.identity();
});

fn let_mail_parser_panics_be_caught() {
    static INSTALLED: Once = Once::new();
    static SEEN: Mutex<Option<HashSet<String>>> = Mutex::new(None);
    INSTALLED.call_once(|| {
        let libfuzzer_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let Some(place) = info
                .location()
                .filter(|location| location.file().contains("/mail-parser-"))
            else {
                return libfuzzer_hook(info);
            };
            let place = place.to_string();
            let mut seen = SEEN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if seen.get_or_insert_with(HashSet::new).insert(place.clone()) {
                eprintln!("caught by MessageMetadata::read: {info}");
            }
        }));
    });
}
