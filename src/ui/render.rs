//! `render(&AppState, &mut Frame)`: draws the whole screen. Never mutates the state.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::app::layout::{Area, screen_layout};
use crate::app::state::{AppState, Overlay, PaneId};

use super::colors::{color, fg};
use super::{editor_pane, overlays, side_panes, status_bar};

/// A layout area as a ratatui rectangle.
pub fn rect(area: Area) -> Rect {
    Rect::new(area.x, area.y, area.width, area.height)
}

/// Draw everything.
pub fn render(state: &AppState, frame: &mut Frame) {
    let (width, height) = (frame.area().width, frame.area().height);
    let ui = &state.theme.ui;
    frame.render_widget(
        Block::new().style(
            Style::new()
                .bg(color(ui.background))
                .fg(color(ui.foreground)),
        ),
        frame.area(),
    );
    let screen = screen_layout(width, height, &state.layout);
    if let Some(tab_bar) = screen.tab_bar {
        render_tab_bar(state, frame, rect(tab_bar));
    }
    let bordered = screen.tab_bar.is_none();
    for (pane, area) in &screen.panes {
        let area = rect(*area);
        let inner = if bordered {
            let focused = *pane == state.layout.focus;
            let border = if focused {
                ui.border_focused
            } else {
                ui.border
            };
            let title = pane_title(state, *pane);
            let block = Block::new()
                .borders(Borders::ALL)
                .border_style(fg(border))
                .title(Span::styled(
                    title,
                    fg(ui.title).add_modifier(if focused {
                        Modifier::BOLD
                    } else {
                        Modifier::empty()
                    }),
                ));
            let inner = block.inner(area);
            frame.render_widget(block, area);
            inner
        } else {
            area
        };
        match pane {
            PaneId::Editor => editor_pane::render(state, frame, inner),
            other => side_panes::render(state, *other, frame, inner),
        }
    }
    status_bar::render(state, frame, rect(screen.status_bar));
    match &state.overlay {
        Some(Overlay::Prompt(prompt)) => {
            overlays::render_prompt(state, prompt, frame, rect(screen.prompt_row))
        }
        Some(overlay) => overlays::render(state, overlay, frame),
        None => {}
    }
}

fn pane_title(state: &AppState, pane: PaneId) -> String {
    match pane {
        PaneId::Editor => {
            let names: Vec<String> = state
                .buffers
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    let mark = if b.modified() { " ●" } else { "" };
                    if i == state.active {
                        format!("[{}{mark}]", b.display_name())
                    } else {
                        format!("{}{mark}", b.display_name())
                    }
                })
                .collect();
            format!(" {} ", names.join(" "))
        }
        other => format!(" {} ", other.title()),
    }
}

fn render_tab_bar(state: &AppState, frame: &mut Frame, area: Rect) {
    let ui = &state.theme.ui;
    let mut spans = Vec::new();
    for (i, pane) in PaneId::ALL.iter().enumerate() {
        let label = format!(" {} {} ", i + 1, pane.title());
        let style = if *pane == state.layout.focus {
            Style::new()
                .fg(color(ui.status_foreground))
                .bg(color(ui.accent))
                .add_modifier(Modifier::BOLD)
        } else {
            fg(ui.dim)
        };
        spans.push(Span::styled(label, style));
    }
    if state.layout.zoomed {
        spans.push(Span::styled(" [zoom] ", fg(ui.warning)));
    }
    if state.layout.focus == PaneId::Editor
        && let Some(buffer) = state.active_buffer()
    {
        let mark = if buffer.modified() { " ●" } else { "" };
        spans.push(Span::styled(
            format!("  {}{mark}", buffer.display_name()),
            fg(ui.title),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
