//! `RefusedLog`: the queued mutations OFB refused on replay, kept beside the outbox so that
//! nothing the user did disappears silently.
//!
//! OFB's refusal is final (replaying it would be refused again), so the entry leaves the queue;
//! before it does, it is appended here (one JSON object per line, fsynced) with OFB's problem.
//! A crash between the two appends it twice; [`RefusedLog::read`] keeps one per key. The user
//! lists them with `symphony outbox` and clears them with `symphony outbox --clear-refused`.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::data::error::{DataError, Problem};
use crate::data::ids::IdempotencyKey;
use crate::data::mutation::Mutation;

/// One refused mutation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refused {
    /// When the replay was refused (seconds since the Unix epoch).
    pub at: u64,
    /// The key it was queued and replayed with.
    pub key: IdempotencyKey,
    /// What was sent (provisional ids replaced by the real ones, where they were known).
    pub mutation: Mutation,
    /// Why, in words (the error's message).
    pub reason: String,
    /// OFB's problem+json, when OFB answered.
    pub problem: Option<Problem>,
}

impl Refused {
    /// The record for `mutation`, refused with `error` now.
    pub fn new(key: IdempotencyKey, mutation: Mutation, error: &DataError) -> Refused {
        Refused {
            at: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            key,
            mutation,
            reason: error.to_string(),
            problem: error.problem().cloned(),
        }
    }
}

/// The refused mutations' file (`outbox.refused` beside the outbox).
#[derive(Debug, Clone)]
pub struct RefusedLog {
    path: PathBuf,
}

fn io_error(path: &Path, doing: &str, source: std::io::Error) -> DataError {
    DataError::Outbox {
        path: path.to_path_buf(),
        doing: doing.to_owned(),
        source,
    }
}

impl RefusedLog {
    /// The log of the outbox at `outbox` (the file is created on the first refusal).
    pub fn beside(outbox: &Path) -> RefusedLog {
        RefusedLog {
            path: outbox.with_extension("refused"),
        }
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `refused` durably (fsynced before returning).
    pub fn append(&self, refused: &Refused) -> Result<(), DataError> {
        let mut line = serde_json::to_vec(refused).map_err(|e| {
            io_error(
                &self.path,
                "encoding a refusal for",
                std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            )
        })?;
        line.push(b'\n');
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options
            .open(&self.path)
            .and_then(|mut file| {
                file.write_all(&line)?;
                file.sync_data()
            })
            .map_err(|e| io_error(&self.path, "appending to", e))
    }

    /// Every refusal, oldest first, one per key. A line this version cannot read (or a torn
    /// last line) is skipped with a warning; a missing file is an empty log.
    pub fn read(&self) -> Result<Vec<Refused>, DataError> {
        let file = match File::open(&self.path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_error(&self.path, "opening", e)),
        };
        let mut seen = HashSet::new();
        let mut all = Vec::new();
        for (n, line) in BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|e| io_error(&self.path, "reading", e))?;
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Refused>(&line) {
                Ok(refused) => {
                    if seen.insert(refused.key.clone()) {
                        all.push(refused);
                    }
                }
                Err(e) => tracing::warn!(
                    "{} line {}: skipping a refusal this version cannot read: {e}",
                    self.path.display(),
                    n + 1
                ),
            }
        }
        Ok(all)
    }

    /// Forgets every refusal (the user has seen them). Returns how many there were.
    pub fn clear(&self) -> Result<usize, DataError> {
        let count = self.read()?.len();
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(count),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
            Err(e) => Err(io_error(&self.path, "removing", e)),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::data::ids::WorkflowId;

    fn refusal(key: &IdempotencyKey) -> Refused {
        let problem = Problem::synthetic(409, "Workflow 3 is at version 2, not 1".into());
        let error = DataError::from_problem(problem);
        Refused::new(
            key.clone(),
            Mutation::StartRun {
                workflow: WorkflowId(3),
            },
            &error,
        )
    }

    #[test]
    fn refusals_survive_with_their_problem_and_a_repeated_append_counts_once() {
        let dir = tempfile::tempdir().unwrap();
        let log = RefusedLog::beside(&dir.path().join("outbox"));
        assert_eq!(log.path(), dir.path().join("outbox.refused"));
        assert!(log.read().unwrap().is_empty());
        let (a, b) = (IdempotencyKey::generate(), IdempotencyKey::generate());
        log.append(&refusal(&a)).unwrap();
        log.append(&refusal(&a)).unwrap(); // a crash before the outbox noted it, then a replay
        log.append(&refusal(&b)).unwrap();
        let read = log.read().unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].key, a);
        assert_eq!(read[0].problem.as_ref().unwrap().status, 409);
        assert!(
            read[0].reason.starts_with("conflict: Workflow 3"),
            "{read:?}"
        );
        assert_eq!(log.clear().unwrap(), 2);
        assert!(log.read().unwrap().is_empty());
    }

    #[test]
    fn a_torn_last_line_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let log = RefusedLog::beside(&dir.path().join("outbox"));
        log.append(&refusal(&IdempotencyKey::generate())).unwrap();
        let mut file = OpenOptions::new().append(true).open(log.path()).unwrap();
        file.write_all(b"{\"at\": 1, \"key\"").unwrap();
        assert_eq!(log.read().unwrap().len(), 1);
    }
}
