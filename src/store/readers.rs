//! Reads on the caller's thread.
//!
//! sqlx runs every SQLite connection on a thread of its own, so each query is a message to that
//! thread and a wake-up back: two context switches, which cost far more than a point read in
//! SQLite (bench/README.md, "Where a read's server CPU goes"). The reads every request makes
//! (users, above all) go instead through a few plain SQLite connections of rusqlite, opened
//! read-only on the same database and used directly from the task that asks. A point read holds
//! its connection for microseconds, so a worker thread is not held up.
//!
//! sqlx stays the store of record: it creates and migrates the schema and makes every write.
//! The database is in WAL mode (or, for the in-process fallback, SQLite's shared `memdb`), so a
//! read here sees every write that committed before it began: an operation reads its own
//! writes and those of every request answered before it.
//!
//! rusqlite is held at the release that builds on the same `libsqlite3-sys` as sqlx (one SQLite
//! library in the binary).

use rusqlite::{Connection, OpenFlags};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, TryLockError};
use std::time::Duration;

/// Statements each connection keeps prepared: every hot read, with room to spare.
const STATEMENT_CACHE: usize = 64;

pub(crate) struct Readers {
    connections: Box<[Mutex<Connection>]>,
    next: AtomicUsize,
}

impl std::fmt::Debug for Readers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Readers")
            .field("connections", &self.connections.len())
            .finish()
    }
}

impl Readers {
    /// Read-only connections on `uri` (an SQLite URI filename), one more than the machine has
    /// cores, so every worker thread finds one free and a request that waits is rare.
    pub(crate) fn open(uri: &str) -> rusqlite::Result<Self> {
        let count = std::thread::available_parallelism().map_or(2, |n| n.get()) + 1;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let connections = (0..count)
            .map(|_| {
                let c = Connection::open_with_flags(uri, flags)?;
                c.busy_timeout(Duration::from_secs(10))?;
                c.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
                Ok(Mutex::new(c))
            })
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Self {
            connections: connections.into_boxed_slice(),
            next: AtomicUsize::new(0),
        })
    }

    /// Runs `read` on a free connection (waiting for one only when all are busy).
    pub(crate) fn read<T>(
        &self,
        read: impl FnOnce(&Connection) -> Result<T, sqlx::Error>,
    ) -> Result<T, sqlx::Error> {
        let n = self.connections.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed) % n;
        for i in 0..n {
            match self.connections[(start + i) % n].try_lock() {
                Ok(c) => return read(&c),
                // A reader that panicked left nothing half-done: reads change nothing.
                Err(TryLockError::Poisoned(p)) => return read(&p.into_inner()),
                Err(TryLockError::WouldBlock) => {}
            }
        }
        let c = self.connections[start]
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        read(&c)
    }
}

impl Readers {
    /// Every row `sql` finds with `params`, each decoded by `decode` (by column position: the
    /// statement names the columns in the order the decoder takes them).
    pub(crate) fn rows<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        decode: impl Fn(&rusqlite::Row) -> Result<T, sqlx::Error>,
    ) -> Result<Vec<T>, sqlx::Error> {
        self.read(|c| {
            let mut statement = c.prepare_cached(sql).map_err(sqlite)?;
            let mut rows = statement.query(params).map_err(sqlite)?;
            let mut out = Vec::new();
            while let Some(row) = rows.next().map_err(sqlite)? {
                out.push(decode(row)?);
            }
            Ok(out)
        })
    }
}

/// A rusqlite error as the store's error type (an internal error to the caller).
pub(crate) fn sqlite(e: rusqlite::Error) -> sqlx::Error {
    sqlx::Error::Io(std::io::Error::other(e))
}
