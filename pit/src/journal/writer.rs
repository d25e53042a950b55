//! The journal writer: one thread appends records and makes them durable in batches (group
//! commit). The caller never waits for the disk unless it asks to: [`JournalWriter::write`]
//! hands a record over and returns its sequence number; [`JournalWriter::durable`] reports how
//! far the disk has caught up, and whether writing failed.

use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;
use std::thread;

use tokio::sync::watch;

use super::JournalError;
use super::frame::{self, MAGIC};
use super::record::Record;

/// Records are batched up to this many bytes per write.
const BATCH_BYTES: usize = 4 << 20;

/// How far the journal is on disk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Durable {
    /// Every record with a sequence number up to this one is on disk (0: none yet).
    pub seq: u64,
    /// Why writing stopped, if it did; nothing after `seq` will become durable.
    pub error: Option<Arc<str>>,
}

struct Message {
    seq: u64,
    record: Record,
}

/// Appends records to a journal file from a background thread.
#[derive(Debug)]
pub struct JournalWriter {
    path: PathBuf,
    sender: Option<mpsc::Sender<Message>>,
    next: u64,
    durable: watch::Receiver<Durable>,
    thread: Option<thread::JoinHandle<()>>,
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Message").field("seq", &self.seq).finish()
    }
}

impl JournalWriter {
    /// Creates a new journal at `path` (which must not exist) and makes its creation durable.
    pub fn create(path: &Path) -> Result<Self, JournalError> {
        let io = |op, source| JournalError::io(path, op, source);
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|e| io("create", e))?;
        file.write_all(MAGIC).map_err(|e| io("write", e))?;
        file.sync_all().map_err(|e| io("sync", e))?;
        if let Some(dir) = path.parent() {
            sync_dir(dir).map_err(|e| io("sync the directory of", e))?;
        }
        Self::start(path, file)
    }

    /// Reopens a journal to append to it, after dropping what follows its last whole record
    /// (`valid_len` bytes, as [`read`](super::read) reported).
    pub fn reopen(path: &Path, valid_len: u64) -> Result<Self, JournalError> {
        let io = |op, source| JournalError::io(path, op, source);
        let mut file = OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|e| io("open", e))?;
        file.set_len(valid_len).map_err(|e| io("truncate", e))?;
        file.seek(SeekFrom::End(0)).map_err(|e| io("seek", e))?;
        file.sync_all().map_err(|e| io("sync", e))?;
        Self::start(path, file)
    }

    fn start(path: &Path, file: File) -> Result<Self, JournalError> {
        let (sender, receiver) = mpsc::channel();
        let (durable_tx, durable) = watch::channel(Durable::default());
        let owned = path.to_owned();
        let thread = thread::Builder::new()
            .name("symphony-journal".into())
            .spawn(move || write_loop(&owned, file, &receiver, &durable_tx))
            .map_err(|e| JournalError::io(path, "start a writer thread for", e))?;
        Ok(JournalWriter {
            path: path.to_owned(),
            sender: Some(sender),
            next: 0,
            durable,
            thread: Some(thread),
        })
    }

    /// The journal's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Queues `record`; returns its sequence number (from 1).
    pub fn write(&mut self, record: Record) -> u64 {
        self.next += 1;
        if let Some(sender) = &self.sender {
            // A closed channel means the thread stopped after an error `durable` reports.
            let _ = sender.send(Message {
                seq: self.next,
                record,
            });
        }
        self.next
    }

    /// The sequence number of the last record written.
    pub fn last(&self) -> u64 {
        self.next
    }

    /// Watches how far the journal is on disk.
    pub fn durable(&self) -> watch::Receiver<Durable> {
        self.durable.clone()
    }

    /// Waits until every record written so far is on disk.
    pub async fn sync(&self) -> Result<(), JournalError> {
        let target = self.next;
        let mut durable = self.durable.clone();
        let reached = durable
            .wait_for(|d| d.seq >= target || d.error.is_some())
            .await
            .map(|d| d.clone());
        match reached {
            Ok(Durable { error: None, .. }) => Ok(()),
            Ok(Durable {
                error: Some(message),
                ..
            }) => Err(JournalError::Write {
                path: self.path.clone(),
                message: message.to_string(),
            }),
            Err(_) => Err(JournalError::Write {
                path: self.path.clone(),
                message: "the journal's writer thread ended".into(),
            }),
        }
    }

    /// Stops the writer thread after it has written everything queued.
    pub fn close(mut self) -> Result<(), JournalError> {
        self.stop();
        match &self.durable.borrow().error {
            None => Ok(()),
            Some(message) => Err(JournalError::Write {
                path: self.path.clone(),
                message: message.to_string(),
            }),
        }
    }
}

impl JournalWriter {
    /// Closes the channel and waits for the thread to write (and sync) what it holds.
    fn stop(&mut self) {
        self.sender = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for JournalWriter {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Whether a record must be on disk before anyone relies on it (a start need not: a lost
/// start only means the node runs, as it would have anyway).
fn needs_sync(record: &Record) -> bool {
    !matches!(record, Record::Started { .. })
}

fn write_loop(
    path: &Path,
    mut file: File,
    receiver: &mpsc::Receiver<Message>,
    durable: &watch::Sender<Durable>,
) {
    let mut batch = Vec::with_capacity(64 << 10);
    let mut payload = Vec::with_capacity(256);
    let mut written = 0;
    while let Ok(first) = receiver.recv() {
        batch.clear();
        let mut sync = false;
        let mut last = first.seq;
        let mut next = Some(first);
        while let Some(message) = next.take() {
            payload.clear();
            if let Err(e) = serde_json::to_writer(&mut payload, &message.record) {
                fail(durable, format!("cannot encode a record: {e}"));
                return;
            }
            frame::encode(&payload, &mut batch);
            sync |= needs_sync(&message.record);
            last = message.seq;
            if batch.len() < BATCH_BYTES {
                next = receiver.try_recv().ok();
            }
        }
        let result = file
            .write_all(&batch)
            .and_then(|()| if sync { file.sync_data() } else { Ok(()) });
        if let Err(e) = result {
            let message = format!("cannot write `{}`: {e}", path.display());
            fail(durable, message);
            return;
        }
        written = last;
        if sync {
            durable.send_replace(Durable {
                seq: last,
                error: None,
            });
        }
    }
    // The writer is gone: make the last unsynced records durable too.
    if file.sync_data().is_ok() {
        durable.send_modify(|d| d.seq = d.seq.max(written));
    }
}

fn fail(durable: &watch::Sender<Durable>, message: String) {
    durable.send_modify(|d| d.error = Some(Arc::from(message)));
}

/// fsyncs a directory, so that a file created or renamed in it survives a crash.
pub(crate) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}
