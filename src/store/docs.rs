//! Document tables: rows that hold the JSON of an API shape in a `doc` column, beside the key
//! columns that lookups and constraints need (user pools, app clients, domains, UI
//! customizations, log delivery, brandings, terms, identity providers, resource servers, risk
//! configurations). One [`DocTable`] per table names it and its key; reading, rewriting and
//! deleting a document by key go through its methods, so every table reads and decodes its
//! documents the same way.
//!
//! Table and column names are formatted into the SQL text. That is safe: they are
//! `&'static str` constants written in this crate (a [`DocTable`] const, or a column list at the
//! call site), never anything a request supplies. Every value goes through a bind.

use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::query::Query;
use sqlx::sqlite::{Sqlite, SqliteArguments, SqlitePool, SqliteRow};
use sqlx::{Executor, Row};

/// A table whose rows are documents, and the columns that name one row.
pub(crate) struct DocTable {
    table: &'static str,
    /// ANDed as `column = ?` in the order the values are passed. An entry may be a fixed SQL
    /// expression of the row, e.g. `COALESCE(client_id, '')`.
    key: &'static [&'static str],
}

impl DocTable {
    pub(crate) const fn new(table: &'static str, key: &'static [&'static str]) -> Self {
        Self { table, key }
    }

    /// The document of the row whose key is `key`.
    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        db: &SqlitePool,
        key: &[&str],
    ) -> Result<Option<T>, sqlx::Error> {
        self.get_by(db, self.key, key).await
    }

    /// The document of the row whose `columns` equal `values` (another unique way to name it).
    pub(crate) async fn get_by<T: DeserializeOwned>(
        &self,
        db: &SqlitePool,
        columns: &[&str],
        values: &[&str],
    ) -> Result<Option<T>, sqlx::Error> {
        self.select(db, "doc", columns, values).await
    }

    /// The JSON in `column`, a document column other than `doc`, of the row whose key is `key`.
    pub(crate) async fn get_column<T: DeserializeOwned>(
        &self,
        db: &SqlitePool,
        column: &str,
        key: &[&str],
    ) -> Result<Option<T>, sqlx::Error> {
        self.select(db, column, self.key, key).await
    }

    async fn select<T: DeserializeOwned>(
        &self,
        db: &SqlitePool,
        column: &str,
        columns: &[&str],
        values: &[&str],
    ) -> Result<Option<T>, sqlx::Error> {
        let sql = format!(
            "SELECT {column} FROM {} WHERE {}",
            self.table,
            matching(columns, values)
        );
        let row = bind_all(sqlx::query(&sql), values)
            .fetch_optional(db)
            .await?;
        row.map(|r| parse(r.try_get(column)?)).transpose()
    }

    /// Rewrites the document of the row whose key is `key`, and the plain columns `also` with
    /// it (a name kept beside the document for lookups); false if there is no such row.
    pub(crate) async fn update<'c, E: Executor<'c, Database = Sqlite>>(
        &self,
        ex: E,
        doc: String,
        also: &[(&str, &str)],
        key: &[&str],
    ) -> Result<bool, sqlx::Error> {
        let set: String = also
            .iter()
            .map(|(column, _)| format!(", {column} = ?"))
            .collect();
        let sql = format!(
            "UPDATE {} SET doc = ?{set} WHERE {}",
            self.table,
            matching(self.key, key)
        );
        let mut q = sqlx::query(&sql).bind(doc);
        for (_, value) in also {
            q = q.bind(*value);
        }
        let r = bind_all(q, key).execute(ex).await?;
        Ok(r.rows_affected() == 1)
    }

    /// Inserts the row with key `key`, or replaces the document of the one there.
    pub(crate) async fn put(
        &self,
        db: &SqlitePool,
        key: &[&str],
        doc: String,
    ) -> Result<(), sqlx::Error> {
        debug_assert_eq!(self.key.len(), key.len());
        let columns = self.key.join(", ");
        let places = vec!["?"; key.len()].join(", ");
        let sql = format!(
            "INSERT INTO {} ({columns}, doc) VALUES ({places}, ?)
             ON CONFLICT ({columns}) DO UPDATE SET doc = excluded.doc",
            self.table
        );
        bind_all(sqlx::query(&sql), key)
            .bind(doc)
            .execute(db)
            .await?;
        Ok(())
    }

    /// Deletes the row whose key is `key`; false if there was none.
    pub(crate) async fn delete<'c, E: Executor<'c, Database = Sqlite>>(
        &self,
        ex: E,
        key: &[&str],
    ) -> Result<bool, sqlx::Error> {
        self.delete_by(ex, self.key, key).await
    }

    /// Deletes the rows whose `columns` equal `values`; true if exactly one went.
    pub(crate) async fn delete_by<'c, E: Executor<'c, Database = Sqlite>>(
        &self,
        ex: E,
        columns: &[&str],
        values: &[&str],
    ) -> Result<bool, sqlx::Error> {
        let sql = format!(
            "DELETE FROM {} WHERE {}",
            self.table,
            matching(columns, values)
        );
        let r = bind_all(sqlx::query(&sql), values).execute(ex).await?;
        Ok(r.rows_affected() == 1)
    }
}

impl DocTable {
    /// For a table keyed (owner, id) with a `created_at` column: the owner's documents in
    /// creation order (ties by id), `limit` of them after the row whose id is `after`.
    pub(crate) async fn list_in_creation_order<T: DeserializeOwned>(
        &self,
        db: &SqlitePool,
        owner: &str,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<T>, sqlx::Error> {
        let [owner_col, id] = self.key else {
            unreachable!("{} is not keyed (owner, id)", self.table)
        };
        let t = self.table;
        let sql = format!(
            "SELECT doc FROM {t} WHERE {owner_col} = ?1
               AND (?2 IS NULL OR (created_at, {id}) >
                    (SELECT created_at, {id} FROM {t} WHERE {owner_col} = ?1 AND {id} = ?2))
             ORDER BY created_at, {id} LIMIT ?3"
        );
        let page = sqlx::query(&sql).bind(owner).bind(after).bind(limit);
        fetch_docs(db, page).await
    }
}

/// The documents a bound `SELECT doc ...` returns, in its order (a page of a list; each list
/// keeps its own SQL, as each pages in its own order).
pub(crate) async fn fetch_docs<'q, T: DeserializeOwned>(
    db: &SqlitePool,
    query: Query<'q, Sqlite, SqliteArguments<'q>>,
) -> Result<Vec<T>, sqlx::Error> {
    query.fetch_all(db).await?.iter().map(doc_of).collect()
}

/// The document a bound `SELECT doc ...` returns, if it returns a row (a lookup through a join).
pub(crate) async fn fetch_doc<'q, T: DeserializeOwned>(
    db: &SqlitePool,
    query: Query<'q, Sqlite, SqliteArguments<'q>>,
) -> Result<Option<T>, sqlx::Error> {
    query
        .fetch_optional(db)
        .await?
        .as_ref()
        .map(doc_of)
        .transpose()
}

fn doc_of<T: DeserializeOwned>(r: &SqliteRow) -> Result<T, sqlx::Error> {
    parse(r.try_get("doc")?)
}

/// `a = ? AND b = ?` for `columns`, one per value.
fn matching(columns: &[&str], values: &[&str]) -> String {
    debug_assert_eq!(columns.len(), values.len());
    columns
        .iter()
        .map(|c| format!("{c} = ?"))
        .collect::<Vec<_>>()
        .join(" AND ")
}

fn bind_all<'q>(
    mut q: Query<'q, Sqlite, SqliteArguments<'q>>,
    values: &[&'q str],
) -> Query<'q, Sqlite, SqliteArguments<'q>> {
    for v in values {
        q = q.bind(*v);
    }
    q
}

/// The JSON text of a document (`{}` should it not serialize).
pub(crate) fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "{}".into())
}

/// A document from its JSON text; a malformed one is a decode error, as a bad column would be.
pub(crate) fn parse<T: DeserializeOwned>(s: String) -> Result<T, sqlx::Error> {
    serde_json::from_str(&s).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use serde_json::{json as j, Value};

    const POOLS: DocTable = DocTable::new("user_pools", &["id"]);
    const RISK: DocTable = DocTable::new(
        "risk_configurations",
        &["pool_id", "COALESCE(client_id, '')"],
    );

    #[tokio::test]
    async fn reads_rewrites_and_deletes_documents_by_key() {
        let store = Store::open(":memory:").await.expect("store");
        let db = &store.db;
        sqlx::query("INSERT INTO user_pools (id, name, doc, created_at) VALUES ('p_1', 'a', '{\"N\":1}', 0)")
            .execute(db)
            .await
            .expect("pool");

        let doc: Option<Value> = POOLS.get(db, &["p_1"]).await.expect("get");
        assert_eq!(doc, Some(j!({"N": 1})));
        assert_eq!(POOLS.get::<Value>(db, &["p_2"]).await.expect("get"), None);

        let also = [("name", "b"), ("mfa", "{\"M\":2}")];
        assert!(POOLS
            .update(db, json(&j!({"N": 3})), &also, &["p_1"])
            .await
            .expect("update"));
        assert!(!POOLS
            .update(db, "{}".into(), &[], &["p_2"])
            .await
            .expect("update"));
        let name: String = sqlx::query_scalar("SELECT name FROM user_pools WHERE id = 'p_1'")
            .fetch_one(db)
            .await
            .expect("name");
        assert_eq!(name, "b");
        let mfa: Option<Value> = POOLS.get_column(db, "mfa", &["p_1"]).await.expect("mfa");
        assert_eq!(mfa, Some(j!({"M": 2})));
        let all: Vec<Value> = fetch_docs(db, sqlx::query("SELECT doc FROM user_pools"))
            .await
            .expect("list");
        assert_eq!(all, vec![j!({"N": 3})]);

        // The pool's own configuration has no client: the key's COALESCE names it by ''.
        sqlx::query(
            "INSERT INTO risk_configurations (pool_id, client_id, doc) VALUES ('p_1', NULL, '{}')",
        )
        .execute(db)
        .await
        .expect("risk");
        assert!(RISK
            .get::<Value>(db, &["p_1", ""])
            .await
            .expect("get")
            .is_some());
        assert!(!RISK
            .delete_by(db, &["pool_id", "client_id"], &["p_1", ""])
            .await
            .expect("delete"));
        assert!(RISK.delete(db, &["p_1", ""]).await.expect("delete"));

        assert!(POOLS.delete(db, &["p_1"]).await.expect("delete"));
        assert!(!POOLS.delete(db, &["p_1"]).await.expect("delete"));
    }

    #[tokio::test]
    async fn lists_an_owners_documents_in_creation_order_after_a_row() {
        const SERVERS: DocTable = DocTable::new("resource_servers", &["pool_id", "identifier"]);
        let store = Store::open(":memory:").await.expect("store");
        let db = &store.db;
        for pool in ["p_1", "p_2"] {
            sqlx::query(
                "INSERT INTO user_pools (id, name, doc, created_at) VALUES (?, 'a', '{}', 0)",
            )
            .bind(pool)
            .execute(db)
            .await
            .expect("pool");
        }
        for (pool, id, at) in [
            ("p_1", "c", 1.0),
            ("p_1", "a", 2.0),
            ("p_1", "b", 2.0),
            ("p_2", "d", 0.0),
        ] {
            sqlx::query("INSERT INTO resource_servers (pool_id, identifier, doc, created_at) VALUES (?, ?, ?, ?)")
                .bind(pool)
                .bind(id)
                .bind(json(&j!({ "I": id })))
                .bind(at)
                .execute(db)
                .await
                .expect("server");
        }
        let ids = |docs: Vec<Value>| {
            docs.iter()
                .map(|d| d["I"].as_str().unwrap_or_default().to_owned())
                .collect::<Vec<_>>()
        };
        let all = SERVERS
            .list_in_creation_order(db, "p_1", None, 10)
            .await
            .expect("list");
        assert_eq!(ids(all), ["c", "a", "b"]);
        let rest = SERVERS
            .list_in_creation_order(db, "p_1", Some("c"), 1)
            .await
            .expect("list");
        assert_eq!(ids(rest), ["a"]);
        let foreign = SERVERS
            .list_in_creation_order::<Value>(db, "p_1", Some("d"), 10)
            .await
            .expect("list");
        assert!(foreign.is_empty());
    }

    #[tokio::test]
    async fn a_malformed_document_is_a_decode_error() {
        let store = Store::open(":memory:").await.expect("store");
        sqlx::query(
            "INSERT INTO user_pools (id, name, doc, created_at) VALUES ('p_1', 'a', 'nope', 0)",
        )
        .execute(&store.db)
        .await
        .expect("pool");
        let r = POOLS.get::<Value>(&store.db, &["p_1"]).await;
        assert!(matches!(r, Err(sqlx::Error::Decode(_))));
    }
}
