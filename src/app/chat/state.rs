//! The Conductor chat's state: the transcript, the input, the call in flight, the settings.

use std::time::Duration;

use crate::ports::conductor::{
    Attachment, ConductorError, Importance, PlanRequest, PlannerChoice, Proposal, RunReport,
    StepId, StepState,
};

use super::input::InputBox;

/// How a note reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Something happened as asked.
    Info,
    /// Something needs attention.
    Warning,
    /// Something failed.
    Error,
}

/// What became of a proposed plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanStatus {
    /// Awaiting confirmation.
    Pending,
    /// Confirmed: a run was started.
    Accepted,
    /// Discarded, or replaced by a newer plan.
    Discarded,
}

/// One step of a run, as last reported.
#[derive(Debug, Clone, PartialEq)]
pub struct StepProgress {
    /// Which step.
    pub id: StepId,
    /// Its capability.
    pub capability: String,
    /// How much it matters.
    pub importance: Importance,
    /// Its state; `None` until the run reports on it.
    pub state: Option<StepState>,
    /// The attempt (1 for the first).
    pub attempt: u32,
    /// Time since the step started, as last reported.
    pub elapsed: Duration,
    /// What went wrong, or which recovery was taken.
    pub detail: Option<String>,
}

/// How a run stands.
#[derive(Debug, Clone, PartialEq)]
pub enum RunOutcome {
    /// Still running.
    Running,
    /// It ended with a report (which says whether it succeeded).
    Finished(RunReport),
    /// It could not start or was broken off.
    Failed(String),
}

/// A run, shown live in the transcript and then with its results.
#[derive(Debug, Clone, PartialEq)]
pub struct RunCard {
    /// The intent the plan was made for.
    pub intent: String,
    /// Every step, in plan order.
    pub steps: Vec<StepProgress>,
    /// How it stands.
    pub outcome: RunOutcome,
}

impl RunCard {
    /// A card for a run about to start.
    pub fn new(proposal: &Proposal) -> RunCard {
        RunCard {
            intent: proposal.plan.intent.clone(),
            steps: proposal
                .plan
                .steps
                .iter()
                .map(|s| StepProgress {
                    id: s.id.clone(),
                    capability: s.capability.to_string(),
                    importance: s.importance,
                    state: None,
                    attempt: 0,
                    elapsed: Duration::ZERO,
                    detail: None,
                })
                .collect(),
            outcome: RunOutcome::Running,
        }
    }

    /// Steps that are over (done, skipped).
    pub fn settled(&self) -> usize {
        self.steps
            .iter()
            .filter(|s| matches!(s.state, Some(StepState::Done | StepState::Skipped)))
            .count()
    }
}

/// One entry of the transcript.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    /// What the user sent.
    User {
        /// The message.
        text: String,
        /// Labels of what was attached to it.
        attachments: Vec<String>,
    },
    /// The Conductor's words, in Markdown.
    Conductor {
        /// The text so far.
        text: String,
        /// Tokens are still arriving.
        streaming: bool,
    },
    /// A note from the pane itself (a setting changed, an error, the help).
    Note {
        /// How it reads.
        tone: Tone,
        /// The text, in Markdown.
        text: String,
    },
    /// A plan card.
    Plan {
        /// The plan.
        proposal: Box<Proposal>,
        /// What became of it.
        status: PlanStatus,
    },
    /// A run's progress and results.
    Run(Box<RunCard>),
}

/// A call to the Conductor.
#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    /// Making a plan.
    Plan(PlanRequest),
    /// Running a plan.
    Run(Box<Proposal>),
}

/// The call in flight.
#[derive(Debug, Clone, PartialEq)]
pub struct InFlight {
    /// What was asked.
    pub call: Call,
    /// Run the plan as soon as it comes (auto-run, when it was asked for).
    pub run_when_proposed: bool,
    /// A cancel was asked for.
    pub cancelling: bool,
    /// Planner tokens arrived (so the explanation is already in the transcript).
    pub streamed: bool,
    /// The run's id, once it has one (a cancelled run is resumed under it).
    pub run_id: Option<String>,
}

/// Why a Conductor call failed, as the chat sees it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConductorFailure {
    /// The Conductor said why.
    #[error(transparent)]
    Error(#[from] ConductorError),
    /// There is no Conductor to ask.
    #[error("the Conductor is not available: {0}")]
    Unavailable(String),
    /// The Conductor panicked; the editor carries on.
    #[error("the Conductor crashed: {0}; the editor keeps working")]
    Crashed(String),
}

/// The chat pane's whole state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChatState {
    /// The transcript, oldest first.
    pub entries: Vec<Entry>,
    /// The input box.
    pub input: InputBox,
    /// What the next request carries.
    pub attachments: Vec<Attachment>,
    /// Which planner requests use.
    pub planner: PlannerChoice,
    /// Run plans as soon as they are proposed.
    pub auto_run: bool,
    /// The call in flight, if any (one at a time).
    pub in_flight: Option<InFlight>,
    /// What failed last, for `/retry`.
    pub last_failure: Option<Call>,
    /// Transcript lines scrolled up from the bottom (0 follows new output).
    pub scroll: usize,
    /// The selected output of the latest finished run.
    pub selected_output: usize,
    /// Why the Conductor cannot be used, when it cannot.
    pub unavailable: Option<String>,
}

impl ChatState {
    /// The plan awaiting confirmation: its entry index.
    pub fn pending_plan(&self) -> Option<usize> {
        self.entries.iter().rposition(|e| {
            matches!(
                e,
                Entry::Plan {
                    status: PlanStatus::Pending,
                    ..
                }
            )
        })
    }

    /// The latest run card.
    pub fn latest_run(&self) -> Option<&RunCard> {
        self.entries.iter().rev().find_map(|e| match e {
            Entry::Run(card) => Some(card.as_ref()),
            _ => None,
        })
    }

    /// The latest run card, mutably.
    pub fn latest_run_mut(&mut self) -> Option<&mut RunCard> {
        self.entries.iter_mut().rev().find_map(|e| match e {
            Entry::Run(card) => Some(card.as_mut()),
            _ => None,
        })
    }

    /// The latest proposal (pending or not), for `/board`.
    pub fn latest_proposal(&self) -> Option<&Proposal> {
        self.entries.iter().rev().find_map(|e| match e {
            Entry::Plan { proposal, .. } => Some(proposal.as_ref()),
            _ => None,
        })
    }

    /// Add a note.
    pub fn note(&mut self, tone: Tone, text: impl Into<String>) {
        self.entries.push(Entry::Note {
            tone,
            text: text.into(),
        });
        self.scroll = 0;
    }
}
