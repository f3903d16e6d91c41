//! Identity providers of a pool, their IdpIdentifiers, and the external identities linked to pool
//! users (AdminLinkProviderForUser).

use super::docs::{fetch_doc, fetch_docs, json, DocTable};
use super::readers::sqlite;
use super::Store;
use crate::domain::records::ProviderLink;
use crate::model::shapes::IdentityProviderType;

const PROVIDERS: DocTable = DocTable::new("identity_providers", &["pool_id", "provider_name"]);

impl Store {
    /// Inserts a provider and its identifiers in one transaction. A UNIQUE violation means the
    /// name or one of the identifiers is taken.
    pub async fn insert_identity_provider(
        &self,
        p: &IdentityProviderType,
        created_at: f64,
    ) -> Result<(), sqlx::Error> {
        let pool_id = p.user_pool_id.as_deref().unwrap_or_default();
        let name = p.provider_name.as_deref().unwrap_or_default();
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "INSERT INTO identity_providers (pool_id, provider_name, doc, created_at)
             VALUES (?, ?, ?, ?)",
        )
        .bind(pool_id)
        .bind(name)
        .bind(json(p))
        .bind(created_at)
        .execute(&mut *tx)
        .await?;
        for id in p.idp_identifiers.iter().flatten() {
            sqlx::query(
                "INSERT INTO identity_provider_identifiers (pool_id, idp_identifier, provider_name)
                 VALUES (?, ?, ?)",
            )
            .bind(pool_id)
            .bind(id)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }

    /// Replaces a provider's document and identifiers; false if it does not exist.
    pub async fn update_identity_provider(
        &self,
        p: &IdentityProviderType,
    ) -> Result<bool, sqlx::Error> {
        let pool_id = p.user_pool_id.as_deref().unwrap_or_default();
        let name = p.provider_name.as_deref().unwrap_or_default();
        let mut tx = self.db.begin().await?;
        if !PROVIDERS
            .update(&mut *tx, json(p), &[], &[pool_id, name])
            .await?
        {
            return Ok(false);
        }
        sqlx::query(
            "DELETE FROM identity_provider_identifiers WHERE pool_id = ? AND provider_name = ?",
        )
        .bind(pool_id)
        .bind(name)
        .execute(&mut *tx)
        .await?;
        for id in p.idp_identifiers.iter().flatten() {
            sqlx::query(
                "INSERT INTO identity_provider_identifiers (pool_id, idp_identifier, provider_name)
                 VALUES (?, ?, ?)",
            )
            .bind(pool_id)
            .bind(id)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    pub async fn get_identity_provider(
        &self,
        pool_id: &str,
        name: &str,
    ) -> Result<Option<IdentityProviderType>, sqlx::Error> {
        PROVIDERS.get(&self.db, &[pool_id, name]).await
    }

    /// The provider holding `identifier` in the pool, if any.
    pub async fn get_identity_provider_by_identifier(
        &self,
        pool_id: &str,
        identifier: &str,
    ) -> Result<Option<IdentityProviderType>, sqlx::Error> {
        let found = sqlx::query(
            "SELECT p.doc FROM identity_providers p
             JOIN identity_provider_identifiers i
               ON i.pool_id = p.pool_id AND i.provider_name = p.provider_name
             WHERE i.pool_id = ? AND i.idp_identifier = ?",
        )
        .bind(pool_id)
        .bind(identifier);
        fetch_doc(&self.db, found).await
    }

    /// Deletes a provider with its identifiers and the identities linked through it.
    pub async fn delete_identity_provider(
        &self,
        pool_id: &str,
        name: &str,
    ) -> Result<bool, sqlx::Error> {
        let mut tx = self.db.begin().await?;
        let deleted = PROVIDERS.delete(&mut *tx, &[pool_id, name]).await?;
        sqlx::query("DELETE FROM provider_links WHERE pool_id = ? AND provider_name = ?")
            .bind(pool_id)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(deleted)
    }

    /// Providers of a pool by name, `limit` of them after the name `after`.
    pub async fn list_identity_providers(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<IdentityProviderType>, sqlx::Error> {
        let page = sqlx::query(
            "SELECT doc FROM identity_providers
             WHERE pool_id = ?1 AND (?2 IS NULL OR provider_name > ?2)
             ORDER BY provider_name LIMIT ?3",
        )
        .bind(pool_id)
        .bind(after)
        .bind(limit);
        fetch_docs(&self.db, page).await
    }

    /// Records a link; a UNIQUE violation means that external identity is linked already.
    pub async fn insert_provider_link(
        &self,
        pool_id: &str,
        link: &ProviderLink,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO provider_links (pool_id, provider_name, provider_user_id, sub, created_at)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(pool_id)
        .bind(&link.provider_name)
        .bind(&link.provider_user_id)
        .bind(&link.sub)
        .bind(link.created_at)
        .execute(&self.db)
        .await?;
        Ok(())
    }

    pub async fn get_provider_link(
        &self,
        pool_id: &str,
        provider_name: &str,
        provider_user_id: &str,
    ) -> Result<Option<ProviderLink>, sqlx::Error> {
        let sql = "SELECT provider_name, provider_user_id, sub, created_at FROM provider_links
             WHERE pool_id = ?1 AND provider_name = ?2 AND provider_user_id = ?3";
        let params = (pool_id, provider_name, provider_user_id);
        Ok(self
            .readers
            .rows(sql, params, link_from_row)?
            .into_iter()
            .next())
    }

    pub async fn delete_provider_link(
        &self,
        pool_id: &str,
        provider_name: &str,
        provider_user_id: &str,
    ) -> Result<bool, sqlx::Error> {
        let r = sqlx::query(
            "DELETE FROM provider_links
             WHERE pool_id = ? AND provider_name = ? AND provider_user_id = ?",
        )
        .bind(pool_id)
        .bind(provider_name)
        .bind(provider_user_id)
        .execute(&self.db)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// A user's linked identities with their providers' ProviderType (the provider's name when
    /// the provider is gone), oldest first.
    pub async fn provider_links_with_types(
        &self,
        pool_id: &str,
        sub: &str,
    ) -> Result<Vec<(ProviderLink, String)>, sqlx::Error> {
        let sql = "SELECT l.provider_name, l.provider_user_id, l.sub, l.created_at,
                    COALESCE(json_extract(p.doc, '$.ProviderType'), l.provider_name) AS provider_type
             FROM provider_links l
             LEFT JOIN identity_providers p
               ON p.pool_id = l.pool_id AND p.provider_name = l.provider_name
             WHERE l.pool_id = ?1 AND l.sub = ?2 ORDER BY l.created_at, l.provider_name";
        self.readers.rows(sql, (pool_id, sub), |r| {
            Ok((link_from_row(r)?, r.get(4).map_err(sqlite)?))
        })
    }

    /// A user's linked identities, oldest first.
    pub async fn provider_links_for_user(
        &self,
        pool_id: &str,
        sub: &str,
    ) -> Result<Vec<ProviderLink>, sqlx::Error> {
        let sql = "SELECT provider_name, provider_user_id, sub, created_at FROM provider_links
             WHERE pool_id = ?1 AND sub = ?2 ORDER BY created_at, provider_name";
        self.readers.rows(sql, (pool_id, sub), link_from_row)
    }
}

/// A link row by position: provider_name, provider_user_id, sub, created_at. Link reads run
/// on the caller's thread (`readers`): every sign-in reads them for the `identities` claim.
fn link_from_row(r: &rusqlite::Row) -> Result<ProviderLink, sqlx::Error> {
    Ok(ProviderLink {
        provider_name: r.get(0).map_err(sqlite)?,
        provider_user_id: r.get(1).map_err(sqlite)?,
        sub: r.get(2).map_err(sqlite)?,
        created_at: r.get(3).map_err(sqlite)?,
    })
}
