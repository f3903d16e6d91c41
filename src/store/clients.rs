//! App clients.

use super::pools::{json, parse};
use super::Store;
use crate::model::shapes::UserPoolClientType;
use sqlx::Row;

impl Store {
    pub async fn insert_client(
        &self,
        c: &UserPoolClientType,
        created_at: f64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO user_pool_clients (client_id, pool_id, doc, created_at) VALUES (?, ?, ?, ?)",
        )
        .bind(c.client_id.as_deref().unwrap_or_default())
        .bind(c.user_pool_id.as_deref().unwrap_or_default())
        .bind(json(c))
        .bind(created_at)
        .execute(&self.db)
        .await?;
        Ok(())
    }

    pub async fn get_client(
        &self,
        client_id: &str,
    ) -> Result<Option<UserPoolClientType>, sqlx::Error> {
        let row = sqlx::query("SELECT doc FROM user_pool_clients WHERE client_id = ?")
            .bind(client_id)
            .fetch_optional(&self.db)
            .await?;
        row.map(|r| parse(r.get::<String, _>("doc"))).transpose()
    }

    pub async fn update_client(&self, c: &UserPoolClientType) -> Result<bool, sqlx::Error> {
        let r =
            sqlx::query("UPDATE user_pool_clients SET doc = ? WHERE client_id = ? AND pool_id = ?")
                .bind(json(c))
                .bind(c.client_id.as_deref().unwrap_or_default())
                .bind(c.user_pool_id.as_deref().unwrap_or_default())
                .execute(&self.db)
                .await?;
        Ok(r.rows_affected() == 1)
    }

    pub async fn delete_client(&self, pool_id: &str, client_id: &str) -> Result<bool, sqlx::Error> {
        let r = sqlx::query("DELETE FROM user_pool_clients WHERE client_id = ? AND pool_id = ?")
            .bind(client_id)
            .bind(pool_id)
            .execute(&self.db)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    pub async fn list_clients(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<UserPoolClientType>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT doc FROM user_pool_clients WHERE pool_id = ?1
               AND (?2 IS NULL OR (created_at, client_id) > (SELECT created_at, client_id FROM user_pool_clients WHERE client_id = ?2))
             ORDER BY created_at, client_id LIMIT ?3",
        )
        .bind(pool_id)
        .bind(after)
        .bind(limit)
        .fetch_all(&self.db)
        .await?;
        rows.into_iter()
            .map(|r| parse(r.get::<String, _>("doc")))
            .collect()
    }
}
