//! Identifiers in the formats real Cognito uses (patterns from `model/service-2.json`), so clients
//! that parse them work.

use crate::util::{random_string, ALNUM, LOWER_ALNUM};

/// The region of a pool created by a request that names none (an unsigned request, seeding).
/// Signed requests create pools in the region of their SigV4 credential scope; clients take a
/// pool's region from the part of its id before `_`.
pub const REGION: &str = "us-east-1";
/// The account id in ARNs.
pub const ACCOUNT_ID: &str = "123456789012";

/// `<region>_` + 9 alphanumerics (the length **[B]**): exactly one underscore, because clients
/// split on it (amazon-cognito-identity-js `CognitoUserPool.js`, amplify-js
/// `packages/auth/src/foundation/parsers/regionParsers.ts`).
pub fn user_pool_id(region: &str) -> String {
    format!("{region}_{}", random_string(ALNUM, 9))
}

/// The region part of a pool id (`eu-west-1_Abc` → `eu-west-1`), or [`REGION`] for a malformed id.
pub fn region_of(pool_id: &str) -> &str {
    pool_id
        .split_once('_')
        .map(|(r, _)| r)
        .filter(|r| is_region(r))
        .unwrap_or(REGION)
}

/// A region name as pool ids carry it (`[a-z0-9-]+`: no `_`, which separates the id's parts).
pub fn is_region(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
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

/// A pool's ARN names the region of its id.
pub fn user_pool_arn(pool_id: &str) -> String {
    let region = region_of(pool_id);
    format!("arn:aws:cognito-idp:{region}:{ACCOUNT_ID}:userpool/{pool_id}")
}
