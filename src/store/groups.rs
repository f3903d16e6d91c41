//! Groups and memberships.

use super::readers::sqlite;
use super::Store;
use crate::domain::records::UserRecord;
use crate::model::shapes::GroupType;
use rusqlite::Row;

/// The columns `group_from_row` reads, in its order (`g.` is the groups table in every query).
macro_rules! group_columns {
    () => {
        "g.pool_id, g.group_name, g.description, g.role_arn, g.precedence, g.created_at, g.modified_at"
    };
}

/// A row of `group_columns!`, by position. Group reads run on the caller's thread (`readers`):
/// a sign-in reads the user's groups for `cognito:groups`.
fn group_from_row(r: &Row) -> Result<GroupType, sqlx::Error> {
    Ok(GroupType {
        user_pool_id: Some(r.get(0).map_err(sqlite)?),
        group_name: Some(r.get(1).map_err(sqlite)?),
        description: r.get(2).map_err(sqlite)?,
        role_arn: r.get(3).map_err(sqlite)?,
        precedence: r.get(4).map_err(sqlite)?,
        creation_date: Some(r.get(5).map_err(sqlite)?),
        last_modified_date: Some(r.get(6).map_err(sqlite)?),
    })
}

/// Order of a user's groups for `cognito:groups`: lower precedence first, groups without one
/// last, then by name.
macro_rules! precedence_order {
    () => {
        "ORDER BY g.precedence IS NULL, g.precedence, g.group_name"
    };
}

impl Store {
    /// Inserts a group; a UNIQUE violation means the name is taken.
    pub async fn insert_group(&self, g: &GroupType) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO groups (pool_id, group_name, description, role_arn, precedence, created_at, modified_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
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
        let sql = concat!(
            "SELECT ",
            group_columns!(),
            " FROM groups g WHERE g.pool_id = ?1 AND g.group_name = ?2"
        );
        Ok(self
            .readers
            .rows(sql, (pool_id, name), group_from_row)?
            .into_iter()
            .next())
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
        let sql = concat!(
            "SELECT ",
            group_columns!(),
            " FROM groups g WHERE g.pool_id = ?1 AND (?2 IS NULL OR g.group_name > ?2)
             ORDER BY g.group_name LIMIT ?3"
        );
        self.readers.rows(
            sql,
            rusqlite::params![pool_id, after, limit],
            group_from_row,
        )
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
        let sql = concat!(
            "SELECT ",
            group_columns!(),
            " FROM groups g JOIN user_groups ug ON ug.pool_id = g.pool_id AND ug.group_name = g.group_name
             WHERE ug.pool_id = ?1 AND ug.sub = ?2 ",
            precedence_order!()
        );
        self.readers.rows(sql, (pool_id, sub), group_from_row)
    }

    /// A page of a user's groups by name (AdminListGroupsForUser).
    pub async fn list_groups_for_user(
        &self,
        pool_id: &str,
        sub: &str,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<GroupType>, sqlx::Error> {
        let sql = concat!(
            "SELECT ",
            group_columns!(),
            " FROM groups g JOIN user_groups ug ON ug.pool_id = g.pool_id AND ug.group_name = g.group_name
             WHERE ug.pool_id = ?1 AND ug.sub = ?2 AND (?3 IS NULL OR g.group_name > ?3)
             ORDER BY g.group_name LIMIT ?4"
        );
        self.readers.rows(
            sql,
            rusqlite::params![pool_id, sub, after, limit],
            group_from_row,
        )
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
