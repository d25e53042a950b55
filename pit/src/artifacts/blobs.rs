//! Content-addressed blob files: `objects/ab/cdef…` (the id's first two hex digits name the
//! directory). A blob is written durably — a temporary file, `fsync`, `rename`, `fsync` of
//! the directory — so that after a crash it is either whole or absent; and every read checks
//! the bytes against the id, so a corrupted blob is an error, never wrong bytes.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::ArtifactError;
use super::id::ArtifactId;
use crate::journal::sync_dir;

/// The blob files under a root.
#[derive(Debug)]
pub struct Blobs {
    objects: PathBuf,
    tmp: PathBuf,
    counter: AtomicU64,
}

impl Blobs {
    /// The blobs under `root` (`objects/`, `tmp/`), created if needed.
    pub fn open(root: &Path) -> Result<Self, ArtifactError> {
        let objects = root.join("objects");
        let tmp = root.join("tmp");
        for dir in [&objects, &tmp] {
            fs::create_dir_all(dir).map_err(|e| ArtifactError::io(dir, "create", e))?;
        }
        Ok(Blobs {
            objects,
            tmp,
            counter: AtomicU64::new(0),
        })
    }

    /// Where a blob lives.
    pub fn path(&self, id: &ArtifactId) -> PathBuf {
        let hex = id.to_hex();
        self.objects.join(&hex[..2]).join(&hex[2..])
    }

    /// Writes `bytes` as blob `id` (their hash), durably; a blob already there is kept
    /// (deduplication). Returns whether it was written.
    pub fn write(&self, id: &ArtifactId, bytes: &[u8]) -> Result<bool, ArtifactError> {
        let path = self.path(id);
        if path.is_file() {
            return Ok(false);
        }
        let dir = path.parent().unwrap_or(&self.objects);
        fs::create_dir_all(dir).map_err(|e| ArtifactError::io(dir, "create", e))?;
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let tmp = self
            .tmp
            .join(format!("{}-{}-{n}", std::process::id(), id.short()));
        let written = File::create(&tmp)
            .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
            .and_then(|()| fs::rename(&tmp, &path))
            .and_then(|()| sync_dir(dir));
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp);
            return Err(ArtifactError::io(&path, "write", e));
        }
        Ok(true)
    }

    /// Reads blob `id`, checking its bytes against the id.
    pub fn read(&self, id: &ArtifactId) -> Result<Vec<u8>, ArtifactError> {
        let path = self.path(id);
        let bytes = match fs::read(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(ArtifactError::MissingBlob { id: *id, path });
            }
            other => other.map_err(|e| ArtifactError::io(&path, "read", e))?,
        };
        let actual = ArtifactId::of(&bytes);
        if actual != *id {
            return Err(ArtifactError::Corrupt {
                id: *id,
                path,
                actual,
            });
        }
        Ok(bytes)
    }

    /// Removes blob `id` (a no-op when it is not there).
    pub fn remove(&self, id: &ArtifactId) -> Result<(), ArtifactError> {
        let path = self.path(id);
        match fs::remove_file(&path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                Err(ArtifactError::io(&path, "remove", e))
            }
            _ => Ok(()),
        }
    }

    /// Every blob id on disk (files whose names are not ids are skipped).
    pub fn ids(&self) -> Result<Vec<ArtifactId>, ArtifactError> {
        let io = |e| ArtifactError::io(&self.objects, "list", e);
        let mut ids = Vec::new();
        for dir in fs::read_dir(&self.objects).map_err(io)? {
            let dir = dir.map_err(io)?;
            let prefix = dir.file_name().to_string_lossy().into_owned();
            if !dir.path().is_dir() {
                continue;
            }
            for file in fs::read_dir(dir.path()).map_err(io)? {
                let name = file.map_err(io)?.file_name().to_string_lossy().into_owned();
                if let Ok(id) = format!("{prefix}{name}").parse() {
                    ids.push(id);
                }
            }
        }
        ids.sort();
        Ok(ids)
    }

    /// Removes temporary files left by writes a crash interrupted (older than a minute, so
    /// that a write in progress elsewhere is left alone); returns how many.
    pub fn clear_tmp(&self) -> Result<usize, ArtifactError> {
        let io = |e| ArtifactError::io(&self.tmp, "clear", e);
        let mut removed = 0;
        for entry in fs::read_dir(&self.tmp).map_err(io)? {
            let entry = entry.map_err(io)?;
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 60);
            if old {
                fs::remove_file(entry.path()).map_err(io)?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}
