//! What a pool's hosted pages are made of: its domain, UI customizations, log delivery
//! configuration, managed login brandings and terms documents. Each is stored as the JSON of the
//! shape the API returns, with the columns lookups and constraints need.

use super::pools::{json, parse};
use super::Store;
use crate::model::shapes::{
    DomainDescriptionType, LogDeliveryConfigurationType, ManagedLoginBrandingType, TermsType,
    UICustomizationType,
};
use sqlx::Row;

impl Store {
    // -- domains ----------------------------------------------------------------------------

    /// A UNIQUE violation means the domain, or a domain of this pool, exists already.
    pub async fn insert_domain(
        &self,
        d: &DomainDescriptionType,
        created_at: f64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO user_pool_domains (domain, pool_id, doc, created_at) VALUES (?, ?, ?, ?)",
        )
        .bind(d.domain.as_deref().unwrap_or_default())
        .bind(d.user_pool_id.as_deref().unwrap_or_default())
        .bind(json(d))
        .bind(created_at)
        .execute(&self.db)
        .await?;
        Ok(())
    }

    pub async fn get_domain(
        &self,
        domain: &str,
    ) -> Result<Option<DomainDescriptionType>, sqlx::Error> {
        let row = sqlx::query("SELECT doc FROM user_pool_domains WHERE domain = ?")
            .bind(domain)
            .fetch_optional(&self.db)
            .await?;
        row.map(|r| parse(r.get::<String, _>("doc"))).transpose()
    }

    pub async fn get_pool_domain(
        &self,
        pool_id: &str,
    ) -> Result<Option<DomainDescriptionType>, sqlx::Error> {
        let row = sqlx::query("SELECT doc FROM user_pool_domains WHERE pool_id = ?")
            .bind(pool_id)
            .fetch_optional(&self.db)
            .await?;
        row.map(|r| parse(r.get::<String, _>("doc"))).transpose()
    }

    pub async fn update_domain(&self, d: &DomainDescriptionType) -> Result<bool, sqlx::Error> {
        let r =
            sqlx::query("UPDATE user_pool_domains SET doc = ? WHERE domain = ? AND pool_id = ?")
                .bind(json(d))
                .bind(d.domain.as_deref().unwrap_or_default())
                .bind(d.user_pool_id.as_deref().unwrap_or_default())
                .execute(&self.db)
                .await?;
        Ok(r.rows_affected() == 1)
    }

    pub async fn delete_domain(&self, pool_id: &str, domain: &str) -> Result<bool, sqlx::Error> {
        let r = sqlx::query("DELETE FROM user_pool_domains WHERE domain = ? AND pool_id = ?")
            .bind(domain)
            .bind(pool_id)
            .execute(&self.db)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    // -- UI customization -------------------------------------------------------------------

    /// `client_id` "ALL" is the pool-wide customization.
    pub async fn put_ui_customization(
        &self,
        pool_id: &str,
        client_id: &str,
        c: &UICustomizationType,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO ui_customizations (pool_id, client_id, doc) VALUES (?, ?, ?)
             ON CONFLICT (pool_id, client_id) DO UPDATE SET doc = excluded.doc",
        )
        .bind(pool_id)
        .bind(client_id)
        .bind(json(c))
        .execute(&self.db)
        .await?;
        Ok(())
    }

    pub async fn get_ui_customization(
        &self,
        pool_id: &str,
        client_id: &str,
    ) -> Result<Option<UICustomizationType>, sqlx::Error> {
        let row =
            sqlx::query("SELECT doc FROM ui_customizations WHERE pool_id = ? AND client_id = ?")
                .bind(pool_id)
                .bind(client_id)
                .fetch_optional(&self.db)
                .await?;
        row.map(|r| parse(r.get::<String, _>("doc"))).transpose()
    }

    // -- log delivery -----------------------------------------------------------------------

    pub async fn put_log_delivery(
        &self,
        c: &LogDeliveryConfigurationType,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO log_delivery_configurations (pool_id, doc) VALUES (?, ?)
             ON CONFLICT (pool_id) DO UPDATE SET doc = excluded.doc",
        )
        .bind(c.user_pool_id.as_deref().unwrap_or_default())
        .bind(json(c))
        .execute(&self.db)
        .await?;
        Ok(())
    }

    pub async fn get_log_delivery(
        &self,
        pool_id: &str,
    ) -> Result<Option<LogDeliveryConfigurationType>, sqlx::Error> {
        let row = sqlx::query("SELECT doc FROM log_delivery_configurations WHERE pool_id = ?")
            .bind(pool_id)
            .fetch_optional(&self.db)
            .await?;
        row.map(|r| parse(r.get::<String, _>("doc"))).transpose()
    }

    // -- managed login branding -------------------------------------------------------------

    /// A UNIQUE violation means the client has a branding already.
    pub async fn insert_branding(
        &self,
        client_id: &str,
        b: &ManagedLoginBrandingType,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO managed_login_brandings (branding_id, pool_id, client_id, doc)
             VALUES (?, ?, ?, ?)",
        )
        .bind(b.managed_login_branding_id.as_deref().unwrap_or_default())
        .bind(b.user_pool_id.as_deref().unwrap_or_default())
        .bind(client_id)
        .bind(json(b))
        .execute(&self.db)
        .await?;
        Ok(())
    }

    pub async fn get_branding(
        &self,
        pool_id: &str,
        branding_id: &str,
    ) -> Result<Option<ManagedLoginBrandingType>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT doc FROM managed_login_brandings WHERE pool_id = ? AND branding_id = ?",
        )
        .bind(pool_id)
        .bind(branding_id)
        .fetch_optional(&self.db)
        .await?;
        row.map(|r| parse(r.get::<String, _>("doc"))).transpose()
    }

    pub async fn get_branding_by_client(
        &self,
        pool_id: &str,
        client_id: &str,
    ) -> Result<Option<ManagedLoginBrandingType>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT doc FROM managed_login_brandings WHERE pool_id = ? AND client_id = ?",
        )
        .bind(pool_id)
        .bind(client_id)
        .fetch_optional(&self.db)
        .await?;
        row.map(|r| parse(r.get::<String, _>("doc"))).transpose()
    }

    pub async fn update_branding(&self, b: &ManagedLoginBrandingType) -> Result<bool, sqlx::Error> {
        let r = sqlx::query(
            "UPDATE managed_login_brandings SET doc = ? WHERE pool_id = ? AND branding_id = ?",
        )
        .bind(json(b))
        .bind(b.user_pool_id.as_deref().unwrap_or_default())
        .bind(b.managed_login_branding_id.as_deref().unwrap_or_default())
        .execute(&self.db)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    pub async fn delete_branding(
        &self,
        pool_id: &str,
        branding_id: &str,
    ) -> Result<bool, sqlx::Error> {
        let r = sqlx::query(
            "DELETE FROM managed_login_brandings WHERE pool_id = ? AND branding_id = ?",
        )
        .bind(pool_id)
        .bind(branding_id)
        .execute(&self.db)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    // -- terms ------------------------------------------------------------------------------

    /// A UNIQUE violation means the client has terms of that name already.
    pub async fn insert_terms(&self, t: &TermsType) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO terms (terms_id, pool_id, client_id, terms_name, doc, created_at)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(t.terms_id.as_deref().unwrap_or_default())
        .bind(t.user_pool_id.as_deref().unwrap_or_default())
        .bind(t.client_id.as_deref().unwrap_or_default())
        .bind(t.terms_name.as_deref().unwrap_or_default())
        .bind(json(t))
        .bind(t.creation_date.unwrap_or_default())
        .execute(&self.db)
        .await?;
        Ok(())
    }

    pub async fn get_terms(
        &self,
        pool_id: &str,
        terms_id: &str,
    ) -> Result<Option<TermsType>, sqlx::Error> {
        let row = sqlx::query("SELECT doc FROM terms WHERE pool_id = ? AND terms_id = ?")
            .bind(pool_id)
            .bind(terms_id)
            .fetch_optional(&self.db)
            .await?;
        row.map(|r| parse(r.get::<String, _>("doc"))).transpose()
    }

    /// A UNIQUE violation means the new name is taken for the client.
    pub async fn update_terms(&self, t: &TermsType) -> Result<bool, sqlx::Error> {
        let r = sqlx::query(
            "UPDATE terms SET doc = ?, terms_name = ? WHERE pool_id = ? AND terms_id = ?",
        )
        .bind(json(t))
        .bind(t.terms_name.as_deref().unwrap_or_default())
        .bind(t.user_pool_id.as_deref().unwrap_or_default())
        .bind(t.terms_id.as_deref().unwrap_or_default())
        .execute(&self.db)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    pub async fn delete_terms(&self, pool_id: &str, terms_id: &str) -> Result<bool, sqlx::Error> {
        let r = sqlx::query("DELETE FROM terms WHERE pool_id = ? AND terms_id = ?")
            .bind(pool_id)
            .bind(terms_id)
            .execute(&self.db)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    /// A pool's terms in creation order, `limit` of them after the terms `after`.
    pub async fn list_terms(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<TermsType>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT doc FROM terms WHERE pool_id = ?1
               AND (?2 IS NULL OR (created_at, terms_id) >
                    (SELECT created_at, terms_id FROM terms WHERE pool_id = ?1 AND terms_id = ?2))
             ORDER BY created_at, terms_id LIMIT ?3",
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
