//! Nodes the scheduler runs itself when they name no runner: control nodes (which pass their
//! input on; conditional edges and merges do the deciding), input nodes (whose value is
//! their `params.value`, or one provided while the run waits for it), and the rest (the
//! implicit `noop`: done at once, with no task spawned).

use serde_json::Value;

use crate::dag::{ControlKind, NodeIx, NodeKind};
use crate::exec::events::{EventKind, NodeState, WorkflowState};
use crate::exec::runner::{NodeOutput, RunError};

use super::{Attempted, Job, Scheduler};

impl Scheduler {
    /// Runs `job` inline if its node's kind is built in; false if a runner must run it.
    pub(super) fn start_builtin_kind(&mut self, job: Job) -> bool {
        match self.wf.kind(job.node) {
            NodeKind::Control(ControlKind::Loop) => {
                let error = RunError::fatal(format!(
                    "node `{}`: `loop` nodes do not run yet; unroll the loop into the \
                     workflow (or give the node a runner that loops)",
                    self.wf.id(job.node)
                ));
                self.attempt_failed(job, error);
            }
            NodeKind::Control(_) => {
                let value = self.pass_through(job.node);
                self.finish_inline(job, value);
            }
            NodeKind::Input => {
                let value = self
                    .provided
                    .remove(&job.node)
                    .or_else(|| self.wf.settings(job.node).params.get("value").cloned());
                match value {
                    Some(value) => self.finish_inline(job, Some(value)),
                    None => self.parked.push(job),
                }
            }
            // The implicit `noop` runner: complete at once, without a task.
            NodeKind::Instrument | NodeKind::Operator | NodeKind::Output => {
                self.finish_inline(job, None);
            }
        }
        true
    }

    fn finish_inline(&mut self, job: Job, value: Option<Value>) {
        self.set(job.node, NodeState::Running, job.attempt, None);
        let attempted = Attempted {
            output: NodeOutput { value },
            files: Vec::new(),
            stage: None,
        };
        self.succeeded(job, attempted);
    }

    /// Says, once, that the run waits for input values.
    pub(super) fn wait_for_input(&mut self) {
        if self.waiting_for_input {
            return;
        }
        self.waiting_for_input = true;
        let mut ids: Vec<String> = self
            .parked
            .iter()
            .map(|job| format!("`{}`", self.wf.id(job.node)))
            .collect();
        ids.sort();
        self.emit(EventKind::Workflow {
            state: WorkflowState::WaitingForInput,
            reason: Some(format!("waiting for a value for {}", ids.join(", "))),
        });
    }

    /// A value for an input node: completes it if it waits, else keeps it for when it
    /// is reached.
    pub(super) fn provide(&mut self, node: NodeIx, value: Value) {
        let Some(at) = self.parked.iter().position(|job| job.node == node) else {
            if self.wf.kind(node) == NodeKind::Input && !self.state[node.index()].is_final() {
                self.provided.insert(node, value);
            }
            return;
        };
        let job = self.parked.swap_remove(at);
        if self.waiting_for_input {
            self.waiting_for_input = false;
            self.emit(EventKind::Workflow {
                state: WorkflowState::Running,
                reason: None,
            });
        }
        self.finish_inline(job, Some(value));
    }
}
