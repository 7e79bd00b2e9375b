//! The CSV mailbox-list reader (`mailbox::csv`), fed what a person uploads
//! for a batch: every record is returned with the line it starts on, in
//! order, and nothing panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tresor::mailbox::csv;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(sheet) = csv::read(&text) else {
        return;
    };
    let lines = text.matches('\n').count() + 1;
    let mut previous = 1;
    for record in &sheet.records {
        assert!(
            record.line > previous && record.line <= lines,
            "record on line {} after line {previous} of {lines}",
            record.line
        );
        previous = record.line;
    }
});
