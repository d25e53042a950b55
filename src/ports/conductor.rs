//! `ConductorPort`: how the UI and the headless `ask` talk to the Conductor, which turns an
//! intent into a plan (through a planner) and runs a confirmed plan on the Pit's DAG Tracker.
//!
//! Both calls block until done and report what happens on the way through `events`: run
//! them on a worker thread, never on the UI loop. `cancel` stops them (a plan being streamed,
//! a run: the run is left resumable). A panic inside an implementation must not reach the
//! caller's thread unguarded: callers wrap calls in `catch_unwind` and report it.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub use conductor::plan::{Importance, Plan, Step, StepId};

/// A shared flag that asks a call to stop.
#[derive(Debug, Clone, Default)]
pub struct CancelFlag(Arc<AtomicBool>);

impl CancelFlag {
    /// A flag not raised.
    pub fn new() -> CancelFlag {
        CancelFlag::default()
    }

    /// Ask the call to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether stopping was asked.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Something the user gave the Conductor besides the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attachment {
    /// A buffer's text (or its selection), with where it came from.
    Text {
        /// A label for people: the file name, `scratch`, `selection of main.rs`.
        label: String,
        /// The text.
        text: String,
    },
    /// An artifact from the store, by id or name.
    Artifact(String),
}

/// Which planner to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PlannerChoice {
    /// The configured default: the LLM planner when an endpoint is configured, else offline.
    #[default]
    Auto,
    /// Templates and installed capabilities matched by meaning; no network.
    Offline,
    /// An OpenAI-compatible chat-completions endpoint with tool calling.
    Llm,
}

/// What to plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRequest {
    /// The message, as typed.
    pub intent: String,
    /// What was attached to it.
    pub attachments: Vec<Attachment>,
    /// Which planner.
    pub planner: PlannerChoice,
}

/// A plan the Conductor proposes, awaiting confirmation.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    /// The plan (checked against the installed capabilities).
    pub plan: Plan,
    /// Which planner made it (`offline`, `llm gpt-4o-mini`, …).
    pub planner: String,
    /// Why this plan, in Markdown, for the chat pane.
    pub explanation: String,
    /// Per step, the extension that will run it first (`symphony.text-ops`).
    pub providers: Vec<(StepId, String)>,
    /// What the steps read, as it will be given to the first steps.
    pub attachments: Vec<Attachment>,
    /// A cancelled run of this very plan to resume, keeping its finished steps, instead of
    /// starting afresh (set by the chat's `/retry` after a cancel).
    pub resume: Option<String>,
}

/// The state of one step of a running plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepState {
    /// Waiting for what it depends on.
    Waiting,
    /// Running (attempt number in the event).
    Running,
    /// Done.
    Done,
    /// Failed; a retry or fallback may follow.
    Failed,
    /// Skipped (an Optional step that failed, or a branch not taken).
    Skipped,
    /// Stopped by a cancel.
    Cancelled,
}

/// Something that happened during a call.
#[derive(Debug, Clone, PartialEq)]
pub enum ConductorEvent {
    /// A piece of the planner's streamed reply (Markdown).
    Token(String),
    /// The run is journaled under this id (a cancelled run resumes under it).
    Started {
        /// The run's id.
        run_id: String,
        /// The workflow file it runs (`symphony run FILE --resume ID` resumes it headless).
        workflow: PathBuf,
    },
    /// A step changed state.
    Step {
        /// Which.
        step: StepId,
        /// Its new state.
        state: StepState,
        /// The attempt (1 for the first).
        attempt: u32,
        /// Time since the step started.
        elapsed: Duration,
        /// What went wrong, or which recovery was taken.
        detail: Option<String>,
    },
}

/// One result of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// The step that made it.
    pub step: StepId,
    /// Its artifact name in the store (`WORKFLOW/NODE/PATH`).
    pub name: String,
    /// The file under the run directory.
    pub path: PathBuf,
    /// The start of its text (for the chat pane), if it is text.
    pub preview: Option<String>,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq)]
pub struct RunReport {
    /// The run's id (`symphony runs`, `--resume`).
    pub run_id: String,
    /// Whether every essential step completed.
    pub succeeded: bool,
    /// The results, in step order.
    pub outputs: Vec<Output>,
    /// Failed steps and why.
    pub failures: Vec<(StepId, String)>,
    /// Recoveries taken (retries, fallbacks, skips, compensations), as sentences.
    pub recoveries: Vec<String>,
    /// Wall time.
    pub elapsed: Duration,
    /// What became of its record with OFB, in a sentence (`None` when nothing records runs).
    pub recorded: Option<String>,
}

/// Why a Conductor call failed, said so that the user knows what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConductorError {
    /// The planner could not make a valid plan.
    #[error("no plan: {0}")]
    NoPlan(String),
    /// The planner's endpoint failed (network, HTTP status, malformed reply, timeout).
    #[error("the planner failed: {0}")]
    Planner(String),
    /// The run could not start or was broken off.
    #[error("the run failed: {0}")]
    Run(String),
    /// The call was cancelled.
    #[error("cancelled")]
    Cancelled,
}

/// The Conductor, as the UI and `symphony ask` see it.
pub trait ConductorPort: Send + Sync {
    /// Make a plan for `request`; planner tokens stream through `events`.
    fn plan(
        &self,
        request: &PlanRequest,
        events: &mut dyn FnMut(ConductorEvent),
        cancel: &CancelFlag,
    ) -> Result<Proposal, ConductorError>;

    /// Run a confirmed plan; step states stream through `events`.
    fn run(
        &self,
        proposal: &Proposal,
        events: &mut dyn FnMut(ConductorEvent),
        cancel: &CancelFlag,
    ) -> Result<RunReport, ConductorError>;
}
