//! The operation table: one line per implemented operation, mapping the model's operation name to
//! one typed function `async fn(Ctx, <Op>Request) -> ApiResult<<Op>Response>`.
//!
//! Adding an operation = write the function in its family's file + add its line to `dispatch`.
//! Operations of the model missing here answer `UnsupportedOperationException` naming them.

pub mod account;
pub mod admin_users;
pub mod auth;
pub mod branding;
pub mod client_secrets;
pub mod clients;
pub mod common;
pub mod devices;
pub mod domains;
pub mod groups;
pub mod identity_providers;
pub mod import_jobs;
pub mod mfa;
pub mod pool_config;
pub mod pools;
pub mod signing_certificate;
pub mod users;
pub mod webauthn;

use crate::error::{ApiError, ApiResult};
use crate::state::Ctx;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;

/// An operation's answer, serialized: the JSON 1.1 body it goes out as.
pub type OpFuture = Pin<Box<dyn Future<Output = ApiResult<Vec<u8>>> + Send>>;

/// Deserialize the (already model-validated) body, run the operation, serialize its output
/// straight to the answer's bytes (through a `Value` first, each answer cost a second tree of
/// allocations).
async fn adapt<Req, Resp, F, Fut>(ctx: Ctx, body: Value, f: F) -> ApiResult<Vec<u8>>
where
    Req: DeserializeOwned,
    Resp: Serialize,
    F: FnOnce(Ctx, Req) -> Fut,
    Fut: Future<Output = ApiResult<Resp>>,
{
    // The validator has checked types, so a failure here is a mismatch we did not foresee; it is
    // still the client's body that does not fit the model.
    let req: Req = serde_json::from_value(body)
        .map_err(|_| ApiError::serialization("Unexpected field type"))?;
    let resp = f(ctx, req).await?;
    Ok(serde_json::to_vec(&resp)?)
}

/// Expands the table into `dispatch` (name -> boxed future) and `IMPLEMENTED` (the names).
macro_rules! operations {
    ($($op:literal => $f:path,)*) => {
        /// The implemented operations. `None` = in the model but not implemented yet.
        pub fn dispatch(name: &str, ctx: Ctx, body: Value) -> Option<OpFuture> {
            match name {
                $($op => Some(Box::pin(adapt(ctx, body, $f)) as OpFuture),)*
                _ => None,
            }
        }

        /// The names of all implemented operations (README, tests).
        pub const IMPLEMENTED: &[&str] = &[$($op,)*];
    };
}

operations! {
    // pools
    "CreateUserPool" => pools::create_user_pool,
    "DescribeUserPool" => pools::describe_user_pool,
    "ListUserPools" => pools::list_user_pools,
    "UpdateUserPool" => pools::update_user_pool,
    "DeleteUserPool" => pools::delete_user_pool,
    "SetUserPoolMfaConfig" => pools::set_user_pool_mfa_config,
    "GetUserPoolMfaConfig" => pools::get_user_pool_mfa_config,
    // app clients
    "CreateUserPoolClient" => clients::create_user_pool_client,
    "DescribeUserPoolClient" => clients::describe_user_pool_client,
    "ListUserPoolClients" => clients::list_user_pool_clients,
    "UpdateUserPoolClient" => clients::update_user_pool_client,
    "DeleteUserPoolClient" => clients::delete_user_pool_client,
    // users (self-service)
    "SignUp" => users::sign_up,
    "ConfirmSignUp" => users::confirm_sign_up,
    "ResendConfirmationCode" => users::resend_confirmation_code,
    "GetUser" => users::get_user,
    "DeleteUser" => users::delete_user,
    "UpdateUserAttributes" => users::update_user_attributes,
    // users (admin)
    "AdminCreateUser" => admin_users::admin_create_user,
    "AdminConfirmSignUp" => admin_users::admin_confirm_sign_up,
    "AdminGetUser" => admin_users::admin_get_user,
    "AdminDeleteUser" => admin_users::admin_delete_user,
    "AdminSetUserPassword" => admin_users::admin_set_user_password,
    "AdminUpdateUserAttributes" => admin_users::admin_update_user_attributes,
    "AdminDisableUser" => admin_users::admin_disable_user,
    "AdminEnableUser" => admin_users::admin_enable_user,
    "ListUsers" => admin_users::list_users,
    // account lifecycle
    "ForgotPassword" => account::forgot_password,
    "ConfirmForgotPassword" => account::confirm_forgot_password,
    "ChangePassword" => account::change_password,
    "AdminResetUserPassword" => account::admin_reset_user_password,
    "GetUserAttributeVerificationCode" => account::get_user_attribute_verification_code,
    "VerifyUserAttribute" => account::verify_user_attribute,
    "DeleteUserAttributes" => account::delete_user_attributes,
    "AdminDeleteUserAttributes" => account::admin_delete_user_attributes,
    "AdminListUserAuthEvents" => account::admin_list_user_auth_events,
    "AdminUpdateAuthEventFeedback" => account::admin_update_auth_event_feedback,
    // groups
    "CreateGroup" => groups::create_group,
    "GetGroup" => groups::get_group,
    "ListGroups" => groups::list_groups,
    "UpdateGroup" => groups::update_group,
    "DeleteGroup" => groups::delete_group,
    "AdminAddUserToGroup" => groups::admin_add_user_to_group,
    "AdminRemoveUserFromGroup" => groups::admin_remove_user_from_group,
    "AdminListGroupsForUser" => groups::admin_list_groups_for_user,
    "ListUsersInGroup" => groups::list_users_in_group,
    // sign-in and tokens
    "InitiateAuth" => auth::initiate_auth,
    "AdminInitiateAuth" => auth::admin_initiate_auth,
    "RespondToAuthChallenge" => auth::respond_to_auth_challenge,
    "AdminRespondToAuthChallenge" => auth::admin_respond_to_auth_challenge,
    "GetTokensFromRefreshToken" => auth::get_tokens_from_refresh_token,
    "RevokeToken" => auth::revoke_token,
    "GlobalSignOut" => auth::global_sign_out,
    "AdminUserGlobalSignOut" => auth::admin_user_global_sign_out,
    "StartWebAuthnRegistration" => webauthn::start_web_authn_registration,
    "CompleteWebAuthnRegistration" => webauthn::complete_web_authn_registration,
    "ListWebAuthnCredentials" => webauthn::list_web_authn_credentials,
    "DeleteWebAuthnCredential" => webauthn::delete_web_authn_credential,
    "GetUserAuthFactors" => webauthn::get_user_auth_factors,
    // MFA
    "SetUserMFAPreference" => mfa::set_user_mfa_preference,
    "AdminSetUserMFAPreference" => mfa::admin_set_user_mfa_preference,
    "SetUserSettings" => mfa::set_user_settings,
    "AdminSetUserSettings" => mfa::admin_set_user_settings,
    "AssociateSoftwareToken" => mfa::associate_software_token,
    "VerifySoftwareToken" => mfa::verify_software_token,
    // remembered devices
    "ConfirmDevice" => devices::confirm_device,
    "GetDevice" => devices::get_device,
    "ListDevices" => devices::list_devices,
    "UpdateDeviceStatus" => devices::update_device_status,
    "ForgetDevice" => devices::forget_device,
    "AdminGetDevice" => devices::admin_get_device,
    "AdminListDevices" => devices::admin_list_devices,
    "AdminUpdateDeviceStatus" => devices::admin_update_device_status,
    "AdminForgetDevice" => devices::admin_forget_device,
    // user import jobs
    "GetCSVHeader" => import_jobs::get_csv_header,
    "CreateUserImportJob" => import_jobs::create_user_import_job,
    "DescribeUserImportJob" => import_jobs::describe_user_import_job,
    "ListUserImportJobs" => import_jobs::list_user_import_jobs,
    "StartUserImportJob" => import_jobs::start_user_import_job,
    "StopUserImportJob" => import_jobs::stop_user_import_job,
    // pool configuration: custom attributes, tags, resource servers, client secrets, threat protection
    "AddCustomAttributes" => pool_config::add_custom_attributes,
    "TagResource" => pool_config::tag_resource,
    "UntagResource" => pool_config::untag_resource,
    "ListTagsForResource" => pool_config::list_tags_for_resource,
    "CreateResourceServer" => pool_config::create_resource_server,
    "DescribeResourceServer" => pool_config::describe_resource_server,
    "UpdateResourceServer" => pool_config::update_resource_server,
    "DeleteResourceServer" => pool_config::delete_resource_server,
    "ListResourceServers" => pool_config::list_resource_servers,
    "AddUserPoolClientSecret" => client_secrets::add_user_pool_client_secret,
    "DeleteUserPoolClientSecret" => client_secrets::delete_user_pool_client_secret,
    "ListUserPoolClientSecrets" => client_secrets::list_user_pool_client_secrets,
    "DescribeRiskConfiguration" => pool_config::describe_risk_configuration,
    "SetRiskConfiguration" => pool_config::set_risk_configuration,
    "UpdateAuthEventFeedback" => pool_config::update_auth_event_feedback,
    // identity providers and federation links
    "CreateIdentityProvider" => identity_providers::create_identity_provider,
    "DescribeIdentityProvider" => identity_providers::describe_identity_provider,
    "UpdateIdentityProvider" => identity_providers::update_identity_provider,
    "DeleteIdentityProvider" => identity_providers::delete_identity_provider,
    "ListIdentityProviders" => identity_providers::list_identity_providers,
    "GetIdentityProviderByIdentifier" => identity_providers::get_identity_provider_by_identifier,
    "AdminLinkProviderForUser" => identity_providers::admin_link_provider_for_user,
    "AdminDisableProviderForUser" => identity_providers::admin_disable_provider_for_user,
    // domains, hosted UI, managed login, terms, log delivery
    "CreateUserPoolDomain" => domains::create_user_pool_domain,
    "DescribeUserPoolDomain" => domains::describe_user_pool_domain,
    "UpdateUserPoolDomain" => domains::update_user_pool_domain,
    "DeleteUserPoolDomain" => domains::delete_user_pool_domain,
    "GetUICustomization" => branding::get_ui_customization,
    "SetUICustomization" => branding::set_ui_customization,
    "GetLogDeliveryConfiguration" => branding::get_log_delivery_configuration,
    "SetLogDeliveryConfiguration" => branding::set_log_delivery_configuration,
    "CreateManagedLoginBranding" => branding::create_managed_login_branding,
    "DescribeManagedLoginBranding" => branding::describe_managed_login_branding,
    "DescribeManagedLoginBrandingByClient" => branding::describe_managed_login_branding_by_client,
    "UpdateManagedLoginBranding" => branding::update_managed_login_branding,
    "DeleteManagedLoginBranding" => branding::delete_managed_login_branding,
    "CreateTerms" => branding::create_terms,
    "DescribeTerms" => branding::describe_terms,
    "UpdateTerms" => branding::update_terms,
    "DeleteTerms" => branding::delete_terms,
    "ListTerms" => branding::list_terms,
    "GetSigningCertificate" => signing_certificate::get_signing_certificate,
}
