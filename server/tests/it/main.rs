//! Integration tests for the `tresor` server, as one test binary.
//!
//! They run against a real SQLite file and, when `TRESOR_TEST_POSTGRES_URL` is
//! set, a real PostgreSQL; the IMAP tests against the Dovecot that
//! `cargo xtask test` starts. With `TRESOR_TEST_REQUIRE_SERVICES=1` (always set
//! by `cargo xtask test`) a missing service fails the test instead of skipping it.

mod access_matrix;
mod accounts;
mod actions;
mod archive;
mod certificate_pins;
mod cli;
mod cli_audit;
mod connection_policy;
mod corpus;
mod crash;
mod credential_binding;
mod data_protection;
mod dovecot;
mod duplicates;
mod edge;
mod graph;
mod harness;
mod import;
mod journal;
mod master_user;
mod notify;
mod oauth;
mod outlook_import;
mod pop3;
mod probe;
mod profiles;
mod query_limits;
mod restore;
mod retention;
mod scheduler;
mod sign_in_limits;
mod smtp;
mod verify;
mod web;
