//! cognito-emulator: a local emulator of Amazon Cognito user pools.
//!
//! Layout: `http` (wire protocol and emulator endpoints) -> `ops` (one typed function per
//! operation) -> `flow` (the pure sign-in state machine) / `domain` (pure rules) -> `store` (all SQL).
//! `crypto` holds SRP, TOTP and JWT; `model` is generated from the vendored service model.

pub mod app;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod delivery;
pub mod domain;
pub mod error;
pub mod flow;
pub mod http;
pub mod ids;
pub mod model;
pub mod ops;
pub mod seed;
pub mod state;
pub mod store;
pub mod tokens;
pub mod triggers;
pub mod util;

pub use app::Application;
pub use config::Config;
pub use state::{App, AppState};
