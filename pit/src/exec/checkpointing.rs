//! A journaled run: what the scheduler records, and the resume state it starts from.
//!
//! Each attempt start is recorded (not waited for). A completion is recorded with the
//! runner's value and the BLAKE3 of every file the attempt wrote to its output directory;
//! the node is *settled* (its dependents released, its files published) only once that
//! record is durable. So a completion a crash can lose is one nobody has relied on, and the
//! resume runs that node again. Failures and skips are recorded too; the resume runs such
//! nodes again as well.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::watch;

use crate::dag::{NodeIx, Workflow};
use crate::journal::{Completion, Durable, JournalWriter, Record};
use crate::runs::{self, RunDir};

/// What a journaled run needs: the journal to append to, the run's directory, which
/// incarnation this is, and the nodes a previous incarnation durably completed.
#[derive(Debug)]
pub struct Checkpointing {
    /// The run's journal (its `Run` record already written by the caller).
    pub writer: JournalWriter,
    /// The run's directory.
    pub dir: PathBuf,
    /// The run's id, for runners (`SYMPHONY_RUN_ID`).
    pub run_id: Arc<str>,
    /// 1 for a fresh run, 2 for its first resume, …
    pub incarnation: u32,
    /// Nodes completed before, whose outputs [`restore`] has published: they do not run.
    pub done: Vec<(NodeIx, Completion)>,
}

/// Publishes the outputs of every completion in `completed` whose node is in `wf`. Returns
/// the nodes that count as done, and a message for each completion that does not (its node
/// is gone from the workflow, or its outputs were deleted): those nodes run again.
pub fn restore(
    wf: &Workflow,
    dir: &RunDir,
    completed: impl IntoIterator<Item = Completion>,
) -> (Vec<(NodeIx, Completion)>, Vec<String>) {
    let mut done = Vec::new();
    let mut problems = Vec::new();
    for completion in completed {
        let Some(node) = wf.lookup(completion.node.as_str()) else {
            problems.push(format!(
                "node `{}` completed before but is not in the workflow any more",
                completion.node
            ));
            continue;
        };
        if let Some(stage) = &completion.stage {
            let dest = dir.outputs(completion.node.as_str());
            if let Err(e) = runs::publish(&dir.path().join(stage), &dest, &completion.files) {
                problems.push(format!(
                    "node `{}` runs again: its outputs cannot be restored: {e}",
                    completion.node
                ));
                continue;
            }
        }
        done.push((node, completion));
    }
    done.sort_by_key(|(node, _)| *node);
    (done, problems)
}

/// The scheduler's side of a journaled run.
#[derive(Debug)]
pub(super) struct Journal {
    writer: JournalWriter,
    durable: watch::Receiver<Durable>,
    dir: PathBuf,
    run_id: Arc<str>,
    incarnation: u32,
    /// Completions written but not yet on disk, in sequence order.
    awaiting: VecDeque<(u64, Completion)>,
}

impl Journal {
    pub(super) fn new(checkpointing: Checkpointing) -> (Self, Vec<(NodeIx, Completion)>) {
        let durable = checkpointing.writer.durable();
        let journal = Journal {
            writer: checkpointing.writer,
            durable,
            dir: checkpointing.dir,
            run_id: checkpointing.run_id,
            incarnation: checkpointing.incarnation,
            awaiting: VecDeque::new(),
        };
        (journal, checkpointing.done)
    }

    pub(super) fn run_id(&self) -> &Arc<str> {
        &self.run_id
    }

    /// The output directory of this incarnation's `serial`th attempt, on behalf of `owner`.
    pub(super) fn stage(&self, owner: &str, serial: u64) -> (String, PathBuf) {
        let relative = RunDir::stage(owner, self.incarnation, serial);
        let path = self.dir.join(&relative);
        (relative, path)
    }

    /// The log every attempt of `node` appends to.
    pub(super) fn log_path(&self, node: &str) -> PathBuf {
        runs::log_path(&self.dir, node)
    }

    pub(super) fn write(&mut self, record: Record) {
        self.writer.write(record);
    }

    /// Records a completion; [`Self::durable_completions`] hands it back once it is on disk.
    pub(super) fn complete(&mut self, completion: Completion) {
        let seq = self.writer.write(Record::Completed(completion.clone()));
        self.awaiting.push_back((seq, completion));
    }

    pub(super) fn is_awaiting(&self) -> bool {
        !self.awaiting.is_empty()
    }

    /// Waits until the disk catches up with some awaited completion, or writing fails.
    pub(super) async fn changed(&mut self) {
        if self.durable.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }

    /// Completions now on disk, or why the journal stopped.
    pub(super) fn durable_completions(&mut self) -> Result<Vec<Completion>, String> {
        let durable = self.durable.borrow_and_update().clone();
        if let Some(error) = durable.error {
            return Err(format!(
                "{error}; the run stopped so that nothing it does goes unrecorded: free \
                 space or fix the disk, then resume it"
            ));
        }
        let mut ready = Vec::new();
        while self
            .awaiting
            .front()
            .is_some_and(|(seq, _)| *seq <= durable.seq)
        {
            if let Some((_, completion)) = self.awaiting.pop_front() {
                ready.push(completion);
            }
        }
        Ok(ready)
    }

    /// Moves a durable completion's files from its stage to the node's outputs.
    pub(super) fn publish(&self, completion: &Completion) -> Result<(), String> {
        let Some(stage) = &completion.stage else {
            return Ok(());
        };
        let dest = runs::outputs_dir(&self.dir, completion.node.as_str());
        runs::publish(&self.dir.join(stage), &dest, &completion.files).map_err(|e| {
            format!(
                "node `{}` completed but its outputs cannot be published to `{}`: {e}; \
                 resume the run to try again",
                completion.node,
                dest.display()
            )
        })
    }

    /// Records the run's end and waits until the journal is on disk. A completed run's
    /// stage is gone (every output published); a failed run keeps its failed attempts'
    /// files for a look.
    pub(super) async fn end(self, record: Record) -> Result<(), String> {
        let completed = matches!(&record, Record::Ended { state, .. } if state == "completed");
        let mut writer = self.writer;
        writer.write(record);
        if completed {
            let _ = std::fs::remove_dir_all(self.dir.join("stage"));
        }
        writer.sync().await.map_err(|e| e.to_string())?;
        tokio::task::spawn_blocking(move || writer.close())
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())
    }
}

/// Whether the directory an attempt wrote its outputs into exists (most runners write none).
pub(super) fn has_outputs(stage: &Path) -> bool {
    stage.exists()
}
