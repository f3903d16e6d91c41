//! Snapshots of the whole database (`/_emulator/snapshots`): every table copied into memory as
//! SQL literals, and put back inside one transaction.
//!
//! The tables are listed from `sqlite_master`, so a table added by a later migration is saved
//! too. `quote()` writes each value as an SQL literal that reads back as the same value (text,
//! integers, blobs as `X'..'`, and reals with as many digits as they need to round-trip: SQLite's
//! `quote()` documentation, <https://www.sqlite.org/lang_corefunc.html#quote>).

use super::Store;
use sqlx::Row;

/// One table's rows, each row its values as SQL literals in `columns` order.
#[derive(Debug, Clone)]
pub struct TableRows {
    pub table: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Every table of the database at one moment.
#[derive(Debug, Clone, Default)]
pub struct Tables(pub Vec<TableRows>);

/// `"name"` with embedded quotes doubled: an identifier SQLite reads back verbatim.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Rows per INSERT statement on restore (SQLite's default limit is 32766 bound values; literals
/// are not bound, but a statement of reasonable size parses fast).
const ROWS_PER_INSERT: usize = 200;

impl Store {
    /// The tables a snapshot holds: every table but SQLite's own (`sqlite_sequence` is kept, so
    /// AUTOINCREMENT keys continue from where they were) and the migration ledger.
    async fn snapshot_tables(
        conn: &mut sqlx::SqliteConnection,
    ) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT name FROM sqlite_master
              WHERE type = 'table'
                AND (name NOT LIKE 'sqlite\\_%' ESCAPE '\\' OR name = 'sqlite_sequence')
                AND name <> '_sqlx_migrations'
              ORDER BY name",
        )
        .fetch_all(&mut *conn)
        .await
    }

    /// Copies every table, read inside one transaction so that all of them show the same moment.
    pub async fn snapshot(&self) -> Result<Tables, sqlx::Error> {
        let mut tx = self.db.begin().await?;
        let mut out = Vec::new();
        for table in Self::snapshot_tables(&mut tx).await? {
            let columns: Vec<String> =
                sqlx::query_scalar("SELECT name FROM pragma_table_info(?1) ORDER BY cid")
                    .bind(&table)
                    .fetch_all(&mut *tx)
                    .await?;
            if columns.is_empty() {
                continue;
            }
            let select = columns
                .iter()
                .map(|c| format!("quote({})", ident(c)))
                .collect::<Vec<_>>()
                .join(", ");
            let rows = sqlx::query(&format!("SELECT {select} FROM {}", ident(&table)))
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|row| {
                    (0..columns.len())
                        .map(|i| row.try_get::<String, _>(i))
                        .collect::<Result<Vec<_>, _>>()
                })
                .collect::<Result<Vec<_>, _>>()?;
            out.push(TableRows {
                table,
                columns,
                rows,
            });
        }
        tx.commit().await?;
        Ok(Tables(out))
    }

    /// Replaces every table's rows with the snapshot's, in one transaction: an error leaves the
    /// database as it was. Foreign keys are checked at the commit, once every table is back
    /// (`PRAGMA defer_foreign_keys`, <https://www.sqlite.org/pragma.html#pragma_defer_foreign_keys>).
    /// A table the snapshot does not know (added after it was taken) is emptied; a table that no
    /// longer exists fails the restore.
    pub async fn restore(&self, tables: &Tables) -> Result<(), sqlx::Error> {
        self.changing(self.replace_tables(tables)).await
    }

    async fn replace_tables(&self, tables: &Tables) -> Result<(), sqlx::Error> {
        let mut tx = self.db.begin().await?;
        sqlx::query("PRAGMA defer_foreign_keys = ON")
            .execute(&mut *tx)
            .await?;
        for table in Self::snapshot_tables(&mut tx).await? {
            sqlx::query(&format!("DELETE FROM {}", ident(&table)))
                .execute(&mut *tx)
                .await?;
        }
        // sqlite_sequence last and emptied first: the inserts above it have written their own
        // rows into it, and it has no key that would stop a second row per table.
        let ordered = tables
            .0
            .iter()
            .filter(|t| t.table != "sqlite_sequence")
            .chain(tables.0.iter().filter(|t| t.table == "sqlite_sequence"));
        for t in ordered {
            if t.table == "sqlite_sequence" {
                sqlx::query("DELETE FROM sqlite_sequence")
                    .execute(&mut *tx)
                    .await?;
            }
            let columns = t
                .columns
                .iter()
                .map(|c| ident(c))
                .collect::<Vec<_>>()
                .join(", ");
            for chunk in t.rows.chunks(ROWS_PER_INSERT) {
                let values = chunk
                    .iter()
                    .map(|row| format!("({})", row.join(", ")))
                    .collect::<Vec<_>>()
                    .join(", ");
                sqlx::query(&format!(
                    "INSERT INTO {} ({columns}) VALUES {values}",
                    ident(&t.table)
                ))
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await
    }
}
