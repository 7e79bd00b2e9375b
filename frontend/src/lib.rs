//! The browser entry point: hydrates the server-rendered page and nothing else.
//! Everything the UI does lives in the `app` crate.
//!
//! Hydration is asynchronous, as in leptos' `hydrate_lazy`: a page that is one
//! of the `app::lazy_pages` hydrates once its WASM chunk has arrived. Only
//! then is `<body data-hydrated>` set (`app::ui::mark_hydrated`).

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // `hydrate_from_async` starts leptos' executor on wasm-bindgen's before it
    // first waits.
    wasm_bindgen_futures::spawn_local(async {
        let owner = leptos::mount::hydrate_from_async(leptos::tachys::dom::body(), app::App).await;
        owner.forget();
        app::ui::mark_hydrated();
    });
}
