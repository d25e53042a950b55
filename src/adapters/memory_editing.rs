//! An in-memory `TextEditingPort` for fast `update()` tests. It speaks the same update
//! protocol as xi (a full `ins` of every line per change), so the UI code under test is the
//! code that runs against xi. `tests/xi_editing.rs` runs the same scenarios against real xi.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use xi_bridge::protocol::{Annotation, Line, Update, UpdateOp};

use crate::ports::{BufferId, EditOp, EditorEvent, Motion, TextEditingPort};

#[derive(Debug, Clone, Default)]
struct MemoryBuffer {
    text: String,
    cursor: usize,
    anchor: usize,
    saved: String,
    undo: Vec<(String, usize)>,
    redo: Vec<(String, usize)>,
    query: String,
    replacement: String,
}

impl MemoryBuffer {
    fn line_col(&self, offset: usize) -> (usize, usize) {
        let before = &self.text[..offset];
        let line = before.matches('\n').count();
        let col = offset - before.rfind('\n').map_or(0, |i| i + 1);
        (line, col)
    }

    fn offset(&self, line: usize, col: usize) -> usize {
        let mut start = 0;
        for _ in 0..line {
            match self.text[start..].find('\n') {
                Some(i) => start += i + 1,
                None => return self.text.len(),
            }
        }
        let end = self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |i| start + i);
        let mut at = (start + col).min(end);
        while !self.text.is_char_boundary(at) {
            at -= 1;
        }
        at
    }

    fn selection(&self) -> (usize, usize) {
        (self.cursor.min(self.anchor), self.cursor.max(self.anchor))
    }

    fn checkpoint(&mut self) {
        self.undo.push((self.text.clone(), self.cursor));
        self.redo.clear();
    }

    fn replace_selection(&mut self, with: &str) {
        self.checkpoint();
        let (start, end) = self.selection();
        self.text.replace_range(start..end, with);
        self.cursor = start + with.len();
        self.anchor = self.cursor;
    }

    fn delete(&mut self, target: usize) {
        let (start, end) = self.selection();
        if start != end {
            self.replace_selection("");
            return;
        }
        let (a, b) = (target.min(self.cursor), target.max(self.cursor));
        if a == b {
            return;
        }
        self.checkpoint();
        self.text.replace_range(a..b, "");
        self.cursor = a;
        self.anchor = a;
    }

    fn prev_char(&self, at: usize) -> usize {
        self.text[..at]
            .char_indices()
            .next_back()
            .map_or(0, |(i, _)| i)
    }

    fn next_char(&self, at: usize) -> usize {
        self.text[at..]
            .chars()
            .next()
            .map_or(at, |c| at + c.len_utf8())
    }

    fn word_left(&self, at: usize) -> usize {
        let before = &self.text[..at];
        let trimmed = before.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '_');
        trimmed
            .trim_end_matches(|c: char| c.is_alphanumeric() || c == '_')
            .len()
    }

    fn word_right(&self, at: usize) -> usize {
        let after = &self.text[at..];
        let skipped = after.len()
            - after
                .trim_start_matches(|c: char| !c.is_alphanumeric() && c != '_')
                .len();
        let rest = &after[skipped..];
        let word = rest.len()
            - rest
                .trim_start_matches(|c: char| c.is_alphanumeric() || c == '_')
                .len();
        at + skipped + word
    }

    fn motion_target(&self, motion: Motion) -> usize {
        let (line, col) = self.line_col(self.cursor);
        match motion {
            Motion::Left => self.prev_char(self.cursor),
            Motion::Right => self.next_char(self.cursor),
            Motion::Up if line == 0 => 0,
            Motion::Up => self.offset(line - 1, col),
            Motion::Down if line == self.text.matches('\n').count() => self.text.len(),
            Motion::Down => self.offset(line + 1, col),
            Motion::WordLeft => self.word_left(self.cursor),
            Motion::WordRight => self.word_right(self.cursor),
            Motion::LineStart => self.offset(line, 0),
            Motion::LineEnd => self.offset(line, usize::MAX / 2),
            Motion::DocumentStart => 0,
            Motion::DocumentEnd => self.text.len(),
        }
    }

    fn find_from(&self, from: usize, forward: bool) -> Option<(usize, usize)> {
        if self.query.is_empty() {
            return None;
        }
        let hay = self.text.to_lowercase();
        let needle = self.query.to_lowercase();
        let found = if forward {
            hay[from..]
                .find(&needle)
                .map(|i| from + i)
                .or_else(|| hay.find(&needle))
        } else {
            hay[..from].rfind(&needle).or_else(|| hay.rfind(&needle))
        };
        found.map(|i| (i, i + needle.len()))
    }

    fn update(&self) -> Update {
        let (cursor_line, cursor_col) = self.line_col(self.cursor);
        let pieces: Vec<&str> = self.text.split_inclusive('\n').collect();
        let mut lines: Vec<Line> = pieces
            .iter()
            .enumerate()
            .map(|(i, text)| Line {
                text: Some((*text).to_owned()),
                ln: Some(i + 1),
                cursor: if i == cursor_line {
                    vec![cursor_col]
                } else {
                    Vec::new()
                },
                styles: Vec::new(),
            })
            .collect();
        if self.text.is_empty() || self.text.ends_with('\n') {
            lines.push(Line {
                text: Some(String::new()),
                ln: Some(lines.len() + 1),
                cursor: if cursor_line == lines.len() {
                    vec![cursor_col]
                } else {
                    Vec::new()
                },
                styles: Vec::new(),
            });
        }
        let (start, end) = self.selection();
        let (l1, c1) = self.line_col(start);
        let (l2, c2) = self.line_col(end);
        Update {
            ops: vec![UpdateOp::Ins {
                n: lines.len(),
                lines,
            }],
            pristine: self.text == self.saved,
            annotations: vec![Annotation {
                kind: "selection".to_owned(),
                ranges: vec![[l1, c1, l2, c2]],
                payloads: None,
                n: 1,
            }],
        }
    }
}

/// The in-memory editor.
#[derive(Debug)]
pub struct MemoryEditor {
    buffers: HashMap<BufferId, MemoryBuffer>,
    events: UnboundedSender<EditorEvent>,
}

impl MemoryEditor {
    /// A new editor and the channel its events arrive on.
    pub fn new() -> (MemoryEditor, UnboundedReceiver<EditorEvent>) {
        let (events, rx) = unbounded_channel();
        (
            MemoryEditor {
                buffers: HashMap::new(),
                events,
            },
            rx,
        )
    }

    /// The text of a buffer (for tests).
    pub fn text(&self, buffer: BufferId) -> Option<&str> {
        self.buffers.get(&buffer).map(|b| b.text.as_str())
    }

    fn emit(&self, event: EditorEvent) {
        // The receiver only goes away when the UI has quit; nothing is left to tell then.
        let _ = self.events.send(event);
    }

    fn emit_update(&self, id: BufferId) {
        if let Some(b) = self.buffers.get(&id) {
            let (line, col) = b.line_col(b.cursor);
            self.emit(EditorEvent::Updated {
                buffer: id,
                update: Arc::new(b.update()),
            });
            self.emit(EditorEvent::ScrollTo {
                buffer: id,
                line,
                col,
            });
        }
    }
}

impl TextEditingPort for MemoryEditor {
    fn open(&mut self, buffer: BufferId, path: Option<PathBuf>) {
        let text = match &path {
            Some(p) => match std::fs::read_to_string(p) {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
                Err(e) => {
                    self.emit(EditorEvent::OpenFailed {
                        buffer,
                        message: format!("cannot open {}: {e}", p.display()),
                    });
                    return;
                }
            },
            None => String::new(),
        };
        self.buffers.insert(
            buffer,
            MemoryBuffer {
                saved: text.clone(),
                text,
                ..MemoryBuffer::default()
            },
        );
        self.emit(EditorEvent::Opened { buffer, path });
        self.emit_update(buffer);
    }

    fn edit(&mut self, id: BufferId, op: EditOp) {
        let Some(b) = self.buffers.get_mut(&id) else {
            return;
        };
        let mut copied = None;
        match op {
            EditOp::Insert(text) | EditOp::Paste(text) => b.replace_selection(&text),
            EditOp::Newline => b.replace_selection("\n"),
            EditOp::Tab => b.replace_selection("    "),
            EditOp::DeleteBackward => b.delete(b.prev_char(b.cursor)),
            EditOp::DeleteForward => b.delete(b.next_char(b.cursor)),
            EditOp::DeleteWordBackward => b.delete(b.word_left(b.cursor)),
            EditOp::DeleteWordForward => b.delete(b.word_right(b.cursor)),
            EditOp::Move { motion, extend } => {
                b.cursor = b.motion_target(motion);
                if !extend {
                    b.anchor = b.cursor;
                }
            }
            EditOp::GotoPoint { line, col, extend } => {
                b.cursor = b.offset(line, col);
                if !extend {
                    b.anchor = b.cursor;
                }
            }
            EditOp::SelectAll => {
                b.anchor = 0;
                b.cursor = b.text.len();
            }
            EditOp::CollapseSelections => b.anchor = b.cursor,
            EditOp::Undo => {
                if let Some((text, cursor)) = b.undo.pop() {
                    b.redo
                        .push((std::mem::replace(&mut b.text, text), b.cursor));
                    b.cursor = cursor;
                    b.anchor = cursor;
                }
            }
            EditOp::Redo => {
                if let Some((text, cursor)) = b.redo.pop() {
                    b.undo
                        .push((std::mem::replace(&mut b.text, text), b.cursor));
                    b.cursor = cursor;
                    b.anchor = cursor;
                }
            }
            EditOp::Find { query, .. } => b.query = query,
            EditOp::FindNext | EditOp::FindPrevious => {
                let forward = matches!(op, EditOp::FindNext);
                let from = if forward {
                    b.selection().1
                } else {
                    b.selection().0
                };
                if let Some((start, end)) = b.find_from(from, forward) {
                    b.anchor = start;
                    b.cursor = end;
                }
            }
            EditOp::SetReplacement(text) => b.replacement = text,
            EditOp::ReplaceNext => {
                if let Some((start, end)) = b.find_from(b.selection().0, true) {
                    b.anchor = start;
                    b.cursor = end;
                    let with = b.replacement.clone();
                    b.replace_selection(&with);
                }
            }
            EditOp::ReplaceAll => {
                if !b.query.is_empty() {
                    b.checkpoint();
                    b.text = b.text.replace(&b.query, &b.replacement);
                    b.cursor = b.cursor.min(b.text.len());
                    while !b.text.is_char_boundary(b.cursor) {
                        b.cursor -= 1;
                    }
                    b.anchor = b.cursor;
                }
            }
            EditOp::Copy | EditOp::Cut => {
                let (start, end) = b.selection();
                copied = Some(b.text[start..end].to_owned());
                if matches!(op, EditOp::Cut) {
                    b.replace_selection("");
                }
            }
        }
        if let Some(text) = copied {
            self.emit(EditorEvent::Copied(text));
        }
        self.emit_update(id);
    }

    fn save(&mut self, id: BufferId, path: PathBuf) {
        let Some(b) = self.buffers.get_mut(&id) else {
            return;
        };
        match std::fs::write(&path, &b.text) {
            Ok(()) => {
                b.saved = b.text.clone();
                self.emit(EditorEvent::Saved { buffer: id, path });
                self.emit_update(id);
            }
            Err(e) => self.emit(EditorEvent::SaveFailed {
                buffer: id,
                path,
                message: e.to_string(),
            }),
        }
    }

    fn close(&mut self, buffer: BufferId) {
        self.buffers.remove(&buffer);
    }

    fn set_theme(&mut self, _theme: &str) {}
}
