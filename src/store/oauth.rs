//! OAuth 2.0 / hosted UI state (migration 0010): authorization codes, the hosted UI's sign-in
//! sessions (cookie) and the scopes of OAuth sign-ins. Codes and session ids are stored hashed.

use super::Store;
use crate::domain::records::{OAuthCode, OAuthSession};
use sqlx::Row;

impl Store {
    /// Stores a new code; codes that expired an hour ago go at the same time.
    pub async fn insert_oauth_code(&self, c: &OAuthCode, now: f64) -> Result<(), sqlx::Error> {
        let mut tx = self.db.begin().await?;
        sqlx::query("DELETE FROM oauth_codes WHERE expires_at < ?")
            .bind(now - 3600.0)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO oauth_codes (code_hash, pool_id, client_id, sub, redirect_uri, scope, \
             nonce, code_challenge, auth_time, expires_at, used_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&c.code_hash)
        .bind(&c.pool_id)
        .bind(&c.client_id)
        .bind(&c.sub)
        .bind(&c.redirect_uri)
        .bind(&c.scope)
        .bind(&c.nonce)
        .bind(&c.code_challenge)
        .bind(c.auth_time)
        .bind(c.expires_at)
        .bind(c.used_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    pub async fn get_oauth_code(&self, code_hash: &str) -> Result<Option<OAuthCode>, sqlx::Error> {
        let Some(r) = sqlx::query(
            "SELECT code_hash, pool_id, client_id, sub, redirect_uri, scope, nonce, \
             code_challenge, auth_time, expires_at, used_at FROM oauth_codes WHERE code_hash = ?",
        )
        .bind(code_hash)
        .fetch_optional(&self.db)
        .await?
        else {
            return Ok(None);
        };
        Ok(Some(OAuthCode {
            code_hash: r.try_get("code_hash")?,
            pool_id: r.try_get("pool_id")?,
            client_id: r.try_get("client_id")?,
            sub: r.try_get("sub")?,
            redirect_uri: r.try_get("redirect_uri")?,
            scope: r.try_get("scope")?,
            nonce: r.try_get("nonce")?,
            code_challenge: r.try_get("code_challenge")?,
            auth_time: r.try_get("auth_time")?,
            expires_at: r.try_get("expires_at")?,
            used_at: r.try_get("used_at")?,
        }))
    }

    /// Marks a code used; false when it already was (of two concurrent exchanges one wins).
    pub async fn use_oauth_code(&self, code_hash: &str, now: f64) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE oauth_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL",
        )
        .bind(now)
        .bind(code_hash)
        .execute(&self.db)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn insert_oauth_session(
        &self,
        session_hash: &str,
        s: &OAuthSession,
        now: f64,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.db.begin().await?;
        sqlx::query("DELETE FROM oauth_sessions WHERE expires_at < ?")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO oauth_sessions (session_hash, pool_id, sub, auth_time, expires_at) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(session_hash)
        .bind(&s.pool_id)
        .bind(&s.sub)
        .bind(s.auth_time)
        .bind(s.expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    pub async fn get_oauth_session(
        &self,
        session_hash: &str,
    ) -> Result<Option<OAuthSession>, sqlx::Error> {
        let Some(r) = sqlx::query(
            "SELECT pool_id, sub, auth_time, expires_at FROM oauth_sessions WHERE session_hash = ?",
        )
        .bind(session_hash)
        .fetch_optional(&self.db)
        .await?
        else {
            return Ok(None);
        };
        Ok(Some(OAuthSession {
            pool_id: r.try_get("pool_id")?,
            sub: r.try_get("sub")?,
            auth_time: r.try_get("auth_time")?,
            expires_at: r.try_get("expires_at")?,
        }))
    }

    pub async fn delete_oauth_session(&self, session_hash: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM oauth_sessions WHERE session_hash = ?")
            .bind(session_hash)
            .execute(&self.db)
            .await?;
        Ok(())
    }

    pub async fn insert_oauth_grant(
        &self,
        origin_jti: &str,
        pool_id: &str,
        client_id: &str,
        scope: &str,
        now: f64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT OR REPLACE INTO oauth_grants (origin_jti, pool_id, client_id, scope, created_at) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(origin_jti)
        .bind(pool_id)
        .bind(client_id)
        .bind(scope)
        .bind(now)
        .execute(&self.db)
        .await?;
        Ok(())
    }

    /// The scopes of an OAuth sign-in; None for an API sign-in.
    pub async fn oauth_grant_scope(&self, origin_jti: &str) -> Result<Option<String>, sqlx::Error> {
        sqlx::query("SELECT scope FROM oauth_grants WHERE origin_jti = ?")
            .bind(origin_jti)
            .fetch_optional(&self.db)
            .await?
            .map(|r| r.try_get("scope"))
            .transpose()
    }
}
