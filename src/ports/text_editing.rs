//! `TextEditingPort`: the editor core that owns buffer text (xi in production).
//!
//! Commands are fire-and-forget; their results arrive later as [`EditorEvent`]s on the
//! adapter's event channel, in the order the core produced them. This keeps the UI loop from
//! ever blocking on the core, and it is what xi's own protocol looks like.

use std::path::PathBuf;
use std::sync::Arc;

use xi_bridge::protocol::Update;

/// A buffer as the UI knows it. Stable across core restarts (xi's own view ids are not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BufferId(pub u32);

impl std::fmt::Display for BufferId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "buffer {}", self.0)
    }
}

/// A cursor motion; `extend` on [`EditOp::Move`] turns it into a selection change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Motion {
    /// One character left.
    Left,
    /// One character right.
    Right,
    /// One line up.
    Up,
    /// One line down.
    Down,
    /// To the start of the previous word.
    WordLeft,
    /// To the end of the next word.
    WordRight,
    /// To the start of the line.
    LineStart,
    /// To the end of the line.
    LineEnd,
    /// To the start of the document.
    DocumentStart,
    /// To the end of the document.
    DocumentEnd,
}

/// An edit or a movement in one buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditOp {
    /// Insert text at every cursor, replacing the selection.
    Insert(String),
    /// Paste text (like insert, but one undo group and no auto-indent).
    Paste(String),
    /// Insert a line break.
    Newline,
    /// Insert a tab (or spaces, per the core's configuration).
    Tab,
    /// Delete the character before the cursor, or the selection.
    DeleteBackward,
    /// Delete the character after the cursor, or the selection.
    DeleteForward,
    /// Delete the word before the cursor.
    DeleteWordBackward,
    /// Delete the word after the cursor.
    DeleteWordForward,
    /// Move the cursor, or extend the selection when `extend` is true.
    Move {
        /// Where to.
        motion: Motion,
        /// Extend the selection instead of collapsing it.
        extend: bool,
    },
    /// Put the cursor at a line and column (column in UTF-8 bytes, as xi counts).
    GotoPoint {
        /// Zero-based line.
        line: usize,
        /// Zero-based byte column.
        col: usize,
        /// Extend the selection instead of collapsing it.
        extend: bool,
    },
    /// Select the whole buffer.
    SelectAll,
    /// Collapse every selection to its cursor.
    CollapseSelections,
    /// Undo the last edit group.
    Undo,
    /// Redo the last undone edit group.
    Redo,
    /// Set the search query.
    Find {
        /// What to look for.
        query: String,
        /// Match case exactly.
        case_sensitive: bool,
    },
    /// Select the next match, wrapping around.
    FindNext,
    /// Select the previous match, wrapping around.
    FindPrevious,
    /// Set the replacement text for later replace operations.
    SetReplacement(String),
    /// Replace the current match and move to the next one.
    ReplaceNext,
    /// Replace every match.
    ReplaceAll,
    /// Copy the selection; the text arrives as [`EditorEvent::Copied`].
    Copy,
    /// Cut the selection; the text arrives as [`EditorEvent::Copied`].
    Cut,
}

/// What the editor core tells the UI.
#[derive(Debug, Clone)]
pub enum EditorEvent {
    /// A buffer is open and ready for edits.
    Opened {
        /// The buffer.
        buffer: BufferId,
        /// Its file, if any.
        path: Option<PathBuf>,
    },
    /// Opening failed (unreadable file, core gone…).
    OpenFailed {
        /// The buffer that was asked for.
        buffer: BufferId,
        /// What went wrong, for the user.
        message: String,
    },
    /// New line-cache operations for a buffer.
    Updated {
        /// The buffer.
        buffer: BufferId,
        /// The xi update, shared with the supervisor's own cache.
        update: Arc<Update>,
    },
    /// The core asks that this line and column be made visible.
    ScrollTo {
        /// The buffer.
        buffer: BufferId,
        /// Zero-based line.
        line: usize,
        /// Zero-based byte column.
        col: usize,
    },
    /// A style id was defined (syntax highlighting, selection, find matches).
    StyleDefined(StyleDef),
    /// The buffer's language changed (e.g. detected from its extension).
    LanguageChanged {
        /// The buffer.
        buffer: BufferId,
        /// Language name, empty for plain text.
        language: String,
    },
    /// A save finished.
    Saved {
        /// The buffer.
        buffer: BufferId,
        /// Where it went.
        path: PathBuf,
    },
    /// A save failed; the buffer keeps its text.
    SaveFailed {
        /// The buffer.
        buffer: BufferId,
        /// Where it was to go.
        path: PathBuf,
        /// Why, in the core's words.
        message: String,
    },
    /// Text copied or cut from a buffer.
    Copied(String),
    /// Search status for a buffer.
    FindStatus {
        /// The buffer.
        buffer: BufferId,
        /// Number of matches, when known.
        matches: Option<usize>,
    },
    /// The core restarted and restored every buffer.
    Restored {
        /// How long the restore took, from noticing the crash.
        elapsed: std::time::Duration,
        /// Why it restarted.
        reason: String,
    },
    /// The core is down and being restarted; edits are queued meanwhile.
    CoreDown(String),
    /// A message for the status bar (an alert from the core).
    Notice(String),
    /// A malformed message from the core was ignored.
    BadMessage(String),
}

/// A style definition: colours as 0xAARRGGBB like xi sends them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StyleDef {
    /// The style id that `Line::styles` refers to.
    pub id: u32,
    /// Foreground colour.
    pub fg: Option<u32>,
    /// Background colour.
    pub bg: Option<u32>,
    /// Bold.
    pub bold: bool,
    /// Italic.
    pub italic: bool,
    /// Underlined.
    pub underline: bool,
}

/// The editor core, as the UI drives it. Every call returns at once.
pub trait TextEditingPort {
    /// Open a file (or a scratch buffer for `None`) under the given id.
    fn open(&mut self, buffer: BufferId, path: Option<PathBuf>);
    /// Apply an edit or movement.
    fn edit(&mut self, buffer: BufferId, op: EditOp);
    /// Save to `path`.
    fn save(&mut self, buffer: BufferId, path: PathBuf);
    /// Close the buffer, discarding unsaved changes.
    fn close(&mut self, buffer: BufferId);
    /// Pick a syntax theme by its xi/syntect name.
    fn set_theme(&mut self, theme: &str);
}
