//! The language switch: one button naming the other language in itself
//! ("Deutsch" on an English page). A plain form post to `/language`, which
//! sets the cookie, remembers the choice for a signed-in person and reloads
//! the same page (see `server::web::language`).

use crate::i18n::{Lang, use_lang};
use crate::t;
use leptos::prelude::*;

#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let lang = use_lang();
    let location = leptos_router::hooks::use_location();
    // Back to this very page, in the other language.
    let here = move || {
        let search = location.search.get();
        match search.trim_start_matches('?') {
            "" => location.pathname.get(),
            query => format!("{}?{query}", location.pathname.get()),
        }
    };
    view! {
        <form method="post" action="/language" class="language-switch" aria-label=t!(lang, "lang-switch-label")>
            <input type="hidden" name="next" prop:value=here/>
            {Lang::ALL
                .into_iter()
                .filter(|other| *other != lang)
                .map(|other| view! {
                    <button type="submit" name="lang" value=other.code() lang=other.code()
                        class="button button-quiet" data-testid="language-switch">
                        {other.native_name()}
                    </button>
                })
                .collect_view()}
        </form>
    }
}
