//! Starting a run, and the handle that commands it and waits for its end.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::dag::{NodeIx, Workflow};
use crate::pool::Prewarm;

use super::backoff::Backoff;
use super::checkpointing::Checkpointing;
use super::events::{Event, NodeState, WorkflowState};
use super::runner::RunnerRegistry;
use super::scheduler::Scheduler;

/// How a run is executed.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecOptions {
    /// Most node attempts running at once (`--workers`); default the core count.
    pub workers: usize,
    /// Retry delays.
    pub backoff: Backoff,
    /// The run's time limit; `None` uses the workflow's own `timeout`.
    pub timeout: Option<Duration>,
    /// Events kept for a slow monitor before it starts losing the oldest.
    pub event_capacity: usize,
    /// Start in the Paused state (nothing starts until `resume`).
    pub start_paused: bool,
    /// Values for input nodes, given from the start (as `RunControl::provide` would later).
    pub inputs: Vec<(NodeIx, serde_json::Value)>,
    /// The pool the runners keep warm resources in: a journaled run records how full it is
    /// whenever that changes (for the monitor).
    pub pool: Option<PoolProbe>,
}

/// A pool whose use a run journals (compared by identity).
#[derive(Clone)]
pub struct PoolProbe(pub Arc<dyn Prewarm>);

impl PartialEq for PoolProbe {
    fn eq(&self, other: &PoolProbe) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for PoolProbe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("PoolProbe").field(&self.0.usage()).finish()
    }
}

impl Default for ExecOptions {
    fn default() -> Self {
        ExecOptions {
            workers: std::thread::available_parallelism().map_or(4, |n| n.get()),
            backoff: Backoff::default(),
            timeout: None,
            event_capacity: 1 << 16,
            start_paused: false,
            inputs: Vec::new(),
            pool: None,
        }
    }
}

/// Runs workflows with a registry of runners.
#[derive(Debug, Clone)]
pub struct Executor {
    registry: Arc<RunnerRegistry>,
    options: ExecOptions,
}

impl Executor {
    /// An executor with these runners and options.
    pub fn new(registry: RunnerRegistry, options: ExecOptions) -> Self {
        Executor {
            registry: Arc::new(registry),
            options,
        }
    }

    /// Starts a run on the current tokio runtime. The receiver sees every event from the
    /// first one on.
    pub fn start(&self, workflow: Arc<Workflow>) -> (RunHandle, broadcast::Receiver<Event>) {
        self.start_with(workflow, None)
    }

    /// Starts a run that records itself in a journal (and resumes from the nodes
    /// `checkpointing.done` lists), so that a crash loses no durable completion.
    pub fn start_journaled(
        &self,
        workflow: Arc<Workflow>,
        checkpointing: Checkpointing,
    ) -> (RunHandle, broadcast::Receiver<Event>) {
        self.start_with(workflow, Some(checkpointing))
    }

    fn start_with(
        &self,
        workflow: Arc<Workflow>,
        checkpointing: Option<Checkpointing>,
    ) -> (RunHandle, broadcast::Receiver<Event>) {
        let (events, receiver) = broadcast::channel(self.options.event_capacity.max(1));
        let (commands, command_rx) = mpsc::unbounded_channel();
        let deadline = self.options.timeout.or(workflow.timeout());
        let scheduler = Scheduler::new(
            workflow,
            self.registry.clone(),
            self.options.clone(),
            events.clone(),
            checkpointing,
        );
        let task = tokio::spawn(scheduler.run(command_rx, deadline));
        let control = RunControl { commands, events };
        (RunHandle { control, task }, receiver)
    }
}

/// A command to a running workflow.
#[derive(Debug)]
pub(super) enum Command {
    Pause,
    Resume,
    Cancel,
    Retry(NodeIx),
    Skip(NodeIx),
    Provide(NodeIx, serde_json::Value),
    Snapshot(oneshot::Sender<RunSnapshot>),
}

/// Where a run is now: for a monitor that subscribes late (subscribe first, then take the
/// snapshot, then apply the events that follow — they are idempotent state changes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSnapshot {
    /// The workflow's state.
    pub state: WorkflowState,
    /// Every node's state, by [`NodeIx`].
    pub nodes: Vec<NodeState>,
    /// Time since the run started.
    pub elapsed: Duration,
}

/// Why a command could not be delivered, or a run not awaited.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExecError {
    /// The run has already ended.
    #[error("the run has already ended; start a new run (or resume it from its checkpoint)")]
    Finished,
    /// The run's task panicked.
    #[error("the run's scheduler panicked: {0}; please report this")]
    Panicked(String),
}

/// Commands a run; cheap to clone, for monitors and key handlers.
#[derive(Debug, Clone)]
pub struct RunControl {
    commands: mpsc::UnboundedSender<Command>,
    events: broadcast::Sender<Event>,
}

impl RunControl {
    fn send(&self, command: Command) -> Result<(), ExecError> {
        self.commands.send(command).map_err(|_| ExecError::Finished)
    }

    /// Starts no new node until [`resume`](Self::resume); running nodes go on.
    pub fn pause(&self) -> Result<(), ExecError> {
        self.send(Command::Pause)
    }

    /// Starts nodes again after a pause.
    pub fn resume(&self) -> Result<(), ExecError> {
        self.send(Command::Resume)
    }

    /// Kills every running attempt and ends the run as Cancelled.
    pub fn cancel(&self) -> Result<(), ExecError> {
        self.send(Command::Cancel)
    }

    /// Runs `node` again from its first attempt: a running attempt or a backoff is cut
    /// short; a failed or skipped node is reopened, with the nodes skipped because of it.
    pub fn retry(&self, node: NodeIx) -> Result<(), ExecError> {
        self.send(Command::Retry(node))
    }

    /// Skips `node` (killing its attempt if one runs); hard dependents are skipped too.
    pub fn skip(&self, node: NodeIx) -> Result<(), ExecError> {
        self.send(Command::Skip(node))
    }

    /// Gives input node `node` its value: it completes with it if the run waits for it
    /// (WaitingForInput), or when it is reached.
    pub fn provide(&self, node: NodeIx, value: serde_json::Value) -> Result<(), ExecError> {
        self.send(Command::Provide(node, value))
    }

    /// The run's state now (every node's, and the workflow's).
    pub async fn snapshot(&self) -> Result<RunSnapshot, ExecError> {
        let (tx, rx) = oneshot::channel();
        self.send(Command::Snapshot(tx))?;
        rx.await.map_err(|_| ExecError::Finished)
    }

    /// Another event receiver, from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }
}

/// A started run: its control, and its end.
#[derive(Debug)]
pub struct RunHandle {
    control: RunControl,
    task: JoinHandle<RunReport>,
}

impl RunHandle {
    /// The run's control, to command it while awaiting its end.
    pub fn control(&self) -> RunControl {
        self.control.clone()
    }

    /// Waits for the run's end.
    pub async fn wait(self) -> Result<RunReport, ExecError> {
        self.task
            .await
            .map_err(|e| ExecError::Panicked(e.to_string()))
    }
}

impl std::ops::Deref for RunHandle {
    type Target = RunControl;

    fn deref(&self) -> &RunControl {
        &self.control
    }
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunReport {
    /// Completed, Failed or Cancelled.
    pub state: WorkflowState,
    /// Every node's final state, by [`NodeIx`].
    pub nodes: Vec<NodeState>,
    /// Why the run ended early (cancel, timeout), if it did.
    pub reason: Option<String>,
    /// How long it ran.
    pub elapsed: Duration,
}

impl RunReport {
    /// A node's final state.
    pub fn node(&self, node: NodeIx) -> NodeState {
        self.nodes[node.index()]
    }
}
