//! The non-editor panes: the Conductor chat (drawn by `chat_pane`), the Harmony Board
//! (`board_pane`) and the monitor, which reports the editor core's health.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::state::{AppState, PaneId};

use super::colors::fg;
use super::{board_pane, chat_pane};

/// Draw a non-editor pane.
pub fn render(state: &AppState, pane: PaneId, frame: &mut Frame, area: Rect) {
    let lines: Vec<Line> = match pane {
        PaneId::Conductor => return chat_pane::render(state, frame, area),
        PaneId::Board => return board_pane::render(state, frame, area),
        PaneId::Monitor => monitor_lines(state),
        PaneId::Editor => Vec::new(),
    };
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), area);
}

fn monitor_lines(state: &AppState) -> Vec<Line<'static>> {
    let ui = &state.theme.ui;
    let row = |label: &str, value: String, style| {
        Line::from(vec![
            Span::styled(format!("{label:<16}"), fg(ui.dim)),
            Span::styled(value, style),
        ])
    };
    let core = match &state.core.down {
        Some(reason) => row(
            "editor core",
            format!("restarting ({reason})"),
            fg(ui.warning),
        ),
        None => row("editor core", "✓ running".to_owned(), fg(ui.info)),
    };
    let restore = state.core.last_restore.map_or_else(
        || "—".to_owned(),
        |d| format!("{:.1} ms", d.as_secs_f64() * 1e3),
    );
    let modified = state.modified_buffers().count();
    vec![
        core,
        row(
            "restarts",
            state.core.restarts.to_string(),
            fg(ui.foreground),
        ),
        row("last restore", restore, fg(ui.foreground)),
        row(
            "bad messages",
            state.core.bad_messages.to_string(),
            fg(if state.core.bad_messages > 0 {
                ui.warning
            } else {
                ui.foreground
            }),
        ),
        row(
            "buffers",
            format!("{} open, {modified} modified", state.buffers.len()),
            fg(ui.foreground),
        ),
        Line::from(Span::styled("No workflow is running.", fg(ui.dim))),
    ]
}
