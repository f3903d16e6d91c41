//! Table tests: (pool configuration, client, user state, event) -> outcome, for every edge of the
//! decision order. New challenge families add rows here.

use super::*;
use crate::domain::pool::{default_password_policy, standard_schema};
use crate::model::shapes::{PasswordPolicyType, SoftwareTokenMfaConfigType, UserPoolPolicyType};
use serde_json::json;

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
        device: None,
    }
}

fn user(status: UserStatus) -> UserRecord {
    let mut u = UserRecord {
        pool_id: "us-east-1_Test12345".into(),
        sub: "0b6e2c4a-0000-7000-8000-000000000001".into(),
        username: "alice".into(),
        username_key: "alice".into(),
        status,
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

/// A base32 TOTP secret for users with a verified software token.
const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// Pool MFA level and factors ("SMS", "TOTP", "EMAIL").
fn mfa_pool(f: &mut Fixture, level: &str, factors: &[&str]) {
    f.mfa.mfa_configuration = Some(level.into());
    for factor in factors {
        match *factor {
            "SMS" => f.mfa.sms_mfa_configuration = Some(Default::default()),
            "TOTP" => {
                f.mfa.software_token_mfa_configuration = Some(SoftwareTokenMfaConfigType {
                    enabled: Some(true),
                })
            }
            "EMAIL" => f.mfa.email_mfa_configuration = Some(Default::default()),
            _ => {}
        }
    }
}

/// The user's `users.mfa` document (domain::mfa::UserMfa).
fn mfa_user(u: &mut Option<UserRecord>, doc: serde_json::Value) {
    if let Some(u) = u {
        u.mfa = doc;
    }
}

fn totp_user() -> serde_json::Value {
    json!({"totpEnabled": true, "softwareToken": {"secret": SECRET, "friendlyName": "phone"}})
}

fn with_phone(u: &mut Option<UserRecord>) {
    if let Some(u) = u {
        u.attributes
            .insert("phone_number".into(), "+12065551234".into());
    }
}

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
        ("disabled beats unconfirmed", |_, u| if let Some(u) = u { u.enabled = false; u.status = UserStatus::Unconfirmed },
         true, "NotAuthorizedException: User is disabled."),
        ("unconfirmed user, right password", |_, u| if let Some(u) = u { u.status = UserStatus::Unconfirmed }, true,
         "UserNotConfirmedException: User is not confirmed."),
        ("unconfirmed user, wrong password", |_, u| if let Some(u) = u { u.status = UserStatus::Unconfirmed }, false,
         "UserNotConfirmedException: User is not confirmed."),
        ("reset required", |_, u| if let Some(u) = u { u.status = UserStatus::ResetRequired }, true,
         "PasswordResetRequiredException: Password reset required for the user"),
        ("reset required, ENABLED client", |f, u| {
            if let Some(u) = u { u.status = UserStatus::ResetRequired }
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
        ("force change, right password", |_, u| if let Some(u) = u { u.status = UserStatus::ForceChangePassword },
         true, "Challenge NEW_PASSWORD_REQUIRED"),
        ("force change, wrong password", |_, u| if let Some(u) = u { u.status = UserStatus::ForceChangePassword },
         false, "NotAuthorizedException: Incorrect username or password."),
        ("force change, temporary password 8 days old", |_, u| if let Some(u) = u {
            u.status = UserStatus::ForceChangePassword;
            u.password_set_at = Some(NOW - 8.0 * DAY);
        }, true, "NotAuthorizedException: Temporary password has expired and must be reset by an administrator."),
        ("force change, 8 days old, wrong password", |_, u| if let Some(u) = u {
            u.status = UserStatus::ForceChangePassword;
            u.password_set_at = Some(NOW - 8.0 * DAY);
        }, false, "NotAuthorizedException: Incorrect username or password."),
        ("force change, 8 days old, validity 10 days", |f, u| {
            if let Some(u) = u {
                u.status = UserStatus::ForceChangePassword;
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
        ("MFA OFF, user with TOTP", |f, u| { mfa_pool(f, "OFF", &["TOTP"]); mfa_user(u, totp_user()) }, true, "Tokens"),
        ("MFA OPTIONAL, SMS on, phone", |f, u| { mfa_pool(f, "OPTIONAL", &["SMS"]); with_phone(u); mfa_user(u, json!({"smsEnabled": true})) },
         true, "Challenge SMS_MFA"),
        ("MFA OPTIONAL, SMS on, no phone", |f, u| { mfa_pool(f, "OPTIONAL", &["SMS"]); mfa_user(u, json!({"smsEnabled": true})) },
         true, "MFAMethodNotFoundException: No MFA mechanism registerd in the account."),
        ("MFA OPTIONAL, SMS on, pool offers TOTP only", |f, u| {
            mfa_pool(f, "OPTIONAL", &["TOTP"]); with_phone(u); mfa_user(u, json!({"smsEnabled": true}))
        }, true, "Tokens"),
        ("MFA OPTIONAL, TOTP on", |f, u| { mfa_pool(f, "OPTIONAL", &["TOTP"]); mfa_user(u, totp_user()) }, true,
         "Challenge SOFTWARE_TOKEN_MFA"),
        ("MFA OPTIONAL, TOTP on, pool turned TOTP off", |f, u| { mfa_pool(f, "OPTIONAL", &["SMS"]); mfa_user(u, totp_user()) },
         true, "Challenge SOFTWARE_TOKEN_MFA"),
        ("MFA OPTIONAL, token verified but not enabled", |f, u| {
            mfa_pool(f, "OPTIONAL", &["TOTP"]); mfa_user(u, json!({"softwareToken": {"secret": SECRET}}))
        }, true, "Tokens"),
        ("MFA OPTIONAL, email on", |f, u| { mfa_pool(f, "OPTIONAL", &["EMAIL"]); mfa_user(u, json!({"emailEnabled": true})) },
         true, "Challenge EMAIL_OTP"),
        ("MFA OPTIONAL, SMS and TOTP on, none preferred", |f, u| {
            mfa_pool(f, "OPTIONAL", &["SMS", "TOTP"]); with_phone(u);
            mfa_user(u, json!({"smsEnabled": true, "totpEnabled": true, "softwareToken": {"secret": SECRET}}))
        }, true, "Challenge SELECT_MFA_TYPE"),
        ("MFA OPTIONAL, SMS and TOTP on, TOTP preferred", |f, u| {
            mfa_pool(f, "OPTIONAL", &["SMS", "TOTP"]); with_phone(u);
            mfa_user(u, json!({"smsEnabled": true, "totpEnabled": true, "preferred": "SOFTWARE_TOKEN_MFA",
                               "softwareToken": {"secret": SECRET}}))
        }, true, "Challenge SOFTWARE_TOKEN_MFA"),
        ("MFA OPTIONAL, SMS preferred without phone, TOTP on", |f, u| {
            mfa_pool(f, "OPTIONAL", &["SMS", "TOTP"]);
            mfa_user(u, json!({"smsEnabled": true, "totpEnabled": true, "preferred": "SMS_MFA",
                               "softwareToken": {"secret": SECRET}}))
        }, true, "Challenge SOFTWARE_TOKEN_MFA"),
        ("MFA ON, SMS and TOTP, phone, nothing set up", |f, u| { mfa_pool(f, "ON", &["SMS", "TOTP"]); with_phone(u) }, true,
         "Challenge SMS_MFA"),
        ("MFA ON, SMS and TOTP, no phone", |f, _| mfa_pool(f, "ON", &["SMS", "TOTP"]), true, "Challenge MFA_SETUP"),
        ("MFA ON, SMS only, no phone", |f, _| mfa_pool(f, "ON", &["SMS"]), true,
         "MFAMethodNotFoundException: No MFA mechanism registerd in the account."),
        ("MFA ON, TOTP only, nothing set up", |f, _| mfa_pool(f, "ON", &["TOTP"]), true, "Challenge MFA_SETUP"),
        ("MFA ON, TOTP, token verified in an earlier setup", |f, u| {
            mfa_pool(f, "ON", &["TOTP"]); mfa_user(u, json!({"softwareToken": {"secret": SECRET}}))
        }, true, "Challenge SOFTWARE_TOKEN_MFA"),
        ("MFA ON, email and TOTP, user has an email", |f, _| mfa_pool(f, "ON", &["EMAIL", "TOTP"]), true,
         "Challenge EMAIL_OTP"),
        ("MFA ON, email and TOTP, user without email", |f, u| {
            mfa_pool(f, "ON", &["EMAIL", "TOTP"]);
            if let Some(u) = u { u.attributes.remove("email"); u.attributes.remove("email_verified"); }
        }, true, "Challenge MFA_SETUP"),
        ("MFA ON, force change: the new password comes first", |f, u| {
            mfa_pool(f, "ON", &["TOTP"]);
            if let Some(u) = u { u.status = UserStatus::ForceChangePassword }
        }, true, "Challenge NEW_PASSWORD_REQUIRED"),
        ("MFA ON, wrong password", |f, _| mfa_pool(f, "ON", &["TOTP"]), false,
         "NotAuthorizedException: Incorrect username or password."),
    ];
    for (name, tweak, password_ok, want) in cases {
        let mut f = fixture();
        let mut u = Some(user(UserStatus::Confirmed));
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

fn show_result(r: Result<(), ApiError>) -> String {
    match r {
        Ok(()) => "Ok".into(),
        Err(e) => format!("{}: {}", e.code, e.message.unwrap_or_default()),
    }
}

/// The user-state gate, every status x enabled, as each caller sees it: a sign-in
/// (`before_password`) and REFRESH_TOKEN_AUTH (`check_user_state` itself). They agree on every
/// row; a locked-out user differs, refused by the sign-in only (the refresh path skips lock-out).
#[test]
fn user_state_gate_for_sign_in_and_refresh() {
    const DISABLED: &str = "NotAuthorizedException: User is disabled.";
    const NOT_CONFIRMED: &str = "UserNotConfirmedException: User is not confirmed.";
    const RESET: &str = "PasswordResetRequiredException: Password reset required for the user";
    const LOCKED: &str = "NotAuthorizedException: Password attempts exceeded";
    #[rustfmt::skip]
    let cases: [(UserStatus, bool, &str); 16] = [
        (UserStatus::Unconfirmed,         true,  NOT_CONFIRMED),
        (UserStatus::Unconfirmed,         false, DISABLED),
        (UserStatus::Confirmed,           true,  "Ok"),
        (UserStatus::Confirmed,           false, DISABLED),
        (UserStatus::Archived,            true,  "Ok"),
        (UserStatus::Archived,            false, DISABLED),
        (UserStatus::Compromised,         true,  "Ok"),
        (UserStatus::Compromised,         false, DISABLED),
        (UserStatus::Unknown,             true,  "Ok"),
        (UserStatus::Unknown,             false, DISABLED),
        (UserStatus::ResetRequired,       true,  RESET),
        (UserStatus::ResetRequired,       false, DISABLED),
        (UserStatus::ForceChangePassword, true,  "Ok"),
        (UserStatus::ForceChangePassword, false, DISABLED),
        (UserStatus::ExternalProvider,    true,  "Ok"),
        (UserStatus::ExternalProvider,    false, DISABLED),
    ];
    let f = fixture();
    let e = env(&f);
    for (status, enabled, want) in cases {
        let name = format!("{status}, enabled {enabled}");
        let mut u = user(status);
        u.enabled = enabled;
        assert_eq!(show_result(check_user_state(&u)), want, "refresh: {name}");
        assert_eq!(
            show_result(before_password(&e, Some(&u))),
            want,
            "sign-in: {name}"
        );

        u.failed_attempts = 5;
        u.last_failed_at = Some(NOW - 0.5);
        u.locked_until = Some(NOW + 0.5);
        let locked_sign_in = if want == "Ok" { LOCKED } else { want };
        assert_eq!(
            show_result(check_user_state(&u)),
            want,
            "refresh, locked: {name}"
        );
        assert_eq!(
            show_result(before_password(&e, Some(&u))),
            locked_sign_in,
            "sign-in, locked: {name}"
        );
    }
    // Every status has its rows.
    for s in UserStatus::ALL {
        assert_eq!(cases.iter().filter(|c| c.0 == s).count(), 2, "{s}");
    }
}

#[test]
fn wrong_passwords_lock_the_user_and_a_right_one_unlocks() {
    let f = fixture();
    let mut u = user(UserStatus::Confirmed);
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
    let mut u = user(UserStatus::ForceChangePassword);
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
    let mut without_name = user(UserStatus::ForceChangePassword);
    without_name.attributes.remove("name");
    let complete = user(UserStatus::ForceChangePassword);
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
    let u = user(UserStatus::Confirmed);
    assert_eq!(show(&after_password_set(&env(&f), &u)), "Tokens");
    mfa_pool(&mut f, "ON", &["TOTP"]);
    assert_eq!(
        show(&after_password_set(&env(&f), &u)),
        "Challenge MFA_SETUP"
    );
}

#[test]
fn pending_steps_serialise_under_their_challenge_name() {
    let json = serde_json::to_string(&Pending::NewPasswordRequired).unwrap_or_default();
    assert_eq!(json, r#"{"challenge":"NEW_PASSWORD_REQUIRED"}"#);
}

/// The challenge an MFA decision sends, for a pool and user tweak.
fn mfa_challenge(tweak: Tweak) -> Challenge {
    let mut f = fixture();
    let mut u = Some(user(UserStatus::Confirmed));
    tweak(&mut f, &mut u);
    let u = u.unwrap_or_else(|| user(UserStatus::Confirmed));
    match after_password_set(&env(&f), &u) {
        Outcome::Challenge(c) => c,
        other => panic!("expected a challenge, got {other:?}"),
    }
}

fn params(c: &Challenge) -> Vec<String> {
    c.parameters
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect()
}

#[test]
fn mfa_challenges_carry_cognitos_parameters() {
    let sms = mfa_challenge(|f, u| {
        mfa_pool(f, "ON", &["SMS"]);
        with_phone(u)
    });
    assert_eq!(
        params(&sms),
        [
            "CODE_DELIVERY_DELIVERY_MEDIUM=SMS",
            "CODE_DELIVERY_DESTINATION=+*******1234",
            "USERNAME=alice",
            "USER_ID_FOR_SRP=alice"
        ]
    );
    // The code is the caller's to make; the flow only knows where it goes.
    assert_eq!(
        sms.pending,
        Pending::SmsMfa(mfa::CodeState {
            code: String::new(),
            destination: "+12065551234".into(),
            setup: false
        })
    );
    let email = mfa_challenge(|f, u| {
        mfa_pool(f, "OPTIONAL", &["EMAIL"]);
        mfa_user(u, json!({"emailEnabled": true}))
    });
    assert_eq!(
        params(&email),
        [
            "CODE_DELIVERY_DELIVERY_MEDIUM=EMAIL",
            "CODE_DELIVERY_DESTINATION=a***@e***",
            "USERNAME=alice",
            "USER_ID_FOR_SRP=alice"
        ]
    );
    let totp = mfa_challenge(|f, u| {
        mfa_pool(f, "OPTIONAL", &["TOTP"]);
        mfa_user(u, totp_user())
    });
    assert_eq!(
        params(&totp),
        [
            "FRIENDLY_DEVICE_NAME=phone",
            "USERNAME=alice",
            "USER_ID_FOR_SRP=alice"
        ]
    );
    let select = mfa_challenge(|f, u| {
        mfa_pool(f, "OPTIONAL", &["SMS", "TOTP", "EMAIL"]);
        with_phone(u);
        mfa_user(
            u,
            json!({"smsEnabled": true, "totpEnabled": true, "emailEnabled": true,
                   "softwareToken": {"secret": SECRET}}),
        )
    });
    assert_eq!(
        params(&select),
        [
            r#"MFAS_CAN_CHOOSE=["SMS_MFA","SOFTWARE_TOKEN_MFA","EMAIL_OTP"]"#,
            "USERNAME=alice",
            "USER_ID_FOR_SRP=alice"
        ]
    );
    let setup = mfa_challenge(|f, _| mfa_pool(f, "ON", &["SMS", "TOTP"]));
    assert_eq!(
        params(&setup),
        [
            r#"MFAS_CAN_SETUP=["SMS_MFA","SOFTWARE_TOKEN_MFA"]"#,
            "USERNAME=alice",
            "USER_ID_FOR_SRP=alice"
        ]
    );
    let json = serde_json::to_string(&setup.pending).unwrap_or_default();
    assert_eq!(
        json,
        r#"{"challenge":"MFA_SETUP","can_setup":["SMS_MFA","SOFTWARE_TOKEN_MFA"],"secret":null,"verified":false}"#
    );
}
