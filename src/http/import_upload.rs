//! The user import job's `PreSignedUrl`: the emulator's own `PUT /_emulator/import/{JobId}`
//! (where the CSV goes, as it would go to S3) and `GET /_emulator/import/{JobId}` (the per-line
//! results CloudWatch would hold). The jobs themselves are `ops::import_jobs`.

use crate::ops::import_jobs::MAX_CSV_BYTES;
use crate::ops::import_jobs::UPLOAD_URL_SECONDS;
use crate::state::App;
use crate::util::random_string;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The two routes, merged under `/_emulator` by `http::emulator::router`.
pub fn router() -> axum::Router<App> {
    axum::Router::new().route(
        "/import/{job_id}",
        axum::routing::put(upload_csv).get(import_log),
    )
}

/// An S3-style XML error, as the real pre-signed URL answers.
fn s3_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{}</RequestId></Error>",
        random_string(b"0123456789ABCDEF", 16)
    );
    let mut resp = (status, body).into_response();
    resp.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/xml"));
    resp
}

fn access_denied() -> Response {
    s3_error(StatusCode::FORBIDDEN, "AccessDenied", "Access Denied")
}

/// `PUT /_emulator/import/{job_id}`: the job's `PreSignedUrl`.
pub async fn upload_csv(
    State(app): State<App>,
    Path(job_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let job = match app.store.get_import_job(&job_id).await {
        Ok(Some(j)) => j,
        Ok(None) => return access_denied(),
        Err(e) => {
            tracing::error!(error = %e, "import upload");
            return s3_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                "We encountered an internal error. Please try again.",
            );
        }
    };
    // Cognito signs the URL with this header (DG's curl example); S3 refuses a request without it
    // as a signature mismatch (aws-sdk-js-v3#6679).
    let sse = headers
        .get("x-amz-server-side-encryption")
        .and_then(|v| v.to_str().ok());
    if sse != Some("aws:kms") {
        return s3_error(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
        );
    }
    if app.clock.epoch() > job.created_at + UPLOAD_URL_SECONDS {
        return s3_error(StatusCode::FORBIDDEN, "AccessDenied", "Request has expired");
    }
    let bytes = match axum::body::to_bytes(body, MAX_CSV_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            // [B] S3 itself takes 5 GB; Cognito's 100 MB limit is refused here, at the upload.
            return s3_error(
                StatusCode::BAD_REQUEST,
                "EntityTooLarge",
                "Your proposed upload exceeds the maximum allowed size",
            );
        }
    };
    // [B] S3 would take the file at any time within the 15 minutes; the job would not read it.
    match app.store.put_import_job_csv(&job_id, &bytes).await {
        Ok(true) => {}
        Ok(false) => return access_denied(),
        Err(e) => {
            tracing::error!(error = %e, "import upload");
            return s3_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                "We encountered an internal error. Please try again.",
            );
        }
    }
    let etag = {
        use sha2::Digest;
        format!("\"{}\"", hex::encode(&sha2::Sha256::digest(&bytes)[..16]))
    };
    let mut resp = StatusCode::OK.into_response();
    let h = resp.headers_mut();
    h.insert(
        "x-amz-server-side-encryption",
        HeaderValue::from_static("aws:kms"),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert("etag", v);
    }
    resp
}

/// `GET /_emulator/import/{job_id}`: the job's status and the per-line results AWS would write to
/// CloudWatch Logs (`[SUCCEEDED] Line Number 2 - The import succeeded.`, ...).
pub async fn import_log(State(app): State<App>, Path(job_id): Path<String>) -> Response {
    let found = match app.store.get_import_job(&job_id).await {
        Ok(j) => j,
        Err(e) => {
            tracing::error!(error = %e, "import log");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                axum::Json(serde_json::json!({"error": "internal error"})),
            )
                .into_response();
        }
    };
    let Some(job) = found else {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(serde_json::json!({"error": format!("no import job {job_id}")})),
        )
            .into_response();
    };
    let log = app
        .store
        .import_job_log(&job_id)
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    axum::Json(serde_json::json!({
        "jobId": job.job_id,
        "userPoolId": job.pool_id,
        "status": job.status,
        "events": log.lines().collect::<Vec<_>>(),
    }))
    .into_response()
}
