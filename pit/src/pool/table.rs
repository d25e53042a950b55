//! The hot table readers see: an immutable snapshot of the hot entries behind an `ArcSwap`,
//! replaced (copy on write) when an entry becomes hot or stops being hot. A hit takes no
//! lock and writes nothing shared but, at most once per pool event, the entry's recency stamp.

use std::collections::HashMap;
use std::hash::Hash;
use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use arc_swap::{ArcSwap, Guard};

/// A hot value with what eviction needs.
#[derive(Debug)]
pub struct HotSlot<V> {
    pub(super) value: V,
    /// The pool's clock when it became hot (ties of recency go to the older).
    born: u64,
    /// The pool's clock at the last hit (approximate LRU: written only when it changed).
    pub(super) last_used: AtomicU64,
}

impl<V> HotSlot<V> {
    pub(super) fn new(value: V, now: u64) -> Self {
        HotSlot {
            value,
            born: now,
            last_used: AtomicU64::new(now),
        }
    }

    pub(super) fn born(&self) -> u64 {
        self.born
    }

    pub(super) fn last_used(&self) -> u64 {
        self.last_used.load(Ordering::Relaxed)
    }
}

/// The snapshot: keys to positions, and the slots.
#[derive(Debug)]
pub(super) struct HotTable<K, V> {
    index: HashMap<K, usize, foldhash::fast::RandomState>,
    slots: Vec<Arc<HotSlot<V>>>,
}

impl<K: Eq + Hash + Clone, V> HotTable<K, V> {
    pub(super) fn empty() -> Self {
        HotTable {
            index: HashMap::default(),
            slots: Vec::new(),
        }
    }

    /// A new snapshot of `entries`.
    pub(super) fn of(entries: impl IntoIterator<Item = (K, Arc<HotSlot<V>>)>) -> Self {
        let mut table = HotTable::empty();
        for (key, slot) in entries {
            table.index.insert(key, table.slots.len());
            table.slots.push(slot);
        }
        table
    }
}

/// A handed-out hot value: it stays valid (and is not shut down) while the hit lives, even if
/// the pool evicts the entry meanwhile. Hold it for the call, not for long: a pool keeps a
/// few hits per thread cheaply, and more cost an `Arc` each.
#[derive(Debug)]
pub struct Hit<K, V> {
    table: Guard<Arc<HotTable<K, V>>>,
    slot: usize,
}

impl<K, V> Deref for Hit<K, V> {
    type Target = V;

    fn deref(&self) -> &V {
        &self.table.slots[self.slot].value
    }
}

/// Looks `key` up in the current snapshot and stamps its recency.
#[inline]
pub(super) fn lookup<K: Eq + Hash, V>(
    table: &ArcSwap<HotTable<K, V>>,
    key: &K,
    clock: &AtomicU64,
) -> Option<Hit<K, V>> {
    let snapshot = table.load();
    let slot = *snapshot.index.get(key)?;
    let now = clock.load(Ordering::Relaxed);
    let stamp = &snapshot.slots[slot].last_used;
    if stamp.load(Ordering::Relaxed) != now {
        stamp.store(now, Ordering::Relaxed);
    }
    Some(Hit {
        table: snapshot,
        slot,
    })
}
