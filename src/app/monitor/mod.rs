//! The execution monitor: the newest run as its journal tells it (a `pit::runs::RunHistory`
//! folded by the runtime's run watcher, so that what the pane shows is what `symphony runs
//! show` prints), its error list, and the jump from an error to its node on the board.

mod metrics;
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
pub(crate) mod update;
mod view;

use std::collections::HashMap;

use pit::dag::NodeId;
use pit::runs::NodeOutcome;

use super::board::BoardState;

pub use metrics::{Metrics, SLICES};
pub use view::{NodeRow, Recovery, RunSource, RunView};

/// A key in the monitor pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonitorKey {
    /// Move the highlight in the error list (negative: up).
    Select(i32),
    /// Jump to the highlighted error's node on the board and show its detail.
    Open,
    /// Close the detail, else back to the editor.
    Back,
}

/// What the monitor pane shows about runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MonitorState {
    /// The newest run, once one exists.
    pub latest: Option<RunView>,
    /// The highlighted entry of the error list.
    pub selected: usize,
    /// The error whose detail (log, recovery) is shown.
    pub detail: Option<NodeId>,
    /// A node to select once the board has opened the run's workflow file.
    pub pending_jump: Option<NodeId>,
}

impl MonitorState {
    /// The row whose detail is shown.
    pub fn detail_row(&self) -> Option<&NodeRow> {
        self.latest.as_ref()?.row(self.detail.as_ref()?)
    }
}

/// Whether the board shows the workflow `view` ran: the same file, or the same name.
pub fn board_shows(board: &BoardState, view: &RunView) -> bool {
    if board.is_empty() {
        return false;
    }
    let same_file = board
        .path
        .as_ref()
        .is_some_and(|p| *p == view.file || p.ends_with(&view.file) || view.file.ends_with(p));
    let same_name = view.name.is_some() && board.doc.file.name == view.name;
    same_file || same_name
}

/// The followed run's node states, for the board to draw, when the board shows its
/// workflow (empty otherwise). Derived at render time: the monitor's view is the one truth.
pub fn board_states<'a>(
    board: &BoardState,
    monitor: &'a MonitorState,
) -> HashMap<&'a NodeId, NodeOutcome> {
    match &monitor.latest {
        Some(view) if board_shows(board, view) => {
            view.rows.iter().map(|r| (&r.node, r.outcome)).collect()
        }
        _ => HashMap::new(),
    }
}
