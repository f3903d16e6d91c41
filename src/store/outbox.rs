//! The outbox: every SMS and email the emulator would have sent.

use super::Store;
use crate::domain::records::{CodeToKeep, Message, MessageFilter, NewMessage};
use sqlx::Row;

impl Store {
    pub async fn add_message(&self, m: &NewMessage<'_>) -> Result<String, sqlx::Error> {
        let mut tx = self.db.begin().await?;
        let id = insert_message(&mut tx, m).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Stores `code` (replacing the user's pending one for that key, as `put_code` does) and the
    /// message in one transaction: a code is never kept without the message that delivered it,
    /// nor a message written whose code was not kept.
    pub async fn add_message_with_code(
        &self,
        m: &NewMessage<'_>,
        code: &CodeToKeep<'_>,
    ) -> Result<String, sqlx::Error> {
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "INSERT INTO codes (pool_id, sub, purpose, code, expires_at, attempts, created_at)
             VALUES (?, ?, ?, ?, ?, 0, ?)
             ON CONFLICT (pool_id, sub, purpose) DO UPDATE SET
               code = excluded.code, expires_at = excluded.expires_at, attempts = 0,
               created_at = excluded.created_at, pending_value = NULL",
        )
        .bind(m.pool_id)
        .bind(code.sub)
        .bind(code.key)
        .bind(code.code)
        .bind(code.expires_at)
        .bind(m.sent_at)
        .execute(&mut *tx)
        .await?;
        let id = insert_message(&mut tx, m).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Whether a message with this id exists (for `since=ID`).
    pub async fn message_exists(&self, id: &str) -> Result<bool, sqlx::Error> {
        Ok(sqlx::query("SELECT 1 FROM messages WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.db)
            .await?
            .is_some())
    }

    /// Matching messages, oldest first.
    pub async fn list_messages(&self, f: &MessageFilter) -> Result<Vec<Message>, sqlx::Error> {
        self.query_messages(f, false).await
    }

    pub async fn latest_message(&self, f: &MessageFilter) -> Result<Option<Message>, sqlx::Error> {
        Ok(self.query_messages(f, true).await?.pop())
    }

    async fn query_messages(
        &self,
        f: &MessageFilter,
        newest_only: bool,
    ) -> Result<Vec<Message>, sqlx::Error> {
        // `username` also matches the user the message went to by sub or alias (email keys are
        // lower-cased, preferred_username keys too in case-insensitive pools), and the
        // destination itself.
        let sql = format!(
            "SELECT id, pool_id, username, channel, destination, purpose, code, subject, body,
                    temporary_password, sent_at FROM messages
             WHERE (?1 IS NULL OR pool_id = ?1)
               AND (?2 IS NULL OR username = ?2 OR destination = ?2
                    OR (pool_id, username) IN (
                        SELECT pool_id, username FROM users
                        WHERE sub = ?2 OR email_key = lower(?2) OR phone_key = ?2
                           OR preferred_username_key IN (?2, lower(?2))))
               AND (?3 IS NULL OR channel = ?3) AND (?4 IS NULL OR purpose = ?4)
               AND (?5 IS NULL OR destination = ?5)
               AND (?6 IS NULL OR seq > (SELECT seq FROM messages WHERE id = ?6))
               AND (?7 IS NULL OR sent_at >= ?7)
             ORDER BY seq {}",
            if newest_only { "DESC LIMIT 1" } else { "" }
        );
        let rows = sqlx::query(&sql)
            .bind(&f.user_pool_id)
            .bind(&f.username)
            .bind(&f.channel)
            .bind(&f.purpose)
            .bind(&f.destination)
            .bind(&f.after_id)
            .bind(f.since)
            .fetch_all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let sent: f64 = r.get("sent_at");
                Message {
                    id: r.get("id"),
                    user_pool_id: r.get("pool_id"),
                    username: r.get("username"),
                    channel: r.get("channel"),
                    destination: r.get("destination"),
                    purpose: r.get("purpose"),
                    code: r.get("code"),
                    subject: r.get("subject"),
                    body: r.get("body"),
                    temporary_password: r.get("temporary_password"),
                    sent_at: crate::util::rfc3339(sent),
                }
            })
            .collect())
    }

    pub async fn clear_messages(&self) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM messages")
            .execute(&self.db)
            .await?;
        Ok(())
    }
}

async fn insert_message(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    m: &NewMessage<'_>,
) -> Result<String, sqlx::Error> {
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO messages (id, pool_id, username, channel, destination, purpose, code, subject, body,
                               temporary_password, sent_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(m.pool_id)
    .bind(m.username)
    .bind(m.channel)
    .bind(m.destination)
    .bind(m.purpose)
    .bind(m.code)
    .bind(m.subject)
    .bind(m.body)
    .bind(m.temporary_password)
    .bind(m.sent_at)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}
