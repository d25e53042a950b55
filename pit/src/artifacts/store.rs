//! The store: puts (durable blob, then its record, then queued for search), verified gets
//! (cached when small), listing, search, verification and garbage collection.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::ArtifactError;
use super::blobs::Blobs;
use super::cache::BlobCache;
use super::id::ArtifactId;
use super::meta::{ArtifactMeta, Lineage, MetaDb, Usage};
use super::search::SearchIndex;
use crate::runs::now_ms;

/// The largest text indexed for search; bigger text artifacts are found by name and tags.
const MAX_INDEXED_TEXT: usize = 8 << 20;
/// Bytes of small blobs kept in memory.
const CACHE_BYTES: usize = 64 << 20;
/// Reads recorded in memory before they are written to the usage table.
const USAGE_BATCH: usize = 256;

/// How to put an artifact.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PutOptions {
    /// Its name (for a file: the file's name); each put of a new content under a name is a
    /// new version of it.
    pub name: Option<String>,
    /// Tags to add.
    pub tags: Vec<String>,
    /// Who produced it, from what.
    pub lineage: Option<Lineage>,
}

/// What [`ArtifactStore::verify`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// Artifacts checked.
    pub checked: usize,
    /// Each problem, as a sentence naming the artifact.
    pub problems: Vec<String>,
    /// Blobs with no record (left by a crash between the two writes of a put).
    pub orphans: Vec<ArtifactId>,
}

/// What [`ArtifactStore::gc`] removed (or would remove).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GcReport {
    /// Blobs with no record.
    pub orphans: Vec<ArtifactId>,
    /// Bytes they held.
    pub bytes: u64,
    /// Leftover temporary files.
    pub temporary: usize,
}

/// The Artifact Store under one directory.
#[derive(Debug)]
pub struct ArtifactStore {
    root: PathBuf,
    blobs: Blobs,
    meta: MetaDb,
    search: SearchIndex,
    cache: Mutex<BlobCache>,
    /// Reads not yet written to the usage table.
    reads: Mutex<HashMap<String, Usage>>,
}

impl ArtifactStore {
    /// Opens (or creates) the store in `root`.
    pub fn open(root: &Path) -> Result<Self, ArtifactError> {
        let blobs = Blobs::open(root)?;
        let meta = MetaDb::open(&root.join("meta.redb"))?;
        let search = SearchIndex::open(&root.join("index"))?;
        Ok(ArtifactStore {
            root: root.to_owned(),
            blobs,
            meta,
            search,
            cache: Mutex::new(BlobCache::new(CACHE_BYTES)),
            reads: Mutex::new(HashMap::new()),
        })
    }

    /// The store's directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Stores `bytes` durably (deduplicated by content) and records `options`; searchable
    /// within [`BATCH_WAIT`](super::BATCH_WAIT). Returns the record.
    pub fn put(&self, bytes: &[u8], options: PutOptions) -> Result<ArtifactMeta, ArtifactError> {
        let mut stored = self.put_many([(bytes, options)])?;
        stored
            .pop()
            .ok_or_else(|| ArtifactError::Database("a put recorded nothing".into()))
    }

    /// Stores several artifacts: each blob durably, then every record in one durable
    /// transaction (one `fsync` for the lot, where [`put`](Self::put) takes one each). A
    /// crash part-way leaves blobs without records, which `gc` removes; no record is ever
    /// visible without its blob. Returns the records in order.
    pub fn put_many<'a>(
        &self,
        puts: impl IntoIterator<Item = (&'a [u8], PutOptions)>,
    ) -> Result<Vec<ArtifactMeta>, ArtifactError> {
        let mut records = Vec::new();
        let mut bodies = Vec::new();
        for (bytes, options) in puts {
            let id = ArtifactId::of(bytes);
            self.blobs.write(&id, bytes)?;
            let text = std::str::from_utf8(bytes).ok();
            bodies.push((id, text.filter(|t| t.len() <= MAX_INDEXED_TEXT)));
            let record = ArtifactMeta {
                id: id.to_hex(),
                size: bytes.len() as u64,
                name: options.name,
                version: None,
                tags: Vec::new(),
                text: text.is_some(),
                lineage: options.lineage,
                created_ms: now_ms(),
                archived: false,
            };
            records.push((record, options.tags));
        }
        let stored = self.meta.record_many(records)?;
        for (meta, (id, body)) in stored.iter().zip(bodies) {
            self.search
                .add(&id, meta.name.as_deref(), &meta.tags, body)?;
        }
        Ok(stored)
    }

    /// Stores a file; its name defaults to the file's name.
    pub fn put_file(
        &self,
        path: &Path,
        mut options: PutOptions,
    ) -> Result<ArtifactMeta, ArtifactError> {
        let bytes = std::fs::read(path).map_err(|e| ArtifactError::io(path, "read", e))?;
        if options.name.is_none() {
            options.name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        }
        self.put(&bytes, options)
    }

    /// The bytes of `id`, checked against it. The read is counted (for the Stale Manager).
    pub fn get(&self, id: &ArtifactId) -> Result<Arc<[u8]>, ArtifactError> {
        let cached = self.lock_cache().get(id);
        let bytes = match cached {
            Some(bytes) => bytes,
            None => {
                if self.meta.get(id)?.is_none() {
                    return Err(ArtifactError::NotFound(id.to_hex()));
                }
                let bytes: Arc<[u8]> = self.blobs.read(id)?.into();
                self.lock_cache().insert(*id, bytes.clone());
                bytes
            }
        };
        self.count_read(id)?;
        Ok(bytes)
    }

    fn count_read(&self, id: &ArtifactId) -> Result<(), ArtifactError> {
        let batch = {
            let mut reads = self.reads.lock().unwrap_or_else(|e| e.into_inner());
            let usage = reads.entry(id.to_hex()).or_default();
            usage.last_read_ms = now_ms();
            usage.reads += 1;
            if reads.len() < USAGE_BATCH {
                return Ok(());
            }
            std::mem::take(&mut *reads)
        };
        self.meta.add_usage(batch, false)
    }

    /// Writes the reads counted so far to the usage table, durably.
    pub fn flush_usage(&self) -> Result<(), ArtifactError> {
        let batch = std::mem::take(&mut *self.reads.lock().unwrap_or_else(|e| e.into_inner()));
        self.meta.add_usage(batch, true)
    }

    /// How `id` has been used: its last read and how many reads (those still in memory
    /// included).
    pub fn usage(&self, id: &ArtifactId) -> Result<Usage, ArtifactError> {
        let hex = id.to_hex();
        let mut usage = self.meta.usage(&hex)?.unwrap_or_default();
        if let Some(pending) = self
            .reads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&hex)
        {
            usage.last_read_ms = usage.last_read_ms.max(pending.last_read_ms);
            usage.reads += pending.reads;
        }
        Ok(usage)
    }

    /// The record of `id`.
    pub fn meta(&self, id: &ArtifactId) -> Result<Option<ArtifactMeta>, ArtifactError> {
        self.meta.get(id)
    }

    /// The artifact a full id or a unique prefix of at least 4 hex digits names.
    pub fn resolve(&self, text: &str) -> Result<ArtifactId, ArtifactError> {
        let prefix = text.trim().to_ascii_lowercase();
        if prefix.len() < 4 || !prefix.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(ArtifactError::NotFound(format!(
                "`{text}` (give at least 4 hex digits of an id)"
            )));
        }
        let ids = self.meta.find_prefix(&prefix)?;
        match ids.as_slice() {
            [] => Err(ArtifactError::NotFound(format!("`{text}`"))),
            [id] => Ok(*id),
            _ => Err(ArtifactError::Ambiguous {
                prefix,
                count: ids.len(),
            }),
        }
    }

    /// Every artifact, or those tagged `tag`, newest first.
    pub fn list(&self, tag: Option<&str>) -> Result<Vec<ArtifactMeta>, ArtifactError> {
        self.meta.list(tag)
    }

    /// The artifacts matching `query`, best first.
    pub fn search(
        &self,
        query: &str,
        limit: usize,
    ) -> Result<Vec<(ArtifactMeta, f32)>, ArtifactError> {
        let mut out = Vec::new();
        for (id, score) in self.search.search(query, limit)? {
            if let Some(meta) = self.meta.get(&id)? {
                out.push((meta, score));
            }
        }
        Ok(out)
    }

    /// Makes everything put so far searchable now.
    pub fn flush_index(&self) -> Result<(), ArtifactError> {
        self.search.flush()
    }

    /// Rebuilds the search index from the store; returns how many artifacts it indexed.
    pub fn rebuild_index(&self) -> Result<usize, ArtifactError> {
        self.search.clear()?;
        let all = self.meta.list(None)?;
        for meta in &all {
            let id: ArtifactId = meta.id.parse().map_err(ArtifactError::Database)?;
            let bytes = if meta.text {
                Some(self.blobs.read(&id)?)
            } else {
                None
            };
            let text = bytes
                .as_deref()
                .and_then(|b| std::str::from_utf8(b).ok())
                .filter(|t| t.len() <= MAX_INDEXED_TEXT);
            self.search
                .add(&id, meta.name.as_deref(), &meta.tags, text)?;
        }
        self.search.flush()?;
        Ok(all.len())
    }

    /// Moves an artifact into the archive, compressed: it stays listed and retrievable (every
    /// read decompresses and verifies it), it is just smaller and slower to read. Returns the
    /// record and the archived size in bytes. (The Stale Manager decides what is archived.)
    pub fn archive(&self, id: &ArtifactId) -> Result<(ArtifactMeta, u64), ArtifactError> {
        if self.meta.get(id)?.is_none() {
            return Err(ArtifactError::NotFound(id.to_hex()));
        }
        let size = self.blobs.archive(id)?;
        self.lock_cache().remove(id);
        Ok((self.meta.set_archived(id, true)?, size))
    }

    /// Deletes an artifact: its record, its blob, its cache entry and its index entry. (The
    /// Stale Manager decides what may go; this only does it.)
    pub fn delete(&self, id: &ArtifactId) -> Result<ArtifactMeta, ArtifactError> {
        let meta = self
            .meta
            .get(id)?
            .ok_or_else(|| ArtifactError::NotFound(id.to_hex()))?;
        self.meta.remove(&meta)?;
        self.blobs.remove(id)?;
        self.lock_cache().remove(id);
        self.search.remove(id)?;
        Ok(meta)
    }

    /// Reads every artifact back and checks it against its id; lists blobs without a record.
    pub fn verify(&self) -> Result<VerifyReport, ArtifactError> {
        let mut report = VerifyReport::default();
        let all = self.meta.list(None)?;
        for meta in &all {
            report.checked += 1;
            let id: ArtifactId = meta.id.parse().map_err(ArtifactError::Database)?;
            if let Err(e) = self.blobs.read(&id) {
                self.lock_cache().remove(&id);
                report.problems.push(e.to_string());
            }
        }
        let recorded: std::collections::HashSet<String> =
            all.iter().map(|m| m.id.clone()).collect();
        report.orphans = self
            .blobs
            .ids()?
            .into_iter()
            .filter(|id| !recorded.contains(&id.to_hex()))
            .collect();
        Ok(report)
    }

    /// Removes blobs without a record and leftover temporary files (or only says which,
    /// with `dry_run`). Retention of recorded artifacts is the Stale Manager's business.
    pub fn gc(&self, dry_run: bool) -> Result<GcReport, ArtifactError> {
        let orphans = self.verify()?.orphans;
        let mut report = GcReport::default();
        for id in orphans {
            report.bytes += self.blobs.disk_size(&id);
            if !dry_run {
                self.blobs.remove(&id)?;
            }
            report.orphans.push(id);
        }
        if !dry_run {
            report.temporary = self.blobs.clear_tmp()?;
        }
        Ok(report)
    }

    fn lock_cache(&self) -> std::sync::MutexGuard<'_, BlobCache> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for ArtifactStore {
    /// Writes the reads still counted in memory.
    fn drop(&mut self) {
        let _ = self.flush_usage();
    }
}
