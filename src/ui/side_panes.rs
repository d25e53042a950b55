//! The non-editor panes: the Conductor chat (drawn by `chat_pane`), the Harmony Board
//! (`board_pane`) and the execution monitor (`monitor_pane`).

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::app::state::{AppState, PaneId};

use super::{board_pane, chat_pane, monitor_pane};

/// Draw a non-editor pane.
pub fn render(state: &AppState, pane: PaneId, frame: &mut Frame, area: Rect) {
    match pane {
        PaneId::Conductor => chat_pane::render(state, frame, area),
        PaneId::Board => board_pane::render(state, frame, area),
        PaneId::Monitor => monitor_pane::render(state, frame, area),
        PaneId::Editor => {}
    }
}
