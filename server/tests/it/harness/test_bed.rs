//! The test bed's services (PostgreSQL, Dovecot, the SMTP sink, the OAuth2
//! and Graph stand-in): found through `TRESOR_TEST_*` variables, and either
//! skipped loudly or required (`TRESOR_TEST_REQUIRE_SERVICES=1`).

/// Whether tests must fail rather than skip when a service is missing.
pub fn services_required() -> bool {
    std::env::var("TRESOR_TEST_REQUIRE_SERVICES").is_ok_and(|value| value == "1")
}

/// Reads a service's variable, or explains loudly why the test is skipped.
pub fn service_env(variable: &str, service: &str) -> Option<String> {
    match std::env::var(variable) {
        Ok(value) if !value.is_empty() => Some(value),
        _ if services_required() => {
            panic!(
                "{variable} is not set but TRESOR_TEST_REQUIRE_SERVICES=1: {service} is required"
            )
        }
        _ => {
            eprintln!(
                "\n*** SKIPPING the {service} part of this test: {variable} is not set. \
                 Run `cargo xtask test` to start {service}. ***\n"
            );
            None
        }
    }
}
