//! The monitor's pure update: a new view of the run, the error list's keys, and the jump from
//! an error to its node on the board (opening the run's workflow file first when the board
//! shows another).

use crate::app::board::state::{Notice, Tone};
use crate::app::effect::Effect;
use crate::app::state::{AppState, PaneId};

use super::{MonitorKey, RunView, board_shows};

/// The run watcher read the newest run again.
pub(crate) fn run_changed(state: &mut AppState, view: RunView) {
    let monitor = &mut state.monitor;
    let same_run = monitor.latest.as_ref().is_some_and(|v| v.run == view.run);
    if !same_run {
        monitor.selected = 0;
        monitor.detail = None;
    }
    let errors = view.errors().len();
    monitor.selected = monitor.selected.min(errors.saturating_sub(1));
    monitor.latest = Some(view);
}

/// A key in the monitor pane.
pub(crate) fn key(state: &mut AppState, key: MonitorKey) -> Vec<Effect> {
    let monitor = &mut state.monitor;
    let Some(view) = &monitor.latest else {
        if key == MonitorKey::Back {
            state.layout.focus = PaneId::Editor;
        }
        return Vec::new();
    };
    let errors = view.errors();
    match key {
        MonitorKey::Select(delta) => {
            let last = errors.len().saturating_sub(1) as i64;
            monitor.selected = (monitor.selected as i64 + i64::from(delta)).clamp(0, last) as usize;
            if monitor.detail.is_some() {
                monitor.detail = errors.get(monitor.selected).map(|(r, _)| r.node.clone());
            }
            Vec::new()
        }
        MonitorKey::Back => {
            if monitor.detail.take().is_none() {
                state.layout.focus = PaneId::Editor;
            }
            Vec::new()
        }
        MonitorKey::Open => {
            let Some(node) = errors.get(monitor.selected).map(|(r, _)| r.node.clone()) else {
                return Vec::new();
            };
            let shown = board_shows(&state.board, view);
            let file = view.file.clone();
            monitor.detail = Some(node.clone());
            if shown {
                select_on_board(state, node);
                Vec::new()
            } else {
                state.monitor.pending_jump = Some(node);
                vec![Effect::BoardLoad(file)]
            }
        }
    }
}

/// The board read a workflow file: if a jump waited for it, select the node now.
pub(crate) fn board_loaded(state: &mut AppState) {
    let Some(node) = state.monitor.pending_jump.take() else {
        return;
    };
    if state.board.doc.node(&node).is_some() {
        select_on_board(state, node);
    }
}

/// Selects `node` on the board, focuses it, and says where the detail is.
fn select_on_board(state: &mut AppState, node: pit::dag::NodeId) {
    let Some(row) = state.monitor.detail_row() else {
        return;
    };
    let what = match row.recovery() {
        Some(recovery) => format!("{} ({})", row.outcome.word(), recovery.word()),
        None => row.outcome.word().to_owned(),
    };
    let text = format!("`{node}` {what} in the last run: see the Monitor");
    let tone = match row.outcome {
        pit::runs::NodeOutcome::Failed => Tone::Error,
        _ => Tone::Warning,
    };
    state.board.selected = Some(node);
    state.board.connecting = None;
    state.board.notice = Some(Notice { tone, text });
    state.layout.focus = PaneId::Board;
    crate::app::board::update::follow(state);
}
