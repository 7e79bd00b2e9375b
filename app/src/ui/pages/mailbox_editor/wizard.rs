//! Adding a mailbox as a guided path: 1 the provider (Microsoft 365, Gmail,
//! an IMAP or POP3 server; importing files is elsewhere), 2 only what
//! that provider needs, 3 a connection test that must pass or be skipped
//! on purpose, 4 the folders, 5 the schedule, everything else folded under
//! "Advanced", then saving. Each step opens below the one before, which stays
//! visible: the test's findings stand at the fields of step 2 they concern.

use super::presets::Provider;
use super::sections::{
    AdvancedFields, FolderFields, IdentityFields, Panel, ScheduleFields, ServerFields,
    SignInFields, TestButton,
};
use super::state::Editor;
use crate::i18n::{Lang, use_lang};
use crate::model::mailbox_form::FormField;
use crate::model::mailbox_profile::{AuthMethod, Security, Source};
use crate::t;
use crate::ui::components::fields::FormState;
use leptos::prelude::*;

/// The steps, as the list above the form names them.
fn steps(lang: Lang) -> [String; 5] {
    [
        t!(lang, "wizard-step-provider"),
        t!(lang, "wizard-step-sign-in"),
        t!(lang, "wizard-step-test"),
        t!(lang, "wizard-step-folders"),
        t!(lang, "wizard-step-schedule"),
    ]
}

/// The guided path over `state`; `template_panel` and `sharing_panel` come
/// with the sign-in and the schedule, `actions` (cancel, save) at the end.
#[component]
pub fn Wizard(
    state: Editor,
    template_panel: Option<AnyView>,
    sharing_panel: Option<AnyView>,
    actions: ViewFn,
) -> impl IntoView {
    let lang = use_lang();
    let provider = RwSignal::new(None::<Provider>);
    let skipped = RwSignal::new(false);
    let chosen = move || provider.get().is_some();
    let past_test = move || skipped.get() || state.report().is_some_and(|report| report.ok);
    let step = move || match (chosen(), past_test()) {
        (false, _) => 1,
        (true, false) => 3,
        (true, true) => 5,
    };
    let choose = move |chosen: Provider| {
        let before = provider.get_untracked();
        match chosen.preset() {
            Some(preset) => {
                state.set(FormField::Source, preset.source.as_str().to_string());
                state.set(FormField::Host, preset.host.to_string());
                state.set(FormField::Port, preset.port.to_string());
                state.set(FormField::Security, preset.security.as_str().to_string());
                state.set(FormField::AuthMethod, preset.auth.as_str().to_string());
            }
            None => {
                let (source, auth) = chosen
                    .own_server()
                    .unwrap_or((Source::Imap, AuthMethod::Plain));
                state.set(FormField::Source, source.as_str().to_string());
                state.set(FormField::AuthMethod, auth.as_str().to_string());
                if before.is_some_and(Provider::signs_in_with_app) {
                    state.set(FormField::Host, String::new());
                }
                // IMAP's and POP3's ports differ (993, 995): a change of
                // protocol, or coming from a provider, starts from the new
                // one's; the form starts as an IMAP server's.
                let switched = match before {
                    None => source != Source::Imap,
                    Some(before) => {
                        before.own_server().map(|(previous, _)| previous) != Some(source)
                    }
                };
                if switched {
                    let port = Security::Tls.default_port_for(source);
                    state.set(FormField::Port, port.to_string());
                    state.set(FormField::Security, Security::Tls.as_str().to_string());
                }
            }
        }
        skipped.set(false);
        provider.set(Some(chosen));
    };
    let own_server = move || {
        provider
            .get()
            .is_some_and(|chosen| chosen.own_server().is_some())
    };
    let signs_in_with_app = move || provider.get().is_some_and(Provider::signs_in_with_app);
    view! {
        <ol class="wizard-steps" data-testid="wizard-steps">
            {steps(lang).into_iter().enumerate().map(|(index, name)| {
                let number = index + 1;
                view! {
                    <li class:current=move || step() == number class:done=move || { step() > number }
                        aria-current=move || (step() == number).then_some("step")>
                        {format!("{number}. {name}")}
                    </li>
                }
            }).collect_view()}
        </ol>

        <Panel legend=t!(lang, "wizard-where")>
            <ProviderChoice provider choose=Callback::new(choose) admin=state.admin/>
        </Panel>

        <div hidden=move || !chosen()>
            {template_panel}
            <Panel legend=t!(lang, "wizard-mailbox-and-sign-in")>
                <IdentityFields state/>
                <div hidden=move || !own_server()>
                    <ServerFields state/>
                </div>
                <SignInFields state/>
                <p class="muted" hidden=move || !signs_in_with_app() data-testid="provider-help">
                    {move || provider.get().and_then(Provider::preset).and_then(|preset| preset.help(lang))}
                </p>
            </Panel>
            <Panel legend=t!(lang, "wizard-connection-test") testid="connection-test">
                <div hidden=signs_in_with_app>
                    <TestButton state without_folders=true/>
                </div>
                <p class="muted" hidden=move || !signs_in_with_app()>
                    {t!(lang, "wizard-test-after-sign-in")}
                </p>
                <div class="button-row" hidden=past_test>
                    <button type="button" class="button" data-testid="skip-test" on:click=move |_| skipped.set(true)>
                        {move || if signs_in_with_app() { t!(lang, "wizard-continue") } else { t!(lang, "wizard-skip-test") }}
                    </button>
                    <small class="muted" hidden=signs_in_with_app>
                        {t!(lang, "wizard-skip-warning")}
                    </small>
                </div>
                <p class="muted" hidden=move || !skipped.get() || signs_in_with_app()>
                    {t!(lang, "wizard-skipped")}
                </p>
            </Panel>
        </div>

        <div hidden=move || !(chosen() && past_test())>
            <Panel legend=t!(lang, "wizard-folders")>
                <FolderFields state/>
            </Panel>
            <Panel legend=t!(lang, "wizard-schedule")>
                <ScheduleFields state/>
                <AdvancedFields state/>
            </Panel>
            {sharing_panel}
            {actions.run()}
        </div>
    }
    .into_any()
}

/// Step 1: one button per provider; files are imported elsewhere.
#[component]
fn ProviderChoice(
    provider: RwSignal<Option<Provider>>,
    choose: Callback<Provider>,
    admin: bool,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <div class="cards provider-choice" role="group" aria-label=t!(lang, "wizard-provider")>
            {Provider::ALL.iter().map(|&choice| view! {
                <button type="button" class="card card-link provider"
                    aria-pressed=move || if provider.get() == Some(choice) { "true" } else { "false" }
                    on:click=move |_| choose.run(choice)>
                    <strong>{choice.name(lang)}</strong>
                    <small class="muted">{choice.description(lang)}</small>
                </button>
            }).collect_view()}
            <div class="card provider">
                <strong>{t!(lang, "wizard-import")}</strong>
                <small class="muted">{t!(lang, "wizard-import-note")}</small>
                {admin.then(|| view! {
                    <a href="/admin/batch">{t!(lang, "wizard-batch")}</a>
                })}
            </div>
        </div>
    }
    .into_any()
}
