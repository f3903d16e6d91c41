pub mod jwt;
pub(crate) mod mont;
pub mod srp;
pub mod totp;
pub mod webauthn;
