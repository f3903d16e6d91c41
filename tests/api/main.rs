//! The integration-test binary: every test starts its own emulator on 127.0.0.1:0 (in-memory store)
//! through `helpers::spawn_app` and talks to it over real HTTP, with the AWS SDK or raw requests.
//!
//! One binary for every family keeps link time down; add `mod <family>;` below.

mod account;
mod auth;
mod bad_input;
mod custom_auth;
mod devices;
mod domains;
mod emulator_state;
mod export;
mod faults;
mod federation;
mod fidelity;
mod groups;
mod helpers;
mod identity_providers;
mod import_jobs;
mod layering;
mod mfa;
mod oauth2;
mod outbox;
mod pool_config;
mod pools;
mod protocol;
mod requests;
mod schema;
mod seed;
mod snapshots;
mod srp;
mod tls;
mod triggers;
mod user_auth;
mod users;
mod webauthn;
