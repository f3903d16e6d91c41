pub mod jwt;
pub mod srp;
