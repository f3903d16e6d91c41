//! The HTTPS listener (`--tls-port`): the emulator's own CA, clients that trust it (the AWS SDK
//! for Rust on rustls, reqwest), HTTP/2 by ALPN, the AWS host name resolved to loopback, the
//! user's own certificate, and start-up errors that name the bad file.

use crate::helpers::*;
use aws_credential_types::Credentials;
use aws_sdk_cognitoidentityprovider::config::retry::RetryConfig;
use aws_sdk_cognitoidentityprovider::config::{BehaviorVersion, Region};
use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;
use aws_sdk_cognitoidentityprovider::Client;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
use aws_smithy_runtime_api::client::dns::{DnsFuture, ResolveDns};
use cognito_emulator::{Application, Config};
use reqwest::StatusCode;
use serde_json::json;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

const AWS_HOST: &str = "cognito-idp.us-east-1.amazonaws.com";

/// A running emulator with both listeners.
struct TlsApp {
    /// Plain http: `app.base_url`, the SDK and reqwest over http.
    plain: TestApp,
    tls_addr: SocketAddr,
    /// The CA as `GET /_emulator/tls/ca.pem` serves it.
    ca_pem: String,
    server: tokio::task::JoinHandle<()>,
}

fn tls_config(dir: &Path) -> Config {
    Config {
        tls_port: Some(0),
        tls_dir: Some(dir.join("tls")),
        ..Config::for_tests()
    }
}

async fn spawn_tls(config: Config) -> TlsApp {
    let application = Application::build(config)
        .await
        .expect("the emulator builds with HTTPS on");
    let tls_addr = application.tls_addr().expect("the HTTPS listener is bound");
    let base_url = format!("http://{}", application.local_addr());
    let state = application.state();
    let server = tokio::spawn(async move {
        let _ = application.serve_forever().await;
    });
    let plain = TestApp {
        client: sdk_client(&base_url),
        http: reqwest::Client::new(),
        base_url,
        state,
    };
    let resp = plain
        .http
        .get(plain.url("/_emulator/tls/ca.pem"))
        .send()
        .await
        .expect("ca.pem over http");
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()["content-type"].to_str().ok(),
        Some("application/x-pem-file")
    );
    let ca_pem = resp.text().await.expect("a PEM body");
    assert!(
        ca_pem.starts_with("-----BEGIN CERTIFICATE-----"),
        "{ca_pem}"
    );
    TlsApp {
        plain,
        tls_addr,
        ca_pem,
        server,
    }
}

/// reqwest on rustls that trusts only `ca_pem`.
fn reqwest_trusting(ca_pem: &str) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(ca_pem.as_bytes()).expect("a PEM CA"))
}

/// The AWS SDK for Rust over https (rustls on ring) trusting only `ca_pem`, at `endpoint`, with
/// every host name resolved to 127.0.0.1 when `resolve_to_loopback`.
fn sdk_trusting(ca_pem: &str, endpoint: &str, resolve_to_loopback: bool) -> Client {
    let context = TlsContext::builder()
        .with_trust_store(TrustStore::empty().with_pem_certificate(ca_pem.as_bytes()))
        .build()
        .expect("a TLS context");
    let builder = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .tls_context(context);
    let http = if resolve_to_loopback {
        builder.build_with_resolver(Loopback)
    } else {
        builder.build_https()
    };
    let config = aws_sdk_cognitoidentityprovider::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .retry_config(RetryConfig::disabled())
        .http_client(http)
        .build();
    Client::from_conf(config)
}

/// A DNS override: every name is 127.0.0.1, as a hosts-file entry would make it.
#[derive(Debug, Clone)]
struct Loopback;

impl ResolveDns for Loopback {
    fn resolve_dns<'a>(&'a self, _name: &'a str) -> DnsFuture<'a> {
        DnsFuture::ready(Ok(vec![IpAddr::V4(Ipv4Addr::LOCALHOST)]))
    }
}

impl TlsApp {
    fn https_url(&self) -> String {
        format!("https://{}", self.tls_addr)
    }

    /// A TestApp whose SDK client and reqwest talk https (trusting the emulator's CA).
    fn over_https(&self) -> TestApp {
        let base_url = self.https_url();
        TestApp {
            client: sdk_trusting(&self.ca_pem, &base_url, false),
            http: reqwest_trusting(&self.ca_pem).build().expect("reqwest"),
            base_url,
            state: self.plain.state.clone(),
        }
    }
}

#[tokio::test]
async fn the_sdk_over_https_signs_up_signs_in_with_srp_answers_a_challenge_and_gets_the_user() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let tls = spawn_tls(tls_config(dir.path())).await;
    let app = tls.over_https();
    let pool_id = app.create_pool("tls").await;
    let client_id = app.create_client(&pool_id).await;

    app.client
        .sign_up()
        .client_id(&client_id)
        .username("alice")
        .password("Passw0rd!")
        .user_attributes(attr("email", "alice@example.com"))
        .send()
        .await
        .expect("SignUp over https");
    app.client
        .admin_confirm_sign_up()
        .user_pool_id(&pool_id)
        .username("alice")
        .send()
        .await
        .expect("AdminConfirmSignUp over https");
    let out = app
        .srp_sign_in(&pool_id, &client_id, "alice", "Passw0rd!")
        .await
        .expect("SRP sign-in over https");
    let tokens = out.authentication_result().expect("tokens").clone();
    let access = tokens.access_token().expect("an access token");
    // The issuer names the URL the client used: https and the HTTPS listener's port.
    let issuer = format!("{}/{pool_id}", tls.https_url());
    assert_eq!(claims(access)["iss"], json!(issuer));
    assert_eq!(claims(tokens.id_token().expect("id"))["iss"], json!(issuer));
    let user = app
        .client
        .get_user()
        .access_token(access)
        .send()
        .await
        .expect("GetUser over https");
    assert_eq!(user.username(), "alice");
    // The same token is good over the plain listener (a backend seldom uses the app's listener).
    let user = tls
        .plain
        .client
        .get_user()
        .access_token(access)
        .send()
        .await
        .expect("GetUser over http with a token minted over https");
    assert_eq!(user.username(), "alice");

    // A challenge over https: a temporary password must be changed.
    app.create_user(&pool_id, "bob", "Temp0rary!", &[]).await;
    let out = app
        .srp_sign_in(&pool_id, &client_id, "bob", "Temp0rary!")
        .await
        .expect("SRP sign-in with a temporary password");
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );
    let done = app
        .respond_to_challenge(
            &client_id,
            ChallengeNameType::NewPasswordRequired,
            out.session().expect("a session"),
            &[("USERNAME", "bob"), ("NEW_PASSWORD", "Perm4nent!")],
        )
        .await
        .expect("NEW_PASSWORD_REQUIRED answered over https");
    assert!(done.authentication_result().is_some(), "{done:?}");
}

#[tokio::test]
async fn discovery_names_the_listener_the_client_used() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let tls = spawn_tls(tls_config(dir.path())).await;
    let app = tls.over_https();
    let pool_id = app.create_pool("discovery").await;
    let path = format!("/{pool_id}/.well-known/openid-configuration");

    let (status, _, doc) = app.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    let https = tls.https_url();
    assert_eq!(doc["issuer"], json!(format!("{https}/{pool_id}")));
    assert_eq!(
        doc["jwks_uri"],
        json!(format!("{https}/{pool_id}/.well-known/jwks.json"))
    );
    assert_eq!(
        doc["token_endpoint"],
        json!(format!("{https}/oauth2/token"))
    );

    // Called as `localhost`, the URLs say localhost: they follow the Host the client sent.
    let port = tls.tls_addr.port();
    let doc: serde_json::Value = app
        .http
        .get(format!("https://localhost:{port}{path}"))
        .send()
        .await
        .expect("https://localhost")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        doc["issuer"],
        json!(format!("https://localhost:{port}/{pool_id}"))
    );

    // The plain listener keeps its http URLs.
    let (_, _, doc) = tls.plain.get(&path).await;
    assert_eq!(
        doc["issuer"],
        json!(format!("{}/{pool_id}", tls.plain.base_url))
    );
}

#[tokio::test]
async fn external_url_names_both_listeners() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let tls = spawn_tls(Config {
        external_url: Some("https://auth.example.test".into()),
        ..tls_config(dir.path())
    })
    .await;
    let app = tls.over_https();
    let pool_id = app.create_pool("external").await;
    let (_, _, doc) = app
        .get(&format!("/{pool_id}/.well-known/openid-configuration"))
        .await;
    assert_eq!(
        doc["issuer"],
        json!(format!("https://auth.example.test/{pool_id}"))
    );
}

#[tokio::test]
async fn a_client_that_does_not_trust_the_ca_fails_the_handshake() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let tls = spawn_tls(tls_config(dir.path())).await;
    let stranger = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .build()
        .expect("reqwest");
    let err = stranger
        .get(format!("{}/_emulator/health", tls.https_url()))
        .send()
        .await
        .expect_err("no trust, no answer");
    assert!(err.is_connect(), "{err:?}");
    assert!(format!("{err:?}").contains("UnknownIssuer"), "{err:?}");

    // The SDK trusting some other CA fails before any request reaches the emulator.
    let other = rcgen::generate_simple_self_signed(vec!["localhost".to_string()])
        .expect("a self-signed certificate");
    let sdk = sdk_trusting(&other.cert.pem(), &tls.https_url(), false);
    let err = sdk
        .list_user_pools()
        .max_results(1)
        .send()
        .await
        .expect_err("the SDK refuses the emulator's certificate");
    assert!(
        matches!(
            err,
            aws_sdk_cognitoidentityprovider::error::SdkError::DispatchFailure(_)
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn alpn_offers_h2_and_http_1_1_and_a_sign_in_completes_over_h2() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let tls = spawn_tls(tls_config(dir.path())).await;
    let app = tls.over_https();
    let pool_id = app.create_pool("h2").await;
    let client_id = app.create_client(&pool_id).await;
    app.confirmed_user(&pool_id, "carol", "Passw0rd!", &[])
        .await;

    let h2 = reqwest_trusting(&tls.ca_pem).build().expect("reqwest");
    let resp = h2
        .post(format!("{}/", tls.https_url()))
        .header("content-type", AMZ_JSON)
        .header("x-amz-target", format!("{TARGET_PREFIX}InitiateAuth"))
        .body(
            json!({
                "ClientId": client_id,
                "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": "carol", "PASSWORD": "Passw0rd!"}
            })
            .to_string(),
        )
        .send()
        .await
        .expect("InitiateAuth over h2");
    assert_eq!(resp.version(), reqwest::Version::HTTP_2);
    assert_eq!(resp.status(), StatusCode::OK);
    let body: serde_json::Value = resp.json().await.expect("JSON");
    assert!(
        body["AuthenticationResult"]["AccessToken"].is_string(),
        "{body}"
    );

    let h1 = reqwest_trusting(&tls.ca_pem)
        .http1_only()
        .build()
        .expect("reqwest");
    let resp = h1
        .get(format!("{}/_emulator/health", tls.https_url()))
        .send()
        .await
        .expect("health over HTTP/1.1");
    assert_eq!(resp.version(), reqwest::Version::HTTP_11);
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_aws_host_name_resolved_to_loopback_verifies_with_tls_hostname() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let tls = spawn_tls(Config {
        tls_hostnames: vec![AWS_HOST.to_string()],
        ..tls_config(dir.path())
    })
    .await;
    // Only the port differs from the SDK's own endpoint (https on 443 needs root or a port map).
    let endpoint = format!("https://{AWS_HOST}:{}", tls.tls_addr.port());
    let sdk = sdk_trusting(&tls.ca_pem, &endpoint, true);
    let pool = sdk
        .create_user_pool()
        .pool_name("aws-name")
        .send()
        .await
        .expect("CreateUserPool through the AWS host name");
    let pool_id = pool.user_pool().and_then(|p| p.id()).expect("an id");
    let app = TestApp {
        client: sdk,
        http: reqwest_trusting(&tls.ca_pem).build().expect("reqwest"),
        base_url: endpoint.clone(),
        state: tls.plain.state.clone(),
    };
    let client_id = tls.plain.create_client(pool_id).await;
    tls.plain
        .confirmed_user(pool_id, "dave", "Passw0rd!", &[])
        .await;
    let out = app
        .srp_sign_in(pool_id, &client_id, "dave", "Passw0rd!")
        .await
        .expect("SRP sign-in through the AWS host name");
    let access = out
        .authentication_result()
        .and_then(|r| r.access_token())
        .expect("an access token");
    assert_eq!(
        claims(access)["iss"],
        json!(format!("{endpoint}/{pool_id}"))
    );

    // Without --tls-hostname the certificate does not cover the name.
    let dir = tempfile::tempdir().expect("a temp dir");
    let bare = spawn_tls(tls_config(dir.path())).await;
    let endpoint = format!("https://{AWS_HOST}:{}", bare.tls_addr.port());
    let err = sdk_trusting(&bare.ca_pem, &endpoint, true)
        .list_user_pools()
        .max_results(1)
        .send()
        .await
        .expect_err("a name the certificate does not cover");
    assert!(format!("{err:?}").contains("NotValidForName"), "{err:?}");
}

#[tokio::test]
async fn a_restart_with_a_file_database_presents_the_same_ca() {
    let dir = tempfile::tempdir().expect("a temp dir");
    // No --tls-dir: the CA goes beside the database.
    let config = Config {
        db: dir.path().join("emulator.db").display().to_string(),
        tls_port: Some(0),
        ..Config::for_tests()
    };
    let first = spawn_tls(config.clone()).await;
    let ca_dir = dir.path().join("cognito-emulator-tls");
    let on_disk = std::fs::read_to_string(ca_dir.join("ca.pem")).expect("ca.pem beside the db");
    assert_eq!(on_disk, first.ca_pem);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(ca_dir.join("ca-key.pem"))
            .expect("ca-key.pem")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the CA key is private");
    }
    first.server.abort();
    let _ = first.server.await;

    let second = spawn_tls(config).await;
    assert_eq!(second.ca_pem, first.ca_pem);
    // A client that trusted the first run's CA trusts the second run's certificate.
    let resp = reqwest_trusting(&first.ca_pem)
        .build()
        .expect("reqwest")
        .get(format!("{}/_emulator/health", second.https_url()))
        .send()
        .await
        .expect("the old trust holds");
    assert_eq!(resp.status(), StatusCode::OK);
}

/// A self-signed certificate for localhost and its key, written as PEM files.
fn write_user_pair(dir: &Path) -> (PathBuf, PathBuf, String) {
    let pair = rcgen::generate_simple_self_signed(vec!["localhost".to_string()])
        .expect("a self-signed certificate");
    let cert = dir.join("server.pem");
    let key = dir.join("server-key.pem");
    std::fs::write(&cert, pair.cert.pem()).expect("write the cert");
    std::fs::write(&key, pair.signing_key.serialize_pem()).expect("write the key");
    (cert, key, pair.cert.pem())
}

#[tokio::test]
async fn tls_cert_and_tls_key_are_served_as_given() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let (cert, key, cert_pem) = write_user_pair(dir.path());
    let application = Application::build(Config {
        tls_cert: Some(cert),
        tls_key: Some(key),
        ..tls_config(dir.path())
    })
    .await
    .expect("the emulator builds with the user's pair");
    let port = application.tls_addr().expect("https").port();
    assert_eq!(application.tls_ca_file(), None);
    let base_url = format!("http://{}", application.local_addr());
    let _server = tokio::spawn(async move {
        let _ = application.serve_forever().await;
    });
    // Trusting exactly that certificate is enough to connect.
    let resp = reqwest_trusting(&cert_pem)
        .build()
        .expect("reqwest")
        .get(format!("https://localhost:{port}/_emulator/health"))
        .send()
        .await
        .expect("the user's certificate is served");
    assert_eq!(resp.status(), StatusCode::OK);
    // No CA of the emulator's own was made or is served.
    assert!(!dir.path().join("tls").exists());
    let resp = reqwest::get(format!("{base_url}/_emulator/tls/ca.pem"))
        .await
        .expect("ca.pem");
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = resp.json().await.expect("JSON");
    assert_eq!(
        body["message"],
        json!(
            "HTTPS serves the certificate given with --tls-cert; the emulator's own CA is not used"
        )
    );
}

#[tokio::test]
async fn ca_pem_without_https_is_a_404_that_says_why() {
    let app = spawn_app().await;
    let (status, _, body) = app.get("/_emulator/tls/ca.pem").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        body["message"],
        json!("HTTPS is off: start the emulator with --tls-port to make its CA")
    );
}

async fn build_error(config: Config) -> String {
    match Application::build(config).await {
        Ok(_) => panic!("the emulator must refuse this configuration"),
        Err(e) => format!("{e:#}"),
    }
}

#[tokio::test]
async fn bad_certificate_or_key_files_stop_start_up_with_the_file_named() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let (cert, key, _) = write_user_pair(dir.path());
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "not a PEM file\n").expect("write");
    let missing = dir.path().join("missing.pem");
    let user = |c: &Path, k: &Path| Config {
        tls_cert: Some(c.to_path_buf()),
        tls_key: Some(k.to_path_buf()),
        ..tls_config(dir.path())
    };

    let e = build_error(user(&missing, &key)).await;
    assert!(
        e.contains(&format!("--tls-cert {}", missing.display())),
        "{e}"
    );
    let e = build_error(user(&garbage, &key)).await;
    assert!(
        e.contains(&format!("--tls-cert {}", garbage.display())),
        "{e}"
    );
    let e = build_error(user(&cert, &garbage)).await;
    assert!(
        e.contains(&format!("--tls-key {}", garbage.display())),
        "{e}"
    );
    // A key that is not the certificate's.
    let (_, other_key, _) = write_user_pair(&{
        let d = dir.path().join("other");
        std::fs::create_dir_all(&d).expect("mkdir");
        d
    });
    let e = build_error(user(&cert, &other_key)).await;
    assert!(
        e.contains(&format!(
            "--tls-key {} does not fit --tls-cert {}",
            other_key.display(),
            cert.display()
        )),
        "{e}"
    );

    // The emulator's own CA folder: a lone key, a corrupt certificate.
    let ca = dir.path().join("ca");
    std::fs::create_dir_all(&ca).expect("mkdir");
    std::fs::copy(&key, ca.join("ca-key.pem")).expect("copy");
    let with_ca_dir = Config {
        tls_dir: Some(ca.clone()),
        ..tls_config(dir.path())
    };
    let e = build_error(with_ca_dir.clone()).await;
    assert!(
        e.contains(&format!("{} is missing", ca.join("ca.pem").display())),
        "{e}"
    );
    std::fs::write(ca.join("ca.pem"), "junk").expect("write");
    let e = build_error(with_ca_dir.clone()).await;
    assert!(
        e.contains(&format!(
            "{}: not a PEM certificate",
            ca.join("ca.pem").display()
        )),
        "{e}"
    );
    std::fs::copy(&cert, ca.join("ca.pem")).expect("copy");
    std::fs::copy(&other_key, ca.join("ca-key.pem")).expect("copy");
    let e = build_error(with_ca_dir).await;
    assert!(
        e.contains(&format!(
            "{} is not the key of {}",
            ca.join("ca-key.pem").display(),
            ca.join("ca.pem").display()
        )),
        "{e}"
    );

    let e = build_error(Config {
        tls_hostnames: vec!["bad name/with slash".into()],
        ..tls_config(dir.path())
    })
    .await;
    assert!(e.contains("--tls-hostname \"bad name/with slash\""), "{e}");
}

#[test]
fn the_command_line_needs_tls_port_and_both_halves_of_a_pair() {
    use clap::Parser;
    let parse = |args: &[&str]| {
        Config::try_parse_from(std::iter::once("cognito-emulator").chain(args.iter().copied()))
    };
    let ok = parse(&[
        "--tls-port",
        "9230",
        "--tls-hostname",
        AWS_HOST,
        "--tls-hostname",
        "dev.local",
        "--tls-dir",
        "/tmp/x",
    ])
    .expect("valid flags");
    assert_eq!(ok.tls_port, Some(9230));
    assert_eq!(
        ok.tls_hostnames,
        vec![AWS_HOST.to_string(), "dev.local".into()]
    );
    assert!(parse(&["--tls-cert", "c.pem", "--tls-port", "1"]).is_err());
    assert!(parse(&["--tls-key", "k.pem", "--tls-port", "1"]).is_err());
    assert!(parse(&["--tls-cert", "c.pem", "--tls-key", "k.pem"]).is_err());
    assert!(parse(&["--tls-hostname", "x"]).is_err());
    assert!(parse(&[
        "--tls-cert",
        "c.pem",
        "--tls-key",
        "k.pem",
        "--tls-port",
        "1"
    ])
    .is_ok());
}
