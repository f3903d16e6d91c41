//! Pool and app-client documents kept in memory, behind the store.
//!
//! Nearly every operation starts by reading its pool or client, and those documents change
//! rarely (the pool and client operations, tags, schema, secrets, a snapshot restore, a reset).
//! Reading them from SQLite on every request cost a hop to sqlx's connection thread and a JSON
//! parse each time (bench/README.md, "Where a read's server CPU goes"). Here a read is a hash
//! lookup and an `Arc` clone.
//!
//! Every store function that writes `user_pools` or `user_pool_clients` calls
//! [`ConfigCache::changed`] after its write returns. It drops every entry and bumps a
//! generation. A reader records the generation before it reads the database and keeps what it
//! read only if the generation has not moved, so a read that raced a write can never leave the
//! old document behind.

use crate::model::shapes::{UserPoolClientType, UserPoolType};
use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// Entries above this are not kept (a pool count far beyond any test suite's; memory stays
/// bounded whatever a client creates).
const MAX_ENTRIES: usize = 10_000;

#[derive(Debug, Default)]
pub(crate) struct ConfigCache {
    generation: AtomicU64,
    pools: RwLock<HashMap<String, Arc<UserPoolType>>>,
    clients: RwLock<HashMap<String, Arc<UserPoolClientType>>>,
}

impl ConfigCache {
    pub(crate) async fn pool<E, F>(&self, id: &str, load: F) -> Result<Option<Arc<UserPoolType>>, E>
    where
        F: Future<Output = Result<Option<UserPoolType>, E>>,
    {
        self.get_or_load(&self.pools, id, load).await
    }

    pub(crate) async fn client<E, F>(
        &self,
        id: &str,
        load: F,
    ) -> Result<Option<Arc<UserPoolClientType>>, E>
    where
        F: Future<Output = Result<Option<UserPoolClientType>, E>>,
    {
        self.get_or_load(&self.clients, id, load).await
    }

    /// Forgets every document. Called after every write to the pool or client tables.
    pub(crate) fn changed(&self) {
        // Bump first: a reader that loaded before the write finished must not keep its copy.
        self.generation.fetch_add(1, Ordering::SeqCst);
        write(&self.pools).clear();
        write(&self.clients).clear();
    }

    async fn get_or_load<T, E, F>(
        &self,
        map: &RwLock<HashMap<String, Arc<T>>>,
        id: &str,
        load: F,
    ) -> Result<Option<Arc<T>>, E>
    where
        F: Future<Output = Result<Option<T>, E>>,
    {
        if let Some(hit) = read(map).get(id) {
            return Ok(Some(hit.clone()));
        }
        let seen = self.generation.load(Ordering::SeqCst);
        let Some(doc) = load.await?.map(Arc::new) else {
            // Not cached: a pool created next must be found at once.
            return Ok(None);
        };
        let mut entries = write(map);
        if self.generation.load(Ordering::SeqCst) == seen && entries.len() < MAX_ENTRIES {
            entries.insert(id.to_owned(), doc.clone());
        }
        Ok(Some(doc))
    }
}

// A poisoned lock only means another thread panicked while holding it; the maps stay valid
// (every change is one insert or one clear), so keep serving.
fn read<K: Eq + Hash, V>(
    lock: &RwLock<HashMap<K, V>>,
) -> std::sync::RwLockReadGuard<'_, HashMap<K, V>> {
    lock.read().unwrap_or_else(|e| e.into_inner())
}

fn write<K: Eq + Hash, V>(
    lock: &RwLock<HashMap<K, V>>,
) -> std::sync::RwLockWriteGuard<'_, HashMap<K, V>> {
    lock.write().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(name: &str) -> UserPoolType {
        UserPoolType {
            name: Some(name.into()),
            ..Default::default()
        }
    }

    #[tokio::test]
    async fn a_load_that_raced_a_write_is_not_kept() {
        let cache = ConfigCache::default();
        let got = cache
            .pool("p", async {
                // The write lands while this read is in flight.
                cache.changed();
                Ok::<_, ()>(Some(pool("old")))
            })
            .await
            .unwrap();
        assert_eq!(got.unwrap().name.as_deref(), Some("old"));
        let next = cache
            .pool("p", async { Ok::<_, ()>(Some(pool("new"))) })
            .await
            .unwrap();
        assert_eq!(next.unwrap().name.as_deref(), Some("new"));
    }

    #[tokio::test]
    async fn hits_until_changed_and_misses_are_not_kept() {
        let cache = ConfigCache::default();
        let none = cache.pool("p", async { Ok::<_, ()>(None) }).await.unwrap();
        assert!(none.is_none());
        let first = cache
            .pool("p", async { Ok::<_, ()>(Some(pool("a"))) })
            .await
            .unwrap();
        assert_eq!(first.unwrap().name.as_deref(), Some("a"));
        let hit = cache
            .pool("p", async { Ok::<_, ()>(Some(pool("never read"))) })
            .await
            .unwrap();
        assert_eq!(hit.unwrap().name.as_deref(), Some("a"));
        cache.changed();
        let after = cache
            .pool("p", async { Ok::<_, ()>(Some(pool("b"))) })
            .await
            .unwrap();
        assert_eq!(after.unwrap().name.as_deref(), Some("b"));
    }
}
