//! Pure rules over the model's shapes: what a pool or app client configuration means.

pub mod attributes;
pub mod client;
pub mod faults;
pub mod federation;
pub mod filter;
pub mod message;
pub mod mfa;
pub mod paging;
pub mod password;
pub mod pool;
pub mod records;
pub mod schema;
pub mod secret_hash;
pub mod triggers;
pub mod user_status;
