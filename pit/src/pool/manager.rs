//! The pool: hands out hot values, warms cold ones on demand (once, however many ask),
//! evicts the least recently used to stay within its memory budget, retries failed ones with
//! backoff, and checks the health of hot ones.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::hash::Hash;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use tokio::sync::Notify;

use super::state::{Entry, Slot};
use super::table::{Hit, HotSlot, HotTable, lookup};

/// A boxed future, so that resources can live behind `dyn`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a pool keeps warm: an extension process, a wasm instance, an LLM client…
pub trait Resource: Send + Sync + 'static {
    /// What names one.
    type Key: Clone + Eq + Hash + fmt::Debug + fmt::Display + Send + Sync + 'static;
    /// The warm thing.
    type Value: Send + Sync + 'static;

    /// Brings one up; the error says why it could not.
    fn warm(&self, key: &Self::Key) -> BoxFuture<'_, Result<Self::Value, String>>;

    /// Bytes it holds, for the memory budget.
    fn size(&self, value: &Self::Value) -> u64;

    /// Whether it still works (a ping); an error says why not.
    fn check<'a>(
        &'a self,
        key: &'a Self::Key,
        value: &'a Self::Value,
    ) -> BoxFuture<'a, Result<(), String>>;

    /// Shuts one down (after the last hit on it is dropped, the value itself is dropped).
    fn cool<'a>(&'a self, key: &'a Self::Key, value: &'a Self::Value) -> BoxFuture<'a, ()>;
}

/// How a pool behaves.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolPolicy {
    /// The most bytes hot at once; the least recently used are cooled to stay within it.
    pub budget: u64,
    /// How long warming may take before it counts as failed.
    pub warm_timeout: Duration,
    /// The wait before retrying a failed entry, doubled after each failure in a row.
    pub retry_base: Duration,
    /// The longest wait between retries.
    pub retry_max: Duration,
    /// Failures in a row after which an entry is not retried until [`Pool::forget`].
    pub max_attempts: u32,
}

impl Default for PoolPolicy {
    fn default() -> Self {
        PoolPolicy {
            budget: 4 << 30,
            warm_timeout: Duration::from_secs(60),
            retry_base: Duration::from_millis(500),
            retry_max: Duration::from_secs(60),
            max_attempts: 5,
        }
    }
}

impl PoolPolicy {
    /// The wait after `attempts` failures in a row.
    pub fn retry_after(&self, attempts: u32) -> Duration {
        let factor = 1u32 << attempts.saturating_sub(1).min(16);
        self.retry_base.saturating_mul(factor).min(self.retry_max)
    }
}

/// Why the pool cannot hand a value out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PoolError {
    /// Warming failed, and the retry's time has not come.
    #[error(
        "`{key}` failed to warm ({attempts} time(s) in a row): {error}; the pool tries again in \
         {retry_in:?}"
    )]
    Failed {
        /// The entry.
        key: String,
        /// The last failure.
        error: String,
        /// Failures in a row.
        attempts: u32,
        /// Until the next try.
        retry_in: Duration,
    },
    /// Warming failed too many times in a row.
    #[error(
        "`{key}` failed to warm {attempts} times in a row (last: {error}); fix the cause, then \
         clear it with `forget`"
    )]
    GaveUp {
        /// The entry.
        key: String,
        /// The last failure.
        error: String,
        /// Failures in a row.
        attempts: u32,
    },
    /// The value alone is larger than the whole budget.
    #[error(
        "`{key}` holds {size} bytes, more than the pool's whole budget of {budget} bytes; raise \
         the budget"
    )]
    TooLarge {
        /// The entry.
        key: String,
        /// Its size.
        size: u64,
        /// The budget.
        budget: u64,
    },
}

/// How full a pool is, for the run's journal and the monitor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PoolUse {
    /// Entries hot (warm and ready).
    pub hot: u32,
    /// Bytes they hold.
    pub used: u64,
    /// The budget those bytes count against.
    pub budget: u64,
}

/// Counters of the control path (hits are not counted: the hit path writes nothing shared).
#[derive(Debug, Default)]
pub struct PoolStats {
    /// Acquires that found nothing hot.
    pub misses: AtomicU64,
    /// Warmings started.
    pub warms: AtomicU64,
    /// Warmings and health checks that failed.
    pub failures: AtomicU64,
    /// Hot entries cooled to stay within the budget.
    pub evictions: AtomicU64,
}

/// A hot value taken out of the table, with its key (to shut down, or to check).
type Held<R> = (<R as Resource>::Key, Arc<HotSlot<<R as Resource>::Value>>);

type PoolSlot<R> = Slot<<R as Resource>::Key, Arc<HotSlot<<R as Resource>::Value>>>;

struct Control<R: Resource> {
    slots: HashMap<R::Key, PoolSlot<R>>,
    /// Bytes of the hot entries.
    used: u64,
}

/// A pool of warm values of one [`Resource`].
pub struct Pool<R: Resource> {
    resource: Arc<R>,
    policy: PoolPolicy,
    hot: ArcSwap<HotTable<R::Key, R::Value>>,
    /// Advances on every change of the pool: the recency stamps' clock.
    clock: AtomicU64,
    control: Mutex<Control<R>>,
    changed: Notify,
    stats: PoolStats,
}

impl<R: Resource> fmt::Debug for Pool<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("policy", &self.policy)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

/// What an acquire does after looking at the entry.
enum Next {
    Warm(u32),
    Wait,
    Retry,
}

impl<R: Resource> Pool<R> {
    /// An empty pool.
    pub fn new(resource: R, policy: PoolPolicy) -> Arc<Self> {
        Arc::new(Pool {
            resource: Arc::new(resource),
            policy,
            hot: ArcSwap::from_pointee(HotTable::empty()),
            clock: AtomicU64::new(1),
            control: Mutex::new(Control {
                slots: HashMap::new(),
                used: 0,
            }),
            changed: Notify::new(),
            stats: PoolStats::default(),
        })
    }

    /// The hot value of `key`, if it is hot: no lock, no allocation.
    #[inline]
    pub fn get(&self, key: &R::Key) -> Option<Hit<R::Key, R::Value>> {
        lookup(&self.hot, key, &self.clock)
    }

    /// The hot value of `key`, warming it first if needed (once, however many ask at once).
    pub async fn acquire(
        self: &Arc<Self>,
        key: &R::Key,
    ) -> Result<Hit<R::Key, R::Value>, PoolError> {
        let mut counted = false;
        loop {
            if let Some(hit) = self.get(key) {
                return Ok(hit);
            }
            if !counted {
                counted = true;
                self.stats.misses.fetch_add(1, Ordering::Relaxed);
            }
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            match self.next_step(key)? {
                Next::Warm(attempt) => self.warm(key, attempt).await?,
                Next::Wait => notified.await,
                Next::Retry => {}
            }
        }
    }

    /// Decides, under the lock, what an acquire of a non-hot `key` does.
    fn next_step(&self, key: &R::Key) -> Result<Next, PoolError> {
        let mut control = self.lock();
        let next = match control.slots.remove(key) {
            None => {
                let warming = Entry::cold(key.clone()).warm();
                control.slots.insert(key.clone(), Slot::Warming(warming));
                return Ok(Next::Warm(1));
            }
            Some(Slot::Failed(failed)) => {
                let failure = failed.failure().clone();
                if failure.attempts >= self.policy.max_attempts {
                    control.slots.insert(key.clone(), Slot::Failed(failed));
                    return Err(PoolError::GaveUp {
                        key: key.to_string(),
                        error: failure.error,
                        attempts: failure.attempts,
                    });
                }
                let wait = self.policy.retry_after(failure.attempts);
                let due = failure.at + wait;
                if Instant::now() < due {
                    control.slots.insert(key.clone(), Slot::Failed(failed));
                    return Err(PoolError::Failed {
                        key: key.to_string(),
                        error: failure.error,
                        attempts: failure.attempts,
                        retry_in: due - Instant::now(),
                    });
                }
                let warming = failed.retry();
                let attempt = failure.attempts + 1;
                control.slots.insert(key.clone(), Slot::Warming(warming));
                return Ok(Next::Warm(attempt));
            }
            // Hot: published before we looked at the table again.
            Some(slot @ Slot::Hot(_)) => (slot, Next::Retry),
            Some(slot @ (Slot::Warming(_) | Slot::Cooling(_))) => (slot, Next::Wait),
        };
        let (slot, next) = next;
        control.slots.insert(key.clone(), slot);
        Ok(next)
    }

    /// Warms `key` (its slot is Warming) and publishes the result.
    async fn warm(self: &Arc<Self>, key: &R::Key, attempt: u32) -> Result<(), PoolError> {
        self.stats.warms.fetch_add(1, Ordering::Relaxed);
        let result = tokio::time::timeout(self.policy.warm_timeout, self.resource.warm(key))
            .await
            .unwrap_or_else(|_| {
                Err(format!(
                    "warming took longer than {:?} (attempt {attempt})",
                    self.policy.warm_timeout
                ))
            });
        let mut evicted = Vec::new();
        let outcome = {
            let mut control = self.lock();
            let Some(Slot::Warming(warming)) = control.slots.remove(key) else {
                // Forgotten meanwhile: drop what was warmed.
                return Ok(());
            };
            match result {
                Ok(value) => {
                    let size = self.resource.size(&value);
                    if size > self.policy.budget {
                        let error = format!("{size} bytes exceed the budget");
                        control
                            .slots
                            .insert(key.clone(), Slot::Failed(warming.fail(error)));
                        Err(PoolError::TooLarge {
                            key: key.to_string(),
                            size,
                            budget: self.policy.budget,
                        })
                    } else {
                        // Stamped with this event's time; hits from now on are stamped later,
                        // so they count as more recent than this warming.
                        let now = self.tick();
                        self.tick();
                        let slot = Arc::new(HotSlot::new(value, now));
                        control.used += size;
                        let hot = warming.ready(slot, size);
                        control.slots.insert(key.clone(), Slot::Hot(hot));
                        evicted = self.evict_to_budget(&mut control, key);
                        self.publish(&control);
                        Ok(())
                    }
                }
                Err(error) => {
                    self.stats.failures.fetch_add(1, Ordering::Relaxed);
                    control
                        .slots
                        .insert(key.clone(), Slot::Failed(warming.fail(error)));
                    Ok(())
                }
            }
        };
        self.changed.notify_waiters();
        self.cool_all(evicted);
        outcome
    }

    /// Cools the least recently used hot entries (never `keep`) until the budget holds.
    fn evict_to_budget(&self, control: &mut Control<R>, keep: &R::Key) -> Vec<Held<R>> {
        let mut evicted = Vec::new();
        while control.used > self.policy.budget {
            let victim = control
                .slots
                .iter()
                .filter_map(|(k, slot)| match slot {
                    Slot::Hot(hot) if k != keep => {
                        Some((k, (hot.value().last_used(), hot.value().born())))
                    }
                    _ => None,
                })
                .min_by_key(|(_, used)| *used)
                .map(|(k, _)| k.clone());
            let Some(victim) = victim else { break };
            if let Some(Slot::Hot(hot)) = control.slots.remove(&victim) {
                control.used -= hot.size();
                let cooling = hot.cool();
                // The slot stays Cooling (not handed out, not warmed again) until the
                // resource has shut the value down.
                evicted.push((victim.clone(), cooling.value().clone()));
                control.slots.insert(victim, Slot::Cooling(cooling));
                self.stats.evictions.fetch_add(1, Ordering::Relaxed);
            }
        }
        evicted
    }

    /// Shuts evicted values down in the background; each becomes cold once done.
    fn cool_all(self: &Arc<Self>, evicted: Vec<Held<R>>) {
        for (key, slot) in evicted {
            let pool = self.clone();
            tokio::spawn(async move {
                pool.resource.cool(&key, &slot.value).await;
                pool.finish_cooling(&key);
            });
        }
    }

    /// A cooled entry becomes cold (absent), and whoever waits for it may warm it again.
    fn finish_cooling(&self, key: &R::Key) {
        {
            let mut control = self.lock();
            match control.slots.remove(key) {
                Some(Slot::Cooling(cooling)) => drop(cooling.done()),
                Some(other) => {
                    control.slots.insert(key.clone(), other);
                }
                None => {}
            }
        }
        self.changed.notify_waiters();
    }

    /// Checks every hot entry; one that fails is taken out (Failed, retried per the policy)
    /// and shut down. Returns the keys that failed.
    pub async fn check_health(self: &Arc<Self>) -> Vec<R::Key> {
        let hot: Vec<Held<R>> = {
            let control = self.lock();
            control
                .slots
                .iter()
                .filter_map(|(k, slot)| match slot {
                    Slot::Hot(hot) => Some((k.clone(), hot.value().clone())),
                    _ => None,
                })
                .collect()
        };
        let (mut failed, mut to_cool) = (Vec::new(), Vec::new());
        for (key, slot) in hot {
            let Err(error) = self.resource.check(&key, &slot.value).await else {
                continue;
            };
            self.stats.failures.fetch_add(1, Ordering::Relaxed);
            let mut control = self.lock();
            match control.slots.remove(&key) {
                // Still the value that failed its check.
                Some(Slot::Hot(hot)) if Arc::ptr_eq(hot.value(), &slot) => {
                    control.used -= hot.size();
                    let (entry, value) = hot.fail(format!("health check: {error}"));
                    control.slots.insert(key.clone(), Slot::Failed(entry));
                    to_cool.push((key.clone(), value));
                    self.publish(&control);
                    failed.push(key);
                }
                Some(other) => {
                    control.slots.insert(key.clone(), other);
                }
                None => {}
            }
        }
        self.changed.notify_waiters();
        // A failed value is shut down like an evicted one (its slot stays Failed).
        self.cool_all(to_cool);
        failed
    }

    /// Warms `keys` one after another in the background (a workflow's instruments in
    /// topological order, or what the time-of-day predictor expects); failures are left for
    /// the acquire that needs them to report.
    pub fn prewarm(self: &Arc<Self>, keys: Vec<R::Key>) -> tokio::task::JoinHandle<()> {
        let pool = self.clone();
        tokio::spawn(async move {
            for key in keys {
                let _ = pool.acquire(&key).await;
            }
        })
    }

    /// Clears a failed entry, so that the next acquire warms it afresh.
    pub fn forget(&self, key: &R::Key) {
        let mut control = self.lock();
        match control.slots.remove(key) {
            Some(Slot::Failed(failed)) => drop(failed.forget()),
            Some(other) => {
                control.slots.insert(key.clone(), other);
            }
            None => {}
        }
    }

    /// Every entry that is not cold, with its state's name, for the monitor.
    pub fn states(&self) -> Vec<(R::Key, &'static str)> {
        let control = self.lock();
        control
            .slots
            .iter()
            .map(|(k, slot)| (k.clone(), slot.state_name()))
            .collect()
    }

    /// The resource the pool keeps warm.
    pub fn resource(&self) -> &R {
        &self.resource
    }

    /// Bytes held by hot entries.
    pub fn used(&self) -> u64 {
        self.lock().used
    }

    /// The control path's counters.
    pub fn stats(&self) -> &PoolStats {
        &self.stats
    }

    /// How full it is now.
    pub fn usage(&self) -> PoolUse {
        let control = self.lock();
        let hot = control
            .slots
            .values()
            .filter(|slot| matches!(slot, Slot::Hot(_)))
            .count();
        PoolUse {
            hot: u32::try_from(hot).unwrap_or(u32::MAX),
            used: control.used,
            budget: self.policy.budget,
        }
    }

    /// Replaces the readers' snapshot with the hot entries now.
    fn publish(&self, control: &Control<R>) {
        let entries = control.slots.iter().filter_map(|(k, slot)| match slot {
            Slot::Hot(hot) => Some((k.clone(), hot.value().clone())),
            _ => None,
        });
        self.hot.store(Arc::new(HotTable::of(entries)));
    }

    /// Advances the clock; returns the new time.
    fn tick(&self) -> u64 {
        self.clock.fetch_add(1, Ordering::Relaxed) + 1
    }

    fn lock(&self) -> MutexGuard<'_, Control<R>> {
        // A panic while holding the lock leaves plain data behind; go on with it.
        self.control.lock().unwrap_or_else(|e| e.into_inner())
    }
}
