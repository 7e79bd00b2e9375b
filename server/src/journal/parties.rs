//! Who a journal copy concerns: its sender and recipients, from its headers
//! and from the envelope it came with (Bcc, expanded lists). A user sees
//! journal mail that names one of their addresses among them — the index
//! (`party` terms) and the single-message check (`viewer`) both ask here.

use crate::db::entity::message_location::RecordedEnvelope;
use crate::db::entity::{message, message_location};
use std::collections::BTreeSet;

/// The parties of `message` if one of its `locations` is a journal copy
/// (it records an envelope), lower-cased; empty for mail from any other
/// source, which only its mailboxes' readers see.
pub fn of(message: &message::Model, locations: &[message_location::Model]) -> BTreeSet<String> {
    let envelopes: Vec<RecordedEnvelope> =
        locations.iter().filter_map(RecordedEnvelope::of).collect();
    if envelopes.is_empty() {
        return BTreeSet::new();
    }
    let headers = [&message.from_text, &message.to_text, &message.cc_text];
    let from_headers = headers.into_iter().flat_map(|text| addresses_in(text));
    let from_envelopes = envelopes.iter().flat_map(|envelope| {
        envelope
            .addresses()
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
    });
    from_headers.chain(from_envelopes).collect()
}

/// The addresses in an address list as `messages` keeps it
/// (`Name <a@b>, c@d`), lower-cased.
fn addresses_in(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .map(|word| word.trim_matches(|c: char| matches!(c, '<' | '>' | '"' | '\'')))
        .filter(|word| word.contains('@'))
        .map(str::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_found_in_a_written_list() {
        assert_eq!(
            addresses_in("\"Doe, John\" <John@Example.org>, a@example.org, Team"),
            ["john@example.org", "a@example.org"]
        );
    }
}
