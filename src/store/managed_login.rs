//! What a pool's hosted pages are made of: its domain, UI customizations, log delivery
//! configuration, managed login brandings and terms documents. Each is stored as the JSON of the
//! shape the API returns, with the columns lookups and constraints need.

use super::docs::{json, DocTable};
use super::Store;
use crate::model::shapes::{
    DomainDescriptionType, LogDeliveryConfigurationType, ManagedLoginBrandingType, TermsType,
    UICustomizationType,
};

const DOMAINS: DocTable = DocTable::new("user_pool_domains", &["pool_id", "domain"]);
const UI_CUSTOMIZATIONS: DocTable = DocTable::new("ui_customizations", &["pool_id", "client_id"]);
const LOG_DELIVERY: DocTable = DocTable::new("log_delivery_configurations", &["pool_id"]);
/// Keyed by pool and branding; (pool, client) is unique too.
const BRANDINGS: DocTable = DocTable::new("managed_login_brandings", &["pool_id", "branding_id"]);
const TERMS: DocTable = DocTable::new("terms", &["pool_id", "terms_id"]);

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
        DOMAINS.get_by(&self.db, &["domain"], &[domain]).await
    }

    pub async fn get_pool_domain(
        &self,
        pool_id: &str,
    ) -> Result<Option<DomainDescriptionType>, sqlx::Error> {
        DOMAINS.get_by(&self.db, &["pool_id"], &[pool_id]).await
    }

    pub async fn update_domain(&self, d: &DomainDescriptionType) -> Result<bool, sqlx::Error> {
        let key = [
            d.user_pool_id.as_deref().unwrap_or_default(),
            d.domain.as_deref().unwrap_or_default(),
        ];
        DOMAINS.update(&self.db, json(d), &[], &key).await
    }

    pub async fn delete_domain(&self, pool_id: &str, domain: &str) -> Result<bool, sqlx::Error> {
        DOMAINS.delete(&self.db, &[pool_id, domain]).await
    }

    // -- UI customization -------------------------------------------------------------------

    /// `client_id` "ALL" is the pool-wide customization.
    pub async fn put_ui_customization(
        &self,
        pool_id: &str,
        client_id: &str,
        c: &UICustomizationType,
    ) -> Result<(), sqlx::Error> {
        UI_CUSTOMIZATIONS
            .put(&self.db, &[pool_id, client_id], json(c))
            .await
    }

    pub async fn get_ui_customization(
        &self,
        pool_id: &str,
        client_id: &str,
    ) -> Result<Option<UICustomizationType>, sqlx::Error> {
        UI_CUSTOMIZATIONS.get(&self.db, &[pool_id, client_id]).await
    }

    // -- log delivery -----------------------------------------------------------------------

    pub async fn put_log_delivery(
        &self,
        c: &LogDeliveryConfigurationType,
    ) -> Result<(), sqlx::Error> {
        let key = [c.user_pool_id.as_deref().unwrap_or_default()];
        LOG_DELIVERY.put(&self.db, &key, json(c)).await
    }

    pub async fn get_log_delivery(
        &self,
        pool_id: &str,
    ) -> Result<Option<LogDeliveryConfigurationType>, sqlx::Error> {
        LOG_DELIVERY.get(&self.db, &[pool_id]).await
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
        BRANDINGS.get(&self.db, &[pool_id, branding_id]).await
    }

    pub async fn get_branding_by_client(
        &self,
        pool_id: &str,
        client_id: &str,
    ) -> Result<Option<ManagedLoginBrandingType>, sqlx::Error> {
        BRANDINGS
            .get_by(&self.db, &["pool_id", "client_id"], &[pool_id, client_id])
            .await
    }

    pub async fn update_branding(&self, b: &ManagedLoginBrandingType) -> Result<bool, sqlx::Error> {
        let key = [
            b.user_pool_id.as_deref().unwrap_or_default(),
            b.managed_login_branding_id.as_deref().unwrap_or_default(),
        ];
        BRANDINGS.update(&self.db, json(b), &[], &key).await
    }

    pub async fn delete_branding(
        &self,
        pool_id: &str,
        branding_id: &str,
    ) -> Result<bool, sqlx::Error> {
        BRANDINGS.delete(&self.db, &[pool_id, branding_id]).await
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
        TERMS.get(&self.db, &[pool_id, terms_id]).await
    }

    /// A UNIQUE violation means the new name is taken for the client.
    pub async fn update_terms(&self, t: &TermsType) -> Result<bool, sqlx::Error> {
        let key = [
            t.user_pool_id.as_deref().unwrap_or_default(),
            t.terms_id.as_deref().unwrap_or_default(),
        ];
        let name = ("terms_name", t.terms_name.as_deref().unwrap_or_default());
        TERMS.update(&self.db, json(t), &[name], &key).await
    }

    pub async fn delete_terms(&self, pool_id: &str, terms_id: &str) -> Result<bool, sqlx::Error> {
        TERMS.delete(&self.db, &[pool_id, terms_id]).await
    }

    /// A pool's terms in creation order, `limit` of them after the terms `after`.
    pub async fn list_terms(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<TermsType>, sqlx::Error> {
        TERMS
            .list_in_creation_order(&self.db, pool_id, after, limit)
            .await
    }
}
