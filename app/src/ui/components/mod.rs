//! Small building blocks: error banners, field messages, empty states,
//! download links, what the person signed in may do, and how senders read.

pub mod download;
pub mod fields;
pub mod language;

pub use download::DownloadLink;
pub use language::LanguageSwitch;

use crate::CurrentUser;
use crate::error::ApiError;
use crate::i18n::use_lang;
use crate::model::access::Capability;
use crate::model::job::JobStatus;
use leptos::prelude::*;

/// Whether the person signed in may do `capability`, so a page offers only
/// what the server would allow (false while nobody is known). Read once, the
/// same on the server and in the browser (`CurrentUser::known`).
pub fn viewer_may(capability: Capability) -> bool {
    use_context::<CurrentUser>()
        .and_then(|user| user.known())
        .is_some_and(|user| user.may(capability))
}

/// An error, shown as a banner that screen readers announce.
#[component]
pub fn ErrorAlert(error: ApiError) -> impl IntoView {
    let message = error.message(crate::i18n::use_lang());
    view! { <div class="banner banner-error" role="alert">{message}</div> }
}

/// The banner for the last failure of an action, unless it is about one form
/// field (`FieldError` shows those next to the field).
#[component]
pub fn ErrorBanner(#[prop(into)] error: Signal<Option<ApiError>>) -> impl IntoView {
    move || {
        error.get().and_then(|error| match error {
            ApiError::Invalid { .. } => None,
            other => Some(view! { <ErrorAlert error=other/> }),
        })
    }
}

/// The message under one form field, shown when the last submission failed on it.
#[component]
pub fn FieldError(
    #[prop(into)] error: Signal<Option<ApiError>>,
    field: &'static str,
) -> impl IntoView {
    move || {
        error
            .get()
            .and_then(|error| error.field_message(field))
            .map(|message| view! { <p class="field-error">{message}</p> })
    }
}

/// What a page shows when it has nothing yet: what this is, and what to do next.
#[component]
pub fn EmptyState(#[prop(into)] title: String, children: Children) -> impl IntoView {
    view! {
        <section class="empty-state">
            <h2>{title}</h2>
            <div class="empty-state-body">{children()}</div>
        </section>
    }
}

/// How a run went, as a coloured word ("Succeeded", "Running", "Failed").
#[component]
pub fn JobStatusBadge(status: JobStatus) -> impl IntoView {
    let class = match status {
        JobStatus::Succeeded => "status status-on",
        JobStatus::Running => "status",
        JobStatus::Failed => "status status-off",
    };
    view! { <span class=class>{status.label(use_lang())}</span> }
}

/// The error of the last run of a server action, if it failed.
pub fn action_error<I, O>(action: ServerAction<I>) -> Signal<Option<ApiError>>
where
    I: leptos::server_fn::ServerFn<Output = O, Error = ApiError> + Clone + Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(|result| result.err()))
}

/// Clears `form` each time `succeeded` turns true, ready for the next entry.
pub fn reset_form_after_success(
    form: NodeRef<leptos::html::Form>,
    succeeded: impl Fn() -> bool + Send + Sync + 'static,
) {
    Effect::new(move |_| {
        if succeeded()
            && let Some(form) = form.get()
        {
            form.reset();
        }
    });
}

/// The numeric `:id` of the current route (`None` when it is not a number),
/// as a reactive getter.
pub fn id_param() -> impl Fn() -> Option<i64> + Copy + Send + Sync + 'static {
    let params = leptos_router::hooks::use_params_map();
    move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    }
}

/// Asks the browser's confirm dialog.
pub fn confirmed(question: &str) -> bool {
    #[cfg(feature = "hydrate")]
    {
        leptos::prelude::window()
            .confirm_with_message(question)
            .unwrap_or(false)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = question;
        false
    }
}

/// "Alice Smith" of "Alice Smith <alice@example.com>, …".
pub fn short_sender(from: &str) -> String {
    let first = from.split(", ").next().unwrap_or("").trim();
    match first.find(" <") {
        Some(at) if at > 0 => first[..at].trim_matches('"').to_string(),
        _ => first.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_sender_is_named_by_the_first_name_given() {
        let short_sender = super::short_sender;
        assert_eq!(
            short_sender("Alice Smith <alice@example.com>, bob@example.com"),
            "Alice Smith"
        );
        assert_eq!(short_sender("\"Alice\" <alice@example.com>"), "Alice");
        assert_eq!(short_sender("<alice@example.com>"), "<alice@example.com>");
        assert_eq!(short_sender("bob@example.com"), "bob@example.com");
    }
}
