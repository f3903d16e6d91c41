//! Identifiers in the formats real Cognito uses (patterns from `model/service-2.json`), so clients
//! that parse them work.

use crate::util::{random_string, ALNUM, LOWER_ALNUM};

/// The region every pool id and ARN carries. Clients take it from the part before `_`.
pub const REGION: &str = "us-east-1";
/// The account id in ARNs.
pub const ACCOUNT_ID: &str = "123456789012";

/// `us-east-1_` + 9 alphanumerics (the length **[B]**): exactly one underscore, because clients
/// split on it (amazon-cognito-identity-js `CognitoUserPool.js`, amplify-js
/// `packages/auth/src/foundation/parsers/regionParsers.ts`).
pub fn user_pool_id() -> String {
    format!("{REGION}_{}", random_string(ALNUM, 9))
}

/// 26 lower-case alphanumerics, like real app client ids.
pub fn client_id() -> String {
    random_string(LOWER_ALNUM, 26)
}

/// 51 lower-case alphanumerics, like real generated client secrets.
pub fn client_secret() -> String {
    random_string(LOWER_ALNUM, 51)
}

/// A user's `sub`: UUID text (recent real ones are version 7).
pub fn sub() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The opaque `Session` of a sign-in or sign-up: 96 random bytes as base64url, the length and
/// look of Cognito's session blobs. SRP exchanges are the one other kind of session id
/// (`flow::srp::exchange_id`): there the client holds a SECRET_BLOCK and the row is found by its
/// hash.
pub fn session_id() -> String {
    crate::util::random_token(96)
}

pub fn user_pool_arn(pool_id: &str) -> String {
    format!("arn:aws:cognito-idp:{REGION}:{ACCOUNT_ID}:userpool/{pool_id}")
}
