//! A small in-memory cache of verified blobs, so that a repeated get of a small artifact costs
//! a hash lookup, not a file read and a hash.

use std::collections::HashMap;
use std::sync::Arc;

use super::id::ArtifactId;

/// Blobs larger than this are not cached.
pub const MAX_CACHED_BLOB: usize = 1 << 20;

/// Verified blobs by id, within a byte budget; the least recently used go first.
#[derive(Debug)]
pub struct BlobCache {
    entries: HashMap<ArtifactId, (Arc<[u8]>, u64)>,
    bytes: usize,
    budget: usize,
    clock: u64,
}

impl BlobCache {
    /// An empty cache of at most `budget` bytes.
    pub fn new(budget: usize) -> Self {
        BlobCache {
            entries: HashMap::new(),
            bytes: 0,
            budget,
            clock: 0,
        }
    }

    /// The cached bytes of `id`.
    pub fn get(&mut self, id: &ArtifactId) -> Option<Arc<[u8]>> {
        self.clock += 1;
        let entry = self.entries.get_mut(id)?;
        entry.1 = self.clock;
        Some(entry.0.clone())
    }

    /// Caches verified bytes (small ones only), evicting the least recently used.
    pub fn insert(&mut self, id: ArtifactId, bytes: Arc<[u8]>) {
        if bytes.len() > MAX_CACHED_BLOB || bytes.len() > self.budget {
            return;
        }
        self.clock += 1;
        self.bytes += bytes.len();
        if let Some((old, _)) = self.entries.insert(id, (bytes, self.clock)) {
            self.bytes -= old.len();
        }
        while self.bytes > self.budget {
            let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, e)| e.1)
                .map(|(k, _)| *k)
            else {
                break;
            };
            if let Some((gone, _)) = self.entries.remove(&oldest) {
                self.bytes -= gone.len();
            }
        }
    }

    /// Forgets `id`.
    pub fn remove(&mut self, id: &ArtifactId) {
        if let Some((gone, _)) = self.entries.remove(id) {
            self.bytes -= gone.len();
        }
    }
}
