//! The Artifact Store: content-addressed, durable, verified blobs with metadata, tags,
//! versions and lineage, and full-text search.
//!
//! ```text
//! <data>/artifacts/
//!     objects/ab/cdef…   blobs, named by the BLAKE3 of their content (blobs.rs)
//!     tmp/               blobs being written
//!     meta.redb          records, tags and name versions (meta.rs)
//!     index/             the Tantivy index (search.rs), derived and rebuildable
//! ```

mod blobs;
mod cache;
mod id;
mod meta;
mod search;
mod store;

use std::io;
use std::path::{Path, PathBuf};

pub use id::ArtifactId;
pub use meta::{ArtifactMeta, Lineage, Usage};
pub use search::BATCH_WAIT;
pub use store::{ArtifactStore, GcReport, PutOptions, VerifyReport};

/// Errors of the Artifact Store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ArtifactError {
    /// A file operation failed.
    #[error("cannot {op} `{}`: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What was being done.
        op: &'static str,
        /// Why.
        source: io::Error,
    },
    /// A blob's bytes do not match its id.
    #[error(
        "artifact {id} is corrupted: `{}` holds bytes whose BLAKE3 is {actual}; restore it \
         from a backup or put the original again (`symphony artifact verify` lists every one)",
        path.display()
    )]
    Corrupt {
        /// The artifact.
        id: ArtifactId,
        /// Its blob.
        path: PathBuf,
        /// The hash of what is there.
        actual: ArtifactId,
    },
    /// The record exists but the blob does not.
    #[error(
        "artifact {id} is recorded but its blob `{}` is missing; put the original again",
        path.display()
    )]
    MissingBlob {
        /// The artifact.
        id: ArtifactId,
        /// Where the blob should be.
        path: PathBuf,
    },
    /// No artifact has this id (or prefix).
    #[error("no artifact {0}; `symphony artifact ls` lists them")]
    NotFound(String),
    /// A prefix matches several artifacts.
    #[error("`{prefix}` matches {count} artifacts; give more hex digits")]
    Ambiguous {
        /// The prefix given.
        prefix: String,
        /// How many match.
        count: usize,
    },
    /// Another process has the store open.
    #[error(
        "the Artifact Store `{}` is open in another process (a running `symphony` or \
         `symphony run`); try again when it is done",
        path.display()
    )]
    Busy {
        /// The store's database.
        path: PathBuf,
    },
    /// The metadata database failed.
    #[error("the artifact database failed: {0}")]
    Database(String),
    /// The search index failed.
    #[error("the search index failed: {0}")]
    Search(String),
    /// A search query that does not parse.
    #[error("the search query {0}")]
    BadQuery(String),
}

impl ArtifactError {
    pub(crate) fn io(path: &Path, op: &'static str, source: io::Error) -> Self {
        ArtifactError::Io {
            path: path.to_owned(),
            op,
            source,
        }
    }
}
