//! What the integration tests share, in one place: the databases a test
//! runs on, the test bed's services (its IMAP servers among them), the mail
//! corpora and made-up messages, the `tresor` binary, Tresor's services over a database
//! (`services`, the only place tests build them), the web site in front of
//! them (`Site`), the forms the browser posts and the field errors it gets
//! back, the mail tests receive, a private Postfix a test starts itself,
//! digests to compare archives by, a clock the test sets, and a fixed token
//! for the Graph client.
//!
//! A test's own helpers stay in its file; what two test files need comes here.

mod clock;
mod command_line;
mod corpus;
mod databases;
mod digests;
mod forms;
mod graph_token;
mod imap_servers;
mod mail;
mod messages;
mod postfix;
mod services;
mod site;
mod test_bed;

pub(crate) use clock::TestClock;
pub(crate) use command_line::{add_owner, stderr, stdout, tresor, tresor_on_database};
pub(crate) use corpus::{bulk_corpus, corpus_dir};
pub(crate) use databases::{TestDb, databases, sqlite, unmigrated_postgres};
pub(crate) use digests::{export_digests, files_under, server_digests};
pub(crate) use forms::{
    assert_field_error, changed, csv_batch_form, field_errors, graph_mailbox_form, mailbox_form,
    master_batch_form, plain_form, reset_password_form, sign_in_form, struct_form, urlencode,
};
pub(crate) use graph_token::FixedToken;
pub(crate) use imap_servers::{IMAP_TIMEOUT, cyrus_endpoint, endpoint, login, session};
pub(crate) use mail::{MailSink, recipient, reset_token, sink_mails};
pub(crate) use messages::synthetic_message;
pub(crate) use postfix::{Postfix, PostfixRoute, free_port, postfix_available};
pub(crate) use services::{Services, ann_and_bob, services};
pub(crate) use site::Site;
pub(crate) use test_bed::service_env;
