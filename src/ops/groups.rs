//! Groups: Create/Get/List/Update/DeleteGroup, memberships, and the group lookup the token code
//! uses for `cognito:groups`.

use crate::domain::paging::{key_token, page, page_limit};
use crate::error::{ApiError, ApiResult};
use crate::model::shapes::*;
use crate::ops::common::load_pool;
use crate::ops::common::load_user;
use crate::ops::common::page_key;
use crate::ops::common::page_position;
use crate::ops::common::user_page_token;
use crate::state::Ctx;

pub fn group_not_found() -> ApiError {
    ApiError::resource_not_found("Group not found.")
}

/// The group or `ResourceNotFoundException` "Group not found.".
pub async fn load_group(ctx: &Ctx, pool_id: &str, name: &str) -> ApiResult<GroupType> {
    ctx.app
        .store
        .get_group(pool_id, name)
        .await?
        .ok_or_else(group_not_found)
}

/// A user's groups in `cognito:groups` order: lower precedence first, none last, then by name.
pub async fn groups_for_user(ctx: &Ctx, pool_id: &str, sub: &str) -> ApiResult<Vec<GroupType>> {
    Ok(ctx.app.store.groups_for_user(pool_id, sub).await?)
}

pub async fn create_group(ctx: Ctx, req: CreateGroupRequest) -> ApiResult<CreateGroupResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    let name = req.group_name.unwrap_or_default();
    let now = ctx.app.clock.epoch();
    let group = GroupType {
        group_name: Some(name.clone()),
        user_pool_id: Some(pool_id),
        description: req.description,
        role_arn: req.role_arn,
        precedence: req.precedence,
        last_modified_date: Some(now),
        creation_date: Some(now),
    };
    match ctx.app.store.insert_group(&group).await {
        Ok(()) => Ok(CreateGroupResponse { group: Some(group) }),
        Err(e) if crate::store::is_unique_violation(&e) => Err(ApiError::group_exists(format!(
            "A group with the name {name} already exists."
        ))),
        Err(e) => Err(e.into()),
    }
}

pub async fn get_group(ctx: Ctx, req: GetGroupRequest) -> ApiResult<GetGroupResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    let group = load_group(
        &ctx,
        &pool_id,
        req.group_name.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok(GetGroupResponse { group: Some(group) })
}

pub async fn list_groups(ctx: Ctx, req: ListGroupsRequest) -> ApiResult<ListGroupsResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    let limit = page_limit(req.limit);
    let after = page_key(req.next_token.as_deref())?;
    let rows = ctx
        .app
        .store
        .list_groups(&pool_id, after.as_deref(), limit + 1)
        .await?;
    let (groups, next_token) = page(rows, limit, |g| g.group_name.as_deref().map(key_token));
    Ok(ListGroupsResponse {
        groups: Some(groups),
        next_token,
    })
}

/// Members left out of the request keep their values.
pub async fn update_group(ctx: Ctx, req: UpdateGroupRequest) -> ApiResult<UpdateGroupResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    let mut group = load_group(
        &ctx,
        &pool_id,
        req.group_name.as_deref().unwrap_or_default(),
    )
    .await?;
    if req.description.is_some() {
        group.description = req.description;
    }
    if req.role_arn.is_some() {
        group.role_arn = req.role_arn;
    }
    if req.precedence.is_some() {
        group.precedence = req.precedence;
    }
    group.last_modified_date = Some(ctx.app.clock.epoch());
    if !ctx.app.store.update_group(&group).await? {
        return Err(group_not_found());
    }
    Ok(UpdateGroupResponse { group: Some(group) })
}

pub async fn delete_group(ctx: Ctx, req: DeleteGroupRequest) -> ApiResult<DeleteGroupResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    if !ctx
        .app
        .store
        .delete_group(&pool_id, req.group_name.as_deref().unwrap_or_default())
        .await?
    {
        return Err(group_not_found());
    }
    Ok(DeleteGroupResponse {})
}

/// The pool id, user sub and group name of a membership change, each checked to exist in the
/// order Cognito reports them: pool, group, user.
async fn membership(
    ctx: &Ctx,
    pool_id: Option<&str>,
    group_name: Option<&str>,
    username: Option<&str>,
) -> ApiResult<(String, String, String)> {
    let pool = load_pool(ctx, pool_id.unwrap_or_default()).await?;
    let pool_id = pool.id.clone().unwrap_or_default();
    let group = load_group(ctx, &pool_id, group_name.unwrap_or_default()).await?;
    let user = load_user(ctx, &pool, username.unwrap_or_default()).await?;
    Ok((pool_id, user.sub, group.group_name.unwrap_or_default()))
}

pub async fn admin_add_user_to_group(
    ctx: Ctx,
    req: AdminAddUserToGroupRequest,
) -> ApiResult<AdminAddUserToGroupResponse> {
    let (pool_id, sub, group) = membership(
        &ctx,
        req.user_pool_id.as_deref(),
        req.group_name.as_deref(),
        req.username.as_deref(),
    )
    .await?;
    ctx.app
        .store
        .add_user_to_group(&pool_id, &sub, &group)
        .await?;
    Ok(AdminAddUserToGroupResponse {})
}

pub async fn admin_remove_user_from_group(
    ctx: Ctx,
    req: AdminRemoveUserFromGroupRequest,
) -> ApiResult<AdminRemoveUserFromGroupResponse> {
    let (pool_id, sub, group) = membership(
        &ctx,
        req.user_pool_id.as_deref(),
        req.group_name.as_deref(),
        req.username.as_deref(),
    )
    .await?;
    ctx.app
        .store
        .remove_user_from_group(&pool_id, &sub, &group)
        .await?;
    Ok(AdminRemoveUserFromGroupResponse {})
}

pub async fn admin_list_groups_for_user(
    ctx: Ctx,
    req: AdminListGroupsForUserRequest,
) -> ApiResult<AdminListGroupsForUserResponse> {
    let pool = load_pool(&ctx, req.user_pool_id.as_deref().unwrap_or_default()).await?;
    let user = load_user(&ctx, &pool, req.username.as_deref().unwrap_or_default()).await?;
    let limit = page_limit(req.limit);
    let after = page_key(req.next_token.as_deref())?;
    let rows = ctx
        .app
        .store
        .list_groups_for_user(&user.pool_id, &user.sub, after.as_deref(), limit + 1)
        .await?;
    let (groups, next_token) = page(rows, limit, |g| g.group_name.as_deref().map(key_token));
    Ok(AdminListGroupsForUserResponse {
        groups: Some(groups),
        next_token,
    })
}

pub async fn list_users_in_group(
    ctx: Ctx,
    req: ListUsersInGroupRequest,
) -> ApiResult<ListUsersInGroupResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    let group = load_group(
        &ctx,
        &pool_id,
        req.group_name.as_deref().unwrap_or_default(),
    )
    .await?;
    let limit = page_limit(req.limit);
    let after = page_position(req.next_token.as_deref())?;
    let rows = ctx
        .app
        .store
        .list_users_in_group(
            &pool_id,
            group.group_name.as_deref().unwrap_or_default(),
            after.as_ref().map(|(t, s)| (*t, s.as_str())),
            limit + 1,
        )
        .await?;
    let (users, next_token) = page(rows, limit, |u| Some(user_page_token(u)));
    Ok(ListUsersInGroupResponse {
        users: Some(crate::ops::common::list_user_types(&ctx, &users, None).await?),
        next_token,
    })
}
