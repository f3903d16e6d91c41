//! Table tests: (pool configuration, client, user state, event) -> outcome, for every edge of the
//! decision order. New challenge families add rows here.

use super::*;
use crate::domain::pool::{default_password_policy, standard_schema};
use crate::model::shapes::{PasswordPolicyType, UserPoolPolicyType};

const NOW: f64 = 1_000_000.0;
const DAY: f64 = 86_400.0;

struct Fixture {
    pool: UserPoolType,
    mfa: GetUserPoolMfaConfigResponse,
    client: UserPoolClientType,
}

fn fixture() -> Fixture {
    let mut schema = standard_schema();
    for a in schema.iter_mut() {
        if matches!(a.name.as_deref(), Some("email") | Some("name")) {
            a.required = Some(true);
        }
        if a.name.as_deref() == Some("email") {
            a.mutable = Some(true);
        }
    }
    Fixture {
        pool: UserPoolType {
            id: Some("us-east-1_Test12345".into()),
            schema_attributes: Some(schema),
            policies: Some(UserPoolPolicyType {
                password_policy: Some(default_password_policy()),
                ..Default::default()
            }),
            ..Default::default()
        },
        mfa: GetUserPoolMfaConfigResponse {
            mfa_configuration: Some("OFF".into()),
            ..Default::default()
        },
        client: UserPoolClientType {
            client_id: Some("client".into()),
            user_pool_id: Some("us-east-1_Test12345".into()),
            ..Default::default()
        },
    }
}

fn env(f: &Fixture) -> Env<'_> {
    Env {
        pool: &f.pool,
        pool_mfa: &f.mfa,
        client: &f.client,
        flow: "USER_PASSWORD_AUTH",
        now: NOW,
    }
}

fn user(status: &str) -> UserRecord {
    let mut u = UserRecord {
        pool_id: "us-east-1_Test12345".into(),
        sub: "0b6e2c4a-0000-7000-8000-000000000001".into(),
        username: "alice".into(),
        username_key: "alice".into(),
        status: status.into(),
        enabled: true,
        password_set_at: Some(NOW - DAY),
        created_at: NOW - DAY,
        modified_at: NOW - DAY,
        mfa: serde_json::json!({}),
        ..Default::default()
    };
    u.attributes
        .insert("email".into(), "alice@example.com".into());
    u.attributes.insert("email_verified".into(), "true".into());
    u.attributes.insert("name".into(), "Alice".into());
    u
}

/// "Tokens", "Challenge NAME" or "Code: message".
fn show(o: &Outcome) -> String {
    match o {
        Outcome::Tokens => "Tokens".into(),
        Outcome::Challenge(c) => format!("Challenge {}", c.name()),
        Outcome::Error(e) => format!("{}: {}", e.code, e.message.clone().unwrap_or_default()),
    }
}

type Tweak = fn(&mut Fixture, &mut Option<UserRecord>);

#[test]
fn password_sign_in_follows_the_decision_order() {
    let none: Tweak = |_, _| {};
    let cases: Vec<(&str, Tweak, bool, &str)> = vec![
        ("confirmed user, right password", none, true, "Tokens"),
        ("confirmed user, wrong password", none, false, "NotAuthorizedException: Incorrect username or password."),
        ("unknown user, LEGACY client", |_, u| *u = None, true, "UserNotFoundException: User does not exist."),
        ("unknown user, ENABLED client", |f, u| {
            *u = None;
            f.client.prevent_user_existence_errors = Some("ENABLED".into());
        }, true, "NotAuthorizedException: Incorrect username or password."),
        ("disabled user", |_, u| if let Some(u) = u { u.enabled = false }, true,
         "NotAuthorizedException: User is disabled."),
        ("disabled beats unconfirmed", |_, u| if let Some(u) = u { u.enabled = false; u.status = "UNCONFIRMED".into() },
         true, "NotAuthorizedException: User is disabled."),
        ("unconfirmed user, right password", |_, u| if let Some(u) = u { u.status = "UNCONFIRMED".into() }, true,
         "UserNotConfirmedException: User is not confirmed."),
        ("unconfirmed user, wrong password", |_, u| if let Some(u) = u { u.status = "UNCONFIRMED".into() }, false,
         "UserNotConfirmedException: User is not confirmed."),
        ("reset required", |_, u| if let Some(u) = u { u.status = "RESET_REQUIRED".into() }, true,
         "PasswordResetRequiredException: Password reset required for the user"),
        ("reset required, ENABLED client", |f, u| {
            if let Some(u) = u { u.status = "RESET_REQUIRED".into() }
            f.client.prevent_user_existence_errors = Some("ENABLED".into());
        }, true, "PasswordResetRequiredException: Password reset required for the user"),
        ("locked out, right password", |_, u| if let Some(u) = u {
            u.failed_attempts = 5;
            u.last_failed_at = Some(NOW - 0.5);
            u.locked_until = Some(NOW + 0.5);
        }, true, "NotAuthorizedException: Password attempts exceeded"),
        ("lock expired, right password", |_, u| if let Some(u) = u {
            u.failed_attempts = 5;
            u.last_failed_at = Some(NOW - 2.0);
            u.locked_until = Some(NOW - 1.0);
        }, true, "Tokens"),
        ("force change, right password", |_, u| if let Some(u) = u { u.status = "FORCE_CHANGE_PASSWORD".into() },
         true, "Challenge NEW_PASSWORD_REQUIRED"),
        ("force change, wrong password", |_, u| if let Some(u) = u { u.status = "FORCE_CHANGE_PASSWORD".into() },
         false, "NotAuthorizedException: Incorrect username or password."),
        ("force change, temporary password 8 days old", |_, u| if let Some(u) = u {
            u.status = "FORCE_CHANGE_PASSWORD".into();
            u.password_set_at = Some(NOW - 8.0 * DAY);
        }, true, "NotAuthorizedException: Temporary password has expired and must be reset by an administrator."),
        ("force change, 8 days old, wrong password", |_, u| if let Some(u) = u {
            u.status = "FORCE_CHANGE_PASSWORD".into();
            u.password_set_at = Some(NOW - 8.0 * DAY);
        }, false, "NotAuthorizedException: Incorrect username or password."),
        ("force change, 8 days old, validity 10 days", |f, u| {
            if let Some(u) = u {
                u.status = "FORCE_CHANGE_PASSWORD".into();
                u.password_set_at = Some(NOW - 8.0 * DAY);
            }
            f.pool.policies = Some(UserPoolPolicyType {
                password_policy: Some(PasswordPolicyType {
                    temporary_password_validity_days: Some(10),
                    ..default_password_policy()
                }),
                ..Default::default()
            });
        }, true, "Challenge NEW_PASSWORD_REQUIRED"),
        ("MFA OPTIONAL, user without factors", |f, _| f.mfa.mfa_configuration = Some("OPTIONAL".into()), true, "Tokens"),
        ("MFA ON is not decided yet", |f, _| f.mfa.mfa_configuration = Some("ON".into()), true,
         "UnsupportedOperationException: cognito-emulator does not implement MFA challenges (SMS_MFA, \
          SOFTWARE_TOKEN_MFA, EMAIL_OTP, SELECT_MFA_TYPE, MFA_SETUP) yet. See the README for what sign-in supports."),
        ("MFA OPTIONAL, user with MFA settings", |f, u| {
            f.mfa.mfa_configuration = Some("OPTIONAL".into());
            if let Some(u) = u { u.mfa = serde_json::json!({"SoftwareTokenMfa": {"Enabled": true}}) }
        }, true, "UnsupportedOperationException: cognito-emulator does not implement MFA challenges (SMS_MFA, \
          SOFTWARE_TOKEN_MFA, EMAIL_OTP, SELECT_MFA_TYPE, MFA_SETUP) yet. See the README for what sign-in supports."),
    ];
    for (name, tweak, password_ok, want) in cases {
        let mut f = fixture();
        let mut u = Some(user("CONFIRMED"));
        tweak(&mut f, &mut u);
        let e = env(&f);
        let mut checked = false;
        let d = password_sign_in(&e, u.as_mut(), |_| {
            checked = true;
            password_ok
        });
        assert_eq!(show(&d.outcome), want, "{name}");
        if want.contains("disabled")
            || want.contains("not confirmed")
            || want.contains("reset required")
            || want.contains("attempts exceeded")
            || want.contains("does not exist")
        {
            assert!(
                !checked,
                "{name}: no password work for a sign-in refused before step 8"
            );
        }
    }
}

#[test]
fn wrong_passwords_lock_the_user_and_a_right_one_unlocks() {
    let f = fixture();
    let mut u = user("CONFIRMED");
    let mut now = NOW;
    for i in 1..=5 {
        let e = Env { now, ..env(&f) };
        let d = password_sign_in(&e, Some(&mut u), |_| false);
        assert_eq!(
            show(&d.outcome),
            "NotAuthorizedException: Incorrect username or password.",
            "failure {i}"
        );
        assert!(d.save_user);
        now += 0.1;
    }
    // Locked for a second: even the right password is refused, and the lock does not grow.
    let e = Env { now, ..env(&f) };
    let locked_until = u.locked_until;
    let d = password_sign_in(&e, Some(&mut u), |_| true);
    assert_eq!(
        show(&d.outcome),
        "NotAuthorizedException: Password attempts exceeded"
    );
    assert!(!d.save_user);
    assert_eq!(u.locked_until, locked_until);
    // After the lock the right password works and clears the count.
    let e = Env {
        now: now + 1.0,
        ..env(&f)
    };
    let d = password_sign_in(&e, Some(&mut u), |_| true);
    assert_eq!(show(&d.outcome), "Tokens");
    assert!(d.save_user);
    assert_eq!(u.failed_attempts, 0);
    // A clean sign-in needs no write.
    let d = password_sign_in(&e, Some(&mut u), |_| true);
    assert!(!d.save_user);
}

#[test]
fn new_password_required_lists_missing_required_attributes_and_current_ones() {
    let f = fixture();
    let mut u = user("FORCE_CHANGE_PASSWORD");
    u.attributes.remove("name");
    let d = password_sign_in(&env(&f), Some(&mut u), |_| true);
    let Outcome::Challenge(c) = d.outcome else {
        panic!("expected a challenge, got {:?}", d.outcome)
    };
    assert_eq!(c.name(), "NEW_PASSWORD_REQUIRED");
    assert_eq!(c.pending, Pending::NewPasswordRequired);
    assert_eq!(c.parameters["USER_ID_FOR_SRP"], "alice");
    assert_eq!(
        c.parameters["requiredAttributes"],
        r#"["userAttributes.name"]"#
    );
    assert_eq!(
        c.parameters["userAttributes"],
        r#"{"email":"alice@example.com","email_verified":"true"}"#
    );
}

fn answers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn new_password_answers_are_checked_in_order() {
    let f = fixture();
    let e = env(&f);
    let mut without_name = user("FORCE_CHANGE_PASSWORD");
    without_name.attributes.remove("name");
    let complete = user("FORCE_CHANGE_PASSWORD");
    let cases: Vec<(&str, &UserRecord, BTreeMap<String, String>, &str)> = vec![
        ("no NEW_PASSWORD", &complete, answers(&[("USERNAME", "alice")]),
         "InvalidParameterException: Missing required parameter NEW_PASSWORD"),
        ("weak password", &complete, answers(&[("NEW_PASSWORD", "short")]),
         "InvalidPasswordException: Password does not conform to policy: Password not long enough"),
        ("required attribute missing", &without_name, answers(&[("NEW_PASSWORD", "N3w-Passw0rd!")]),
         "InvalidParameterException: Invalid attributes given, name is missing"),
        ("required attribute empty", &without_name,
         answers(&[("NEW_PASSWORD", "N3w-Passw0rd!"), ("userAttributes.name", "")]),
         "InvalidParameterException: Invalid attributes given, name is missing"),
        ("required attribute supplied", &without_name,
         answers(&[("NEW_PASSWORD", "N3w-Passw0rd!"), ("userAttributes.name", "Alice")]), "ok name=Alice"),
        ("required attribute already set", &complete,
         answers(&[("NEW_PASSWORD", "N3w-Passw0rd!"), ("userAttributes.email", "b@example.com")]),
         "NotAuthorizedException: Cannot modify an already provided email"),
        ("optional attribute", &complete,
         answers(&[("NEW_PASSWORD", "N3w-Passw0rd!"), ("userAttributes.family_name", "Smith")]), "ok family_name=Smith"),
        ("unknown attribute", &complete,
         answers(&[("NEW_PASSWORD", "N3w-Passw0rd!"), ("userAttributes.shoe_size", "9")]),
         "InvalidParameterException: Attributes did not conform to the schema: shoe_size: Attribute does not exist in the schema."),
        ("sub", &complete, answers(&[("NEW_PASSWORD", "N3w-Passw0rd!"), ("userAttributes.sub", "x")]),
         "InvalidParameterException: Attributes did not conform to the schema: sub: Attribute does not exist in the schema."),
        ("verification flag", &complete,
         answers(&[("NEW_PASSWORD", "N3w-Passw0rd!"), ("userAttributes.email_verified", "true")]),
         "NotAuthorizedException: Cannot modify the non-mutable attribute email_verified"),
    ];
    for (name, u, responses, want) in cases {
        let got = match new_password::read_answer(&e, u, &responses) {
            Ok(a) => {
                let attrs: Vec<String> = a
                    .attributes
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                assert_eq!(a.password, "N3w-Passw0rd!");
                format!("ok {}", attrs.join(","))
            }
            Err(e) => format!("{}: {}", e.code, e.message.unwrap_or_default()),
        };
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn after_a_new_password_the_sign_in_continues_with_mfa_then_tokens() {
    let mut f = fixture();
    let u = user("CONFIRMED");
    assert_eq!(show(&after_password_set(&env(&f), &u)), "Tokens");
    f.mfa.mfa_configuration = Some("ON".into());
    assert!(show(&after_password_set(&env(&f), &u)).starts_with("UnsupportedOperationException"));
}

#[test]
fn pending_steps_serialise_under_their_challenge_name() {
    let json = serde_json::to_string(&Pending::NewPasswordRequired).unwrap_or_default();
    assert_eq!(json, r#"{"challenge":"NEW_PASSWORD_REQUIRED"}"#);
}
