//! Layout, pages and the small components they share.

pub mod admin;
pub mod components;
pub mod layout;
pub mod pages;
pub mod url;

use leptos::prelude::*;

/// Marks `<body data-hydrated="true">`: the browser's entry point
/// (frontend/src/lib.rs) calls it once the whole page is hydrated, including
/// a lazy page's chunk (`lazy_pages`), and never before. The end-to-end tests
/// wait for it before they click: a button on a page not yet hydrated is dead.
pub fn mark_hydrated() {
    if let Some(body) = document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
