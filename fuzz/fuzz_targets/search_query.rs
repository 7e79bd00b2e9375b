//! The search syntax (`index::query`): any text a person can type into the
//! search box, a legal hold or `GET /export?query=` is parsed or refused with
//! an explanation, never a panic or a stack overflow.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tresor::index::query::{MAX_QUERY_BYTES, Query};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = Query::parse(text);
    if text.len() > MAX_QUERY_BYTES {
        assert!(parsed.is_err(), "a search over the length limit was parsed");
    }
    if let Err(error) = parsed {
        assert!(!error.0.is_empty(), "a refusal without an explanation");
    }
});
