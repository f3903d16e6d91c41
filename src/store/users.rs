//! Users. One row per user; attributes as a JSON object; alias lookup keys in their own columns.

use super::docs::{json, parse};
use super::Store;
use crate::domain::records::{AliasColumn, UserRecord};
use crate::domain::user_status::UserStatus;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

const COLUMNS: &str = "pool_id, sub, username, username_key, status, enabled, attributes, email_key, phone_key, \
    preferred_username_key, password_salt, password_verifier, password_set_at, password_history, mfa, \
    failed_attempts, last_failed_at, locked_until, tokens_valid_after, created_at, modified_at";

/// The `status` column. Only this code writes it, always from a `UserStatus`, so any other text
/// means the database was edited by hand (or by a newer emulator): a decode error (the operation
/// answers InternalErrorException) rather than reading it as UNKNOWN, which the next
/// `update_user` of that user would write back, losing the stored text.
fn status(r: &SqliteRow) -> Result<UserStatus, sqlx::Error> {
    let text: String = r.try_get("status")?;
    text.parse().map_err(|e| sqlx::Error::ColumnDecode {
        index: "status".into(),
        source: Box::new(e),
    })
}

fn from_row(r: &SqliteRow) -> Result<UserRecord, sqlx::Error> {
    Ok(UserRecord {
        pool_id: r.try_get("pool_id")?,
        sub: r.try_get("sub")?,
        username: r.try_get("username")?,
        username_key: r.try_get("username_key")?,
        status: status(r)?,
        enabled: r.try_get::<i64, _>("enabled")? != 0,
        attributes: parse(r.try_get("attributes")?)?,
        email_key: r.try_get("email_key")?,
        phone_key: r.try_get("phone_key")?,
        preferred_username_key: r.try_get("preferred_username_key")?,
        password_salt: r.try_get("password_salt")?,
        password_verifier: r.try_get("password_verifier")?,
        password_set_at: r.try_get("password_set_at")?,
        password_history: parse(r.try_get("password_history")?)?,
        mfa: parse(r.try_get("mfa")?)?,
        failed_attempts: r.try_get("failed_attempts")?,
        last_failed_at: r.try_get("last_failed_at")?,
        locked_until: r.try_get("locked_until")?,
        tokens_valid_after: r.try_get("tokens_valid_after")?,
        created_at: r.try_get("created_at")?,
        modified_at: r.try_get("modified_at")?,
    })
}

impl Store {
    /// Inserts a user. A UNIQUE violation (username taken) comes back as the sqlx error; callers
    /// map it with `store::is_unique_violation`.
    pub async fn insert_user(&self, u: &UserRecord) -> Result<(), sqlx::Error> {
        sqlx::query(&format!(
            "INSERT INTO users ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ))
        .bind(&u.pool_id)
        .bind(&u.sub)
        .bind(&u.username)
        .bind(&u.username_key)
        .bind(u.status.as_str())
        .bind(u.enabled as i64)
        .bind(json(&u.attributes))
        .bind(&u.email_key)
        .bind(&u.phone_key)
        .bind(&u.preferred_username_key)
        .bind(&u.password_salt)
        .bind(&u.password_verifier)
        .bind(u.password_set_at)
        .bind(json(&u.password_history))
        .bind(json(&u.mfa))
        .bind(u.failed_attempts)
        .bind(u.last_failed_at)
        .bind(u.locked_until)
        .bind(u.tokens_valid_after)
        .bind(u.created_at)
        .bind(u.modified_at)
        .execute(&self.db)
        .await?;
        Ok(())
    }

    /// Writes every mutable column of the user back (load, change, save).
    pub async fn update_user(&self, u: &UserRecord) -> Result<bool, sqlx::Error> {
        let r = sqlx::query(
            "UPDATE users SET status = ?, enabled = ?, attributes = ?, email_key = ?, phone_key = ?,
               preferred_username_key = ?, password_salt = ?, password_verifier = ?, password_set_at = ?,
               password_history = ?, mfa = ?, failed_attempts = ?, last_failed_at = ?, locked_until = ?,
               tokens_valid_after = ?, modified_at = ?
             WHERE pool_id = ? AND sub = ?",
        )
        .bind(u.status.as_str())
        .bind(u.enabled as i64)
        .bind(json(&u.attributes))
        .bind(&u.email_key)
        .bind(&u.phone_key)
        .bind(&u.preferred_username_key)
        .bind(&u.password_salt)
        .bind(&u.password_verifier)
        .bind(u.password_set_at)
        .bind(json(&u.password_history))
        .bind(json(&u.mfa))
        .bind(u.failed_attempts)
        .bind(u.last_failed_at)
        .bind(u.locked_until)
        .bind(u.tokens_valid_after)
        .bind(u.modified_at)
        .bind(&u.pool_id)
        .bind(&u.sub)
        .execute(&self.db)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    pub async fn get_user_by_key(
        &self,
        pool_id: &str,
        username_key: &str,
    ) -> Result<Option<UserRecord>, sqlx::Error> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM users WHERE pool_id = ? AND username_key = ?"
        ))
        .bind(pool_id)
        .bind(username_key)
        .fetch_optional(&self.db)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
    }

    pub async fn get_user_by_sub(
        &self,
        pool_id: &str,
        sub: &str,
    ) -> Result<Option<UserRecord>, sqlx::Error> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM users WHERE pool_id = ? AND sub = ?"
        ))
        .bind(pool_id)
        .bind(sub)
        .fetch_optional(&self.db)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
    }

    /// Users whose alias / sign-in key in `column` equals `key` (normally zero or one).
    pub async fn find_users_by_alias(
        &self,
        pool_id: &str,
        column: AliasColumn,
        key: &str,
    ) -> Result<Vec<UserRecord>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM users WHERE pool_id = ? AND {} = ? ORDER BY created_at",
            alias_column(column)
        ))
        .bind(pool_id)
        .bind(key)
        .fetch_all(&self.db)
        .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn delete_user(&self, pool_id: &str, sub: &str) -> Result<bool, sqlx::Error> {
        let r = sqlx::query("DELETE FROM users WHERE pool_id = ? AND sub = ?")
            .bind(pool_id)
            .bind(sub)
            .execute(&self.db)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    /// All users of a pool in creation order (ListUsers filters and pages over this).
    pub async fn list_users_page(
        &self,
        pool_id: &str,
        after: Option<(f64, &str)>,
        limit: i64,
    ) -> Result<Vec<UserRecord>, sqlx::Error> {
        let (after_t, after_sub) = after
            .map(|(t, s)| (Some(t), Some(s)))
            .unwrap_or((None, None));
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM users WHERE pool_id = ?1
               AND (?2 IS NULL OR (created_at, sub) > (?2, ?3))
             ORDER BY created_at, sub LIMIT ?4"
        ))
        .bind(pool_id)
        .bind(after_t)
        .bind(after_sub)
        .bind(limit)
        .fetch_all(&self.db)
        .await?;
        rows.iter().map(from_row).collect()
    }
}

/// The lookup column an alias resolves through.
fn alias_column(column: AliasColumn) -> &'static str {
    match column {
        AliasColumn::Email => "email_key",
        AliasColumn::Phone => "phone_key",
        AliasColumn::PreferredUsername => "preferred_username_key",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn status_round_trips_and_unknown_text_is_a_decode_error() {
        let store = Store::open(":memory:").await.expect("store");
        sqlx::query(
            "INSERT INTO user_pools (id, name, doc, created_at) VALUES ('p_1', 'p', '{}', 0)",
        )
        .execute(&store.db)
        .await
        .expect("pool");
        let mut user = UserRecord {
            pool_id: "p_1".into(),
            sub: "s_1".into(),
            username: "alice".into(),
            username_key: "alice".into(),
            status: UserStatus::ForceChangePassword,
            enabled: true,
            password_history: serde_json::json!([]),
            mfa: serde_json::json!({}),
            ..Default::default()
        };
        store.insert_user(&user).await.expect("insert");
        let text: String = sqlx::query_scalar("SELECT status FROM users WHERE sub = 's_1'")
            .fetch_one(&store.db)
            .await
            .expect("text");
        assert_eq!(text, "FORCE_CHANGE_PASSWORD");
        user.status = UserStatus::ResetRequired;
        assert!(store.update_user(&user).await.expect("update"));
        let read = store.get_user_by_sub("p_1", "s_1").await.expect("read");
        assert_eq!(read.expect("user").status, UserStatus::ResetRequired);

        sqlx::query("UPDATE users SET status = 'Confirmed' WHERE sub = 's_1'")
            .execute(&store.db)
            .await
            .expect("edit");
        match store.get_user_by_sub("p_1", "s_1").await {
            Err(sqlx::Error::ColumnDecode { index, .. }) => assert_eq!(index, "status"),
            other => panic!("expected a decode error, got {other:?}"),
        }
    }
}
