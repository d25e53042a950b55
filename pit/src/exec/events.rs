//! Node and workflow states, and the events an execution monitor reads.

use std::time::Duration;

use crate::dag::NodeIx;

use super::runner::RunError;

/// Where a node is in its life. Completed, Failed and Skipped are final (until a retry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeState {
    /// Waiting for the nodes it depends on.
    Pending,
    /// Ready, waiting for a worker (or for its retry's backoff to pass).
    Queued,
    /// An attempt is running.
    Running,
    /// Done, by itself or through its fallback.
    Completed,
    /// Failed for good with `on_failure = "fail"`.
    Failed,
    /// Not run: skipped by a command, by `on_failure = "skip"`, or because a hard
    /// dependency did not complete.
    Skipped,
}

impl NodeState {
    /// The state's name in lower case, as journals and `--json` write it.
    pub fn name(self) -> &'static str {
        match self {
            NodeState::Pending => "pending",
            NodeState::Queued => "queued",
            NodeState::Running => "running",
            NodeState::Completed => "completed",
            NodeState::Failed => "failed",
            NodeState::Skipped => "skipped",
        }
    }

    /// True for Completed, Failed and Skipped.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            NodeState::Completed | NodeState::Failed | NodeState::Skipped
        )
    }
}

/// Where a run is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WorkflowState {
    /// Not started.
    Pending,
    /// Starting nodes.
    Running,
    /// Starting no new nodes; running ones finish.
    Paused,
    /// Every node completed or was skipped, none failed.
    Completed,
    /// A node failed for good, or the workflow's timeout passed.
    Failed,
    /// Cancelled by a command.
    Cancelled,
    /// Nothing can go on until an input node gets its value (`RunControl::provide`).
    WaitingForInput,
}

impl WorkflowState {
    /// The state's name in lower case, as journals and `--json` write it.
    pub fn name(self) -> &'static str {
        match self {
            WorkflowState::Pending => "pending",
            WorkflowState::Running => "running",
            WorkflowState::Paused => "paused",
            WorkflowState::Completed => "completed",
            WorkflowState::Failed => "failed",
            WorkflowState::Cancelled => "cancelled",
            WorkflowState::WaitingForInput => "waiting_for_input",
        }
    }

    /// True for Completed, Failed and Cancelled.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            WorkflowState::Completed | WorkflowState::Failed | WorkflowState::Cancelled
        )
    }
}

/// Something that happened in a run, `at` a time since the run started.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Time since the run started (tokio's clock, so paused time in tests).
    pub at: Duration,
    /// What happened.
    pub kind: EventKind,
}

/// The kinds of [`Event`].
#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    /// A node changed state.
    Node(NodeEvent),
    /// The run changed state; a final state is the last event.
    Workflow {
        /// The new state.
        state: WorkflowState,
        /// Why it failed, when it did for a reason of the run's own (timeout).
        reason: Option<String>,
    },
}

/// A node's state change.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeEvent {
    /// The node.
    pub node: NodeIx,
    /// Its new state.
    pub state: NodeState,
    /// The attempt this concerns (0 when none ran).
    pub attempt: u32,
    /// The failure that caused the change, if one did.
    pub error: Option<RunError>,
    /// For a retry: how long until the next attempt.
    pub retry_in: Option<Duration>,
    /// For a node completed or failed through its fallback: the fallback that ran.
    pub via: Option<NodeIx>,
}
