//! The node id → index map. Each slot holds the index and, for ids of up to 23 bytes (nearly
//! all), the id's bytes themselves: a lookup then compares within the slot instead of
//! following a pointer to the id, which halves the cache misses when a million-node
//! workflow's five million edge ends are looked up.

use std::hash::BuildHasher;

use hashbrown::HashTable;

use super::ids::{NodeId, NodeIx};
use super::workflow::IdHasher;

/// Longest id kept inside its slot.
const INLINE: usize = 23;
/// `len` of a slot whose id is too long to keep inside.
const OUTSIDE: u8 = u8::MAX;

#[derive(Clone, Copy)]
struct Slot {
    ix: NodeIx,
    len: u8,
    bytes: [u8; INLINE],
}

impl Slot {
    fn new(ix: NodeIx, id: &str) -> Slot {
        let mut bytes = [0; INLINE];
        if id.len() <= INLINE {
            bytes[..id.len()].copy_from_slice(id.as_bytes());
            Slot {
                ix,
                len: id.len() as u8,
                bytes,
            }
        } else {
            Slot {
                ix,
                len: OUTSIDE,
                bytes,
            }
        }
    }

    fn holds(&self, ids: &[NodeId], id: &str) -> bool {
        if self.len == OUTSIDE {
            id.len() > INLINE && ids[self.ix.index()].as_str() == id
        } else {
            usize::from(self.len) == id.len() && &self.bytes[..id.len()] == id.as_bytes()
        }
    }
}

/// Finds a node's index from its id.
#[derive(Clone, Default)]
pub(super) struct IdIndex {
    table: HashTable<Slot>,
    hasher: IdHasher,
}

impl IdIndex {
    /// Room for `n` ids.
    pub(super) fn with_capacity(n: usize) -> Self {
        IdIndex {
            table: HashTable::with_capacity(n),
            hasher: IdHasher::default(),
        }
    }

    /// The index of `id`, whose id list is `ids`.
    pub(super) fn get(&self, ids: &[NodeId], id: &str) -> Option<NodeIx> {
        let hash = self.hasher.hash_one(id);
        self.table
            .find(hash, |slot| slot.holds(ids, id))
            .map(|slot| slot.ix)
    }

    /// Records `ids[ix]`, which must not be present yet.
    pub(super) fn insert(&mut self, ids: &[NodeId], ix: NodeIx) {
        let id = ids[ix.index()].as_str();
        let hasher = &self.hasher;
        self.table
            .insert_unique(hasher.hash_one(id), Slot::new(ix, id), |slot| {
                hasher.hash_one(ids[slot.ix.index()].as_str())
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_ids_are_found_and_told_apart() {
        let long = "x".repeat(40);
        let ids: Vec<NodeId> = ["a", "ab", long.as_str(), &long[..23], &long[..24]]
            .into_iter()
            .map(NodeId::from)
            .collect();
        let mut index = IdIndex::with_capacity(ids.len());
        for i in 0..ids.len() {
            index.insert(&ids, NodeIx(i as u32));
        }
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(index.get(&ids, id.as_str()), Some(NodeIx(i as u32)));
        }
        for missing in ["", "b", "abc", &long[..39], &"x".repeat(41)] {
            assert_eq!(index.get(&ids, missing), None, "{missing}");
        }
    }
}
