//! The JSON 1.1 wire protocol and the emulator's own endpoints, through raw HTTP.

use crate::helpers::*;
use cognito_emulator::domain::records::NewMessage;
use cognito_emulator::model::catalog::{self, ShapeKind, OPERATIONS, SHAPES};
use cognito_emulator::ops::IMPLEMENTED;
use reqwest::StatusCode;
use serde_json::{json, Map, Value};

fn header<'a>(h: &'a reqwest::header::HeaderMap, name: &str) -> &'a str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

// ---------------------------------------------------------------------------------------------
// Framing of answers

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_successful_answer_is_amz_json_with_a_request_id() {
    let app = spawn_app().await;
    let (status, headers, body) = app.raw("ListUserPools", json!({"MaxResults": 10})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, "content-type"), AMZ_JSON);
    assert!(is_uuid(header(&headers, "x-amzn-requestid")), "{headers:?}");
    assert_eq!(body, json!({"UserPools": []}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_gets_its_own_request_id() {
    let app = spawn_app().await;
    let (_, a, _) = app.raw("ListUserPools", json!({"MaxResults": 1})).await;
    let (_, b, _) = app.raw("ListUserPools", json!({"MaxResults": 1})).await;
    assert_ne!(
        header(&a, "x-amzn-requestid"),
        header(&b, "x-amzn-requestid")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_carries_type_message_and_the_error_type_header() {
    let app = spawn_app().await;
    let (status, headers, body) = app
        .raw(
            "DescribeUserPool",
            json!({"UserPoolId": "us-east-1_AAAAAAAAA"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({
            "__type": "ResourceNotFoundException",
            "message": "User pool us-east-1_AAAAAAAAA does not exist."
        })
    );
    assert_eq!(header(&headers, "content-type"), AMZ_JSON);
    assert_eq!(
        header(&headers, "x-amzn-errortype"),
        "ResourceNotFoundException:"
    );
    assert_eq!(
        header(&headers, "x-amzn-errormessage"),
        "User pool us-east-1_AAAAAAAAA does not exist."
    );
    assert!(is_uuid(header(&headers, "x-amzn-requestid")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_target_header_is_honoured_on_any_path() {
    let app = spawn_app().await;
    let resp = app
        .http
        .post(app.url("/some/prefix"))
        .header("content-type", AMZ_JSON)
        .header(
            "x-amz-target",
            "AWSCognitoIdentityProviderService.ListUserPools",
        )
        .body(r#"{"MaxResults": 5}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_json_content_type_is_accepted() {
    let app = spawn_app().await;
    let resp = app
        .http
        .post(app.url("/"))
        .header("content-type", "application/json")
        .header(
            "x-amz-target",
            "AWSCognitoIdentityProviderService.ListUserPools",
        )
        .body(r#"{"MaxResults": 5}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_members_are_ignored() {
    let app = spawn_app().await;
    let body = app
        .call(
            "ListUserPools",
            json!({"MaxResults": 5, "NoSuchMember": {"x": [1]}}),
        )
        .await;
    assert_eq!(body, json!({"UserPools": []}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_on_an_unknown_path_is_a_404() {
    let app = spawn_app().await;
    let (status, _, _) = app.get("/no/such/thing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

// ---------------------------------------------------------------------------------------------
// Targets

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_target_is_an_unknown_operation_without_message() {
    let app = spawn_app().await;
    let (status, headers, body) = app.raw("NoSuchOperation", json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, json!({"__type": "UnknownOperationException"}));
    assert_eq!(
        header(&headers, "x-amzn-errortype"),
        "UnknownOperationException:"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_target_is_an_unknown_operation() {
    let app = spawn_app().await;
    let (status, _, body) = app.raw_bytes(None, "{}").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, json!({"__type": "UnknownOperationException"}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_of_another_service_is_an_unknown_operation() {
    let app = spawn_app().await;
    let resp = app
        .http
        .post(app.url("/"))
        .header("content-type", AMZ_JSON)
        .header(
            "x-amz-target",
            "AWSCognitoIdentityService.ListIdentityPools",
        )
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body, json!({"__type": "UnknownOperationException"}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_model_operation_not_implemented_yet_is_unsupported_and_named() {
    let app = spawn_app().await;
    let missing: Vec<_> = OPERATIONS
        .iter()
        .filter(|op| !IMPLEMENTED.contains(&op.name))
        .collect();
    for op in missing {
        let (status, headers, body) = app.raw(op.name, json!({})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{}: {body}", op.name);
        let code = body["__type"].as_str().unwrap_or_default();
        match code {
            "InvalidParameterException" => {
                assert!(
                    body["message"]
                        .as_str()
                        .unwrap_or_default()
                        .contains("validation error"),
                    "{}: {body}",
                    op.name
                );
            }
            "UnsupportedOperationException" => {
                let message = body["message"].as_str().unwrap_or_default();
                assert!(message.contains(op.name), "{}: {body}", op.name);
                assert_eq!(
                    header(&headers, "x-amzn-errortype"),
                    "UnsupportedOperationException:"
                );
            }
            other => panic!("{}: unexpected {other}: {body}", op.name),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_implemented_operation_belongs_to_the_model() {
    for name in IMPLEMENTED {
        assert!(
            catalog::operation(name).is_some(),
            "{name} is not in the model"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Bodies that do not fit the model

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_json_is_a_serialization_exception_with_a_capital_message() {
    let app = spawn_app().await;
    let (status, headers, body) = app
        .raw_bytes(Some("ListUserPools"), r#"{"MaxResults": "#)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["__type"], "SerializationException");
    assert!(body["Message"].is_string(), "{body}");
    assert!(body.get("message").is_none(), "{body}");
    assert_eq!(
        header(&headers, "x-amzn-errortype"),
        "SerializationException:"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_body_counts_as_an_empty_object() {
    let app = spawn_app().await;
    let (status, _, body) = app.raw_bytes(Some("ListUserPools"), "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({
            "__type": "InvalidParameterException",
            "message": "1 validation error detected: Value null at 'maxResults' failed to satisfy constraint: Member must not be null"
        })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_string_where_a_number_belongs_is_unexpected_field_type() {
    let app = spawn_app().await;
    let (status, _, body) = app.raw("ListUserPools", json!({"MaxResults": "10"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"__type": "SerializationException", "Message": "Unexpected field type"})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_object_where_a_string_belongs_is_a_serialization_exception() {
    let app = spawn_app().await;
    let (status, _, body) = app
        .raw("DescribeUserPool", json!({"UserPoolId": {"a": 1}}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({
            "__type": "SerializationException",
            "Message": "Start of structure or map found where not expected."
        })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_string_where_a_structure_belongs_is_expected_map_or_null() {
    let app = spawn_app().await;
    let (status, _, body) = app
        .raw(
            "CreateUserPool",
            json!({"PoolName": "p", "Policies": "strict"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"__type": "SerializationException", "Message": "Expected map or null"})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_required_member_is_a_validation_error() {
    let app = spawn_app().await;
    let (status, _, body) = app.raw("DescribeUserPool", json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({
            "__type": "InvalidParameterException",
            "message": "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null"
        })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_too_long_member_is_a_validation_error() {
    let app = spawn_app().await;
    let name = "p".repeat(129);
    let (status, _, body) = app.raw("CreateUserPool", json!({"PoolName": name})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({
            "__type": "InvalidParameterException",
            "message": format!("1 validation error detected: Value '{name}' at 'poolName' failed to satisfy constraint: Member must have length less than or equal to 128")
        })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_failing_its_pattern_is_a_validation_error() {
    let app = spawn_app().await;
    let (status, _, body) = app
        .raw("DescribeUserPool", json!({"UserPoolId": "local"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({
            "__type": "InvalidParameterException",
            "message": "1 validation error detected: Value 'local' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+"
        })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_value_outside_its_enum_is_a_validation_error() {
    let app = spawn_app().await;
    let (status, _, body) = app
        .raw(
            "CreateUserPool",
            json!({"PoolName": "p", "MfaConfiguration": "SOMETIMES"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({
            "__type": "InvalidParameterException",
            "message": "1 validation error detected: Value 'SOMETIMES' at 'mfaConfiguration' failed to satisfy constraint: Member must satisfy enum value set: [OFF, ON, OPTIONAL]"
        })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_violations_are_counted_in_one_message() {
    let app = spawn_app().await;
    let (_, _, body) = app
        .raw(
            "ListUserPoolClients",
            json!({"UserPoolId": "local", "MaxResults": 0}),
        )
        .await;
    assert_eq!(body["__type"], "InvalidParameterException");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("2 validation errors detected: "),
        "{message}"
    );
    assert!(message.contains("at 'userPoolId'"), "{message}");
    assert!(message.contains("at 'maxResults'"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_one_mebibyte_is_refused_with_a_4xx() {
    let app = spawn_app().await;
    let huge = format!(r#"{{"PoolName": "{}"}}"#, "a".repeat(1024 * 1024 + 10));
    let resp = app
        .http
        .post(app.url("/"))
        .header("content-type", AMZ_JSON)
        .header(
            "x-amz-target",
            "AWSCognitoIdentityProviderService.CreateUserPool",
        )
        .body(huge)
        .send()
        .await
        .expect("the emulator answers instead of dropping the connection");
    assert!(resp.status().is_client_error(), "{}", resp.status());
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    assert!(body["__type"].is_string(), "{body}");
    // Nothing was created.
    let pools = app.call("ListUserPools", json!({"MaxResults": 60})).await;
    assert_eq!(pools["UserPools"], json!([]));
}

/// Sends `request` on a fresh connection and reads until the server closes it (or 10 s pass).
fn raw_exchange(base_url: &str, request: Vec<u8>) -> String {
    use std::io::{Read, Write};
    let addr = base_url.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .expect("timeout");
    // Like http.client, the whole request is written before the answer is read.
    s.write_all(&request)
        .expect("the whole request is written: the server reads it before it closes");
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

// Oversize request heads get an HTTP status before the server closes the connection (hyper's
// HTTP/1 limits: a URI over 65 534 bytes, more than 100 header fields or a head over its 408 KiB
// read buffer), and the server goes on serving; bench/fuzz.py relies on these answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversize_uri_or_head_is_answered_414_or_431_and_the_server_goes_on() {
    let app = spawn_app().await;
    let base = app.base_url.clone();
    let (uri, fields) = tokio::task::spawn_blocking(move || {
        let long_uri = format!(
            "GET /login?a={} HTTP/1.1\r\nHost: x\r\n\r\n",
            "a".repeat(70_000)
        );
        let mut many = String::from("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n");
        for i in 0..120 {
            many.push_str(&format!("X-F{i}: {i}\r\n"));
        }
        many.push_str("\r\n");
        (
            raw_exchange(&base, long_uri.into_bytes()),
            raw_exchange(&base, many.into_bytes()),
        )
    })
    .await
    .expect("exchange");
    assert!(uri.starts_with("HTTP/1.1 414 "), "{uri}");
    assert!(fields.starts_with("HTTP/1.1 431 "), "{fields}");
    let pools = app.call("ListUserPools", json!({"MaxResults": 1})).await;
    assert_eq!(pools["UserPools"], json!([]));
}

// A client that writes a whole oversize request before it reads (Python's http.client, curl
// without Expect) gets the 413 instead of a reset: the server reads and discards the rest of the
// request after answering before it closes (RFC 9112 section 9.6, lingering close).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_writing_a_whole_oversize_body_before_reading_gets_the_413() {
    let app = spawn_app().await;
    let base = app.base_url.clone();
    let answers = tokio::task::spawn_blocking(move || {
        // Far more than the socket buffers hold, so the server answers mid-body.
        let body = "a".repeat(6 * 1024 * 1024);
        let request = format!(
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\n\
             X-Amz-Target: AWSCognitoIdentityProviderService.ListUserPools\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        (0..3)
            .map(|_| raw_exchange(&base, request.clone().into_bytes()))
            .collect::<Vec<_>>()
    })
    .await
    .expect("exchange");
    for answer in answers {
        assert!(answer.starts_with("HTTP/1.1 413 "), "{answer}");
        assert!(answer.contains("InvalidParameterException"), "{answer}");
        // The unread rest of the body ends the connection, and the answer says so.
        assert!(
            answer
                .to_ascii_lowercase()
                .contains("\r\nconnection: close\r\n"),
            "{answer}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// CORS

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cors_preflight_echoes_origin_and_requested_headers() {
    let app = spawn_app().await;
    let requested = "content-type,x-amz-target,x-amz-user-agent,cache-control,amz-sdk-invocation-id,amz-sdk-request";
    let resp = app
        .http
        .request(reqwest::Method::OPTIONS, app.url("/"))
        .header("origin", "http://localhost:3000")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", requested)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    let h = resp.headers();
    assert_eq!(
        header(h, "access-control-allow-origin"),
        "http://localhost:3000"
    );
    assert_eq!(header(h, "access-control-allow-credentials"), "true");
    assert_eq!(header(h, "access-control-allow-headers"), requested);
    assert!(header(h, "access-control-allow-methods").contains("POST"));
    // A browser page uploads a user import CSV with PUT to the job's PreSignedUrl.
    assert!(header(h, "access-control-allow-methods").contains("PUT"));
    assert!(!header(h, "access-control-max-age").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cross_origin_call_exposes_the_aws_headers() {
    let app = spawn_app().await;
    let resp = app
        .http
        .post(app.url("/"))
        .header("origin", "http://localhost:3000")
        .header("content-type", AMZ_JSON)
        .header(
            "x-amz-target",
            "AWSCognitoIdentityProviderService.DescribeUserPool",
        )
        .body(r#"{"UserPoolId":"us-east-1_AAAAAAAAA"}"#)
        .send()
        .await
        .unwrap();
    let h = resp.headers();
    assert_eq!(
        header(h, "access-control-allow-origin"),
        "http://localhost:3000"
    );
    assert_eq!(header(h, "access-control-allow-credentials"), "true");
    let exposed = header(h, "access-control-expose-headers").to_ascii_lowercase();
    for name in [
        "x-amzn-requestid",
        "x-amzn-errortype",
        "x-amzn-errormessage",
        "date",
    ] {
        assert!(exposed.contains(name), "{name} not in {exposed}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_jwks_document_answers_cross_origin_requests() {
    let app = spawn_app().await;
    let pool = app.create_pool("cors").await;
    let resp = app
        .http
        .get(app.url(&format!("/{pool}/.well-known/jwks.json")))
        .header("origin", "http://localhost:5173")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        header(resp.headers(), "access-control-allow-origin"),
        "http://localhost:5173"
    );
}

// ---------------------------------------------------------------------------------------------
// Hostile input against every implemented operation

/// A JSON value of the wrong type for a member of kind `kind`.
fn wrong_type(kind: ShapeKind) -> Vec<Value> {
    match kind {
        ShapeKind::String | ShapeKind::Blob => {
            vec![json!(7), json!(true), json!({"a": 1}), json!(["a"])]
        }
        ShapeKind::Integer | ShapeKind::Long => {
            vec![json!("7"), json!(1.5), json!(true), json!({}), json!([1])]
        }
        ShapeKind::Boolean => vec![json!("true"), json!(1), json!({})],
        ShapeKind::Timestamp => vec![json!("yesterday"), json!({})],
        ShapeKind::Structure | ShapeKind::Map => vec![json!("x"), json!(1), json!([1])],
        ShapeKind::List => vec![json!("x"), json!(1), json!({"a": 1})],
        ShapeKind::Document => vec![],
    }
}

pub(crate) const HOSTILE: &[&str] = &[
    "'; DROP TABLE users; --",
    "\" OR \"1\"=\"1",
    "us-east-1_x' OR '1'='1",
    "%' OR 1=1 --",
    "Robert'); DELETE FROM user_pools;--",
    "ユーザー名😀\u{202e}abc",
    "\u{0000}nul\u{0007}",
    "../../../../etc/passwd",
    "<script>alert(1)</script>",
    "$(rm -rf /)",
    "${jndi:ldap://x/a}",
    "",
    " ",
];

/// A value of the right type for a member, built from hostile text where text goes.
pub(crate) fn filled(shape_idx: usize, text: &str, depth: usize) -> Value {
    let shape = &SHAPES[shape_idx];
    match shape.kind {
        ShapeKind::String | ShapeKind::Blob => json!(text),
        ShapeKind::Integer | ShapeKind::Long => json!(-1),
        ShapeKind::Boolean => json!(true),
        ShapeKind::Timestamp => json!(0),
        ShapeKind::Document => json!({"k": text}),
        ShapeKind::List => match shape.item {
            Some(i) if depth < 4 => json!([filled(i, text, depth + 1)]),
            _ => json!([]),
        },
        ShapeKind::Map => match shape.item {
            Some(i) if depth < 4 => json!({ text: filled(i, text, depth + 1) }),
            _ => json!({}),
        },
        ShapeKind::Structure => {
            let mut m = Map::new();
            if depth < 4 {
                for member in shape.members {
                    m.insert(member.name.into(), filled(member.target, text, depth + 1));
                }
            }
            Value::Object(m)
        }
    }
}

/// The state a bad request must not touch, as the API reports it.
async fn snapshot(app: &TestApp, pool_id: &str, client_id: &str) -> Value {
    let mut s = json!({
        "pool": app.call("DescribeUserPool", json!({"UserPoolId": pool_id})).await,
        "pools": app.call("ListUserPools", json!({"MaxResults": 60})).await,
        "client": app.call("DescribeUserPoolClient", json!({"UserPoolId": pool_id, "ClientId": client_id})).await,
        "clients": app.call("ListUserPoolClients", json!({"UserPoolId": pool_id, "MaxResults": 60})).await,
        "mfa": app.call("GetUserPoolMfaConfig", json!({"UserPoolId": pool_id})).await,
    });
    if IMPLEMENTED.contains(&"ListUsers") {
        s["users"] = app.call("ListUsers", json!({"UserPoolId": pool_id})).await;
    }
    if IMPLEMENTED.contains(&"ListGroups") {
        s["groups"] = app.call("ListGroups", json!({"UserPoolId": pool_id})).await;
    }
    s
}

/// Asserts a Cognito-style 4xx and returns the `__type`.
fn assert_client_error(op: &str, what: &str, status: StatusCode, body: &Value) -> String {
    assert!(
        status.is_client_error(),
        "{op} with {what}: expected a 4xx, got {status}: {body}"
    );
    let code = body["__type"].as_str().unwrap_or_default();
    assert!(
        code.ends_with("Exception"),
        "{op} with {what}: no Cognito __type in {body}"
    );
    if code != "UnknownOperationException" {
        let has_message = body["message"].is_string() || body["Message"].is_string();
        assert!(has_message, "{op} with {what}: no message in {body}");
    }
    code.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_bodies_get_a_4xx_from_every_implemented_operation_and_change_nothing() {
    let app = spawn_app().await;
    let pool_id = app.create_pool("victim").await;
    let client_id = app.create_client(&pool_id).await;
    if IMPLEMENTED.contains(&"AdminCreateUser") {
        app.call(
            "AdminCreateUser",
            json!({"UserPoolId": pool_id, "Username": "alice", "MessageAction": "SUPPRESS"}),
        )
        .await;
    }
    let before = snapshot(&app, &pool_id, &client_id).await;

    let long_username = "u".repeat(10 * 1024);
    let mut texts: Vec<&str> = HOSTILE.to_vec();
    texts.push(&long_username);

    for name in IMPLEMENTED {
        let op = catalog::operation(name).expect("implemented operations are in the model");
        let input = op.input.and_then(catalog::shape);

        // Bodies that are not a JSON object at all.
        for raw in [
            "{",
            "}{",
            "[]",
            "null",
            "42",
            "\"str\"",
            "{\"a\":",
            "\u{feff}{}",
            "{\"UserPoolId\": nul}",
        ] {
            let (status, _, body) = app.raw_bytes(Some(name), raw).await;
            assert_client_error(name, &format!("body {raw:?}"), status, &body);
        }

        let Some(input) = input else { continue };

        // `{}` when something is required.
        if input.members.iter().any(|m| m.required) {
            let (status, _, body) = app.raw(name, json!({})).await;
            let code = assert_client_error(name, "{}", status, &body);
            assert_eq!(code, "InvalidParameterException", "{name}: {body}");
        }

        // Each member with a value of the wrong JSON type.
        for member in input.members {
            for wrong in wrong_type(SHAPES[member.target].kind) {
                let mut body = Map::new();
                body.insert(member.name.into(), wrong.clone());
                let (status, _, resp) = app.raw(name, Value::Object(body)).await;
                let code =
                    assert_client_error(name, &format!("{}={wrong}", member.name), status, &resp);
                assert_eq!(
                    code, "SerializationException",
                    "{name} {}={wrong}: {resp}",
                    member.name
                );
            }
        }

        // Every member present and well typed, every text hostile.
        for text in &texts {
            let body = filled(catalog::shape_index(input.name).unwrap_or(0), text, 0);
            let (status, _, resp) = app.raw(name, body).await;
            let what = format!(
                "every text = {:?}",
                text.chars().take(40).collect::<String>()
            );
            assert_client_error(name, &what, status, &resp);
        }

        // Same, but ids that look real and do not exist, so the store is asked.
        for text in &texts {
            let mut body = filled(catalog::shape_index(input.name).unwrap_or(0), text, 0);
            if let Some(obj) = body.as_object_mut() {
                for (key, id) in [
                    ("UserPoolId", "us-east-1_NoSuchP00l"),
                    ("ClientId", "nosuchclient0000000000000a"),
                    ("NextToken", "us-east-1_NoSuchP00l"),
                    ("PaginationToken", "us-east-1_NoSuchP00l"),
                    // Shaped like the real thing, so the self-service, device and MFA
                    // operations get past the model to their own checks.
                    ("AccessToken", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"),
                    (
                        "DeviceKey",
                        "us-east-1_0f0e0d0c-0000-4000-8000-000000000000",
                    ),
                    ("Session", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
                    ("UserCode", "123456"),
                ] {
                    if obj.contains_key(key) {
                        obj.insert(key.into(), json!(id));
                    }
                }
                for limit in ["MaxResults", "Limit"] {
                    if obj.contains_key(limit) {
                        obj.insert(limit.into(), json!(10));
                    }
                }
            }
            let (status, _, resp) = app.raw(name, body).await;
            let what = format!(
                "unknown ids, texts = {:?}",
                text.chars().take(40).collect::<String>()
            );
            assert_client_error(name, &what, status, &resp);
        }
    }

    let after = snapshot(&app, &pool_id, &client_id).await;
    assert_eq!(before, after, "a refused request changed state");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sql_metacharacters_in_a_valid_pool_name_are_stored_verbatim() {
    let app = spawn_app().await;
    // The pool name pattern allows `=`, `,`, `.`, `@`, `-`, `+` and spaces: enough for a classic.
    let name = "x = 1 -- , @a.b + 1=1";
    let id = app.create_pool(name).await;
    let described = app
        .call("DescribeUserPool", json!({"UserPoolId": id}))
        .await;
    assert_eq!(described["UserPool"]["Name"], name);
    let listed = app.call("ListUserPools", json!({"MaxResults": 60})).await;
    assert_eq!(listed["UserPools"].as_array().map(Vec::len), Some(1));
}

// ---------------------------------------------------------------------------------------------
// /_emulator endpoints

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_health_endpoint_answers_ok_with_a_version() {
    let app = spawn_app().await;
    let (status, _, body) = app.get("/_emulator/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_deletes_every_pool() {
    let app = spawn_app().await;
    let pool = app.create_pool("doomed").await;
    app.create_client(&pool).await;
    let (status, _) = app.post_json("/_emulator/reset", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let listed = app.call("ListUserPools", json!({"MaxResults": 60})).await;
    assert_eq!(listed["UserPools"], json!([]));
    let (_, code, message) = app
        .call_err("DescribeUserPool", json!({"UserPoolId": pool}))
        .await;
    assert_eq!(code, "ResourceNotFoundException");
    assert_eq!(message, format!("User pool {pool} does not exist."));
    let (status, _, _) = app.get(&format!("/{pool}/.well-known/jwks.json")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clock_can_be_advanced_set_and_reset() {
    let app = spawn_app().await;
    let now = |v: &Value| {
        chrono::DateTime::parse_from_rfc3339(v["now"].as_str().unwrap_or_default())
            .map(|t| t.timestamp())
            .expect("now is RFC 3339")
    };
    let real = chrono::Utc::now().timestamp();

    let (status, _, body) = app.get("/_emulator/clock").await;
    assert_eq!(status, StatusCode::OK);
    assert!((now(&body) - real).abs() < 60, "{body}");

    let (status, body) = app
        .post_json("/_emulator/clock", json!({"advanceSeconds": 86400}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!((now(&body) - real - 86400).abs() < 60, "{body}");

    let (status, body) = app
        .post_json("/_emulator/clock", json!({"set": "2030-01-01T00:00:00Z"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!((now(&body) - 1_893_456_000).abs() < 60, "{body}");

    // The API sees the emulator's time.
    let pool = app.create_pool("future").await;
    let described = app
        .call("DescribeUserPool", json!({"UserPoolId": pool}))
        .await;
    let created = described["UserPool"]["CreationDate"]
        .as_f64()
        .unwrap_or_default();
    assert!((created - 1_893_456_000.0).abs() < 60.0, "{described}");

    app.advance_clock(-3600).await;
    let (_, _, body) = app.get("/_emulator/clock").await;
    assert!((now(&body) - (1_893_456_000 - 3600)).abs() < 60, "{body}");

    let (status, body) = app
        .post_json("/_emulator/clock", json!({"reset": true}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!((now(&body) - real).abs() < 60, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_clock_request_is_a_400_and_leaves_the_clock_alone() {
    let app = spawn_app().await;
    for bad in [
        json!({"set": "tomorrow"}),
        json!({"advance": 5}),
        json!({"advanceSeconds": "5"}),
        json!([]),
    ] {
        let (status, body) = app.post_json("/_emulator/clock", bad.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert!(body["error"].is_string(), "{bad}: {body}");
    }
    let (_, _, body) = app.get("/_emulator/clock").await;
    let t = chrono::DateTime::parse_from_rfc3339(body["now"].as_str().unwrap_or_default())
        .map(|t| t.timestamp())
        .unwrap_or_default();
    assert!((t - chrono::Utc::now().timestamp()).abs() < 60, "{body}");
}

async fn put_message(
    app: &TestApp,
    pool: &str,
    username: &str,
    channel: &str,
    purpose: &str,
    code: Option<&str>,
) {
    app.state
        .store
        .add_message(&NewMessage {
            pool_id: pool,
            username,
            channel,
            destination: if channel == "SMS" {
                "+15555550100"
            } else {
                "someone@example.com"
            },
            purpose,
            code,
            subject: None,
            body: "Your code is on its way",
            temporary_password: None,
            sent_at: app.state.clock.epoch(),
        })
        .await
        .expect("the outbox takes a message");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outbox_lists_messages_oldest_first_with_filters_and_can_be_cleared() {
    let app = spawn_app().await;
    assert_eq!(app.messages("").await, Vec::<Value>::new());
    put_message(
        &app,
        "us-east-1_AAAAAAAAA",
        "alice",
        "EMAIL",
        "SIGN_UP",
        Some("111111"),
    )
    .await;
    app.advance_clock(1).await;
    put_message(
        &app,
        "us-east-1_AAAAAAAAA",
        "bob",
        "SMS",
        "MFA",
        Some("222222"),
    )
    .await;
    app.advance_clock(1).await;
    put_message(
        &app,
        "us-east-1_BBBBBBBBB",
        "alice",
        "EMAIL",
        "INVITATION",
        None,
    )
    .await;

    let all = app.messages("").await;
    assert_eq!(all.len(), 3);
    assert_eq!(all[0]["code"], "111111");
    assert_eq!(all[1]["code"], "222222");
    assert_eq!(all[2]["code"], Value::Null);
    for m in &all {
        for key in [
            "id",
            "userPoolId",
            "username",
            "channel",
            "destination",
            "purpose",
            "code",
            "body",
            "sentAt",
        ] {
            assert!(m.get(key).is_some(), "{key} missing from {m}");
        }
    }

    assert_eq!(app.messages("username=alice").await.len(), 2);
    assert_eq!(
        app.messages("userPoolId=us-east-1_AAAAAAAAA").await.len(),
        2
    );
    assert_eq!(app.messages("channel=SMS").await.len(), 1);
    assert_eq!(
        app.messages("purpose=INVITATION&username=alice")
            .await
            .len(),
        1
    );
    assert_eq!(app.messages("purpose=SIGN_UP&username=bob").await.len(), 0);
    assert_eq!(
        app.last_code("alice", None).await.as_deref(),
        Some("111111")
    );
    assert_eq!(
        app.last_code("bob", Some("MFA")).await.as_deref(),
        Some("222222")
    );

    let resp = app
        .http
        .delete(app.url("/_emulator/messages"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(app.messages("").await, Vec::<Value>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_healthcheck_flag_reports_a_running_emulator_healthy_and_a_closed_port_not() {
    let app = spawn_app().await;
    let port: u16 = app
        .base_url
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("a port in the base URL");
    let config = cognito_emulator::Config {
        host: "0.0.0.0".into(),
        port,
        healthcheck: true,
        ..cognito_emulator::Config::for_tests()
    };
    let result =
        tokio::task::spawn_blocking(move || cognito_emulator::config::healthcheck(&config))
            .await
            .expect("the check runs");
    assert_eq!(result, Ok(()));

    // A port nobody listens on (bound, then released).
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let config = cognito_emulator::Config {
        port: free,
        ..cognito_emulator::Config::for_tests()
    };
    let result =
        tokio::task::spawn_blocking(move || cognito_emulator::config::healthcheck(&config))
            .await
            .expect("the check runs");
    assert!(result.is_err(), "{result:?}");
}

// ---------------------------------------------------------------------------------------------
// The README's list of implemented operations

const README_START: &str = "<!-- implemented-operations:start -->";
const README_END: &str = "<!-- implemented-operations:end -->";

fn implemented_block() -> String {
    let mut names: Vec<&str> = IMPLEMENTED.to_vec();
    names.sort_unstable();
    let list = names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "{README_START}\n{} of the model's {} operations: {list}.\n{README_END}",
        names.len(),
        OPERATIONS.len()
    )
}

#[test]
fn readme_lists_exactly_the_implemented_operations() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md is readable");
    let (Some(start), Some(end)) = (readme.find(README_START), readme.find(README_END)) else {
        panic!("README.md lacks the {README_START} ... {README_END} markers");
    };
    let current = &readme[start..end + README_END.len()];
    let wanted = implemented_block();
    if current == wanted {
        return;
    }
    if std::env::var_os("UPDATE_README").is_some() {
        let updated = readme.replacen(current, &wanted, 1);
        std::fs::write(&path, updated).expect("README.md is writable");
        return;
    }
    panic!(
        "README.md's list of implemented operations is out of date; run\n  \
         UPDATE_README=1 cargo test --test api readme\nto write:\n{wanted}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_up_code_lands_in_the_outbox_and_reset_empties_it() {
    let app = spawn_app().await;
    let pool = app
        .create_pool_with(json!({"PoolName": "outbox", "AutoVerifiedAttributes": ["email"]}))
        .await;
    let client = app.create_client(&pool).await;
    app.call(
        "SignUp",
        json!({
            "ClientId": client,
            "Username": "olive",
            "Password": "Passw0rd!",
            "UserAttributes": [{"Name": "email", "Value": "olive@example.com"}]
        }),
    )
    .await;
    let messages = app
        .messages(&format!("userPoolId={pool}&username=olive&purpose=SIGN_UP"))
        .await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    let m = &messages[0];
    assert_eq!(m["channel"], "EMAIL");
    assert_eq!(m["destination"], "olive@example.com");
    let code = m["code"].as_str().unwrap_or_default();
    assert!(
        code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()),
        "{m}"
    );
    assert!(m["body"].as_str().unwrap_or_default().contains(code), "{m}");
    assert_eq!(
        app.last_code("olive", Some("SIGN_UP")).await.as_deref(),
        Some(code)
    );
    app.call(
        "ConfirmSignUp",
        json!({"ClientId": client, "Username": "olive", "ConfirmationCode": code}),
    )
    .await;

    let (status, _) = app.post_json("/_emulator/reset", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.messages("").await, Vec::<Value>::new());
}
