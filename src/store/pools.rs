//! User pools and their signing keys.

use super::docs::{fetch_docs, json, DocTable};
use super::Store;
use crate::crypto::jwt::SigningKey;
use crate::model::shapes::{GetUserPoolMfaConfigResponse, UserPoolType};
use sqlx::Row;
use std::sync::Arc;

const USER_POOLS: DocTable = DocTable::new("user_pools", &["id"]);

impl Store {
    pub async fn insert_pool(
        &self,
        pool: &UserPoolType,
        mfa: &GetUserPoolMfaConfigResponse,
        keys: &[SigningKey],
        created_at: f64,
    ) -> Result<(), sqlx::Error> {
        let id = pool.id.clone().unwrap_or_default();
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "INSERT INTO user_pools (id, name, doc, mfa, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(pool.name.as_deref().unwrap_or_default())
        .bind(json(pool))
        .bind(json(mfa))
        .bind(created_at)
        .execute(&mut *tx)
        .await?;
        for k in keys {
            sqlx::query(
                "INSERT INTO signing_keys (kid, pool_id, token_use, private_key_der, n, e) VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(&k.kid)
            .bind(&id)
            .bind(&k.token_use)
            .bind(&k.private_key_der)
            .bind(&k.n)
            .bind(&k.e)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }

    /// The pool's document, from memory after the first read (see `config_cache`).
    pub async fn get_pool(&self, id: &str) -> Result<Option<Arc<UserPoolType>>, sqlx::Error> {
        self.config.pool(id, USER_POOLS.get(&self.db, &[id])).await
    }

    pub async fn pool_exists(&self, id: &str) -> Result<bool, sqlx::Error> {
        Ok(sqlx::query("SELECT 1 FROM user_pools WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.db)
            .await?
            .is_some())
    }

    pub async fn update_pool(&self, pool: &UserPoolType) -> Result<bool, sqlx::Error> {
        self.changing(USER_POOLS.update(
            &self.db,
            json(pool),
            &[("name", pool.name.as_deref().unwrap_or_default())],
            &[pool.id.as_deref().unwrap_or_default()],
        ))
        .await
    }

    pub async fn get_pool_mfa(
        &self,
        id: &str,
    ) -> Result<Option<GetUserPoolMfaConfigResponse>, sqlx::Error> {
        USER_POOLS.get_column(&self.db, "mfa", &[id]).await
    }

    /// Writes the MFA configuration and the pool's `MfaConfiguration` member together.
    pub async fn set_pool_mfa(
        &self,
        pool: &UserPoolType,
        mfa: &GetUserPoolMfaConfigResponse,
    ) -> Result<(), sqlx::Error> {
        self.changing(USER_POOLS.update(
            &self.db,
            json(pool),
            &[
                ("name", pool.name.as_deref().unwrap_or_default()),
                ("mfa", &json(mfa)),
            ],
            &[pool.id.as_deref().unwrap_or_default()],
        ))
        .await?;
        Ok(())
    }

    pub async fn delete_pool(&self, id: &str) -> Result<bool, sqlx::Error> {
        // Its clients go with it (ON DELETE CASCADE).
        self.changing(USER_POOLS.delete(&self.db, &[id])).await
    }

    /// Pools ordered by creation, `limit` of them after the pool whose id is `after`.
    pub async fn list_pools(
        &self,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<UserPoolType>, sqlx::Error> {
        let page = sqlx::query(
            "SELECT doc FROM user_pools
             WHERE ?1 IS NULL OR (created_at, id) > (SELECT created_at, id FROM user_pools WHERE id = ?1)
             ORDER BY created_at, id LIMIT ?2",
        )
        .bind(after)
        .bind(limit);
        fetch_docs(&self.db, page).await
    }

    pub async fn signing_keys(&self, pool_id: &str) -> Result<Vec<SigningKey>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT kid, token_use, private_key_der, n, e FROM signing_keys WHERE pool_id = ? ORDER BY token_use DESC",
        )
        .bind(pool_id)
        .fetch_all(&self.db)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| SigningKey {
                kid: r.get("kid"),
                token_use: r.get("token_use"),
                private_key_der: r.get("private_key_der"),
                n: r.get("n"),
                e: r.get("e"),
            })
            .collect())
    }

    pub async fn count_users(&self, pool_id: &str) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE pool_id = ?")
            .bind(pool_id)
            .fetch_one(&self.db)
            .await
    }
}

impl Store {
    /// Adds a pool's keys; a concurrent creator that got there first wins.
    pub async fn insert_signing_keys(
        &self,
        pool_id: &str,
        keys: &[SigningKey],
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.db.begin().await?;
        for k in keys {
            sqlx::query(
                "INSERT INTO signing_keys (kid, pool_id, token_use, private_key_der, n, e)
                 SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS
                   (SELECT 1 FROM signing_keys WHERE pool_id = ? AND token_use = ?)",
            )
            .bind(&k.kid)
            .bind(pool_id)
            .bind(&k.token_use)
            .bind(&k.private_key_der)
            .bind(&k.n)
            .bind(&k.e)
            .bind(pool_id)
            .bind(&k.token_use)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }
}
