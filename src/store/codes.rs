//! One-time codes (sign-up confirmation, forgot password, attribute verification), and the
//! `auth_sessions` rows SignUp / ConfirmSignUp hand out for the USER_AUTH auto sign-in (same table
//! and columns as the sign-in sessions; the `state` JSON `{"kind":"auto_sign_in"}` tells them apart).
//!
//! A user has at most one pending code per purpose key (`SIGN_UP`, `FORGOT_PASSWORD`,
//! `VERIFY_ATTRIBUTE:<name>`): sending a new one replaces the old one and its failure count.
//! An attribute-verification code may carry the value it verifies (`pending_value`: an email or
//! phone number change waiting for verification, AttributesRequireVerificationBeforeUpdate).
//!
//! Also the per-user request log behind Cognito's hourly limits (`user_attempts`).

use super::Store;
use crate::domain::records::CodeRecord;
use sqlx::Row;

impl Store {
    /// Stores (or replaces) the pending code of `purpose`; the failure count starts again.
    pub async fn put_code(
        &self,
        pool_id: &str,
        sub: &str,
        purpose: &str,
        code: &str,
        expires_at: f64,
        now: f64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO codes (pool_id, sub, purpose, code, expires_at, attempts, created_at)
             VALUES (?, ?, ?, ?, ?, 0, ?)
             ON CONFLICT (pool_id, sub, purpose) DO UPDATE SET
               code = excluded.code, expires_at = excluded.expires_at, attempts = 0,
               created_at = excluded.created_at, pending_value = NULL",
        )
        .bind(pool_id)
        .bind(sub)
        .bind(purpose)
        .bind(code)
        .bind(expires_at)
        .bind(now)
        .execute(&self.db)
        .await?;
        Ok(())
    }

    pub async fn get_code(
        &self,
        pool_id: &str,
        sub: &str,
        purpose: &str,
    ) -> Result<Option<CodeRecord>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT pool_id, sub, purpose, code, expires_at, attempts, created_at, pending_value FROM codes
             WHERE pool_id = ? AND sub = ? AND purpose = ?",
        )
        .bind(pool_id)
        .bind(sub)
        .bind(purpose)
        .fetch_optional(&self.db)
        .await?;
        row.map(|r| {
            Ok(CodeRecord {
                pool_id: r.try_get("pool_id")?,
                sub: r.try_get("sub")?,
                purpose: r.try_get("purpose")?,
                code: r.try_get("code")?,
                expires_at: r.try_get("expires_at")?,
                attempts: r.try_get("attempts")?,
                created_at: r.try_get("created_at")?,
                pending_value: r.try_get("pending_value")?,
            })
        })
        .transpose()
    }

    /// Counts a wrong guess; returns the new count.
    pub async fn bump_code_attempts(
        &self,
        pool_id: &str,
        sub: &str,
        purpose: &str,
    ) -> Result<i64, sqlx::Error> {
        let n: Option<i64> = sqlx::query_scalar(
            "UPDATE codes SET attempts = attempts + 1 WHERE pool_id = ? AND sub = ? AND purpose = ?
             RETURNING attempts",
        )
        .bind(pool_id)
        .bind(sub)
        .bind(purpose)
        .fetch_optional(&self.db)
        .await?;
        Ok(n.unwrap_or(0))
    }

    pub async fn delete_code(
        &self,
        pool_id: &str,
        sub: &str,
        purpose: &str,
    ) -> Result<bool, sqlx::Error> {
        let r = sqlx::query("DELETE FROM codes WHERE pool_id = ? AND sub = ? AND purpose = ?")
            .bind(pool_id)
            .bind(sub)
            .bind(purpose)
            .execute(&self.db)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Attaches the value a pending attribute change will take once this code is confirmed.
    pub async fn set_code_pending_value(
        &self,
        pool_id: &str,
        sub: &str,
        purpose: &str,
        value: Option<&str>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE codes SET pending_value = ? WHERE pool_id = ? AND sub = ? AND purpose = ?",
        )
        .bind(value)
        .bind(pool_id)
        .bind(sub)
        .bind(purpose)
        .execute(&self.db)
        .await?;
        Ok(())
    }

    /// Counts `action` requests of a user since `since`.
    pub async fn count_user_attempts(
        &self,
        pool_id: &str,
        sub: &str,
        action: &str,
        since: f64,
    ) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM user_attempts WHERE pool_id = ? AND sub = ? AND action = ? AND at > ?",
        )
        .bind(pool_id)
        .bind(sub)
        .bind(action)
        .bind(since)
        .fetch_one(&self.db)
        .await
    }

    /// Logs one `action` request at `at` and forgets this user's requests older than `forget_before`.
    pub async fn add_user_attempt(
        &self,
        pool_id: &str,
        sub: &str,
        action: &str,
        at: f64,
        forget_before: f64,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "DELETE FROM user_attempts WHERE pool_id = ? AND sub = ? AND action = ? AND at <= ?",
        )
        .bind(pool_id)
        .bind(sub)
        .bind(action)
        .bind(forget_before)
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO user_attempts (pool_id, sub, action, at) VALUES (?, ?, ?, ?)")
            .bind(pool_id)
            .bind(sub)
            .bind(action)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }

    /// Consumes the unused session `id` if it was issued to `sub` through `client_id` with the
    /// state `state`; false otherwise.
    pub async fn consume_sign_up_session(
        &self,
        id: &str,
        client_id: &str,
        sub: &str,
        state: &str,
    ) -> Result<bool, sqlx::Error> {
        let r = sqlx::query(
            "UPDATE auth_sessions SET consumed = 1
             WHERE id = ? AND client_id = ? AND sub = ? AND state = ? AND consumed = 0",
        )
        .bind(id)
        .bind(client_id)
        .bind(sub)
        .bind(state)
        .execute(&self.db)
        .await?;
        Ok(r.rows_affected() == 1)
    }
}
