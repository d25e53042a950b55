//! Effects: what `update` asks the outside world to do. The runtime executes them through ports.

use std::path::PathBuf;

use crate::ports::conductor::{PlanRequest, Proposal};
use crate::ports::{BufferId, EditOp};

/// One side effect requested by `update`.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Open a file or a scratch buffer in the editor core.
    Open {
        /// The id the UI gave the buffer.
        buffer: BufferId,
        /// The file, or `None` for a scratch buffer.
        path: Option<PathBuf>,
    },
    /// Edit or move in a buffer.
    Edit {
        /// The buffer.
        buffer: BufferId,
        /// The operation.
        op: EditOp,
    },
    /// Write a buffer to disk.
    Save {
        /// The buffer.
        buffer: BufferId,
        /// Where.
        path: PathBuf,
    },
    /// Close a buffer in the core.
    Close(BufferId),
    /// Change the core's syntax theme.
    SetTheme(String),
    /// Leave the program (after the core has flushed).
    Quit,
    /// Ask the Conductor for a plan, off the UI loop; results come back as
    /// `Action::Conductor`.
    ConductorPlan(PlanRequest),
    /// Run a confirmed plan, off the UI loop; progress comes back as `Action::Conductor`.
    ConductorRun(Proposal),
    /// Raise the cancel flag of the Conductor call in flight.
    ConductorCancel,
    /// Show a plan in the Harmony Board: the runtime compiles it into a workflow and sends
    /// it back as `BoardAction::Show`.
    OpenInBoard(Proposal),
    /// Read and parse a workflow file for the board, off the UI loop (it comes back as
    /// `BoardAction::Loaded`).
    BoardLoad(PathBuf),
    /// Run the board's saved workflow file with `symphony run` in the background (the
    /// monitor follows it; its end comes back as `BoardAction::RunEnded`).
    BoardRun(PathBuf),
    /// Read the board's library again (templates, the installed extensions' catalog and
    /// schemas), off the UI loop: it comes back as `BoardAction::Library`, and the palette's
    /// node kinds as `BoardAction::Extensions`.
    BoardReadLibrary,
    /// Write the board's workflow (already TOML) to a file (it comes back as
    /// `BoardAction::Saved`).
    BoardSave {
        /// Where.
        path: PathBuf,
        /// The TOML text.
        text: String,
    },
    /// Read a run's output file, off the UI loop, to insert it into a buffer
    /// (it comes back as `ConductorUpdate::OutputRead`).
    ReadOutput {
        /// The buffer to insert into.
        buffer: BufferId,
        /// The output's file.
        path: PathBuf,
    },
}
