//! cognito-emulator: a local emulator of Amazon Cognito user pools.
//!
//! The modules form layers; each imports only from the layers before it in this list (the
//! README's "Layout" section explains each, and `tests/api/layering.rs` enforces it):
//!
//! 0. `model`, `crypto`, `clock`, `ids`, `util`, `error`, `outbound`: the generated service model
//!    and building blocks with no knowledge of the emulator.
//! 1. `domain`: pure rules over the model, and the records the store keeps.
//! 2. `flow`: the sign-in state machine, pure.
//! 3. `store`: all SQL.
//! 4. `state`, `config`: the shared state and the context an operation runs in.
//! 5. `delivery`, `triggers`, `tokens`: the outbox, Lambda triggers and token minting.
//! 6. `ops`: one typed function per operation; families share `ops::common`, sign-in is
//!    `ops::auth`.
//! 7. `http`: the JSON 1.1 protocol, OAuth 2.0 / hosted UI and `/_emulator/` endpoints.
//! 8. `app`: assembly, the router and seed loading.

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
pub mod outbound;
pub mod state;
pub mod store;
pub mod tokens;
pub mod triggers;
pub mod util;

pub use app::Application;
pub use config::Config;
pub use state::{App, AppState};
