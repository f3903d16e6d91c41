-- User import jobs (CreateUserImportJob ... StopUserImportJob). The uploaded CSV waits here until
-- StartUserImportJob reads it (S3's part on AWS); the per-line results that AWS writes to
-- CloudWatch Logs are kept in `log`, one line per user, readable at GET /_emulator/import/{job_id}.
CREATE TABLE user_import_jobs (
    job_id              TEXT PRIMARY KEY,
    pool_id             TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    job_name            TEXT NOT NULL,
    role_arn            TEXT NOT NULL,
    status              TEXT NOT NULL,
    created_at          REAL NOT NULL,
    started_at          REAL,
    completed_at        REAL,
    imported_users      INTEGER NOT NULL DEFAULT 0,
    skipped_users       INTEGER NOT NULL DEFAULT 0,
    failed_users        INTEGER NOT NULL DEFAULT 0,
    completion_message  TEXT,
    csv                 BLOB,                      -- the uploaded file; dropped once imported
    log                 TEXT NOT NULL DEFAULT ''   -- "[SUCCEEDED] Line Number 2 - ..." lines
);
CREATE INDEX user_import_jobs_pool ON user_import_jobs(pool_id, created_at);
