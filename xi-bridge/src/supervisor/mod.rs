//! The supervisor: runs `symphony-xi`, notices when it dies or hangs, starts a new one and
//! restores every open document — file, unsaved text, cursor, selection, search — so that the
//! user loses nothing.
//!
//! How no edit is lost: every edit is journalled with a sequence number. After a batch of edits
//! the supervisor sends a *barrier* request; xi answers requests in order, so when the answer
//! arrives every update for the edits before it has already been received. At that moment the
//! line cache is snapshotted and the journal trimmed. After a crash a document is rebuilt from
//! its last snapshot and the journal's edits are replayed: edits the dead core had applied but
//! not yet confirmed are replayed from the snapshot, never applied twice.
//!
//! Architecture invariant: one task owns all of this state; the UI talks to it through a
//! channel and never waits for it.

mod doc;
mod restore;
mod task;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::sync::oneshot;

use crate::error::BridgeError;
use crate::protocol::{EditNotification, StyleDef, Update};

pub use doc::DocId;

/// How to run and watch the core.
#[derive(Debug, Clone)]
pub struct SupervisorConfig {
    /// The `symphony-xi` binary.
    pub program: PathBuf,
    /// Arguments for it (none for `symphony-xi`; tests put a proxy in front of the core).
    pub args: Vec<std::ffi::OsString>,
    /// xi's config directory (plugins are found in its `plugins/`).
    pub config_dir: PathBuf,
    /// How long a request may take before the core counts as hung.
    pub hang_timeout: Duration,
    /// How often an idle core is checked for life.
    pub heartbeat: Duration,
}

impl SupervisorConfig {
    /// Defaults: hung after 5 s without an answer (long enough for xi to load a very large
    /// file), checked every 500 ms.
    pub fn new(program: PathBuf, config_dir: PathBuf) -> SupervisorConfig {
        SupervisorConfig {
            program,
            args: Vec::new(),
            config_dir,
            hang_timeout: Duration::from_secs(5),
            heartbeat: Duration::from_millis(500),
        }
    }
}

/// What the UI asks of the core.
#[derive(Debug)]
pub enum Command {
    /// Open a file, or a scratch document for `None`.
    Open {
        /// The document's stable id.
        doc: DocId,
        /// The file.
        path: Option<PathBuf>,
    },
    /// An edit or movement.
    Edit {
        /// The document.
        doc: DocId,
        /// The edit.
        edit: EditNotification,
    },
    /// Copy (or cut) the selection; the text comes back as [`SupervisorEvent::Copied`].
    Copy {
        /// The document.
        doc: DocId,
        /// Cut instead of copy.
        cut: bool,
    },
    /// Save the document to `path`.
    Save {
        /// The document.
        doc: DocId,
        /// Where.
        path: PathBuf,
    },
    /// Close the document.
    Close(DocId),
    /// Pick xi's syntax theme.
    SetTheme(String),
    /// Kill the core with SIGKILL (fault tests and benchmarks).
    KillCore,
    /// Let the core finish its queue and exit; answers when it has.
    Shutdown(oneshot::Sender<()>),
}

/// What the core (through the supervisor) tells the UI.
#[derive(Debug, Clone)]
pub enum SupervisorEvent {
    /// The document is open.
    Opened {
        /// The document.
        doc: DocId,
        /// Its file.
        path: Option<PathBuf>,
    },
    /// The document could not be opened.
    OpenFailed {
        /// The document.
        doc: DocId,
        /// Why.
        message: String,
    },
    /// Line-cache operations for the document.
    Update {
        /// The document.
        doc: DocId,
        /// The update (after a restore: one `ins` of every line).
        update: Arc<Update>,
    },
    /// Make this position visible.
    ScrollTo {
        /// The document.
        doc: DocId,
        /// Line.
        line: usize,
        /// Byte column.
        col: usize,
    },
    /// A style definition.
    DefStyle(StyleDef),
    /// The document's language.
    LanguageChanged {
        /// The document.
        doc: DocId,
        /// Language name.
        language: String,
    },
    /// A save reached the disk.
    Saved {
        /// The document.
        doc: DocId,
        /// Where.
        path: PathBuf,
    },
    /// A save failed; the document keeps its text and stays modified.
    SaveFailed {
        /// The document.
        doc: DocId,
        /// Where it was to go.
        path: PathBuf,
        /// The core's explanation.
        message: String,
    },
    /// Copied or cut text.
    Copied(String),
    /// Number of search matches.
    FindStatus {
        /// The document.
        doc: DocId,
        /// Matches, when known.
        matches: Option<usize>,
    },
    /// A message from the core (a failed save, for example).
    Alert(String),
    /// A malformed message from the core, ignored.
    BadInput(String),
    /// The core stopped; a new one is starting.
    CoreDown {
        /// Why we think it stopped.
        reason: String,
    },
    /// Every document is back, with nothing lost.
    Restored {
        /// From noticing the failure to the last document restored.
        elapsed: Duration,
        /// Why it was restarted.
        reason: String,
    },
}

/// The UI's handle on the supervisor task.
#[derive(Debug, Clone)]
pub struct Supervisor {
    commands: UnboundedSender<Command>,
    pid: Arc<AtomicU32>,
}

impl Supervisor {
    /// Start the core and its supervisor task.
    pub async fn start(
        config: SupervisorConfig,
    ) -> Result<(Supervisor, UnboundedReceiver<SupervisorEvent>), BridgeError> {
        let (commands, command_rx) = unbounded_channel();
        let (events, event_rx) = unbounded_channel();
        let pid = Arc::new(AtomicU32::new(0));
        let task = task::SupervisorTask::start(config, command_rx, events, pid.clone()).await?;
        tokio::spawn(task.run());
        Ok((Supervisor { commands, pid }, event_rx))
    }

    /// Send a command. Returns false if the supervisor has ended.
    pub fn send(&self, command: Command) -> bool {
        self.commands.send(command).is_ok()
    }

    /// The current core's process id (0 while restarting).
    pub fn pid(&self) -> u32 {
        self.pid.load(Ordering::Relaxed)
    }

    /// Let the core finish and exit (waits at most `timeout`).
    pub async fn shutdown(&self, timeout: Duration) {
        let (tx, rx) = oneshot::channel();
        if self.send(Command::Shutdown(tx)) {
            let _ = tokio::time::timeout(timeout, rx).await;
        }
    }
}
