//! The language files are complete: every message in every language, every
//! id the code names defined, no Fluent syntax errors.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use fluent_syntax::ast::Entry;

use super::*;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every message and term id in `locales/<lang>/*.ftl`; fails on syntax errors.
fn ids_of(lang: Lang) -> BTreeSet<String> {
    let dir = manifest_dir().join("locales").join(lang.code());
    let mut ids = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).expect("locale folder") {
        let path = entry.expect("locale file").path();
        if path.extension().is_none_or(|ext| ext != "ftl") {
            continue;
        }
        let source = std::fs::read_to_string(&path).expect("readable .ftl");
        let resource = fluent_syntax::parser::parse(source.as_str())
            .unwrap_or_else(|(_, errors)| panic!("{}: {errors:?}", path.display()));
        for entry in resource.body {
            match entry {
                Entry::Message(message) => {
                    assert!(
                        ids.insert(message.id.name.to_string()),
                        "{}: {} defined twice",
                        path.display(),
                        message.id.name
                    );
                }
                Entry::Term(term) => {
                    ids.insert(format!("-{}", term.id.name));
                }
                Entry::Junk { content } => panic!("{}: not Fluent: {content}", path.display()),
                _ => {}
            }
        }
    }
    ids
}

/// The ids named by `t!(lang, "id" …)` in the Rust sources under `dir`.
fn ids_used_under(dir: &Path, used: &mut BTreeSet<(String, PathBuf)>) {
    for entry in std::fs::read_dir(dir).expect("source folder") {
        let path = entry.expect("source entry").path();
        if path.is_dir() {
            ids_used_under(&path, used);
            continue;
        }
        // `i18n` itself names the macro in docs and tests.
        if path.extension().is_none_or(|ext| ext != "rs")
            || path.parent().is_some_and(|dir| dir.ends_with("src/i18n"))
        {
            continue;
        }
        let source = std::fs::read_to_string(&path).expect("readable source");
        for (at, _) in source.match_indices("t!(") {
            // `t!(` right after an identifier character is another macro
            // (`assert!(`, `print!(`).
            if source[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
            {
                continue;
            }
            let call = &source[at..source.len().min(at + 300)];
            let Some(open) = call.find('"') else { continue };
            let Some(len) = call[open + 1..].find('"') else {
                continue;
            };
            let id = &call[open + 1..open + 1 + len];
            used.insert((id.to_string(), path.clone()));
        }
    }
}

#[test]
fn every_message_exists_in_every_language() {
    let english = ids_of(Lang::En);
    assert!(!english.is_empty(), "no English messages found");
    for lang in Lang::ALL {
        let ids = ids_of(lang);
        let missing: Vec<_> = english.difference(&ids).collect();
        let extra: Vec<_> = ids.difference(&english).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{}: missing {missing:?}, only here {extra:?}",
            lang.code()
        );
    }
}

#[test]
fn every_id_the_code_names_is_defined() {
    let defined = ids_of(Lang::En);
    let mut used = BTreeSet::new();
    ids_used_under(&manifest_dir().join("src"), &mut used);
    ids_used_under(&manifest_dir().join("../server/src"), &mut used);
    let undefined: Vec<_> = used
        .iter()
        .filter(|(id, _)| !defined.contains(id))
        .map(|(id, path)| format!("{id} ({})", path.display()))
        .collect();
    assert!(undefined.is_empty(), "not in app/locales: {undefined:?}");
}

#[test]
fn messages_are_looked_up_in_the_asked_language() {
    assert_eq!(text(Lang::En, "lang-name"), "English");
    assert_eq!(text(Lang::De, "lang-name"), "Deutsch");
}

#[test]
fn counts_pick_the_plural_and_are_grouped() {
    assert_eq!(t!(Lang::En, "common-messages", count = 1u64), "1 message");
    assert_eq!(
        t!(Lang::En, "common-messages", count = 13_579u64),
        "13,579 messages"
    );
    assert_eq!(
        t!(Lang::De, "common-messages", count = 13_579u64),
        "13.579 Nachrichten"
    );
    assert_eq!(t!(Lang::De, "common-messages", count = 1u64), "1 Nachricht");
}

#[test]
fn the_browser_language_is_read_by_weight() {
    assert_eq!(
        Lang::from_accept_language("de-DE,de;q=0.9,en;q=0.8"),
        Some(Lang::De)
    );
    assert_eq!(
        Lang::from_accept_language("fr;q=1, en;q=0.5, de;q=0.7"),
        Some(Lang::De)
    );
    assert_eq!(Lang::from_accept_language("en-GB"), Some(Lang::En));
    assert_eq!(Lang::from_accept_language("fr, it"), None);
    assert_eq!(Lang::from_accept_language("de;q=0"), None);
    assert_eq!(Lang::from_code("de_DE.UTF-8"), Some(Lang::De));
}
