//! Pure rules over the model's shapes: what a pool or app client configuration means.

pub mod client;
pub mod password;
pub mod pool;
