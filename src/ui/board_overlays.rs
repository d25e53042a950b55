//! The Harmony Board's overlays: the palette of node kinds (fuzzy-filtered as one types) and
//! the path prompt for opening and saving workflows.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::app::board::palette::matches;
use crate::app::board::{BoardOverlay, PathPurpose};
use crate::app::state::AppState;

use super::board_pane::kind_symbol;
use super::colors::{color, fg};

/// Draw one of the board's overlays: the palette, or the path prompt.
pub fn render<'a>(
    state: &AppState,
    overlay: &BoardOverlay,
    frame: &mut Frame,
    block: impl Fn(&str) -> Block<'a>,
) {
    let ui = &state.theme.ui;
    let area = frame.area();
    match overlay {
        BoardOverlay::Palette(palette) => {
            let found = matches(&palette.query, &state.board.templates);
            let rows = found.len().clamp(1, 12) as u16;
            let rect = centred(area, 64, rows + 4);
            let mut lines = vec![
                Line::from(vec![
                    Span::styled("› ", fg(ui.accent)),
                    Span::styled(format!("{}▏", palette.query), fg(ui.foreground)),
                ]),
                Line::default(),
            ];
            if found.is_empty() {
                lines.push(Line::from(Span::styled(
                    "no node kind matches",
                    fg(ui.warning),
                )));
            }
            let first = palette.selected.saturating_sub(rows as usize - 1);
            for (i, t) in found.iter().enumerate().skip(first).take(rows as usize) {
                let chosen = i == palette.selected;
                let style = if chosen {
                    Style::new()
                        .bg(color(ui.selection))
                        .add_modifier(Modifier::BOLD)
                } else {
                    Style::new()
                };
                lines.push(Line::from(vec![
                    Span::styled(if chosen { "▸ " } else { "  " }, style),
                    Span::styled(format!("{} {:<16}", kind_symbol(t.kind), t.name), style),
                    Span::styled(format!(" {}", t.description), style.fg(color(ui.dim))),
                ]));
            }
            frame.render_widget(Clear, rect);
            frame.render_widget(
                Paragraph::new(lines)
                    .block(block("Add a node — type to filter, Enter adds, Esc closes")),
                rect,
            );
        }
        BoardOverlay::Templates(browser) => {
            super::board_forms::render_browser(state, browser, frame, block);
        }
        BoardOverlay::Form(form) => super::board_forms::render_form(state, form, frame, block),
        BoardOverlay::Path { purpose, input } => {
            let label = match purpose {
                PathPurpose::Open => "Open workflow: ",
                PathPurpose::SaveAs => "Save workflow as: ",
            };
            let rect = centred(area, 72, 3);
            frame.render_widget(Clear, rect);
            let line = Line::from(vec![
                Span::styled(label, fg(ui.title)),
                Span::styled(format!("{input}▏"), fg(ui.foreground)),
            ]);
            frame.render_widget(Paragraph::new(line).block(block("Harmony Board")), rect);
        }
    }
}

fn centred(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    )
}
