//! `AppState`: everything the screen shows, as plain data. Only `update` changes it.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use xi_bridge::line_cache::LineCache;

use crate::ports::{BufferId, StyleDef};

use super::board::{BoardOverlay, BoardState};
use super::chat::ChatState;
use crate::theme::Theme;

/// The panes of the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PaneId {
    /// The xi-backed editor.
    #[default]
    Editor,
    /// The Conductor chat.
    Conductor,
    /// The Harmony Board.
    Board,
    /// The execution monitor.
    Monitor,
}

impl PaneId {
    /// Every pane, in focus order.
    pub const ALL: [PaneId; 4] = [
        PaneId::Editor,
        PaneId::Conductor,
        PaneId::Board,
        PaneId::Monitor,
    ];

    /// The pane's title.
    pub fn title(self) -> &'static str {
        match self {
            PaneId::Editor => "Editor",
            PaneId::Conductor => "Conductor",
            PaneId::Board => "Harmony Board",
            PaneId::Monitor => "Monitor",
        }
    }

    /// The next pane in focus order.
    pub fn next(self) -> PaneId {
        let i = PaneId::ALL.iter().position(|p| *p == self).unwrap_or(0);
        PaneId::ALL[(i + 1) % PaneId::ALL.len()]
    }

    /// The previous pane in focus order.
    pub fn previous(self) -> PaneId {
        let i = PaneId::ALL.iter().position(|p| *p == self).unwrap_or(0);
        PaneId::ALL[(i + PaneId::ALL.len() - 1) % PaneId::ALL.len()]
    }
}

/// Which pane has focus and whether it fills the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PaneLayout {
    /// The focused pane.
    pub focus: PaneId,
    /// The focused pane fills the screen.
    pub zoomed: bool,
}

/// One open buffer, mirrored from the editor core.
#[derive(Debug, Clone)]
pub struct BufferState {
    /// Stable id.
    pub id: BufferId,
    /// Its file; `None` for a scratch buffer.
    pub path: Option<PathBuf>,
    /// Lines as the core last sent them.
    pub cache: LineCache,
    /// Language name from the core ("" for plain text).
    pub language: String,
    /// First visible line.
    pub scroll_top: usize,
    /// First visible display column.
    pub scroll_left: usize,
    /// The core has opened it.
    pub ready: bool,
    /// Number of matches of the current search, when known.
    pub find_matches: Option<usize>,
}

impl BufferState {
    /// A buffer waiting for the core.
    pub fn new(id: BufferId, path: Option<PathBuf>) -> BufferState {
        BufferState {
            id,
            path,
            cache: LineCache::default(),
            language: String::new(),
            scroll_top: 0,
            scroll_left: 0,
            ready: false,
            find_matches: None,
        }
    }

    /// Unsaved changes exist.
    pub fn modified(&self) -> bool {
        self.ready && !self.cache.pristine()
    }

    /// The name shown in tabs and the status bar.
    pub fn display_name(&self) -> String {
        match &self.path {
            Some(path) => path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string()),
            None => format!("untitled {}", self.id.0),
        }
    }
}

/// What a one-line prompt is asking for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    /// A file to open.
    Open,
    /// A path to save the buffer to.
    SaveAs,
    /// A search query.
    Find,
    /// The text to replace (first step of replace).
    ReplaceFind,
    /// The replacement (second step of replace).
    ReplaceWith,
    /// A line number to jump to.
    GotoLine,
}

impl PromptKind {
    /// The label before the input.
    pub fn label(self) -> &'static str {
        match self {
            PromptKind::Open => "Open file: ",
            PromptKind::SaveAs => "Save as: ",
            PromptKind::Find => "Find: ",
            PromptKind::ReplaceFind => "Replace: ",
            PromptKind::ReplaceWith => "Replace with: ",
            PromptKind::GotoLine => "Go to line: ",
        }
    }
}

/// A one-line text prompt; the input is kept if the user cancels and reopens it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    /// What it asks for.
    pub kind: PromptKind,
    /// What has been typed.
    pub input: String,
    /// Cursor position in `input`, in chars.
    pub cursor: usize,
}

/// A modal layer over the panes. Keys go to it first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    /// The list of keys.
    Help {
        /// First visible row.
        scroll: usize,
    },
    /// The open buffers, to switch between.
    BufferList {
        /// Highlighted row.
        selected: usize,
    },
    /// A one-line prompt.
    Prompt(Prompt),
    /// Quit while buffers are modified?
    ConfirmQuit,
    /// Close a modified buffer?
    ConfirmClose(BufferId),
    /// The Harmony Board's palette or path prompt.
    Board(BoardOverlay),
}

/// Severity of a status message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Something happened as asked.
    Info,
    /// Something needs the user's attention.
    Warning,
    /// Something failed.
    Error,
}

/// A message in the status bar until the next key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusMessage {
    /// How serious.
    pub severity: Severity,
    /// What to say.
    pub text: String,
}

/// Health of the editor core, shown in the status bar and the monitor.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CoreHealth {
    /// The core is down and being restarted.
    pub down: Option<String>,
    /// Restarts so far.
    pub restarts: u32,
    /// How long the last restore took.
    pub last_restore: Option<Duration>,
    /// Malformed messages seen from the core.
    pub bad_messages: u32,
}

/// The whole UI state.
#[derive(Debug, Clone)]
pub struct AppState {
    /// Open buffers in tab order.
    pub buffers: Vec<BufferState>,
    /// Index of the buffer shown in the editor.
    pub active: usize,
    /// Next buffer id to hand out.
    pub next_buffer: u32,
    /// Style definitions from the core, by id.
    pub styles: HashMap<u32, StyleDef>,
    /// Pane focus and zoom.
    pub layout: PaneLayout,
    /// A modal layer, if any.
    pub overlay: Option<Overlay>,
    /// The status bar message.
    pub status: Option<StatusMessage>,
    /// The internal clipboard (copy, cut, paste).
    pub clipboard: String,
    /// Terminal size in cells.
    pub size: (u16, u16),
    /// UI and syntax colours.
    pub theme: Theme,
    /// Editor core health.
    pub core: CoreHealth,
    /// The last search query, reused by find-next.
    pub last_find: Option<String>,
    /// OFB's reachability and the offline outbox, for the status bar.
    pub data: DataStatus,
    /// The Conductor chat.
    pub chat: ChatState,
    /// The Harmony Board.
    pub board: BoardState,
    /// The execution monitor: the newest run.
    pub monitor: super::monitor::MonitorState,
}

/// What the status bar says about OFB: nothing while it answers and nothing waits, else
/// `offline · N pending`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DataStatus {
    /// Why OFB is out of reach, if it is.
    pub offline: Option<String>,
    /// Operations waiting in the offline outbox.
    pub pending: usize,
    /// Queued operations OFB refused on replay (`symphony outbox` lists them).
    pub refused: usize,
}

impl AppState {
    /// An empty state for a terminal of `size`.
    pub fn new(size: (u16, u16), theme: Theme) -> AppState {
        AppState {
            buffers: Vec::new(),
            active: 0,
            next_buffer: 1,
            styles: HashMap::new(),
            layout: PaneLayout::default(),
            overlay: None,
            status: None,
            clipboard: String::new(),
            size,
            theme,
            core: CoreHealth::default(),
            last_find: None,
            data: DataStatus::default(),
            chat: ChatState::default(),
            board: BoardState::default(),
            monitor: super::monitor::MonitorState::default(),
        }
    }

    /// The buffer in the editor, if any.
    pub fn active_buffer(&self) -> Option<&BufferState> {
        self.buffers.get(self.active)
    }

    /// The buffer in the editor, mutably.
    pub fn active_buffer_mut(&mut self) -> Option<&mut BufferState> {
        self.buffers.get_mut(self.active)
    }

    /// A buffer by id.
    pub fn buffer_mut(&mut self, id: BufferId) -> Option<&mut BufferState> {
        self.buffers.iter_mut().find(|b| b.id == id)
    }

    /// Buffers with unsaved changes.
    pub fn modified_buffers(&self) -> impl Iterator<Item = &BufferState> {
        self.buffers.iter().filter(|b| b.modified())
    }
}
