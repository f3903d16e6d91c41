//! User pools and app clients through the AWS SDK for Rust.

use crate::helpers::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_created_pool_can_be_described_with_the_sdk() {
    let app = spawn_app().await;
    let created = app
        .client
        .create_user_pool()
        .pool_name("my-pool")
        .send()
        .await
        .expect("CreateUserPool succeeds");
    let id = created
        .user_pool()
        .and_then(|p| p.id())
        .unwrap_or_default()
        .to_string();
    let described = app
        .client
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .expect("DescribeUserPool succeeds");
    assert_eq!(
        described.user_pool().and_then(|p| p.name()),
        Some("my-pool")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn describing_a_missing_pool_is_resource_not_found() {
    let app = spawn_app().await;
    let (code, message) = expect_err(
        app.client
            .describe_user_pool()
            .user_pool_id("us-east-1_AAAAAAAAA")
            .send()
            .await,
    );
    assert_eq!(code, "ResourceNotFoundException");
    assert_eq!(message, "User pool us-east-1_AAAAAAAAA does not exist.");
}
