//! One line about a run, for `symphony runs`.

use std::fmt;
use std::fs::{self, File};
use std::path::{Path, PathBuf};

use super::{RunId, peek};

/// Where a run is, as far as its journal and lock tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    /// A process holds its lock.
    Running,
    /// Its last incarnation completed.
    Completed,
    /// Its last incarnation failed.
    Failed,
    /// Its last incarnation was cancelled.
    Cancelled,
    /// Its last incarnation ended without a record (killed, crashed, power cut): resumable.
    Interrupted,
    /// Its journal cannot be read.
    Unreadable,
}

impl fmt::Display for RunState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RunState::Running => "running",
            RunState::Completed => "completed",
            RunState::Failed => "failed",
            RunState::Cancelled => "cancelled",
            RunState::Interrupted => "interrupted",
            RunState::Unreadable => "unreadable",
        })
    }
}

/// What `symphony runs` shows about a run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    /// The run.
    pub id: RunId,
    /// Its directory.
    pub path: PathBuf,
    /// Its state.
    pub state: RunState,
    /// The workflow file it runs.
    pub workflow: String,
    /// The workflow's name.
    pub name: Option<String>,
    /// Nodes in the workflow.
    pub nodes: u32,
    /// Nodes completed (durably).
    pub completed: usize,
    /// Nodes failed.
    pub failed: usize,
    /// Starts and resumes.
    pub incarnations: u32,
    /// Wall-clock time of the last record, ms since the Unix epoch.
    pub last_at_ms: Option<u64>,
    /// Why it could not be read, when it could not.
    pub problem: Option<String>,
}

impl RunSummary {
    /// Reads the summary of the run in `path`.
    pub fn read(id: RunId, path: &Path) -> Self {
        let mut summary = RunSummary {
            id,
            path: path.to_owned(),
            state: RunState::Unreadable,
            workflow: String::new(),
            name: None,
            nodes: 0,
            completed: 0,
            failed: 0,
            incarnations: 0,
            last_at_ms: None,
            problem: None,
        };
        let checkpoint = match peek(path) {
            Ok(checkpoint) => checkpoint,
            Err(e) => {
                summary.problem = Some(e.to_string());
                return summary;
            }
        };
        if let Some(run) = &checkpoint.run {
            summary.workflow.clone_from(&run.workflow);
            summary.name.clone_from(&run.name);
            summary.nodes = run.nodes;
            summary.incarnations = run.incarnation;
        }
        summary.completed = checkpoint.completed.len();
        summary.failed = checkpoint.failed;
        summary.last_at_ms = checkpoint.last_at_ms;
        summary.state = if is_locked(path) {
            RunState::Running
        } else {
            match checkpoint.ended.as_ref().map(|(state, _)| state.as_str()) {
                Some("completed") => RunState::Completed,
                Some("failed") => RunState::Failed,
                Some("cancelled") => RunState::Cancelled,
                _ => RunState::Interrupted,
            }
        };
        summary
    }
}

/// True when another process holds the run's lock.
fn is_locked(path: &Path) -> bool {
    let Ok(file) = File::open(path.join("lock")) else {
        return false;
    };
    matches!(file.try_lock(), Err(fs::TryLockError::WouldBlock))
}
