//! The Outlook data file reader (`import::outlook::pst`) over any bytes: it
//! opens or refuses the file, walks its folders and converts every item, and
//! never panics past its own guard, hangs or runs out of memory.
//!
//! `outlook-pst` has `expect`s and unchecked slicing; the reader catches a
//! panic of the crate per item and reports it as that item's error (so the
//! import goes on). libFuzzer's panic hook would abort on it all the same, so
//! here a panic inside the crate is let through to that `catch_unwind`, its
//! place printed once; a panic anywhere else is a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;
use std::sync::{Mutex, Once};
use tresor::import::outlook::pst::PstReader;

fuzz_target!(|data: &[u8]| {
    let_crate_panics_be_caught();
    let Ok(reader) = PstReader::read_from(std::io::Cursor::new(data.to_vec())) else {
        return;
    };
    let Ok((folders, _errors)) = reader.folders() else {
        return;
    };
    for folder in folders {
        let _ = reader.read_folder(folder.node, |_entry| true);
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
                .filter(|location| location.file().contains("outlook-pst"))
            else {
                return libfuzzer_hook(info);
            };
            let place = place.to_string();
            let mut seen = SEEN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if seen.get_or_insert_with(HashSet::new).insert(place.clone()) {
                eprintln!("caught by the PST reader's guard: {info}");
            }
        }));
    });
}
