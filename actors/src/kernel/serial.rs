//! Order by key where it matters: concern actors handle requests concurrently, so a
//! read-modify-write (a guild's allowed channels, say) takes a turn for its key here, and
//! requests with other keys never wait for it.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;

use parking_lot::Mutex;
use tokio::sync::{Mutex as TurnLock, OwnedMutexGuard};

/// One FIFO turn per key; a key's entry is dropped when nobody holds or waits for it.
#[derive(Debug)]
pub struct KeyedSerial<K> {
    turns: Arc<Mutex<HashMap<K, Arc<TurnLock<()>>>>>,
}

impl<K> Clone for KeyedSerial<K> {
    fn clone(&self) -> Self {
        Self {
            turns: self.turns.clone(),
        }
    }
}

impl<K> Default for KeyedSerial<K> {
    fn default() -> Self {
        Self {
            turns: Arc::default(),
        }
    }
}

/// A held turn; the next request for the key goes when it is dropped.
pub struct SerialTurn<K: Eq + Hash + Clone> {
    guard: Option<OwnedMutexGuard<()>>,
    key: K,
    turns: Arc<Mutex<HashMap<K, Arc<TurnLock<()>>>>>,
}

impl<K: Eq + Hash + Clone> KeyedSerial<K> {
    /// Waits until every earlier request for `key` has dropped its turn.
    pub async fn turn(&self, key: K) -> SerialTurn<K> {
        let lock = self.turns.lock().entry(key.clone()).or_default().clone();
        let guard = lock.lock_owned().await;
        SerialTurn {
            guard: Some(guard),
            key,
            turns: self.turns.clone(),
        }
    }

    /// Keys with a holder or a waiter (for tests: entries do not pile up).
    pub fn active_keys(&self) -> usize {
        self.turns.lock().len()
    }
}

impl<K: Eq + Hash + Clone> Drop for SerialTurn<K> {
    fn drop(&mut self) {
        drop(self.guard.take());
        let mut turns = self.turns.lock();
        // Only the map holds the lock now: nobody holds or waits for this key.
        if turns
            .get(&self.key)
            .is_some_and(|lock| Arc::strong_count(lock) == 1)
        {
            turns.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn one_key_waits_its_turn_and_other_keys_do_not() {
        let serial = KeyedSerial::<u64>::default();
        let first = serial.turn(1).await;
        let waiting = tokio::spawn({
            let serial = serial.clone();
            async move {
                let _turn = serial.turn(1).await;
            }
        });
        // Another key goes at once while key 1 is held.
        let other = tokio::time::timeout(Duration::from_secs(5), serial.turn(2)).await;
        assert!(other.is_ok(), "key 2 never waited for key 1");
        drop(other);
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished(), "key 1's second request waits");
        drop(first);
        waiting.await.unwrap();
        assert_eq!(serial.active_keys(), 0, "entries are dropped once unused");
    }
}
