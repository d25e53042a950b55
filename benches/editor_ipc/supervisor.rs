//! The supervisor (`Supervisor`, `Command::Edit` → `SupervisorEvent::Update`): the UI's path,
//! with or without the syntect plugin.

use std::path::Path;
use std::time::{Duration, Instant};

use tempfile::TempDir;
use tokio::sync::mpsc::UnboundedReceiver;
use xi_bridge::EditNotification;
use xi_bridge::protocol::Annotation;
use xi_bridge::supervisor::{Command, DocId, Supervisor, SupervisorEvent};

use crate::PATIENCE;
use crate::keys::insert;
use crate::support;

/// A document edited through the `Supervisor`, as the UI edits one.
pub struct SupervisorSession {
    pub supervisor: Supervisor,
    events: UnboundedReceiver<SupervisorEvent>,
    doc: DocId,
    /// Keys sent so far.
    pub typed: usize,
    /// Where the caret must be once every key sent so far is applied: how an update is matched
    /// to its keystroke. (With the plugin, xi also sends updates that only restyle lines, so
    /// "the next update" is not always the keystroke's.)
    caret: (usize, usize),
    _config: TempDir,
}

impl SupervisorSession {
    /// `plugin`: install the syntect plugin's manifest, as Symphony does at start-up, and type
    /// into a new Rust file rather than a scratch document.
    pub async fn start(program: &Path, plugin: Option<&Path>) -> SupervisorSession {
        let (config, supervisor, events) = support::start_supervisor(program, plugin).await;
        let doc = DocId(1);
        // With the plugin, a Rust file, so that every keystroke is highlighted too. (It must
        // exist: a missing file opens as a scratch view, without a language.)
        let path = plugin.map(|_| {
            let path = config.path().join("typed.rs");
            std::fs::write(&path, "").expect("the Rust file is created");
            path
        });
        supervisor.send(Command::Open { doc, path });
        let mut session = SupervisorSession {
            supervisor,
            events,
            doc,
            typed: 0,
            caret: (0, 0),
            _config: config,
        };
        session.wait_for_caret().await;
        // Opening ends with a scroll to the whole document, which brings one more update (and
        // with a plugin, its start-up traffic): let it all pass.
        session.drain(Duration::from_millis(300)).await;
        session
    }

    async fn drain(&mut self, quiet: Duration) {
        while let Ok(Some(_)) = tokio::time::timeout(quiet, self.events.recv()).await {}
    }

    /// Handles events until an update shows the caret where the keys sent so far put it.
    /// Returns the number of updates seen.
    async fn wait_for_caret(&mut self) -> usize {
        let (line, col) = self.caret;
        let mut updates = 0;
        loop {
            match tokio::time::timeout(PATIENCE, self.events.recv()).await {
                Ok(Some(SupervisorEvent::Update { doc, update })) if doc == self.doc => {
                    updates += 1;
                    let here = update.annotations.iter().any(|a| {
                        a.kind == Annotation::SELECTION
                            && a.ranges.contains(&[line, col, line, col])
                    });
                    if here {
                        return updates;
                    }
                }
                Ok(Some(SupervisorEvent::CoreDown { reason })) => {
                    panic!("symphony-xi went down during the benchmark: {reason}")
                }
                Ok(Some(_)) => {}
                Ok(None) => panic!("the supervisor stopped"),
                Err(_) => panic!(
                    "no update with the caret at {:?} within {PATIENCE:?}",
                    self.caret
                ),
            }
        }
    }

    fn send_key(&mut self) {
        let edit = insert(self.typed);
        self.caret = match &edit {
            EditNotification::InsertNewline => (self.caret.0 + 1, 0),
            EditNotification::Insert { chars } => (self.caret.0, self.caret.1 + chars.len()),
            _ => unreachable!("only keys are typed"),
        };
        self.typed += 1;
        assert!(
            self.supervisor.send(Command::Edit {
                doc: self.doc,
                edit
            }),
            "the supervisor takes commands"
        );
    }

    /// One keystroke and the update that shows it.
    pub async fn round_trip(&mut self) -> Duration {
        let started = Instant::now();
        self.send_key();
        self.wait_for_caret().await;
        started.elapsed()
    }

    /// `n` keystrokes back to back, until the update that shows the last one. Returns the time
    /// and the number of updates.
    pub async fn pipelined(&mut self, n: usize) -> (Duration, usize) {
        let started = Instant::now();
        for _ in 0..n {
            self.send_key();
        }
        let updates = self.wait_for_caret().await;
        (started.elapsed(), updates)
    }
}
