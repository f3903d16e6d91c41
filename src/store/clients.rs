//! App clients.

use super::docs::{fetch_docs, json, DocTable};
use super::Store;
use crate::model::shapes::UserPoolClientType;
use std::sync::Arc;

/// Keyed by pool and client, so a client is only changed through its own pool; `client_id`
/// alone is the primary key.
const CLIENTS: DocTable = DocTable::new("user_pool_clients", &["pool_id", "client_id"]);

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

    /// The client's document, from memory after the first read (see `config_cache`).
    pub async fn get_client(
        &self,
        client_id: &str,
    ) -> Result<Option<Arc<UserPoolClientType>>, sqlx::Error> {
        self.config
            .client(
                client_id,
                CLIENTS.get_by(&self.db, &["client_id"], &[client_id]),
            )
            .await
    }

    pub async fn update_client(&self, c: &UserPoolClientType) -> Result<bool, sqlx::Error> {
        let key = [
            c.user_pool_id.as_deref().unwrap_or_default(),
            c.client_id.as_deref().unwrap_or_default(),
        ];
        self.changing(CLIENTS.update(&self.db, json(c), &[], &key))
            .await
    }

    pub async fn delete_client(&self, pool_id: &str, client_id: &str) -> Result<bool, sqlx::Error> {
        self.changing(CLIENTS.delete(&self.db, &[pool_id, client_id]))
            .await
    }

    pub async fn list_clients(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<UserPoolClientType>, sqlx::Error> {
        let page = sqlx::query(
            "SELECT doc FROM user_pool_clients WHERE pool_id = ?1
               AND (?2 IS NULL OR (created_at, client_id) > (SELECT created_at, client_id FROM user_pool_clients WHERE client_id = ?2))
             ORDER BY created_at, client_id LIMIT ?3",
        )
        .bind(pool_id)
        .bind(after)
        .bind(limit);
        fetch_docs(&self.db, page).await
    }
}
