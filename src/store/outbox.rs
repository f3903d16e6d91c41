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

    pub async fn list_messages(&self, f: &MessageFilter) -> Result<Vec<Message>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT id, pool_id, username, channel, destination, purpose, code, subject, body, sent_at FROM messages
             WHERE (?1 IS NULL OR pool_id = ?1) AND (?2 IS NULL OR username = ?2)
               AND (?3 IS NULL OR channel = ?3) AND (?4 IS NULL OR purpose = ?4)
             ORDER BY seq",
        )
        .bind(&f.user_pool_id)
        .bind(&f.username)
        .bind(&f.channel)
        .bind(&f.purpose)
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
        "INSERT INTO messages (id, pool_id, username, channel, destination, purpose, code, subject, body, sent_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
    .bind(m.sent_at)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}
