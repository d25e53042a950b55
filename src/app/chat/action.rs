//! What can happen to the chat: keys in its pane, and what the Conductor reports.

use std::path::PathBuf;
use std::time::Duration;

use crate::ports::BufferId;
use crate::ports::conductor::{ConductorEvent, Proposal, RunReport, StepId, StepState};

use super::input::InputMove;
use super::state::ConductorFailure;

/// A key in the chat pane (typed characters and pastes come as `Action::Type`/`Paste`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatKey {
    /// Enter: send the message, or run the plan awaiting confirmation when the input is empty.
    Submit,
    /// Alt-Enter / Shift-Enter: a line break in the message.
    Newline,
    /// Delete the character before the cursor.
    Backspace,
    /// Delete the character after the cursor.
    Delete,
    /// Move the cursor.
    Move(InputMove),
    /// Up: the line above, or the previous message of the history.
    Up,
    /// Down: the line below, or the next message of the history.
    Down,
    /// Tab: complete a slash command.
    Complete,
    /// Esc: discard the plan awaiting confirmation, else back to the editor.
    Escape,
    /// Ctrl-C: cancel the call in flight.
    CancelCall,
    /// Select the previous (-1) or next (1) output of the latest run.
    SelectOutput(i8),
    /// Open the selected output in an editor buffer.
    OpenOutput,
    /// Insert the selected output at the editor's cursor.
    InsertOutput,
}

/// What the Conductor (or the runtime working for the chat) reports.
#[derive(Debug, Clone, PartialEq)]
pub enum ConductorUpdate {
    /// A piece of the planner's streamed reply (Markdown).
    Token(String),
    /// The run is journaled under this id.
    Started {
        /// The run's id.
        run_id: String,
    },
    /// A step of the running plan changed state.
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
    /// The plan is made and awaits confirmation.
    Proposed(Box<Proposal>),
    /// The run ended (successfully or not: see the report).
    Finished(Box<RunReport>),
    /// The call failed, was cancelled, or the Conductor crashed.
    Failed(ConductorFailure),
    /// An output's text was read, to be inserted into a buffer.
    OutputRead {
        /// The buffer to insert into.
        buffer: BufferId,
        /// The output's file.
        path: PathBuf,
        /// Its text, or why it could not be read.
        text: Result<String, String>,
    },
}

impl From<ConductorEvent> for ConductorUpdate {
    fn from(event: ConductorEvent) -> ConductorUpdate {
        match event {
            ConductorEvent::Token(text) => ConductorUpdate::Token(text),
            ConductorEvent::Started { run_id, .. } => ConductorUpdate::Started { run_id },
            ConductorEvent::Step {
                step,
                state,
                attempt,
                elapsed,
                detail,
            } => ConductorUpdate::Step {
                step,
                state,
                attempt,
                elapsed,
                detail,
            },
        }
    }
}
