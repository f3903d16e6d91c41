//! Users. One row per user; attributes as a JSON object; alias lookup keys in their own columns.

use super::docs::{json, parse};
use super::readers::sqlite;
use super::{Query, Store};
use crate::domain::filter::{Filter, Op};
use crate::domain::records::{AliasColumn, AuthSession, UserRecord};
use crate::domain::user_status::UserStatus;
use rusqlite::types::Value;
use rusqlite::Row;

/// The stored columns, in `INSERT_USER`'s order.
macro_rules! columns {
    () => {
        "pool_id, sub, username, username_key, status, enabled, attributes, email_key, phone_key, \
         preferred_username_key, password_salt, password_verifier, password_set_at, password_history, mfa, \
         failed_attempts, last_failed_at, locked_until, tokens_valid_after, created_at, modified_at"
    };
}
/// The row's pool number (migration 0013) is looked up inside the same statement. Its `?` are
/// unnumbered (the pool id is bound twice) so that a session insert can follow it in one query.
const INSERT_USER: &str = concat!(
    "INSERT INTO users (",
    columns!(),
    ", pool_no) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ",
    "(SELECT no FROM user_pools WHERE id = ?))"
);

static INSERT_USER_WITH_SESSION: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| format!("{INSERT_USER}; {}", super::sessions::INSERT));

/// Binds [`INSERT_USER`]'s arguments, in `columns!`'s order.
fn bind_user<'q>(q: Query<'q>, u: &'q UserRecord) -> Query<'q> {
    let q = q
        .bind(&u.pool_id)
        .bind(&u.sub)
        .bind(&u.username)
        .bind(&u.username_key);
    bind_state(q, u)
        .bind(u.created_at)
        .bind(u.modified_at)
        .bind(&u.pool_id)
}

/// Binds the columns a user's life changes, `status` to `tokens_valid_after` in `columns!`'s
/// order: what `insert_user` writes first and `update_user` writes back.
fn bind_state<'q>(q: Query<'q>, u: &'q UserRecord) -> Query<'q> {
    q.bind(u.status.as_str())
        .bind(u.enabled as i64)
        .bind(json(&u.attributes))
        .bind(&u.email_key)
        .bind(&u.phone_key)
        .bind(&u.preferred_username_key)
        .bind(&u.password_salt)
        .bind(&u.password_verifier)
        .bind(u.password_set_at)
        .bind(json(&u.password_history))
        .bind(json(&u.mfa))
        .bind(u.failed_attempts)
        .bind(u.last_failed_at)
        .bind(u.locked_until)
        .bind(u.tokens_valid_after)
}

/// The pool number of the pool whose id is `?1` (migration 0013): the users indexes begin with
/// it. A scalar subquery runs once per statement, a probe of `user_pools`' primary key, so a
/// lookup stays one statement (one round trip) and needs no cache to keep in step with
/// snapshots, resets and deleted pools.
macro_rules! pool_no {
    () => {
        "(SELECT no FROM user_pools WHERE id = ?1)"
    };
}
const POOL_NO: &str = pool_no!();

/// What every read selects: the columns, and whether the user has linked provider identities
/// (an index probe in the same statement, so AdminGetUser needs no second query for users
/// without links).
macro_rules! select_users {
    (columns: $extra:expr; $($rest:expr),*) => {
        concat!(
            "SELECT ",
            columns!(),
            ", EXISTS (SELECT 1 FROM provider_links l WHERE l.pool_id = users.pool_id AND l.sub = users.sub) AS linked",
            $extra,
            " FROM users",
            $($rest),*
        )
    };
    ($($rest:expr),*) => {
        select_users!(columns: ""; $($rest),*)
    };
}

/// The `status` column. Only this code writes it, always from a `UserStatus`, so any other text
/// means the database was edited by hand (or by a newer emulator): a decode error (the operation
/// answers InternalErrorException) rather than reading it as UNKNOWN, which the next
/// `update_user` of that user would write back, losing the stored text.
fn status(r: &Row) -> Result<UserStatus, sqlx::Error> {
    let text: String = r.get(4).map_err(sqlite)?;
    text.parse().map_err(|e| sqlx::Error::ColumnDecode {
        index: "status".into(),
        source: Box::new(e),
    })
}

/// A row of `select_users!`, by position (the order of `columns!`, then `linked`): naming
/// the columns cost a string search per column per row.
fn from_row(r: &Row) -> Result<UserRecord, sqlx::Error> {
    Ok(UserRecord {
        pool_id: r.get(0).map_err(sqlite)?,
        sub: r.get(1).map_err(sqlite)?,
        username: r.get(2).map_err(sqlite)?,
        username_key: r.get(3).map_err(sqlite)?,
        status: status(r)?,
        enabled: r.get::<_, i64>(5).map_err(sqlite)? != 0,
        attributes: parse(r.get(6).map_err(sqlite)?)?,
        email_key: r.get(7).map_err(sqlite)?,
        phone_key: r.get(8).map_err(sqlite)?,
        preferred_username_key: r.get(9).map_err(sqlite)?,
        password_salt: r.get(10).map_err(sqlite)?,
        password_verifier: r.get(11).map_err(sqlite)?,
        password_set_at: r.get(12).map_err(sqlite)?,
        password_history: parse(r.get(13).map_err(sqlite)?)?,
        mfa: parse(r.get(14).map_err(sqlite)?)?,
        failed_attempts: r.get(15).map_err(sqlite)?,
        last_failed_at: r.get(16).map_err(sqlite)?,
        locked_until: r.get(17).map_err(sqlite)?,
        tokens_valid_after: r.get(18).map_err(sqlite)?,
        created_at: r.get(19).map_err(sqlite)?,
        modified_at: r.get(20).map_err(sqlite)?,
        linked: r.get::<_, i64>(21).map_err(sqlite)? != 0,
    })
}

impl Store {
    /// Inserts a user. A UNIQUE violation (username taken) comes back as the sqlx error; callers
    /// map it with `store::is_unique_violation`.
    pub async fn insert_user(&self, u: &UserRecord) -> Result<(), sqlx::Error> {
        bind_user(sqlx::query(INSERT_USER), u)
            .execute(&self.db)
            .await?;
        Ok(())
    }

    /// Inserts a user and the sign-in session its creation hands out (SignUp's auto sign-in) in
    /// one query to the writer. When the user is refused (username taken) the session is not
    /// written: sqlx stops at the first failing statement.
    pub async fn insert_user_with_session(
        &self,
        u: &UserRecord,
        s: &AuthSession,
    ) -> Result<(), sqlx::Error> {
        let q = bind_user(sqlx::query(INSERT_USER_WITH_SESSION.as_str()), u);
        super::sessions::bind(q, s).execute(&self.db).await?;
        Ok(())
    }

    /// Writes every mutable column of the user back (load, change, save).
    pub async fn update_user(&self, u: &UserRecord) -> Result<bool, sqlx::Error> {
        let q = sqlx::query(
            "UPDATE users SET status = ?, enabled = ?, attributes = ?, email_key = ?, phone_key = ?,
               preferred_username_key = ?, password_salt = ?, password_verifier = ?, password_set_at = ?,
               password_history = ?, mfa = ?, failed_attempts = ?, last_failed_at = ?, locked_until = ?,
               tokens_valid_after = ?, modified_at = ?
             WHERE pool_id = ? AND sub = ?",
        );
        let r = bind_state(q, u)
            .bind(u.modified_at)
            .bind(&u.pool_id)
            .bind(&u.sub)
            .execute(&self.db)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    /// The user with this username key, from the user cache when no write was committed since
    /// it was read (see `user_cache`).
    pub async fn get_user_by_key(
        &self,
        pool_id: &str,
        username_key: &str,
    ) -> Result<Option<UserRecord>, sqlx::Error> {
        if let Some(user) = self.users.get(pool_id, username_key) {
            return Ok(Some(user));
        }
        let seen = self.users.start_read();
        let sql = select_users!(" WHERE pool_no = ", pool_no!(), " AND username_key = ?2");
        let user = self.read_user(sql, (pool_id, username_key))?;
        if let (Some(seen), Some(user)) = (seen, &user) {
            self.users.keep(seen, user);
        }
        Ok(user)
    }

    pub async fn get_user_by_sub(
        &self,
        pool_id: &str,
        sub: &str,
    ) -> Result<Option<UserRecord>, sqlx::Error> {
        self.read_user(
            select_users!(" WHERE pool_id = ?1 AND sub = ?2"),
            (pool_id, sub),
        )
    }

    /// The user an access token names, and whether the sign-in that minted the token
    /// (`origin_jti`, revoked by RevokeToken) was revoked. GetUser-like calls ask both on every
    /// request, so they go in one statement: one read transaction instead of two.
    pub async fn get_token_user(
        &self,
        pool_id: &str,
        sub: &str,
        origin_jti: Option<&str>,
    ) -> Result<Option<(UserRecord, bool)>, sqlx::Error> {
        let sql = select_users!(
            columns: ", EXISTS (SELECT 1 FROM refresh_tokens WHERE origin_jti = ?3 AND revoked_at IS NOT NULL)";
            " WHERE pool_id = ?1 AND sub = ?2"
        );
        let rows = self.readers.rows(sql, (pool_id, sub, origin_jti), |r| {
            Ok((from_row(r)?, r.get::<_, i64>(22).map_err(sqlite)? != 0))
        })?;
        Ok(rows.into_iter().next())
    }

    /// Users whose alias / sign-in key in `column` equals `key` (normally zero or one).
    pub async fn find_users_by_alias(
        &self,
        pool_id: &str,
        column: AliasColumn,
        key: &str,
    ) -> Result<Vec<UserRecord>, sqlx::Error> {
        // `column = ?2` implies the partial index's `column IS NOT NULL` (migration 0013).
        let sql = match column {
            AliasColumn::Email => select_users!(
                " WHERE pool_no = ",
                pool_no!(),
                " AND email_key = ?2 ORDER BY created_at"
            ),
            AliasColumn::Phone => select_users!(
                " WHERE pool_no = ",
                pool_no!(),
                " AND phone_key = ?2 ORDER BY created_at"
            ),
            AliasColumn::PreferredUsername => select_users!(
                " WHERE pool_no = ",
                pool_no!(),
                " AND preferred_username_key = ?2 ORDER BY created_at"
            ),
        };
        self.read_users(sql, (pool_id, key))
    }

    pub async fn delete_user(&self, pool_id: &str, sub: &str) -> Result<bool, sqlx::Error> {
        let r = sqlx::query("DELETE FROM users WHERE pool_id = ? AND sub = ?")
            .bind(pool_id)
            .bind(sub)
            .execute(&self.db)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    /// All users of a pool in creation order (ListUsers filters and pages over this).
    pub async fn list_users_page(
        &self,
        pool_id: &str,
        after: Option<(f64, &str)>,
        limit: i64,
    ) -> Result<Vec<UserRecord>, sqlx::Error> {
        self.list_users_filtered(pool_id, None, after, limit).await
    }

    /// A page of the pool's users that `filter` (ListUsers' `Filter`) may match, in creation
    /// order, `(created_at, sub)`, after `after`. The filter runs on the indexes of migration
    /// 0013, so its cost does not grow with the pool; the caller still applies `Filter::matches`,
    /// the one definition of what matches. For `username`, `filter.value` is the username key
    /// (`PoolExt::username_key`).
    pub async fn list_users_filtered(
        &self,
        pool_id: &str,
        filter: Option<&Filter>,
        after: Option<(f64, &str)>,
        limit: i64,
    ) -> Result<Vec<UserRecord>, sqlx::Error> {
        let Some((sql, values)) = page_sql(filter, after.is_some()) else {
            return Ok(Vec::new());
        };
        let (after_t, after_sub) = after
            .map(|(t, s)| (Some(t), Some(s.to_owned())))
            .unwrap_or((None, None));
        let mut params: Vec<Value> = vec![
            pool_id.to_owned().into(),
            after_t.into(),
            after_sub.into(),
            limit.into(),
        ];
        params.extend(values.into_iter().map(Value::from));
        self.read_users(&sql, rusqlite::params_from_iter(params))
    }

    /// The one user `sql` finds, read on the caller's thread.
    fn read_user(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Option<UserRecord>, sqlx::Error> {
        Ok(self.read_users(sql, params)?.into_iter().next())
    }

    /// The users `sql` (a `select_users!`) finds, read on the caller's thread.
    fn read_users(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<UserRecord>, sqlx::Error> {
        self.readers.rows(sql, params, from_row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A store holding the pool `p_1`.
    async fn store_with_pool() -> Store {
        let store = Store::open(":memory:").await.expect("store");
        sqlx::query(
            "INSERT INTO user_pools (id, name, doc, created_at) VALUES ('p_1', 'p', '{}', 0)",
        )
        .execute(&store.db)
        .await
        .expect("pool");
        store
    }

    /// The user `alice` of `p_1`, with this sub.
    fn alice(sub: &str) -> UserRecord {
        UserRecord {
            pool_id: "p_1".into(),
            sub: sub.into(),
            username: "alice".into(),
            username_key: "alice".into(),
            enabled: true,
            password_history: serde_json::json!([]),
            mfa: serde_json::json!({}),
            ..Default::default()
        }
    }

    #[tokio::test]
    async fn status_round_trips_and_unknown_text_is_a_decode_error() {
        let store = store_with_pool().await;
        let mut user = UserRecord {
            status: UserStatus::ForceChangePassword,
            ..alice("s_1")
        };
        store.insert_user(&user).await.expect("insert");
        let text: String = sqlx::query_scalar("SELECT status FROM users WHERE sub = 's_1'")
            .fetch_one(&store.db)
            .await
            .expect("text");
        assert_eq!(text, "FORCE_CHANGE_PASSWORD");
        user.status = UserStatus::ResetRequired;
        assert!(store.update_user(&user).await.expect("update"));
        let read = store.get_user_by_sub("p_1", "s_1").await.expect("read");
        assert_eq!(read.expect("user").status, UserStatus::ResetRequired);

        sqlx::query("UPDATE users SET status = 'Confirmed' WHERE sub = 's_1'")
            .execute(&store.db)
            .await
            .expect("edit");
        match store.get_user_by_sub("p_1", "s_1").await {
            Err(sqlx::Error::ColumnDecode { index, .. }) => assert_eq!(index, "status"),
            other => panic!("expected a decode error, got {other:?}"),
        }
    }

    /// Any commit of the writer, even one no store function made, reaches the user cache
    /// through the writer's commit hook.
    #[tokio::test]
    async fn a_cached_user_is_forgotten_at_every_commit() {
        let store = store_with_pool().await;
        let user = alice("s_1");
        store.insert_user(&user).await.expect("insert");
        let name = |u: Option<UserRecord>| u.expect("user").attributes.get("name").cloned();
        let read = || store.get_user_by_key("p_1", "alice");
        assert_eq!(name(read().await.expect("read")), None);
        assert_eq!(name(read().await.expect("cached")), None);
        sqlx::query("UPDATE users SET attributes = '{\"name\":\"Alice\"}' WHERE sub = 's_1'")
            .execute(&store.db)
            .await
            .expect("raw write");
        assert_eq!(name(read().await.expect("read")).as_deref(), Some("Alice"));
        // Inside a transaction: seen once it commits, not before, and never lost after.
        let mut tx = store.db.begin().await.expect("begin");
        sqlx::query("UPDATE users SET attributes = '{\"name\":\"Al\"}' WHERE sub = 's_1'")
            .execute(&mut *tx)
            .await
            .expect("write");
        assert_eq!(name(read().await.expect("read")).as_deref(), Some("Alice"));
        tx.commit().await.expect("commit");
        assert_eq!(name(read().await.expect("read")).as_deref(), Some("Al"));
        assert_eq!(name(read().await.expect("cached")).as_deref(), Some("Al"));
    }

    #[tokio::test]
    async fn a_user_and_its_session_are_written_together_and_a_refused_user_writes_neither() {
        let store = store_with_pool().await;
        let session = |id: &str, sub: &str| AuthSession {
            id: id.into(),
            pool_id: "p_1".into(),
            client_id: "c".into(),
            sub: Some(sub.into()),
            state: "{}".into(),
            expires_at: 180.0,
            created_at: 0.0,
            ..Default::default()
        };
        store
            .insert_user_with_session(&alice("s_1"), &session("session-1", "s_1"))
            .await
            .expect("first");
        let taken = store
            .insert_user_with_session(&alice("s_2"), &session("session-2", "s_2"))
            .await
            .expect_err("the username is taken");
        assert!(crate::store::is_unique_violation(&taken));
        let kept = |id: &'static str| {
            let store = &store;
            async move { store.get_auth_session(id).await.expect("read").is_some() }
        };
        assert!(kept("session-1").await);
        assert!(!kept("session-2").await);
        assert!(store
            .get_user_by_sub("p_1", "s_2")
            .await
            .expect("read")
            .is_none());
        // The writer is usable afterwards: no transaction was left open on it.
        store
            .insert_auth_session(&session("session-3", "s_1"))
            .await
            .expect("next write");
        assert!(kept("session-3").await);
    }
}

/// The statement that reads a page of ListUsers and the filter's values (see
/// `list_users_filtered`), or `None` when the filter can match nothing. Parameters by number: ?1
/// the pool id, ?2 ?3 the position after which the page starts (only when `after`), ?4 the
/// limit, then the filter's values. SQLite counts parameters up to the largest number used, so
/// ?2 and ?3 may go unused.
fn page_sql(filter: Option<&Filter>, after: bool) -> Option<(String, Vec<String>)> {
    let plan = match filter {
        None => Plan::Listing(listing_ranges(&UserStatus::ALL, &[1, 0])),
        Some(f) => filter_plan(f),
    };
    let after_sql = if after {
        " AND (created_at, sub) > (?2, ?3)"
    } else {
        ""
    };
    match plan {
        Plan::Listing(ranges) if ranges.is_empty() => None,
        Plan::Listing(ranges) => Some((listing_sql(&ranges, after_sql), Vec::new())),
        Plan::Index {
            index,
            condition,
            values,
        } => Some((
            format!(
                "{}{} WHERE pool_no = {POOL_NO}{after_sql}{condition}
                 ORDER BY created_at, sub LIMIT ?4",
                select_users!(),
                index
                    .map(|i| format!(" INDEXED BY {i}"))
                    .unwrap_or_default()
            ),
            values,
        )),
    }
}

/// How a page of ListUsers is read.
#[derive(Debug, PartialEq)]
enum Plan {
    /// Ranges of `users_listing`, one per (status, enabled) pair the filter admits: each range
    /// is already in the listing order, so the page is the first rows of their merge (see
    /// `listing_sql`). Empty: nothing can match.
    Listing(Vec<(&'static str, i64)>),
    /// One index (named with `INDEXED BY`, so that SQLite's planner cannot prefer walking the
    /// listing order over the whole pool, as it does without statistics), the SQL condition
    /// (` AND ...`, values bound as ?5, ?6) and its values. The few users one value matches are
    /// sorted into the listing order.
    Index {
        index: Option<&'static str>,
        condition: String,
        values: Vec<String>,
    },
}

/// How a ListUsers filter runs. Column names, JSON paths and index names come from
/// `filter::SEARCHABLE` and migration 0013, constants of ours, never from the request; the value
/// is always bound. A prefix is the range `[prefix, successor)`, which an index scans (SQLite
/// compares text byte by byte, and UTF-8 keeps code point order).
fn filter_plan(f: &Filter) -> Plan {
    let accepts = |text: &str| match f.op {
        Op::Equals => text == f.value,
        Op::StartsWith => text.starts_with(f.value.as_str()),
    };
    let (index, column) = match f.attribute.as_str() {
        "username" => ("users_username", "username_key".to_string()),
        "cognito:user_status" => {
            let statuses: Vec<UserStatus> = UserStatus::ALL
                .into_iter()
                .filter(|s| accepts(s.as_str()))
                .collect();
            return Plan::Listing(listing_ranges(&statuses, &[1, 0]));
        }
        // The primary key (pool_id, sub), which the planner takes unprompted.
        "sub" => {
            return Plan::Index {
                index: None,
                condition: format!(" AND pool_id = ?1 AND {}", compare("sub", f).0),
                values: compare("sub", f).1,
            };
        }
        "status" => {
            // Enabled / Disabled is the `enabled` flag: the values of it the filter accepts.
            let flags: Vec<i64> = [(1, "Enabled"), (0, "Disabled")]
                .into_iter()
                .filter(|(_, text)| accepts(text))
                .map(|(flag, _)| flag)
                .collect();
            return Plan::Listing(listing_ranges(&UserStatus::ALL, &flags));
        }
        "email" => ("users_filter_email", json_path("email")),
        "phone_number" => ("users_filter_phone_number", json_path("phone_number")),
        "name" => ("users_filter_name", json_path("name")),
        "given_name" => ("users_filter_given_name", json_path("given_name")),
        "family_name" => ("users_filter_family_name", json_path("family_name")),
        "preferred_username" => (
            "users_filter_preferred_username",
            json_path("preferred_username"),
        ),
        // parse() admits only SEARCHABLE names; anything else matches nothing.
        _ => return Plan::Listing(Vec::new()),
    };
    let (condition, values) = compare(&column, f);
    Plan::Index {
        index: Some(index),
        condition: format!(" AND {condition}"),
        values,
    }
}

/// `column` compared with the filter's value (?5) or prefix range (?5, ?6). Each comparison
/// implies `column IS NOT NULL`, so the partial indexes of migration 0013 serve it
/// (<https://www.sqlite.org/partialindex.html>, "Queries Using Partial Indexes").
fn compare(column: &str, f: &Filter) -> (String, Vec<String>) {
    match f.op {
        Op::Equals => (format!("{column} = ?5"), vec![f.value.clone()]),
        Op::StartsWith => match prefix_successor(&f.value) {
            Some(end) => (
                format!("{column} >= ?5 AND {column} < ?6"),
                vec![f.value.clone(), end],
            ),
            None => (format!("{column} >= ?5"), vec![f.value.clone()]),
        },
    }
}

/// Every (status, enabled) pair of `statuses` × `flags`.
fn listing_ranges(statuses: &[UserStatus], flags: &[i64]) -> Vec<(&'static str, i64)> {
    statuses
        .iter()
        .flat_map(|s| flags.iter().map(move |flag| (s.as_str(), *flag)))
        .collect()
}

/// One page in the listing order from ranges of `users_listing` (pool_no, status, enabled,
/// created_at, sub): from each range the first ?4 entries after the position (read from the
/// index alone, which also holds each row's rowid), of all of those the first ?4, and only then
/// their rows, by rowid. At most 16 ranges × ?4 entries are sorted whatever the pool's size, and
/// a page deep in the pool starts with a seek, not a walk. The status texts are `UserStatus`
/// constants, never input.
fn listing_sql(ranges: &[(&'static str, i64)], after_sql: &str) -> String {
    let branches = ranges
        .iter()
        .map(|(status, enabled)| {
            format!(
                "SELECT * FROM (SELECT created_at, sub, rowid AS r FROM users INDEXED BY users_listing
                  WHERE pool_no = {POOL_NO} AND status = '{status}' AND enabled = {enabled}{after_sql}
                  ORDER BY created_at, sub LIMIT ?4)"
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    format!(
        "{} WHERE rowid IN (SELECT r FROM ({branches}) ORDER BY created_at, sub LIMIT ?4)
         ORDER BY created_at, sub",
        select_users!()
    )
}

/// The expression migration 0013 indexes an attribute of the attributes JSON by.
fn json_path(name: &str) -> String {
    format!("json_extract(attributes, '$.{name}')")
}

/// The smallest string greater than every string that starts with `prefix`: its last character
/// that can be, moved to the next code point. `None` when there is none (empty, or all U+10FFFF).
fn prefix_successor(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let mut next = last as u32 + 1;
        // Skip the surrogate gap, which no `char` can hold.
        if (0xD800..=0xDFFF).contains(&next) {
            next = 0xE000;
        }
        if let Some(c) = char::from_u32(next) {
            chars.push(c);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

#[cfg(test)]
mod filter_tests {
    use super::*;
    use crate::domain::filter::SEARCHABLE;

    /// What SQLite plans for `sql`: one line per step.
    async fn plan(store: &Store, sql: &str, values: usize) -> Vec<String> {
        let text = format!("EXPLAIN QUERY PLAN {sql}");
        let mut q = sqlx::query(&text);
        for _ in 0..values {
            q = q.bind("x");
        }
        use sqlx::Row;
        q.fetch_all(&store.db)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .iter()
            .map(|r| r.get::<String, _>(3))
            .collect()
    }

    /// Every ListUsers filter, every alias lookup and the username lookup seek in an index
    /// (migration 0013): none reads the pool's users one by one. An `INDEXED BY` a query cannot
    /// use would fail to prepare.
    #[tokio::test]
    async fn every_users_lookup_seeks_an_index() {
        let store = Store::open(":memory:").await.expect("store");
        let mut cases: Vec<(String, usize)> = vec![
            (
                select_users!(" WHERE pool_no = ", pool_no!(), " AND username_key = ?2").into(),
                2,
            ),
            (
                select_users!(
                    " WHERE pool_no = ",
                    pool_no!(),
                    " AND email_key = ?2 ORDER BY created_at"
                )
                .into(),
                2,
            ),
            (
                select_users!(
                    " WHERE pool_no = ",
                    pool_no!(),
                    " AND phone_key = ?2 ORDER BY created_at"
                )
                .into(),
                2,
            ),
            (
                select_users!(
                    " WHERE pool_no = ",
                    pool_no!(),
                    " AND preferred_username_key = ?2 ORDER BY created_at"
                )
                .into(),
                2,
            ),
        ];
        let filters = SEARCHABLE.iter().flat_map(|a| {
            [
                (Op::Equals, "CONFIRMED"),
                (Op::StartsWith, "E"),
                (Op::StartsWith, ""),
            ]
            .map(|(op, value)| Filter {
                attribute: a.to_string(),
                op,
                value: value.into(),
            })
        });
        for f in filters.map(Some).chain([None]) {
            for after in [false, true] {
                if let Some((sql, values)) = page_sql(f.as_ref(), after) {
                    cases.push((sql, 4 + values.len()));
                }
            }
        }
        for (sql, values) in cases {
            let steps = plan(&store, &sql, values).await;
            assert!(
                steps.iter().any(|s| s.starts_with("SEARCH users USING")),
                "{sql}: {steps:?}"
            );
            // Neither a scan nor a seek to the pool alone, which would then walk all its users.
            assert!(
                !steps.iter().any(|s| s.starts_with("SCAN users")
                    || s.ends_with("(pool_no=?)")
                    || s.ends_with("(pool_id=?)")),
                "{sql}: {steps:?}"
            );
        }
    }

    #[test]
    fn prefix_successors_bound_every_string_with_the_prefix() {
        assert_eq!(prefix_successor("user1").as_deref(), Some("user2"));
        assert_eq!(prefix_successor("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(prefix_successor("\u{D7FF}").as_deref(), Some("\u{E000}"));
        assert_eq!(prefix_successor(""), None);
        for s in ["user1", "user19", "user1\u{10FFFF}x", "user1~"] {
            assert!(("user1".."user2").contains(&s), "{s}");
        }
    }

    #[test]
    fn status_filters_become_the_enabled_flags_they_accept() {
        let f = |op, v: &str| Filter {
            attribute: "status".into(),
            op,
            value: v.into(),
        };
        let flags = |plan: Plan| match plan {
            Plan::Listing(ranges) => {
                let mut flags: Vec<i64> = ranges.into_iter().map(|(_, flag)| flag).collect();
                flags.dedup();
                flags.sort();
                flags.dedup();
                flags
            }
            other => panic!("expected a listing, got {other:?}"),
        };
        assert_eq!(flags(filter_plan(&f(Op::Equals, "Enabled"))), vec![1]);
        assert_eq!(flags(filter_plan(&f(Op::StartsWith, ""))), vec![0, 1]);
        assert_eq!(
            flags(filter_plan(&f(Op::StartsWith, "X"))),
            Vec::<i64>::new()
        );
    }
}
