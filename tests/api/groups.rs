//! Groups and memberships through the AWS SDK for Rust.

use crate::helpers::*;
use aws_sdk_cognitoidentityprovider::types::MessageActionType;
use serde_json::json;

async fn user(app: &TestApp, pool: &str, name: &str) {
    app.client
        .admin_create_user()
        .user_pool_id(pool)
        .username(name)
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .expect("AdminCreateUser");
}

async fn group(app: &TestApp, pool: &str, name: &str, precedence: Option<i32>) {
    app.client
        .create_group()
        .user_pool_id(pool)
        .group_name(name)
        .set_precedence(precedence)
        .send()
        .await
        .expect("CreateGroup");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_is_created_read_updated_and_deleted() {
    let app = spawn_app().await;
    let pool = app.create_pool("groups").await;
    let created = app
        .client
        .create_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .description("Administrators")
        .role_arn("arn:aws:iam::123456789012:role/admin")
        .precedence(1)
        .send()
        .await
        .expect("CreateGroup");
    let g = created.group().expect("Group");
    assert_eq!(g.group_name(), Some("admins"));
    assert_eq!(g.user_pool_id(), Some(pool.as_str()));
    assert_eq!(g.description(), Some("Administrators"));
    assert_eq!(g.role_arn(), Some("arn:aws:iam::123456789012:role/admin"));
    assert_eq!(g.precedence(), Some(1));
    assert!(g.creation_date().is_some() && g.last_modified_date().is_some());

    assert_sdk_err(
        app.client
            .create_group()
            .user_pool_id(&pool)
            .group_name("admins")
            .send()
            .await,
        "GroupExistsException",
        "A group with the name admins already exists.",
    );

    let got = app
        .client
        .get_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .send()
        .await
        .expect("GetGroup");
    assert_eq!(
        got.group().and_then(|g| g.description()),
        Some("Administrators")
    );

    let updated = app
        .client
        .update_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .description("Admins")
        .precedence(5)
        .send()
        .await
        .expect("UpdateGroup");
    let g = updated.group().expect("Group");
    assert_eq!(g.description(), Some("Admins"));
    assert_eq!(g.precedence(), Some(5));
    assert_eq!(
        g.role_arn(),
        Some("arn:aws:iam::123456789012:role/admin"),
        "members left out are kept"
    );

    app.client
        .delete_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .send()
        .await
        .expect("DeleteGroup");
    for e in [
        expect_err(
            app.client
                .get_group()
                .user_pool_id(&pool)
                .group_name("admins")
                .send()
                .await,
        ),
        expect_err(
            app.client
                .delete_group()
                .user_pool_id(&pool)
                .group_name("admins")
                .send()
                .await,
        ),
        expect_err(
            app.client
                .update_group()
                .user_pool_id(&pool)
                .group_name("admins")
                .send()
                .await,
        ),
    ] {
        assert_eq!(
            e,
            (
                "ResourceNotFoundException".into(),
                "Group not found.".into()
            )
        );
    }
    assert_sdk_err(
        app.client
            .create_group()
            .user_pool_id("us-east-1_Missing00")
            .group_name("x")
            .send()
            .await,
        "ResourceNotFoundException",
        "User pool us-east-1_Missing00 does not exist.",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_groups_pages_by_name() {
    let app = spawn_app().await;
    let pool = app.create_pool("list").await;
    for name in ["c", "a", "b"] {
        group(&app, &pool, name, None).await;
    }
    let page = app
        .client
        .list_groups()
        .user_pool_id(&pool)
        .limit(2)
        .send()
        .await
        .expect("ListGroups");
    let names: Vec<_> = page
        .groups()
        .iter()
        .filter_map(|g| g.group_name())
        .collect();
    assert_eq!(names, ["a", "b"]);
    let rest = app
        .client
        .list_groups()
        .user_pool_id(&pool)
        .limit(2)
        .next_token(page.next_token().expect("a token"))
        .send()
        .await
        .expect("ListGroups page 2");
    let names: Vec<_> = rest
        .groups()
        .iter()
        .filter_map(|g| g.group_name())
        .collect();
    assert_eq!(names, ["c"]);
    assert!(rest.next_token().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memberships_are_added_listed_and_removed() {
    let app = spawn_app().await;
    let pool = app.create_pool("members").await;
    user(&app, &pool, "ann").await;
    user(&app, &pool, "ben").await;
    group(&app, &pool, "readers", Some(10)).await;
    group(&app, &pool, "writers", Some(2)).await;
    group(&app, &pool, "misc", None).await;
    let add = |u: &str, g: &str| {
        app.client
            .admin_add_user_to_group()
            .user_pool_id(&pool)
            .username(u)
            .group_name(g)
            .send()
    };
    for g in ["readers", "writers", "misc"] {
        add("ann", g).await.expect("AdminAddUserToGroup");
    }
    add("ann", "readers")
        .await
        .expect("adding twice is a no-op");
    add("ben", "readers").await.expect("AdminAddUserToGroup");

    let groups = app
        .client
        .admin_list_groups_for_user()
        .user_pool_id(&pool)
        .username("ann")
        .send()
        .await
        .expect("AdminListGroupsForUser");
    let names: Vec<_> = groups
        .groups()
        .iter()
        .filter_map(|g| g.group_name())
        .collect();
    assert_eq!(names, ["misc", "readers", "writers"]);

    // The order the tokens use: lowest precedence first, none last.
    let state = &app.state;
    let sub = app
        .client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("ann")
        .send()
        .await
        .expect("AdminGetUser")
        .user_attributes()[0]
        .value()
        .unwrap_or_default()
        .to_string();
    let ordered = state
        .store
        .groups_for_user(&pool, &sub)
        .await
        .expect("groups_for_user");
    let names: Vec<_> = ordered
        .iter()
        .filter_map(|g| g.group_name.as_deref())
        .collect();
    assert_eq!(names, ["writers", "readers", "misc"]);

    let members = app
        .client
        .list_users_in_group()
        .user_pool_id(&pool)
        .group_name("readers")
        .send()
        .await
        .expect("ListUsersInGroup");
    let mut names: Vec<_> = members
        .users()
        .iter()
        .filter_map(|u| u.username())
        .collect();
    names.sort();
    assert_eq!(names, ["ann", "ben"]);
    let one = app
        .client
        .list_users_in_group()
        .user_pool_id(&pool)
        .group_name("readers")
        .limit(1)
        .send()
        .await
        .expect("ListUsersInGroup page 1");
    assert_eq!(one.users().len(), 1);
    let two = app
        .client
        .list_users_in_group()
        .user_pool_id(&pool)
        .group_name("readers")
        .limit(1)
        .next_token(one.next_token().expect("token"))
        .send()
        .await
        .expect("ListUsersInGroup page 2");
    assert_eq!(two.users().len(), 1);
    assert_ne!(one.users()[0].username(), two.users()[0].username());
    assert!(two.next_token().is_none());

    app.client
        .admin_remove_user_from_group()
        .user_pool_id(&pool)
        .username("ann")
        .group_name("readers")
        .send()
        .await
        .expect("AdminRemoveUserFromGroup");
    let members = app
        .client
        .list_users_in_group()
        .user_pool_id(&pool)
        .group_name("readers")
        .send()
        .await
        .expect("ListUsersInGroup");
    let names: Vec<_> = members
        .users()
        .iter()
        .filter_map(|u| u.username())
        .collect();
    assert_eq!(names, ["ben"]);

    // Deleting a group or a user removes their memberships.
    app.client
        .delete_group()
        .user_pool_id(&pool)
        .group_name("writers")
        .send()
        .await
        .expect("DeleteGroup");
    let groups = app
        .client
        .admin_list_groups_for_user()
        .user_pool_id(&pool)
        .username("ann")
        .send()
        .await
        .expect("AdminListGroupsForUser");
    let names: Vec<_> = groups
        .groups()
        .iter()
        .filter_map(|g| g.group_name())
        .collect();
    assert_eq!(names, ["misc"]);
    app.client
        .admin_delete_user()
        .user_pool_id(&pool)
        .username("ben")
        .send()
        .await
        .expect("delete");
    let members = app
        .client
        .list_users_in_group()
        .user_pool_id(&pool)
        .group_name("readers")
        .send()
        .await
        .expect("ListUsersInGroup");
    assert!(members.users().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn membership_operations_name_the_missing_group_or_user() {
    let app = spawn_app().await;
    let pool = app.create_pool("missing").await;
    user(&app, &pool, "ann").await;
    group(&app, &pool, "g", None).await;
    assert_sdk_err(
        app.client
            .admin_add_user_to_group()
            .user_pool_id(&pool)
            .username("ann")
            .group_name("nope")
            .send()
            .await,
        "ResourceNotFoundException",
        "Group not found.",
    );
    assert_sdk_err(
        app.client
            .admin_add_user_to_group()
            .user_pool_id(&pool)
            .username("nobody")
            .group_name("g")
            .send()
            .await,
        "UserNotFoundException",
        "User does not exist.",
    );
    assert_sdk_code(
        app.client
            .admin_remove_user_from_group()
            .user_pool_id(&pool)
            .username("nobody")
            .group_name("g")
            .send()
            .await,
        "UserNotFoundException",
    );
    assert_sdk_err(
        app.client
            .admin_list_groups_for_user()
            .user_pool_id(&pool)
            .username("nobody")
            .send()
            .await,
        "UserNotFoundException",
        "User does not exist.",
    );
    assert_sdk_err(
        app.client
            .list_users_in_group()
            .user_pool_id(&pool)
            .group_name("nope")
            .send()
            .await,
        "ResourceNotFoundException",
        "Group not found.",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_precedence_must_not_be_negative() {
    let app = spawn_app().await;
    let pool = app.create_pool("neg").await;
    let (status, code, _) = app
        .call_err(
            "CreateGroup",
            json!({"UserPoolId": pool, "GroupName": "g", "Precedence": -1}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(code, "InvalidParameterException");
}
