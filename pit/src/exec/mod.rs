//! The DAG executor: runs a validated [`Workflow`](crate::dag::Workflow) with a bounded
//! number of workers.
//!
//! [`Executor::start`] spawns one scheduler task per run. It keeps every node's state in
//! flat vectors (in-edge counters, a ready queue) and runs node attempts through
//! [`NodeRunner`]s looked up in a [`RunnerRegistry`]. A [`RunControl`] pauses, resumes,
//! cancels, retries and skips; an [`Event`] stream reports every state change.
//!
//! Semantics (see `docs/WORKFLOW_FORMAT.md`): a node starts once every in-edge's source has
//! settled (completed, failed or been skipped). If a **hard** source did not complete, the
//! node is skipped; **soft** and **optional** sources only order. A failed attempt is
//! retried (`retries`, exponential `backoff` with seeded jitter) unless its error is fatal;
//! then `on_failure` decides: `fail` fails the node (the run goes on with what does not
//! depend on it and ends Failed), `skip` skips it, `fallback` runs the fallback node in its
//! place, whose outcome becomes the node's. Control kinds run as no-ops for now, and
//! conditional edges are always taken.

mod backoff;
mod builtin;
mod checkpointing;
mod events;
mod handle;
mod precise_sleep;
mod runner;
mod scheduler;

pub use backoff::Backoff;
pub use builtin::{NoopRunner, ShellRunner, SleepRunner, append_log};
pub use checkpointing::{Checkpointing, restore};
pub use events::{Event, EventKind, NodeEvent, NodeState, WorkflowState};
pub use handle::{
    ExecError, ExecOptions, Executor, PoolProbe, RunControl, RunHandle, RunReport, RunSnapshot,
};
pub use runner::{
    CancelToken, NodeContext, NodeOutput, NodeRunner, Retry, RunError, RunFuture, RunnerRegistry,
};
