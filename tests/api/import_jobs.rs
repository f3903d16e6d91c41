//! User import jobs through the AWS SDK for Rust, with the CSV uploaded by a plain HTTP PUT to the
//! job's PreSignedUrl, as boto3 and curl users do.

use crate::helpers::*;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeDataType, AuthFlowType, SchemaAttributeType, SmsMfaConfigType,
    UserImportJobStatusType, UserImportJobType, UserPoolMfaType, UserStatusType,
    VerifiedAttributeType,
};
use reqwest::StatusCode;
use serde_json::{json, Value};

const ROLE: &str = "arn:aws:iam::123456789012:role/CognitoImportRole";
const NEW_PASSWORD: &str = "Imported-Passw0rd!";

/// A pool that auto-verifies email and has one custom attribute, as import jobs need.
async fn import_pool(app: &TestApp) -> String {
    let out = app
        .client
        .create_user_pool()
        .pool_name("imports")
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .schema(
            SchemaAttributeType::builder()
                .name("tier")
                .attribute_data_type(AttributeDataType::String)
                .build(),
        )
        .send()
        .await
        .expect("CreateUserPool");
    out.user_pool()
        .and_then(|p| p.id())
        .expect("a pool id")
        .to_string()
}

async fn create_job(app: &TestApp, pool: &str, name: &str) -> UserImportJobType {
    app.client
        .create_user_import_job()
        .user_pool_id(pool)
        .job_name(name)
        .cloud_watch_logs_role_arn(ROLE)
        .send()
        .await
        .expect("CreateUserImportJob")
        .user_import_job
        .expect("UserImportJob")
}

async fn describe(app: &TestApp, pool: &str, job_id: &str) -> UserImportJobType {
    app.client
        .describe_user_import_job()
        .user_pool_id(pool)
        .job_id(job_id)
        .send()
        .await
        .expect("DescribeUserImportJob")
        .user_import_job
        .expect("UserImportJob")
}

/// PUTs `csv` to the URL as the DG's curl command does; returns the status and body.
async fn upload(app: &TestApp, url: &str, csv: &str, sse: Option<&str>) -> (StatusCode, String) {
    let mut req = app.http.put(url).body(csv.to_string());
    if let Some(v) = sse {
        req = req.header("x-amz-server-side-encryption", v);
    }
    let resp = req.send().await.expect("the emulator answers");
    let status = resp.status();
    (status, resp.text().await.unwrap_or_default())
}

/// Creates a job, uploads `csv` and starts it; returns the job as Describe shows it afterwards.
async fn import(app: &TestApp, pool: &str, csv: &str) -> UserImportJobType {
    let job = create_job(app, pool, "import").await;
    let (status, body) = upload(app, job.pre_signed_url().unwrap(), csv, Some("aws:kms")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let job_id = job.job_id().unwrap();
    app.client
        .start_user_import_job()
        .user_pool_id(pool)
        .job_id(job_id)
        .send()
        .await
        .expect("StartUserImportJob");
    describe(app, pool, job_id).await
}

/// The header columns of `import_pool`, in GetCSVHeader's order.
const HEADER: &str = "name,given_name,family_name,middle_name,nickname,preferred_username,profile,picture,website,email,email_verified,gender,birthdate,zoneinfo,locale,phone_number,phone_number_verified,address,updated_at,custom:tier,cognito:mfa_enabled,cognito:username";

/// A data line of `HEADER`: the named values, the rest empty.
fn line(values: &[(&str, &str)]) -> String {
    HEADER
        .split(',')
        .map(|c| {
            values
                .iter()
                .find(|(k, _)| *k == c)
                .map(|(_, v)| *v)
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn user_line(username: &str, email: &str) -> String {
    line(&[
        ("cognito:username", username),
        ("email", email),
        ("email_verified", "TRUE"),
        ("cognito:mfa_enabled", "FALSE"),
    ])
}

async fn log_events(app: &TestApp, job_id: &str) -> Vec<String> {
    let (status, _, body) = app.get(&format!("/_emulator/import/{job_id}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["events"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

async fn attributes_of(app: &TestApp, pool: &str, username: &str) -> (UserStatusType, Value) {
    let u = app
        .client
        .admin_get_user()
        .user_pool_id(pool)
        .username(username)
        .send()
        .await
        .expect("AdminGetUser");
    let attrs: serde_json::Map<String, Value> = u
        .user_attributes()
        .iter()
        .filter(|a| a.name() != "sub")
        .map(|a| (a.name().to_string(), json!(a.value().unwrap_or_default())))
        .collect();
    (
        u.user_status().cloned().expect("UserStatus"),
        Value::Object(attrs),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_csv_header_lists_the_schema_attributes_then_mfa_and_username() {
    let app = spawn_app().await;
    let pool = import_pool(&app).await;
    let out = app
        .client
        .get_csv_header()
        .user_pool_id(&pool)
        .send()
        .await
        .expect("GetCSVHeader");
    assert_eq!(out.user_pool_id(), Some(pool.as_str()));
    assert_eq!(out.csv_header().join(","), HEADER);

    assert_sdk_err(
        app.client
            .get_csv_header()
            .user_pool_id("us-east-1_nothere")
            .send()
            .await,
        "ResourceNotFoundException",
        "User pool us-east-1_nothere does not exist.",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_job_is_created_with_an_upload_url_and_listed_newest_first() {
    let app = spawn_app().await;
    let pool = import_pool(&app).await;
    let first = create_job(&app, &pool, "first").await;
    let job_id = first.job_id().expect("JobId").to_string();
    assert_eq!(job_id.len(), "import-".len() + 10, "{job_id}");
    assert!(job_id.starts_with("import-"), "{job_id}");
    assert_eq!(first.job_name(), Some("first"));
    assert_eq!(first.user_pool_id(), Some(pool.as_str()));
    assert_eq!(
        first.pre_signed_url(),
        Some(app.url(&format!("/_emulator/import/{job_id}")).as_str())
    );
    assert_eq!(first.status(), Some(&UserImportJobStatusType::Created));
    assert_eq!(first.cloud_watch_logs_role_arn(), Some(ROLE));
    assert_eq!(
        (
            first.imported_users(),
            first.skipped_users(),
            first.failed_users()
        ),
        (0, 0, 0)
    );
    assert!(first.creation_date().is_some());
    assert!(first.start_date().is_none() && first.completion_date().is_none());
    assert!(first.completion_message().is_none());
    assert_eq!(describe(&app, &pool, &job_id).await, first);

    app.advance_clock(1).await;
    let second = create_job(&app, &pool, "second").await;
    app.advance_clock(1).await;
    let third = create_job(&app, &pool, "third").await;
    let page = app
        .client
        .list_user_import_jobs()
        .user_pool_id(&pool)
        .max_results(2)
        .send()
        .await
        .expect("ListUserImportJobs");
    let names: Vec<_> = page
        .user_import_jobs()
        .iter()
        .filter_map(|j| j.job_name())
        .collect();
    assert_eq!(names, ["third", "second"]);
    assert_eq!(page.user_import_jobs()[0], third);
    assert_eq!(page.user_import_jobs()[1], second);
    let rest = app
        .client
        .list_user_import_jobs()
        .user_pool_id(&pool)
        .max_results(2)
        .pagination_token(page.pagination_token().expect("a next page"))
        .send()
        .await
        .expect("ListUserImportJobs page 2");
    assert_eq!(rest.user_import_jobs(), [first]);
    assert_eq!(rest.pagination_token(), None);

    // Another pool sees none of them.
    let other = import_pool(&app).await;
    let none = app
        .client
        .list_user_import_jobs()
        .user_pool_id(&other)
        .max_results(60)
        .send()
        .await
        .expect("ListUserImportJobs");
    assert!(none.user_import_jobs().is_empty());
    assert_sdk_err(
        app.client
            .describe_user_import_job()
            .user_pool_id(&other)
            .job_id(&job_id)
            .send()
            .await,
        "ResourceNotFoundException",
        &format!("Import job {job_id} does not exist."),
    );
    assert_sdk_err(
        app.client
            .list_user_import_jobs()
            .user_pool_id(&pool)
            .max_results(2)
            .pagination_token("not-a-token")
            .send()
            .await,
        "InvalidParameterException",
        "Invalid pagination token.",
    );
    assert_sdk_err(
        app.client
            .create_user_import_job()
            .user_pool_id("us-east-1_nothere")
            .job_name("x")
            .cloud_watch_logs_role_arn(ROLE)
            .send()
            .await,
        "ResourceNotFoundException",
        "User pool us-east-1_nothere does not exist.",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_creates_reset_required_users_and_counts_skipped_and_failed_lines() {
    let app = spawn_app().await;
    let pool = import_pool(&app).await;
    let csv = [
        HEADER.to_string(),
        line(&[
            ("cognito:username", "alice"),
            ("name", r"Liddell\, Alice"),
            ("email", " alice@example.com "),
            ("email_verified", "TRUE"),
            ("birthdate", "02/01/1985"),
            ("custom:tier", "gold"),
            ("cognito:mfa_enabled", "FALSE"),
        ]),
        // Not verified: the pool's only auto-verified attribute must be true.
        line(&[
            ("cognito:username", "carol"),
            ("email", "carol@example.com"),
            ("email_verified", "false"),
            ("cognito:mfa_enabled", "false"),
        ]),
        user_line("alice", "alice2@example.com"),
        String::new(),
        user_line("bob", "not-an-email"),
        user_line("dave", "dave@example.com"),
    ]
    .join("\r\n");
    let job = import(&app, &pool, &csv).await;
    assert_eq!(job.status(), Some(&UserImportJobStatusType::Succeeded));
    assert_eq!(
        (
            job.imported_users(),
            job.skipped_users(),
            job.failed_users()
        ),
        (2, 1, 2)
    );
    assert_eq!(
        job.completion_message(),
        Some("Import Job Completed Successfully.")
    );
    assert!(job.start_date().is_some() && job.completion_date().is_some());

    let (status, attrs) = attributes_of(&app, &pool, "alice").await;
    assert_eq!(status, UserStatusType::ResetRequired);
    assert_eq!(
        attrs,
        json!({
            "birthdate": "1985-02-01",
            "custom:tier": "gold",
            "email": "alice@example.com",
            "email_verified": "true",
            "name": "Liddell, Alice",
        })
    );
    assert_eq!(
        attributes_of(&app, &pool, "dave").await.0,
        UserStatusType::ResetRequired
    );
    assert_sdk_err(
        app.client
            .admin_get_user()
            .user_pool_id(&pool)
            .username("carol")
            .send()
            .await,
        "UserNotFoundException",
        "User does not exist.",
    );

    assert_eq!(
        log_events(&app, job.job_id().unwrap()).await,
        [
            "[SUCCEEDED] Line Number 2 - The import succeeded.",
            "[FAILED] Line Number 3 - The User Record does not set any of the auto verified attributes to true. (Example: email_verified to true).",
            "[SKIPPED] Line Number 4 - The user already exists.",
            "[FAILED] Line Number 6 - Invalid email address format.",
            "[SUCCEEDED] Line Number 7 - The import succeeded.",
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imported_users_sign_in_only_after_a_password_reset() {
    let app = spawn_app().await;
    let pool = import_pool(&app).await;
    let client = app.create_client(&pool).await;
    let csv = [
        HEADER.to_string(),
        user_line("alice", "alice@example.com"),
        user_line("bob", "bob@example.com"),
    ]
    .join("\n");
    let job = import(&app, &pool, &csv).await;
    assert_eq!(job.imported_users(), 2);
    let sign_in = |user: &'static str, password: &'static str| {
        app.client
            .initiate_auth()
            .client_id(&client)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", user)
            .auth_parameters("PASSWORD", password)
            .send()
    };
    assert_sdk_err(
        sign_in("alice", NEW_PASSWORD).await,
        "PasswordResetRequiredException",
        "Password reset required for the user",
    );

    // ForgotPassword sends the code to the verified email from the file.
    app.client
        .forgot_password()
        .client_id(&client)
        .username("alice")
        .send()
        .await
        .expect("ForgotPassword");
    let code = app
        .last_code("alice", Some("FORGOT_PASSWORD"))
        .await
        .expect("a reset code");
    app.client
        .confirm_forgot_password()
        .client_id(&client)
        .username("alice")
        .confirmation_code(code)
        .password(NEW_PASSWORD)
        .send()
        .await
        .expect("ConfirmForgotPassword");
    let tokens = sign_in("alice", NEW_PASSWORD)
        .await
        .expect("alice signs in");
    assert!(tokens.authentication_result().is_some());
    assert_eq!(
        attributes_of(&app, &pool, "alice").await.0,
        UserStatusType::Confirmed
    );

    // Or an administrator sets a permanent password.
    app.client
        .admin_set_user_password()
        .user_pool_id(&pool)
        .username("bob")
        .password(NEW_PASSWORD)
        .permanent(true)
        .send()
        .await
        .expect("AdminSetUserPassword");
    assert!(sign_in("bob", NEW_PASSWORD).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_upload_url_takes_a_signed_file_only_while_the_job_is_new() {
    let app = spawn_app().await;
    let pool = import_pool(&app).await;
    let job = create_job(&app, &pool, "upload").await;
    let url = job.pre_signed_url().unwrap();
    let csv = [HEADER.to_string(), user_line("alice", "alice@example.com")].join("\n");

    // The URL is signed with the encryption header: without it S3 sees another signature.
    let (status, body) = upload(&app, url, &csv, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body.contains("<Code>SignatureDoesNotMatch</Code>"),
        "{body}"
    );
    let (status, body) = upload(
        &app,
        &app.url("/_emulator/import/import-unknown000"),
        &csv,
        Some("aws:kms"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("<Code>AccessDenied</Code>"), "{body}");

    // A second upload replaces the first, as a PUT to S3 does.
    assert_eq!(
        upload(&app, url, "garbage", Some("aws:kms")).await.0,
        StatusCode::OK
    );
    assert_eq!(
        upload(&app, url, &csv, Some("aws:kms")).await.0,
        StatusCode::OK
    );
    app.client
        .start_user_import_job()
        .user_pool_id(&pool)
        .job_id(job.job_id().unwrap())
        .send()
        .await
        .expect("StartUserImportJob");
    assert_eq!(
        describe(&app, &pool, job.job_id().unwrap())
            .await
            .imported_users(),
        1
    );
    // Once started, the job reads no other file.
    let (status, body) = upload(&app, url, &csv, Some("aws:kms")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("<Code>AccessDenied</Code>"), "{body}");

    // The URL is valid for 15 minutes.
    let late = create_job(&app, &pool, "late").await;
    app.advance_clock(15 * 60 + 1).await;
    let (status, body) = upload(&app, late.pre_signed_url().unwrap(), &csv, Some("aws:kms")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body.contains("<Message>Request has expired</Message>"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_and_stop_are_refused_outside_the_states_that_allow_them() {
    let app = spawn_app().await;
    let pool = import_pool(&app).await;
    let job = create_job(&app, &pool, "states").await;
    let job_id = job.job_id().unwrap().to_string();
    let start = |id: String| {
        app.client
            .start_user_import_job()
            .user_pool_id(&pool)
            .job_id(id)
            .send()
    };
    let stop = |id: String| {
        app.client
            .stop_user_import_job()
            .user_pool_id(&pool)
            .job_id(id)
            .send()
    };
    assert_sdk_err(
        start(job_id.clone()).await,
        "PreconditionNotMetException",
        &format!("No csv file was uploaded for {job_id}"),
    );
    assert_sdk_err(
        stop(job_id.clone()).await,
        "PreconditionNotMetException",
        &format!("Import job {job_id} cannot be stopped: its status is Created."),
    );
    assert_sdk_err(
        start("import-unknown000".into()).await,
        "ResourceNotFoundException",
        "Import job import-unknown000 does not exist.",
    );

    let csv = [HEADER.to_string(), user_line("alice", "alice@example.com")].join("\n");
    upload(&app, job.pre_signed_url().unwrap(), &csv, Some("aws:kms")).await;
    let started = start(job_id.clone())
        .await
        .expect("StartUserImportJob")
        .user_import_job
        .expect("UserImportJob");
    // The answer is the job as it started; the import is done by the time it arrives.
    assert_eq!(started.status(), Some(&UserImportJobStatusType::Pending));
    assert!(started.start_date().is_some() && started.completion_date().is_none());
    assert_eq!(started.imported_users(), 0);
    assert_eq!(
        describe(&app, &pool, &job_id).await.status(),
        Some(&UserImportJobStatusType::Succeeded)
    );
    assert_sdk_err(
        start(job_id.clone()).await,
        "PreconditionNotMetException",
        &format!("Import job {job_id} cannot be started: its status is Succeeded."),
    );
    assert_sdk_err(
        stop(job_id.clone()).await,
        "PreconditionNotMetException",
        &format!("Import job {job_id} cannot be stopped: its status is Succeeded."),
    );

    // A job not started within a day expires, file and all.
    let old = create_job(&app, &pool, "old").await;
    let old_id = old.job_id().unwrap().to_string();
    upload(&app, old.pre_signed_url().unwrap(), &csv, Some("aws:kms")).await;
    app.advance_clock(24 * 3600).await;
    assert_eq!(
        describe(&app, &pool, &old_id).await.status(),
        Some(&UserImportJobStatusType::Expired)
    );
    assert_sdk_err(
        start(old_id.clone()).await,
        "PreconditionNotMetException",
        &format!("Import job {old_id} cannot be started: its status is Expired."),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pool_without_auto_verified_attributes_cannot_start_an_import() {
    let app = spawn_app().await;
    let pool = app.create_pool("plain").await;
    let job = create_job(&app, &pool, "plain").await;
    let csv = "cognito:username\nalice";
    upload(&app, job.pre_signed_url().unwrap(), csv, Some("aws:kms")).await;
    assert_sdk_err(
        app.client
            .start_user_import_job()
            .user_pool_id(&pool)
            .job_id(job.job_id().unwrap())
            .send()
            .await,
        "PreconditionNotMetException",
        "The user pool must have at least one auto verified attribute to import users.",
    );
    assert_eq!(
        describe(&app, &pool, job.job_id().unwrap()).await.status(),
        Some(&UserImportJobStatusType::Created)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_header_or_a_file_without_one_good_user_fails_the_job() {
    let app = spawn_app().await;
    let pool = import_pool(&app).await;
    let without_mfa = HEADER.replace(",cognito:mfa_enabled", "");
    let job = import(&app, &pool, &format!("{without_mfa}\nalice")).await;
    assert_eq!(job.status(), Some(&UserImportJobStatusType::Failed));
    assert_eq!(
        job.completion_message(),
        Some("The CSV file could not be parsed.")
    );
    assert_eq!(
        (
            job.imported_users(),
            job.skipped_users(),
            job.failed_users()
        ),
        (0, 0, 0)
    );
    assert!(job.completion_date().is_some());
    assert_eq!(
        log_events(&app, job.job_id().unwrap()).await,
        ["[FAILED] Line Number 1 - The header lacks the column cognito:mfa_enabled."]
    );

    let job = import(
        &app,
        &pool,
        &[
            HEADER.to_string(),
            user_line("has space", "a@example.com"),
            line(&[("cognito:username", "b"), ("cognito:mfa_enabled", "maybe")]),
            "too,few,values".to_string(),
        ]
        .join("\n"),
    )
    .await;
    assert_eq!(job.status(), Some(&UserImportJobStatusType::Failed));
    assert_eq!(
        job.completion_message(),
        Some("Too many users have failed or been skipped during the import.")
    );
    assert_eq!(
        (
            job.imported_users(),
            job.skipped_users(),
            job.failed_users()
        ),
        (0, 0, 3)
    );
    assert_eq!(
        log_events(&app, job.job_id().unwrap()).await,
        [
            "[FAILED] Line Number 2 - cognito:username cannot contain spaces or tabs.",
            "[FAILED] Line Number 3 - cognito:mfa_enabled must be true or false.",
            "[FAILED] Line Number 4 - The line does not have as many values as the header has columns.",
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_import_can_be_stopped_between_users() {
    let app = spawn_app().await;
    let pool = import_pool(&app).await;
    let job = create_job(&app, &pool, "big").await;
    let job_id = job.job_id().unwrap().to_string();
    let total = 3000;
    let mut csv = vec![HEADER.to_string()];
    csv.extend((0..total).map(|i| user_line(&format!("user{i}"), &format!("user{i}@example.com"))));
    upload(
        &app,
        job.pre_signed_url().unwrap(),
        &csv.join("\n"),
        Some("aws:kms"),
    )
    .await;
    let runner = {
        let client = app.client.clone();
        let (pool, job_id) = (pool.clone(), job_id.clone());
        tokio::spawn(async move {
            client
                .start_user_import_job()
                .user_pool_id(pool)
                .job_id(job_id)
                .send()
                .await
        })
    };
    // Wait (without sleeping) until the import is under way.
    loop {
        let status = describe(&app, &pool, &job_id).await.status().cloned();
        if status == Some(UserImportJobStatusType::InProgress) {
            break;
        }
        assert_ne!(
            status,
            Some(UserImportJobStatusType::Succeeded),
            "finished too soon"
        );
        tokio::task::yield_now().await;
    }
    let stopped = app
        .client
        .stop_user_import_job()
        .user_pool_id(&pool)
        .job_id(&job_id)
        .send()
        .await
        .expect("StopUserImportJob")
        .user_import_job
        .expect("UserImportJob");
    assert_eq!(stopped.status(), Some(&UserImportJobStatusType::Stopped));
    assert_eq!(
        stopped.completion_message(),
        Some("The Import Job was stopped by the developer.")
    );
    assert!(stopped.completion_date().is_some());
    runner
        .await
        .expect("the Start task")
        .expect("StartUserImportJob");
    let after = describe(&app, &pool, &job_id).await;
    assert_eq!(after.status(), Some(&UserImportJobStatusType::Stopped));
    assert!(
        after.imported_users() > 0 && after.imported_users() < total,
        "{after:?}"
    );
    assert_eq!(
        log_events(&app, &job_id).await.len() as i64,
        after.imported_users()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cognito_mfa_enabled_follows_the_pool_mfa_setting_and_turns_on_sms_mfa() {
    let app = spawn_app().await;
    let pool = import_pool(&app).await;
    let with_mfa = |name: &str, phone: &str| {
        line(&[
            ("cognito:username", name),
            ("email", "x@example.com"),
            ("email_verified", "true"),
            ("phone_number", phone),
            ("cognito:mfa_enabled", "true"),
        ])
    };
    // MFA is off in a new pool: nobody may have it.
    let job = import(
        &app,
        &pool,
        &[HEADER.to_string(), with_mfa("early", "+15555550100")].join("\n"),
    )
    .await;
    assert_eq!(
        log_events(&app, job.job_id().unwrap()).await,
        ["[FAILED] Line Number 2 - cognito:mfa_enabled must be false: MFA is off in this user pool."]
    );

    app.client
        .set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .mfa_configuration(UserPoolMfaType::Optional)
        .sms_mfa_configuration(
            SmsMfaConfigType::builder()
                .sms_authentication_message("Your code is {####}")
                .build(),
        )
        .send()
        .await
        .expect("SetUserPoolMfaConfig");
    let job = import(
        &app,
        &pool,
        &[
            HEADER.to_string(),
            with_mfa("sam", "+15555550100"),
            with_mfa("nophone", ""),
            user_line("plain", "plain@example.com"),
        ]
        .join("\n"),
    )
    .await;
    assert_eq!(
        (job.imported_users(), job.failed_users()),
        (2, 1),
        "{job:?}"
    );
    let sam = app
        .client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("sam")
        .send()
        .await
        .expect("AdminGetUser");
    assert_eq!(sam.user_mfa_setting_list(), ["SMS_MFA"]);
    let plain = app
        .client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("plain")
        .send()
        .await
        .expect("AdminGetUser");
    assert!(plain.user_mfa_setting_list().is_empty());
    assert_eq!(
        log_events(&app, job.job_id().unwrap()).await[1],
        "[FAILED] Line Number 3 - cognito:mfa_enabled true requires a phone_number."
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_that_is_not_utf8_or_starts_with_a_byte_order_mark_fails_the_job() {
    let app = spawn_app().await;
    let pool = import_pool(&app).await;
    let good = user_line("alice", "alice@example.com");
    let not_utf8 = [HEADER.as_bytes(), b"\n\xff\xfe", good.as_bytes()].concat();
    let bom = format!("\u{feff}{HEADER}\n{good}").into_bytes();
    for body in [not_utf8, bom] {
        let job = create_job(&app, &pool, "bytes").await;
        let resp = app
            .http
            .put(job.pre_signed_url().unwrap())
            .header("x-amz-server-side-encryption", "aws:kms")
            .body(body)
            .send()
            .await
            .expect("the emulator answers");
        assert_eq!(resp.status(), StatusCode::OK);
        let job_id = job.job_id().unwrap();
        app.client
            .start_user_import_job()
            .user_pool_id(&pool)
            .job_id(job_id)
            .send()
            .await
            .expect("StartUserImportJob");
        let done = describe(&app, &pool, job_id).await;
        assert_eq!(done.status(), Some(&UserImportJobStatusType::Failed));
        assert_eq!(
            done.completion_message(),
            Some("The CSV file could not be parsed.")
        );
    }
}
