//! Define / Create / Verify Auth Challenge: the three calls of the CUSTOM_AUTH loop
//! (`DefineAuthChallenge_Authentication`, `CreateAuthChallenge_Authentication`,
//! `VerifyAuthChallengeResponse_Authentication`). Reading their answers is `flow::custom`.

use super::{run, user_attributes, Call};
use crate::domain::records::UserRecord;
use crate::domain::triggers::Trigger;
use crate::error::ApiResult;
use crate::flow::custom::{self, ChallengeResult, Created, Next};
use crate::model::shapes::UserPoolType;
use crate::state::Ctx;
use serde_json::{Map, Value};

fn base(user: &UserRecord) -> Map<String, Value> {
    let mut request = Map::new();
    request.insert(
        "userAttributes".into(),
        Value::Object(user_attributes(user)),
    );
    request
}

fn history(session: &[ChallengeResult]) -> Value {
    serde_json::to_value(session).unwrap_or(Value::Array(Vec::new()))
}

pub async fn define(
    ctx: &Ctx,
    pool: &UserPoolType,
    client_id: &str,
    user: &UserRecord,
    session: &[ChallengeResult],
) -> ApiResult<Next> {
    let mut request = base(user);
    request.insert("session".into(), history(session));
    let response = run(
        ctx,
        Call {
            trigger: Trigger::DefineAuthChallenge,
            source: "DefineAuthChallenge_Authentication",
            pool,
            client_id: Some(client_id),
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
    client_id: &str,
    user: &UserRecord,
    challenge_name: &str,
    session: &[ChallengeResult],
) -> ApiResult<Created> {
    let mut request = base(user);
    request.insert("challengeName".into(), challenge_name.into());
    request.insert("session".into(), history(session));
    let response = run(
        ctx,
        Call {
            trigger: Trigger::CreateAuthChallenge,
            source: "CreateAuthChallenge_Authentication",
            pool,
            client_id: Some(client_id),
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
    client_id: &str,
    user: &UserRecord,
    private_parameters: &Map<String, Value>,
    answer: &str,
) -> ApiResult<bool> {
    let mut request = base(user);
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
            client_id: Some(client_id),
            user_name: &user.username,
            request,
            version: "1",
        },
    )
    .await?
    .ok_or_else(custom::not_configured)?;
    custom::read_verify(&response)
}
