//! German and English: every text a person reads, in their language.
//!
//! The texts are Fluent messages in `app/locales/<lang>/*.ftl` (one file per
//! area of the app), compiled into both the server and the browser build by
//! `fluent-templates`. Code names a message by its id:
//! `t!(lang, "archive-title")`, or with arguments
//! `t!(lang, "archive-found", count = hits.len(), query = q)`.
//! Numeric arguments are counts: Fluent selects the plural form by them
//! (`{ $count -> [one] … *[other] … }`) and shows them grouped the way the
//! language writes numbers (13,579 / 13.579); pass anything else (years,
//! ports, ids) as text.
//!
//! Which language a page is in is decided once per request on the server
//! (the person's setting, else the `tresor_lang` cookie, else the browser's
//! `Accept-Language`), written into `<html lang>`, and read back from there
//! in the browser, so both sides render the same words. Switching language
//! reloads the page. Mails use the recipient's setting, the CLI `LANG`.
//!
//! `tests::every_message_exists_in_every_language` fails on a message missing
//! in one language, and on an id used in code that no .ftl file defines.

pub mod format;

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::{FluentValue, types::FluentNumber};
use fluent_templates::{LanguageIdentifier, Loader, langid, static_loader};
use serde::{Deserialize, Serialize};

static_loader! {
    static MESSAGES = {
        locales: "./locales",
        fallback_language: "en",
        // Fluent wraps arguments in Unicode isolation marks by default; they
        // end up in attributes, mails and the CLI as invisible characters.
        customise: |bundle| {
            bundle.set_use_isolating(false);
            let german = bundle.locales.first().is_some_and(|lang| lang.language.as_str() == "de");
            bundle.set_formatter(Some(if german { format::fluent_number_de } else { format::fluent_number_en }));
        },
    };
}

static ENGLISH: LanguageIdentifier = langid!("en");
static GERMAN: LanguageIdentifier = langid!("de");

/// The cookie that remembers a signed-out visitor's choice of language.
pub const LANG_COOKIE: &str = "tresor_lang";

/// A language Tresor speaks.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    De,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::De];

    /// The BCP 47 code, as in `<html lang>`, the cookie and the database.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
        }
    }

    /// The language's own name, for the language switch.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::De => "Deutsch",
        }
    }

    /// `de`, `de-AT`, `DE_de.UTF-8` → German; anything not spoken → `None`.
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code
            .trim()
            .split(['-', '_', '.'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "de" => Some(Lang::De),
            _ => None,
        }
    }

    /// The first language of an `Accept-Language` header Tresor speaks, by
    /// the weights the browser gives (`de-DE,de;q=0.9,en;q=0.8` → German).
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut offered: Vec<(f32, usize, Lang)> = header
            .split(',')
            .take(MAX_ACCEPTED_LANGUAGES)
            .enumerate()
            .filter_map(|(position, item)| {
                let mut parts = item.split(';');
                let lang = Lang::from_code(parts.next()?)?;
                let weight = parts
                    .find_map(|part| part.trim().strip_prefix("q="))
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                (weight > 0.0).then_some((weight, position, lang))
            })
            .collect();
        offered.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        offered.first().map(|(_, _, lang)| *lang)
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::En => &ENGLISH,
            Lang::De => &GERMAN,
        }
    }
}

/// How many entries of an `Accept-Language` header are looked at (a header
/// is short; this bounds the work for a hostile one).
const MAX_ACCEPTED_LANGUAGES: usize = 32;

/// An argument of a message: a count (selects plural forms, shown grouped)
/// or a text.
#[derive(Clone, Debug)]
pub enum Arg {
    Count(f64),
    Text(String),
}

macro_rules! count_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(value: $t) -> Self {
                Arg::Count(value as f64)
            }
        }
    )*};
}
count_arg!(u8, u16, u32, u64, usize, i32, i64);

impl From<String> for Arg {
    fn from(value: String) -> Self {
        Arg::Text(value)
    }
}

impl From<&str> for Arg {
    fn from(value: &str) -> Self {
        Arg::Text(value.to_string())
    }
}

impl From<&String> for Arg {
    fn from(value: &String) -> Self {
        Arg::Text(value.clone())
    }
}

/// The message `id` in `lang`.
pub fn text(lang: Lang, id: &str) -> String {
    MESSAGES.lookup(lang.id(), id)
}

/// The message `id` in `lang` with its arguments filled in.
pub fn text_with(lang: Lang, id: &str, args: Vec<(&'static str, Arg)>) -> String {
    let args: HashMap<Cow<'static, str>, FluentValue> = args
        .into_iter()
        .map(|(name, arg)| {
            let value = match arg {
                Arg::Count(number) => FluentValue::Number(FluentNumber::from(number)),
                Arg::Text(text) => FluentValue::from(text),
            };
            (Cow::Borrowed(name), value)
        })
        .collect();
    MESSAGES.lookup_with_args(lang.id(), id, &args)
}

/// `t!(lang, "id")` or `t!(lang, "id", name = value, …)`: the message in
/// `lang` as a `String`. Values are counts (numbers) or texts.
#[macro_export]
macro_rules! t {
    ($lang:expr, $id:literal $(,)?) => {
        $crate::i18n::text($lang, $id)
    };
    ($lang:expr, $id:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::text_with(
            $lang,
            $id,
            vec![$((stringify!($name), $crate::i18n::Arg::from($value))),+],
        )
    };
}

/// The language of the page being rendered or the server function being
/// answered: on the server what the web layer decided for this request, in
/// the browser what the server wrote into `<html lang>`.
pub fn use_lang() -> Lang {
    #[cfg(feature = "hydrate")]
    {
        leptos::prelude::use_context::<Lang>().unwrap_or_else(page_lang)
    }
    #[cfg(all(feature = "ssr", not(feature = "hydrate")))]
    {
        // Pages get it as context; server functions find it on the request.
        leptos::prelude::use_context::<Lang>()
            .or_else(|| {
                leptos::prelude::use_context::<http::request::Parts>()
                    .and_then(|parts| parts.extensions.get::<Lang>().copied())
            })
            .unwrap_or_default()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        leptos::prelude::use_context::<Lang>().unwrap_or_default()
    }
}

/// `<html lang>` of the loaded page.
#[cfg(feature = "hydrate")]
pub fn page_lang() -> Lang {
    leptos::prelude::document()
        .document_element()
        .and_then(|html| html.get_attribute("lang"))
        .and_then(|code| Lang::from_code(&code))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
