//! The run journal: an append-only log of a run's records, each framed with its length and a
//! CRC32, made durable by `fdatasync` in batches (group commit). It is the run's checkpoint:
//! [`Checkpoint::from_records`] folds it into what a resume needs, chiefly the nodes whose
//! completion is on disk and must not run again.
//!
//! A crash can leave a torn last record; [`read`] stops at the last whole one, and a resume
//! truncates the file there before appending.

mod checkpoint;
mod frame;
mod record;
mod writer;

use std::io;
use std::path::{Path, PathBuf};

pub use checkpoint::Checkpoint;
pub use frame::Tail;
pub use record::{Completion, OutputFile, Record, RunRecord};
pub(crate) use writer::sync_dir;
pub use writer::{Durable, JournalWriter};

/// What [`read`] found in a journal file.
#[derive(Debug, Clone, PartialEq)]
pub struct JournalContents {
    /// Every whole record, in order.
    pub records: Vec<Record>,
    /// How the file ended.
    pub tail: Tail,
    /// Bytes up to the end of the last whole record (where appending continues).
    pub valid_len: u64,
}

/// Errors of the journal.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JournalError {
    /// A file operation failed.
    #[error("cannot {op} the run journal `{}`: {source}", path.display())]
    Io {
        /// The journal.
        path: PathBuf,
        /// What was being done.
        op: &'static str,
        /// Why it failed.
        source: io::Error,
    },
    /// The file is not a journal.
    #[error(
        "`{}` is not a Symphony run journal (it does not start with `SYMJRNL1`)",
        path.display()
    )]
    NotAJournal {
        /// The file.
        path: PathBuf,
    },
    /// A record passed its checksum but is not one this version understands.
    #[error(
        "`{}`: record {index} is not readable ({message}); was the run written by a newer \
         Symphony?",
        path.display()
    )]
    BadRecord {
        /// The journal.
        path: PathBuf,
        /// 0-based record number.
        index: usize,
        /// The decoder's complaint.
        message: String,
    },
    /// Writing stopped (a full disk, an I/O error).
    #[error("writing the run journal `{}` failed: {message}; free space or fix the disk, then resume the run", path.display())]
    Write {
        /// The journal.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

impl JournalError {
    pub(crate) fn io(path: &Path, op: &'static str, source: io::Error) -> Self {
        JournalError::Io {
            path: path.to_owned(),
            op,
            source,
        }
    }
}

/// Reads a whole journal, up to its last whole record.
pub fn read(path: &Path) -> Result<JournalContents, JournalError> {
    let bytes = std::fs::read(path).map_err(|e| JournalError::io(path, "read", e))?;
    let Some(body) = bytes.strip_prefix(frame::MAGIC) else {
        return Err(JournalError::NotAJournal {
            path: path.to_owned(),
        });
    };
    let (payloads, tail) = frame::decode(body);
    let valid = match tail {
        Tail::Clean => body.len(),
        Tail::Torn { offset } | Tail::Corrupt { offset } => offset,
    };
    let records = payloads
        .iter()
        .enumerate()
        .map(|(index, payload)| {
            serde_json::from_slice(payload).map_err(|e| JournalError::BadRecord {
                path: path.to_owned(),
                index,
                message: e.to_string(),
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(JournalContents {
        records,
        tail,
        valid_len: (frame::MAGIC.len() + valid) as u64,
    })
}
