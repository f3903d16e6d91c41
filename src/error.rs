//! The one error type every operation returns, and its JSON 1.1 wire form.
//!
//! Cognito answers every modelled exception with HTTP 400 and only internal failures with 500 (the
//! Errors list of each operation in the API Reference); SDKs retry 500s, so a bug must never be
//! reported as one when a 4xx is the honest answer.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// An exception as Cognito puts it on the wire: `{"__type": code, "message": message}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The model's exception shape name, e.g. `NotAuthorizedException`.
    pub code: &'static str,
    /// `None` sends no message at all (UnknownOperationException does that).
    pub message: Option<String>,
    /// What went wrong inside, for an internal error: logged (once, by the HTTP layer's
    /// `log_errors`), never sent to the client.
    pub cause: Option<String>,
}

/// The cause of an internal error, carried in the response's extensions from where the error
/// became a response to the one middleware that logs it.
#[derive(Debug, Clone)]
pub struct InternalCause(pub String);

pub type ApiResult<T> = Result<T, ApiError>;

macro_rules! ctors {
    ($($fn:ident => $code:literal),* $(,)?) => {
        $(
            #[allow(dead_code)]
            pub fn $fn(message: impl Into<String>) -> Self {
                Self { code: $code, message: Some(message.into()), cause: None }
            }
        )*
    };
}

impl ApiError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: Some(message.into()),
            cause: None,
        }
    }

    ctors! {
        invalid_parameter => "InvalidParameterException",
        not_authorized => "NotAuthorizedException",
        resource_not_found => "ResourceNotFoundException",
        user_not_found => "UserNotFoundException",
        user_not_confirmed => "UserNotConfirmedException",
        username_exists => "UsernameExistsException",
        invalid_password => "InvalidPasswordException",
        code_mismatch => "CodeMismatchException",
        expired_code => "ExpiredCodeException",
        limit_exceeded => "LimitExceededException",
        alias_exists => "AliasExistsException",
        group_exists => "GroupExistsException",
        password_reset_required => "PasswordResetRequiredException",
        unsupported_operation => "UnsupportedOperationException",
        unsupported_token_type => "UnsupportedTokenTypeException",
        mfa_method_not_found => "MFAMethodNotFoundException",
        software_token_mfa_not_found => "SoftwareTokenMFANotFoundException",
        enable_software_token_mfa => "EnableSoftwareTokenMFAException",
        too_many_failed_attempts => "TooManyFailedAttemptsException",
        invalid_user_pool_configuration => "InvalidUserPoolConfigurationException",
        refresh_token_reuse => "RefreshTokenReuseException",
        unsupported_user_state => "UnsupportedUserStateException",
        concurrent_modification => "ConcurrentModificationException",
    }

    /// A body member of the wrong JSON type. AWS's JSON front end spells this one's text with a
    /// capital `Message` (observed: aws-amplify/amplify-js#4738), which the writer below honours.
    pub fn serialization(message: impl Into<String>) -> Self {
        Self::new("SerializationException", message)
    }

    pub fn unknown_operation() -> Self {
        Self {
            code: "UnknownOperationException",
            message: None,
            cause: None,
        }
    }

    /// `Missing required parameter X`, the text Cognito uses for absent AuthParameters and
    /// ChallengeResponses keys (observed, e.g. amazon-cognito-identity-js#270).
    pub fn missing_parameter(name: &str) -> Self {
        Self::invalid_parameter(format!("Missing required parameter {name}"))
    }

    /// An operation of the model that this emulator does not implement yet. A 400 with a modelled
    /// exception keeps SDKs from retrying, and the text names the operation.
    pub fn not_implemented(operation: &str) -> Self {
        Self::unsupported_operation(format!(
            "cognito-emulator does not implement {operation} yet. See the README for the list of implemented operations."
        ))
    }

    /// Internal failures: answered without details; the cause stays with the error until the
    /// HTTP layer logs it.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self {
            code: "InternalErrorException",
            message: Some("Internal server error.".into()),
            cause: Some(cause.to_string()),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self.code {
            "InternalErrorException" | "InternalServerException" => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
            _ => StatusCode::BAD_REQUEST,
        }
    }

    pub fn body(&self) -> serde_json::Value {
        let mut body = serde_json::Map::new();
        body.insert("__type".into(), self.code.into());
        if let Some(m) = &self.message {
            let key = if self.code == "SerializationException" {
                "Message"
            } else {
                "message"
            };
            body.insert(key.into(), m.clone().into());
        }
        serde_json::Value::Object(body)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {}",
            self.code,
            self.message.as_deref().unwrap_or("")
        )
    }
}

impl std::error::Error for ApiError {}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError::internal(format!("database: {e}"))
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(e: serde_json::Error) -> Self {
        ApiError::internal(format!("json: {e}"))
    }
}

/// Longest `x-amzn-errormessage` header value written, in characters.
const MAX_ERROR_MESSAGE_HEADER: usize = 2048;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.body()).unwrap_or_default();
        let mut resp = (self.status(), body).into_response();
        if let Some(cause) = &self.cause {
            resp.extensions_mut().insert(InternalCause(cause.clone()));
        }
        let h = resp.headers_mut();
        h.insert(
            "content-type",
            HeaderValue::from_static("application/x-amz-json-1.1"),
        );
        if let Ok(v) = HeaderValue::from_str(&format!("{}:", self.code)) {
            h.insert("x-amzn-errortype", v);
        }
        if let Some(m) = &self.message {
            // Header values must be visible ASCII; drop what is not rather than fail. Validation
            // messages echo the offending values, so cap the header: HTTP clients refuse a header
            // section of a few hundred kB outright, and the body carries the full text anyway.
            let ascii: String = m
                .chars()
                .filter(|c| (' '..='~').contains(c))
                .take(MAX_ERROR_MESSAGE_HEADER)
                .collect();
            if let Ok(v) = HeaderValue::from_str(&ascii) {
                h.insert("x-amzn-errormessage", v);
            }
        }
        resp
    }
}
