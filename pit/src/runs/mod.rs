//! Run directories: where each run's journal, staged and published outputs live.
//!
//! ```text
//! <data>/runs/<run id>/
//!     journal.log         the run journal (crate::journal)
//!     lock                held (flock) by the process running the run
//!     stage/<node>/<incarnation>-<serial>/   an attempt's output directory
//!     outputs/<node>/     a completed node's published outputs
//!     logs/<node>.log     what each attempt of the node said on stderr
//! ```
//!
//! The lock makes sure that one process at a time runs a run: a second `--resume` of a run
//! that is still going is refused, so no node ever runs twice concurrently.
//!
//! Published outputs become artifacts with their lineage ([`ingest_outputs`]).

mod history;
mod ingest;
mod outputs;
mod run_id;
mod summary;

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

pub use history::{NodeHistory, NodeOutcome, RunHistory};
pub use ingest::{ingest_outputs, run_tag};
pub use outputs::{hash_file, hash_tree, node_dir_name, publish};
pub use run_id::{RunId, format_utc, now_ms};
pub use summary::{RunState, RunSummary};

use crate::journal::{self, Checkpoint, JournalContents, JournalError, JournalWriter};

/// Errors of the run store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunsError {
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
    /// No run has this id.
    #[error("there is no run `{id}` in `{}`; `symphony runs` lists the runs", root.display())]
    NotFound {
        /// The id asked for.
        id: String,
        /// Where runs are kept.
        root: PathBuf,
    },
    /// The id cannot be a run id.
    #[error(
        "`{0}` is not a run id; run ids look like `20261126-043832-3f9a` (see `symphony runs`)"
    )]
    BadId(String),
    /// Another process holds the run.
    #[error("run `{id}` is running in another process; wait for it, or stop it first")]
    Locked {
        /// The run.
        id: RunId,
    },
    /// The journal could not be read or written.
    #[error(transparent)]
    Journal(#[from] JournalError),
}

fn io_error<'a>(path: &'a Path, op: &'static str) -> impl FnOnce(io::Error) -> RunsError + 'a {
    move |source| RunsError::Io {
        path: path.to_owned(),
        op,
        source,
    }
}

/// Where runs are kept.
#[derive(Debug, Clone)]
pub struct RunStore {
    root: PathBuf,
}

impl RunStore {
    /// The store under `root` (created on first use).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        RunStore { root: root.into() }
    }

    /// Its directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Creates a new run with a fresh id, locked, with an empty journal.
    pub fn create(&self) -> Result<(RunDir, JournalWriter), RunsError> {
        fs::create_dir_all(&self.root).map_err(io_error(&self.root, "create"))?;
        let (id, path) = loop {
            let id = RunId::generate();
            let path = self.root.join(id.as_str());
            match fs::create_dir(&path) {
                Ok(()) => break (id, path),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(io_error(&path, "create")(e)),
            }
        };
        let dir = RunDir::lock(id, path)?;
        let journal = JournalWriter::create(&dir.journal_path())?;
        Ok((dir, journal))
    }

    /// Opens an existing run to resume it: locks it and reads its journal.
    pub fn open(&self, id: &str) -> Result<(RunDir, JournalContents), RunsError> {
        let id = RunId::parse(id).ok_or_else(|| RunsError::BadId(id.to_owned()))?;
        let path = self.root.join(id.as_str());
        if !path.join("journal.log").is_file() {
            return Err(RunsError::NotFound {
                id: id.to_string(),
                root: self.root.clone(),
            });
        }
        let dir = RunDir::lock(id, path)?;
        let contents = journal::read(&dir.journal_path())?;
        Ok((dir, contents))
    }

    /// Every run, newest first.
    pub fn list(&self) -> Result<Vec<RunSummary>, RunsError> {
        let entries = match fs::read_dir(&self.root) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            other => other.map_err(io_error(&self.root, "list"))?,
        };
        let mut runs = Vec::new();
        for entry in entries {
            let entry = entry.map_err(io_error(&self.root, "list"))?;
            let Some(id) = entry.file_name().to_str().and_then(RunId::parse) else {
                continue;
            };
            let path = entry.path();
            if path.join("journal.log").is_file() {
                runs.push(RunSummary::read(id, &path));
            }
        }
        runs.sort_by(|a, b| b.id.cmp(&a.id));
        Ok(runs)
    }
}

/// A run's directory, locked by this process while the value lives.
#[derive(Debug)]
pub struct RunDir {
    id: RunId,
    path: PathBuf,
    _lock: File,
}

impl RunDir {
    fn lock(id: RunId, path: PathBuf) -> Result<Self, RunsError> {
        let lock_path = path.join("lock");
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io_error(&lock_path, "open"))?;
        match lock.try_lock() {
            Ok(()) => Ok(RunDir {
                id,
                path,
                _lock: lock,
            }),
            Err(fs::TryLockError::WouldBlock) => Err(RunsError::Locked { id }),
            Err(fs::TryLockError::Error(e)) => Err(io_error(&lock_path, "lock")(e)),
        }
    }

    /// The run's id.
    pub fn id(&self) -> &RunId {
        &self.id
    }

    /// The run's directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The journal file.
    pub fn journal_path(&self) -> PathBuf {
        self.path.join("journal.log")
    }

    /// Where a node's outputs are published.
    pub fn outputs(&self, node: &str) -> PathBuf {
        outputs_dir(&self.path, node)
    }

    /// The staging directory of an incarnation's `serial`th attempt on behalf of `node`,
    /// relative to the run's directory.
    pub fn stage(node: &str, incarnation: u32, serial: u64) -> String {
        format!("stage/{}/{incarnation}-{serial}", node_dir_name(node))
    }
}

/// Where a node's outputs are published in the run directory `run`.
pub fn outputs_dir(run: &Path, node: &str) -> PathBuf {
    run.join("outputs").join(node_dir_name(node))
}

/// A node's log in the run directory `run`: each attempt appends what it said on stderr.
pub fn log_path(run: &Path, node: &str) -> PathBuf {
    run.join("logs")
        .join(format!("{}.log", node_dir_name(node)))
}

/// Reads a run's checkpoint without locking it (for listing and inspection).
pub fn peek(path: &Path) -> Result<Checkpoint, JournalError> {
    let contents = journal::read(&path.join("journal.log"))?;
    Ok(Checkpoint::from_records(contents.records))
}
