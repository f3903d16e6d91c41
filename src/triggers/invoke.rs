//! Running a trigger: one HTTP/1.1 POST of the event, to the Lambda Invoke API
//! (`/2015-03-31/functions/NAME/invocations`, what `sam local start-lambda` and LocalStack serve)
//! or to a webhook, bounded by the trigger timeout, with failures turned into the exceptions
//! Cognito answers (the Lambda exceptions each operation lists in the API Reference): the
//! function's own error → UserLambdaValidationException
//! "<Trigger> failed with error <message>."; no answer in time → UnexpectedLambdaException
//! "<Trigger> invocation failed due to error Socket timeout while invoking Lambda function.";
//! output that is not JSON → InvalidLambdaResponseException.
//!
//! Events are never logged: a UserMigration event carries the user's password.

use crate::domain::triggers::Trigger;
use crate::error::ApiError;
use crate::outbound::{self, parse_url, HttpUrl};
use hyper::body::Bytes;
use serde_json::Value;
use std::time::Duration;

/// Lambda's synchronous payload limit; a larger answer is not a trigger response.
const MAX_RESPONSE_BYTES: usize = 6 * 1024 * 1024;

/// Where a trigger's event goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The Lambda Invoke API at `endpoint`, function `function` (the name from the ARN) and
    /// optional version / alias `qualifier`.
    Lambda {
        endpoint: String,
        function: String,
        qualifier: Option<String>,
        region: String,
    },
    /// The event is posted as is and the answer is the returned event.
    Webhook { url: String },
}

impl Target {
    /// For logs: where the event went, without anything from the event.
    pub fn describe(&self) -> String {
        match self {
            Target::Lambda {
                endpoint, function, ..
            } => format!("lambda {function} at {endpoint}"),
            Target::Webhook { url } => format!("webhook {url}"),
        }
    }
}

fn percent_encode_segment(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

struct Answer {
    status: u16,
    function_error: bool,
    error_type: Option<String>,
    body: Bytes,
}

fn unexpected(trigger: Trigger, detail: &str) -> ApiError {
    ApiError::new(
        "UnexpectedLambdaException",
        format!(
            "{} invocation failed due to error {detail}.",
            trigger.name()
        ),
    )
}

fn validation(trigger: Trigger, message: &str) -> ApiError {
    ApiError::new(
        "UserLambdaValidationException",
        format!("{} failed with error {message}.", trigger.name()),
    )
}

pub fn unrecognizable() -> ApiError {
    ApiError::new(
        "InvalidLambdaResponseException",
        "Unrecognizable lambda output",
    )
}

fn invalid_json() -> ApiError {
    ApiError::new(
        "InvalidLambdaResponseException",
        "Invalid lambda function output : Invalid JSON",
    )
}

async fn post(url: &HttpUrl, headers: &[(&str, String)], body: Vec<u8>) -> Result<Answer, String> {
    let mut headers = headers.to_vec();
    headers.push(("content-type", "application/json".to_string()));
    let answer = outbound::request("POST", url, &headers, body, MAX_RESPONSE_BYTES).await?;
    let header = |name: &str| {
        answer
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    Ok(Answer {
        status: answer.status,
        function_error: header("x-amz-function-error").is_some(),
        error_type: header("x-amzn-errortype"),
        body: answer.body,
    })
}

/// The message of an error payload: Lambda's `{"errorMessage": ...}`, a `message`, or the text.
fn error_message(body: &[u8]) -> String {
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        for key in ["errorMessage", "message", "Message"] {
            if let Some(m) = v.get(key).and_then(Value::as_str) {
                return m.to_string();
            }
        }
        if let Some(s) = v.as_str() {
            return s.to_string();
        }
    }
    let text = String::from_utf8_lossy(body);
    text.trim().chars().take(500).collect()
}

/// Sends `event` to `target` and returns what the function returned.
pub async fn invoke(
    trigger: Trigger,
    target: &Target,
    event: &Value,
    timeout: Duration,
) -> Result<Value, ApiError> {
    let body = serde_json::to_vec(event).map_err(ApiError::internal)?;
    let (url, headers) = match target {
        Target::Lambda {
            endpoint,
            function,
            qualifier,
            region,
        } => {
            let mut path = format!(
                "{}/2015-03-31/functions/{}/invocations",
                endpoint.trim_end_matches('/'),
                percent_encode_segment(function)
            );
            if let Some(q) = qualifier {
                path.push_str(&format!("?Qualifier={}", percent_encode_segment(q)));
            }
            // LocalStack reads the region from the credential scope; it does not check the
            // signature, and sam local ignores the header.
            let date = chrono::Utc::now().format("%Y%m%d");
            let headers = vec![
                ("x-amz-invocation-type", "RequestResponse".to_string()),
                (
                    "authorization",
                    format!(
                        "AWS4-HMAC-SHA256 Credential=cognito-emulator/{date}/{region}/lambda/aws4_request, SignedHeaders=host, Signature=0"
                    ),
                ),
            ];
            (path, headers)
        }
        Target::Webhook { url } => (url.clone(), Vec::new()),
    };
    let parsed = parse_url(&url).map_err(|e| unexpected(trigger, &e))?;
    let answer = match tokio::time::timeout(timeout, post(&parsed, &headers, body)).await {
        Err(_) => {
            return Err(unexpected(
                trigger,
                "Socket timeout while invoking Lambda function",
            ))
        }
        Ok(Err(e)) => return Err(unexpected(trigger, &e)),
        Ok(Ok(a)) => a,
    };
    let is_lambda = matches!(target, Target::Lambda { .. });
    if is_lambda && answer.function_error {
        return Err(validation(trigger, &error_message(&answer.body)));
    }
    if !(200..300).contains(&answer.status) {
        if is_lambda {
            // The Invoke API's own errors (unknown function, throttling...).
            let kind = answer
                .error_type
                .as_deref()
                .map(|t| t.split(':').next().unwrap_or(t).to_string())
                .or_else(|| {
                    serde_json::from_slice::<Value>(&answer.body)
                        .ok()
                        .and_then(|v| {
                            v.get("__type")
                                .or_else(|| v.get("Type"))
                                .and_then(Value::as_str)
                                .map(str::to_string)
                        })
                })
                .unwrap_or_else(|| match answer.status {
                    404 => "ResourceNotFoundException".to_string(),
                    s => format!("HTTP {s} from the Lambda endpoint"),
                });
            return Err(unexpected(trigger, &kind));
        }
        let message = error_message(&answer.body);
        let message = if message.is_empty() {
            format!("HTTP {}", answer.status)
        } else {
            message
        };
        return Err(validation(trigger, &message));
    }
    serde_json::from_slice(&answer.body).map_err(|_| invalid_json())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_payloads() {
        assert_eq!(
            error_message(br#"{"errorMessage":"Bad domain","errorType":"Error"}"#),
            "Bad domain"
        );
        assert_eq!(error_message(b"  plain text \n"), "plain text");
    }
}
