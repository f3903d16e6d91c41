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
//! it falls back to SQLite's `memdb` (a database in this process's memory, shared by name
//! between its connections).
//!
//! Writes (and the migrations) go through sqlx's pool; the reads every request makes go
//! through `readers`, on the caller's thread.

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
mod readers;
pub mod sessions;
pub mod snapshots;
pub mod tokens;
mod user_cache;
pub mod users;
pub mod webauthn;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Once};
use std::time::Duration;

/// A query with its arguments, as the `bind_*` functions of the table files build them up, so
/// inserts into two tables can go to the writer as one query.
type Query<'q> = sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>;

#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) db: SqlitePool,
    /// Read-only connections used on the caller's thread (see `readers`).
    readers: Arc<readers::Readers>,
    /// Pool and client documents in memory (see `config_cache`).
    config: Arc<config_cache::ConfigCache>,
    /// Users found by username, in memory until the next commit (see `user_cache`).
    users: Arc<user_cache::UserCache>,
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
                let uri = file.file.to_string_lossy().into_owned();
                let users = Arc::default();
                match Self::connect(path, opts, &users).await {
                    Ok(db) => return Self::with_readers(db, users, &uri, Some(Arc::new(file))),
                    Err(e) => tracing::warn!(
                        "in-memory database file {} unusable ({e:#}); using SQLite's memdb",
                        file.file.display()
                    ),
                }
            }
            return Self::open_memdb().await;
        }
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal);
        let users = Arc::default();
        let db = Self::connect(path, opts, &users).await?;
        Self::with_readers(db, users, path, None)
    }

    /// The fallback `:memory:`: SQLite's `memdb`, shared by every connection of this process
    /// that names it (<https://sqlite.org/src/doc/trunk/src/memdb.c>: a name that starts with
    /// "/"), so the readers see what the pool writes.
    async fn open_memdb() -> anyhow::Result<Self> {
        let name = format!("/cognito-emulator-{}", uuid::Uuid::new_v4().simple());
        let opts = SqliteConnectOptions::new().filename(&name).vfs("memdb");
        let users = Arc::default();
        let db = Self::connect(":memory:", opts, &users).await?;
        Self::with_readers(db, users, &format!("file:{name}?vfs=memdb"), None)
    }

    fn with_readers(
        db: SqlitePool,
        users: Arc<user_cache::UserCache>,
        uri: &str,
        memory_file: Option<Arc<MemoryFile>>,
    ) -> anyhow::Result<Self> {
        let readers = readers::Readers::open(uri)
            .map_err(|e| anyhow::anyhow!("cannot open read connections on {uri}: {e}"))?;
        Ok(Self {
            db,
            readers: Arc::new(readers),
            config: Arc::default(),
            users,
            _memory_file: memory_file,
        })
    }

    /// The writer: one connection, never recycled, never pinged, with the schema migrated.
    ///
    /// One, because SQLite takes one writer at a time: with several, a second writer finds the
    /// database locked and SQLite's busy handler puts its thread to sleep for milliseconds
    /// (`sqliteDefaultBusyCallback`), which left SignUp's CPU idle under load. Queued on one
    /// connection, writes wait on the pool instead and run back to back. Reads do not queue
    /// here: the ones every request makes go through `readers`. No store function holds a
    /// transaction while it asks the pool for another connection, so one cannot deadlock. The
    /// `memdb` fallback also needs the connection kept: it lives while a connection holds it.
    ///
    /// Its commit hook and its release tell `users` (the user cache) that a write is being
    /// committed and that it is visible: every change goes through here.
    async fn connect(
        path: &str,
        opts: SqliteConnectOptions,
        users: &Arc<user_cache::UserCache>,
    ) -> anyhow::Result<SqlitePool> {
        let (on_commit, on_release) = (Arc::clone(users), Arc::clone(users));
        let opts = opts
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            // sqlx pings a connection before lending it out by default, which for SQLite is one
            // more round trip to its connection thread on every write, to test a connection
            // that lives in this process and cannot have hung up.
            .test_before_acquire(false)
            .after_connect(move |conn, _| {
                let users = Arc::clone(&on_commit);
                Box::pin(async move {
                    conn.lock_handle().await?.set_commit_hook(move || {
                        users.committing();
                        true
                    });
                    Ok(())
                })
            })
            .after_release(move |_, _| {
                on_release.released();
                Box::pin(async { Ok(true) })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::records::UserRecord;

    fn user(sub: &str) -> UserRecord {
        UserRecord {
            pool_id: "p_1".into(),
            sub: sub.into(),
            username: sub.into(),
            username_key: sub.into(),
            enabled: true,
            password_history: serde_json::json!([]),
            mfa: serde_json::json!({}),
            ..Default::default()
        }
    }

    /// Writes go through sqlx, reads through the readers: each must see the other's database,
    /// at once, for the RAM file, the memdb fallback and a file database alike.
    #[tokio::test]
    async fn readers_see_every_committed_write_in_every_kind_of_store() {
        let dir = std::env::temp_dir().join(format!("ce-readers-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("db.sqlite");
        let stores = [
            Store::open(":memory:").await.expect("memory"),
            Store::open_memdb().await.expect("memdb"),
            Store::open(&file.to_string_lossy()).await.expect("file"),
        ];
        for store in &stores {
            sqlx::query(
                "INSERT INTO user_pools (id, name, doc, created_at) VALUES ('p_1', 'p', '{}', 0)",
            )
            .execute(&store.db)
            .await
            .expect("pool");
            for i in 0..20 {
                let sub = format!("s_{i}");
                store.insert_user(&user(&sub)).await.expect("insert");
                let read = store.get_user_by_sub("p_1", &sub).await.expect("read");
                assert_eq!(read.map(|u| u.sub), Some(sub.clone()));
                store.delete_user("p_1", &sub).await.expect("delete");
                assert!(store
                    .get_user_by_sub("p_1", &sub)
                    .await
                    .expect("read")
                    .is_none());
            }
        }
        drop(stores);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
