//! Reading a mailbox list from CSV as people export it from spreadsheets and
//! directories (MailStore's batch import): the separator is whichever of
//! `;` `,` `|` TAB the header line uses; a field may be quoted with `"` or
//! `'`, a doubled quote inside stands for one; quoted fields may span lines;
//! header names are matched loosely ("E-Mail-Adresse", "email", "Mail").

/// A parsed sheet: the separator found, the header, and each record with the
/// line it starts on (1-based, the header is line 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    pub separator: char,
    pub header: Vec<String>,
    pub records: Vec<Record>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub line: usize,
    pub fields: Vec<String>,
    /// What made the record unreadable as CSV (e.g. an unclosed quote).
    pub problem: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SheetError {
    #[error("the file is empty")]
    Empty,
}

const SEPARATORS: [char; 4] = [';', ',', '|', '\t'];

/// Reads `text`; every record is returned, readable or not, so a preview can
/// show each problem with its line.
pub fn read(text: &str) -> Result<Sheet, SheetError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_line = text
        .lines()
        .find(|line| !line.trim().is_empty())
        .ok_or(SheetError::Empty)?;
    let separator = detect_separator(first_line);
    let mut records = split_records(text, separator).into_iter();
    let header = records
        .next()
        .map(|record| record.fields)
        .ok_or(SheetError::Empty)?
        .into_iter()
        .map(|name| name.trim().to_string())
        .collect();
    Ok(Sheet {
        separator,
        header,
        records: records.collect(),
    })
}

/// The candidate that occurs most often outside quotes in the header line;
/// on a tie the earlier of `;` `,` `|` TAB (German spreadsheets write `;`).
fn detect_separator(header_line: &str) -> char {
    let mut counts = [0usize; SEPARATORS.len()];
    let mut quote: Option<char> = None;
    for c in header_line.chars() {
        match quote {
            Some(open) if c == open => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None => {
                if let Some(index) = SEPARATORS.iter().position(|s| *s == c) {
                    counts[index] += 1;
                }
            }
        }
    }
    let mut best = 0;
    for index in 1..SEPARATORS.len() {
        if counts[index] > counts[best] {
            best = index;
        }
    }
    SEPARATORS[best]
}

/// Splits into records of fields. A field that starts with `"` or `'` is
/// quoted by that character until a lone closing one; blank lines are skipped.
fn split_records(text: &str, separator: char) -> Vec<Record> {
    let mut records = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while chars.peek().is_some() {
        let start_line = line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut problem = None;
        let mut at_field_start = true;
        loop {
            let Some(c) = chars.next() else {
                fields.push(std::mem::take(&mut field));
                break;
            };
            if at_field_start && (c == '"' || c == '\'') {
                // Quoted field: read to the closing quote; a doubled quote is one.
                at_field_start = false;
                let mut closed = false;
                while let Some(q) = chars.next() {
                    if q == c {
                        if chars.peek() == Some(&c) {
                            chars.next();
                            field.push(c);
                        } else {
                            closed = true;
                            break;
                        }
                    } else {
                        if q == '\n' {
                            line += 1;
                        }
                        field.push(q);
                    }
                }
                if !closed {
                    problem = Some(format!(
                        "a {c} quote opened on line {start_line} is never closed"
                    ));
                }
                // Anything between the closing quote and the separator is kept as is.
                continue;
            }
            match c {
                '\r' if chars.peek() == Some(&'\n') => {}
                '\n' => {
                    line += 1;
                    fields.push(std::mem::take(&mut field));
                    break;
                }
                c if c == separator => {
                    fields.push(std::mem::take(&mut field));
                    at_field_start = true;
                }
                c => {
                    if at_field_start && c.is_whitespace() {
                        // Leading spaces before a quote: `a; "b"`.
                        if matches!(chars.peek(), Some('"' | '\'')) {
                            continue;
                        }
                    }
                    at_field_start = false;
                    field.push(c);
                }
            }
        }
        let blank = fields.iter().all(|field| field.trim().is_empty());
        if !blank || problem.is_some() {
            records.push(Record {
                line: start_line,
                fields,
                problem,
            });
        }
    }
    records
}

/// A column of a mailbox list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Email,
    Name,
    Host,
    Port,
    Security,
    Username,
    Password,
    Folders,
    Schedule,
    DisplayName,
}

impl Column {
    /// The column a header names, matched without case, spaces, `-`, `_`.
    pub fn from_header(header: &str) -> Option<Column> {
        let key: String = header
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '_' | '.'))
            .flat_map(char::to_lowercase)
            .collect();
        Some(match key.as_str() {
            "email" | "mail" | "emailaddress" | "emailadresse" | "address" | "adresse"
            | "smtpaddress" | "primarysmtpaddress" | "mailaddress" => Column::Email,
            "mailbox" | "mailboxname" | "name" | "postfach" | "archivename" => Column::Name,
            "host" | "server" | "imapserver" | "imaphost" | "hostname" | "servername" => {
                Column::Host
            }
            "port" | "imapport" => Column::Port,
            "security" | "encryption" | "tls" | "ssl" | "verschlüsselung" | "sicherheit" => {
                Column::Security
            }
            "username" | "user" | "login" | "loginname" | "account" | "benutzer"
            | "benutzername" | "anmeldename" => Column::Username,
            "password" | "pass" | "pw" | "passwd" | "passwort" | "kennwort" | "secret" => {
                Column::Password
            }
            "folders" | "folder" | "ordner" | "folderrules" => Column::Folders,
            "schedule" | "zeitplan" => Column::Schedule,
            "displayname" | "fullname" | "anzeigename" | "owner" | "ownername" => {
                Column::DisplayName
            }
            _ => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            Column::Email => "e-mail address",
            Column::Name => "mailbox name",
            Column::Host => "server",
            Column::Port => "port",
            Column::Security => "security",
            Column::Username => "user name",
            Column::Password => "password",
            Column::Folders => "folders",
            Column::Schedule => "schedule",
            Column::DisplayName => "display name",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(sheet: &Sheet) -> Vec<Vec<&str>> {
        sheet
            .records
            .iter()
            .map(|record| record.fields.iter().map(String::as_str).collect())
            .collect()
    }

    #[test]
    fn the_separator_is_the_one_the_header_uses() {
        for (text, separator) in [
            ("email;password\na@x;pw", ';'),
            ("email,password\na@x,pw", ','),
            ("email|password\na@x|pw", '|'),
            ("email\tpassword\na@x\tpw", '\t'),
            // A comma inside a quoted header name does not count.
            ("\"mail, primary\";password\na@x;pw", ';'),
        ] {
            let sheet = read(text).unwrap();
            assert_eq!(sheet.separator, separator, "{text:?}");
            assert_eq!(fields(&sheet), [["a@x", "pw"]], "{text:?}");
        }
    }

    #[test]
    fn quotes_of_either_kind_with_doubled_escapes_and_line_breaks() {
        let text = "email;password;name\r\n\
                    \"a@x\";\"p;w\"\"1\";'Ann''s box'\r\n\
                    b@x; \"two\nlines\";plain\r\n\
                    \r\n\
                    c@x;'unclosed;rest\n";
        let sheet = read(text).unwrap();
        assert_eq!(sheet.header, ["email", "password", "name"]);
        assert_eq!(sheet.records[0].fields, ["a@x", "p;w\"1", "Ann's box"]);
        assert_eq!(sheet.records[0].line, 2);
        assert_eq!(sheet.records[1].fields, ["b@x", "two\nlines", "plain"]);
        assert_eq!(sheet.records[1].line, 3);
        assert_eq!(
            sheet.records[2].line, 6,
            "the blank line is skipped, not lost in counting"
        );
        assert!(
            sheet.records[2]
                .problem
                .as_deref()
                .unwrap()
                .contains("never closed")
        );
        assert_eq!(sheet.records.len(), 3);
    }

    #[test]
    fn an_apostrophe_inside_a_field_is_just_a_letter() {
        let sheet = read("name,email\nO'Brien,ob@x\n").unwrap();
        assert_eq!(fields(&sheet), [["O'Brien", "ob@x"]]);
    }

    #[test]
    fn headers_are_matched_loosely() {
        for (header, column) in [
            ("E-Mail-Adresse", Column::Email),
            ("Primary SMTP Address", Column::Email),
            ("IMAP Server", Column::Host),
            ("Benutzername", Column::Username),
            ("Kennwort", Column::Password),
            ("user_name", Column::Username),
        ] {
            assert_eq!(Column::from_header(header), Some(column), "{header}");
        }
        assert_eq!(Column::from_header("Abteilung"), None);
    }

    #[test]
    fn an_empty_file_is_an_error_and_a_byte_order_mark_is_ignored() {
        assert_eq!(read(" \n\n"), Err(SheetError::Empty));
        let sheet = read("\u{feff}email;password\n").unwrap();
        assert_eq!(sheet.header, ["email", "password"]);
        assert!(sheet.records.is_empty());
    }
}
