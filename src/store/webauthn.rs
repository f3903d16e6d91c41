//! Passkeys (tables `webauthn_credentials`, `webauthn_registrations`). The checks on them
//! are `crypto::webauthn` and `ops::webauthn`; this file only reads and writes rows.

use super::Store;
use crate::domain::records::{CredentialRecord, RegistrationRecord};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

const COLUMNS: &str = "pool_id, sub, credential_id, public_key, alg, sign_count, transports, \
    attachment, aaguid, rp_id, friendly_name, created_at";

fn from_row(r: &SqliteRow) -> Result<CredentialRecord, sqlx::Error> {
    let transports: String = r.try_get("transports")?;
    Ok(CredentialRecord {
        pool_id: r.try_get("pool_id")?,
        sub: r.try_get("sub")?,
        credential_id: r.try_get("credential_id")?,
        public_key: r.try_get("public_key")?,
        alg: r.try_get("alg")?,
        sign_count: u32::try_from(r.try_get::<i64, _>("sign_count")?).unwrap_or(u32::MAX),
        transports: serde_json::from_str(&transports).unwrap_or_default(),
        attachment: r.try_get("attachment")?,
        aaguid: r.try_get("aaguid")?,
        rp_id: r.try_get("rp_id")?,
        friendly_name: r.try_get("friendly_name")?,
        created_at: r.try_get("created_at")?,
    })
}

impl Store {
    /// Stores a new credential. False when a credential with this id already exists in the pool.
    pub async fn insert_webauthn_credential(
        &self,
        c: &CredentialRecord,
    ) -> Result<bool, sqlx::Error> {
        let r = sqlx::query(
            "INSERT INTO webauthn_credentials (pool_id, sub, credential_id, public_key, alg, sign_count,
               transports, attachment, aaguid, rp_id, friendly_name, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (pool_id, credential_id) DO NOTHING",
        )
        .bind(&c.pool_id)
        .bind(&c.sub)
        .bind(&c.credential_id)
        .bind(&c.public_key)
        .bind(c.alg)
        .bind(i64::from(c.sign_count))
        .bind(serde_json::to_string(&c.transports).unwrap_or_else(|_| "[]".into()))
        .bind(&c.attachment)
        .bind(&c.aaguid)
        .bind(&c.rp_id)
        .bind(&c.friendly_name)
        .bind(c.created_at)
        .execute(&self.db)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    pub async fn get_webauthn_credential(
        &self,
        pool_id: &str,
        credential_id: &str,
    ) -> Result<Option<CredentialRecord>, sqlx::Error> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM webauthn_credentials WHERE pool_id = ? AND credential_id = ?"
        ))
        .bind(pool_id)
        .bind(credential_id)
        .fetch_optional(&self.db)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
    }

    /// A user's credentials, oldest first.
    pub async fn list_webauthn_credentials(
        &self,
        pool_id: &str,
        sub: &str,
    ) -> Result<Vec<CredentialRecord>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM webauthn_credentials WHERE pool_id = ? AND sub = ?
             ORDER BY created_at, credential_id"
        ))
        .bind(pool_id)
        .bind(sub)
        .fetch_all(&self.db)
        .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn count_webauthn_credentials(
        &self,
        pool_id: &str,
        sub: &str,
    ) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM webauthn_credentials WHERE pool_id = ? AND sub = ?",
        )
        .bind(pool_id)
        .bind(sub)
        .fetch_one(&self.db)
        .await
    }

    /// Deletes one of the user's credentials; false when the user has none with that id.
    pub async fn delete_webauthn_credential(
        &self,
        pool_id: &str,
        sub: &str,
        credential_id: &str,
    ) -> Result<bool, sqlx::Error> {
        let r = sqlx::query(
            "DELETE FROM webauthn_credentials WHERE pool_id = ? AND sub = ? AND credential_id = ?",
        )
        .bind(pool_id)
        .bind(sub)
        .bind(credential_id)
        .execute(&self.db)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Moves the signature counter forward; false when another sign-in already moved it to or
    /// past `new_count` (two answers with one assertion cannot both pass).
    pub async fn advance_webauthn_sign_count(
        &self,
        pool_id: &str,
        credential_id: &str,
        old_count: u32,
        new_count: u32,
    ) -> Result<bool, sqlx::Error> {
        let r = sqlx::query(
            "UPDATE webauthn_credentials SET sign_count = ?
             WHERE pool_id = ? AND credential_id = ? AND sign_count = ?",
        )
        .bind(i64::from(new_count))
        .bind(pool_id)
        .bind(credential_id)
        .bind(i64::from(old_count))
        .execute(&self.db)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Starts (or restarts) the user's registration.
    pub async fn put_webauthn_registration(
        &self,
        r: &RegistrationRecord,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO webauthn_registrations (pool_id, sub, client_id, challenge, rp_id,
               user_verification, expires_at, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (pool_id, sub) DO UPDATE SET client_id = excluded.client_id,
               challenge = excluded.challenge, rp_id = excluded.rp_id,
               user_verification = excluded.user_verification,
               expires_at = excluded.expires_at, created_at = excluded.created_at",
        )
        .bind(&r.pool_id)
        .bind(&r.sub)
        .bind(&r.client_id)
        .bind(&r.challenge)
        .bind(&r.rp_id)
        .bind(&r.user_verification)
        .bind(r.expires_at)
        .bind(r.created_at)
        .execute(&self.db)
        .await?;
        Ok(())
    }

    pub async fn get_webauthn_registration(
        &self,
        pool_id: &str,
        sub: &str,
    ) -> Result<Option<RegistrationRecord>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT pool_id, sub, client_id, challenge, rp_id, user_verification, expires_at, created_at
             FROM webauthn_registrations WHERE pool_id = ? AND sub = ?",
        )
        .bind(pool_id)
        .bind(sub)
        .fetch_optional(&self.db)
        .await?;
        row.map(|r| {
            Ok(RegistrationRecord {
                pool_id: r.try_get("pool_id")?,
                sub: r.try_get("sub")?,
                client_id: r.try_get("client_id")?,
                challenge: r.try_get("challenge")?,
                rp_id: r.try_get("rp_id")?,
                user_verification: r.try_get("user_verification")?,
                expires_at: r.try_get("expires_at")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .transpose()
    }

    /// Removes the registration with this challenge; false when it is gone already (completed by
    /// a concurrent request, or replaced by a new start).
    pub async fn take_webauthn_registration(
        &self,
        pool_id: &str,
        sub: &str,
        challenge: &str,
    ) -> Result<bool, sqlx::Error> {
        let r = sqlx::query(
            "DELETE FROM webauthn_registrations WHERE pool_id = ? AND sub = ? AND challenge = ?",
        )
        .bind(pool_id)
        .bind(sub)
        .bind(challenge)
        .execute(&self.db)
        .await?;
        Ok(r.rows_affected() == 1)
    }
}
