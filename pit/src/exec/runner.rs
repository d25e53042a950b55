//! The node runner port: what executes one attempt of one node, and the registry that maps a
//! node's `runner` name to its implementation.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;

use serde_json::{Map, Value};
use tokio::sync::watch;

use crate::dag::{NodeId, NodeIx, NodeSettings, RunnerName, Workflow};

use super::builtin::{NoopRunner, ShellRunner, SleepRunner};

/// The future a runner returns: boxed so that runners can live behind `dyn NodeRunner`.
pub type RunFuture = Pin<Box<dyn Future<Output = Result<NodeOutput, RunError>> + Send>>;

/// Executes one attempt of a node. Extensions plug in through `ExtensionPort` by registering
/// a runner under their id.
pub trait NodeRunner: Send + Sync + 'static {
    /// Runs one attempt. The executor drops the future on timeout, skip or cancel, so a runner
    /// must release what it holds on drop (child processes: `kill_on_drop`); `ctx.cancel`
    /// is for work a runner detaches from its future.
    fn run(&self, ctx: NodeContext) -> RunFuture;
}

/// What a runner gets for one attempt.
#[derive(Debug)]
pub struct NodeContext {
    workflow: Arc<Workflow>,
    node: NodeIx,
    owner: NodeIx,
    attempt: u32,
    env: AttemptEnv,
    /// Fires when the attempt is abandoned (timeout, skip, retry, cancel).
    pub cancel: CancelToken,
}

/// Where a journaled attempt runs: its run, and the directory for its output files.
#[derive(Debug, Clone, Default)]
pub(super) struct AttemptEnv {
    pub(super) run_id: Option<Arc<str>>,
    pub(super) output_dir: Option<PathBuf>,
    pub(super) log_path: Option<PathBuf>,
    pub(super) inputs: Vec<(NodeId, Arc<Value>)>,
}

impl NodeContext {
    pub(super) fn new(
        workflow: Arc<Workflow>,
        (node, owner, attempt): (NodeIx, NodeIx, u32),
        env: AttemptEnv,
        cancel: CancelToken,
    ) -> Self {
        NodeContext {
            workflow,
            node,
            owner,
            attempt,
            env,
            cancel,
        }
    }

    /// The values of the node's predecessors that produced one, by node id (a shell
    /// command's JSON or text, an input's value, what a control node passed on).
    pub fn inputs(&self) -> &[(NodeId, Arc<Value>)] {
        &self.env.inputs
    }

    /// The run's id, when the run is journaled.
    pub fn run_id(&self) -> Option<&str> {
        self.env.run_id.as_deref()
    }

    /// The directory this attempt writes its output files to, when the run is journaled
    /// (the runner creates it if it writes anything). Once the node's completion is durable,
    /// its files are published to the run's `outputs/<node>/`, exactly once.
    pub fn output_dir(&self) -> Option<&Path> {
        self.env.output_dir.as_deref()
    }

    /// The node's log in a journaled run (`logs/<node>.log` in the run's directory): a
    /// runner appends what the attempt said on stderr, under a heading, so that the monitor
    /// can show why it failed beyond the error's first line.
    pub fn log_path(&self) -> Option<&Path> {
        self.env.log_path.as_deref()
    }

    /// The node whose runner and settings this attempt uses.
    pub fn node(&self) -> NodeIx {
        self.node
    }

    /// The node this attempt stands for: `node()` itself, or the node it is the fallback of.
    pub fn owner(&self) -> NodeIx {
        self.owner
    }

    /// The node's id.
    pub fn id(&self) -> &NodeId {
        self.workflow.id(self.node)
    }

    /// 1 for the first attempt, 2 for the first retry, …
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The node's settings.
    pub fn settings(&self) -> &NodeSettings {
        self.workflow.settings(self.node)
    }

    /// The runner's parameters.
    pub fn params(&self) -> &Map<String, Value> {
        &self.settings().params
    }

    /// The whole workflow.
    pub fn workflow(&self) -> &Arc<Workflow> {
        &self.workflow
    }
}

/// Signals that an attempt was abandoned. It fires when the executor drops the attempt.
#[derive(Debug, Clone)]
pub struct CancelToken(watch::Receiver<()>);

/// The executor's end of a [`CancelToken`]: dropping it cancels.
#[derive(Debug)]
pub(super) struct CancelGuard(#[allow(dead_code)] watch::Sender<()>);

impl CancelToken {
    /// A token and the guard whose drop fires it.
    pub(super) fn new() -> (CancelGuard, CancelToken) {
        let (tx, rx) = watch::channel(());
        (CancelGuard(tx), CancelToken(rx))
    }

    /// True once the attempt was abandoned.
    pub fn is_cancelled(&self) -> bool {
        self.0.has_changed().is_err()
    }

    /// Resolves once the attempt was abandoned.
    pub async fn cancelled(&mut self) {
        while self.0.changed().await.is_ok() {}
    }
}

/// What a successful attempt produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NodeOutput {
    /// The node's result (a shell command's stdout as a string, for instance).
    pub value: Option<Value>,
}

/// Whether another attempt could succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// A transient failure (exit code, timeout, network): retries apply.
    Retryable,
    /// Retrying cannot help (bad parameters, unknown runner): retries are skipped.
    Fatal,
}

/// Why an attempt failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RunError {
    /// Whether retries apply.
    pub retry: Retry,
    /// What happened, and what to do about it.
    pub message: String,
}

impl RunError {
    /// A failure that another attempt may not repeat.
    pub fn retryable(message: impl Into<String>) -> Self {
        RunError {
            retry: Retry::Retryable,
            message: message.into(),
        }
    }

    /// A failure no retry can fix.
    pub fn fatal(message: impl Into<String>) -> Self {
        RunError {
            retry: Retry::Fatal,
            message: message.into(),
        }
    }

    /// True when retries apply.
    pub fn is_retryable(&self) -> bool {
        self.retry == Retry::Retryable
    }
}

/// Runner names → runners. Nodes without a runner use `noop`.
#[derive(Clone)]
pub struct RunnerRegistry {
    runners: HashMap<RunnerName, Arc<dyn NodeRunner>>,
    noop: Arc<dyn NodeRunner>,
}

impl fmt::Debug for RunnerRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<_> = self.runners.keys().map(RunnerName::as_str).collect();
        names.sort_unstable();
        f.debug_struct("RunnerRegistry")
            .field("runners", &names)
            .finish()
    }
}

impl RunnerRegistry {
    /// An empty registry (only the implicit `noop` default).
    pub fn empty() -> Self {
        RunnerRegistry {
            runners: HashMap::new(),
            noop: Arc::new(NoopRunner),
        }
    }

    /// The built-in runners `noop`, `sleep` (its `seconds` multiplied by `time_scale`) and
    /// `shell`.
    pub fn with_builtins(time_scale: f64) -> Self {
        let mut registry = RunnerRegistry::empty();
        registry.register("noop", NoopRunner);
        registry.register("sleep", SleepRunner::new(time_scale));
        registry.register("shell", ShellRunner);
        registry
    }

    /// Adds (or replaces) a runner.
    pub fn register(&mut self, name: impl Into<RunnerName>, runner: impl NodeRunner) {
        self.register_arc(name, Arc::new(runner));
    }

    /// Adds (or replaces) a shared runner.
    pub fn register_arc(&mut self, name: impl Into<RunnerName>, runner: Arc<dyn NodeRunner>) {
        self.runners.insert(name.into(), runner);
    }

    /// The runner of this name; `None` (no `runner` field) is `noop`.
    pub fn get(&self, name: Option<&RunnerName>) -> Option<&Arc<dyn NodeRunner>> {
        match name {
            None => Some(&self.noop),
            Some(name) => self.runners.get(name.as_str()),
        }
    }
}

impl Default for RunnerRegistry {
    fn default() -> Self {
        RunnerRegistry::with_builtins(1.0)
    }
}
