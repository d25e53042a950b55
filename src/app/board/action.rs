//! What can happen to the board: keys in its pane, what the runtime reports (a file read, a
//! file written, the installed extensions' node kinds), and its two overlays.

use std::path::PathBuf;

use pit::dag::WorkflowFile;

use super::browser::Browser;
use super::form::Form;
use super::library::Library;
use super::palette::{NodeTemplate, Palette};

/// An arrow's direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The node to the left in the layer.
    Left,
    /// The node to the right in the layer.
    Right,
    /// The nearest node in the layer above (a predecessor first).
    Up,
    /// The nearest node in the layer below (a successor first).
    Down,
}

/// A key in the board pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardKey {
    /// Move the selection (in connect mode: the target).
    Select(Step),
    /// Move the selected node by places within its layer (negative: left).
    Move(i8),
    /// Open the palette to add a node.
    Add,
    /// Start an edge from the selected node; in connect mode, make it.
    Connect,
    /// In connect mode, make the edge.
    Confirm,
    /// Delete the selected node and its edges.
    Delete,
    /// Undo the last edit.
    Undo,
    /// Redo the last undone edit.
    Redo,
    /// Save (asks for a path the first time).
    Save,
    /// Save under a new path.
    SaveAs,
    /// Open a workflow file.
    Open,
    /// Run the saved workflow.
    Run,
    /// Leave connect mode, else back to the editor.
    Escape,
    /// Scroll the view a page up (-1) or down (1).
    Page(i8),
    /// Mark or unmark the selected node (a visual selection).
    Mark,
    /// Duplicate the marked nodes, else the selection.
    Duplicate,
    /// Group the marked nodes, else collapse or expand the selection's group.
    Group,
    /// Dissolve the selection's group.
    Ungroup,
    /// Zoom in (-1) or out (1) a level: boxes, one line per node, dots.
    Zoom(i8),
    /// Show or hide the minimap.
    Minimap,
    /// Open the template browser.
    Templates,
    /// Edit the selected node's parameters in a form.
    EditParams,
}

/// Everything the board's update takes.
#[derive(Debug, Clone, PartialEq)]
pub enum BoardAction {
    /// A key.
    Key(BoardKey),
    /// Show this workflow (a Conductor plan sent with `/board`, or a file the CLI named).
    Show {
        /// The workflow.
        file: WorkflowFile,
        /// Where it saves, if anywhere yet.
        path: Option<PathBuf>,
    },
    /// A workflow file was read (or could not be).
    Loaded {
        /// The file.
        path: PathBuf,
        /// Its workflow, or why it could not be read.
        result: Result<WorkflowFile, String>,
    },
    /// A save ended.
    Saved {
        /// Where.
        path: PathBuf,
        /// Whether it worked.
        result: Result<(), String>,
    },
    /// A run started from the board ended.
    RunEnded {
        /// The workflow file.
        path: PathBuf,
        /// How it ended, or why it could not run.
        result: Result<RunEnd, String>,
    },
    /// The installed extensions' capabilities, for the palette (from the runtime).
    Extensions(Vec<NodeTemplate>),
    /// The templates, the catalog and the extensions' config schemas (from the runtime).
    Library(Box<Library>),
}

/// How a run started from the board ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunEnd {
    /// Every node completed (or was skipped on purpose).
    pub completed: bool,
    /// The run, its state and its counts, in a sentence.
    pub summary: String,
}

/// What a board path prompt is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathPurpose {
    /// Open a workflow file.
    Open,
    /// Save the workflow here.
    SaveAs,
}

/// The board's modal layers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BoardOverlay {
    /// The palette of node kinds.
    Palette(Palette),
    /// The template browser.
    Templates(Browser),
    /// A parameter form (a template's or a node's).
    Form(Form),
    /// A path to open or save to.
    Path {
        /// Which.
        purpose: PathPurpose,
        /// What has been typed.
        input: String,
    },
}
