//! Users found by username, kept in memory behind the store, forgotten at every commit.
//!
//! Most calls name their user (AdminGetUser, InitiateAuth, the self-service operations), and a
//! read from SQLite, with the file locks of its read transaction, was the largest part of
//! AdminGetUser's own cost (bench/README.md, "Where AdminGetUser's 18.3 µs went").
//!
//! Every write goes through the store's one writer connection, so the writer's commit hook sees
//! every change, whichever table it touches. At a commit the cache forgets everything and stays
//! closed to new entries ([`UserCache::committing`], called by SQLite before the commit is
//! visible to readers) until the writer goes back to its pool ([`UserCache::released`], after
//! the commit). A reader keeps what it read only when no commit began since it started reading,
//! so a read that raced a write can never leave the old row behind. Rolled-back writes change
//! nothing and forget nothing.

use crate::domain::records::UserRecord;
use std::collections::HashMap;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Users kept at most; past it the cache starts again (memory stays bounded whatever the
/// pool size: a few MiB).
const MAX_USERS: usize = 4096;

#[derive(Debug, Default)]
pub(crate) struct UserCache {
    state: RwLock<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Moves at every commit and every release after one.
    generation: u64,
    /// Between a commit hook and the writer's release: nothing may be kept.
    committing: bool,
    /// pool id → username key → user.
    pools: HashMap<String, HashMap<String, Arc<UserRecord>>>,
    users: usize,
}

impl State {
    fn forget(&mut self) {
        self.generation += 1;
        self.pools.clear();
        self.users = 0;
    }
}

impl UserCache {
    pub(crate) fn get(&self, pool_id: &str, username_key: &str) -> Option<UserRecord> {
        let state = read(&self.state);
        let user = state.pools.get(pool_id)?.get(username_key)?;
        Some(UserRecord::clone(user))
    }

    /// Where a read starts from: call before reading the database. `None` while a commit is
    /// under way (what is read then is not kept).
    pub(crate) fn start_read(&self) -> Option<u64> {
        let state = read(&self.state);
        (!state.committing).then_some(state.generation)
    }

    /// Keeps `user`, read after [`UserCache::start_read`] gave `seen`, unless a commit began
    /// since.
    pub(crate) fn keep(&self, seen: u64, user: &UserRecord) {
        let mut state = write(&self.state);
        if state.committing || state.generation != seen {
            return;
        }
        if state.users >= MAX_USERS {
            state.forget();
            return;
        }
        state.users += 1;
        state
            .pools
            .entry(user.pool_id.clone())
            .or_default()
            .insert(user.username_key.clone(), Arc::new(user.clone()));
    }

    /// The writer is committing a transaction (SQLite's commit hook, on the writer's thread,
    /// before readers can see the change).
    pub(crate) fn committing(&self) {
        let mut state = write(&self.state);
        state.forget();
        state.committing = true;
    }

    /// The writer went back to its pool: whatever it committed is visible to every reader now.
    pub(crate) fn released(&self) {
        let mut state = write(&self.state);
        if state.committing {
            state.forget();
            state.committing = false;
        }
    }
}

// A poisoned lock only means another thread panicked while holding it; the state stays valid
// (every change to it is a few field writes), so keep serving.
fn read(lock: &RwLock<State>) -> RwLockReadGuard<'_, State> {
    lock.read().unwrap_or_else(|e| e.into_inner())
}

fn write(lock: &RwLock<State>) -> RwLockWriteGuard<'_, State> {
    lock.write().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str) -> UserRecord {
        UserRecord {
            pool_id: "p".into(),
            username: name.into(),
            username_key: "alice".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_read_that_raced_a_commit_is_not_kept() {
        let cache = UserCache::default();
        // Begun before the commit, kept after it: refused.
        let seen = cache.start_read().expect("no commit under way");
        cache.committing();
        cache.released();
        cache.keep(seen, &user("old"));
        assert!(cache.get("p", "alice").is_none());
        // Begun while the commit was under way: nothing to keep.
        cache.committing();
        assert!(cache.start_read().is_none());
        cache.released();
        // Begun after the release: kept, and served until the next commit.
        let seen = cache.start_read().expect("released");
        cache.keep(seen, &user("new"));
        assert_eq!(cache.get("p", "alice").expect("kept").username, "new");
        cache.committing();
        assert!(cache.get("p", "alice").is_none());
    }

    #[test]
    fn a_release_without_a_commit_forgets_nothing() {
        let cache = UserCache::default();
        let seen = cache.start_read().expect("no commit under way");
        cache.keep(seen, &user("a"));
        cache.released();
        assert!(cache.get("p", "alice").is_some());
    }
}
