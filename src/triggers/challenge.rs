//! Define / Create / Verify Auth Challenge: the three calls of the CUSTOM_AUTH loop
//! (`DefineAuthChallenge_Authentication`, `CreateAuthChallenge_Authentication`,
//! `VerifyAuthChallengeResponse_Authentication`). Reading their answers is `flow::custom`.

use super::{run, user_attributes, Call};
use crate::domain::client::ClientExt;
use crate::domain::records::UserRecord;
use crate::domain::triggers::Trigger;
use crate::error::ApiResult;
use crate::flow::custom::{self, ChallengeResult, Created, Next};
use crate::model::shapes::{UserPoolClientType, UserPoolType};
use crate::state::Ctx;
use serde_json::{Map, Value};

/// The request every challenge trigger gets for a known user. `userNotFound` "is populated when
/// PreventUserExistenceErrors is set to ENABLED for your user pool client" (DG, "Define Auth
/// challenge Lambda trigger"): `false` here, `true` for a username that matched nobody.
fn base(user: &UserRecord, client: &UserPoolClientType) -> Map<String, Value> {
    let mut request = Map::new();
    request.insert(
        "userAttributes".into(),
        Value::Object(user_attributes(user)),
    );
    if client.hides_user_existence() {
        request.insert("userNotFound".into(), Value::Bool(false));
    }
    request
}

fn history(session: &[ChallengeResult]) -> Value {
    serde_json::to_value(session).unwrap_or(Value::Array(Vec::new()))
}

pub async fn define(
    ctx: &Ctx,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    user: &UserRecord,
    session: &[ChallengeResult],
) -> ApiResult<Next> {
    let mut request = base(user, client);
    request.insert("session".into(), history(session));
    let response = run(
        ctx,
        Call {
            trigger: Trigger::DefineAuthChallenge,
            source: "DefineAuthChallenge_Authentication",
            pool,
            client_id: Some(client.id()),
            user_name: &user.username,
            request,
            version: "1",
        },
    )
    .await?
    .ok_or_else(custom::not_configured)?;
    custom::read_define(&response)
}

pub async fn create(
    ctx: &Ctx,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    user: &UserRecord,
    challenge_name: &str,
    session: &[ChallengeResult],
) -> ApiResult<Created> {
    let mut request = base(user, client);
    request.insert("challengeName".into(), challenge_name.into());
    request.insert("session".into(), history(session));
    let response = run(
        ctx,
        Call {
            trigger: Trigger::CreateAuthChallenge,
            source: "CreateAuthChallenge_Authentication",
            pool,
            client_id: Some(client.id()),
            user_name: &user.username,
            request,
            version: "1",
        },
    )
    .await?
    .ok_or_else(custom::not_configured)?;
    custom::read_create(&response)
}

pub async fn verify(
    ctx: &Ctx,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    user: &UserRecord,
    private_parameters: &Map<String, Value>,
    answer: &str,
) -> ApiResult<bool> {
    let mut request = base(user, client);
    request.insert(
        "privateChallengeParameters".into(),
        Value::Object(private_parameters.clone()),
    );
    request.insert("challengeAnswer".into(), answer.into());
    let response = run(
        ctx,
        Call {
            trigger: Trigger::VerifyAuthChallengeResponse,
            source: "VerifyAuthChallengeResponse_Authentication",
            pool,
            client_id: Some(client.id()),
            user_name: &user.username,
            request,
            version: "1",
        },
    )
    .await?
    .ok_or_else(custom::not_configured)?;
    custom::read_verify(&response)
}
