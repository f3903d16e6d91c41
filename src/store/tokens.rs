//! Refresh tokens (stored by hash) and revocation.

use super::Store;
use crate::domain::records::RefreshTokenRecord;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

const COLUMNS: &str =
    "token_hash, pool_id, client_id, sub, origin_jti, auth_time, device_key, expires_at, \
    revoked_at, replaced_at, created_at";

fn from_row(r: &SqliteRow) -> Result<RefreshTokenRecord, sqlx::Error> {
    Ok(RefreshTokenRecord {
        token_hash: r.try_get("token_hash")?,
        pool_id: r.try_get("pool_id")?,
        client_id: r.try_get("client_id")?,
        sub: r.try_get("sub")?,
        origin_jti: r.try_get("origin_jti")?,
        auth_time: r.try_get("auth_time")?,
        device_key: r.try_get("device_key")?,
        expires_at: r.try_get("expires_at")?,
        revoked_at: r.try_get("revoked_at")?,
        replaced_at: r.try_get("replaced_at")?,
        created_at: r.try_get("created_at")?,
    })
}

async fn insert<'e, E>(db: E, t: &RefreshTokenRecord) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Sqlite>,
{
    sqlx::query(&format!(
        "INSERT INTO refresh_tokens ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ))
    .bind(&t.token_hash)
    .bind(&t.pool_id)
    .bind(&t.client_id)
    .bind(&t.sub)
    .bind(&t.origin_jti)
    .bind(t.auth_time)
    .bind(&t.device_key)
    .bind(t.expires_at)
    .bind(t.revoked_at)
    .bind(t.replaced_at)
    .bind(t.created_at)
    .execute(db)
    .await?;
    Ok(())
}

impl Store {
    pub async fn insert_refresh_token(&self, t: &RefreshTokenRecord) -> Result<(), sqlx::Error> {
        insert(&self.db, t).await
    }

    pub async fn get_refresh_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<RefreshTokenRecord>, sqlx::Error> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM refresh_tokens WHERE token_hash = ?"
        ))
        .bind(token_hash)
        .fetch_optional(&self.db)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
    }

    /// Rotation: the old token is marked replaced (the first replacement time is kept, so retries
    /// within the grace period do not extend it) and its successor stored, in one transaction.
    pub async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        new: &RefreshTokenRecord,
        now: f64,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "UPDATE refresh_tokens SET replaced_at = ? WHERE token_hash = ? AND replaced_at IS NULL",
        )
        .bind(now)
        .bind(old_hash)
        .execute(&mut *tx)
        .await?;
        insert(&mut *tx, new).await?;
        tx.commit().await
    }

    /// RevokeToken: the refresh token's whole sign-in (every rotation of it) and, through
    /// [`Store::get_token_user`], every access token minted from it.
    pub async fn revoke_refresh_family(
        &self,
        origin_jti: &str,
        now: f64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE refresh_tokens SET revoked_at = ? WHERE origin_jti = ? AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(origin_jti)
        .execute(&self.db)
        .await?;
        Ok(())
    }

    /// (Admin)GlobalSignOut: every refresh token of the user is revoked and access tokens issued
    /// before `now` stop working (`users.tokens_valid_after`).
    pub async fn sign_out_everywhere(
        &self,
        pool_id: &str,
        sub: &str,
        now: f64,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.db.begin().await?;
        sqlx::query("UPDATE users SET tokens_valid_after = ? WHERE pool_id = ? AND sub = ?")
            .bind(now)
            .bind(pool_id)
            .bind(sub)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE refresh_tokens SET revoked_at = ? WHERE pool_id = ? AND sub = ? AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(pool_id)
        .bind(sub)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }
}
