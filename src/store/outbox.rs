//! The outbox: every SMS and email the emulator would have sent.

use super::Store;
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub id: String,
    pub user_pool_id: String,
    pub username: String,
    pub channel: String,
    pub destination: String,
    pub purpose: String,
    pub code: Option<String>,
    pub body: String,
    pub sent_at: String,
}

#[derive(Debug, Default, Clone)]
pub struct MessageFilter {
    pub user_pool_id: Option<String>,
    pub username: Option<String>,
    pub channel: Option<String>,
    pub purpose: Option<String>,
}

pub struct NewMessage<'a> {
    pub pool_id: &'a str,
    pub username: &'a str,
    pub channel: &'a str,
    pub destination: &'a str,
    pub purpose: &'a str,
    pub code: Option<&'a str>,
    pub body: &'a str,
    pub sent_at: f64,
}

impl Store {
    pub async fn add_message(&self, m: &NewMessage<'_>) -> Result<String, sqlx::Error> {
        let id = uuid::Uuid::new_v4().to_string();
        sqlx::query(
            "INSERT INTO messages (id, pool_id, username, channel, destination, purpose, code, body, sent_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(m.pool_id)
        .bind(m.username)
        .bind(m.channel)
        .bind(m.destination)
        .bind(m.purpose)
        .bind(m.code)
        .bind(m.body)
        .bind(m.sent_at)
        .execute(&self.db)
        .await?;
        Ok(id)
    }

    pub async fn list_messages(&self, f: &MessageFilter) -> Result<Vec<Message>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT id, pool_id, username, channel, destination, purpose, code, body, sent_at FROM messages
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
