//! Artifact metadata in redb: each artifact's record (as JSON), its tags, and the versions of
//! each name. One write transaction per put, durable when it returns.

use std::path::Path;

use redb::{Database, MultimapTableDefinition, ReadableDatabase, ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};

use super::ArtifactError;
use super::id::ArtifactId;

/// id (hex) → the record as JSON.
const ARTIFACTS: TableDefinition<&str, &str> = TableDefinition::new("artifacts");
/// tag → ids (hex).
const TAGS: MultimapTableDefinition<&str, &str> = MultimapTableDefinition::new("tags");
/// (name, version) → id (hex).
const VERSIONS: TableDefinition<(&str, u32), &str> = TableDefinition::new("versions");
/// id (hex) → (last read, ms since the Unix epoch; reads).
const USAGE: TableDefinition<&str, (u64, u64)> = TableDefinition::new("usage");

/// How an artifact has been used: when last read, and how often.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// The last read, ms since the Unix epoch.
    pub last_read_ms: u64,
    /// Reads.
    pub reads: u64,
}

/// Who produced an artifact, from what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lineage {
    /// The run.
    pub run: String,
    /// The node.
    pub node: String,
    /// The artifacts it read.
    #[serde(default)]
    pub inputs: Vec<String>,
}

/// What the store knows about an artifact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtifactMeta {
    /// Its id (hex).
    pub id: String,
    /// Bytes.
    pub size: u64,
    /// A name (a file name, a node output's name); versions count per name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The version of `name` this is (1, 2, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Whether the content is UTF-8 text (and so is searched).
    pub text: bool,
    /// Where it came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lineage: Option<Lineage>,
    /// When it was first stored, ms since the Unix epoch.
    pub created_ms: u64,
    /// Whether its blob is compressed in the archive (still retrievable, slower to read).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub archived: bool,
}

/// The metadata database.
#[derive(Debug)]
pub struct MetaDb {
    db: Database,
}

fn db_error(e: impl std::fmt::Display) -> ArtifactError {
    ArtifactError::Database(e.to_string())
}

impl MetaDb {
    /// Opens (or creates) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, ArtifactError> {
        let db = Database::create(path).map_err(|e| match e {
            redb::DatabaseError::DatabaseAlreadyOpen => ArtifactError::Busy {
                path: path.to_owned(),
            },
            other => db_error(other),
        })?;
        let txn = db.begin_write().map_err(db_error)?;
        txn.open_table(ARTIFACTS).map_err(db_error)?;
        txn.open_multimap_table(TAGS).map_err(db_error)?;
        txn.open_table(VERSIONS).map_err(db_error)?;
        txn.open_table(USAGE).map_err(db_error)?;
        txn.commit().map_err(db_error)?;
        Ok(MetaDb { db })
    }

    /// Records puts (each a new artifact, or new tags and perhaps a new name version for a
    /// known one) in one durable transaction, in order; returns the records as stored.
    pub fn record_many(
        &self,
        puts: Vec<(ArtifactMeta, Vec<String>)>,
    ) -> Result<Vec<ArtifactMeta>, ArtifactError> {
        let txn = self.db.begin_write().map_err(db_error)?;
        let mut stored = Vec::with_capacity(puts.len());
        {
            let mut tables = Tables {
                artifacts: txn.open_table(ARTIFACTS).map_err(db_error)?,
                tags: txn.open_multimap_table(TAGS).map_err(db_error)?,
                versions: txn.open_table(VERSIONS).map_err(db_error)?,
            };
            for (meta, tags) in puts {
                stored.push(tables.record(meta, &tags)?);
            }
        }
        txn.commit().map_err(db_error)?;
        Ok(stored)
    }

    /// The record of `id`.
    pub fn get(&self, id: &ArtifactId) -> Result<Option<ArtifactMeta>, ArtifactError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let table = txn.open_table(ARTIFACTS).map_err(db_error)?;
        let hex = id.to_hex();
        let value = table.get(hex.as_str()).map_err(db_error)?;
        value
            .map(|v| serde_json::from_str(v.value()).map_err(db_error))
            .transpose()
    }

    /// Every record, or those with `tag`, newest first.
    pub fn list(&self, tag: Option<&str>) -> Result<Vec<ArtifactMeta>, ArtifactError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let table = txn.open_table(ARTIFACTS).map_err(db_error)?;
        let mut out = Vec::new();
        match tag {
            None => {
                for entry in table.iter().map_err(db_error)? {
                    let (_, value) = entry.map_err(db_error)?;
                    out.push(serde_json::from_str(value.value()).map_err(db_error)?);
                }
            }
            Some(tag) => {
                let tags = txn.open_multimap_table(TAGS).map_err(db_error)?;
                for id in tags.get(tag).map_err(db_error)? {
                    let id = id.map_err(db_error)?;
                    if let Some(value) = table.get(id.value()).map_err(db_error)? {
                        out.push(serde_json::from_str(value.value()).map_err(db_error)?);
                    }
                }
            }
        }
        out.sort_by(|a: &ArtifactMeta, b| b.created_ms.cmp(&a.created_ms).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    /// Ids whose hex starts with `prefix`.
    pub fn find_prefix(&self, prefix: &str) -> Result<Vec<ArtifactId>, ArtifactError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let table = txn.open_table(ARTIFACTS).map_err(db_error)?;
        let mut ids = Vec::new();
        for entry in table.range(prefix..).map_err(db_error)? {
            let (key, _) = entry.map_err(db_error)?;
            if !key.value().starts_with(prefix) {
                break;
            }
            if let Ok(id) = key.value().parse() {
                ids.push(id);
            }
        }
        Ok(ids)
    }

    /// Adds reads to the usage table. `durable: false` commits without waiting for the disk
    /// (usage is statistics: losing the last few reads to a crash is harmless), and the next
    /// durable commit makes it durable too.
    pub fn add_usage(
        &self,
        reads: impl IntoIterator<Item = (String, Usage)>,
        durable: bool,
    ) -> Result<(), ArtifactError> {
        let mut txn = self.db.begin_write().map_err(db_error)?;
        if !durable {
            txn.set_durability(redb::Durability::None)
                .map_err(db_error)?;
        }
        {
            let mut usage = txn.open_table(USAGE).map_err(db_error)?;
            for (id, new) in reads {
                let old = usage
                    .get(id.as_str())
                    .map_err(db_error)?
                    .map(|v| v.value())
                    .unwrap_or_default();
                let merged = (old.0.max(new.last_read_ms), old.1 + new.reads);
                usage.insert(id.as_str(), merged).map_err(db_error)?;
            }
        }
        txn.commit().map_err(db_error)
    }

    /// The usage of `id`, if it was ever read.
    pub fn usage(&self, id: &str) -> Result<Option<Usage>, ArtifactError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let table = txn.open_table(USAGE).map_err(db_error)?;
        let value = table.get(id).map_err(db_error)?;
        Ok(value.map(|v| {
            let (last_read_ms, reads) = v.value();
            Usage {
                last_read_ms,
                reads,
            }
        }))
    }

    /// Marks `id` archived (or not); returns the record as stored.
    pub fn set_archived(
        &self,
        id: &ArtifactId,
        archived: bool,
    ) -> Result<ArtifactMeta, ArtifactError> {
        let txn = self.db.begin_write().map_err(db_error)?;
        let hex = id.to_hex();
        let stored = {
            let mut artifacts = txn.open_table(ARTIFACTS).map_err(db_error)?;
            let mut meta: ArtifactMeta = match artifacts.get(hex.as_str()).map_err(db_error)? {
                Some(v) => serde_json::from_str(v.value()).map_err(db_error)?,
                None => return Err(ArtifactError::NotFound(hex)),
            };
            meta.archived = archived;
            let json = serde_json::to_string(&meta).map_err(db_error)?;
            artifacts
                .insert(hex.as_str(), json.as_str())
                .map_err(db_error)?;
            meta
        };
        txn.commit().map_err(db_error)?;
        Ok(stored)
    }

    /// Forgets an artifact: its record, tags and name version.
    pub fn remove(&self, meta: &ArtifactMeta) -> Result<(), ArtifactError> {
        let txn = self.db.begin_write().map_err(db_error)?;
        {
            let mut artifacts = txn.open_table(ARTIFACTS).map_err(db_error)?;
            let mut tags = txn.open_multimap_table(TAGS).map_err(db_error)?;
            let mut versions = txn.open_table(VERSIONS).map_err(db_error)?;
            artifacts.remove(meta.id.as_str()).map_err(db_error)?;
            let mut usage = txn.open_table(USAGE).map_err(db_error)?;
            usage.remove(meta.id.as_str()).map_err(db_error)?;
            for tag in &meta.tags {
                tags.remove(tag.as_str(), meta.id.as_str())
                    .map_err(db_error)?;
            }
            if let (Some(name), Some(version)) = (&meta.name, meta.version) {
                versions
                    .remove((name.as_str(), version))
                    .map_err(db_error)?;
            }
        }
        txn.commit().map_err(db_error)
    }
}

/// The tables a put writes, open in one write transaction.
struct Tables<'txn> {
    artifacts: redb::Table<'txn, &'static str, &'static str>,
    tags: redb::MultimapTable<'txn, &'static str, &'static str>,
    versions: redb::Table<'txn, (&'static str, u32), &'static str>,
}

impl Tables<'_> {
    fn record(
        &mut self,
        mut meta: ArtifactMeta,
        tags: &[String],
    ) -> Result<ArtifactMeta, ArtifactError> {
        let existing: Option<ArtifactMeta> = self
            .artifacts
            .get(meta.id.as_str())
            .map_err(db_error)?
            .map(|v| serde_json::from_str(v.value()))
            .transpose()
            .map_err(db_error)?;
        if let Some(existing) = existing {
            let (name, version) = (existing.name.clone(), existing.version);
            meta = ArtifactMeta {
                tags: existing.tags,
                name: existing.name.or(meta.name),
                version,
                lineage: existing.lineage.or(meta.lineage),
                // A put writes the blob out plain again.
                archived: false,
                ..existing
            };
            if name.is_none() && meta.name.is_some() {
                meta.version = Some(next_version(&self.versions, meta.name.as_deref())?);
            }
        } else if meta.name.is_some() {
            meta.version = Some(next_version(&self.versions, meta.name.as_deref())?);
        }
        if let (Some(name), Some(version)) = (&meta.name, meta.version) {
            self.versions
                .insert((name.as_str(), version), meta.id.as_str())
                .map_err(db_error)?;
        }
        for tag in tags {
            if !meta.tags.contains(tag) {
                meta.tags.push(tag.clone());
                self.tags
                    .insert(tag.as_str(), meta.id.as_str())
                    .map_err(db_error)?;
            }
        }
        let json = serde_json::to_string(&meta).map_err(db_error)?;
        self.artifacts
            .insert(meta.id.as_str(), json.as_str())
            .map_err(db_error)?;
        Ok(meta)
    }
}

fn next_version(
    versions: &redb::Table<(&str, u32), &str>,
    name: Option<&str>,
) -> Result<u32, ArtifactError> {
    let Some(name) = name else { return Ok(1) };
    let last = versions
        .range((name, 0)..=(name, u32::MAX))
        .map_err(db_error)?
        .next_back()
        .transpose()
        .map_err(db_error)?
        .map_or(0, |(key, _)| key.value().1);
    Ok(last + 1)
}
