//! The Outlook item reader (`import::outlook::msg`) over any bytes: a
//! compound file's properties, recipients and attachments read and the
//! item converted to MIME, or an error; never a panic past its guard, a
//! hang or running out of memory. A panic inside `cfb` is caught by the
//! reader (as in the import) and its place printed once; any other is a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;
use std::sync::{Mutex, Once};
use tresor::import::outlook::Outcome;
use tresor::import::outlook::msg::read_msg;

fuzz_target!(|data: &[u8]| {
    let_crate_panics_be_caught();
    if let Ok(Outcome::Message(message)) = read_msg(std::io::Cursor::new(data), b"fuzz") {
        assert!(!message.bytes.is_empty(), "a message has at least its headers");
    }
});

fn let_crate_panics_be_caught() {
    static INSTALLED: Once = Once::new();
    static SEEN: Mutex<Option<HashSet<String>>> = Mutex::new(None);
    INSTALLED.call_once(|| {
        let libfuzzer_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let Some(place) = info
                .location()
                .filter(|location| location.file().contains("/cfb-"))
            else {
                return libfuzzer_hook(info);
            };
            let place = place.to_string();
            let mut seen = SEEN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if seen.get_or_insert_with(HashSet::new).insert(place.clone()) {
                eprintln!("caught by the MSG reader's guard: {info}");
            }
        }));
    });
}
