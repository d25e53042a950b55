//! `TextEditingPort` on the real xi core, through the supervisor (which restarts and restores
//! the core when it dies, so the UI never has to).

use std::time::Duration;

use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};
use xi_bridge::protocol::{EditNotification, GestureType, SelectionModifier};
use xi_bridge::supervisor::{Command, DocId, Supervisor, SupervisorConfig, SupervisorEvent};
use xi_bridge::syntect_plugin;

use crate::error::SymphonyError;
use crate::paths::{DataPaths, find_binary};
use crate::ports::{BufferId, EditOp, EditorEvent, Motion, StyleDef, TextEditingPort};

/// The xi adapter.
#[derive(Debug, Clone)]
pub struct XiEditor {
    supervisor: Supervisor,
}

impl XiEditor {
    /// Install the syntax plugin, start `symphony-xi` under supervision, and forward its events.
    pub async fn start(
        paths: &DataPaths,
    ) -> Result<(XiEditor, UnboundedReceiver<EditorEvent>), SymphonyError> {
        let program = find_binary("symphony-xi", "SYMPHONY_XI_BIN")?;
        match find_binary("symphony-xi-syntect", "SYMPHONY_XI_SYNTECT_BIN") {
            Ok(plugin) => {
                syntect_plugin::install_manifest(&paths.xi_plugins(), &plugin).map_err(|e| {
                    SymphonyError::io(
                        format!(
                            "installing the syntax plugin in {}",
                            paths.xi_plugins().display()
                        ),
                        e,
                    )
                })?;
            }
            Err(err) => tracing::warn!("no syntax highlighting: {err}"),
        }
        XiEditor::start_with(SupervisorConfig::new(program, paths.xi_config())).await
    }

    /// Start with an explicit configuration (tests).
    pub async fn start_with(
        config: SupervisorConfig,
    ) -> Result<(XiEditor, UnboundedReceiver<EditorEvent>), SymphonyError> {
        let (supervisor, mut events) = Supervisor::start(config).await?;
        let (tx, rx) = unbounded_channel();
        tokio::spawn(async move {
            while let Some(event) = events.recv().await {
                if tx.send(to_editor_event(event)).is_err() {
                    break;
                }
            }
        });
        Ok((XiEditor { supervisor }, rx))
    }

    /// The supervisor (fault tests kill the core through it).
    pub fn supervisor(&self) -> &Supervisor {
        &self.supervisor
    }

    /// Let the core finish writing and exit.
    pub async fn shutdown(&self) {
        self.supervisor.shutdown(Duration::from_secs(2)).await;
    }

    fn send(&self, command: Command) {
        if !self.supervisor.send(command) {
            tracing::error!("the editor supervisor has stopped; a command was dropped");
        }
    }
}

fn doc(buffer: BufferId) -> DocId {
    DocId(buffer.0)
}

fn to_editor_event(event: SupervisorEvent) -> EditorEvent {
    let buffer = |d: DocId| BufferId(d.0);
    match event {
        SupervisorEvent::Opened { doc, path } => EditorEvent::Opened {
            buffer: buffer(doc),
            path,
        },
        SupervisorEvent::OpenFailed { doc, message } => EditorEvent::OpenFailed {
            buffer: buffer(doc),
            message,
        },
        SupervisorEvent::Update { doc, update } => EditorEvent::Updated {
            buffer: buffer(doc),
            update,
        },
        SupervisorEvent::ScrollTo { doc, line, col } => EditorEvent::ScrollTo {
            buffer: buffer(doc),
            line,
            col,
        },
        SupervisorEvent::DefStyle(style) => EditorEvent::StyleDefined(StyleDef {
            id: style.id.0,
            fg: style.fg_color,
            bg: style.bg_color,
            bold: style.weight.is_some_and(|w| w >= 600),
            italic: style.italic.unwrap_or(false),
            underline: style.underline.unwrap_or(false),
        }),
        SupervisorEvent::LanguageChanged { doc, language } => EditorEvent::LanguageChanged {
            buffer: buffer(doc),
            language,
        },
        SupervisorEvent::Saved { doc, path } => EditorEvent::Saved {
            buffer: buffer(doc),
            path,
        },
        SupervisorEvent::Copied(text) => EditorEvent::Copied(text),
        SupervisorEvent::FindStatus { doc, matches } => EditorEvent::FindStatus {
            buffer: buffer(doc),
            matches,
        },
        SupervisorEvent::Alert(message) => EditorEvent::Notice(message),
        SupervisorEvent::BadInput(message) => EditorEvent::BadMessage(message),
        SupervisorEvent::SaveFailed { doc, path, message } => EditorEvent::SaveFailed {
            buffer: buffer(doc),
            path,
            message,
        },
        SupervisorEvent::CoreDown { reason } => EditorEvent::CoreDown(reason),
        SupervisorEvent::Restored { elapsed, reason } => EditorEvent::Restored { elapsed, reason },
    }
}

/// The xi notification for a motion.
fn motion_edit(motion: Motion, extend: bool) -> EditNotification {
    use EditNotification as E;
    match (motion, extend) {
        (Motion::Left, false) => E::MoveLeft,
        (Motion::Left, true) => E::MoveLeftAndModifySelection,
        (Motion::Right, false) => E::MoveRight,
        (Motion::Right, true) => E::MoveRightAndModifySelection,
        (Motion::Up, false) => E::MoveUp,
        (Motion::Up, true) => E::MoveUpAndModifySelection,
        (Motion::Down, false) => E::MoveDown,
        (Motion::Down, true) => E::MoveDownAndModifySelection,
        (Motion::WordLeft, false) => E::MoveWordLeft,
        (Motion::WordLeft, true) => E::MoveWordLeftAndModifySelection,
        (Motion::WordRight, false) => E::MoveWordRight,
        (Motion::WordRight, true) => E::MoveWordRightAndModifySelection,
        (Motion::LineStart, false) => E::MoveToLeftEndOfLine,
        (Motion::LineStart, true) => E::MoveToLeftEndOfLineAndModifySelection,
        (Motion::LineEnd, false) => E::MoveToRightEndOfLine,
        (Motion::LineEnd, true) => E::MoveToRightEndOfLineAndModifySelection,
        (Motion::DocumentStart, false) => E::MoveToBeginningOfDocument,
        (Motion::DocumentStart, true) => E::MoveToBeginningOfDocumentAndModifySelection,
        (Motion::DocumentEnd, false) => E::MoveToEndOfDocument,
        (Motion::DocumentEnd, true) => E::MoveToEndOfDocumentAndModifySelection,
    }
}

/// The xi command for an edit; `None` for the ones that are requests (copy, cut).
pub fn edit_notification(op: EditOp) -> Option<EditNotification> {
    use EditNotification as E;
    let find_next = |forward: bool| {
        let (wrap_around, allow_same, modify_selection) = (true, false, SelectionModifier::Set);
        if forward {
            E::FindNext {
                wrap_around,
                allow_same,
                modify_selection,
            }
        } else {
            E::FindPrevious {
                wrap_around,
                allow_same,
                modify_selection,
            }
        }
    };
    Some(match op {
        EditOp::Insert(chars) => E::Insert { chars },
        EditOp::Paste(chars) => E::Paste { chars },
        EditOp::Newline => E::InsertNewline,
        EditOp::Tab => E::InsertTab,
        EditOp::DeleteBackward => E::DeleteBackward,
        EditOp::DeleteForward => E::DeleteForward,
        EditOp::DeleteWordBackward => E::DeleteWordBackward,
        EditOp::DeleteWordForward => E::DeleteWordForward,
        EditOp::Move { motion, extend } => motion_edit(motion, extend),
        EditOp::GotoPoint { line, col, extend } => E::Gesture {
            line: line as u64,
            col: col as u64,
            ty: if extend {
                GestureType::RangeSelect
            } else {
                GestureType::PointSelect
            },
        },
        EditOp::SelectAll => E::SelectAll,
        EditOp::CollapseSelections => E::CollapseSelections,
        EditOp::Undo => E::Undo,
        EditOp::Redo => E::Redo,
        EditOp::Find {
            query,
            case_sensitive,
        } => E::Find {
            chars: query,
            case_sensitive,
            regex: false,
            whole_words: false,
        },
        EditOp::FindNext => find_next(true),
        EditOp::FindPrevious => find_next(false),
        EditOp::SetReplacement(chars) => E::Replace {
            chars,
            preserve_case: false,
        },
        EditOp::ReplaceNext => E::ReplaceNext,
        EditOp::ReplaceAll => E::ReplaceAll,
        EditOp::Copy | EditOp::Cut => return None,
    })
}

impl TextEditingPort for XiEditor {
    fn open(&mut self, buffer: BufferId, path: Option<std::path::PathBuf>) {
        self.send(Command::Open {
            doc: doc(buffer),
            path,
        });
    }

    fn edit(&mut self, buffer: BufferId, op: EditOp) {
        match op {
            EditOp::Copy => self.send(Command::Copy {
                doc: doc(buffer),
                cut: false,
            }),
            EditOp::Cut => self.send(Command::Copy {
                doc: doc(buffer),
                cut: true,
            }),
            op => {
                if let Some(edit) = edit_notification(op) {
                    self.send(Command::Edit {
                        doc: doc(buffer),
                        edit,
                    });
                }
            }
        }
    }

    fn save(&mut self, buffer: BufferId, path: std::path::PathBuf) {
        self.send(Command::Save {
            doc: doc(buffer),
            path,
        });
    }

    fn close(&mut self, buffer: BufferId) {
        self.send(Command::Close(doc(buffer)));
    }

    fn set_theme(&mut self, theme: &str) {
        self.send(Command::SetTheme(theme.to_owned()));
    }
}
