pub mod jwt;
pub mod srp;
pub mod totp;
pub mod webauthn;
