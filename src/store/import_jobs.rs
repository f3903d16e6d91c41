//! User import jobs: the job rows, the uploaded CSV and the per-line results log.
//!
//! Status changes that can race (StopUserImportJob against a running import, the upload against
//! StartUserImportJob) are conditional updates on the status the caller saw, so the first writer
//! wins and the other learns it from the row count.

use super::Store;
use crate::domain::records::ImportJobRecord;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

const COLUMNS: &str = "job_id, pool_id, job_name, role_arn, status, created_at, started_at, \
    completed_at, imported_users, skipped_users, failed_users, completion_message, \
    csv IS NOT NULL AS has_csv";

fn from_row(r: &SqliteRow) -> Result<ImportJobRecord, sqlx::Error> {
    Ok(ImportJobRecord {
        job_id: r.try_get("job_id")?,
        pool_id: r.try_get("pool_id")?,
        job_name: r.try_get("job_name")?,
        role_arn: r.try_get("role_arn")?,
        status: r.try_get("status")?,
        created_at: r.try_get("created_at")?,
        started_at: r.try_get("started_at")?,
        completed_at: r.try_get("completed_at")?,
        imported_users: r.try_get("imported_users")?,
        skipped_users: r.try_get("skipped_users")?,
        failed_users: r.try_get("failed_users")?,
        completion_message: r.try_get("completion_message")?,
        has_csv: r.try_get::<i64, _>("has_csv")? != 0,
    })
}

impl Store {
    pub async fn insert_import_job(&self, j: &ImportJobRecord) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO user_import_jobs (job_id, pool_id, job_name, role_arn, status, created_at)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&j.job_id)
        .bind(&j.pool_id)
        .bind(&j.job_name)
        .bind(&j.role_arn)
        .bind(&j.status)
        .bind(j.created_at)
        .execute(&self.db)
        .await?;
        Ok(())
    }

    /// The job by id, whatever its pool (the upload URL names only the job).
    pub async fn get_import_job(
        &self,
        job_id: &str,
    ) -> Result<Option<ImportJobRecord>, sqlx::Error> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM user_import_jobs WHERE job_id = ?"
        ))
        .bind(job_id)
        .fetch_optional(&self.db)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
    }

    /// A pool's jobs, newest first, after the `(created_at, job_id)` position of the previous page.
    pub async fn list_import_jobs_page(
        &self,
        pool_id: &str,
        before: Option<(f64, &str)>,
        limit: i64,
    ) -> Result<Vec<ImportJobRecord>, sqlx::Error> {
        let (t, id) = before
            .map(|(t, id)| (Some(t), Some(id)))
            .unwrap_or((None, None));
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM user_import_jobs WHERE pool_id = ?1
               AND (?2 IS NULL OR (created_at, job_id) < (?2, ?3))
             ORDER BY created_at DESC, job_id DESC LIMIT ?4"
        ))
        .bind(pool_id)
        .bind(t)
        .bind(id)
        .bind(limit)
        .fetch_all(&self.db)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Stores the uploaded file, only while the job is still `Created`. False = not stored.
    pub async fn put_import_job_csv(&self, job_id: &str, csv: &[u8]) -> Result<bool, sqlx::Error> {
        let r = sqlx::query(
            "UPDATE user_import_jobs SET csv = ? WHERE job_id = ? AND status = 'Created'",
        )
        .bind(csv)
        .bind(job_id)
        .execute(&self.db)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    pub async fn import_job_csv(&self, job_id: &str) -> Result<Option<Vec<u8>>, sqlx::Error> {
        let row = sqlx::query("SELECT csv FROM user_import_jobs WHERE job_id = ?")
            .bind(job_id)
            .fetch_optional(&self.db)
            .await?;
        Ok(row.and_then(|r| r.get::<Option<Vec<u8>>, _>("csv")))
    }

    pub async fn import_job_log(&self, job_id: &str) -> Result<Option<String>, sqlx::Error> {
        let row = sqlx::query("SELECT log FROM user_import_jobs WHERE job_id = ?")
            .bind(job_id)
            .fetch_optional(&self.db)
            .await?;
        Ok(row.map(|r| r.get::<String, _>("log")))
    }

    /// Moves the job from `from` to `j.status`, writing its dates, counters and message; the CSV
    /// is dropped when `drop_csv`. False when the job was no longer in `from` (someone else moved
    /// it first).
    pub async fn transition_import_job(
        &self,
        j: &ImportJobRecord,
        from: &[&str],
        drop_csv: bool,
    ) -> Result<bool, sqlx::Error> {
        let placeholders = vec!["?"; from.len().max(1)].join(", ");
        let sql = format!(
            "UPDATE user_import_jobs SET status = ?, started_at = ?, completed_at = ?,
               imported_users = ?, skipped_users = ?, failed_users = ?, completion_message = ?,
               csv = CASE WHEN ? THEN NULL ELSE csv END
             WHERE job_id = ? AND status IN ({placeholders})"
        );
        let mut q = sqlx::query(&sql)
            .bind(&j.status)
            .bind(j.started_at)
            .bind(j.completed_at)
            .bind(j.imported_users)
            .bind(j.skipped_users)
            .bind(j.failed_users)
            .bind(&j.completion_message)
            .bind(drop_csv)
            .bind(&j.job_id);
        if from.is_empty() {
            q = q.bind("");
        }
        for s in from {
            q = q.bind(*s);
        }
        Ok(q.execute(&self.db).await?.rows_affected() == 1)
    }

    /// A running import's progress: the counters so far and the log lines since the last call.
    /// Returns the job's status after the write, so the import sees a StopUserImportJob.
    pub async fn record_import_progress(
        &self,
        job_id: &str,
        counts: (i64, i64, i64),
        log_lines: &str,
    ) -> Result<Option<String>, sqlx::Error> {
        sqlx::query(
            "UPDATE user_import_jobs SET imported_users = ?, skipped_users = ?, failed_users = ?,
               log = log || ?
             WHERE job_id = ?",
        )
        .bind(counts.0)
        .bind(counts.1)
        .bind(counts.2)
        .bind(log_lines)
        .bind(job_id)
        .execute(&self.db)
        .await?;
        let row = sqlx::query("SELECT status FROM user_import_jobs WHERE job_id = ?")
            .bind(job_id)
            .fetch_optional(&self.db)
            .await?;
        Ok(row.map(|r| r.get::<String, _>("status")))
    }
}
