//! Groups and memberships.

use super::Store;
use crate::domain::records::UserRecord;
use crate::model::shapes::GroupType;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

const GROUP_COLUMNS: &str =
    "pool_id, group_name, description, role_arn, precedence, created_at, modified_at";

fn group_from_row(r: &SqliteRow) -> Result<GroupType, sqlx::Error> {
    Ok(GroupType {
        group_name: Some(r.try_get("group_name")?),
        user_pool_id: Some(r.try_get("pool_id")?),
        description: r.try_get("description")?,
        role_arn: r.try_get("role_arn")?,
        precedence: r.try_get("precedence")?,
        last_modified_date: Some(r.try_get("modified_at")?),
        creation_date: Some(r.try_get("created_at")?),
    })
}

/// Order of a user's groups for `cognito:groups`: lower precedence first, groups without one
/// last, then by name.
const PRECEDENCE_ORDER: &str = "g.precedence IS NULL, g.precedence, g.group_name";

impl Store {
    /// Inserts a group; a UNIQUE violation means the name is taken.
    pub async fn insert_group(&self, g: &GroupType) -> Result<(), sqlx::Error> {
        sqlx::query(&format!(
            "INSERT INTO groups ({GROUP_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)"
        ))
        .bind(&g.user_pool_id)
        .bind(&g.group_name)
        .bind(&g.description)
        .bind(&g.role_arn)
        .bind(g.precedence)
        .bind(g.creation_date.unwrap_or_default())
        .bind(g.last_modified_date.unwrap_or_default())
        .execute(&self.db)
        .await?;
        Ok(())
    }

    pub async fn get_group(
        &self,
        pool_id: &str,
        name: &str,
    ) -> Result<Option<GroupType>, sqlx::Error> {
        sqlx::query(&format!(
            "SELECT {GROUP_COLUMNS} FROM groups WHERE pool_id = ? AND group_name = ?"
        ))
        .bind(pool_id)
        .bind(name)
        .fetch_optional(&self.db)
        .await?
        .as_ref()
        .map(group_from_row)
        .transpose()
    }

    pub async fn update_group(&self, g: &GroupType) -> Result<bool, sqlx::Error> {
        let r = sqlx::query(
            "UPDATE groups SET description = ?, role_arn = ?, precedence = ?, modified_at = ?
             WHERE pool_id = ? AND group_name = ?",
        )
        .bind(&g.description)
        .bind(&g.role_arn)
        .bind(g.precedence)
        .bind(g.last_modified_date.unwrap_or_default())
        .bind(&g.user_pool_id)
        .bind(&g.group_name)
        .execute(&self.db)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Deletes a group; memberships go with it (foreign key cascade).
    pub async fn delete_group(&self, pool_id: &str, name: &str) -> Result<bool, sqlx::Error> {
        let r = sqlx::query("DELETE FROM groups WHERE pool_id = ? AND group_name = ?")
            .bind(pool_id)
            .bind(name)
            .execute(&self.db)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Groups of a pool by name, `limit` of them after the name `after`.
    pub async fn list_groups(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<GroupType>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {GROUP_COLUMNS} FROM groups WHERE pool_id = ?1 AND (?2 IS NULL OR group_name > ?2)
             ORDER BY group_name LIMIT ?3"
        ))
        .bind(pool_id)
        .bind(after)
        .bind(limit)
        .fetch_all(&self.db)
        .await?;
        rows.iter().map(group_from_row).collect()
    }

    /// Adds a membership; adding it again is a no-op, as on AWS.
    pub async fn add_user_to_group(
        &self,
        pool_id: &str,
        sub: &str,
        group: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT OR IGNORE INTO user_groups (pool_id, sub, group_name) VALUES (?, ?, ?)",
        )
        .bind(pool_id)
        .bind(sub)
        .bind(group)
        .execute(&self.db)
        .await?;
        Ok(())
    }

    pub async fn remove_user_from_group(
        &self,
        pool_id: &str,
        sub: &str,
        group: &str,
    ) -> Result<bool, sqlx::Error> {
        let r =
            sqlx::query("DELETE FROM user_groups WHERE pool_id = ? AND sub = ? AND group_name = ?")
                .bind(pool_id)
                .bind(sub)
                .bind(group)
                .execute(&self.db)
                .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Every group of a user, lower precedence first, no precedence last, then by name: the
    /// order of the `cognito:groups` claim (and `cognito:preferred_role` is the first one's role).
    pub async fn groups_for_user(
        &self,
        pool_id: &str,
        sub: &str,
    ) -> Result<Vec<GroupType>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT g.pool_id, g.group_name, g.description, g.role_arn, g.precedence, g.created_at, g.modified_at
             FROM groups g JOIN user_groups ug ON ug.pool_id = g.pool_id AND ug.group_name = g.group_name
             WHERE ug.pool_id = ? AND ug.sub = ? ORDER BY {PRECEDENCE_ORDER}"
        ))
        .bind(pool_id)
        .bind(sub)
        .fetch_all(&self.db)
        .await?;
        rows.iter().map(group_from_row).collect()
    }

    /// A page of a user's groups by name (AdminListGroupsForUser).
    pub async fn list_groups_for_user(
        &self,
        pool_id: &str,
        sub: &str,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<GroupType>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT g.pool_id, g.group_name, g.description, g.role_arn, g.precedence, g.created_at, g.modified_at
             FROM groups g JOIN user_groups ug ON ug.pool_id = g.pool_id AND ug.group_name = g.group_name
             WHERE ug.pool_id = ?1 AND ug.sub = ?2 AND (?3 IS NULL OR g.group_name > ?3)
             ORDER BY g.group_name LIMIT ?4",
        )
        .bind(pool_id)
        .bind(sub)
        .bind(after)
        .bind(limit)
        .fetch_all(&self.db)
        .await?;
        rows.iter().map(group_from_row).collect()
    }

    /// A page of a group's members in creation order, after the member with `after` = sub.
    pub async fn list_users_in_group(
        &self,
        pool_id: &str,
        group: &str,
        after: Option<(f64, &str)>,
        limit: i64,
    ) -> Result<Vec<UserRecord>, sqlx::Error> {
        let subs: Vec<String> = {
            let (after_t, after_sub) = after
                .map(|(t, s)| (Some(t), Some(s)))
                .unwrap_or((None, None));
            sqlx::query_scalar(
                "SELECT u.sub FROM users u JOIN user_groups ug ON ug.pool_id = u.pool_id AND ug.sub = u.sub
                 WHERE ug.pool_id = ?1 AND ug.group_name = ?2
                   AND (?3 IS NULL OR (u.created_at, u.sub) > (?3, ?4))
                 ORDER BY u.created_at, u.sub LIMIT ?5",
            )
            .bind(pool_id)
            .bind(group)
            .bind(after_t)
            .bind(after_sub)
            .bind(limit)
            .fetch_all(&self.db)
            .await?
        };
        let mut out = Vec::with_capacity(subs.len());
        for sub in subs {
            if let Some(u) = self.get_user_by_sub(pool_id, &sub).await? {
                out.push(u);
            }
        }
        Ok(out)
    }
}
