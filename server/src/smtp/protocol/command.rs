//! Command lines as the client sends them (RFC 5321 §4.1, LMTP's LHLO,
//! BDAT, AUTH, STARTTLS), read into one closed `Command`; what cannot be
//! read becomes `Unknown` or a syntax error with its reply, never a failure
//! of the session.

use super::reply::Reply;

/// MAIL FROM's `BODY=` values; either way the bytes are kept as sent.
const BODY_TYPES: &[&str] = &["7BIT", "8BITMIME"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Command {
    /// EHLO, HELO or LHLO, and the name the client gives itself.
    Hello {
        verb: Hello,
        name: String,
    },
    Mail {
        reverse_path: String,
        /// The `SIZE=` the client announced, if any.
        size: Option<u64>,
    },
    Rcpt {
        forward_path: String,
    },
    Data,
    Bdat {
        size: u64,
        last: bool,
    },
    Rset,
    Noop,
    Quit,
    Vrfy,
    Expn,
    Help,
    StartTls,
    Auth {
        mechanism: String,
        initial_response: Option<String>,
    },
    Unknown(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Hello {
    Ehlo,
    Helo,
    Lhlo,
}

/// A line that names a command but does not follow its grammar: the reply says what.
pub(super) type Syntax = Reply;

fn syntax(text: &str) -> Syntax {
    Reply::new(501, "5.5.4", text)
}

/// Reads one command line (without its line end).
pub(super) fn parse(line: &[u8]) -> Result<Command, Syntax> {
    let Ok(line) = std::str::from_utf8(line) else {
        return Err(Reply::new(
            500,
            "5.5.2",
            "Command line is not text (UTF-8 expected)",
        ));
    };
    let (verb, arguments) = match line.split_once(' ') {
        Some((verb, arguments)) => (verb, arguments.trim()),
        None => (line.trim_end(), ""),
    };
    let verb = verb.to_ascii_uppercase();
    let no_arguments = |command: Command| {
        if arguments.is_empty() {
            Ok(command)
        } else {
            Err(syntax("This command takes no arguments"))
        }
    };
    match verb.as_str() {
        "EHLO" | "HELO" | "LHLO" => {
            let name = arguments.split(' ').next().unwrap_or_default().to_string();
            if name.is_empty() {
                return Err(syntax("Say who you are: a domain or address literal"));
            }
            let verb = match verb.as_str() {
                "EHLO" => Hello::Ehlo,
                "HELO" => Hello::Helo,
                _ => Hello::Lhlo,
            };
            Ok(Command::Hello { verb, name })
        }
        "MAIL" => mail(arguments),
        "RCPT" => {
            let (path, parameters) = path_after(arguments, "TO:")?;
            if !parameters.is_empty() {
                return Err(Reply::new(
                    555,
                    "5.5.4",
                    "RCPT TO parameters are not supported",
                ));
            }
            if path.is_empty() {
                return Err(syntax("A recipient is needed: RCPT TO:<address>"));
            }
            Ok(Command::Rcpt { forward_path: path })
        }
        "DATA" => no_arguments(Command::Data),
        "BDAT" => bdat(arguments),
        "RSET" => no_arguments(Command::Rset),
        // NOOP and HELP may carry a string, which means nothing here.
        "NOOP" => Ok(Command::Noop),
        "HELP" => Ok(Command::Help),
        "QUIT" => no_arguments(Command::Quit),
        "VRFY" => Ok(Command::Vrfy),
        "EXPN" => Ok(Command::Expn),
        "STARTTLS" => no_arguments(Command::StartTls),
        "AUTH" => {
            let mut words = arguments.split(' ').filter(|word| !word.is_empty());
            let mechanism = words.next().unwrap_or_default().to_ascii_uppercase();
            if mechanism.is_empty() {
                return Err(syntax("Name a mechanism: AUTH PLAIN or AUTH LOGIN"));
            }
            let initial_response = words.next().map(str::to_string);
            if words.next().is_some() {
                return Err(syntax("AUTH takes a mechanism and an initial response"));
            }
            Ok(Command::Auth {
                mechanism,
                initial_response,
            })
        }
        _ => Ok(Command::Unknown(verb)),
    }
}

fn mail(arguments: &str) -> Result<Command, Syntax> {
    let (reverse_path, parameters) = path_after(arguments, "FROM:")?;
    let mut size = None;
    for parameter in parameters.split(' ').filter(|word| !word.is_empty()) {
        let (keyword, value) = parameter.split_once('=').unwrap_or((parameter, ""));
        match keyword.to_ascii_uppercase().as_str() {
            "SIZE" => {
                size = Some(
                    value
                        .parse::<u64>()
                        .map_err(|_| syntax("SIZE= takes a number of octets"))?,
                );
            }
            "BODY" if BODY_TYPES.contains(&value.to_ascii_uppercase().as_str()) => {}
            // Who the message was submitted by (RFC 4954): nothing to act on.
            "AUTH" => {}
            _ => {
                return Err(Reply::new(
                    555,
                    "5.5.4",
                    &format!("MAIL FROM parameter not supported: {keyword}"),
                ));
            }
        }
    }
    Ok(Command::Mail { reverse_path, size })
}

/// The path after `FROM:` or `TO:` without its angle brackets (and without
/// a source route, `@a,@b:`, which RFC 5321 says to ignore), and the
/// parameters after it.
fn path_after<'a>(arguments: &'a str, keyword: &str) -> Result<(String, &'a str), Syntax> {
    let expected = || syntax(&format!("Expected {keyword}<address>"));
    let head = arguments.get(..keyword.len()).ok_or_else(expected)?;
    if !head.eq_ignore_ascii_case(keyword) {
        return Err(expected());
    }
    // Some clients put a space after the colon; tolerated.
    let rest = arguments[keyword.len()..].trim_start();
    let (path, parameters) = match rest.strip_prefix('<') {
        Some(inside) => {
            let close = inside.find('>').ok_or_else(expected)?;
            (&inside[..close], inside[close + 1..].trim())
        }
        // Without brackets (not RFC 5321, but seen): the first word.
        None => match rest.split_once(' ') {
            Some((path, parameters)) => (path, parameters.trim()),
            None => (rest, ""),
        },
    };
    let path = match path.split_once(':') {
        Some((route, mailbox)) if route.starts_with('@') => mailbox,
        _ => path,
    };
    if path.contains(['<', '>', ' ']) {
        return Err(expected());
    }
    Ok((path.to_string(), parameters))
}

fn bdat(arguments: &str) -> Result<Command, Syntax> {
    let mut words = arguments.split(' ').filter(|word| !word.is_empty());
    let size = words
        .next()
        .and_then(|size| size.parse::<u64>().ok())
        .ok_or_else(|| syntax("BDAT takes a chunk size: BDAT <octets> [LAST]"))?;
    let last = match words.next() {
        None => false,
        Some(word) if word.eq_ignore_ascii_case("LAST") => true,
        Some(_) => return Err(syntax("BDAT <octets> [LAST]")),
    };
    if words.next().is_some() {
        return Err(syntax("BDAT <octets> [LAST]"));
    }
    Ok(Command::Bdat { size, last })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parameters_and_verbs() {
        assert_eq!(
            parse(b"mail from:<a@b.example> SIZE=100 BODY=8BITMIME"),
            Ok(Command::Mail {
                reverse_path: "a@b.example".into(),
                size: Some(100)
            })
        );
        assert_eq!(
            parse(b"MAIL FROM: <>"),
            Ok(Command::Mail {
                reverse_path: String::new(),
                size: None
            })
        );
        assert_eq!(
            parse(b"RCPT TO:<@relay.example:journal@tresor.example>"),
            Ok(Command::Rcpt {
                forward_path: "journal@tresor.example".into()
            })
        );
        assert_eq!(
            parse(b"BDAT 42 last"),
            Ok(Command::Bdat {
                size: 42,
                last: true
            })
        );
        assert_eq!(parse(b"XYZZY"), Ok(Command::Unknown("XYZZY".into())));
    }

    #[test]
    fn malformed_commands_get_their_reply() {
        for (line, code) in [
            (&b"MAIL FROM:<a@b"[..], 501),
            (b"MAIL FROM:<a@b> SIZE=lots", 501),
            (b"MAIL FROM:<a@b> SMTPUTF8", 555),
            (b"RCPT TO:<>", 501),
            (b"RCPT TO:<a> NOTIFY=NEVER", 555),
            (b"BDAT", 501),
            (b"BDAT 10 MORE", 501),
            (b"DATA now", 501),
            (b"EHLO", 501),
            (b"AUTH", 501),
            (b"HELO \xff", 500),
        ] {
            let reply = parse(line).unwrap_err();
            assert_eq!(reply.code(), code, "{}", String::from_utf8_lossy(line));
        }
    }
}
