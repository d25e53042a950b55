//! The scheduler's side of a journaled run: completions settle once durable, a resume starts
//! from the nodes a previous incarnation completed, and attempts' output files are hashed.

use std::path::PathBuf;
use std::sync::Arc;

use crate::dag::NodeId;
use crate::exec::checkpointing::{Journal, has_outputs};
use crate::exec::events::{NodeEvent, NodeState};
use crate::exec::runner::{NodeOutput, RunError};
use crate::runs;

use super::{Attempted, Command, Job, Scheduler};

impl Scheduler {
    /// Settles completions the journal has made durable, publishing their outputs.
    pub(super) fn durable(&mut self) -> Result<(), String> {
        let Some(journal) = &mut self.journal else {
            return Ok(());
        };
        let completions = journal.durable_completions()?;
        for completion in completions {
            if let Some(journal) = &self.journal {
                journal.publish(&completion)?;
            }
            let owner = self.wf.lookup(completion.node.as_str());
            let via = completion.via.as_ref();
            let node = via.and_then(|via| self.wf.lookup(via.as_str())).or(owner);
            if let (Some(owner), Some(node)) = (owner, node) {
                let attempt = completion.attempt;
                let job = Job {
                    owner,
                    node,
                    attempt,
                };
                self.settling.remove(&owner);
                self.settle_completed(job, completion.value);
                if self.retry_after_settling.remove(&owner) {
                    self.command(Command::Retry(owner));
                }
            }
        }
        Ok(())
    }

    /// Settles the nodes a previous incarnation completed, before anything starts: first
    /// every one of them, so that none is queued as another's successor, then their edges.
    pub(super) fn settle_done(&mut self) {
        let wf = self.wf.clone();
        let mut settled = Vec::new();
        for (node, completion) in std::mem::take(&mut self.done) {
            let i = node.index();
            if self.is_fallback[i] || self.state[i] != NodeState::Pending {
                continue;
            }
            self.open -= 1;
            if let Some(value) = completion.value {
                self.values.insert(node, Arc::new(value));
            }
            let via = completion.via.as_ref().and_then(|v| wf.lookup(v.as_str()));
            self.node_event(NodeEvent {
                node,
                state: NodeState::Completed,
                attempt: completion.attempt,
                error: None,
                retry_in: None,
                via,
            });
            settled.push(node);
        }
        for node in settled {
            self.release(node);
        }
    }
}

/// Waits for the journal to make progress (never, without a journal).
pub(super) async fn changed(journal: &mut Option<Journal>) {
    match journal {
        Some(journal) => journal.changed().await,
        None => std::future::pending().await,
    }
}

/// Hashes the files an attempt left in its stage, off the scheduler's thread.
pub(super) async fn collect_outputs(
    id: &NodeId,
    output: NodeOutput,
    stage: Option<(String, PathBuf)>,
) -> Result<Attempted, RunError> {
    let Some((relative, path)) = stage.filter(|(_, path)| has_outputs(path)) else {
        return Ok(Attempted {
            output,
            files: Vec::new(),
            stage: None,
        });
    };
    let shown = path.display().to_string();
    let files = tokio::task::spawn_blocking(move || runs::hash_tree(&path))
        .await
        .map_err(|e| RunError::retryable(format!("node `{id}`: hashing its outputs: {e}")))?
        .map_err(|e| {
            RunError::retryable(format!(
                "node `{id}`: cannot read its outputs in `{shown}`: {e}"
            ))
        })?;
    Ok(Attempted {
        output,
        files,
        stage: Some(relative),
    })
}
