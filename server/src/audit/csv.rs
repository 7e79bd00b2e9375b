//! The audit log as CSV (RFC 4180: comma-separated, fields quoted when they
//! need it, CRLF line ends), for spreadsheets and auditors' tools.

use crate::db::entity::audit_entry;
use std::io::Write;

/// The CSV's first line, naming the columns.
pub fn write_header(out: &mut impl Write) -> std::io::Result<()> {
    out.write_all(b"id,time (UTC),actor,client,action,target,outcome,details\r\n")
}

/// One line per entry, as `write_header` names the columns.
pub fn write_rows(entries: &[audit_entry::Model], out: &mut impl Write) -> std::io::Result<()> {
    for entry in entries {
        let fields = [
            entry.id.to_string(),
            entry.at.format("%Y-%m-%d %H:%M:%S").to_string(),
            entry.actor.clone(),
            entry.client.clone().unwrap_or_default(),
            entry.action.clone(),
            entry.target.clone(),
            entry.outcome.clone(),
            entry.details.clone(),
        ];
        let line: Vec<String> = fields.iter().map(|field| quoted(field)).collect();
        out.write_all(line.join(",").as_bytes())?;
        out.write_all(b"\r\n")?;
    }
    Ok(())
}

/// A field, quoted when it holds a comma, quote or line break; a leading
/// `=`, `+`, `-` or `@` is prefixed with `'` so a spreadsheet does not run
/// it as a formula (the details and targets come from users).
fn quoted(field: &str) -> String {
    let field = if field.starts_with(['=', '+', '-', '@']) {
        format!("'{field}")
    } else {
        field.to_string()
    };
    if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(quoted("plain"), "plain");
        assert_eq!(quoted("a,b"), "\"a,b\"");
        assert_eq!(quoted("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(quoted("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(quoted("{\"q\":1}"), "\"{\"\"q\"\":1}\"");
    }
}
