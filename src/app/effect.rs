//! Effects: what `update` asks the outside world to do. The runtime executes them through ports.

use std::path::PathBuf;

use crate::ports::{BufferId, EditOp};

/// One side effect requested by `update`.
#[derive(Debug, Clone, PartialEq, Eq)]
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
}
