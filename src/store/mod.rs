//! All SQL lives here, one file per aggregate. Nothing outside `store` touches sqlx.
//!
//! SQLite through sqlx; the schema is `migrations/`, applied at start-up. `:memory:` uses a single
//! connection that is never recycled, because each SQLite connection would otherwise get its own
//! empty in-memory database.

pub mod auth_events;
pub mod clients;
pub mod codes;
pub mod devices;
pub mod groups;
pub mod outbox;
pub mod pools;
pub mod sessions;
pub mod tokens;
pub mod users;
pub mod webauthn;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) db: SqlitePool,
}

impl Store {
    pub async fn open(path: &str) -> anyhow::Result<Self> {
        let memory = path == ":memory:";
        let opts = if memory {
            SqliteConnectOptions::from_str("sqlite::memory:")?
        } else {
            SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
        }
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(if memory { 1 } else { 4 })
            .min_connections(if memory { 1 } else { 0 })
            .idle_timeout(if memory {
                None
            } else {
                Some(Duration::from_secs(600))
            })
            .max_lifetime(if memory {
                None
            } else {
                Some(Duration::from_secs(3600))
            })
            .connect_with(opts)
            .await
            .map_err(|e| anyhow::anyhow!("cannot open database {path}: {e}"))?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|e| anyhow::anyhow!("cannot migrate database {path}: {e}"))?;
        Ok(Self { db: pool })
    }

    /// `/_emulator/reset`: every pool and everything hanging off it, keys included.
    pub async fn reset(&self) -> Result<(), sqlx::Error> {
        let mut tx = self.db.begin().await?;
        for table in [
            "messages",
            "devices",
            "refresh_tokens",
            "auth_sessions",
            "codes",
            "user_groups",
            "groups",
            "users",
            "user_pool_clients",
            "signing_keys",
            "user_pools",
        ] {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await
    }
}

/// True when a sqlx error is a UNIQUE / PRIMARY KEY violation: the one place that maps those to
/// the client error an operation wants (UsernameExists, GroupExists, ...).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}
