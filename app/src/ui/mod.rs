//! Layout, pages and the small components they share.

pub mod admin;
pub mod components;
pub mod layout;
pub mod pages;
pub mod url;

use leptos::prelude::*;

/// Marks `<body data-hydrated="true">` once the WASM has taken over the page.
/// Effects never run on the server, so the attribute proves hydration;
/// the end-to-end tests wait for it before they click.
pub fn mark_hydrated() {
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}
