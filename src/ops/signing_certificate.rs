//! GetSigningCertificate: the pool's X.509 signing certificate (the one SAML providers are given
//! to check Cognito's signed requests), base64 DER without PEM armour [B: as the value is pasted
//! into IdP metadata].
//!
//! The emulator signs nothing with it; it is a self-signed certificate over the pool's ID-token
//! key, built the same way on every call (serial from the pool id, validity from the pool's
//! creation date for ten years, as the API reference says Cognito's are; RSA PKCS#1 v1.5 signatures
//! are deterministic), so the answer is stable for a pool without being stored.

use crate::error::{ApiError, ApiResult};
use crate::model::shapes::*;
use crate::ops::common::load_pool;
use crate::state::Ctx;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::Datelike;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::EncodePrivateKey;
use sha2::{Digest, Sha256};

/// Ten years, in the years of the validity dates.
const VALIDITY_YEARS: i32 = 10;

pub async fn get_signing_certificate(
    ctx: Ctx,
    req: GetSigningCertificateRequest,
) -> ApiResult<GetSigningCertificateResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    let pool = load_pool(&ctx, &pool_id).await?;
    // Creates the pool's keys if no token was issued yet.
    ctx.app.pool_keys(&pool_id).await?;
    let key = ctx
        .app
        .store
        .signing_keys(&pool_id)
        .await?
        .into_iter()
        .find(|k| k.token_use == "id")
        .ok_or_else(|| ApiError::internal("signing key missing"))?;
    let created = pool.creation_date.unwrap_or_default();
    // RSA signing is CPU work; keep it off the async workers.
    let der =
        tokio::task::spawn_blocking(move || certificate(&pool_id, &key.private_key_der, created))
            .await
            .map_err(ApiError::internal)??;
    Ok(GetSigningCertificateResponse {
        certificate: Some(STANDARD.encode(der)),
    })
}

/// The DER certificate of the pool's key (PKCS#1 DER as stored).
fn certificate(pool_id: &str, pkcs1_der: &[u8], created: f64) -> ApiResult<Vec<u8>> {
    let key = rsa::RsaPrivateKey::from_pkcs1_der(pkcs1_der).map_err(ApiError::internal)?;
    let pkcs8 = key.to_pkcs8_der().map_err(ApiError::internal)?;
    let key_pair = rcgen::KeyPair::try_from(pkcs8.as_bytes()).map_err(ApiError::internal)?;
    let mut params = rcgen::CertificateParams::default();
    let mut name = rcgen::DistinguishedName::new();
    // [B] Subject: the pool, under Amazon's organization names.
    name.push(rcgen::DnType::CountryName, "US");
    name.push(rcgen::DnType::OrganizationName, "Amazon Web Services");
    name.push(rcgen::DnType::OrganizationalUnitName, "Amazon Cognito");
    name.push(rcgen::DnType::CommonName, pool_id);
    params.distinguished_name = name;
    let day = chrono::DateTime::from_timestamp(created as i64, 0).unwrap_or_default();
    let (month, date) = (day.month() as u8, day.day() as u8);
    params.not_before = rcgen::date_time_ymd(day.year(), month, date);
    params.not_after = rcgen::date_time_ymd(day.year() + VALIDITY_YEARS, month, date.min(28));
    // A positive 16-byte serial from the pool id: stable, and unique per pool.
    let mut serial = Sha256::digest(pool_id.as_bytes())[..16].to_vec();
    serial[0] &= 0x7f;
    params.serial_number = Some(rcgen::SerialNumber::from_slice(&serial));
    let cert = params.self_signed(&key_pair).map_err(ApiError::internal)?;
    Ok(cert.der().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_certificate_is_the_same_on_every_call() {
        let key = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).expect("a key");
        let der = rsa::pkcs1::EncodeRsaPrivateKey::to_pkcs1_der(&key).expect("PKCS#1");
        let a = certificate("us-east-1_abc", der.as_bytes(), 1_700_000_000.0).expect("cert");
        let b = certificate("us-east-1_abc", der.as_bytes(), 1_700_000_000.0).expect("cert");
        assert_eq!(a, b);
        // A DER SEQUENCE with a long-form length.
        assert_eq!(&a[..2], &[0x30, 0x82]);
        let other = certificate("us-east-1_xyz", der.as_bytes(), 1_700_000_000.0).expect("cert");
        assert_ne!(a, other);
    }
}
