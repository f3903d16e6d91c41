//! All SQL lives here, one file per aggregate. Nothing outside `store` touches sqlx.
//!
//! SQLite through sqlx; the schema is `migrations/`, applied at start-up.
//!
//! `:memory:` is a private database file on a RAM-backed file system (`/dev/shm`, else the temp
//! dir), WAL, no syncing, deleted when the store is dropped (and swept at the next start if the
//! process was killed): nothing survives a restart, every `Store::open` gets its own, and, unlike
//! SQLite's in-memory databases (one connection, or a shared cache with table locks), several
//! connections work in parallel, so the server uses every core (bench/README.md, "`:memory:`
//! concurrency"). Where no such directory is writable (a scratch container without /dev/shm),
//! it falls back to one in-memory connection that is never recycled.

pub mod auth_events;
pub mod clients;
pub mod codes;
mod config_cache;
pub mod devices;
mod docs;
pub mod groups;
pub mod identity_providers;
pub mod import_jobs;
pub mod managed_login;
pub mod oauth;
pub mod outbox;
pub mod pool_config;
pub mod pools;
pub mod sessions;
pub mod snapshots;
pub mod tokens;
pub mod users;
pub mod webauthn;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Once};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) db: SqlitePool,
    /// Pool and client documents in memory (see `config_cache`).
    config: Arc<config_cache::ConfigCache>,
    /// The private file behind `:memory:`, deleted when the last clone of the store goes.
    _memory_file: Option<Arc<MemoryFile>>,
}

/// Directory names `<base>/.cognito-emulator-memory-<pid>-<random>`, one per `:memory:` store.
const MEMORY_DIR_PREFIX: &str = ".cognito-emulator-memory-";

/// A `:memory:` database file in its own directory; both removed on drop.
#[derive(Debug)]
struct MemoryFile {
    dir: PathBuf,
    file: PathBuf,
}

impl Drop for MemoryFile {
    fn drop(&mut self) {
        // The WAL companions too; the pool's connections may still be closing, which Unix allows.
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl MemoryFile {
    /// A new directory, readable by this user only, in the first RAM-backed (else temporary)
    /// base directory that can be written. The random name is never an existing directory, so
    /// nobody can have prepared it (or a symlink) in the world-writable base.
    fn create() -> Option<Self> {
        static SWEEP: Once = Once::new();
        let bases = [PathBuf::from("/dev/shm"), std::env::temp_dir()];
        SWEEP.call_once(|| bases.iter().for_each(|b| sweep_dead(b)));
        let name = format!(
            "{MEMORY_DIR_PREFIX}{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        );
        bases.iter().find_map(|base| {
            let dir = base.join(&name);
            let mut builder = std::fs::DirBuilder::new();
            // Other users must not read the database: it holds password verifiers.
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder.create(&dir).ok()?;
            let file = dir.join("db.sqlite");
            Some(Self { dir, file })
        })
    }
}

/// Removes the memory directories of processes that no longer exist (killed before they could
/// clean up).
fn sweep_dead(base: &Path) {
    // Without /proc (not Linux) a live process cannot be told from a dead one: keep everything.
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(MEMORY_DIR_PREFIX))
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

impl Store {
    pub async fn open(path: &str) -> anyhow::Result<Self> {
        if path == ":memory:" {
            if let Some(file) = MemoryFile::create() {
                let opts = SqliteConnectOptions::new()
                    .filename(&file.file)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    // Nothing outlives the process, so nothing needs to reach the disk.
                    .synchronous(SqliteSynchronous::Off);
                match Self::connect(path, opts, false).await {
                    Ok(db) => {
                        return Ok(Self {
                            db,
                            config: Arc::default(),
                            _memory_file: Some(Arc::new(file)),
                        })
                    }
                    Err(e) => tracing::warn!(
                        "in-memory database file {} unusable ({e:#}); using one SQLite connection",
                        file.file.display()
                    ),
                }
            }
        }
        let memory = path == ":memory:";
        let opts = if memory {
            SqliteConnectOptions::from_str("sqlite::memory:")?
        } else {
            SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
        };
        let db = Self::connect(path, opts, memory).await?;
        Ok(Self {
            db,
            config: Arc::default(),
            _memory_file: None,
        })
    }

    /// The pool (4 connections; 1 that is never recycled for SQLite's own in-memory database)
    /// with the schema migrated.
    async fn connect(
        path: &str,
        opts: SqliteConnectOptions,
        memory: bool,
    ) -> anyhow::Result<SqlitePool> {
        let opts = opts
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
        Ok(pool)
    }

    /// `/_emulator/reset`: every pool and everything hanging off it, keys included.
    pub async fn reset(&self) -> Result<(), sqlx::Error> {
        self.changing(self.delete_everything()).await
    }

    async fn delete_everything(&self) -> Result<(), sqlx::Error> {
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

impl Store {
    /// Runs a write to the pool or client tables, then forgets the documents kept in memory
    /// (`config_cache`), whether or not the write succeeded. Every such write goes through here.
    async fn changing<T>(&self, write: impl std::future::Future<Output = T>) -> T {
        let r = write.await;
        self.config.changed();
        r
    }
}

/// True when a sqlx error is a UNIQUE / PRIMARY KEY violation: the one place that maps those to
/// the client error an operation wants (UsernameExists, GroupExists, ...).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}
