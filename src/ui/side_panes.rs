//! The non-editor panes: the Conductor chat (drawn by `chat_pane`), the Harmony Board
//! (`board_pane`) and the monitor, which reports the editor core's health.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::monitor::RunView;
use crate::app::state::{AppState, PaneId};
use pit::runs::NodeOutcome;

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
    let mut lines = vec![
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
    ];
    match &state.monitor.latest {
        None => lines.push(Line::from(Span::styled(
            "No workflow has run yet.",
            fg(ui.dim),
        ))),
        Some(view) => lines.extend(run_lines(state, view)),
    }
    lines
}

/// The newest run: a header, a progress gauge, then its nodes (failed and unfinished first),
/// each with a symbol and a colour, attempts, time and the first line of its error.
fn run_lines(state: &AppState, view: &RunView) -> Vec<Line<'static>> {
    let ui = &state.theme.ui;
    let status = view.ended.clone().unwrap_or_else(|| "running".to_owned());
    let status_style = match view.ended.as_deref() {
        Some("completed") => fg(ui.info),
        Some(_) => fg(ui.error),
        None => fg(ui.warning),
    };
    let settled = view.settled();
    let total = (view.total as usize).max(settled).max(1);
    let width = 20;
    let filled = settled * width / total;
    let mut lines = vec![
        Line::from(vec![
            Span::styled(format!("{:<16}", "run"), fg(ui.dim)),
            Span::styled(format!("{} ", view.run), fg(ui.foreground)),
            Span::styled(status, status_style),
        ]),
        Line::from(vec![
            Span::styled(format!("{:<16}", "workflow"), fg(ui.dim)),
            Span::styled(view.workflow.clone(), fg(ui.foreground)),
        ]),
        Line::from(vec![
            Span::styled("━".repeat(filled), fg(ui.info)),
            Span::styled("─".repeat(width - filled), fg(ui.dim)),
            Span::styled(
                format!(
                    " {settled}/{total} · {} ✓ {} ✗ {} ↷",
                    view.count(NodeOutcome::Completed),
                    view.count(NodeOutcome::Failed),
                    view.count(NodeOutcome::Skipped)
                ),
                fg(ui.foreground),
            ),
        ]),
    ];
    for row in &view.rows {
        let style = match row.outcome {
            NodeOutcome::Completed => fg(ui.info),
            NodeOutcome::Failed => fg(ui.error),
            NodeOutcome::Skipped => fg(ui.dim),
            NodeOutcome::Unfinished => fg(ui.warning),
        };
        let mut spans = vec![
            Span::styled(format!("{} ", row.outcome.symbol()), style),
            Span::styled(format!("{:<14}", row.node), fg(ui.foreground)),
        ];
        let mut detail = String::new();
        if row.attempts > 1 {
            detail.push_str(&format!(" ×{}", row.attempts));
        }
        if let Some(ms) = row.elapsed_ms {
            detail.push_str(&format!(" {:.1}s", ms as f64 / 1000.0));
        }
        spans.push(Span::styled(detail, fg(ui.dim)));
        if let Some(error) = &row.error {
            spans.push(Span::styled(format!(" {error}"), fg(ui.error)));
        }
        lines.push(Line::from(spans));
    }
    lines
}
