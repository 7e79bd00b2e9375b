//! The one way a page links to a file the server writes (a message's
//! `.eml`, an attachment, an export): a plain link the browser downloads.
//!
//! The client router catches every same-site link and would look for a page
//! at `/m/7/raw` ("Page not found"); it leaves a link alone when it has a
//! `download` attribute (leptos_router's `handle_anchor_click` checks
//! `download`, `rel="external"` and `target`). So every download goes
//! through `DownloadLink`, which always carries both, and no button can
//! forget them. It works before (and without) the WASM: the server renders
//! the same link. Exports are streamed while they are written, so the
//! browser's download shows their progress; the link itself says that the
//! server is preparing the file for a few seconds after the click.

use crate::i18n::{Lang, use_lang};
use crate::t;
use leptos::prelude::*;
use std::time::Duration;

/// How long a clicked download link says "Preparing…": the server answers
/// with the first bytes once it has resolved the selection, after which the
/// browser's own download shows the progress.
pub const PREPARING_SHOWN: Duration = Duration::from_secs(4);

/// A link that downloads `href` (the server names the file), showing
/// `preparing` instead of its text for `PREPARING_SHOWN` after a click.
/// Attributes given as `attr:class`, `attr:data-testid` land on the link.
#[component]
pub fn DownloadLink(
    #[prop(into)] href: Signal<String>,
    /// What the link says while the server starts the file, e.g.
    /// "Preparing 1,204 messages…".
    #[prop(into, optional)]
    preparing: Option<Signal<String>>,
    children: Children,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let lang = use_lang();
    let preparing = preparing
        .unwrap_or_else(|| Signal::derive(move || t!(lang, "components-download-preparing")));
    view! {
        <a
            href=move || href.get()
            download=""
            rel="external"
            aria-busy=move || busy.get().to_string()
            class:download-busy=move || busy.get()
            on:click=move |_| {
                busy.set(true);
                set_timeout(move || busy.set(false), PREPARING_SHOWN);
            }
        >
            <span hidden=move || busy.get()>{children()}</span>
            <span hidden=move || !busy.get() role="status">{move || preparing.get()}</span>
        </a>
    }
}

/// "Preparing 1 message…" / "Preparing 1,204 messages…" ("1.204 Nachrichten").
pub fn preparing_messages(lang: Lang, count: usize) -> String {
    t!(
        lang,
        "components-download-preparing-messages",
        count = count
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(preparing_messages(Lang::En, 1), "Preparing 1 message…");
        assert_eq!(
            preparing_messages(Lang::En, 1_204),
            "Preparing 1,204 messages…"
        );
        assert_eq!(
            preparing_messages(Lang::De, 1_204),
            "1.204 Nachrichten werden vorbereitet…"
        );
    }
}
