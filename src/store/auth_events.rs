//! User auth events (AdminListUserAuthEvents), kept for pools with the threat-protection add-on.

use super::Store;
use crate::domain::records::AuthEventRecord;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

const COLUMNS: &str =
    "event_id, pool_id, sub, event_type, event_response, challenges, created_at, \
    feedback_value, feedback_provider, feedback_date";

fn from_row(r: &SqliteRow) -> Result<AuthEventRecord, sqlx::Error> {
    let challenges: String = r.try_get("challenges")?;
    Ok(AuthEventRecord {
        event_id: r.try_get("event_id")?,
        pool_id: r.try_get("pool_id")?,
        sub: r.try_get("sub")?,
        event_type: r.try_get("event_type")?,
        event_response: r.try_get("event_response")?,
        challenges: serde_json::from_str(&challenges).unwrap_or_default(),
        created_at: r.try_get("created_at")?,
        feedback_value: r.try_get("feedback_value")?,
        feedback_provider: r.try_get("feedback_provider")?,
        feedback_date: r.try_get("feedback_date")?,
    })
}

impl Store {
    pub async fn insert_auth_event(&self, e: &AuthEventRecord) -> Result<(), sqlx::Error> {
        sqlx::query(&format!(
            "INSERT INTO auth_events ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ))
        .bind(&e.event_id)
        .bind(&e.pool_id)
        .bind(&e.sub)
        .bind(&e.event_type)
        .bind(&e.event_response)
        .bind(e.challenges.to_string())
        .bind(e.created_at)
        .bind(&e.feedback_value)
        .bind(&e.feedback_provider)
        .bind(e.feedback_date)
        .execute(&self.db)
        .await?;
        Ok(())
    }

    /// A user's events, newest first, after the position `before` (creation time, event id).
    pub async fn list_auth_events(
        &self,
        pool_id: &str,
        sub: &str,
        before: Option<(f64, &str)>,
        limit: i64,
    ) -> Result<Vec<AuthEventRecord>, sqlx::Error> {
        let (t, id) = before
            .map(|(t, i)| (Some(t), Some(i)))
            .unwrap_or((None, None));
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM auth_events WHERE pool_id = ?1 AND sub = ?2
               AND (?3 IS NULL OR (created_at, event_id) < (?3, ?4))
             ORDER BY created_at DESC, event_id DESC LIMIT ?5"
        ))
        .bind(pool_id)
        .bind(sub)
        .bind(t)
        .bind(id)
        .bind(limit)
        .fetch_all(&self.db)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Records feedback on one of the user's events; false when the user has no such event.
    pub async fn set_auth_event_feedback(
        &self,
        pool_id: &str,
        sub: &str,
        event_id: &str,
        value: &str,
        provider: &str,
        at: f64,
    ) -> Result<bool, sqlx::Error> {
        let r = sqlx::query(
            "UPDATE auth_events SET feedback_value = ?, feedback_provider = ?, feedback_date = ?
             WHERE pool_id = ? AND sub = ? AND event_id = ?",
        )
        .bind(value)
        .bind(provider)
        .bind(at)
        .bind(pool_id)
        .bind(sub)
        .bind(event_id)
        .execute(&self.db)
        .await?;
        Ok(r.rows_affected() == 1)
    }
}
