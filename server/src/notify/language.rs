//! Which language a mail is written in. A Tresor user who chose a language
//! gets it; an address Tresor knows no language for (an extra recipient, a
//! user who never chose) gets German and English in one mail, German first:
//! Tresor is made for organisations that work in German, and a notice
//! nobody can read is worse than a long one.

use crate::db::entity::user;
use app::i18n::Lang;
use app::t;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};
use std::collections::BTreeMap;

/// The language(s) one mail is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Audience {
    One(Lang),
    Both,
}

impl Audience {
    /// One mail's subject and body, written by `subject` and `body` for each
    /// language it needs.
    pub fn compose(
        self,
        subject: impl Fn(Lang) -> String,
        body: impl Fn(Lang) -> String,
    ) -> (String, String) {
        match self {
            Audience::One(lang) => (subject(lang), body(lang)),
            Audience::Both => {
                let (de, en) = (Lang::De, Lang::En);
                (
                    format!("{} / {}", subject(de), subject(en)),
                    format!(
                        "{}\n\n----- {} -----\n\n{}",
                        body(de).trim_end(),
                        t!(en, "mail-both-languages-divider"),
                        body(en)
                    ),
                )
            }
        }
    }
}

/// `to` split by the language each recipient reads: Tresor users who chose
/// one, and everyone else (`Audience::Both`). Each group gets one mail.
pub async fn audiences(
    db: &DatabaseConnection,
    to: Vec<String>,
) -> Result<Vec<(Audience, Vec<String>)>, DbErr> {
    let lowered: Vec<String> = to.iter().map(|address| address.to_lowercase()).collect();
    let chosen: BTreeMap<String, Lang> = user::Entity::find()
        .filter(user::Column::Email.is_in(lowered))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|row| {
            let lang = row.language.as_deref().and_then(Lang::from_code)?;
            Some((row.email, lang))
        })
        .collect();
    let mut groups: BTreeMap<Audience, Vec<String>> = BTreeMap::new();
    for address in to {
        let audience = chosen
            .get(&address.to_lowercase())
            .map_or(Audience::Both, |lang| Audience::One(*lang));
        groups.entry(audience).or_default().push(address);
    }
    Ok(groups.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mail_for_both_languages_has_german_first_and_both_subjects() {
        let (subject, body) = Audience::Both.compose(
            |lang| t!(lang, "mail-link-subject-reset"),
            |lang| t!(lang, "mail-summary-last-error", error = "x"),
        );
        assert_eq!(
            subject,
            "Tresor: Neues Passwort wählen / Tresor: choose a new password"
        );
        assert_eq!(
            body,
            "letzter Fehler: x\n\n----- English version below -----\n\nlast error: x"
        );
        let (subject, _) = Audience::One(Lang::En).compose(
            |lang| t!(lang, "mail-link-subject-reset"),
            |lang| t!(lang, "mail-link-subject-reset"),
        );
        assert_eq!(subject, "Tresor: choose a new password");
    }

    #[test]
    fn multiline_messages_keep_their_paragraphs() {
        let body = t!(
            Lang::En,
            "mail-link-invitation",
            name = "Alice",
            email = "alice@example.com",
            link = "https://tresor.example/reset-password?token=t"
        );
        assert!(
            body.starts_with(
                "Hello Alice,\n\nan administrator of Tresor, the e-mail archive, created an account for you: alice@example.com.\n\nChoose"
            ),
            "{body}"
        );
        assert!(
            body.contains("\nhttps://tresor.example/reset-password?token=t\n"),
            "{body}"
        );
    }
}
