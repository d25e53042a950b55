//! Actions: everything that can happen to the UI, from keys, the terminal or the editor core.

use std::path::PathBuf;

use crate::data::link::LinkReport;
use crate::ports::{EditOp, EditorEvent};

use super::board::BoardAction;
use super::chat::{ChatKey, ConductorUpdate};
use super::state::{PaneId, PromptKind};

/// One input to `update`.
#[derive(Debug, Clone)]
pub enum Action {
    /// Edit or move in the active buffer.
    Edit(EditOp),
    /// Move a page up or down (negative is up); `extend` selects.
    Page {
        /// Pages to move, negative for up.
        direction: i8,
        /// Extend the selection.
        extend: bool,
    },
    /// Type a character: into a prompt or overlay if one is open, else into the buffer.
    Type(char),
    /// Paste text (bracketed paste from the terminal, or the internal clipboard when `None`).
    Paste(Option<String>),
    /// Copy the selection to the internal clipboard.
    Copy,
    /// Cut the selection to the internal clipboard.
    Cut,
    /// Save the active buffer (asks for a path if it has none).
    Save,
    /// Open a prompt.
    Prompt(PromptKind),
    /// Find the next match of the last query.
    FindNext,
    /// Find the previous match of the last query.
    FindPrevious,
    /// Open files given on the command line, or a scratch buffer if empty.
    OpenFiles(Vec<PathBuf>),
    /// A new scratch buffer.
    NewBuffer,
    /// Close the active buffer (asks first if it is modified).
    CloseBuffer,
    /// Show the next buffer.
    NextBuffer,
    /// Show the previous buffer.
    PreviousBuffer,
    /// Show the buffer list.
    BufferList,
    /// Focus a pane.
    Focus(PaneId),
    /// Focus the next pane.
    FocusNext,
    /// Focus the previous pane.
    FocusPrevious,
    /// Toggle zoom of the focused pane.
    ToggleZoom,
    /// Show the help overlay.
    Help,
    /// Quit (asks first if buffers are modified).
    Quit,
    /// Keys inside an overlay: confirm.
    Confirm,
    /// Keys inside an overlay: cancel / close.
    Cancel,
    /// Keys inside an overlay: delete the char before the cursor.
    OverlayBackspace,
    /// Keys inside an overlay: move the highlight or the prompt cursor.
    OverlayMove(i32),
    /// A mouse click at a screen cell.
    Click {
        /// Column.
        col: u16,
        /// Row.
        row: u16,
    },
    /// The mouse moved with the left button down (a drag; only the board uses it).
    Drag {
        /// Column.
        col: u16,
        /// Row.
        row: u16,
    },
    /// The left mouse button came up (ends a drag).
    Release {
        /// Column.
        col: u16,
        /// Row.
        row: u16,
    },
    /// The mouse wheel: lines to scroll, negative is up.
    Wheel(i32),
    /// The terminal changed size.
    Resize(u16, u16),
    /// The editor core said something.
    Editor(EditorEvent),
    /// A key in the Conductor chat pane.
    Chat(ChatKey),
    /// A key in the Harmony Board, or a report for it from the runtime.
    Board(BoardAction),
    /// The Conductor reported something (sent by the runtime's background tasks).
    Conductor(ConductorUpdate),
    /// OFB's link changed: offline or back, the outbox's count, refusals (sent by the
    /// runtime's reconnection task).
    Data(LinkReport),
    /// The newest run changed (from the runtime's run watcher).
    Monitor(Box<super::monitor::RunView>),
    /// A key in the monitor pane.
    MonitorKey(super::monitor::MonitorKey),
}
