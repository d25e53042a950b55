//! `MemoryData`: an in-memory [`DataAccessPort`] for unit tests of code that uses the port.
//!
//! It mimics OFB's shapes, ids, versions (a stale one is a 409), 404s, pre-validation and
//! idempotency keys, and it can be switched "offline" to exercise the outbox. It knows no
//! roles, budgets or workflow rules: those are OFB's, and tests that need them run against the
//! real OFB (`tests/ofb_contract.rs`).

mod port;
mod store;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::data::prevalidate::Prevalidate;
use crate::ports::data_access::*;

use store::{Store, problem};

/// The in-memory port (clones share one store; `with_session` changes only the caller).
#[derive(Debug, Clone, Default)]
pub struct MemoryData {
    store: Arc<Mutex<Store>>,
    offline: Arc<AtomicBool>,
    token: Option<BearerToken>,
}

impl MemoryData {
    /// An empty store.
    pub fn new() -> MemoryData {
        MemoryData::default()
    }

    /// Makes every call fail as if OFB were out of reach (or reachable again).
    pub fn set_offline(&self, offline: bool) {
        self.offline.store(offline, Ordering::SeqCst);
    }

    /// How many mutations were performed (idempotent replays not counted).
    pub fn mutations(&self) -> u64 {
        self.lock().mutations
    }

    /// The same store, as a newly registered user `ada` (for tests).
    #[cfg(test)]
    #[allow(clippy::unwrap_used)]
    pub(crate) async fn signed_in(&self) -> MemoryData {
        use crate::data::requests::{Credentials, NewUser};
        let user = NewUser {
            username: "ada".into(),
            password: "a long enough password".into(),
        };
        self.register_user(&user, &IdempotencyKey::generate())
            .await
            .unwrap();
        let credentials = Credentials {
            username: user.username,
            password: user.password,
        };
        let session = self
            .authenticate(&credentials, &IdempotencyKey::generate())
            .await
            .unwrap();
        self.with_session(session.access_token)
    }

    /// Every workflow's current version.
    pub fn workflows(&self) -> Vec<Workflow> {
        let mut all: Vec<_> = self.lock().workflow_heads.values().cloned().collect();
        all.sort_by_key(|w| w.id);
        all
    }

    fn lock(&self) -> MutexGuard<'_, Store> {
        // A panic while holding the lock is a test failure already; keep going with its data.
        self.store
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn reachable(&self) -> DataResult<()> {
        if self.offline.load(Ordering::SeqCst) {
            return Err(DataError::Unreachable {
                url: "memory://ofb".into(),
                reason: "switched offline by the test".into(),
            });
        }
        Ok(())
    }

    fn caller(&self, store: &Store) -> DataResult<UserId> {
        self.token
            .as_ref()
            .and_then(|t| store.tokens.get(&t.0).copied())
            .ok_or_else(|| problem(401, "unauthorized", "no valid bearer token".into()))
    }

    /// Runs a mutation once per key: a replay returns the first answer.
    fn once<R, T>(
        &self,
        key: &IdempotencyKey,
        request: &R,
        op: &str,
        act: impl FnOnce(&mut Store) -> DataResult<T>,
    ) -> DataResult<T>
    where
        R: Serialize,
        T: Serialize + DeserializeOwned,
    {
        self.reachable()?;
        key.prevalidate()?;
        let fingerprint = format!(
            "{op} {}",
            serde_json::to_string(request).unwrap_or_default()
        );
        let mut store = self.lock();
        if let Some((seen, answer)) = store.keys.get(key.as_str()) {
            if *seen != fingerprint {
                return Err(problem(
                    409,
                    "idempotency-key-reused",
                    format!("key {key} was used for another request"),
                ));
            }
            return serde_json::from_value(answer.clone()).map_err(|e| DataError::Protocol {
                operation: op.into(),
                what: e.to_string(),
            });
        }
        let answer = act(&mut store)?;
        store.mutations += 1;
        let value = serde_json::to_value(&answer).unwrap_or_default();
        store
            .keys
            .insert(key.as_str().to_owned(), (fingerprint, value));
        Ok(answer)
    }

    fn read<T>(&self, look: impl FnOnce(&Store, UserId) -> DataResult<T>) -> DataResult<T> {
        self.reachable()?;
        let store = self.lock();
        let caller = self.caller(&store)?;
        look(&store, caller)
    }
}
