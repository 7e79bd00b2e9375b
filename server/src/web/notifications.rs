//! SMTP settings and test mails for the admin page and the mailbox test: the
//! server side of `app::api::notifications`, over `crate::notify`. Changes
//! are recorded by the `Notifier` (the password never, only whether it
//! changed).

use super::backend::WebBackend;
use super::caller::{actor, managed_mailbox};
use super::state::AppState;
use crate::notify::{Notifier, PasswordChange, SmtpInput, SmtpSecurity, StoredSmtp};
use crate::secrets::Secret;
use app::api::backend::NotificationsBackend;
use app::error::{ApiError, FieldProblem};
use app::model::SessionUser;
use app::model::notifications::{SmtpForm, SmtpScope, SmtpSettingsView, TestMailSent};

#[async_trait::async_trait]
impl NotificationsBackend for WebBackend {
    async fn smtp_settings(&self, mailbox_id: Option<i64>) -> Result<SmtpSettingsView, ApiError> {
        let state = &self.state;
        let notifier = notifier(state)?;
        let mut scopes = vec![SmtpScope {
            mailbox_id: None,
            name: "All mailboxes (instance)".into(),
            configured: notifier.stored(None).await?.is_some(),
        }];
        let own = notifier.mailboxes_with_settings().await?;
        for row in state.mailboxes.list().await? {
            scopes.push(SmtpScope {
                mailbox_id: Some(row.id),
                configured: own.contains(&row.id),
                name: row.name,
            });
        }
        if mailbox_id.is_some() && !scopes.iter().any(|scope| scope.mailbox_id == mailbox_id) {
            return Err(ApiError::NotFound);
        }
        let stored = notifier.stored(mailbox_id).await?;
        Ok(SmtpSettingsView {
            form: form_of(mailbox_id, stored.as_ref()),
            configured: stored.is_some(),
            password_stored: stored.as_ref().is_some_and(|stored| stored.password_stored),
            inherited_from_instance: mailbox_id.is_some()
                && stored.is_none()
                && scopes[0].configured,
            updated_at: stored.as_ref().map(|stored| stored.updated_at),
            last_summary_at: stored.as_ref().and_then(|stored| stored.summary_sent_at),
            scopes,
        })
    }

    async fn save_smtp_settings(
        &self,
        caller: &SessionUser,
        form: SmtpForm,
    ) -> Result<(), ApiError> {
        let state = &self.state;
        let notifier = notifier(state)?;
        let (mailbox_id, input, password) = parse(&form)?;
        let mailbox = match mailbox_id {
            Some(id) => Some(state.mailboxes.by_id(id).await?),
            None => None,
        };
        let scope = mailbox.as_ref().map(|row| (row.id, row.name.as_str()));
        notifier
            .change_settings(scope, &input, password, &actor(caller))
            .await?;
        Ok(())
    }

    async fn remove_smtp_settings(
        &self,
        caller: &SessionUser,
        mailbox_id: i64,
    ) -> Result<(), ApiError> {
        let state = &self.state;
        let notifier = notifier(state)?;
        let mailbox = state.mailboxes.by_id(mailbox_id).await?;
        notifier
            .remove_settings((mailbox.id, &mailbox.name), &actor(caller))
            .await?;
        Ok(())
    }

    async fn send_test_mail(
        &self,
        mailbox_id: Option<i64>,
        to: &str,
    ) -> Result<TestMailSent, ApiError> {
        let state = &self.state;
        let to = to.trim();
        if to.parse::<lettre::Address>().is_err() {
            return Err(ApiError::invalid(
                "to",
                format!("{to} is not an e-mail address."),
            ));
        }
        let mailbox = match mailbox_id {
            Some(id) => Some(state.mailboxes.by_id(id).await?),
            None => None,
        };
        let via = notifier(state)?
            .send_test(
                mailbox.as_ref().map(|row| (row.id, row.name.as_str())),
                to,
                app::i18n::use_lang(),
            )
            .await?;
        Ok(TestMailSent {
            to: to.to_string(),
            via,
        })
    }

    /// The mailbox test's mail, to the person who runs the test.
    async fn send_mailbox_test_mail(
        &self,
        caller: &SessionUser,
        id: i64,
    ) -> Result<TestMailSent, ApiError> {
        let state = &self.state;
        let mailbox = managed_mailbox(state, caller, id).await?;
        let via = notifier(state)?
            .send_test(
                Some((mailbox.id, &mailbox.name)),
                &caller.email,
                app::i18n::use_lang(),
            )
            .await?;
        Ok(TestMailSent {
            to: caller.email.clone(),
            via,
        })
    }
}

fn notifier(state: &AppState) -> Result<&Notifier, ApiError> {
    state
        .notifier
        .as_deref()
        .ok_or_else(|| ApiError::Conflict("This server process does not send mail.".into()))
}

fn form_of(mailbox_id: Option<i64>, stored: Option<&StoredSmtp>) -> SmtpForm {
    let scope = mailbox_id.map(|id| id.to_string()).unwrap_or_default();
    let Some(stored) = stored else {
        return SmtpForm {
            scope,
            port: "587".into(),
            security: SmtpSecurity::StartTls.as_str().into(),
            from_name: "Tresor".into(),
            ..SmtpForm::default()
        };
    };
    let input = &stored.input;
    SmtpForm {
        scope,
        host: input.host.clone(),
        port: input.port.to_string(),
        security: input.security.as_str().into(),
        username: input.username.clone().unwrap_or_default(),
        password: String::new(),
        forget_password: None,
        from_address: input.from_address.clone(),
        from_name: input.from_name.clone(),
        ca_file: input.ca_file.clone().unwrap_or_default(),
        extra_recipients: input.extra_recipients.join("\n"),
        summary_recipients: input.summary_recipients.join("\n"),
    }
}

/// One address per line (or separated by commas), each checked.
fn address_list(field: &str, text: &str, problems: &mut Vec<FieldProblem>) -> Vec<String> {
    let addresses: Vec<String> = text
        .split(['\n', ',', ';'])
        .map(str::trim)
        .filter(|address| !address.is_empty())
        .map(str::to_string)
        .collect();
    for address in &addresses {
        if address.parse::<lettre::Address>().is_err() {
            problems.push(FieldProblem {
                field: field.into(),
                message: format!("{address} is not an e-mail address."),
            });
        }
    }
    addresses
}

/// The form as settings, with every field's problem at once.
fn parse(form: &SmtpForm) -> Result<(Option<i64>, SmtpInput, PasswordChange), ApiError> {
    let mut problems = Vec::new();
    let mut problem = |field: &str, message: String| {
        problems.push(FieldProblem {
            field: field.into(),
            message,
        })
    };
    let mailbox_id = match form.scope.trim() {
        "" => None,
        id => Some(id.parse::<i64>().map_err(|_| ApiError::NotFound)?),
    };
    let security = SmtpSecurity::parse(form.security.trim()).unwrap_or_else(|| {
        problem("security", "Choose STARTTLS, TLS or no encryption.".into());
        SmtpSecurity::StartTls
    });
    let host = form.host.trim().to_string();
    if host.is_empty() {
        problem(
            "host",
            "Name the SMTP server, e.g. smtp.example.com.".into(),
        );
    }
    let port = match form.port.trim() {
        "" => match security {
            SmtpSecurity::Tls => 465,
            SmtpSecurity::StartTls => 587,
            SmtpSecurity::None => 25,
        },
        text => text
            .parse::<u16>()
            .ok()
            .filter(|port| *port > 0)
            .unwrap_or_else(|| {
                problem("port", format!("{text} is not a port (1–65535)."));
                0
            }),
    };
    let username = Some(form.username.trim().to_string()).filter(|name| !name.is_empty());
    let password = if form.forget_password.is_some() {
        PasswordChange::Remove
    } else if form.password.is_empty() {
        PasswordChange::Keep
    } else {
        if username.is_none() {
            problem("username", "Name the user this password belongs to.".into());
        }
        PasswordChange::Set(Secret::new(&form.password))
    };
    let from_address = form.from_address.trim().to_string();
    if from_address.parse::<lettre::Address>().is_err() {
        problem(
            "from_address",
            "Give the sender address, e.g. archive@example.com.".into(),
        );
    }
    let ca_file = Some(form.ca_file.trim().to_string()).filter(|path| !path.is_empty());
    if let Some(path) = &ca_file
        && !std::path::Path::new(path).is_file()
    {
        problem("ca_file", format!("There is no file {path} on the server."));
    }
    let mut problems_of_lists = Vec::new();
    let extra_recipients = address_list(
        "extra_recipients",
        &form.extra_recipients,
        &mut problems_of_lists,
    );
    let summary_recipients = address_list(
        "summary_recipients",
        &form.summary_recipients,
        &mut problems_of_lists,
    );
    if mailbox_id.is_some() && !summary_recipients.is_empty() {
        problem(
            "summary_recipients",
            "The daily summary covers every mailbox: set it in the instance's settings.".into(),
        );
    }
    problems.extend(problems_of_lists);
    if let Some(error) = ApiError::invalid_fields(problems) {
        return Err(error);
    }
    let input = SmtpInput {
        host,
        port,
        security,
        username,
        from_address,
        from_name: form.from_name.trim().to_string(),
        ca_file,
        extra_recipients,
        summary_recipients,
    };
    Ok((mailbox_id, input, password))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> SmtpForm {
        SmtpForm {
            host: "smtp.example.com".into(),
            security: "starttls".into(),
            from_address: "archive@example.com".into(),
            ..SmtpForm::default()
        }
    }

    #[test]
    fn every_field_problem_is_named_at_once() {
        let bad = SmtpForm {
            scope: "4".into(),
            host: " ".into(),
            port: "70000".into(),
            password: "secret".into(),
            from_address: "archive".into(),
            extra_recipients: "ops@example.com\nnot an address".into(),
            summary_recipients: "boss@example.com".into(),
            ..form()
        };
        let error = parse(&bad).expect_err("refused");
        for field in [
            "host",
            "port",
            "username",
            "from_address",
            "extra_recipients",
            "summary_recipients",
        ] {
            assert!(error.field_message(field).is_some(), "{field}: {error:?}");
        }
    }

    #[test]
    fn ports_default_by_security_and_the_password_is_kept_unless_given() {
        let (scope, input, password) = parse(&form()).unwrap();
        assert_eq!((scope, input.port), (None, 587));
        assert!(matches!(password, PasswordChange::Keep));
        let tls = SmtpForm {
            security: "tls".into(),
            forget_password: Some("on".into()),
            ..form()
        };
        let (_, input, password) = parse(&tls).unwrap();
        assert_eq!(input.port, 465);
        assert!(matches!(password, PasswordChange::Remove));
    }
}
