//! Content-addressed blob files: `objects/ab/cdef…` (the id's first two hex digits name the
//! directory). A blob is written durably — a temporary file, `fsync`, `rename`, `fsync` of
//! the directory — so that after a crash it is either whole or absent; and every read checks
//! the bytes against the id, so a corrupted blob is an error, never wrong bytes.
//!
//! An *archived* blob lives gzip-compressed in `archive/ab/cdef….gz` instead. Archiving
//! writes the compressed copy durably before removing the plain one, so a crash between the
//! two leaves both (and a read takes the plain one); a read of an archived blob decompresses
//! it and checks the result against the id like any other.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::ArtifactError;
use super::id::ArtifactId;
use crate::journal::sync_dir;

/// The blob files under a root.
#[derive(Debug)]
pub struct Blobs {
    objects: PathBuf,
    archive: PathBuf,
    tmp: PathBuf,
    counter: AtomicU64,
}

impl Blobs {
    /// The blobs under `root` (`objects/`, `archive/`, `tmp/`), created if needed.
    pub fn open(root: &Path) -> Result<Self, ArtifactError> {
        let objects = root.join("objects");
        let archive = root.join("archive");
        let tmp = root.join("tmp");
        for dir in [&objects, &archive, &tmp] {
            fs::create_dir_all(dir).map_err(|e| ArtifactError::io(dir, "create", e))?;
        }
        Ok(Blobs {
            objects,
            archive,
            tmp,
            counter: AtomicU64::new(0),
        })
    }

    /// Where a blob lives (when it is not archived).
    pub fn path(&self, id: &ArtifactId) -> PathBuf {
        let hex = id.to_hex();
        self.objects.join(&hex[..2]).join(&hex[2..])
    }

    /// Where an archived blob lives.
    pub fn archived_path(&self, id: &ArtifactId) -> PathBuf {
        let hex = id.to_hex();
        self.archive
            .join(&hex[..2])
            .join(format!("{}.gz", &hex[2..]))
    }

    /// Writes `bytes` as blob `id` (their hash), durably; a blob already there is kept
    /// (deduplication), and an archived one comes back out of the archive. Returns whether
    /// it was written.
    pub fn write(&self, id: &ArtifactId, bytes: &[u8]) -> Result<bool, ArtifactError> {
        let path = self.path(id);
        if path.is_file() {
            return Ok(false);
        }
        self.write_durably(id, &path, bytes)?;
        self.remove_file(&self.archived_path(id))?;
        Ok(true)
    }

    /// Moves blob `id` into the archive, compressed; returns the archived size. The plain
    /// blob is checked first, so a corrupted one is reported, never archived.
    pub fn archive(&self, id: &ArtifactId) -> Result<u64, ArtifactError> {
        let archived = self.archived_path(id);
        let plain = self.path(id);
        if !plain.is_file() && archived.is_file() {
            return fs::metadata(&archived)
                .map(|m| m.len())
                .map_err(|e| ArtifactError::io(&archived, "read", e));
        }
        let bytes = self.read(id)?;
        let mut encoder =
            flate2::write::GzEncoder::new(Vec::with_capacity(bytes.len() / 2), Default::default());
        let compressed = encoder
            .write_all(&bytes)
            .and_then(|()| encoder.finish())
            .map_err(|e| ArtifactError::io(&archived, "compress", e))?;
        self.write_durably(id, &archived, &compressed)?;
        self.remove_file(&plain)?;
        if let Some(dir) = plain.parent() {
            sync_dir(dir).map_err(|e| ArtifactError::io(dir, "sync", e))?;
        }
        Ok(compressed.len() as u64)
    }

    fn write_durably(
        &self,
        id: &ArtifactId,
        path: &Path,
        bytes: &[u8],
    ) -> Result<(), ArtifactError> {
        let dir = path.parent().unwrap_or(&self.objects);
        fs::create_dir_all(dir).map_err(|e| ArtifactError::io(dir, "create", e))?;
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let tmp = self
            .tmp
            .join(format!("{}-{}-{n}", std::process::id(), id.short()));
        let written = File::create(&tmp)
            .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
            .and_then(|()| fs::rename(&tmp, path))
            .and_then(|()| sync_dir(dir));
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp);
            return Err(ArtifactError::io(path, "write", e));
        }
        Ok(())
    }

    /// Reads blob `id` (from the archive if it is there), checking its bytes against the id.
    pub fn read(&self, id: &ArtifactId) -> Result<Vec<u8>, ArtifactError> {
        let mut path = self.path(id);
        let bytes = match fs::read(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                path = self.archived_path(id);
                match fs::read(&path) {
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {
                        return Err(ArtifactError::MissingBlob {
                            id: *id,
                            path: self.path(id),
                        });
                    }
                    Err(e) => return Err(ArtifactError::io(&path, "read", e)),
                    Ok(compressed) => {
                        let mut bytes = Vec::with_capacity(compressed.len() * 2);
                        if flate2::read::GzDecoder::new(compressed.as_slice())
                            .read_to_end(&mut bytes)
                            .is_err()
                        {
                            // Undecodable bytes are corruption like any other: say which.
                            bytes = compressed;
                        }
                        bytes
                    }
                }
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

    /// Removes blob `id`, plain and archived (a no-op when it is not there).
    pub fn remove(&self, id: &ArtifactId) -> Result<(), ArtifactError> {
        self.remove_file(&self.path(id))?;
        self.remove_file(&self.archived_path(id))
    }

    fn remove_file(&self, path: &Path) -> Result<(), ArtifactError> {
        match fs::remove_file(path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                Err(ArtifactError::io(path, "remove", e))
            }
            _ => Ok(()),
        }
    }

    /// The bytes blob `id` takes on disk, plain and archived.
    pub fn disk_size(&self, id: &ArtifactId) -> u64 {
        [self.path(id), self.archived_path(id)]
            .iter()
            .filter_map(|p| fs::metadata(p).ok())
            .map(|m| m.len())
            .sum()
    }

    /// Every blob id on disk, plain or archived (files whose names are not ids are skipped).
    pub fn ids(&self) -> Result<Vec<ArtifactId>, ArtifactError> {
        let mut ids = Vec::new();
        for (root, suffix) in [(&self.objects, ""), (&self.archive, ".gz")] {
            let io = |e| ArtifactError::io(root, "list", e);
            for dir in fs::read_dir(root).map_err(io)? {
                let dir = dir.map_err(io)?;
                let prefix = dir.file_name().to_string_lossy().into_owned();
                if !dir.path().is_dir() {
                    continue;
                }
                for file in fs::read_dir(dir.path()).map_err(io)? {
                    let name = file.map_err(io)?.file_name().to_string_lossy().into_owned();
                    let Some(rest) = name.strip_suffix(suffix) else {
                        continue;
                    };
                    if let Ok(id) = format!("{prefix}{rest}").parse() {
                        ids.push(id);
                    }
                }
            }
        }
        ids.sort();
        ids.dedup();
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
