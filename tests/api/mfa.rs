//! MFA through the AWS SDK for Rust: pool MFA configuration, user preferences and legacy settings,
//! software tokens with an access token or a Session, and every MFA challenge of a sign-in
//! (SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE, MFA_SETUP) with Cognito's parameters
//! and errors, codes read from the outbox and time moved with the emulator clock.

use crate::helpers::*;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput;
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::{
    RespondToAuthChallengeError, RespondToAuthChallengeOutput,
};
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, DeliveryMediumType, EmailMfaConfigType, EmailMfaSettingsType,
    MfaOptionType, SmsMfaConfigType, SmsMfaSettingsType, SoftwareTokenMfaConfigType,
    SoftwareTokenMfaSettingsType, UserPoolMfaType, VerifySoftwareTokenResponseType,
};
use cognito_emulator::crypto::totp;
use serde_json::json;
use std::collections::HashMap;

const PASSWORD: &str = "Passw0rd!";
const NEW_PASSWORD: &str = "N3w-Passw0rd!";
const PHONE: &str = "+12065551234";
const WRONG_CODE: &str = "Invalid code or auth state for the user.";
const INVALID_SESSION: &str = "Invalid session for the user.";

struct Mfa {
    app: TestApp,
    pool_id: String,
    client_id: String,
}

fn params(p: Option<&HashMap<String, String>>) -> Vec<String> {
    let mut v: Vec<String> = p
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    v.sort();
    v
}

impl Mfa {
    /// A pool with `level` and the factors named ("SMS", "TOTP", "EMAIL"), and a public client.
    async fn new(level: &str, factors: &[&str]) -> Self {
        let app = spawn_app().await;
        let pool_id = app.create_pool("mfa").await;
        let client_id = app.create_client(&pool_id).await;
        let m = Mfa {
            app,
            pool_id,
            client_id,
        };
        m.set_pool(level, factors).await;
        m
    }

    async fn set_pool(&self, level: &str, factors: &[&str]) {
        let mut req = self
            .app
            .client
            .set_user_pool_mfa_config()
            .user_pool_id(&self.pool_id)
            .mfa_configuration(UserPoolMfaType::from(level));
        if factors.contains(&"SMS") {
            req = req.sms_mfa_configuration(
                SmsMfaConfigType::builder()
                    .sms_authentication_message("Your code is {####}")
                    .build(),
            );
        }
        req = req.software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder()
                .enabled(factors.contains(&"TOTP"))
                .build(),
        );
        if factors.contains(&"EMAIL") {
            req = req.email_mfa_configuration(EmailMfaConfigType::builder().build());
        }
        req.send().await.expect("SetUserPoolMfaConfig");
    }

    /// A confirmed user with the given attributes (`permanent` = false leaves the password
    /// temporary: FORCE_CHANGE_PASSWORD).
    async fn user(&self, username: &str, attrs: &[(&str, &str)], permanent: bool) {
        if permanent {
            self.app
                .confirmed_user(&self.pool_id, username, PASSWORD, attrs)
                .await;
        } else {
            self.app
                .create_user(&self.pool_id, username, PASSWORD, attrs)
                .await;
        }
    }

    /// `alice`, confirmed, with an email and a phone number.
    async fn alice(&self) {
        self.user(
            "alice",
            &[("email", "alice@example.com"), ("phone_number", PHONE)],
            true,
        )
        .await;
    }

    async fn sign_in(&self, username: &str) -> InitiateAuthOutput {
        self.app
            .password_auth(&self.client_id, username, PASSWORD)
            .await
            .expect("InitiateAuth")
    }

    async fn respond_raw(
        &self,
        challenge: ChallengeNameType,
        session: &str,
        answers: &[(&str, &str)],
    ) -> Result<RespondToAuthChallengeOutput, SdkError<RespondToAuthChallengeError>> {
        self.app
            .respond_to_challenge(&self.client_id, challenge, session, answers)
            .await
    }

    async fn respond(
        &self,
        challenge: ChallengeNameType,
        session: &str,
        answers: &[(&str, &str)],
    ) -> RespondToAuthChallengeOutput {
        match self.respond_raw(challenge, session, answers).await {
            Ok(r) => r,
            Err(e) => panic!("RespondToAuthChallenge failed: {e:?}"),
        }
    }

    async fn access_token(&self, username: &str) -> String {
        self.app
            .password_sign_in(&self.client_id, username, PASSWORD)
            .await
            .access_token()
            .unwrap_or_default()
            .to_string()
    }

    async fn mfa_code(&self, username: &str) -> String {
        self.app
            .last_code(username, Some("MFA"))
            .await
            .expect("an MFA code in the outbox")
    }

    fn totp_now(&self, secret: &str) -> String {
        totp::code_at(secret, self.app.state.clock.unix()).expect("a code")
    }

    /// Associates and verifies a software token with an access token; returns the secret.
    async fn verified_token(&self, access: &str) -> String {
        let secret = self
            .app
            .client
            .associate_software_token()
            .access_token(access)
            .send()
            .await
            .expect("AssociateSoftwareToken")
            .secret_code()
            .unwrap_or_default()
            .to_string();
        self.app
            .client
            .verify_software_token()
            .access_token(access)
            .user_code(self.totp_now(&secret))
            .friendly_device_name("phone")
            .send()
            .await
            .expect("VerifySoftwareToken");
        secret
    }

    async fn prefer(
        &self,
        username: &str,
        sms: Option<(bool, bool)>,
        totp: Option<(bool, bool)>,
        email: Option<(bool, bool)>,
    ) {
        let mut req = self
            .app
            .client
            .admin_set_user_mfa_preference()
            .user_pool_id(&self.pool_id)
            .username(username);
        if let Some((e, p)) = sms {
            req = req.sms_mfa_settings(
                SmsMfaSettingsType::builder()
                    .enabled(e)
                    .preferred_mfa(p)
                    .build(),
            );
        }
        if let Some((e, p)) = totp {
            req = req.software_token_mfa_settings(
                SoftwareTokenMfaSettingsType::builder()
                    .enabled(e)
                    .preferred_mfa(p)
                    .build(),
            );
        }
        if let Some((e, p)) = email {
            req = req.email_mfa_settings(
                EmailMfaSettingsType::builder()
                    .enabled(e)
                    .preferred_mfa(p)
                    .build(),
            );
        }
        req.send().await.expect("AdminSetUserMFAPreference");
    }

    async fn advance_to_next_step(&self) {
        let unix = self.app.state.clock.unix();
        self.app.advance_clock(30 - unix % 30).await;
    }
}

fn session_of(s: Option<&str>) -> String {
    let s = s.expect("a Session").to_string();
    assert!(s.len() >= 20, "sessions are at least 20 characters");
    s
}

fn assert_tokens(r: &RespondToAuthChallengeOutput) {
    let a = r.authentication_result().expect("tokens");
    assert!(a.access_token().is_some() && a.id_token().is_some() && a.refresh_token().is_some());
    assert_eq!(r.challenge_name(), None);
    assert_eq!(r.session(), None);
}

#[tokio::test]
async fn pool_mfa_configuration_is_stored_echoed_and_checked() {
    let m = Mfa::new("OFF", &[]).await;
    let c = &m.app.client;
    let set = c
        .set_user_pool_mfa_config()
        .user_pool_id(&m.pool_id)
        .mfa_configuration(UserPoolMfaType::Optional)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .email_mfa_configuration(
            EmailMfaConfigType::builder()
                .subject("Code")
                .message("Code {####}")
                .build(),
        )
        .send()
        .await
        .expect("SetUserPoolMfaConfig");
    assert_eq!(set.mfa_configuration(), Some(&UserPoolMfaType::Optional));
    assert_eq!(
        set.email_mfa_configuration().and_then(|e| e.subject()),
        Some("Code")
    );
    let got = c
        .get_user_pool_mfa_config()
        .user_pool_id(&m.pool_id)
        .send()
        .await
        .expect("GetUserPoolMfaConfig");
    assert_eq!(got.mfa_configuration(), Some(&UserPoolMfaType::Optional));
    assert_eq!(
        got.software_token_mfa_configuration().map(|t| t.enabled()),
        Some(true)
    );
    assert_eq!(
        got.email_mfa_configuration().and_then(|e| e.message()),
        Some("Code {####}")
    );
    let described = m
        .app
        .call("DescribeUserPool", json!({"UserPoolId": m.pool_id}))
        .await;
    assert_eq!(described["UserPool"]["MfaConfiguration"], "OPTIONAL");

    // A pool created with MFA and an SMS configuration offers SMS.
    let with_sms = m
        .app
        .create_pool_with(json!({"PoolName": "sms", "MfaConfiguration": "OPTIONAL",
            "SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::123456789012:role/sms", "ExternalId": "x"}}))
        .await;
    let cfg = m
        .app
        .call("GetUserPoolMfaConfig", json!({"UserPoolId": with_sms}))
        .await;
    assert_eq!(cfg["MfaConfiguration"], "OPTIONAL");
    assert_eq!(
        cfg["SmsMfaConfiguration"]["SmsConfiguration"]["ExternalId"],
        "x"
    );

    let app2 = spawn_app().await;
    let pool2 = app2.create_pool("none").await;
    assert_sdk_code(
        app2.client
            .set_user_pool_mfa_config()
            .user_pool_id(&pool2)
            .mfa_configuration(UserPoolMfaType::On)
            .send()
            .await,
        "InvalidParameterException",
    );
}

#[tokio::test]
async fn preferences_and_legacy_settings_show_in_get_user_and_admin_get_user() {
    let m = Mfa::new("OPTIONAL", &["SMS", "TOTP", "EMAIL"]).await;
    m.alice().await;
    let access = m.access_token("alice").await;
    let c = &m.app.client;
    let u = c
        .get_user()
        .access_token(&access)
        .send()
        .await
        .expect("GetUser");
    assert!(u.user_mfa_setting_list().is_empty() && u.preferred_mfa_setting().is_none());
    assert!(u.mfa_options().is_empty());

    c.set_user_mfa_preference()
        .access_token(&access)
        .sms_mfa_settings(
            SmsMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .email_mfa_settings(EmailMfaSettingsType::builder().enabled(true).build())
        .send()
        .await
        .expect("SetUserMFAPreference");
    let u = c
        .get_user()
        .access_token(&access)
        .send()
        .await
        .expect("GetUser");
    assert_eq!(u.user_mfa_setting_list(), ["SMS_MFA", "EMAIL_OTP"]);
    assert_eq!(u.preferred_mfa_setting(), Some("SMS_MFA"));
    assert_eq!(u.mfa_options().len(), 1);
    assert_eq!(
        u.mfa_options()[0].delivery_medium(),
        Some(&DeliveryMediumType::Sms)
    );
    assert_eq!(u.mfa_options()[0].attribute_name(), Some("phone_number"));
    let a = c
        .admin_get_user()
        .user_pool_id(&m.pool_id)
        .username("alice")
        .send()
        .await
        .expect("AdminGetUser");
    assert_eq!(a.user_mfa_setting_list(), ["SMS_MFA", "EMAIL_OTP"]);
    assert_eq!(a.preferred_mfa_setting(), Some("SMS_MFA"));

    // TOTP cannot be turned on before a token is verified; two preferred factors are refused.
    assert_sdk_err(
        c.set_user_mfa_preference()
            .access_token(&access)
            .software_token_mfa_settings(
                SoftwareTokenMfaSettingsType::builder()
                    .enabled(true)
                    .build(),
            )
            .send()
            .await,
        "InvalidParameterException",
        "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA",
    );
    assert_sdk_code(
        c.set_user_mfa_preference()
            .access_token(&access)
            .sms_mfa_settings(
                SmsMfaSettingsType::builder()
                    .enabled(true)
                    .preferred_mfa(true)
                    .build(),
            )
            .email_mfa_settings(
                EmailMfaSettingsType::builder()
                    .enabled(true)
                    .preferred_mfa(true)
                    .build(),
            )
            .send()
            .await,
        "InvalidParameterException",
    );

    // Turning the preferred factor off clears the preference; the legacy settings are SMS only.
    m.prefer("alice", Some((false, false)), None, Some((false, false)))
        .await;
    let u = c
        .get_user()
        .access_token(&access)
        .send()
        .await
        .expect("GetUser");
    assert!(u.user_mfa_setting_list().is_empty() && u.preferred_mfa_setting().is_none());
    c.set_user_settings()
        .access_token(&access)
        .mfa_options(
            MfaOptionType::builder()
                .delivery_medium(DeliveryMediumType::Sms)
                .attribute_name("phone_number")
                .build(),
        )
        .send()
        .await
        .expect("SetUserSettings");
    let u = c
        .get_user()
        .access_token(&access)
        .send()
        .await
        .expect("GetUser");
    assert_eq!(u.user_mfa_setting_list(), ["SMS_MFA"]);
    assert_eq!(u.mfa_options().len(), 1);
    c.admin_set_user_settings()
        .user_pool_id(&m.pool_id)
        .username("alice")
        .set_mfa_options(Some(vec![]))
        .send()
        .await
        .expect("AdminSetUserSettings");
    let u = c
        .get_user()
        .access_token(&access)
        .send()
        .await
        .expect("GetUser");
    assert!(u.user_mfa_setting_list().is_empty() && u.mfa_options().is_empty());

    // SMS needs a phone number.
    m.user("bob", &[("email", "bob@example.com")], true).await;
    let bob = m.access_token("bob").await;
    assert_sdk_err(
        c.set_user_mfa_preference()
            .access_token(&bob)
            .sms_mfa_settings(SmsMfaSettingsType::builder().enabled(true).build())
            .send()
            .await,
        "InvalidParameterException",
        "User does not have delivery config set to turn on SMS_MFA",
    );
}

#[tokio::test]
async fn software_tokens_with_an_access_token_follow_rfc_6238() {
    let m = Mfa::new("OFF", &[]).await;
    m.user("alice", &[("email", "alice@example.com")], true)
        .await;
    let access = m.access_token("alice").await;
    let c = &m.app.client;
    assert_sdk_err(
        c.associate_software_token()
            .access_token(&access)
            .send()
            .await,
        "SoftwareTokenMFANotFoundException",
        "Software Token MFA has not been enabled by the userPool",
    );
    m.set_pool("OPTIONAL", &["TOTP"]).await;
    let assoc = c
        .associate_software_token()
        .access_token(&access)
        .send()
        .await
        .expect("AssociateSoftwareToken");
    let secret = assoc.secret_code().unwrap_or_default().to_string();
    assert_eq!(secret.len(), 52);
    assert!(secret
        .chars()
        .all(|ch| ch.is_ascii_uppercase() || ('2'..='7').contains(&ch)));
    assert_eq!(assoc.session(), None);
    assert_sdk_err(
        c.verify_software_token()
            .access_token(&access)
            .user_code("000000")
            .send()
            .await,
        "EnableSoftwareTokenMFAException",
        "Code mismatch and fail enable Software Token MFA",
    );
    // One step either side is accepted.
    let previous = totp::code_at(&secret, m.app.state.clock.unix() - 30).expect("code");
    let v = c
        .verify_software_token()
        .access_token(&access)
        .user_code(previous)
        .friendly_device_name("my phone")
        .send()
        .await
        .expect("VerifySoftwareToken");
    assert_eq!(v.status(), Some(&VerifySoftwareTokenResponseType::Success));
    assert_eq!(v.session(), None);
    // Verified is not enabled: the user turns it on.
    let u = c
        .get_user()
        .access_token(&access)
        .send()
        .await
        .expect("GetUser");
    assert!(u.user_mfa_setting_list().is_empty());
    c.set_user_mfa_preference()
        .access_token(&access)
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .expect("SetUserMFAPreference");

    let r = m.sign_in("alice").await;
    assert_eq!(
        r.challenge_name(),
        Some(&ChallengeNameType::SoftwareTokenMfa)
    );
    assert_eq!(
        params(r.challenge_parameters()),
        [
            "FRIENDLY_DEVICE_NAME=my phone",
            "USERNAME=alice",
            "USER_ID_FOR_SRP=alice"
        ]
    );
    let session = session_of(r.session());
    let used = totp::code_at(&secret, m.app.state.clock.unix() - 30).expect("code");
    assert_sdk_err(
        m.respond_raw(
            ChallengeNameType::SoftwareTokenMfa,
            &session,
            &[("USERNAME", "alice"), ("SOFTWARE_TOKEN_MFA_CODE", &used)],
        )
        .await,
        "ExpiredCodeException",
        "Your software token has already been used once.",
    );
    assert_sdk_err(
        m.respond_raw(
            ChallengeNameType::SoftwareTokenMfa,
            &session,
            &[("USERNAME", "alice"), ("SOFTWARE_TOKEN_MFA_CODE", "12345x")],
        )
        .await,
        "CodeMismatchException",
        WRONG_CODE,
    );
    assert_sdk_err(
        m.respond_raw(
            ChallengeNameType::SoftwareTokenMfa,
            &session,
            &[("USERNAME", "alice")],
        )
        .await,
        "InvalidParameterException",
        "Missing required parameter SOFTWARE_TOKEN_MFA_CODE",
    );
    m.advance_to_next_step().await;
    let code = m.totp_now(&secret);
    let done = m
        .respond(
            ChallengeNameType::SoftwareTokenMfa,
            &session,
            &[("USERNAME", "alice"), ("SOFTWARE_TOKEN_MFA_CODE", &code)],
        )
        .await;
    assert_tokens(&done);
    // The same code cannot sign in twice.
    let r = m.sign_in("alice").await;
    assert_sdk_err(
        m.respond_raw(
            ChallengeNameType::SoftwareTokenMfa,
            &session_of(r.session()),
            &[("USERNAME", "alice"), ("SOFTWARE_TOKEN_MFA_CODE", &code)],
        )
        .await,
        "ExpiredCodeException",
        "Your software token has already been used once.",
    );
}

#[tokio::test]
async fn sms_mfa_sends_a_code_to_the_outbox_and_verifies_the_phone() {
    let m = Mfa::new("ON", &["SMS", "TOTP"]).await;
    m.alice().await;
    let r = m.sign_in("alice").await;
    assert_eq!(r.challenge_name(), Some(&ChallengeNameType::SmsMfa));
    assert_eq!(
        params(r.challenge_parameters()),
        [
            "CODE_DELIVERY_DELIVERY_MEDIUM=SMS",
            "CODE_DELIVERY_DESTINATION=+*******1234",
            "USERNAME=alice",
            "USER_ID_FOR_SRP=alice"
        ]
    );
    let session = session_of(r.session());
    let msgs = m.app.messages("username=alice&purpose=MFA").await;
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0]["channel"], "SMS");
    assert_eq!(msgs[0]["destination"], PHONE);
    let code = msgs[0]["code"].as_str().unwrap_or_default().to_string();
    assert_eq!(code.len(), 6);
    assert_eq!(msgs[0]["body"], format!("Your code is {code}"));
    assert_sdk_err(
        m.respond_raw(
            ChallengeNameType::SmsMfa,
            &session,
            &[("USERNAME", "alice"), ("SMS_MFA_CODE", "000000")],
        )
        .await,
        "CodeMismatchException",
        WRONG_CODE,
    );
    // The same session may be retried after a wrong code.
    let done = m
        .respond(
            ChallengeNameType::SmsMfa,
            &session,
            &[("USERNAME", "alice"), ("SMS_MFA_CODE", &code)],
        )
        .await;
    assert_tokens(&done);
    assert_sdk_err(
        m.respond_raw(
            ChallengeNameType::SmsMfa,
            &session,
            &[("USERNAME", "alice"), ("SMS_MFA_CODE", &code)],
        )
        .await,
        "NotAuthorizedException",
        "Invalid session for the user, session can only be used once.",
    );
    let u = m
        .app
        .call(
            "AdminGetUser",
            json!({"UserPoolId": m.pool_id, "Username": "alice"}),
        )
        .await;
    let attrs = u["UserAttributes"].as_array().cloned().unwrap_or_default();
    assert!(
        attrs.contains(&json!({"Name": "phone_number_verified", "Value": "true"})),
        "{u}"
    );
}

#[tokio::test]
async fn three_wrong_codes_end_the_session_and_sessions_expire_by_the_emulator_clock() {
    let m = Mfa::new("ON", &["SMS"]).await;
    m.user("alice", &[("phone_number", PHONE)], true).await;
    let r = m.sign_in("alice").await;
    let session = session_of(r.session());
    let code = m.mfa_code("alice").await;
    for _ in 0..3 {
        assert_sdk_err(
            m.respond_raw(
                ChallengeNameType::SmsMfa,
                &session,
                &[("USERNAME", "alice"), ("SMS_MFA_CODE", "000000")],
            )
            .await,
            "CodeMismatchException",
            WRONG_CODE,
        );
    }
    assert_sdk_err(
        m.respond_raw(
            ChallengeNameType::SmsMfa,
            &session,
            &[("USERNAME", "alice"), ("SMS_MFA_CODE", &code)],
        )
        .await,
        "NotAuthorizedException",
        INVALID_SESSION,
    );

    // AuthSessionValidity defaults to 3 minutes.
    let r = m.sign_in("alice").await;
    let session = session_of(r.session());
    let code = m.mfa_code("alice").await;
    m.app.advance_clock(181).await;
    assert_sdk_err(
        m.respond_raw(
            ChallengeNameType::SmsMfa,
            &session,
            &[("USERNAME", "alice"), ("SMS_MFA_CODE", &code)],
        )
        .await,
        "NotAuthorizedException",
        "Invalid session for the user, session is expired.",
    );

    // A session answers only its own challenge, client and user.
    let r = m.sign_in("alice").await;
    let session = session_of(r.session());
    let code = m.mfa_code("alice").await;
    assert_sdk_err(
        m.respond_raw(
            ChallengeNameType::SoftwareTokenMfa,
            &session,
            &[("USERNAME", "alice"), ("SOFTWARE_TOKEN_MFA_CODE", &code)],
        )
        .await,
        "NotAuthorizedException",
        INVALID_SESSION,
    );
    m.user("bob", &[("phone_number", PHONE)], true).await;
    assert_sdk_err(
        m.respond_raw(
            ChallengeNameType::SmsMfa,
            &session,
            &[("USERNAME", "bob"), ("SMS_MFA_CODE", &code)],
        )
        .await,
        "NotAuthorizedException",
        INVALID_SESSION,
    );
    let other = m.app.create_client(&m.pool_id).await;
    assert_sdk_err(
        m.app
            .client
            .respond_to_auth_challenge()
            .client_id(&other)
            .challenge_name(ChallengeNameType::SmsMfa)
            .session(&session)
            .challenge_responses("USERNAME", "alice")
            .challenge_responses("SMS_MFA_CODE", &code)
            .send()
            .await,
        "NotAuthorizedException",
        INVALID_SESSION,
    );
    let done = m
        .respond(
            ChallengeNameType::SmsMfa,
            &session,
            &[("USERNAME", "alice"), ("SMS_MFA_CODE", &code)],
        )
        .await;
    assert_tokens(&done);
}

/// Cognito Developer Guide, "Adding MFA to a user pool": after five unsuccessful attempts to
/// present an MFA code, the lock-out of "Lockout behavior for failed sign-in attempts" begins.
#[tokio::test]
async fn five_wrong_mfa_codes_across_sessions_lock_the_user_out_until_the_lock_ends() {
    let m = Mfa::new("ON", &["SMS"]).await;
    m.user("alice", &[("phone_number", PHONE)], true).await;
    let wrong = |session: String| {
        let m = &m;
        async move {
            assert_sdk_err(
                m.respond_raw(
                    ChallengeNameType::SmsMfa,
                    &session,
                    &[("USERNAME", "alice"), ("SMS_MFA_CODE", "000000")],
                )
                .await,
                "CodeMismatchException",
                WRONG_CODE,
            );
        }
    };
    // Three wrong codes end the first session; a right password in between does not reset the
    // count of wrong codes.
    let first = session_of(m.sign_in("alice").await.session());
    for _ in 0..3 {
        wrong(first.clone()).await;
    }
    let second = session_of(m.sign_in("alice").await.session());
    let code = m.mfa_code("alice").await;
    wrong(second.clone()).await;
    wrong(second.clone()).await;

    // The fifth locked the user: the right password is refused, and so is the right code in
    // the session still open.
    assert_sdk_err(
        m.app.password_auth(&m.client_id, "alice", PASSWORD).await,
        "NotAuthorizedException",
        "Password attempts exceeded",
    );
    assert_sdk_err(
        m.respond_raw(
            ChallengeNameType::SmsMfa,
            &second,
            &[("USERNAME", "alice"), ("SMS_MFA_CODE", &code)],
        )
        .await,
        "NotAuthorizedException",
        "Password attempts exceeded",
    );

    // The first lock lasts one second; after it a wrong code doubles it (2 s).
    m.app.advance_clock(2).await;
    let third = session_of(m.sign_in("alice").await.session());
    wrong(third).await;
    m.app.advance_clock(1).await;
    assert_sdk_err(
        m.app.password_auth(&m.client_id, "alice", PASSWORD).await,
        "NotAuthorizedException",
        "Password attempts exceeded",
    );

    // Once it ends, a right code signs in and clears the count: a single wrong code afterwards
    // locks nobody.
    m.app.advance_clock(2).await;
    let fourth = session_of(m.sign_in("alice").await.session());
    let code = m.mfa_code("alice").await;
    let done = m
        .respond(
            ChallengeNameType::SmsMfa,
            &fourth,
            &[("USERNAME", "alice"), ("SMS_MFA_CODE", &code)],
        )
        .await;
    assert_tokens(&done);
    let fifth = session_of(m.sign_in("alice").await.session());
    wrong(fifth).await;
    let sixth = m.sign_in("alice").await;
    assert_eq!(sixth.challenge_name(), Some(&ChallengeNameType::SmsMfa));
}

#[tokio::test]
async fn email_mfa_through_the_admin_flow() {
    let m = Mfa::new("OPTIONAL", &["EMAIL"]).await;
    m.app
        .call(
            "SetUserPoolMfaConfig",
            json!({"UserPoolId": m.pool_id, "MfaConfiguration": "OPTIONAL",
                   "EmailMfaConfiguration": {"Message": "Sign-in code: {####}", "Subject": "Code"}}),
        )
        .await;
    m.user(
        "alice",
        &[("email", "alice@example.com"), ("email_verified", "true")],
        true,
    )
    .await;
    m.prefer("alice", None, None, Some((true, false))).await;
    let c = &m.app.client;
    let r = c
        .admin_initiate_auth()
        .user_pool_id(&m.pool_id)
        .client_id(&m.client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .expect("AdminInitiateAuth");
    assert_eq!(r.challenge_name(), Some(&ChallengeNameType::EmailOtp));
    assert_eq!(
        params(r.challenge_parameters()),
        [
            "CODE_DELIVERY_DELIVERY_MEDIUM=EMAIL",
            "CODE_DELIVERY_DESTINATION=a***@e***",
            "USERNAME=alice",
            "USER_ID_FOR_SRP=alice"
        ]
    );
    let msgs = m.app.messages("username=alice&purpose=MFA").await;
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0]["channel"], "EMAIL");
    assert_eq!(msgs[0]["destination"], "alice@example.com");
    let code = msgs[0]["code"].as_str().unwrap_or_default().to_string();
    assert_eq!(msgs[0]["body"], format!("Sign-in code: {code}"));
    let session = session_of(r.session());
    assert_sdk_err(
        c.admin_respond_to_auth_challenge()
            .user_pool_id(&m.pool_id)
            .client_id(&m.client_id)
            .challenge_name(ChallengeNameType::EmailOtp)
            .session(&session)
            .challenge_responses("USERNAME", "alice")
            .challenge_responses("EMAIL_OTP_CODE", "999999")
            .send()
            .await,
        "CodeMismatchException",
        WRONG_CODE,
    );
    let done = c
        .admin_respond_to_auth_challenge()
        .user_pool_id(&m.pool_id)
        .client_id(&m.client_id)
        .challenge_name(ChallengeNameType::EmailOtp)
        .session(&session)
        .challenge_responses("USERNAME", "alice")
        .challenge_responses("EMAIL_OTP_CODE", &code)
        .send()
        .await
        .expect("AdminRespondToAuthChallenge");
    assert!(done
        .authentication_result()
        .and_then(|a| a.access_token())
        .is_some());
}

#[tokio::test]
async fn several_factors_ask_the_user_to_choose_one() {
    let m = Mfa::new("OPTIONAL", &["SMS", "TOTP", "EMAIL"]).await;
    m.alice().await;
    let access = m.access_token("alice").await;
    let secret = m.verified_token(&access).await;
    m.prefer(
        "alice",
        Some((true, false)),
        Some((true, false)),
        Some((true, false)),
    )
    .await;

    let r = m.sign_in("alice").await;
    assert_eq!(r.challenge_name(), Some(&ChallengeNameType::SelectMfaType));
    assert_eq!(
        params(r.challenge_parameters()),
        [
            r#"MFAS_CAN_CHOOSE=["SMS_MFA","SOFTWARE_TOKEN_MFA","EMAIL_OTP"]"#,
            "USERNAME=alice",
            "USER_ID_FOR_SRP=alice"
        ]
    );
    let session = session_of(r.session());
    assert_sdk_code(
        m.respond_raw(
            ChallengeNameType::SelectMfaType,
            &session,
            &[("USERNAME", "alice"), ("ANSWER", "WEB_AUTHN")],
        )
        .await,
        "InvalidParameterException",
    );
    assert_sdk_err(
        m.respond_raw(
            ChallengeNameType::SelectMfaType,
            &session,
            &[("USERNAME", "alice")],
        )
        .await,
        "InvalidParameterException",
        "Missing required parameter ANSWER",
    );
    // The API documentation's EMAIL_MFA is accepted for EMAIL_OTP.
    let r = m
        .respond(
            ChallengeNameType::SelectMfaType,
            &session,
            &[("USERNAME", "alice"), ("ANSWER", "EMAIL_MFA")],
        )
        .await;
    assert_eq!(r.challenge_name(), Some(&ChallengeNameType::EmailOtp));
    let code = m.mfa_code("alice").await;
    let done = m
        .respond(
            ChallengeNameType::EmailOtp,
            &session_of(r.session()),
            &[("USERNAME", "alice"), ("EMAIL_OTP_CODE", &code)],
        )
        .await;
    assert_tokens(&done);

    for (answer, next) in [
        ("SMS_MFA", ChallengeNameType::SmsMfa),
        ("SOFTWARE_TOKEN_MFA", ChallengeNameType::SoftwareTokenMfa),
    ] {
        let r = m.sign_in("alice").await;
        let r = m
            .respond(
                ChallengeNameType::SelectMfaType,
                &session_of(r.session()),
                &[("USERNAME", "alice"), ("ANSWER", answer)],
            )
            .await;
        assert_eq!(r.challenge_name(), Some(&next));
        let (key, code) = if next == ChallengeNameType::SmsMfa {
            ("SMS_MFA_CODE", m.mfa_code("alice").await)
        } else {
            m.advance_to_next_step().await;
            ("SOFTWARE_TOKEN_MFA_CODE", m.totp_now(&secret))
        };
        let done = m
            .respond(
                next,
                &session_of(r.session()),
                &[("USERNAME", "alice"), (key, &code)],
            )
            .await;
        assert_tokens(&done);
    }

    // A preference settles it.
    m.prefer("alice", None, Some((true, true)), None).await;
    let r = m.sign_in("alice").await;
    assert_eq!(
        r.challenge_name(),
        Some(&ChallengeNameType::SoftwareTokenMfa)
    );
}

#[tokio::test]
async fn mfa_setup_with_a_software_token_uses_the_session_at_every_step() {
    let m = Mfa::new("ON", &["TOTP"]).await;
    m.user("alice", &[("email", "alice@example.com")], true)
        .await;
    let r = m.sign_in("alice").await;
    assert_eq!(r.challenge_name(), Some(&ChallengeNameType::MfaSetup));
    assert_eq!(
        params(r.challenge_parameters()),
        [
            r#"MFAS_CAN_SETUP=["SOFTWARE_TOKEN_MFA"]"#,
            "USERNAME=alice",
            "USER_ID_FOR_SRP=alice"
        ]
    );
    let s0 = session_of(r.session());
    assert_sdk_code(
        m.respond_raw(ChallengeNameType::MfaSetup, &s0, &[("USERNAME", "alice")])
            .await,
        "InvalidParameterException",
    );

    let c = &m.app.client;
    let assoc = c
        .associate_software_token()
        .session(&s0)
        .send()
        .await
        .expect("AssociateSoftwareToken with a Session");
    let secret = assoc.secret_code().unwrap_or_default().to_string();
    let s1 = session_of(assoc.session());
    assert_ne!(s1, s0);
    assert_sdk_err(
        c.associate_software_token().session(&s0).send().await,
        "NotAuthorizedException",
        "Invalid session for the user, session can only be used once.",
    );
    assert_sdk_err(
        c.verify_software_token()
            .session(&s1)
            .user_code("000000")
            .send()
            .await,
        "EnableSoftwareTokenMFAException",
        "Code mismatch and fail enable Software Token MFA",
    );
    let v = c
        .verify_software_token()
        .session(&s1)
        .user_code(m.totp_now(&secret))
        .friendly_device_name("laptop")
        .send()
        .await
        .expect("VerifySoftwareToken with a Session");
    assert_eq!(v.status(), Some(&VerifySoftwareTokenResponseType::Success));
    let s2 = session_of(v.session());
    let done = m
        .respond(ChallengeNameType::MfaSetup, &s2, &[("USERNAME", "alice")])
        .await;
    assert_tokens(&done);
    let access = done
        .authentication_result()
        .and_then(|a| a.access_token())
        .unwrap_or_default();
    let u = c
        .get_user()
        .access_token(access)
        .send()
        .await
        .expect("GetUser");
    assert_eq!(u.user_mfa_setting_list(), ["SOFTWARE_TOKEN_MFA"]);

    // From now on the token is asked for.
    let r = m.sign_in("alice").await;
    assert_eq!(
        r.challenge_name(),
        Some(&ChallengeNameType::SoftwareTokenMfa)
    );
    assert_eq!(
        params(r.challenge_parameters()),
        [
            "FRIENDLY_DEVICE_NAME=laptop",
            "USERNAME=alice",
            "USER_ID_FOR_SRP=alice"
        ]
    );
}

#[tokio::test]
async fn mfa_setup_with_email_sends_an_email_otp_to_the_address_given() {
    let m = Mfa::new("ON", &["TOTP", "EMAIL"]).await;
    m.user("alice", &[], true).await;
    let r = m.sign_in("alice").await;
    assert_eq!(r.challenge_name(), Some(&ChallengeNameType::MfaSetup));
    assert_eq!(
        params(r.challenge_parameters()),
        [
            r#"MFAS_CAN_SETUP=["SOFTWARE_TOKEN_MFA","EMAIL_OTP"]"#,
            "USERNAME=alice",
            "USER_ID_FOR_SRP=alice"
        ]
    );
    let session = session_of(r.session());
    assert_sdk_err(
        m.respond_raw(
            ChallengeNameType::MfaSetup,
            &session,
            &[("USERNAME", "alice"), ("EMAIL", "nope")],
        )
        .await,
        "InvalidParameterException",
        "Invalid email address format.",
    );
    let r = m
        .respond(
            ChallengeNameType::MfaSetup,
            &session,
            &[("USERNAME", "alice"), ("EMAIL", "new@example.com")],
        )
        .await;
    assert_eq!(r.challenge_name(), Some(&ChallengeNameType::EmailOtp));
    assert_eq!(
        params(r.challenge_parameters()),
        [
            "CODE_DELIVERY_DELIVERY_MEDIUM=EMAIL",
            "CODE_DELIVERY_DESTINATION=n***@e***",
            "USERNAME=alice",
            "USER_ID_FOR_SRP=alice"
        ]
    );
    let msgs = m.app.messages("username=alice&purpose=MFA").await;
    assert_eq!(msgs[0]["destination"], "new@example.com");
    let code = msgs[0]["code"].as_str().unwrap_or_default().to_string();
    let done = m
        .respond(
            ChallengeNameType::EmailOtp,
            &session_of(r.session()),
            &[("USERNAME", "alice"), ("EMAIL_OTP_CODE", &code)],
        )
        .await;
    assert_tokens(&done);
    let u = m
        .app
        .call(
            "AdminGetUser",
            json!({"UserPoolId": m.pool_id, "Username": "alice"}),
        )
        .await;
    let attrs = u["UserAttributes"].as_array().cloned().unwrap_or_default();
    assert!(
        attrs.contains(&json!({"Name": "email", "Value": "new@example.com"})),
        "{u}"
    );
    assert!(
        attrs.contains(&json!({"Name": "email_verified", "Value": "true"})),
        "{u}"
    );
    assert_eq!(u["UserMFASettingList"], json!(["EMAIL_OTP"]));
    // Next time the code goes straight to the address.
    let r = m.sign_in("alice").await;
    assert_eq!(r.challenge_name(), Some(&ChallengeNameType::EmailOtp));
}

#[tokio::test]
async fn a_new_password_is_followed_by_mfa_setup_and_sms_only_pools_need_a_phone() {
    let m = Mfa::new("ON", &["SMS", "TOTP"]).await;
    m.user("alice", &[("email", "alice@example.com")], false)
        .await;
    let r = m.sign_in("alice").await;
    assert_eq!(
        r.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );
    let r = m
        .respond(
            ChallengeNameType::NewPasswordRequired,
            &session_of(r.session()),
            &[("USERNAME", "alice"), ("NEW_PASSWORD", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(r.challenge_name(), Some(&ChallengeNameType::MfaSetup));
    assert_eq!(
        r.challenge_parameters()
            .and_then(|p| p.get("MFAS_CAN_SETUP"))
            .map(String::as_str),
        Some(r#"["SMS_MFA","SOFTWARE_TOKEN_MFA"]"#)
    );

    let sms_only = Mfa::new("ON", &["SMS"]).await;
    sms_only
        .user("bob", &[("email", "bob@example.com")], true)
        .await;
    assert_sdk_err(
        sms_only
            .app
            .password_auth(&sms_only.client_id, "bob", PASSWORD)
            .await,
        "MFAMethodNotFoundException",
        "No MFA mechanism registerd in the account.",
    );
}

#[tokio::test]
async fn srp_sign_ins_reach_the_mfa_challenges() {
    let m = Mfa::new("ON", &["SMS", "TOTP"]).await;
    m.alice().await;
    m.user("bob", &[("email", "bob@example.com")], true).await;
    for (user, want) in [
        ("alice", ChallengeNameType::SmsMfa),
        ("bob", ChallengeNameType::MfaSetup),
    ] {
        let r = m
            .app
            .srp_sign_in(&m.pool_id, &m.client_id, user, PASSWORD)
            .await
            .expect("PASSWORD_VERIFIER");
        assert_eq!(r.challenge_name(), Some(&want), "{user}");
        if want == ChallengeNameType::SmsMfa {
            let code = m.mfa_code("alice").await;
            let done = m
                .respond(
                    ChallengeNameType::SmsMfa,
                    &session_of(r.session()),
                    &[("USERNAME", "alice"), ("SMS_MFA_CODE", &code)],
                )
                .await;
            assert_tokens(&done);
        }
    }
}
