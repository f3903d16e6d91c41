//! User import jobs: GetCSVHeader, CreateUserImportJob, DescribeUserImportJob, ListUserImportJobs,
//! StartUserImportJob, StopUserImportJob, and the two emulator-only routes that stand in for S3
//! and CloudWatch Logs (README, "User import jobs").
//!
//! On AWS the job's `PreSignedUrl` points at S3; here it is `PUT {external URL}/_emulator/import/
//! {JobId}`, which accepts the file only while the job is `Created`, within the URL's 15 minutes,
//! and (like the signed S3 URL) only with `x-amz-server-side-encryption: aws:kms`. The per-line
//! results AWS writes to CloudWatch Logs are at `GET /_emulator/import/{JobId}`.
//!
//! StartUserImportJob answers with the job as it started (`Pending`, as AWS does), but imports
//! before it answers: the next DescribeUserImportJob sees the final status, so clients that poll
//! finish at once and tests need no waiting. The import runs on its own task, so a client that
//! gives up on the request does not leave the job half done; a StopUserImportJob sent while it
//! runs stops it between users.
//!
//! The CSV format is the developer guide's ("Creating the user import CSV file"): every header
//! column present in any order, no quoting (a backslash escapes a comma), values trimmed, one user
//! per line. Users are created through `users::create_user` in `RESET_REQUIRED`, without a password,
//! with no trigger and no message.

use crate::domain::attributes::{self, WriteMode, PHONE};
use crate::domain::mfa::{Factor, UserMfa};
use crate::domain::paging;
use crate::domain::pool::PoolExt;
use crate::domain::records::ImportJobRecord;
use crate::domain::user_status::UserStatus;
use crate::error::{ApiError, ApiResult};
use crate::model::shapes::*;
use crate::ops::common::create_user;
use crate::ops::common::load_pool;
use crate::ops::common::page_position;
use crate::ops::common::NewUser;
use crate::state::App;
use crate::state::Ctx;
use crate::util::{random_string, ALNUM};
use std::collections::HashMap;
use std::sync::Arc;

pub const CREATED: &str = "Created";
pub const PENDING: &str = "Pending";
pub const IN_PROGRESS: &str = "InProgress";
pub const EXPIRED: &str = "Expired";
pub const STOPPED: &str = "Stopped";
pub const FAILED: &str = "Failed";
pub const SUCCEEDED: &str = "Succeeded";

/// The pre-signed URL is valid for 15 minutes (DG "Creating and running the import job").
pub const UPLOAD_URL_SECONDS: f64 = 15.0 * 60.0;
/// A job not started within "24-48 hours" expires (DG); [B] the emulator takes the 24.
const EXPIRY_SECONDS: f64 = 24.0 * 3600.0;
/// DG limits: file size, data rows, characters per row.
pub const MAX_CSV_BYTES: usize = 100 * 1024 * 1024;
const MAX_ROWS: usize = 500_000;
const MAX_ROW_CHARS: usize = 16_000;
/// Users imported between two progress writes (and two looks for a StopUserImportJob).
const PROGRESS_EVERY: usize = 50;

const USERNAME_COLUMN: &str = "cognito:username";
const MFA_COLUMN: &str = "cognito:mfa_enabled";

/// Completion messages. The first two are quoted in the DG's sample responses; the success text
/// is the one AWS SDK users assert on.
const TOO_MANY_FAILED: &str = "Too many users have failed or been skipped during the import.";
const STOPPED_BY_DEVELOPER: &str = "The Import Job was stopped by the developer.";
const COMPLETED: &str = "Import Job Completed Successfully.";
// [B] AWS's wording for a file it cannot read is not documented.
const UNPARSABLE: &str = "The CSV file could not be parsed.";

/// Per-line results, as the DG quotes them from the CloudWatch log.
const LINE_SUCCEEDED: &str = "The import succeeded.";
const LINE_EXISTS: &str = "The user already exists.";
const NOT_AUTO_VERIFIED: &str = "The User Record does not set any of the auto verified attributes to true. (Example: email_verified to true).";

// ---------------------------------------------------------------------------------------------
// The header and the job view
// ---------------------------------------------------------------------------------------------

/// The pool's CSV header as GetCSVHeader lists it: the schema's attributes in schema order (the
/// standard ones, then custom ones) without `sub` and `identities`, then `cognito:mfa_enabled`
/// and `cognito:username` (DG sample response; a recorded response with a custom attribute has it
/// right after `updated_at`). The console's template.csv puts `cognito:username` first; the
/// order of columns in a file does not matter.
pub fn csv_header(pool: &UserPoolType) -> Vec<String> {
    pool.schema_attributes
        .as_deref()
        .unwrap_or_default()
        .iter()
        .filter_map(|a| a.name.clone())
        .filter(|n| n != "sub" && n != "identities")
        .chain([MFA_COLUMN.to_string(), USERNAME_COLUMN.to_string()])
        .collect()
}

fn upload_url(ctx: &Ctx, job_id: &str) -> String {
    format!("{}/_emulator/import/{job_id}", ctx.base_url())
}

fn job_type(ctx: &Ctx, j: &ImportJobRecord) -> UserImportJobType {
    UserImportJobType {
        job_name: Some(j.job_name.clone()),
        job_id: Some(j.job_id.clone()),
        user_pool_id: Some(j.pool_id.clone()),
        pre_signed_url: Some(upload_url(ctx, &j.job_id)),
        creation_date: Some(j.created_at),
        start_date: j.started_at,
        completion_date: j.completed_at,
        status: Some(j.status.clone()),
        cloud_watch_logs_role_arn: Some(j.role_arn.clone()),
        imported_users: Some(j.imported_users),
        skipped_users: Some(j.skipped_users),
        failed_users: Some(j.failed_users),
        completion_message: j.completion_message.clone(),
    }
}

/// `import-` and ten alphanumerics, as AWS's job ids look (e.g. `import-9sHxosU7BP`).
fn new_job_id() -> String {
    format!("import-{}", random_string(ALNUM, 10))
}

/// [B] AWS's text for an unknown job id is not documented.
fn job_not_found(job_id: &str) -> ApiError {
    ApiError::resource_not_found(format!("Import job {job_id} does not exist."))
}

fn precondition(message: impl Into<String>) -> ApiError {
    ApiError::new("PreconditionNotMetException", message)
}

/// The job as it is now: a `Created` job past its start window becomes `Expired` (and its file is
/// dropped, "all data associated with the job was deleted").
async fn current(app: &App, mut job: ImportJobRecord) -> Result<ImportJobRecord, sqlx::Error> {
    if job.status == CREATED && app.clock.epoch() >= job.created_at + EXPIRY_SECONDS {
        job.status = EXPIRED.into();
        if !app
            .store
            .transition_import_job(&job, &[CREATED], true)
            .await?
        {
            // Started or stopped meanwhile: that status stands.
            if let Some(j) = app.store.get_import_job(&job.job_id).await? {
                return Ok(j);
            }
        }
        job.has_csv = false;
    }
    Ok(job)
}

/// The pool's job, brought up to date.
async fn load_job(ctx: &Ctx, pool: &UserPoolType, job_id: &str) -> ApiResult<ImportJobRecord> {
    let job = ctx
        .app
        .store
        .get_import_job(job_id)
        .await?
        .filter(|j| j.pool_id == pool.pool_id())
        .ok_or_else(|| job_not_found(job_id))?;
    Ok(current(&ctx.app, job).await?)
}

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

pub async fn get_csv_header(ctx: Ctx, req: GetCSVHeaderRequest) -> ApiResult<GetCSVHeaderResponse> {
    let pool = load_pool(&ctx, req.user_pool_id.as_deref().unwrap_or_default()).await?;
    Ok(GetCSVHeaderResponse {
        user_pool_id: Some(pool.pool_id().to_string()),
        csv_header: Some(csv_header(&pool)),
    })
}

pub async fn create_user_import_job(
    ctx: Ctx,
    req: CreateUserImportJobRequest,
) -> ApiResult<CreateUserImportJobResponse> {
    let pool = load_pool(&ctx, req.user_pool_id.as_deref().unwrap_or_default()).await?;
    // The role is only used for CloudWatch Logs on AWS; there is no IAM here to assume it in.
    let job = ImportJobRecord {
        job_id: new_job_id(),
        pool_id: pool.pool_id().to_string(),
        job_name: req.job_name.unwrap_or_default(),
        role_arn: req.cloud_watch_logs_role_arn.unwrap_or_default(),
        status: CREATED.into(),
        created_at: ctx.app.clock.epoch(),
        ..Default::default()
    };
    ctx.app.store.insert_import_job(&job).await?;
    Ok(CreateUserImportJobResponse {
        user_import_job: Some(job_type(&ctx, &job)),
    })
}

pub async fn describe_user_import_job(
    ctx: Ctx,
    req: DescribeUserImportJobRequest,
) -> ApiResult<DescribeUserImportJobResponse> {
    let pool = load_pool(&ctx, req.user_pool_id.as_deref().unwrap_or_default()).await?;
    let job = load_job(&ctx, &pool, req.job_id.as_deref().unwrap_or_default()).await?;
    Ok(DescribeUserImportJobResponse {
        user_import_job: Some(job_type(&ctx, &job)),
    })
}

/// Newest first (DG: "from last created to first created").
pub async fn list_user_import_jobs(
    ctx: Ctx,
    req: ListUserImportJobsRequest,
) -> ApiResult<ListUserImportJobsResponse> {
    let pool = load_pool(&ctx, req.user_pool_id.as_deref().unwrap_or_default()).await?;
    let limit = paging::page_limit(req.max_results);
    let before = page_position(req.pagination_token.as_deref())?;
    let page = ctx
        .app
        .store
        .list_import_jobs_page(
            pool.pool_id(),
            before.as_ref().map(|(t, id)| (*t, id.as_str())),
            limit + 1,
        )
        .await?;
    let (page, pagination_token) = paging::page(page, limit, |j| {
        Some(paging::position_token(j.created_at, &j.job_id))
    });
    let mut jobs = Vec::with_capacity(page.len());
    for j in page {
        jobs.push(job_type(&ctx, &current(&ctx.app, j).await?));
    }
    Ok(ListUserImportJobsResponse {
        // [B] AWS's answer for a pool without jobs is not documented (the model's list has min 1);
        // an empty list keeps `resp['UserImportJobs']` working.
        user_import_jobs: Some(jobs),
        pagination_token,
    })
}

pub async fn start_user_import_job(
    ctx: Ctx,
    req: StartUserImportJobRequest,
) -> ApiResult<StartUserImportJobResponse> {
    let pool = load_pool(&ctx, req.user_pool_id.as_deref().unwrap_or_default()).await?;
    let mut job = load_job(&ctx, &pool, req.job_id.as_deref().unwrap_or_default()).await?;
    if job.status != CREATED {
        // [B] AWS's text for starting a job twice (or an expired one) is not documented.
        return Err(precondition(format!(
            "Import job {} cannot be started: its status is {}.",
            job.job_id, job.status
        )));
    }
    if !job.has_csv {
        // Observed text (amplify-js#6416).
        return Err(precondition(format!(
            "No csv file was uploaded for {}",
            job.job_id
        )));
    }
    if pool.auto_verified_attributes().is_empty() {
        // DG: "If the user pool has no auto-verified attributes, the import job will not start."
        // [B] the text.
        return Err(precondition(
            "The user pool must have at least one auto verified attribute to import users.",
        ));
    }
    job.status = PENDING.into();
    job.started_at = Some(ctx.app.clock.epoch());
    if !ctx
        .app
        .store
        .transition_import_job(&job, &[CREATED], false)
        .await?
    {
        return Err(precondition(format!(
            "Import job {} cannot be started: it was started or stopped meanwhile.",
            job.job_id
        )));
    }
    let started = job_type(&ctx, &job);
    let task = tokio::spawn(run_import(ctx.clone(), pool, job));
    match task.await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::error!(error = %e, "user import failed"),
        Err(e) => tracing::error!(error = %e, "user import task failed"),
    }
    Ok(StartUserImportJobResponse {
        user_import_job: Some(started),
    })
}

pub async fn stop_user_import_job(
    ctx: Ctx,
    req: StopUserImportJobRequest,
) -> ApiResult<StopUserImportJobResponse> {
    let pool = load_pool(&ctx, req.user_pool_id.as_deref().unwrap_or_default()).await?;
    let mut job = load_job(&ctx, &pool, req.job_id.as_deref().unwrap_or_default()).await?;
    let running = [PENDING, IN_PROGRESS];
    let not_running = |job: &ImportJobRecord| {
        // [B] AWS's text is not documented; only a running job can be stopped (DG).
        precondition(format!(
            "Import job {} cannot be stopped: its status is {}.",
            job.job_id, job.status
        ))
    };
    if !running.contains(&job.status.as_str()) {
        return Err(not_running(&job));
    }
    job.status = STOPPED.into();
    job.completed_at = Some(ctx.app.clock.epoch());
    job.completion_message = Some(STOPPED_BY_DEVELOPER.into());
    if !ctx
        .app
        .store
        .transition_import_job(&job, &running, true)
        .await?
    {
        let now = load_job(&ctx, &pool, &job.job_id).await?;
        return Err(not_running(&now));
    }
    Ok(StopUserImportJobResponse {
        user_import_job: Some(job_type(&ctx, &job)),
    })
}

// ---------------------------------------------------------------------------------------------
// The import
// ---------------------------------------------------------------------------------------------

/// What became of one line.
#[derive(Debug, PartialEq, Eq)]
enum RowOutcome {
    Imported,
    Skipped(String),
    Failed(String),
}

impl RowOutcome {
    fn log_line(&self, line: usize) -> String {
        let (tag, text) = match self {
            RowOutcome::Imported => ("SUCCEEDED", LINE_SUCCEEDED),
            RowOutcome::Skipped(t) => ("SKIPPED", t.as_str()),
            RowOutcome::Failed(t) => ("FAILED", t.as_str()),
        };
        format!("[{tag}] Line Number {line} - {}\n", text.trim_end())
    }
}

/// Pending -> InProgress -> Succeeded / Failed, or Stopped by StopUserImportJob on the way.
async fn run_import(ctx: Ctx, pool: Arc<UserPoolType>, mut job: ImportJobRecord) -> ApiResult<()> {
    let store = &ctx.app.store;
    job.status = IN_PROGRESS.into();
    if !store.transition_import_job(&job, &[PENDING], false).await? {
        return Ok(());
    }
    let csv = store.import_job_csv(&job.job_id).await?.unwrap_or_default();
    let text = match std::str::from_utf8(&csv) {
        Ok(t) => t,
        Err(_) => return fail_job(&ctx, job, UNPARSABLE, None).await,
    };
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    let expected = csv_header(&pool);
    let columns = match lines.next() {
        Some((_, first)) => match parse_header(first, &expected) {
            Ok(c) => c,
            Err(why) => return fail_job(&ctx, job, UNPARSABLE, Some(&why)).await,
        },
        None => return fail_job(&ctx, job, UNPARSABLE, Some("The file is empty.")).await,
    };
    let rows: Vec<(usize, &str)> = lines.filter(|(_, l)| !l.trim().is_empty()).collect();
    if rows.len() > MAX_ROWS {
        let why = format!("The file has more than {MAX_ROWS} users.");
        return fail_job(&ctx, job, UNPARSABLE, Some(&why)).await;
    }
    let mfa_level = store
        .get_pool_mfa(pool.pool_id())
        .await?
        .and_then(|m| m.mfa_configuration)
        .unwrap_or_else(|| "OFF".into());
    let mut log = String::new();
    for (done, (line, row)) in rows.iter().enumerate() {
        let outcome = import_row(&ctx, &pool, &mfa_level, &columns, row).await;
        match &outcome {
            RowOutcome::Imported => job.imported_users += 1,
            RowOutcome::Skipped(_) => job.skipped_users += 1,
            RowOutcome::Failed(_) => job.failed_users += 1,
        }
        log.push_str(&outcome.log_line(*line));
        if (done + 1) % PROGRESS_EVERY == 0 {
            let status = store
                .record_import_progress(&job.job_id, counts(&job), &std::mem::take(&mut log))
                .await?;
            if status.as_deref() != Some(IN_PROGRESS) {
                // Stopped (or the pool deleted): what was imported stays imported.
                return Ok(());
            }
        }
    }
    store
        .record_import_progress(&job.job_id, counts(&job), &log)
        .await?;
    let any_imported = job.imported_users > 0;
    let any_bad = job.skipped_users + job.failed_users > 0;
    // [B] The DG shows a job Failed with "Too many users have failed or been skipped" after 5 failed
    // users and none imported; the threshold is not documented. Here a job fails when no user
    // could be imported; with at least one imported user it succeeds and counts the others.
    let (status, message) = if !any_imported && any_bad {
        (FAILED, TOO_MANY_FAILED)
    } else {
        (SUCCEEDED, COMPLETED)
    };
    job.status = status.into();
    job.completed_at = Some(ctx.app.clock.epoch());
    job.completion_message = Some(message.into());
    store
        .transition_import_job(&job, &[IN_PROGRESS], true)
        .await?;
    Ok(())
}

fn counts(job: &ImportJobRecord) -> (i64, i64, i64) {
    (job.imported_users, job.skipped_users, job.failed_users)
}

/// The whole file is refused: the job fails, with the reason in the log as line 1 (the header).
async fn fail_job(
    ctx: &Ctx,
    mut job: ImportJobRecord,
    message: &str,
    why: Option<&str>,
) -> ApiResult<()> {
    let store = &ctx.app.store;
    let log = format!("[FAILED] Line Number 1 - {}\n", why.unwrap_or(message));
    store
        .record_import_progress(&job.job_id, counts(&job), &log)
        .await?;
    job.status = FAILED.into();
    job.completed_at = Some(ctx.app.clock.epoch());
    job.completion_message = Some(message.into());
    store
        .transition_import_job(&job, &[IN_PROGRESS], true)
        .await?;
    Ok(())
}

/// Splits a line at commas that no backslash escapes; `\,` stands for a comma in a value (DG).
fn split_line(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut current = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&',') => {
                current.push(',');
                chars.next();
            }
            ',' => fields.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    fields.push(current);
    fields
}

/// The file's columns: exactly the pool's header columns, in any order (DG: "All columns in the
/// header must be present"). [B] an unknown or repeated column fails the whole file.
fn parse_header(line: &str, expected: &[String]) -> Result<Vec<String>, String> {
    let columns: Vec<String> = split_line(line)
        .into_iter()
        .map(|c| c.trim().to_string())
        .collect();
    for (i, c) in columns.iter().enumerate() {
        if !expected.contains(c) {
            return Err(format!(
                "The header has a column that is not in the user pool's CSV header: {c}"
            ));
        }
        if columns[..i].contains(c) {
            return Err(format!("The header has the column {c} twice."));
        }
    }
    if let Some(missing) = expected.iter().find(|e| !columns.contains(e)) {
        return Err(format!("The header lacks the column {missing}."));
    }
    Ok(columns)
}

/// `mm/dd/yyyy` (DG) as the `YYYY-MM-DD` that the attribute holds everywhere else (OIDC).
/// [B] AWS's stored form of an imported birthdate is not documented.
fn import_birthdate(value: &str) -> Option<String> {
    let parts: Vec<&str> = value.split('/').collect();
    let [m, d, y] = parts.as_slice() else {
        return None;
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(m, 2) && digits(d, 2) && digits(y, 4)) {
        return None;
    }
    chrono::NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?;
    Some(format!("{y}-{m}-{d}"))
}

/// Imports one user line. [B] the texts of failures the DG does not quote are the emulator's
/// own; the schema checks give the same texts as AdminCreateUser. No value is written to the log
/// (DG: "No user data is written to the log").
async fn import_row(
    ctx: &Ctx,
    pool: &UserPoolType,
    mfa_level: &str,
    columns: &[String],
    row: &str,
) -> RowOutcome {
    let failed = |t: &str| RowOutcome::Failed(t.to_string());
    if row.chars().count() > MAX_ROW_CHARS {
        return failed("The line is longer than 16,000 characters.");
    }
    let fields = split_line(row);
    if fields.len() != columns.len() {
        return failed("The line does not have as many values as the header has columns.");
    }
    let values: HashMap<&str, &str> = columns
        .iter()
        .map(String::as_str)
        .zip(fields.iter().map(|f| f.trim()))
        .collect();
    let username = values.get(USERNAME_COLUMN).copied().unwrap_or_default();
    if username.is_empty() {
        return failed("cognito:username is required.");
    }
    if username.contains([' ', '\t']) {
        return failed("cognito:username cannot contain spaces or tabs.");
    }
    let mfa_enabled = match values
        .get(MFA_COLUMN)
        .map(|v| v.to_ascii_lowercase())
        .as_deref()
    {
        Some("true") => true,
        Some("false") => false,
        _ => return failed("cognito:mfa_enabled must be true or false."),
    };
    match (mfa_level, mfa_enabled) {
        ("ON", false) => {
            return failed("cognito:mfa_enabled must be true: MFA is required in this user pool.")
        }
        ("OFF", true) => {
            return failed("cognito:mfa_enabled must be false: MFA is off in this user pool.")
        }
        _ => {}
    }
    let mut given = Vec::new();
    for (name, value) in columns.iter().zip(fields.iter().map(|f| f.trim())) {
        if name.starts_with("cognito:") || value.is_empty() {
            continue;
        }
        let value = match name.as_str() {
            "birthdate" => match import_birthdate(value) {
                Some(v) => v,
                None => return failed("birthdate must be in the format mm/dd/yyyy."),
            },
            "updated_at" if value.parse::<u64>().is_err() => {
                return failed("updated_at must be a time in epoch seconds.")
            }
            _ => value.to_string(),
        };
        given.push(AttributeType {
            name: Some(name.clone()),
            value: Some(value),
        });
    }
    let attrs = match attributes::check_write(pool, None, &given, WriteMode::AdminCreate) {
        Ok(a) => a,
        Err(e) => return failed(e.message.as_deref().unwrap_or_default()),
    };
    let verified = |attr: &str| {
        attributes::verified_flag(attr).is_some_and(|flag| attributes::is_true(&attrs, flag))
    };
    let auto = pool.auto_verified_attributes();
    let auto_ok = if auto.len() == 1 {
        verified(&auto[0])
    } else {
        auto.iter().any(|a| verified(a))
    };
    if !auto_ok {
        return failed(NOT_AUTO_VERIFIED);
    }
    if mfa_enabled && !attrs.contains_key(PHONE) {
        // SMS is the MFA an imported user gets; it needs a number to text.
        return failed("cognito:mfa_enabled true requires a phone_number.");
    }
    let created = create_user(
        ctx,
        pool,
        NewUser {
            requested_username: username,
            sub: None,
            attributes: attrs,
            password: None,
            status: UserStatus::ResetRequired,
            force_alias_creation: false,
            exists_message: LINE_EXISTS,
            session: None,
        },
    )
    .await;
    let mut user = match created {
        Ok(u) => u,
        Err(e) if e.code == "UsernameExistsException" => {
            return RowOutcome::Skipped(LINE_EXISTS.into())
        }
        Err(e) if e.code == "InternalErrorException" => {
            return failed("The user couldn't be imported due to an internal error.")
        }
        Err(e) => return failed(e.message.as_deref().unwrap_or_default()),
    };
    if mfa_enabled {
        let mut mfa = UserMfa::of(&user);
        mfa.set_enabled(Factor::Sms, true);
        mfa.save(&mut user);
        if ctx.app.store.update_user(&user).await.is_err() {
            return failed("The user couldn't be imported due to an internal error.");
        }
    }
    RowOutcome::Imported
}

// ---------------------------------------------------------------------------------------------
// Emulator routes: the upload (S3's part) and the results log (CloudWatch's part)
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backslash_escapes_a_comma_and_nothing_else() {
        assert_eq!(split_line(r"a,b\,c,,d\e"), vec!["a", "b,c", "", r"d\e"]);
        assert_eq!(split_line(""), vec![""]);
    }

    #[test]
    fn birthdates_are_month_day_year() {
        assert_eq!(
            import_birthdate("02/01/1985").as_deref(),
            Some("1985-02-01")
        );
        assert_eq!(import_birthdate("1985-02-01"), None);
        assert_eq!(import_birthdate("13/01/1985"), None);
        assert_eq!(import_birthdate("2/1/1985"), None);
    }

    #[test]
    fn the_header_must_have_every_column_once_in_any_order() {
        let expected: Vec<String> = ["email", MFA_COLUMN, USERNAME_COLUMN]
            .map(String::from)
            .to_vec();
        assert!(parse_header("cognito:username, email ,cognito:mfa_enabled", &expected).is_ok());
        assert!(parse_header("cognito:username,email", &expected).is_err());
        assert!(parse_header(
            "cognito:username,email,cognito:mfa_enabled,email",
            &expected
        )
        .is_err());
        assert!(parse_header("cognito:username,email,cognito:mfa_enabled,x", &expected).is_err());
    }
}
