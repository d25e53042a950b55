//! `OutboxFile`: the durable, ordered queue of mutations waiting for OFB.
//!
//! Records are appended and fsynced before [`OutboxFile::push`] returns, so a queued operation
//! survives a crash or power loss. Two kinds of record: `queued` (sequence number, key,
//! mutation, and the provisional id of the object it creates, if it creates one) and `done`
//! (sequence number, and the real id OFB gave that object). Reopening replays them: what was
//! queued and not done is pending, in sequence order, and every provisional id already replaced
//! maps to its real one, so a crash mid-replay breaks no reference between queued mutations.
//! When nothing is pending the file is cut back to its header.

use std::collections::{HashMap, VecDeque};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::frame::{self, MAGIC, Tail};
use crate::data::error::DataError;
use crate::data::ids::IdempotencyKey;
use crate::data::mutation::{FIRST_PROVISIONAL, Mutation};

/// One queued operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    /// Its place in the queue (ascending, never reused within a file's life).
    pub seq: u64,
    /// The key it was first tried with, and will be replayed with.
    pub key: IdempotencyKey,
    /// What to do.
    pub mutation: Mutation,
    /// The provisional id of the object it creates (see [`crate::data::mutation`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creates: Option<u64>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
enum Record {
    Queued(Pending),
    Done {
        seq: u64,
        /// The real id of what the entry created.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        created: Option<u64>,
    },
}

/// The outbox on disk and its pending entries in memory.
#[derive(Debug)]
pub struct OutboxFile {
    path: PathBuf,
    file: File,
    pending: VecDeque<Pending>,
    next_seq: u64,
    next_provisional: u64,
    /// Provisional id → real id, for the objects created by finished entries.
    resolved: HashMap<u64, u64>,
}

fn io_error(path: &Path, doing: &str, source: std::io::Error) -> DataError {
    DataError::Outbox {
        path: path.to_path_buf(),
        doing: doing.to_owned(),
        source,
    }
}

impl OutboxFile {
    /// Opens (or creates, mode 0600) the outbox at `path` and loads its pending entries.
    /// A torn last record, left by a crash mid-append, is cut off; a corrupted one is kept
    /// aside in `PATH.corrupt` and the entries before it are used.
    pub fn open(path: &Path) -> Result<OutboxFile, DataError> {
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options
            .open(path)
            .map_err(|e| io_error(path, "opening", e))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)
            .map_err(|e| io_error(path, "reading", e))?;
        let mut outbox = OutboxFile {
            path: path.to_path_buf(),
            file,
            pending: VecDeque::new(),
            next_seq: 1,
            next_provisional: FIRST_PROVISIONAL,
            resolved: HashMap::new(),
        };
        if bytes.len() < MAGIC.len() {
            // New, or a crash before the header was whole: nothing was ever queued in it.
            outbox.reset()?;
            return Ok(outbox);
        }
        if &bytes[..MAGIC.len()] != MAGIC {
            return Err(io_error(
                path,
                "reading",
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "not an outbox file (bad header); move it away to start afresh",
                ),
            ));
        }
        let (payloads, tail) = frame::decode(&bytes[MAGIC.len()..]);
        for payload in payloads {
            match serde_json::from_slice::<Record>(payload) {
                Ok(Record::Queued(entry)) => {
                    outbox.next_seq = outbox.next_seq.max(entry.seq + 1);
                    if let Some(provisional) = entry.creates {
                        outbox.next_provisional = outbox.next_provisional.max(provisional + 1);
                    }
                    outbox.pending.push_back(entry);
                }
                Ok(Record::Done { seq, created }) => {
                    if let Some(at) = outbox.pending.iter().position(|p| p.seq == seq)
                        && let Some(done) = outbox.pending.remove(at)
                        && let (Some(provisional), Some(real)) = (done.creates, created)
                    {
                        outbox.resolved.insert(provisional, real);
                    }
                }
                Err(e) => tracing::warn!(
                    "outbox {}: skipping a record this version cannot read: {e}",
                    path.display()
                ),
            }
        }
        let good = match tail {
            Tail::Clean => None,
            Tail::Torn(at) => Some(at),
            Tail::Corrupt(at) => {
                let aside = path.with_extension("corrupt");
                tracing::warn!(
                    "outbox {}: corrupted record at byte {}; the file is kept as {}",
                    path.display(),
                    MAGIC.len() + at,
                    aside.display()
                );
                std::fs::write(&aside, &bytes).map_err(|e| io_error(&aside, "saving", e))?;
                Some(at)
            }
        };
        if let Some(at) = good {
            outbox
                .file
                .set_len((MAGIC.len() + at) as u64)
                .and_then(|()| outbox.file.sync_all())
                .map_err(|e| io_error(path, "repairing", e))?;
        }
        if outbox.pending.is_empty() {
            outbox.reset()?;
        }
        Ok(outbox)
    }

    /// The entries waiting in the outbox at `path`, read without changing the file (a running
    /// Symphony may be appending to it); a missing file has none.
    pub fn peek(path: &Path) -> Result<Vec<Pending>, DataError> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_error(path, "reading", e)),
        };
        if bytes.len() < MAGIC.len() {
            return Ok(Vec::new());
        }
        if &bytes[..MAGIC.len()] != MAGIC {
            return Err(io_error(
                path,
                "reading",
                std::io::Error::new(std::io::ErrorKind::InvalidData, "not an outbox file"),
            ));
        }
        let mut pending: Vec<Pending> = Vec::new();
        for payload in frame::decode(&bytes[MAGIC.len()..]).0 {
            match serde_json::from_slice::<Record>(payload) {
                Ok(Record::Queued(entry)) => pending.push(entry),
                Ok(Record::Done { seq, .. }) => pending.retain(|p| p.seq != seq),
                Err(_) => {}
            }
        }
        Ok(pending)
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The entries waiting, oldest first.
    pub fn pending(&self) -> &VecDeque<Pending> {
        &self.pending
    }

    /// How many entries are waiting.
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// True when nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Queues a mutation durably (fsynced before returning); one that creates an object gets
    /// a provisional id for it. Returns the entry.
    pub fn push(&mut self, key: IdempotencyKey, mutation: Mutation) -> Result<Pending, DataError> {
        let creates = mutation.creates().then_some(self.next_provisional);
        let entry = Pending {
            seq: self.next_seq,
            key,
            mutation,
            creates,
        };
        self.append(&Record::Queued(entry.clone()))?;
        self.next_seq += 1;
        if let Some(provisional) = creates {
            self.next_provisional += 1;
            // Numbers start again in a file cut back to its header: forget an old meaning.
            self.resolved.remove(&provisional);
        }
        self.pending.push_back(entry.clone());
        Ok(entry)
    }

    /// The real id of the object a finished entry created under `provisional`, if known.
    pub fn resolve(&self, provisional: u64) -> Option<u64> {
        self.resolved.get(&provisional).copied()
    }

    /// Marks the oldest entry as finished (OFB answered it, yes or no); `created` is the real
    /// id of the object it created, recorded with it so that later entries can refer to it.
    pub fn complete_front(&mut self, created: Option<u64>) -> Result<(), DataError> {
        let Some(front) = self.pending.front() else {
            return Ok(());
        };
        let (seq, creates) = (front.seq, front.creates);
        if self.pending.len() == 1 {
            // Nothing would remain (and nothing is left to refer to it): cutting the file back
            // is the record.
            self.reset()?;
        } else {
            self.append(&Record::Done { seq, created })?;
        }
        if let (Some(provisional), Some(real)) = (creates, created) {
            self.resolved.insert(provisional, real);
        }
        self.pending.pop_front();
        Ok(())
    }

    fn append(&mut self, record: &Record) -> Result<(), DataError> {
        let payload = serde_json::to_vec(record).map_err(|e| {
            io_error(
                &self.path,
                "encoding a record",
                std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            )
        })?;
        let mut bytes = Vec::with_capacity(payload.len() + frame::HEADER);
        frame::encode(&payload, &mut bytes);
        self.file
            .seek(SeekFrom::End(0))
            .and_then(|_| self.file.write_all(&bytes))
            .and_then(|()| self.file.sync_data())
            .map_err(|e| io_error(&self.path, "appending to", e))
    }

    fn reset(&mut self) -> Result<(), DataError> {
        self.file
            .set_len(0)
            .and_then(|()| self.file.seek(SeekFrom::Start(0)))
            .and_then(|_| self.file.write_all(MAGIC))
            .and_then(|()| self.file.sync_all())
            .map_err(|e| io_error(&self.path, "resetting", e))?;
        if let Some(dir) = self.path.parent()
            && let Ok(dir) = File::open(dir)
        {
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::data::ids::WorkflowId;

    fn start(n: u64) -> Mutation {
        Mutation::StartRun {
            workflow: WorkflowId(n),
        }
    }

    fn workflows(outbox: &OutboxFile) -> Vec<u64> {
        outbox
            .pending()
            .iter()
            .map(|p| match &p.mutation {
                Mutation::StartRun { workflow } => workflow.0,
                other => panic!("unexpected {other:?}"),
            })
            .collect()
    }

    #[test]
    fn pending_entries_survive_a_reopen_in_order_with_their_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("outbox");
        let keys: Vec<_> = (0..3).map(|_| IdempotencyKey::generate()).collect();
        {
            let mut outbox = OutboxFile::open(&path).unwrap();
            for (i, key) in keys.iter().enumerate() {
                outbox.push(key.clone(), start(i as u64 + 1)).unwrap();
            }
            outbox.complete_front(None).unwrap();
            // Dropped without any shutdown, as in a crash.
        }
        let peeked: Vec<_> = OutboxFile::peek(&path)
            .unwrap()
            .into_iter()
            .map(|p| p.seq)
            .collect();
        assert_eq!(peeked, vec![2, 3]);
        let outbox = OutboxFile::open(&path).unwrap();
        assert_eq!(workflows(&outbox), vec![2, 3]);
        let reopened: Vec<_> = outbox.pending().iter().map(|p| p.key.clone()).collect();
        assert_eq!(reopened, keys[1..]);
    }

    #[test]
    fn a_torn_append_loses_only_itself_and_later_pushes_are_readable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("outbox");
        {
            let mut outbox = OutboxFile::open(&path).unwrap();
            outbox.push(IdempotencyKey::generate(), start(1)).unwrap();
            outbox.push(IdempotencyKey::generate(), start(2)).unwrap();
        }
        let len = std::fs::metadata(&path).unwrap().len();
        OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(len - 3)
            .unwrap();
        let mut outbox = OutboxFile::open(&path).unwrap();
        assert_eq!(workflows(&outbox), vec![1]);
        outbox.push(IdempotencyKey::generate(), start(3)).unwrap();
        drop(outbox);
        assert_eq!(workflows(&OutboxFile::open(&path).unwrap()), vec![1, 3]);
    }

    #[test]
    fn an_emptied_outbox_shrinks_to_its_header() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("outbox");
        let mut outbox = OutboxFile::open(&path).unwrap();
        outbox.push(IdempotencyKey::generate(), start(1)).unwrap();
        outbox.push(IdempotencyKey::generate(), start(2)).unwrap();
        outbox.complete_front(None).unwrap();
        outbox.complete_front(None).unwrap();
        assert!(outbox.is_empty());
        assert_eq!(std::fs::read(&path).unwrap(), MAGIC);
        outbox.push(IdempotencyKey::generate(), start(4)).unwrap();
        drop(outbox);
        assert_eq!(workflows(&OutboxFile::open(&path).unwrap()), vec![4]);
    }

    #[test]
    fn a_provisional_id_keeps_its_real_one_across_a_crash_mid_replay() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("outbox");
        let provisional = {
            let mut outbox = OutboxFile::open(&path).unwrap();
            let created = outbox.push(IdempotencyKey::generate(), start(1)).unwrap();
            let provisional = created.creates.unwrap();
            assert!(crate::data::mutation::is_provisional(provisional));
            outbox
                .push(IdempotencyKey::generate(), start(provisional))
                .unwrap();
            outbox.complete_front(Some(41)).unwrap();
            assert_eq!(outbox.resolve(provisional), Some(41));
            provisional
        }; // A crash before the second entry was replayed.
        let mut outbox = OutboxFile::open(&path).unwrap();
        assert_eq!(workflows(&outbox), vec![provisional]);
        assert_eq!(outbox.resolve(provisional), Some(41));
        let next = outbox.push(IdempotencyKey::generate(), start(2)).unwrap();
        // The run that the pending entry starts holds `provisional + 1`: numbers are not reused.
        assert_eq!(next.creates, Some(provisional + 2));
    }

    #[test]
    fn a_foreign_file_is_refused_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("outbox");
        std::fs::write(&path, b"something else entirely").unwrap();
        let error = OutboxFile::open(&path).unwrap_err().to_string();
        assert!(error.contains("not an outbox file"), "{error}");
        assert_eq!(std::fs::read(&path).unwrap(), b"something else entirely");
    }
}
