//! IMAP's modified UTF-7 for folder names (RFC 3501 5.1.3): `Entw&APw-rfe`
//! is "Entwürfe". Written here rather than taken from a crate because the one
//! available panics on malformed names, and a server's folder list is input we
//! do not control: a name that does not decode is shown as the server sent it.

use base64::Engine;
use base64::alphabet::IMAP_MUTF7;
use base64::engine::general_purpose::{GeneralPurpose, NO_PAD};

const MUTF7: GeneralPurpose = GeneralPurpose::new(&IMAP_MUTF7, NO_PAD);

/// The name as a person reads it; malformed names come back unchanged.
pub fn decode(name: &str) -> String {
    try_decode(name).unwrap_or_else(|| name.to_string())
}

fn try_decode(name: &str) -> Option<String> {
    let mut decoded = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(start) = rest.find('&') {
        decoded.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let end = after.find('-')?;
        let encoded = &after[..end];
        if encoded.is_empty() {
            decoded.push('&');
        } else {
            let bytes = MUTF7.decode(encoded).ok()?;
            if bytes.len() % 2 != 0 {
                return None;
            }
            let units = bytes
                .chunks_exact(2)
                .map(|pair| u16::from_be_bytes([pair[0], pair[1]]));
            for character in char::decode_utf16(units) {
                decoded.push(character.ok()?);
            }
        }
        rest = &after[end + 1..];
    }
    decoded.push_str(rest);
    Some(decoded)
}

/// The name as the server expects it in commands.
pub fn encode(name: &str) -> String {
    let mut encoded = String::with_capacity(name.len());
    let mut pending: Vec<u16> = Vec::new();
    let flush = |pending: &mut Vec<u16>, encoded: &mut String| {
        if !pending.is_empty() {
            let bytes: Vec<u8> = pending.iter().flat_map(|unit| unit.to_be_bytes()).collect();
            encoded.push('&');
            encoded.push_str(&MUTF7.encode(bytes));
            encoded.push('-');
            pending.clear();
        }
    };
    for character in name.chars() {
        match character {
            '&' => {
                flush(&mut pending, &mut encoded);
                encoded.push_str("&-");
            }
            ' '..='~' => {
                flush(&mut pending, &mut encoded);
                encoded.push(character);
            }
            other => {
                let mut units = [0u16; 2];
                pending.extend_from_slice(other.encode_utf16(&mut units));
            }
        }
    }
    flush(&mut pending, &mut encoded);
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_german_and_other_scripts() {
        for (readable, wire) in [
            ("Entwürfe", "Entw&APw-rfe"),
            ("Gelöschte Elemente", "Gel&APY-schte Elemente"),
            ("Отправленные", "&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-"),
            ("Tom & Jerry", "Tom &- Jerry"),
            ("📁 Ablage", "&2D3cwQ- Ablage"),
            ("INBOX/Rechnungen", "INBOX/Rechnungen"),
        ] {
            assert_eq!(encode(readable), wire, "{readable}");
            assert_eq!(decode(wire), readable, "{wire}");
        }
    }

    #[test]
    fn malformed_names_are_kept_as_sent() {
        for broken in ["&", "Trash&abc", "&AP-", "&2D0-", "&*#-"] {
            assert_eq!(decode(broken), broken);
        }
    }
}
