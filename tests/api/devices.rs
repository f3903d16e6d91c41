//! Remembered devices (Cognito Developer Guide, "Working with user devices in your user pool"):
//! NewDeviceMetadata, ConfirmDevice and the device operations, DEVICE_SRP_AUTH /
//! DEVICE_PASSWORD_VERIFIER verified with the device secret computed by `crypto::srp::client` as
//! the JS SDK / pycognito compute it, and refresh tokens bound to the device.

use crate::helpers::*;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, DeviceRememberedStatusType, DeviceSecretVerifierConfigType,
};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use cognito_emulator::crypto::srp::client;
use serde_json::{json, Value};
use std::collections::HashMap;

const PASSWORD: &str = "Passw0rd!";
const NOT_FOUND: (&str, &str) = ("ResourceNotFoundException", "Device does not exist.");
const INVALID_REFRESH: (&str, &str) = ("NotAuthorizedException", "Invalid Refresh Token.");

/// What a client keeps after ConfirmDevice.
#[derive(Clone, Debug)]
struct Device {
    key: String,
    group: String,
    password: String,
}

struct Devices {
    app: TestApp,
    pool_id: String,
    client_id: String,
}

impl Devices {
    /// A pool with `DeviceConfiguration` (None: device tracking off), a client with every flow
    /// and a confirmed user `alice`.
    async fn new(config: Option<Value>) -> Self {
        let app = spawn_app().await;
        let mut body = json!({"PoolName": "devices"});
        if let Some(c) = config {
            body["DeviceConfiguration"] = c;
        }
        let pool_id = app.create_pool_with(body).await;
        let client_id = app.create_client(&pool_id).await;
        let d = Devices {
            app,
            pool_id,
            client_id,
        };
        d.add_user("alice").await;
        d
    }

    /// Always remembered; a remembered device's proof replaces MFA.
    async fn always() -> Self {
        Self::new(Some(json!({
            "ChallengeRequiredOnNewDevice": true,
            "DeviceOnlyRememberedOnUserPrompt": false
        })))
        .await
    }

    /// Remembered only after UpdateDeviceStatus.
    async fn opt_in() -> Self {
        Self::new(Some(json!({
            "ChallengeRequiredOnNewDevice": true,
            "DeviceOnlyRememberedOnUserPrompt": true
        })))
        .await
    }

    async fn add_user(&self, username: &str) {
        self.app
            .confirmed_email_user(&self.pool_id, username, PASSWORD)
            .await;
    }

    fn password_body(&self, username: &str, device: Option<&Device>) -> Value {
        let mut params = json!({"USERNAME": username, "PASSWORD": PASSWORD});
        if let Some(d) = device {
            params["DEVICE_KEY"] = json!(d.key);
        }
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": self.client_id, "AuthParameters": params})
    }

    /// InitiateAuth USER_PASSWORD_AUTH, raw.
    async fn password_initiate(&self, username: &str, device: Option<&Device>) -> Value {
        self.app
            .call("InitiateAuth", self.password_body(username, device))
            .await
    }

    /// ConfirmDevice for the NewDeviceMetadata of `resp`, as the JS SDK does it.
    async fn confirm(&self, resp: &Value, name: &str) -> (Device, bool) {
        let result = &resp["AuthenticationResult"];
        let meta = &result["NewDeviceMetadata"];
        let device = Device {
            key: meta["DeviceKey"].as_str().expect("DeviceKey").to_string(),
            group: meta["DeviceGroupKey"]
                .as_str()
                .expect("DeviceGroupKey")
                .to_string(),
            password: STANDARD.encode(
                (0..40u8)
                    .map(|i| i.wrapping_mul(7).wrapping_add(name.len() as u8))
                    .collect::<Vec<u8>>(),
            ),
        };
        // A salt with a high first byte: padHex gives it a leading 00, as real clients send.
        let salt: Vec<u8> = (0..16u8).map(|i| 0xf0 ^ i).collect();
        let (verifier, salt) =
            client::device_verifier(&device.group, &device.key, &device.password, &salt);
        let out = self
            .app
            .client
            .confirm_device()
            .access_token(result["AccessToken"].as_str().expect("AccessToken"))
            .device_key(&device.key)
            .device_name(name)
            .device_secret_verifier_config(
                DeviceSecretVerifierConfigType::builder()
                    .password_verifier(verifier)
                    .salt(salt)
                    .build(),
            )
            .send()
            .await
            .expect("ConfirmDevice");
        (device, out.user_confirmation_necessary())
    }

    /// First sign-in and ConfirmDevice: the device, the confirmation flag and the tokens.
    async fn new_device(&self, username: &str, name: &str) -> (Device, bool, Value) {
        let resp = self.password_initiate(username, None).await;
        let (device, necessary) = self.confirm(&resp, name).await;
        (device, necessary, resp["AuthenticationResult"].clone())
    }

    fn timestamp(&self) -> String {
        client::timestamp_at(self.app.state.clock.now())
    }

    /// The DEVICE_SRP_AUTH answer.
    fn device_srp_body(&self, username: &str, device: &Device, session: Option<&str>) -> Value {
        let mut body = json!({
            "ClientId": self.client_id,
            "ChallengeName": "DEVICE_SRP_AUTH",
            "ChallengeResponses": {
                "USERNAME": username,
                "DEVICE_KEY": device.key,
                "SRP_A": srp_a(&srp_secret()),
            }
        });
        if let Some(s) = session {
            body["Session"] = json!(s);
        }
        body
    }

    /// The DEVICE_PASSWORD_VERIFIER answer to `challenge`, signed with `password`.
    fn verifier_body(
        &self,
        challenge: &Value,
        device: &Device,
        password: &str,
        with_session: bool,
    ) -> Value {
        let p = &challenge["ChallengeParameters"];
        let param = |n: &str| p[n].as_str().unwrap_or_default().to_string();
        let block = STANDARD
            .decode(param("SECRET_BLOCK"))
            .expect("SECRET_BLOCK is standard base64");
        let ts = self.timestamp();
        let signature = client::signature(
            &device.group,
            &device.key,
            password,
            &param("SALT"),
            &param("SRP_B"),
            &srp_secret(),
            &block,
            &ts,
        );
        let mut body = json!({
            "ClientId": self.client_id,
            "ChallengeName": "DEVICE_PASSWORD_VERIFIER",
            "ChallengeResponses": {
                "USERNAME": param("USERNAME"),
                "DEVICE_KEY": device.key,
                "PASSWORD_CLAIM_SECRET_BLOCK": param("SECRET_BLOCK"),
                "PASSWORD_CLAIM_SIGNATURE": signature,
                "TIMESTAMP": ts,
            }
        });
        if with_session {
            body["Session"] = challenge["Session"].clone();
        }
        body
    }

    /// DEVICE_SRP_AUTH → DEVICE_PASSWORD_VERIFIER → tokens, as Amplify and the JS SDK do it.
    async fn device_auth(&self, challenge: &Value, device: &Device) -> Value {
        assert_eq!(challenge["ChallengeName"], "DEVICE_SRP_AUTH", "{challenge}");
        let session = challenge["Session"].as_str();
        let verifier = self
            .app
            .call(
                "RespondToAuthChallenge",
                self.device_srp_body("alice", device, session),
            )
            .await;
        assert_eq!(
            verifier["ChallengeName"], "DEVICE_PASSWORD_VERIFIER",
            "{verifier}"
        );
        self.app
            .call(
                "RespondToAuthChallenge",
                self.verifier_body(&verifier, device, &device.password, true),
            )
            .await
    }

    /// A full sign-in on a known device: password, then device SRP.
    async fn sign_in_on(&self, device: &Device) -> Value {
        let challenge = self.password_initiate("alice", Some(device)).await;
        self.device_auth(&challenge, device).await
    }

    async fn refresh(&self, token: &str, device: Option<&str>) -> Result<Value, (String, String)> {
        let mut params = json!({"REFRESH_TOKEN": token});
        if let Some(d) = device {
            params["DEVICE_KEY"] = json!(d);
        }
        let (status, _, body) = self
            .app
            .raw(
                "InitiateAuth",
                json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": self.client_id, "AuthParameters": params}),
            )
            .await;
        if status.is_success() {
            Ok(body)
        } else {
            Err((
                body["__type"].as_str().unwrap_or_default().to_string(),
                body["message"].as_str().unwrap_or_default().to_string(),
            ))
        }
    }

    async fn admin_list(&self, username: &str) -> Vec<Value> {
        let resp = self
            .app
            .call(
                "AdminListDevices",
                json!({"UserPoolId": self.pool_id, "Username": username}),
            )
            .await;
        resp["Devices"].as_array().cloned().unwrap_or_default()
    }
}

fn attributes(device: &Value) -> HashMap<String, String> {
    device["DeviceAttributes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            (
                a["Name"].as_str().unwrap_or_default().to_string(),
                a["Value"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn access_token(result: &Value) -> &str {
    result["AccessToken"].as_str().expect("AccessToken")
}

// ---------------------------------------------------------------------------------------------
// NewDeviceMetadata, ConfirmDevice and the device operations
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_first_sign_in_in_a_tracking_pool_gets_new_device_metadata_and_a_device_key_claim() {
    let d = Devices::always().await;
    let out = d
        .app
        .client
        .initiate_auth()
        .client_id(&d.client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .expect("InitiateAuth");
    let result = out.authentication_result().expect("tokens");
    let meta = result.new_device_metadata().expect("NewDeviceMetadata");
    let key = meta.device_key().unwrap_or_default();
    let (region, id) = key.split_once('_').expect("<region>_<uuid>");
    assert_eq!(region, "us-east-1");
    assert_eq!(
        uuid::Uuid::parse_str(id).map(|u| u.to_string()),
        Ok(id.to_string())
    );
    let group = meta.device_group_key().unwrap_or_default();
    assert!(group.starts_with('-') && !group.contains('_'), "{group}");
    let access = claims(result.access_token().unwrap_or_default());
    assert_eq!(access["device_key"], key);
    assert!(claims(result.id_token().unwrap_or_default())
        .get("device_key")
        .is_none());
    // Every sign-in without a device key gets a new one.
    let again = d.password_initiate("alice", None).await;
    assert_ne!(
        again["AuthenticationResult"]["NewDeviceMetadata"]["DeviceKey"],
        key
    );
}

#[tokio::test]
async fn no_device_is_tracked_without_device_configuration_or_in_admin_flows() {
    let off = Devices::new(None).await;
    let resp = off.password_initiate("alice", None).await;
    assert!(resp["AuthenticationResult"]
        .get("NewDeviceMetadata")
        .is_none());
    assert!(claims(access_token(&resp["AuthenticationResult"]))
        .get("device_key")
        .is_none());
    // A DEVICE_KEY is ignored where devices are not tracked.
    let ignored = off
        .password_initiate(
            "alice",
            Some(&Device {
                key: "us-east-1_00000000-0000-4000-8000-000000000000".into(),
                group: "-x".into(),
                password: "p".into(),
            }),
        )
        .await;
    assert!(ignored["AuthenticationResult"]["AccessToken"].is_string());

    let on = Devices::always().await;
    let admin = on
        .app
        .call(
            "AdminInitiateAuth",
            json!({
                "UserPoolId": on.pool_id,
                "ClientId": on.client_id,
                "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD}
            }),
        )
        .await;
    assert!(admin["AuthenticationResult"]
        .get("NewDeviceMetadata")
        .is_none());
    assert!(claims(access_token(&admin["AuthenticationResult"]))
        .get("device_key")
        .is_none());
}

#[tokio::test]
async fn admin_sign_ins_track_no_device_whatever_the_auth_flow() {
    let app = spawn_app().await;
    let pool_id = app
        .create_pool_with(json!({
            "PoolName": "devices",
            "DeviceConfiguration": {
                "ChallengeRequiredOnNewDevice": true,
                "DeviceOnlyRememberedOnUserPrompt": false
            }
        }))
        .await;
    let client_id = user_auth_client(&app, &pool_id).await;
    app.confirmed_email_user(&pool_id, "amy", PASSWORD).await;
    let params =
        json!({"USERNAME": "amy", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD});

    // The public USER_AUTH tracks the device...
    let public = app
        .call("InitiateAuth", user_auth_body(&client_id, params.clone()))
        .await;
    assert!(public["AuthenticationResult"]["NewDeviceMetadata"]["DeviceKey"].is_string());

    // ...the admin one does not, and ignores a DEVICE_KEY as ADMIN_USER_PASSWORD_AUTH does.
    let mut body = user_auth_body(&client_id, params);
    body["UserPoolId"] = json!(pool_id);
    body["AuthParameters"]["DEVICE_KEY"] =
        public["AuthenticationResult"]["NewDeviceMetadata"]["DeviceKey"].clone();
    let admin = app.call("AdminInitiateAuth", body).await;
    let result = &admin["AuthenticationResult"];
    assert!(result.get("NewDeviceMetadata").is_none(), "{admin}");
    let access = claims(result["AccessToken"].as_str().expect("AccessToken"));
    assert!(access.get("device_key").is_none(), "{access}");
}

#[tokio::test]
async fn an_always_remember_pool_remembers_a_confirmed_device_at_once() {
    let d = Devices::always().await;
    let (device, necessary, tokens) = d.new_device("alice", "laptop").await;
    assert!(!necessary);
    let got = d
        .app
        .client
        .get_device()
        .access_token(access_token(&tokens))
        .device_key(&device.key)
        .send()
        .await
        .expect("GetDevice");
    let t = got.device().expect("Device");
    assert_eq!(t.device_key(), Some(device.key.as_str()));
    let attrs: HashMap<&str, &str> = t
        .device_attributes()
        .iter()
        .map(|a| (a.name(), a.value().unwrap_or_default()))
        .collect();
    assert_eq!(attrs["device_status"], "valid");
    assert_eq!(attrs["device_name"], "laptop");
    assert_eq!(attrs["dev:device_remembered_status"], "remembered");
    assert_eq!(
        attrs["dev:device_owner"],
        format!("alice.{}", d.pool_id).as_str()
    );
    assert!(attrs["dev:device_arn"].ends_with(&format!("/device/{}", device.key)));
    assert!(t.device_create_date().is_some());
    assert!(t.device_last_modified_date().is_some());
    assert!(t.device_last_authenticated_date().is_none());

    let listed = d
        .app
        .client
        .list_devices()
        .access_token(access_token(&tokens))
        .limit(60)
        .send()
        .await
        .expect("ListDevices");
    let keys: Vec<&str> = listed
        .devices()
        .iter()
        .filter_map(|x| x.device_key())
        .collect();
    assert_eq!(keys, [device.key.as_str()]);
    assert_eq!(listed.pagination_token(), None);
}

#[tokio::test]
async fn an_opt_in_pool_shows_the_user_only_devices_remembered_with_update_device_status() {
    let d = Devices::opt_in().await;
    let (device, necessary, tokens) = d.new_device("alice", "phone").await;
    assert!(necessary);
    let token = access_token(&tokens);
    // Not remembered: invisible to the user's own operations, visible to admins (AWS-run Android
    // SDK integration test testRememberDevice).
    let err = d
        .app
        .client
        .get_device()
        .access_token(token)
        .device_key(&device.key)
        .send()
        .await;
    assert_sdk_err(err, NOT_FOUND.0, NOT_FOUND.1);
    let listed = d
        .app
        .call("ListDevices", json!({"AccessToken": token}))
        .await;
    assert_eq!(listed["Devices"], json!([]));
    let admin = d.admin_list("alice").await;
    assert_eq!(admin.len(), 1);
    assert_eq!(
        attributes(&admin[0])["dev:device_remembered_status"],
        "not_remembered"
    );

    d.app
        .client
        .update_device_status()
        .access_token(token)
        .device_key(&device.key)
        .device_remembered_status(DeviceRememberedStatusType::Remembered)
        .send()
        .await
        .expect("UpdateDeviceStatus");
    let got = d
        .app
        .call(
            "GetDevice",
            json!({"AccessToken": token, "DeviceKey": device.key}),
        )
        .await;
    assert_eq!(
        attributes(&got["Device"])["dev:device_remembered_status"],
        "remembered"
    );
    let listed = d
        .app
        .call("ListDevices", json!({"AccessToken": token}))
        .await;
    assert_eq!(listed["Devices"].as_array().map(Vec::len), Some(1));

    d.app
        .call(
            "UpdateDeviceStatus",
            json!({"AccessToken": token, "DeviceKey": device.key, "DeviceRememberedStatus": "not_remembered"}),
        )
        .await;
    assert_err_pair(
        pair_of(
            d.app
                .call_err(
                    "GetDevice",
                    json!({"AccessToken": token, "DeviceKey": device.key}),
                )
                .await,
        ),
        NOT_FOUND,
    );
}

fn pair_of(e: (reqwest::StatusCode, String, String)) -> (String, String) {
    assert_eq!(e.0, reqwest::StatusCode::BAD_REQUEST);
    (e.1, e.2)
}

#[tokio::test]
async fn confirm_device_refuses_unknown_foreign_repeated_and_malformed_devices() {
    let d = Devices::always().await;
    d.add_user("bob").await;
    let first = d.password_initiate("alice", None).await;
    let token = access_token(&first["AuthenticationResult"]).to_string();
    let key = first["AuthenticationResult"]["NewDeviceMetadata"]["DeviceKey"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let bobs = d.password_initiate("bob", None).await;
    let bobs_key = bobs["AuthenticationResult"]["NewDeviceMetadata"]["DeviceKey"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let (verifier, salt) = client::device_verifier("-g", &key, "pw", &[1; 16]);
    let body = |k: &str| {
        json!({
            "AccessToken": token,
            "DeviceKey": k,
            "DeviceName": "x",
            "DeviceSecretVerifierConfig": {"PasswordVerifier": verifier, "Salt": salt}
        })
    };
    for k in [
        "us-east-1_00000000-0000-4000-8000-000000000000",
        bobs_key.as_str(),
    ] {
        assert_err_pair(
            pair_of(d.app.call_err("ConfirmDevice", body(k)).await),
            NOT_FOUND,
        );
    }
    let bad = d
        .app
        .call_err(
            "ConfirmDevice",
            json!({
                "AccessToken": token,
                "DeviceKey": key,
                "DeviceSecretVerifierConfig": {"PasswordVerifier": "AAAA", "Salt": salt}
            }),
        )
        .await;
    assert_eq!(bad.1, "InvalidParameterException");
    let missing = d
        .app
        .call_err(
            "ConfirmDevice",
            json!({"AccessToken": token, "DeviceKey": key}),
        )
        .await;
    assert_eq!(missing.1, "InvalidParameterException");

    let ok = d.app.call("ConfirmDevice", body(&key)).await;
    assert_eq!(ok, json!({"UserConfirmationNecessary": false}));
    let again = d.app.call_err("ConfirmDevice", body(&key)).await;
    assert_eq!(
        (again.1.as_str(), again.2.as_str()),
        ("DeviceKeyExistsException", "Device key already exists.")
    );
    let bad_token = d
        .app
        .call_err(
            "ConfirmDevice",
            json!({"AccessToken": "nope", "DeviceKey": key}),
        )
        .await;
    assert_eq!(
        (bad_token.1.as_str(), bad_token.2.as_str()),
        ("NotAuthorizedException", "Invalid Access Token")
    );
}

#[tokio::test]
async fn forgetting_a_device_removes_it_and_its_refresh_binding() {
    let d = Devices::always().await;
    let (device, _, tokens) = d.new_device("alice", "laptop").await;
    let token = access_token(&tokens);
    d.app
        .client
        .forget_device()
        .access_token(token)
        .device_key(&device.key)
        .send()
        .await
        .expect("ForgetDevice");
    let listed = d
        .app
        .call("ListDevices", json!({"AccessToken": token}))
        .await;
    assert_eq!(listed["Devices"], json!([]));
    assert!(d.admin_list("alice").await.is_empty());
    for op in ["GetDevice", "ForgetDevice"] {
        assert_err_pair(
            pair_of(
                d.app
                    .call_err(op, json!({"AccessToken": token, "DeviceKey": device.key}))
                    .await,
            ),
            NOT_FOUND,
        );
    }
    assert_err_pair(pair_of(
            d.app
                .call_err(
                    "UpdateDeviceStatus",
                    json!({"AccessToken": token, "DeviceKey": device.key, "DeviceRememberedStatus": "remembered"}),
                )
                .await,
        ), NOT_FOUND);
    let refresh = tokens["RefreshToken"].as_str().unwrap_or_default();
    assert_err_pair(
        d.refresh(refresh, Some(&device.key))
            .await
            .err()
            .unwrap_or_default(),
        INVALID_REFRESH,
    );
    // The forgotten key at sign-in: the error clients drop the key on.
    let (_, code, message) = d
        .app
        .call_err("InitiateAuth", d.password_body("alice", Some(&device)))
        .await;
    assert_err_pair((code, message), NOT_FOUND);
}

#[tokio::test]
async fn the_admin_operations_see_every_confirmed_device_of_the_user() {
    let d = Devices::opt_in().await;
    let (first, _, _) = d.new_device("alice", "one").await;
    let (second, _, _) = d.new_device("alice", "two").await;
    // A NewDeviceMetadata never confirmed is not a device yet.
    d.password_initiate("alice", None).await;
    let sdk = &d.app.client;
    let all = sdk
        .admin_list_devices()
        .user_pool_id(&d.pool_id)
        .username("alice")
        .send()
        .await
        .expect("AdminListDevices");
    let mut keys: Vec<String> = all
        .devices()
        .iter()
        .filter_map(|x| x.device_key().map(str::to_string))
        .collect();
    keys.sort();
    let mut want = vec![first.key.clone(), second.key.clone()];
    want.sort();
    assert_eq!(keys, want);

    // One per page.
    let page1 = sdk
        .admin_list_devices()
        .user_pool_id(&d.pool_id)
        .username("alice")
        .limit(1)
        .send()
        .await
        .expect("page 1");
    assert_eq!(page1.devices().len(), 1);
    let token = page1.pagination_token().expect("a next page").to_string();
    let page2 = sdk
        .admin_list_devices()
        .user_pool_id(&d.pool_id)
        .username("alice")
        .limit(1)
        .pagination_token(token)
        .send()
        .await
        .expect("page 2");
    assert_eq!(page2.devices().len(), 1);
    assert_eq!(page2.pagination_token(), None);
    assert_ne!(
        page1.devices()[0].device_key(),
        page2.devices()[0].device_key()
    );

    sdk.admin_update_device_status()
        .user_pool_id(&d.pool_id)
        .username("alice")
        .device_key(&first.key)
        .device_remembered_status(DeviceRememberedStatusType::Remembered)
        .send()
        .await
        .expect("AdminUpdateDeviceStatus");
    let got = sdk
        .admin_get_device()
        .user_pool_id(&d.pool_id)
        .username("alice")
        .device_key(&first.key)
        .send()
        .await
        .expect("AdminGetDevice");
    let remembered = got
        .device()
        .and_then(|x| {
            x.device_attributes()
                .iter()
                .find(|a| a.name() == "dev:device_remembered_status")
        })
        .and_then(|a| a.value());
    assert_eq!(remembered, Some("remembered"));

    sdk.admin_forget_device()
        .user_pool_id(&d.pool_id)
        .username("alice")
        .device_key(&second.key)
        .send()
        .await
        .expect("AdminForgetDevice");
    assert_eq!(d.admin_list("alice").await.len(), 1);
    let err = sdk
        .admin_get_device()
        .user_pool_id(&d.pool_id)
        .username("alice")
        .device_key(&second.key)
        .send()
        .await;
    assert_sdk_err(err, NOT_FOUND.0, NOT_FOUND.1);
    let err = sdk
        .admin_list_devices()
        .user_pool_id(&d.pool_id)
        .username("nobody")
        .send()
        .await;
    assert_sdk_err(err, "UserNotFoundException", "User does not exist.");
    let err = sdk
        .admin_list_devices()
        .user_pool_id(&d.pool_id)
        .username("alice")
        .pagination_token("not a token")
        .send()
        .await;
    assert_sdk_code(err, "InvalidParameterException");
}

// ---------------------------------------------------------------------------------------------
// Device SRP
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_known_device_signs_in_with_device_srp_and_keeps_its_key() {
    let d = Devices::always().await;
    let (device, _, _) = d.new_device("alice", "laptop").await;
    let challenge = d.password_initiate("alice", Some(&device)).await;
    assert_eq!(challenge["ChallengeName"], "DEVICE_SRP_AUTH", "{challenge}");
    assert_eq!(
        challenge["ChallengeParameters"],
        json!({"USERNAME": "alice"})
    );
    assert!(challenge["Session"].as_str().is_some_and(|s| s.len() >= 20));

    let verifier = d
        .app
        .call(
            "RespondToAuthChallenge",
            d.device_srp_body("alice", &device, challenge["Session"].as_str()),
        )
        .await;
    assert_eq!(verifier["ChallengeName"], "DEVICE_PASSWORD_VERIFIER");
    let p = &verifier["ChallengeParameters"];
    let mut keys: Vec<&str> = p
        .as_object()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    keys.sort();
    assert_eq!(keys, ["SALT", "SECRET_BLOCK", "SRP_B", "USERNAME"]);
    assert_eq!(p["USERNAME"], "alice");
    // The ConfirmDevice salt (f0 f1 ... ff), canonical hex without the sign byte.
    assert_eq!(p["SALT"], "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
    assert!(verifier["Session"].as_str().is_some_and(|s| s.len() >= 20));

    let tokens = d
        .app
        .call(
            "RespondToAuthChallenge",
            d.verifier_body(&verifier, &device, &device.password, true),
        )
        .await;
    let result = &tokens["AuthenticationResult"];
    assert!(result.get("NewDeviceMetadata").is_none(), "{tokens}");
    assert_eq!(tokens["ChallengeParameters"], json!({}));
    assert_eq!(claims(access_token(result))["device_key"], device.key);
    let listed = d.admin_list("alice").await;
    assert!(listed[0]["DeviceLastAuthenticatedDate"].is_number());
}

#[tokio::test]
async fn the_sdk_gets_device_srp_after_password_verifier() {
    let d = Devices::always().await;
    let (device, _, _) = d.new_device("alice", "laptop").await;
    let a = srp_secret();
    let sdk = &d.app.client;
    let init = sdk
        .initiate_auth()
        .client_id(&d.client_id)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("SRP_A", srp_a(&a))
        .auth_parameters("DEVICE_KEY", &device.key)
        .send()
        .await
        .expect("InitiateAuth");
    let p: HashMap<String, String> = init.challenge_parameters().cloned().unwrap_or_default();
    let mut claim = d.app.password_claim(&d.pool_id, &p, &a, PASSWORD);
    claim.insert("DEVICE_KEY".into(), device.key.clone());
    let out = sdk
        .respond_to_auth_challenge()
        .client_id(&d.client_id)
        .challenge_name(ChallengeNameType::PasswordVerifier)
        .set_challenge_responses(Some(claim))
        .send()
        .await
        .expect("PASSWORD_VERIFIER");
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::DeviceSrpAuth)
    );
    let session = out.session().expect("a Session").to_string();
    let srp = sdk
        .respond_to_auth_challenge()
        .client_id(&d.client_id)
        .challenge_name(ChallengeNameType::DeviceSrpAuth)
        .session(session)
        .challenge_responses("USERNAME", "alice")
        .challenge_responses("DEVICE_KEY", &device.key)
        .challenge_responses("SRP_A", srp_a(&a))
        .send()
        .await
        .expect("DEVICE_SRP_AUTH");
    assert_eq!(
        srp.challenge_name(),
        Some(&ChallengeNameType::DevicePasswordVerifier)
    );
    let p: HashMap<String, String> = srp.challenge_parameters().cloned().unwrap_or_default();
    let block = STANDARD.decode(&p["SECRET_BLOCK"]).expect("base64");
    let ts = d.timestamp();
    let signature = client::signature(
        &device.group,
        &device.key,
        &device.password,
        &p["SALT"],
        &p["SRP_B"],
        &a,
        &block,
        &ts,
    );
    let done = sdk
        .respond_to_auth_challenge()
        .client_id(&d.client_id)
        .challenge_name(ChallengeNameType::DevicePasswordVerifier)
        .session(srp.session().unwrap_or_default())
        .challenge_responses("USERNAME", "alice")
        .challenge_responses("DEVICE_KEY", &device.key)
        .challenge_responses("PASSWORD_CLAIM_SECRET_BLOCK", &p["SECRET_BLOCK"])
        .challenge_responses("PASSWORD_CLAIM_SIGNATURE", signature)
        .challenge_responses("TIMESTAMP", ts)
        .send()
        .await
        .expect("DEVICE_PASSWORD_VERIFIER");
    let result = done.authentication_result().expect("tokens");
    assert!(result.new_device_metadata().is_none());
    assert_eq!(
        claims(result.access_token().unwrap_or_default())["device_key"],
        device.key.as_str()
    );
}

#[tokio::test]
async fn device_srp_works_without_session_as_pycognito_answers_it() {
    let d = Devices::always().await;
    let (device, _, _) = d.new_device("alice", "laptop").await;
    let challenge = d.password_initiate("alice", Some(&device)).await;
    assert_eq!(challenge["ChallengeName"], "DEVICE_SRP_AUTH");
    let verifier = d
        .app
        .call(
            "RespondToAuthChallenge",
            d.device_srp_body("alice", &device, None),
        )
        .await;
    assert_eq!(verifier["ChallengeName"], "DEVICE_PASSWORD_VERIFIER");
    let tokens = d
        .app
        .call(
            "RespondToAuthChallenge",
            d.verifier_body(&verifier, &device, &device.password, false),
        )
        .await;
    assert!(tokens["AuthenticationResult"]["AccessToken"].is_string());
    // The DEVICE_SRP_AUTH session was used: a second session-less answer finds none.
    d.app
        .assert_call_err(
            "RespondToAuthChallenge",
            d.device_srp_body("alice", &device, None),
            "InvalidParameterException",
            "Missing required parameter Session",
        )
        .await;
}

#[tokio::test]
async fn a_wrong_device_secret_is_refused_and_the_challenge_is_single_use() {
    let d = Devices::always().await;
    let (device, _, _) = d.new_device("alice", "laptop").await;
    let challenge = d.password_initiate("alice", Some(&device)).await;
    let session = challenge["Session"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let verifier = d
        .app
        .call(
            "RespondToAuthChallenge",
            d.device_srp_body("alice", &device, Some(&session)),
        )
        .await;
    d.app
        .assert_call_err(
            "RespondToAuthChallenge",
            d.verifier_body(&verifier, &device, "not the device password", true),
            "NotAuthorizedException",
            "Incorrect username or password.",
        )
        .await;
    for body in [
        d.verifier_body(&verifier, &device, &device.password, true),
        d.device_srp_body("alice", &device, Some(&session)),
    ] {
        d.app
            .assert_call_err(
                "RespondToAuthChallenge",
                body,
                "NotAuthorizedException",
                "Invalid session for the user, session can only be used once.",
            )
            .await;
    }
    // Another device key than the challenged one.
    let challenge = d.password_initiate("alice", Some(&device)).await;
    let other = Device {
        key: "us-east-1_00000000-0000-4000-8000-000000000000".into(),
        ..device.clone()
    };
    d.app
        .assert_call_err(
            "RespondToAuthChallenge",
            d.device_srp_body("alice", &other, challenge["Session"].as_str()),
            "NotAuthorizedException",
            "Invalid session for the user.",
        )
        .await;
}

#[tokio::test]
async fn an_unknown_device_key_is_refused_before_the_srp_exchange_is_used() {
    let d = Devices::always().await;
    let unknown = Device {
        key: "us-east-1_00000000-0000-4000-8000-000000000000".into(),
        group: "-x".into(),
        password: "p".into(),
    };
    let (_, code, message) = d
        .app
        .call_err("InitiateAuth", d.password_body("alice", Some(&unknown)))
        .await;
    assert_err_pair((code, message), NOT_FOUND);

    // PASSWORD_VERIFIER: Amplify drops the key and answers again with the same SECRET_BLOCK.
    let a = srp_secret();
    let init = d
        .app
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": d.client_id,
                   "AuthParameters": {"USERNAME": "alice", "SRP_A": srp_a(&a)}}),
        )
        .await;
    let p = &init["ChallengeParameters"];
    let param = |n: &str| p[n].as_str().unwrap_or_default().to_string();
    let block = STANDARD.decode(param("SECRET_BLOCK")).expect("base64");
    let ts = d.timestamp();
    let pool_name = d
        .pool_id
        .split_once('_')
        .map(|(_, n)| n)
        .unwrap_or_default();
    let signature = client::signature(
        pool_name,
        "alice",
        PASSWORD,
        &param("SALT"),
        &param("SRP_B"),
        &a,
        &block,
        &ts,
    );
    let mut answer = json!({
        "ClientId": d.client_id,
        "ChallengeName": "PASSWORD_VERIFIER",
        "ChallengeResponses": {
            "USERNAME": "alice",
            "PASSWORD_CLAIM_SECRET_BLOCK": param("SECRET_BLOCK"),
            "PASSWORD_CLAIM_SIGNATURE": signature,
            "TIMESTAMP": ts,
            "DEVICE_KEY": unknown.key,
        }
    });
    let (_, code, message) = d
        .app
        .call_err("RespondToAuthChallenge", answer.clone())
        .await;
    assert_err_pair((code, message), NOT_FOUND);
    if let Some(r) = answer["ChallengeResponses"].as_object_mut() {
        r.remove("DEVICE_KEY");
    }
    let tokens = d.app.call("RespondToAuthChallenge", answer).await;
    assert!(tokens["AuthenticationResult"]["NewDeviceMetadata"]["DeviceKey"].is_string());
}

#[tokio::test]
async fn a_not_remembered_device_still_proves_itself() {
    let d = Devices::opt_in().await;
    let (device, necessary, _) = d.new_device("alice", "shared pc").await;
    assert!(necessary);
    let tokens = d.sign_in_on(&device).await;
    assert_eq!(
        claims(access_token(&tokens["AuthenticationResult"]))["device_key"],
        device.key
    );
}

// ---------------------------------------------------------------------------------------------
// Refresh bound to the device
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_refresh_needs_the_device_its_sign_in_was_bound_to() {
    let d = Devices::always().await;
    let (device, _, first) = d.new_device("alice", "laptop").await;
    let tokens = d.sign_in_on(&device).await;
    for result in [&first, &tokens["AuthenticationResult"]] {
        let refresh = result["RefreshToken"].as_str().unwrap_or_default();
        assert_err_pair(
            d.refresh(refresh, None).await.err().unwrap_or_default(),
            INVALID_REFRESH,
        );
        assert_err_pair(
            d.refresh(
                refresh,
                Some("us-east-1_00000000-0000-4000-8000-000000000000"),
            )
            .await
            .err()
            .unwrap_or_default(),
            INVALID_REFRESH,
        );
        let ok = d
            .refresh(refresh, Some(&device.key))
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            claims(access_token(&ok["AuthenticationResult"]))["device_key"],
            device.key
        );
    }
    let refresh = tokens["AuthenticationResult"]["RefreshToken"]
        .as_str()
        .unwrap_or_default();
    let out = d
        .app
        .client
        .get_tokens_from_refresh_token()
        .client_id(&d.client_id)
        .refresh_token(refresh)
        .device_key(&device.key)
        .send()
        .await
        .expect("GetTokensFromRefreshToken with DeviceKey");
    assert!(out.authentication_result().is_some());
    let err = d
        .app
        .client
        .get_tokens_from_refresh_token()
        .client_id(&d.client_id)
        .refresh_token(refresh)
        .send()
        .await;
    assert_sdk_err(err, INVALID_REFRESH.0, INVALID_REFRESH.1);
}

#[tokio::test]
async fn the_refresh_token_of_a_device_never_confirmed_does_not_refresh() {
    let d = Devices::always().await;
    let resp = d.password_initiate("alice", None).await;
    let result = &resp["AuthenticationResult"];
    let key = result["NewDeviceMetadata"]["DeviceKey"]
        .as_str()
        .unwrap_or_default();
    let refresh = result["RefreshToken"].as_str().unwrap_or_default();
    for device in [None, Some(key)] {
        assert_err_pair(
            d.refresh(refresh, device).await.err().unwrap_or_default(),
            INVALID_REFRESH,
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Devices and MFA
// ---------------------------------------------------------------------------------------------

impl Devices {
    /// MFA required with SMS, and a phone number for alice.
    async fn require_sms_mfa(&self) {
        self.app
            .call(
                "SetUserPoolMfaConfig",
                json!({"UserPoolId": self.pool_id, "MfaConfiguration": "ON",
                       "SmsMfaConfiguration": {"SmsAuthenticationMessage": "Your code is {####}"}}),
            )
            .await;
        self.app
            .call(
                "AdminUpdateUserAttributes",
                json!({"UserPoolId": self.pool_id, "Username": "alice",
                       "UserAttributes": [{"Name": "phone_number", "Value": "+12065551234"}]}),
            )
            .await;
    }

    async fn mfa_codes_sent(&self) -> usize {
        self.app.messages("username=alice&purpose=MFA").await.len()
    }

    /// Answers the SMS_MFA challenge in `resp` with the code sent, carrying DEVICE_KEY as clients do.
    async fn answer_sms(&self, resp: &Value, device: Option<&Device>) -> Value {
        assert_eq!(resp["ChallengeName"], "SMS_MFA", "{resp}");
        let code = self
            .app
            .last_code("alice", Some("MFA"))
            .await
            .expect("an MFA code in the outbox");
        let mut responses = json!({"USERNAME": "alice", "SMS_MFA_CODE": code});
        if let Some(d) = device {
            responses["DEVICE_KEY"] = json!(d.key);
        }
        self.app
            .call(
                "RespondToAuthChallenge",
                json!({"ClientId": self.client_id, "ChallengeName": "SMS_MFA",
                       "Session": resp["Session"], "ChallengeResponses": responses}),
            )
            .await
    }

    /// First sign-in through MFA, then ConfirmDevice.
    async fn new_device_after_mfa(&self) -> (Device, bool) {
        let first = self.password_initiate("alice", None).await;
        let tokens = self.answer_sms(&first, None).await;
        self.confirm(&tokens, "phone").await
    }
}

#[tokio::test]
async fn a_remembered_device_replaces_mfa_when_the_pool_says_so() {
    let d = Devices::always().await;
    d.require_sms_mfa().await;
    let (device, _) = d.new_device_after_mfa().await;
    let sent = d.mfa_codes_sent().await;
    let challenge = d.password_initiate("alice", Some(&device)).await;
    assert_eq!(challenge["ChallengeName"], "DEVICE_SRP_AUTH", "{challenge}");
    let tokens = d.device_auth(&challenge, &device).await;
    assert_eq!(
        claims(access_token(&tokens["AuthenticationResult"]))["device_key"],
        device.key
    );
    assert_eq!(d.mfa_codes_sent().await, sent, "no MFA code was sent");
}

#[tokio::test]
async fn without_challenge_required_on_new_device_mfa_comes_first_then_the_device() {
    let d = Devices::new(Some(json!({
        "ChallengeRequiredOnNewDevice": false,
        "DeviceOnlyRememberedOnUserPrompt": false
    })))
    .await;
    d.require_sms_mfa().await;
    let (device, _) = d.new_device_after_mfa().await;
    let first = d.password_initiate("alice", Some(&device)).await;
    let challenge = d.answer_sms(&first, Some(&device)).await;
    let tokens = d.device_auth(&challenge, &device).await;
    assert!(tokens["AuthenticationResult"]
        .get("NewDeviceMetadata")
        .is_none());
}

#[tokio::test]
async fn a_device_the_user_did_not_remember_still_gets_mfa() {
    let d = Devices::opt_in().await;
    d.require_sms_mfa().await;
    let (device, necessary) = d.new_device_after_mfa().await;
    assert!(necessary);
    let first = d.password_initiate("alice", Some(&device)).await;
    let challenge = d.answer_sms(&first, Some(&device)).await;
    d.device_auth(&challenge, &device).await;
}

#[tokio::test]
async fn a_device_never_confirmed_is_dropped_an_hour_later_at_the_next_sign_in() {
    let d = Devices::always().await;
    let stale = d.password_initiate("alice", None).await;
    d.app.advance_clock(3601).await;
    let fresh = d.password_initiate("alice", None).await;
    d.confirm(&fresh, "fresh").await;
    let key = stale["AuthenticationResult"]["NewDeviceMetadata"]["DeviceKey"]
        .as_str()
        .unwrap_or_default();
    let (verifier, salt) = client::device_verifier("-g", key, "pw", &[1; 16]);
    let (_, code, message) = d
        .app
        .call_err(
            "ConfirmDevice",
            json!({
                "AccessToken": access_token(&fresh["AuthenticationResult"]),
                "DeviceKey": key,
                "DeviceSecretVerifierConfig": {"PasswordVerifier": verifier, "Salt": salt}
            }),
        )
        .await;
    assert_err_pair((code, message), NOT_FOUND);
    assert_eq!(d.admin_list("alice").await.len(), 1);
}
