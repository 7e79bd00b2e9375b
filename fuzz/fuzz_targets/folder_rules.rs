//! The folder-rule language (`mailbox::folder_rules`): rules text up to the
//! first NUL byte, then a folder path to match against it. Parsing and
//! matching never panic, and a rule line that is the folder's own path
//! (lower-cased, without `*`, `&`, `!` or a leading `/`) selects it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tresor::mailbox::folder_rules::{Folder, FolderRules};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (rules_text, path) = text.split_once('\0').unwrap_or((text, "INBOX"));
    let folder = Folder {
        path: path.to_string(),
        special_use: None,
    };
    if let Ok(rules) = FolderRules::parse(rules_text) {
        rules.selects(&folder);
    }
    let literal = path.trim();
    if !literal.is_empty()
        && !literal.contains(['*', '&', '\n', '\r'])
        && !literal.starts_with(['!', '/'])
        && literal == path
        && let Ok(rules) = FolderRules::parse(literal)
    {
        assert!(rules.selects(&folder), "{literal:?} does not select itself");
    }
});
