//! Sign-in sessions between challenges (table `auth_sessions`). The rules on them are in
//! `flow::session`; this file only reads and writes rows.

use super::{Query, Store};
use crate::domain::records::AuthSession;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

fn from_row(r: &SqliteRow) -> Result<AuthSession, sqlx::Error> {
    Ok(AuthSession {
        id: r.try_get("id")?,
        pool_id: r.try_get("pool_id")?,
        client_id: r.try_get("client_id")?,
        sub: r.try_get("sub")?,
        state: r.try_get("state")?,
        expires_at: r.try_get("expires_at")?,
        consumed: r.try_get::<i64, _>("consumed")? != 0,
        attempts: r.try_get("attempts")?,
        created_at: r.try_get("created_at")?,
    })
}

/// Clears sessions that expired an hour before the new one's creation, then inserts it; the
/// arguments are [`bind`]'s.
pub(super) const INSERT: &str = "DELETE FROM auth_sessions WHERE expires_at < ?;
     INSERT INTO auth_sessions (id, pool_id, client_id, sub, state, expires_at, consumed, attempts, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

/// Binds [`INSERT`]'s arguments after those already on `q` (sqlx numbers `?` across the
/// statements of one query in order).
pub(super) fn bind<'q>(q: Query<'q>, s: &'q AuthSession) -> Query<'q> {
    q.bind(s.created_at - 3600.0)
        .bind(&s.id)
        .bind(&s.pool_id)
        .bind(&s.client_id)
        .bind(&s.sub)
        .bind(&s.state)
        .bind(s.expires_at)
        .bind(s.consumed as i64)
        .bind(s.attempts)
        .bind(s.created_at)
}

impl Store {
    /// Stores a new session; sessions that expired more than an hour ago go at the same time, so
    /// the table stays small without a background job. Both statements go to the writer as one
    /// query, each committing on its own: the clean-up needs no atomicity with the insert, and a
    /// transaction around them cost three more hand-offs to sqlx's connection thread on every
    /// SignUp and challenge (bench/README.md, "SignUp writes once").
    pub async fn insert_auth_session(&self, s: &AuthSession) -> Result<(), sqlx::Error> {
        bind(sqlx::query(INSERT), s).execute(&self.db).await?;
        Ok(())
    }

    pub async fn get_auth_session(&self, id: &str) -> Result<Option<AuthSession>, sqlx::Error> {
        sqlx::query(
            "SELECT id, pool_id, client_id, sub, state, expires_at, consumed, attempts, created_at
             FROM auth_sessions WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&self.db)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
    }

    /// Marks the session used. False when it already was: of two concurrent answers only one wins.
    pub async fn consume_auth_session(&self, id: &str) -> Result<bool, sqlx::Error> {
        let r = sqlx::query("UPDATE auth_sessions SET consumed = 1 WHERE id = ? AND consumed = 0")
            .bind(id)
            .execute(&self.db)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Counts a wrong code answered in the session; returns the new count.
    pub async fn record_session_wrong_code(&self, id: &str) -> Result<i64, sqlx::Error> {
        let n: Option<i64> = sqlx::query_scalar(
            "UPDATE auth_sessions SET attempts = attempts + 1 WHERE id = ? RETURNING attempts",
        )
        .bind(id)
        .fetch_optional(&self.db)
        .await?;
        Ok(n.unwrap_or(0))
    }
}

impl Store {
    /// Writes back only the lock-out counters of a sign-in attempt (see `flow::lockout`), so a
    /// wrong password never overwrites a concurrent change to the rest of the user.
    pub async fn save_sign_in_counters(
        &self,
        user: &crate::domain::records::UserRecord,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE users SET failed_attempts = ?, last_failed_at = ?, locked_until = ? WHERE pool_id = ? AND sub = ?",
        )
        .bind(user.failed_attempts)
        .bind(user.last_failed_at)
        .bind(user.locked_until)
        .bind(&user.pool_id)
        .bind(&user.sub)
        .execute(&self.db)
        .await?;
        Ok(())
    }

    /// Writes back only the wrong-MFA-code count (kept in the `mfa` document) and the lock it may
    /// have started (`flow::lockout::record_wrong_code`).
    pub async fn save_mfa_code_counters(
        &self,
        user: &crate::domain::records::UserRecord,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE users SET mfa = ?, locked_until = ? WHERE pool_id = ? AND sub = ?")
            .bind(super::docs::json(&user.mfa))
            .bind(user.locked_until)
            .bind(&user.pool_id)
            .bind(&user.sub)
            .execute(&self.db)
            .await?;
        Ok(())
    }
}
