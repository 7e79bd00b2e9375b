//! Restore: puts copies of archived messages back on a mail server. By
//! default each message goes back into the folder it came from; or all into
//! one folder of a mailbox the reader manages. The panel says what will
//! happen before it is done ("Restore 1 message to alice / INBOX?"), skips
//! folders that already hold a copy unless told "restore anyway", and
//! reports each message. The message page offers it for one message, the
//! archive's results for the selected ones.

use crate::api::archive::{RestoreMessages, plan_restore};
use crate::error::ApiError;
use crate::i18n::{Lang, use_lang};
use crate::model::archive::{
    RestoreInput, RestoreOutcome, RestorePlace, RestorePlanInput, RestoreReport, RestoredMessage,
};
use crate::t;
use crate::ui::components::{ErrorBanner, FieldError, action_error};
use leptos::prelude::*;

/// The restore plan of `ids` (where each came from, where it may go), loaded
/// once by the page.
///
/// A page creates it at its top, outside any `Suspend`: a resource created
/// inside one is created again each time the server re-runs the `Suspend`,
/// and the browser then hydrates against another copy's data.
#[derive(Clone, Copy)]
pub struct RestorePlan(Resource<Result<crate::model::archive::RestorePlan, ApiError>>);

impl RestorePlan {
    pub fn new(ids: Signal<Vec<i64>>) -> Self {
        Self(Resource::new(
            move || ids.get(),
            |message_ids| plan_restore(RestorePlanInput { message_ids }),
        ))
    }
}

/// Restores `ids`, each to its own folder or all to one chosen, as `plan` proposes.
#[component]
pub fn Restore(#[prop(into)] ids: Signal<Vec<i64>>, plan: RestorePlan) -> impl IntoView {
    let RestorePlan(plan) = plan;
    let restore = ServerAction::<RestoreMessages>::new();
    let error = action_error(restore);
    // false: each message back where it came from.
    let elsewhere = RwSignal::new(false);
    let mailbox = RwSignal::new(String::new());
    let folder = RwSignal::new("INBOX".to_string());
    let force = RwSignal::new(false);
    let lang = use_lang();
    view! {
        <Transition>
            {move || Suspend::new(async move {
                let Ok(plan) = plan.await else { return None };
                if plan.targets.is_empty() {
                    return None;
                }
                if mailbox.get_untracked().is_empty() {
                    mailbox.set(plan.targets[0].mailbox_id.to_string());
                }
                let none_has_origin = plan.origins.iter().all(|(_, origin)| origin.is_none());
                if none_has_origin {
                    elsewhere.set(true);
                }
                let targets = plan.targets.clone();
                let origins = plan.origins.clone();
                let chosen_label = move || {
                    let name = targets
                        .iter()
                        .find(|target| target.mailbox_id.to_string() == mailbox.get())
                        .map(|target| target.name.clone())
                        .unwrap_or_default();
                    format!("{name} / {}", folder.get().trim().trim_matches('/'))
                };
                let question = move || question(lang, &origins, elsewhere.get().then(&chosen_label));
                Some(view! {
                    <section class="card" data-testid="restore">
                        <h2 class="section-title">{t!(lang, "restore-title")}</h2>
                        <p class="muted">{t!(lang, "restore-intro")}</p>
                        <ErrorBanner error/>
                        <FieldError error field="message_ids"/>
                        <fieldset class="field">
                            <legend>{t!(lang, "restore-where")}</legend>
                            <label class="radio">
                                <input type="radio" name="restore-where" disabled=none_has_origin
                                    prop:checked=move || !elsewhere.get() on:change=move |_| elsewhere.set(false)
                                    data-testid="restore-original"/>
                                " " {t!(lang, "restore-to-origin")}
                            </label>
                            <label class="radio">
                                <input type="radio" name="restore-where"
                                    prop:checked=move || elsewhere.get() on:change=move |_| elsewhere.set(true)
                                    data-testid="restore-elsewhere"/>
                                " " {t!(lang, "restore-elsewhere")}
                            </label>
                        </fieldset>
                        <Show when=move || elsewhere.get()>
                            <label class="field">
                                <span>{t!(lang, "restore-mailbox")}</span>
                                <select prop:value=move || mailbox.get() on:change=move |event| mailbox.set(event_target_value(&event)) data-testid="restore-mailbox">
                                    {plan.targets.iter().map(|target| view! {
                                        <option value=target.mailbox_id.to_string()>{target.name.clone()}</option>
                                    }).collect_view()}
                                </select>
                                <FieldError error field="mailbox"/>
                            </label>
                            <label class="field">
                                <span>{t!(lang, "restore-folder")}</span>
                                <input type="text" prop:value=move || folder.get() on:input=move |event| folder.set(event_target_value(&event)) data-testid="restore-folder"/>
                                <FieldError error field="folder"/>
                            </label>
                        </Show>
                        <label class="checkbox">
                            <input type="checkbox" prop:checked=move || force.get() on:change=move |event| force.set(event_target_checked(&event)) data-testid="restore-force"/>
                            " " {t!(lang, "restore-force")}
                        </label>
                        <p data-testid="restore-question">{question}</p>
                        <button type="button" class="button" disabled=move || restore.pending().get() data-testid="restore-button"
                            on:click=move |_| {
                                let mailbox_id = if elsewhere.get() {
                                    let Ok(mailbox_id) = mailbox.get().parse() else { return };
                                    Some(mailbox_id)
                                } else {
                                    None
                                };
                                restore.dispatch(RestoreMessages { input: RestoreInput {
                                    message_ids: ids.get(),
                                    mailbox_id,
                                    folder: folder.get(),
                                    force: force.get(),
                                } });
                            }>
                            {move || if restore.pending().get() { t!(lang, "restore-restoring") } else { t!(lang, "restore-button") }}
                        </button>
                        {move || restore.value().get().and_then(Result::ok).map(|report| view! { <Report report/> })}
                    </section>
                })
            })}
        </Transition>
    }
}

/// What a restore did, in a sentence and message by message.
#[component]
fn Report(report: RestoreReport) -> impl IntoView {
    let lang = use_lang();
    let kind = if report.failed() > 0 {
        "banner banner-error"
    } else if report.skipped() > 0 {
        "banner banner-info"
    } else {
        "banner banner-success"
    };
    view! {
        <div class=kind role="status" data-testid="restore-done">
            <p>{summary(lang, &report)}</p>
            <ul class="restore-report">
                {report.messages.iter().map(|message| view! {
                    <li data-testid="restore-result" data-outcome=outcome_name(&message.outcome)>{line(lang, message)}</li>
                }).collect_view()}
            </ul>
        </div>
    }
}

/// "Restore 1 message to alice / INBOX?"; for messages going back to their
/// own folders, each folder with its count; `chosen` is the one folder all
/// go to instead.
fn question(lang: Lang, origins: &[(i64, Option<RestorePlace>)], chosen: Option<String>) -> String {
    let count = origins.len();
    if let Some(chosen) = chosen {
        return t!(lang, "restore-question-to", count = count, place = chosen);
    }
    let mut places: Vec<(String, usize)> = Vec::new();
    for place in origins.iter().filter_map(|(_, origin)| origin.as_ref()) {
        let label = place.label();
        match places.iter_mut().find(|(known, _)| *known == label) {
            Some((_, seen)) => *seen += 1,
            None => places.push((label, 1)),
        }
    }
    let without = count - places.iter().map(|(_, seen)| seen).sum::<usize>();
    let mut question = match places.as_slice() {
        [] => String::new(),
        [(label, _)] if without == 0 => {
            t!(lang, "restore-question-to", count = count, place = label)
        }
        [(label, seen)] => t!(
            lang,
            "restore-question-some",
            seen = *seen,
            count = count,
            place = label
        ),
        many => t!(
            lang,
            "restore-question-each",
            count = count,
            places = many
                .iter()
                .map(|(label, seen)| t!(lang, "restore-place-count", count = *seen, place = label))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    if without > 0 {
        if !question.is_empty() {
            question.push(' ');
        }
        question.push_str(&t!(lang, "restore-without-origin", count = without));
    }
    question
}

/// "Restored 2, skipped 1 already there, 1 failed."
fn summary(lang: Lang, report: &RestoreReport) -> String {
    let mut parts = vec![t!(
        lang,
        "restore-summary-restored",
        count = report.restored()
    )];
    if report.skipped() > 0 {
        parts.push(t!(
            lang,
            "restore-summary-skipped",
            count = report.skipped()
        ));
    }
    if report.failed() > 0 {
        parts.push(t!(lang, "restore-summary-failed", count = report.failed()));
    }
    format!("{}.", parts.join(", "))
}

/// One message of the report, as a sentence.
fn line(lang: Lang, message: &RestoredMessage) -> String {
    let subject = if message.subject.trim().is_empty() {
        t!(lang, "restore-message-number", id = message.id.to_string())
    } else {
        message.subject.clone()
    };
    let place = message
        .place
        .as_ref()
        .map(RestorePlace::label)
        .unwrap_or_default();
    match &message.outcome {
        RestoreOutcome::Restored => t!(
            lang,
            "restore-line-restored",
            subject = subject,
            place = place
        ),
        RestoreOutcome::AlreadyThere => {
            t!(
                lang,
                "restore-line-skipped",
                subject = subject,
                place = place
            )
        }
        RestoreOutcome::Failed(reason) => {
            t!(
                lang,
                "restore-line-failed",
                subject = subject,
                reason = reason
            )
        }
    }
}

fn outcome_name(outcome: &RestoreOutcome) -> &'static str {
    match outcome {
        RestoreOutcome::Restored => "restored",
        RestoreOutcome::AlreadyThere => "already-there",
        RestoreOutcome::Failed(_) => "failed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(mailbox: &str, folder: &str) -> Option<RestorePlace> {
        Some(RestorePlace {
            mailbox_id: 1,
            mailbox: mailbox.into(),
            folder: folder.into(),
        })
    }

    #[test]
    fn the_question_says_where_each_message_goes() {
        assert_eq!(
            question(Lang::En, &[(1, place("alice", "INBOX"))], None),
            "Restore 1 message to alice / INBOX?"
        );
        assert_eq!(
            question(
                Lang::En,
                &[
                    (1, place("alice", "INBOX")),
                    (2, place("alice", "Sent")),
                    (3, place("alice", "INBOX"))
                ],
                None
            ),
            "Restore 3 messages, each to the folder it came from: 2 to alice / INBOX, 1 to alice / Sent?"
        );
        assert_eq!(
            question(Lang::En, &[(1, None), (2, place("alice", "INBOX"))], None),
            "Restore 1 of 2 messages to alice / INBOX? 1 message has no folder of yours to go back to; restore it into another folder."
        );
        assert_eq!(
            question(
                Lang::En,
                &[(1, None), (2, None)],
                Some("bob / Restored".into())
            ),
            "Restore 2 messages to bob / Restored?"
        );
    }

    #[test]
    fn the_report_names_each_outcome() {
        let message = |outcome| RestoredMessage {
            id: 7,
            subject: "Offer".into(),
            place: place("alice", "INBOX"),
            outcome,
        };
        let report = RestoreReport {
            messages: vec![
                message(RestoreOutcome::Restored),
                message(RestoreOutcome::AlreadyThere),
                message(RestoreOutcome::Failed("no such message".into())),
            ],
        };
        assert_eq!(
            summary(Lang::En, &report),
            "Restored 1, skipped 1 already there (tick \"Restore anyway\" to add another copy), 1 failed."
        );
        assert_eq!(
            line(Lang::En, &report.messages[0]),
            "Offer: restored to alice / INBOX"
        );
        assert_eq!(
            line(Lang::En, &report.messages[1]),
            "Offer: skipped, alice / INBOX already holds a copy"
        );
        assert_eq!(
            line(Lang::En, &report.messages[2]),
            "Offer: not restored: no such message"
        );
    }

    #[test]
    fn german_readers_get_the_question_and_report_in_german() {
        assert_eq!(
            question(Lang::De, &[(1, None), (2, place("alice", "INBOX"))], None),
            "1 von 2 Nachrichten nach alice / INBOX wiederherstellen? 1 Nachricht hat keinen Ordner von Ihnen, in den sie zurück kann; stellen Sie sie in einem anderen Ordner wieder her."
        );
        let report = RestoreReport {
            messages: vec![RestoredMessage {
                id: 7,
                subject: String::new(),
                place: place("alice", "INBOX"),
                outcome: RestoreOutcome::AlreadyThere,
            }],
        };
        let said = [
            summary(Lang::De, &report),
            line(Lang::De, &report.messages[0]),
        ];
        assert_eq!(
            said,
            [
                "0 wiederhergestellt, 1 übersprungen, weil schon vorhanden (setzen Sie „Trotzdem wiederherstellen“, um eine weitere Kopie anzulegen).",
                "Nachricht 7: übersprungen, alice / INBOX enthält bereits eine Kopie",
            ]
        );
    }
}
