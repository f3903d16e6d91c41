//! Places where the emulator once differed from Cognito (schema rules, message templates, input
//! hygiene, regions), each driven through the AWS SDK for Rust with the exact wire result.

use crate::helpers::*;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeDataType, NumberAttributeConstraintsType, SchemaAttributeType,
    StringAttributeConstraintsType,
};

const PASSWORD: &str = "Passw0rd!";

fn schema(name: &str, ty: Option<AttributeDataType>) -> SchemaAttributeType {
    SchemaAttributeType::builder()
        .name(name)
        .set_attribute_data_type(ty)
        .build()
}

fn string_limits(name: &str, min: &str, max: Option<&str>) -> SchemaAttributeType {
    SchemaAttributeType::builder()
        .name(name)
        .attribute_data_type(AttributeDataType::String)
        .string_attribute_constraints(
            StringAttributeConstraintsType::builder()
                .min_length(min)
                .set_max_length(max.map(str::to_string))
                .build(),
        )
        .build()
}

// 1. Developer-only attributes are `dev:custom:<name>`.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn developer_only_attributes_are_named_dev_custom() {
    let app = spawn_app().await;
    let mut dev = schema("secret", Some(AttributeDataType::String));
    dev.developer_only_attribute = Some(true);
    let created = app
        .client
        .create_user_pool()
        .pool_name("dev")
        .schema(dev.clone())
        .send()
        .await
        .expect("CreateUserPool");
    let pool = created
        .user_pool()
        .and_then(|p| p.id())
        .unwrap()
        .to_string();
    let described = app
        .client
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .expect("DescribeUserPool");
    let entry = described
        .user_pool()
        .unwrap()
        .schema_attributes()
        .iter()
        .find(|a| a.developer_only_attribute() == Some(true))
        .expect("the developer-only attribute");
    assert_eq!(entry.name(), Some("dev:custom:secret"));
    assert_sdk_err(
        app.client
            .add_custom_attributes()
            .user_pool_id(&pool)
            .custom_attributes(dev)
            .send()
            .await,
        "InvalidParameterException",
        "custom:secret: Existing attribute already has name dev:custom:secret.",
    );
    // Administrators write and read it under that name.
    app.create_user(&pool, "jane", PASSWORD, &[("dev:custom:secret", "s3")])
        .await;
    let attrs = app.user_attributes(&pool, "jane").await;
    assert_eq!(
        attrs.get("dev:custom:secret").map(String::as_str),
        Some("s3")
    );
    assert_sdk_err(
        app.client
            .admin_update_user_attributes()
            .user_pool_id(&pool)
            .username("jane")
            .user_attributes(attr("custom:secret", "x"))
            .send()
            .await,
        "InvalidParameterException",
        "user.custom:secret: Attribute does not exist in the schema.\n",
    );
}

// 2. Standard attributes keep their data type and are never developer-only.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standard_attributes_cannot_be_retyped_or_made_developer_only() {
    let app = spawn_app().await;
    let mut dev_email = schema("email", Some(AttributeDataType::String));
    dev_email.developer_only_attribute = Some(true);
    for attribute in [schema("email", Some(AttributeDataType::Number)), dev_email] {
        assert_sdk_err(
            app.client
                .create_user_pool()
                .pool_name("std")
                .schema(attribute)
                .send()
                .await,
            "InvalidParameterException",
            "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email",
        );
    }
    let listed = app
        .client
        .list_user_pools()
        .max_results(10)
        .send()
        .await
        .expect("ListUserPools");
    assert!(listed.user_pools().is_empty(), "nothing was created");
    // The same type, or none, is accepted.
    app.client
        .create_user_pool()
        .pool_name("std")
        .schema(schema("email", None))
        .schema(schema("name", Some(AttributeDataType::String)))
        .send()
        .await
        .expect("CreateUserPool with the standard types");
}

// 5. Custom attributes need an AttributeDataType.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_attributes_without_a_data_type_are_refused() {
    let app = spawn_app().await;
    let text =
        "Invalid AttributeDataType input, consider using the provided AttributeDataType enum.";
    assert_sdk_err(
        app.client
            .create_user_pool()
            .pool_name("untyped")
            .schema(schema("tier", None))
            .send()
            .await,
        "InvalidParameterException",
        text,
    );
    let pool = app.create_pool("typed").await;
    assert_sdk_err(
        app.client
            .add_custom_attributes()
            .user_pool_id(&pool)
            .custom_attributes(schema("tier", None))
            .send()
            .await,
        "InvalidParameterException",
        text,
    );
}

// 10. Schema constraints are checked, never stored as given.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_constraints_are_checked() {
    let app = spawn_app().await;
    let create = |attribute: SchemaAttributeType| {
        app.client
            .create_user_pool()
            .pool_name("limits")
            .schema(attribute)
            .send()
    };
    assert_sdk_err(
        create(string_limits("tier", "invalid", None)).await,
        "InvalidParameterException",
        "Invalid StringAttributeConstraints for schema attribute custom:tier",
    );
    assert_sdk_err(
        create(string_limits("tier", "0", Some("2049"))).await,
        "InvalidParameterException",
        "user.custom:tier: String attributes cannot have a length of more than 2048",
    );
    assert_sdk_err(
        create(string_limits("email", "2049", None)).await,
        "InvalidParameterException",
        "user.email: String attributes cannot have a length of more than 2048",
    );
    assert_sdk_err(
        create(string_limits("email", "5", Some("2"))).await,
        "InvalidParameterException",
        "user.email: Max length cannot be less than min length.",
    );
    let number = |min: &str, max: &str| {
        SchemaAttributeType::builder()
            .name("level")
            .attribute_data_type(AttributeDataType::Number)
            .number_attribute_constraints(
                NumberAttributeConstraintsType::builder()
                    .min_value(min)
                    .max_value(max)
                    .build(),
            )
            .build()
    };
    assert_sdk_err(
        create(number("10", "1")).await,
        "InvalidParameterException",
        "user.custom:level: Max value cannot be less than min value.",
    );
    assert_sdk_err(
        create(number("one", "10")).await,
        "InvalidParameterException",
        "Invalid NumberAttributeConstraints for schema attribute custom:level",
    );
    let pool = app.create_pool("limits").await;
    assert_sdk_err(
        app.client
            .add_custom_attributes()
            .user_pool_id(&pool)
            .custom_attributes(string_limits("tier", "3", Some("1")))
            .send()
            .await,
        "InvalidParameterException",
        "user.custom:tier: Max length cannot be less than min length.",
    );
    let ok = create(string_limits("tier", "1", Some("2048")))
        .await
        .expect("valid limits");
    let tier = ok
        .user_pool()
        .unwrap()
        .schema_attributes()
        .iter()
        .find(|a| a.name() == Some("custom:tier"))
        .and_then(|a| a.string_attribute_constraints().cloned())
        .expect("the limits");
    assert_eq!(
        (tier.min_length(), tier.max_length()),
        (Some("1"), Some("2048"))
    );
}
