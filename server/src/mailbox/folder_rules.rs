//! Which folders of a mailbox are archived (Dr.DOC's source-folder rules).
//!
//! One rule per line. `*` matches any run of characters, `/` included; `&`
//! joins patterns that must all match (`Rechnung*&*2024`); a line starting with
//! `!` excludes. A folder is archived when some include line matches it and no
//! exclude line does; with exclude lines only, every folder counts as included.
//! Matching ignores case. Folder paths are written with `/` between levels,
//! whatever separator the server uses, and never start with `/`.
//!
//! No rules at all means the default: every folder except trash, junk and
//! drafts, recognised by their SPECIAL-USE flag (RFC 6154) or a common name.

use std::fmt;

/// The SPECIAL-USE flags that matter for selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecialUse {
    All,
    Archive,
    Drafts,
    Flagged,
    Junk,
    Sent,
    Trash,
}

impl SpecialUse {
    /// From a LIST attribute such as `\Trash` (case-insensitive; Cyrus sends lower case).
    pub fn from_attribute(attribute: &str) -> Option<SpecialUse> {
        match attribute
            .trim_start_matches('\\')
            .to_ascii_lowercase()
            .as_str()
        {
            "all" => Some(SpecialUse::All),
            "archive" => Some(SpecialUse::Archive),
            "drafts" => Some(SpecialUse::Drafts),
            "flagged" => Some(SpecialUse::Flagged),
            "junk" => Some(SpecialUse::Junk),
            "sent" => Some(SpecialUse::Sent),
            "trash" => Some(SpecialUse::Trash),
            _ => None,
        }
    }

    /// The RFC 6154 name without the backslash, lower case.
    pub fn as_str(self) -> &'static str {
        match self {
            SpecialUse::All => "all",
            SpecialUse::Archive => "archive",
            SpecialUse::Drafts => "drafts",
            SpecialUse::Flagged => "flagged",
            SpecialUse::Junk => "junk",
            SpecialUse::Sent => "sent",
            SpecialUse::Trash => "trash",
        }
    }
}

/// A folder as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder {
    /// Levels joined by `/`, e.g. `INBOX/Rechnungen/2024`.
    pub path: String,
    pub special_use: Option<SpecialUse>,
}

/// Names (of the last level) that mean trash, junk or drafts when the server
/// does not say so with SPECIAL-USE: English, German, and common client spellings.
const DEFAULT_EXCLUDED_NAMES: &[&str] = &[
    "trash",
    "deleted items",
    "deleted messages",
    "papierkorb",
    "gelöschte elemente",
    "gelöschte objekte",
    "junk",
    "junk e-mail",
    "junk-e-mail",
    "junk email",
    "spam",
    "drafts",
    "entwürfe",
];

/// The longest rules text, in bytes. Dr.DOC's rule lists are a few dozen
/// lines; every rule is matched against every folder of every run, in time
/// proportional to the pattern's length times the path's, so the length of
/// the text bounds what one mailbox's rules can cost a run.
pub const MAX_FOLDER_RULES_BYTES: usize = 8 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error(
        "the folder rules are {bytes} bytes long; at most {MAX_FOLDER_RULES_BYTES} are allowed (one pattern with * can stand for many folders)"
    )]
    TooLong { bytes: usize },
    #[error("line {line}: a folder rule must not start with \"/\" (write \"{suggestion}\")")]
    LeadingSlash { line: usize, suggestion: String },
    #[error("line {line}: \"{text}\" has an empty pattern around \"&\"")]
    EmptyPattern { line: usize, text: String },
}

/// One pattern with `*` wildcards, stored lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pattern(String);

impl Pattern {
    fn matches(&self, path_lower: &str) -> bool {
        wildcard_match(&self.0, path_lower)
    }
}

/// Patterns joined by `&`: all must match.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule(Vec<Pattern>);

impl Rule {
    fn matches(&self, path_lower: &str) -> bool {
        self.0.iter().all(|pattern| pattern.matches(path_lower))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FolderRules {
    include: Vec<Rule>,
    exclude: Vec<Rule>,
}

impl FolderRules {
    /// Parses the rules text; blank lines are ignored. Every faulty line is reported.
    pub fn parse(text: &str) -> Result<FolderRules, Vec<RuleError>> {
        if text.len() > MAX_FOLDER_RULES_BYTES {
            return Err(vec![RuleError::TooLong { bytes: text.len() }]);
        }
        let mut rules = FolderRules::default();
        let mut errors = Vec::new();
        for (index, raw_line) in text.lines().enumerate() {
            let line_number = index + 1;
            let line = raw_line.trim();
            if line.is_empty() {
                continue;
            }
            let (excluding, body) = match line.strip_prefix('!') {
                Some(rest) => (true, rest.trim()),
                None => (false, line),
            };
            match parse_rule(body, line_number) {
                Ok(rule) if excluding => rules.exclude.push(rule),
                Ok(rule) => rules.include.push(rule),
                Err(error) => errors.push(error),
            }
        }
        if errors.is_empty() {
            Ok(rules)
        } else {
            Err(errors)
        }
    }

    /// Whether the rules are the default (no lines at all).
    pub fn is_default(&self) -> bool {
        self.include.is_empty() && self.exclude.is_empty()
    }

    pub fn selects(&self, folder: &Folder) -> bool {
        if self.is_default() {
            return !is_trash_junk_or_drafts(folder);
        }
        let path = folder.path.to_lowercase();
        let included =
            self.include.is_empty() || self.include.iter().any(|rule| rule.matches(&path));
        included && !self.exclude.iter().any(|rule| rule.matches(&path))
    }
}

fn parse_rule(body: &str, line: usize) -> Result<Rule, RuleError> {
    let mut patterns = Vec::new();
    for part in body.split('&') {
        let part = part.trim();
        if part.is_empty() {
            return Err(RuleError::EmptyPattern {
                line,
                text: body.to_string(),
            });
        }
        if part.starts_with('/') {
            return Err(RuleError::LeadingSlash {
                line,
                suggestion: body.trim_start_matches('/').to_string(),
            });
        }
        patterns.push(Pattern(part.to_lowercase()));
    }
    Ok(Rule(patterns))
}

fn is_trash_junk_or_drafts(folder: &Folder) -> bool {
    if matches!(
        folder.special_use,
        Some(SpecialUse::Trash | SpecialUse::Junk | SpecialUse::Drafts)
    ) {
        return true;
    }
    let last_level = folder
        .path
        .rsplit('/')
        .next()
        .unwrap_or(&folder.path)
        .to_lowercase();
    DEFAULT_EXCLUDED_NAMES.contains(&last_level.as_str())
}

/// `*` matches any run of characters (also none); everything else literally.
/// Iterative with one backtrack point, so no pattern can take exponential time.
fn wildcard_match(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut pattern_index, mut text_index) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while text_index < text.len() {
        if pattern_index < pattern.len() && pattern[pattern_index] == '*' {
            backtrack = Some((pattern_index, text_index));
            pattern_index += 1;
        } else if pattern_index < pattern.len() && pattern[pattern_index] == text[text_index] {
            pattern_index += 1;
            text_index += 1;
        } else if let Some((star_index, star_text_index)) = backtrack {
            pattern_index = star_index + 1;
            text_index = star_text_index + 1;
            backtrack = Some((star_index, star_text_index + 1));
        } else {
            return false;
        }
    }
    pattern[pattern_index..].iter().all(|c| *c == '*')
}

impl fmt::Display for SpecialUse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\\{self:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(path: &str) -> Folder {
        Folder {
            path: path.to_string(),
            special_use: None,
        }
    }

    fn special(path: &str, special_use: SpecialUse) -> Folder {
        Folder {
            path: path.to_string(),
            special_use: Some(special_use),
        }
    }

    /// The paths of `folders` that `rules` selects.
    fn selected(rules: &str, folders: &[Folder]) -> Vec<String> {
        let rules = FolderRules::parse(rules).unwrap();
        folders
            .iter()
            .filter(|folder| rules.selects(folder))
            .map(|folder| folder.path.clone())
            .collect()
    }

    #[test]
    fn wildcards() {
        assert!(wildcard_match("*", ""));
        assert!(wildcard_match("inbox", "inbox"));
        assert!(!wildcard_match("inbox", "inbox/a"));
        assert!(wildcard_match("inbox*", "inbox/a/b"));
        assert!(wildcard_match("*2024", "rechnung/2024"));
        assert!(wildcard_match("a*b*c", "a--b--b--c"));
        assert!(!wildcard_match("a*b*c", "a--b--b--"));
        assert!(wildcard_match("**", "x"));
        assert!(
            !wildcard_match(&"*a".repeat(20), &"a".repeat(19)),
            "no blow-up and no match"
        );
    }

    #[test]
    fn default_skips_trash_junk_and_drafts_by_flag_or_name() {
        let folders = [
            folder("INBOX"),
            special("Sent", SpecialUse::Sent),
            special("Bin", SpecialUse::Trash),
            special("Unwanted", SpecialUse::Junk),
            special("Unsent", SpecialUse::Drafts),
            folder("Papierkorb"),
            folder("INBOX/Spam"),
            folder("Entwürfe"),
            folder("Deleted Items"),
            folder("Projects/Trash talk"),
        ];
        assert_eq!(
            selected("", &folders),
            ["INBOX", "Sent", "Projects/Trash talk"]
        );
        assert!(FolderRules::parse("\n  \n").unwrap().is_default());
    }

    #[test]
    fn includes_ands_and_excludes() {
        let folders = [
            folder("INBOX"),
            folder("Rechnung 2023"),
            folder("Rechnung 2024"),
            folder("Rechnungen/2024/März"),
            folder("Archiv/Rechnung 2024"),
        ];
        assert_eq!(selected("Rechnung*&*2024", &folders), ["Rechnung 2024"]);
        assert_eq!(
            selected("rechnung*&*2024*", &folders),
            ["Rechnung 2024", "Rechnungen/2024/März"],
            "case does not matter"
        );
        assert_eq!(
            selected("INBOX\nArchiv/*", &folders),
            ["INBOX", "Archiv/Rechnung 2024"]
        );
        assert_eq!(
            selected("*\n!*2023\n!Archiv*", &folders),
            ["INBOX", "Rechnung 2024", "Rechnungen/2024/März"]
        );
        assert_eq!(
            selected("!Rechnung*", &folders),
            ["INBOX", "Archiv/Rechnung 2024"],
            "excludes alone start from every folder"
        );
    }

    #[test]
    fn explicit_rules_replace_the_default_excludes() {
        let folders = [folder("INBOX"), special("Trash", SpecialUse::Trash)];
        assert_eq!(selected("*", &folders), ["INBOX", "Trash"]);
    }

    #[test]
    fn faulty_lines_are_reported_with_their_numbers() {
        let errors = FolderRules::parse("INBOX\n/Sent\n!/Trash\nA&\n").unwrap_err();
        assert_eq!(
            errors,
            [
                RuleError::LeadingSlash {
                    line: 2,
                    suggestion: "Sent".into()
                },
                RuleError::LeadingSlash {
                    line: 3,
                    suggestion: "Trash".into()
                },
                RuleError::EmptyPattern {
                    line: 4,
                    text: "A&".into()
                },
            ]
        );
        assert_eq!(
            errors[0].to_string(),
            "line 2: a folder rule must not start with \"/\" (write \"Sent\")"
        );
    }

    #[test]
    fn rules_are_allowed_up_to_the_length_limit() {
        let line = "Projects/*&*2024\n";
        let longest = line.repeat(MAX_FOLDER_RULES_BYTES / line.len());
        assert!(FolderRules::parse(&longest).is_ok());
        let too_long = "*a".repeat(MAX_FOLDER_RULES_BYTES / 2) + "\n!";
        assert_eq!(
            FolderRules::parse(&too_long),
            Err(vec![RuleError::TooLong {
                bytes: MAX_FOLDER_RULES_BYTES + 2
            }])
        );
        assert!(
            FolderRules::parse(&"A&\n".repeat(1_000_000)).unwrap_err()[0]
                .to_string()
                .contains("at most 8192"),
            "one error for the whole text, not one per line"
        );
    }

    #[test]
    fn special_use_attributes_in_any_case() {
        assert_eq!(
            SpecialUse::from_attribute("\\Trash"),
            Some(SpecialUse::Trash)
        );
        assert_eq!(SpecialUse::from_attribute("\\junk"), Some(SpecialUse::Junk));
        assert_eq!(SpecialUse::from_attribute("\\HasNoChildren"), None);
    }
}
