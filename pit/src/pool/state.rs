//! A pool entry's life as a typed state machine: `Entry<K, S>` where `S` is the state, and
//! each transition is a method that consumes the entry in one state and returns it in the
//! next. A transition that the diagram does not have has no method, so it cannot be written:
//!
//! ```text
//!   Cold ──warm──▶ Warming ──ready──▶ Hot ──cool──▶ Cooling ──done──▶ Cold
//!                     │                 │
//!                     └──fail──▶ Failed ◀──fail──┘     Failed ──retry──▶ Warming
//!                                                      Failed ──forget──▶ Cold
//! ```
//!
//! ```compile_fail
//! use pit::pool::Entry;
//! // A cold entry cannot become hot without warming first.
//! let hot = Entry::cold("model").ready(42, 1);
//! ```
//!
//! ```compile_fail
//! use pit::pool::Entry;
//! // A failed entry is never handed out: it has no value to give.
//! let failed = Entry::cold("model").warm().fail("out of memory");
//! let value = failed.value();
//! ```

use std::time::{Duration, Instant};

/// An entry in state `S`.
#[derive(Debug)]
pub struct Entry<K, S> {
    key: K,
    state: S,
}

/// Not running; nothing held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cold;

/// Being brought up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Warming {
    /// When warming started.
    pub since: Instant,
    /// 1 for the first try, 2 after a failure, …
    pub attempt: u32,
}

/// Up and handed out.
#[derive(Debug)]
pub struct Hot<V> {
    value: V,
    size: u64,
    attempts: u32,
}

/// Being shut down; not handed out any more.
#[derive(Debug)]
pub struct Cooling<V> {
    value: V,
}

/// Warming or a health check failed; never handed out, retried per policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failed {
    /// What went wrong.
    pub error: String,
    /// Failed attempts in a row.
    pub attempts: u32,
    /// When it failed.
    pub at: Instant,
}

impl<K> Entry<K, Cold> {
    /// A cold entry.
    pub fn cold(key: K) -> Self {
        Entry { key, state: Cold }
    }

    /// Starts warming.
    pub fn warm(self) -> Entry<K, Warming> {
        self.to(Warming {
            since: Instant::now(),
            attempt: 1,
        })
    }
}

impl<K> Entry<K, Warming> {
    /// Warming succeeded: `value`, holding `size` bytes, is hot.
    pub fn ready<V>(self, value: V, size: u64) -> Entry<K, Hot<V>> {
        let attempts = self.state.attempt;
        self.to(Hot {
            value,
            size,
            attempts,
        })
    }

    /// Warming failed.
    pub fn fail(self, error: impl Into<String>) -> Entry<K, Failed> {
        let attempts = self.state.attempt;
        self.to(Failed {
            error: error.into(),
            attempts,
            at: Instant::now(),
        })
    }

    /// How long it has been warming.
    pub fn warming_for(&self) -> Duration {
        self.state.since.elapsed()
    }
}

impl<K, V> Entry<K, Hot<V>> {
    /// The value.
    pub fn value(&self) -> &V {
        &self.state.value
    }

    /// Bytes it holds.
    pub fn size(&self) -> u64 {
        self.state.size
    }

    /// Starts shutting it down (evicted, or the pool closes).
    pub fn cool(self) -> Entry<K, Cooling<V>> {
        let value = self.state.value;
        Entry {
            key: self.key,
            state: Cooling { value },
        }
    }

    /// A health check failed: the value is handed back to be shut down, and the entry is
    /// Failed (its earlier failures count, so backoff grows if it keeps failing).
    pub fn fail(self, error: impl Into<String>) -> (Entry<K, Failed>, V) {
        let failed = Failed {
            error: error.into(),
            attempts: self.state.attempts,
            at: Instant::now(),
        };
        (
            Entry {
                key: self.key,
                state: failed,
            },
            self.state.value,
        )
    }
}

impl<K, V> Entry<K, Cooling<V>> {
    /// The value being shut down (for the shutdown itself, not to hand out).
    pub fn value(&self) -> &V {
        &self.state.value
    }

    /// Shut down: the entry is cold, and the value is handed back to be dropped.
    pub fn done(self) -> (Entry<K, Cold>, V) {
        (
            Entry {
                key: self.key,
                state: Cold,
            },
            self.state.value,
        )
    }
}

impl<K> Entry<K, Failed> {
    /// What went wrong, and how many times in a row.
    pub fn failure(&self) -> &Failed {
        &self.state
    }

    /// Tries again.
    pub fn retry(self) -> Entry<K, Warming> {
        let attempt = self.state.attempts + 1;
        self.to(Warming {
            since: Instant::now(),
            attempt,
        })
    }

    /// Gives up: cold again, with its failure count forgotten.
    pub fn forget(self) -> Entry<K, Cold> {
        self.to(Cold)
    }
}

impl<K, S> Entry<K, S> {
    /// The entry's key.
    pub fn key(&self) -> &K {
        &self.key
    }

    fn to<T>(self, state: T) -> Entry<K, T> {
        Entry {
            key: self.key,
            state,
        }
    }
}

/// An entry in any state, for the pool's table of entries.
#[derive(Debug)]
pub enum Slot<K, V> {
    /// Being brought up.
    Warming(Entry<K, Warming>),
    /// Up (its value is also in the hot table that readers see).
    Hot(Entry<K, Hot<V>>),
    /// Being shut down.
    Cooling(Entry<K, Cooling<V>>),
    /// Failed; retried after its backoff.
    Failed(Entry<K, Failed>),
}

impl<K, V> Slot<K, V> {
    /// The state's name, for messages and the monitor.
    pub fn state_name(&self) -> &'static str {
        match self {
            Slot::Warming(_) => "warming",
            Slot::Hot(_) => "hot",
            Slot::Cooling(_) => "cooling",
            Slot::Failed(_) => "failed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whole_cycle_and_a_failure_with_retry() {
        let hot = Entry::cold("m").warm().ready(7, 100);
        assert_eq!((*hot.value(), hot.size()), (7, 100));
        let (cold, value) = hot.cool().done();
        assert_eq!(value, 7);
        let failed = cold.warm().fail("no GPU");
        assert_eq!(failed.failure().attempts, 1);
        let failed = failed.retry().fail("still no GPU");
        assert_eq!(failed.failure().attempts, 2);
        let hot = failed.retry().ready(8, 1);
        let (failed, value) = hot.fail("health check: no answer");
        assert_eq!((value, failed.failure().attempts), (8, 3));
        assert_eq!(*failed.forget().warm().key(), "m");
    }
}
