//! Pool configuration beside the pool document: tags and custom attributes (members of the pool
//! document, written member by member so a concurrent write of another member is not lost),
//! resource servers, client secrets and risk configurations (`migrations/0006_pool_config.sql`).

use super::docs::{json, DocTable};
use super::Store;
use crate::domain::records::ClientSecretRecord;
use crate::model::shapes::{ResourceServerType, RiskConfigurationType, SchemaAttributeType};
use sqlx::Row;
use std::collections::BTreeMap;

const RESOURCE_SERVERS: DocTable = DocTable::new("resource_servers", &["pool_id", "identifier"]);
/// One per pool and client; the pool's own has no client (`NULL`), named here by `''`.
const RISK_CONFIGURATIONS: DocTable = DocTable::new(
    "risk_configurations",
    &["pool_id", "COALESCE(client_id, '')"],
);

impl Store {
    /// Replaces the pool's `UserPoolTags` (none: the member goes); false when there is no pool.
    pub async fn set_pool_tags(
        &self,
        pool_id: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<bool, sqlx::Error> {
        let write = async {
            if tags.is_empty() {
                sqlx::query(
                    "UPDATE user_pools SET doc = json_remove(doc, '$.UserPoolTags') WHERE id = ?",
                )
                .bind(pool_id)
                .execute(&self.db)
                .await
            } else {
                sqlx::query(
                "UPDATE user_pools SET doc = json_set(doc, '$.UserPoolTags', json(?)) WHERE id = ?",
            )
            .bind(json(tags))
            .bind(pool_id)
            .execute(&self.db)
            .await
            }
        };
        Ok(self.changing(write).await?.rows_affected() == 1)
    }

    /// Replaces the pool's `SchemaAttributes` and `LastModifiedDate`.
    pub async fn set_pool_schema(
        &self,
        pool_id: &str,
        schema: &[SchemaAttributeType],
        modified_at: f64,
    ) -> Result<bool, sqlx::Error> {
        let write = sqlx::query(
            "UPDATE user_pools SET doc = json_set(doc, '$.SchemaAttributes', json(?), '$.LastModifiedDate', ?)
             WHERE id = ?",
        )
        .bind(json(&schema))
        .bind(modified_at)
        .bind(pool_id)
        .execute(&self.db);
        Ok(self.changing(write).await?.rows_affected() == 1)
    }

    /// Whether a user import job of the pool is running (the schema must not change under it).
    pub async fn import_in_progress(&self, pool_id: &str) -> Result<bool, sqlx::Error> {
        Ok(sqlx::query(
            "SELECT 1 FROM user_import_jobs WHERE pool_id = ?
               AND status IN ('Pending', 'InProgress', 'Stopping') LIMIT 1",
        )
        .bind(pool_id)
        .fetch_optional(&self.db)
        .await?
        .is_some())
    }

    /// False when the pool already has a resource server with this identifier.
    pub async fn insert_resource_server(
        &self,
        rs: &ResourceServerType,
        created_at: f64,
    ) -> Result<bool, sqlx::Error> {
        let r = sqlx::query(
            "INSERT INTO resource_servers (pool_id, identifier, doc, created_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (pool_id, identifier) DO NOTHING",
        )
        .bind(rs.user_pool_id.as_deref().unwrap_or_default())
        .bind(rs.identifier.as_deref().unwrap_or_default())
        .bind(json(rs))
        .bind(created_at)
        .execute(&self.db)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    pub async fn get_resource_server(
        &self,
        pool_id: &str,
        identifier: &str,
    ) -> Result<Option<ResourceServerType>, sqlx::Error> {
        RESOURCE_SERVERS.get(&self.db, &[pool_id, identifier]).await
    }

    pub async fn update_resource_server(
        &self,
        rs: &ResourceServerType,
    ) -> Result<bool, sqlx::Error> {
        let key = [
            rs.user_pool_id.as_deref().unwrap_or_default(),
            rs.identifier.as_deref().unwrap_or_default(),
        ];
        RESOURCE_SERVERS.update(&self.db, json(rs), &[], &key).await
    }

    pub async fn delete_resource_server(
        &self,
        pool_id: &str,
        identifier: &str,
    ) -> Result<bool, sqlx::Error> {
        RESOURCE_SERVERS
            .delete(&self.db, &[pool_id, identifier])
            .await
    }

    pub async fn count_resource_servers(&self, pool_id: &str) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM resource_servers WHERE pool_id = ?")
            .bind(pool_id)
            .fetch_one(&self.db)
            .await
    }

    /// Resource servers by creation, `limit` of them after the one whose identifier is `after`.
    pub async fn list_resource_servers(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<ResourceServerType>, sqlx::Error> {
        RESOURCE_SERVERS
            .list_in_creation_order(&self.db, pool_id, after, limit)
            .await
    }

    /// The client's recorded secrets, oldest first (none until it is first rotated).
    pub async fn client_secrets(
        &self,
        client_id: &str,
    ) -> Result<Vec<ClientSecretRecord>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT secret_id, secret_value, created_at FROM client_secrets WHERE client_id = ?
             ORDER BY created_at, secret_id",
        )
        .bind(client_id)
        .fetch_all(&self.db)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| ClientSecretRecord {
                secret_id: r.get("secret_id"),
                value: r.get("secret_value"),
                created_at: r.get("created_at"),
            })
            .collect())
    }

    /// Makes `secrets` (oldest first) the client's secrets, and its document's `ClientSecret` the
    /// space-joined values, in one transaction. False when the client is gone.
    pub async fn set_client_secrets(
        &self,
        client_id: &str,
        secrets: &[ClientSecretRecord],
    ) -> Result<bool, sqlx::Error> {
        self.changing(self.write_client_secrets(client_id, secrets))
            .await
    }

    async fn write_client_secrets(
        &self,
        client_id: &str,
        secrets: &[ClientSecretRecord],
    ) -> Result<bool, sqlx::Error> {
        let mut tx = self.db.begin().await?;
        let joined = secrets
            .iter()
            .map(|s| s.value.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let r = sqlx::query(
            "UPDATE user_pool_clients SET doc = json_set(doc, '$.ClientSecret', ?) WHERE client_id = ?",
        )
        .bind(joined)
        .bind(client_id)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM client_secrets WHERE client_id = ?")
            .bind(client_id)
            .execute(&mut *tx)
            .await?;
        for s in secrets {
            sqlx::query(
                "INSERT INTO client_secrets (client_id, secret_id, secret_value, created_at) VALUES (?, ?, ?, ?)",
            )
            .bind(client_id)
            .bind(&s.secret_id)
            .bind(&s.value)
            .bind(s.created_at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// The pool's (`client_id` None) or a client's own risk configuration.
    pub async fn get_risk_configuration(
        &self,
        pool_id: &str,
        client_id: Option<&str>,
    ) -> Result<Option<RiskConfigurationType>, sqlx::Error> {
        RISK_CONFIGURATIONS
            .get(&self.db, &[pool_id, client_id.unwrap_or_default()])
            .await
    }

    pub async fn put_risk_configuration(
        &self,
        rc: &RiskConfigurationType,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.db.begin().await?;
        let pool_id = rc.user_pool_id.as_deref().unwrap_or_default();
        let key = [pool_id, rc.client_id.as_deref().unwrap_or_default()];
        RISK_CONFIGURATIONS.delete(&mut *tx, &key).await?;
        sqlx::query("INSERT INTO risk_configurations (pool_id, client_id, doc) VALUES (?, ?, ?)")
            .bind(pool_id)
            .bind(rc.client_id.as_deref())
            .bind(json(rc))
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }

    /// Removes a client's own configuration (it inherits the pool's again).
    pub async fn delete_risk_configuration(
        &self,
        pool_id: &str,
        client_id: &str,
    ) -> Result<(), sqlx::Error> {
        // `client_id = ?`, not the key's COALESCE: never the pool's own configuration.
        RISK_CONFIGURATIONS
            .delete_by(&self.db, &["pool_id", "client_id"], &[pool_id, client_id])
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_running_import_jobs_hold_the_schema() {
        let store = Store::open(":memory:").await.expect("store");
        sqlx::query(
            "INSERT INTO user_pools (id, name, doc, created_at) VALUES ('p_1', 'p', '{}', 0)",
        )
        .execute(&store.db)
        .await
        .expect("pool");
        let job = |status: &'static str| {
            sqlx::query(
                "INSERT INTO user_import_jobs (job_id, pool_id, job_name, role_arn, status, created_at)
                 VALUES (?, 'p_1', 'j', 'arn', ?, 0)",
            )
            .bind(format!("import-{status}"))
            .bind(status)
        };
        for status in ["Created", "Succeeded", "Stopped"] {
            job(status).execute(&store.db).await.expect("job");
        }
        assert!(!store.import_in_progress("p_1").await.expect("query"));
        job("InProgress").execute(&store.db).await.expect("job");
        assert!(store.import_in_progress("p_1").await.expect("query"));
        assert!(!store.import_in_progress("p_2").await.expect("query"));
    }
}
