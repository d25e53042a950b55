//! The board's state: the document, its validation report and layout (both recomputed after
//! every edit), the selection, the connection being made, the undo history, and the palette's
//! node kinds.

use std::collections::HashMap;
use std::path::PathBuf;

use pit::dag::{NodeId, ValidationError, ValidationReport, Workflow, WorkflowFile};

use super::document::{Document, Edit};
use super::group;
use super::layout::{Layout, LayoutOptions};
use super::library::Library;
use super::mouse::Drag;
use super::palette::{NodeTemplate, builtins};
use super::zoom::Zoom;

/// How many edits undo remembers.
pub const UNDO_DEPTH: usize = 200;

/// How a board message reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// As asked.
    Info,
    /// Kept, but needs attention.
    Warning,
    /// Refused or failed.
    Error,
}

/// The last thing the board has to say (a refusal, a save).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// How it reads.
    pub tone: Tone,
    /// What it says.
    pub text: String,
}

/// The Harmony Board.
#[derive(Debug, Clone)]
pub struct BoardState {
    /// What is being composed.
    pub doc: Document,
    /// Where it is saved; `None` until saved or opened from a TOML file.
    pub path: Option<PathBuf>,
    /// The DAG Tracker's verdict on `doc.file`, after the last edit.
    pub report: ValidationReport,
    /// The drawing of `doc`.
    pub layout: Layout,
    /// The drawing's sizes.
    pub options: LayoutOptions,
    /// The highlighted node.
    pub selected: Option<NodeId>,
    /// The source of the edge being made: arrows then choose its target.
    pub connecting: Option<NodeId>,
    /// Earlier documents, newest last.
    pub undo: Vec<Document>,
    /// Undone documents, newest last.
    pub redo: Vec<Document>,
    /// The palette: the built-ins, then the installed extensions' capabilities (the runtime
    /// fills these).
    pub templates: Vec<NodeTemplate>,
    /// Top-left cell of the view over the drawing.
    pub scroll: (u32, u32),
    /// The last message.
    pub notice: Option<Notice>,
    /// Edited since opened or saved.
    pub modified: bool,
    /// A quit was held once for the unsaved edits (the next one goes ahead).
    pub quit_warned: bool,
    /// The marked nodes (a visual selection): duplicate, group and delete apply to them.
    pub marks: Vec<NodeId>,
    /// How closely nodes are drawn (`options` follows it).
    pub zoom: Zoom,
    /// Whether the minimap is shown when the drawing is much larger than the view.
    pub minimap: bool,
    /// The mouse drag in progress, if any.
    pub drag: Option<Drag>,
    /// The templates, catalog and extension schemas (the runtime sends them).
    pub library: Library,
}

impl Default for BoardState {
    fn default() -> Self {
        let mut board = BoardState {
            doc: Document::default(),
            path: None,
            report: ValidationReport::default(),
            layout: Layout::default(),
            options: LayoutOptions::default(),
            selected: None,
            connecting: None,
            undo: Vec::new(),
            redo: Vec::new(),
            templates: builtins(),
            scroll: (0, 0),
            notice: None,
            modified: false,
            quit_warned: false,
            marks: Vec::new(),
            zoom: Zoom::default(),
            minimap: true,
            drag: None,
            library: Library::default(),
        };
        board.refresh();
        board
    }
}

/// What became of an edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Kept; the workflow is valid.
    Valid,
    /// Kept; validation found this many problems, shown beside their nodes.
    Problems(usize),
    /// Refused, with the reason.
    Refused(String),
}

impl BoardState {
    /// Shows a workflow (from a file or a Conductor plan), forgetting the history.
    pub fn open(&mut self, file: WorkflowFile, path: Option<PathBuf>) {
        self.doc = Document {
            collapsed: Vec::new(),
            file,
            nudges: Vec::new(),
        };
        self.path = path;
        self.undo.clear();
        self.redo.clear();
        self.connecting = None;
        self.modified = false;
        self.scroll = (0, 0);
        self.marks.clear();
        // A file's groups start collapsed: grouping is how large workflows are kept legible.
        self.doc.collapsed = group::names(&self.doc);
        self.refresh();
        self.selected = self.first_node();
    }

    /// Whether the board holds any node.
    pub fn is_empty(&self) -> bool {
        self.doc.file.nodes.is_empty()
    }

    /// Whether the workflow passes the DAG Tracker's validation (and may be saved).
    pub fn is_valid(&self) -> bool {
        self.report.is_ok()
    }

    /// Validation and layout again, after `doc` changed.
    pub fn refresh(&mut self) {
        self.report = match Workflow::build(&self.doc.file) {
            Ok(_) => ValidationReport::default(),
            Err(report) => report,
        };
        self.layout = group::lay_out(&self.doc, &self.options);
    }

    /// Applies an edit unless it closes a cycle; records it for undo.
    pub fn edit(&mut self, edit: Edit) -> Outcome {
        let before = self.doc.clone();
        let cycles_before = cycles(&self.report);
        self.doc.apply(edit);
        let report = match Workflow::build(&self.doc.file) {
            Ok(_) => ValidationReport::default(),
            Err(report) => report,
        };
        if cycles(&report) > cycles_before
            && let Some(cycle) = report
                .errors()
                .iter()
                .find(|e| matches!(e, ValidationError::Cycle { .. }))
        {
            self.doc = before;
            return Outcome::Refused(cycle.to_string());
        }
        self.undo.push(before);
        if self.undo.len() > UNDO_DEPTH {
            self.undo.remove(0);
        }
        self.redo.clear();
        self.modified = true;
        self.refresh();
        self.keep_selection();
        match self.report.len() {
            0 => Outcome::Valid,
            n => Outcome::Problems(n),
        }
    }

    /// Back one edit; false when there is none.
    pub fn undo(&mut self) -> bool {
        let Some(doc) = self.undo.pop() else {
            return false;
        };
        self.redo.push(std::mem::replace(&mut self.doc, doc));
        self.modified = true;
        self.refresh();
        self.keep_selection();
        true
    }

    /// Forward one undone edit; false when there is none.
    pub fn redo(&mut self) -> bool {
        let Some(doc) = self.redo.pop() else {
            return false;
        };
        self.undo.push(std::mem::replace(&mut self.doc, doc));
        self.modified = true;
        self.refresh();
        self.keep_selection();
        true
    }

    /// The first node in reading order (top layer, leftmost).
    pub fn first_node(&self) -> Option<NodeId> {
        let i = (0..self.layout.nodes.len())
            .min_by_key(|&i| (self.layout.nodes[i].y, self.layout.nodes[i].x))?;
        Some(self.doc.file.nodes[i].id.clone())
    }

    fn keep_selection(&mut self) {
        let exists = |id: &NodeId| self.doc.node(id).is_some();
        self.marks.retain(|id| self.doc.node(id).is_some());
        self.selected = self
            .selected
            .take()
            .map(|id| group::shown_for(&self.doc, id));
        if !self.selected.as_ref().is_some_and(exists) {
            self.selected = self.first_node();
        }
        if !self.connecting.as_ref().is_some_and(exists) {
            self.connecting = None;
        }
    }

    /// Each node's problems, by id, in report order.
    pub fn problems(&self) -> HashMap<&NodeId, Vec<&ValidationError>> {
        let mut by_node: HashMap<&NodeId, Vec<&ValidationError>> = HashMap::new();
        for error in self.report.errors() {
            for node in error.nodes() {
                let list = by_node.entry(node).or_default();
                if !list.contains(&error) {
                    list.push(error);
                }
            }
        }
        by_node
    }

    /// Why the board cannot be saved, if it cannot.
    pub fn cannot_save(&self) -> Option<String> {
        let first = self.report.errors().first()?;
        let more = match self.report.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        Some(format!(
            "not saved: the workflow is invalid — [{}] {first}{more}",
            first.code()
        ))
    }
}

fn cycles(report: &ValidationReport) -> usize {
    report
        .errors()
        .iter()
        .filter(|e| matches!(e, ValidationError::Cycle { .. }))
        .count()
}
