//! The ready-queue scheduler: one task owns every node's state (plain `Vec`s indexed by
//! [`NodeIx`]); node attempts and retry timers run as tasks in one `JoinSet`, at most
//! `workers` attempts at once. Nothing is spawned per *waiting* node, so a million-node
//! workflow costs a few bytes per node until its nodes become ready.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{broadcast, mpsc};
use tokio::task::{AbortHandle, Id, JoinError, JoinSet};
use tokio::time::Instant;

use serde_json::Value;

use crate::dag::{Condition, EdgeIx, NodeIx, Workflow};
use crate::journal::{Completion, OutputFile, Record};
use crate::runs;

use super::checkpointing::{Checkpointing, Journal};
use super::events::{Event, EventKind, NodeEvent, NodeState, WorkflowState};
use super::handle::{Command, ExecOptions, RunReport};
use super::runner::{AttemptEnv, CancelToken, NodeContext, NodeOutput, RunError, RunnerRegistry};

mod builtin_kinds;
mod commands;
mod flow;
mod journaled;
mod ready;

use journaled::{changed, collect_outputs};
use ready::ReadyQueue;

/// One attempt of `node`'s runner, on behalf of `owner` (itself, or the node it is the
/// fallback of).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Job {
    owner: NodeIx,
    node: NodeIx,
    attempt: u32,
}

/// What a task in the `JoinSet` is.
#[derive(Debug, Clone, Copy)]
enum Slot {
    Attempt(Job),
    /// Waiting out a backoff before this job.
    Backoff(Job),
    /// Aborted (by skip or retry) but not yet gone: an attempt still counts against the
    /// workers, and the owner's next job (`then`) waits, so that a node never has two
    /// attempts alive at once.
    Aborting {
        owner: NodeIx,
        attempt: bool,
        then: Option<Job>,
    },
}

/// What a successful attempt left: the runner's output, and the files in its stage.
#[derive(Debug)]
struct Attempted {
    output: NodeOutput,
    files: Vec<OutputFile>,
    /// The stage directory, relative to the run's, when it holds files.
    stage: Option<String>,
}

type Finished = Option<Result<Attempted, RunError>>;

/// The run's whole state, owned by the run's task.
pub(super) struct Scheduler {
    wf: Arc<Workflow>,
    registry: Arc<RunnerRegistry>,
    options: ExecOptions,
    events: broadcast::Sender<Event>,
    started: Instant,
    state: Vec<NodeState>,
    /// In-edges whose source has not settled yet.
    waiting: Vec<u32>,
    /// An in-edge that must be taken (hard, or conditional) was not.
    blocked: Vec<bool>,
    /// Why a node will be skipped, when a condition could not be evaluated.
    skip_reasons: HashMap<NodeIx, RunError>,
    /// Completed nodes' values (most nodes produce none).
    values: HashMap<NodeIx, Arc<Value>>,
    /// The parsed conditions of conditional edges.
    conditions: HashMap<EdgeIx, Condition>,
    /// Input nodes without a value, waiting for `provide`.
    parked: Vec<Job>,
    /// Values provided for input nodes not reached yet.
    provided: HashMap<NodeIx, Value>,
    /// Whether the last workflow event was WaitingForInput.
    waiting_for_input: bool,
    /// Owners whose journaled completion waits to be durable (Running until then).
    settling: HashSet<NodeIx>,
    /// Retries asked for while the node was settling: they run once it has.
    retry_after_settling: HashSet<NodeIx>,
    /// Nodes that are some node's fallback: they run only in another's place.
    is_fallback: Vec<bool>,
    ready: ReadyQueue,
    tasks: JoinSet<Finished>,
    slots: HashMap<Id, Slot>,
    /// Each owner's attempt, backoff or aborting task, for skip and retry.
    current: HashMap<NodeIx, (Id, AbortHandle)>,
    running: usize,
    /// Owners not settled yet.
    open: usize,
    failed: usize,
    paused: bool,
    /// The run's journal, for a journaled run.
    journal: Option<Journal>,
    /// The pool's use last journaled.
    pool_use: Option<crate::pool::PoolUse>,
    /// Nodes a previous incarnation completed, settled as the run starts.
    done: Vec<(NodeIx, Completion)>,
    /// Attempts started in this incarnation: each gets its own stage directory.
    attempts: u64,
}

impl Scheduler {
    pub(super) fn new(
        wf: Arc<Workflow>,
        registry: Arc<RunnerRegistry>,
        options: ExecOptions,
        events: broadcast::Sender<Event>,
        checkpointing: Option<Checkpointing>,
    ) -> Self {
        let n = wf.node_count();
        let mut is_fallback = vec![false; n];
        for node in wf.nodes() {
            if let Some(f) = wf.settings(node).fallback {
                is_fallback[f.index()] = true;
            }
        }
        let waiting = wf.nodes().map(|n| wf.in_edges(n).len() as u32).collect();
        let open = is_fallback.iter().filter(|f| !**f).count();
        let paused = options.start_paused;
        let provided = options.inputs.iter().cloned().collect();
        let ready = ReadyQueue::new(&wf);
        let conditions = (0..wf.edge_count() as u32)
            .map(EdgeIx)
            .filter_map(|e| {
                let text = wf.condition(e)?;
                // Validation parsed every condition; one that fails here is never taken.
                let condition = Condition::parse(text).unwrap_or_else(|_| {
                    Condition::parse("false").unwrap_or_else(|_| unreachable!())
                });
                Some((e, condition))
            })
            .collect();
        let (journal, done) = match checkpointing.map(Journal::new) {
            Some((journal, done)) => (Some(journal), done),
            None => (None, Vec::new()),
        };
        Scheduler {
            wf,
            registry,
            options,
            events,
            started: Instant::now(),
            state: vec![NodeState::Pending; n],
            waiting,
            blocked: vec![false; n],
            skip_reasons: HashMap::new(),
            values: HashMap::new(),
            conditions,
            parked: Vec::new(),
            provided,
            waiting_for_input: false,
            settling: HashSet::new(),
            retry_after_settling: HashSet::new(),
            is_fallback,
            ready,
            tasks: JoinSet::new(),
            slots: HashMap::new(),
            current: HashMap::new(),
            running: 0,
            open,
            failed: 0,
            paused,
            journal,
            pool_use: None,
            done,
            attempts: 0,
        }
    }

    /// Runs the workflow to its end.
    pub(super) async fn run(
        mut self,
        mut commands: mpsc::UnboundedReceiver<Command>,
        deadline: Option<Duration>,
    ) -> RunReport {
        self.started = Instant::now();
        let first = if self.paused {
            WorkflowState::Paused
        } else {
            WorkflowState::Running
        };
        self.emit(EventKind::Workflow {
            state: first,
            reason: None,
        });
        let wf = self.wf.clone();
        self.settle_done();
        for node in wf.nodes() {
            let i = node.index();
            if self.waiting[i] == 0 && !self.is_fallback[i] && self.state[i] == NodeState::Pending {
                self.enqueue(Job {
                    owner: node,
                    node,
                    attempt: 1,
                });
            }
        }
        let timeout = async move {
            match deadline {
                Some(d) => tokio::time::sleep(d).await,
                None => std::future::pending().await,
            }
        };
        tokio::pin!(timeout);
        let mut commands_open = true;
        let (state, reason) = loop {
            self.dispatch();
            if self.waiting_for_input && !(self.tasks.is_empty() && self.ready.is_empty()) {
                // Something runs again (an input was skipped, a node retried).
                self.waiting_for_input = false;
                self.emit(EventKind::Workflow {
                    state: WorkflowState::Running,
                    reason: None,
                });
            }
            if self.open == 0 {
                let state = if self.failed > 0 {
                    WorkflowState::Failed
                } else {
                    WorkflowState::Completed
                };
                break (state, None);
            }
            let awaiting = self.journal.as_ref().is_some_and(Journal::is_awaiting);
            if self.tasks.is_empty() && self.ready.is_empty() && !self.paused && !awaiting {
                if self.parked.is_empty() {
                    // Unreachable while the counters are right; end rather than hang.
                    let reason = "internal error: no node can start; please report this".to_owned();
                    break self.stop(WorkflowState::Failed, reason);
                }
                if !commands_open {
                    let reason =
                        "waiting for input, and every handle to the run was dropped".to_owned();
                    break self.stop(WorkflowState::Cancelled, reason);
                }
                // A command already sent may be the value.
                if commands.is_empty() {
                    self.wait_for_input();
                }
            }
            if self.paused && !commands_open {
                let reason = "paused, and every handle to the run was dropped".to_owned();
                break self.stop(WorkflowState::Cancelled, reason);
            }
            tokio::select! {
                biased;
                command = commands.recv(), if commands_open => match command {
                    None => commands_open = false,
                    Some(Command::Cancel) => {
                        break self.stop(WorkflowState::Cancelled, "cancelled".to_owned());
                    }
                    Some(command) => self.command(command),
                },
                () = &mut timeout => {
                    let limit = deadline.unwrap_or_default();
                    let reason = format!(
                        "the workflow's timeout of {limit:?} passed; raise `timeout` in the \
                         workflow file or find the slow nodes in the event log"
                    );
                    break self.stop(WorkflowState::Failed, reason);
                }
                Some(joined) = self.tasks.join_next_with_id() => self.joined(joined),
                () = changed(&mut self.journal), if awaiting => {
                    if let Err(reason) = self.durable() {
                        break self.stop(WorkflowState::Failed, reason);
                    }
                }
            }
        };
        for node in wf.nodes() {
            if self.is_fallback[node.index()] && self.state[node.index()] == NodeState::Pending {
                self.set(node, NodeState::Skipped, 0, None);
            }
        }
        let mut reason = reason;
        if let Some(journal) = self.journal.take() {
            let record = Record::Ended {
                state: state.name().to_owned(),
                reason: reason.clone(),
                at_ms: runs::now_ms(),
            };
            if let Err(error) = journal.end(record).await {
                reason = Some(match reason {
                    Some(reason) => format!("{reason}; and then {error}"),
                    None => error,
                });
            }
        }
        self.emit(EventKind::Workflow {
            state,
            reason: reason.clone(),
        });
        RunReport {
            state,
            nodes: self.state,
            reason,
            elapsed: self.started.elapsed(),
        }
    }

    /// Starts ready jobs while workers are free.
    fn dispatch(&mut self) {
        while !self.paused && self.running < self.options.workers.max(1) {
            let Some(job) = self.ready.pop() else {
                break;
            };
            self.start(job);
        }
    }

    fn start(&mut self, job: Job) {
        if self.wf.settings(job.node).runner.is_none() && self.start_builtin_kind(job) {
            return;
        }
        let settings = self.wf.settings(job.node);
        let Some(runner) = self.registry.get(settings.runner.as_ref()).cloned() else {
            let name = settings.runner.as_ref().map_or("noop", |r| r.as_str());
            let error = RunError::fatal(format!(
                "node `{}`: no runner is called `{name}`; the built-in runners are `noop`, \
                 `sleep` and `shell`, or install the extension that provides it",
                self.wf.id(job.node)
            ));
            self.attempt_failed(job, error);
            return;
        };
        let timeout = settings.timeout;
        let (guard, token) = CancelToken::new();
        let id = self.wf.id(job.node).clone();
        let mut env = AttemptEnv::default();
        if !self.values.is_empty() {
            env.inputs = self
                .distinct_predecessors(job.owner)
                .into_iter()
                .filter_map(|p| Some((self.wf.id(p).clone(), self.values.get(&p)?.clone())))
                .collect();
        }
        let mut stage = None;
        if let Some(journal) = &mut self.journal {
            journal.write(Record::Started {
                node: id.clone(),
                attempt: job.attempt,
                at_ms: runs::now_ms(),
            });
            Self::journal_pool(journal, &self.options, &mut self.pool_use);
            self.attempts += 1;
            let (relative, path) = journal.stage(self.wf.id(job.owner).as_str(), self.attempts);
            env.run_id = Some(journal.run_id().clone());
            env.output_dir = Some(path.clone());
            env.log_path = Some(journal.log_path(id.as_str()));
            stage = Some((relative, path));
        }
        let ctx = NodeContext::new(
            self.wf.clone(),
            (job.node, job.owner, job.attempt),
            env,
            token,
        );
        let handle = self.tasks.spawn(async move {
            let _guard = guard;
            let attempt = runner.run(ctx);
            let result = match timeout {
                None => attempt.await,
                Some(limit) => tokio::time::timeout(limit, attempt)
                    .await
                    .unwrap_or_else(|_| {
                        Err(RunError::retryable(format!(
                            "node `{id}`: the attempt timed out after {limit:?}; raise the \
                             node's `timeout` or find out why it hangs"
                        )))
                    }),
            };
            Some(match result {
                Ok(output) => collect_outputs(&id, output, stage).await,
                Err(error) => Err(error),
            })
        });
        self.slots.insert(handle.id(), Slot::Attempt(job));
        self.current.insert(job.owner, (handle.id(), handle));
        self.running += 1;
        self.set(job.node, NodeState::Running, job.attempt, None);
    }

    fn joined(&mut self, joined: Result<(Id, Finished), JoinError>) {
        let (id, finished) = match joined {
            Ok((id, finished)) => (id, finished),
            Err(error) if error.is_cancelled() => (error.id(), None),
            Err(error) => (
                error.id(),
                Some(Err(RunError::fatal(format!(
                    "the runner panicked: {error}"
                )))),
            ),
        };
        let Some(slot) = self.slots.remove(&id) else {
            return;
        };
        match slot {
            Slot::Backoff(job) => {
                self.current.remove(&job.owner);
                self.enqueue(job);
            }
            Slot::Attempt(job) => {
                self.current.remove(&job.owner);
                self.running -= 1;
                match finished {
                    Some(Ok(attempted)) => self.succeeded(job, attempted),
                    Some(Err(error)) => self.attempt_failed(job, error),
                    None => self.attempt_failed(job, RunError::fatal("attempt lost")),
                }
            }
            // Whatever it returned is void.
            Slot::Aborting {
                owner,
                attempt,
                then,
            } => {
                self.current.remove(&owner);
                if attempt {
                    self.running -= 1;
                }
                if let Some(job) = then {
                    self.ready.push(job);
                }
            }
        }
    }

    fn enqueue(&mut self, job: Job) {
        self.set(job.node, NodeState::Queued, job.attempt, None);
        self.ready.push(job);
    }

    /// Ends the run early: every attempt is abandoned and fails with `reason`.
    fn stop(&mut self, state: WorkflowState, reason: String) -> (WorkflowState, Option<String>) {
        self.tasks.abort_all();
        let mut jobs: Vec<_> = self
            .slots
            .drain()
            .filter_map(|(_, slot)| match slot {
                Slot::Attempt(job) | Slot::Backoff(job) => Some(job),
                Slot::Aborting { .. } => None,
            })
            .chain(self.parked.drain(..))
            .collect();
        jobs.sort_by_key(|job| job.owner);
        for job in jobs {
            let error = Some(RunError::fatal(reason.clone()));
            if job.node != job.owner {
                self.set(job.node, NodeState::Failed, job.attempt, error.clone());
            }
            self.set(job.owner, NodeState::Failed, job.attempt, error);
        }
        self.current.clear();
        self.running = 0;
        (state, Some(reason))
    }

    fn set(&mut self, node: NodeIx, state: NodeState, attempt: u32, error: Option<RunError>) {
        self.node_event(NodeEvent {
            node,
            state,
            attempt,
            error,
            retry_in: None,
            via: None,
        });
    }

    fn node_event(&mut self, event: NodeEvent) {
        if self.journal.is_some() {
            let node = self.wf.id(event.node).clone();
            let record = match event.state {
                NodeState::Failed => Some(Record::Failed {
                    node,
                    attempt: event.attempt,
                    error: event
                        .error
                        .as_ref()
                        .map(|e| e.message.clone())
                        .unwrap_or_default(),
                    at_ms: runs::now_ms(),
                }),
                NodeState::Skipped => Some(Record::Skipped {
                    node,
                    at_ms: runs::now_ms(),
                    reason: Some(self.skip_reason(&event)),
                }),
                // An attempt failed and a retry (Queued) or the fallback (Running) follows.
                NodeState::Queued | NodeState::Running => {
                    event.error.as_ref().map(|error| Record::AttemptFailed {
                        node,
                        attempt: event.attempt,
                        error: error.message.clone(),
                        at_ms: runs::now_ms(),
                    })
                }
                _ => None,
            };
            if let Some(journal) = &mut self.journal {
                if let Some(record) = record {
                    journal.write(record);
                }
                Self::journal_pool(journal, &self.options, &mut self.pool_use);
            }
        }
        self.state[event.node.index()] = event.state;
        self.emit(EventKind::Node(event));
    }

    /// Journals how full the pool is, if that changed since it was last journaled.
    fn journal_pool(
        journal: &mut Journal,
        options: &ExecOptions,
        last: &mut Option<crate::pool::PoolUse>,
    ) {
        let Some(probe) = &options.pool else { return };
        let usage = probe.0.usage();
        // A pool that never held anything (a run without extensions) is not worth a record.
        let idle = last.is_none() && usage.hot == 0 && usage.used == 0;
        if *last != Some(usage) && !idle {
            *last = Some(usage);
            journal.write(Record::Pool {
                usage,
                at_ms: runs::now_ms(),
            });
        }
    }

    fn emit(&self, kind: EventKind) {
        if self.events.receiver_count() > 0 {
            let at = self.started.elapsed();
            // Lagging monitors lose old events rather than slow the run down.
            let _ = self.events.send(Event { at, kind });
        }
    }
}
