//! Overlays: the help, the buffer list, confirmations and the prompt line.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

use crate::app::keymap::Keymap;
use crate::app::state::{AppState, Overlay, Prompt};

use super::colors::{color, fg};

/// A centred rectangle of at most `width`×`height` inside `area`.
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

/// Draw a modal overlay (not the prompt, which lives on its own row).
pub fn render(state: &AppState, overlay: &Overlay, frame: &mut Frame) {
    let ui = &state.theme.ui;
    let area = frame.area();
    let block = |title: &str| {
        Block::new()
            .borders(Borders::ALL)
            .border_style(fg(ui.border_focused))
            .title(Span::styled(
                format!(" {title} "),
                fg(ui.title).add_modifier(Modifier::BOLD),
            ))
            .style(
                Style::new()
                    .bg(color(ui.overlay_background))
                    .fg(color(ui.foreground)),
            )
    };
    match overlay {
        Overlay::Help { scroll } => render_help(state, *scroll, frame, block),
        Overlay::Board(board) => super::board_overlays::render(state, board, frame, block),
        Overlay::BufferList { selected } => {
            let lines: Vec<Line> = state
                .buffers
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    let mark = if b.modified() { "[+]" } else { "   " };
                    let path = b
                        .path
                        .as_ref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_else(|| b.display_name());
                    let style = if i == *selected {
                        Style::new()
                            .bg(color(ui.selection))
                            .add_modifier(Modifier::BOLD)
                    } else {
                        Style::new()
                    };
                    Line::from(Span::styled(format!(" {mark} {path}"), style))
                })
                .collect();
            let rect = centred(area, 70, lines.len() as u16 + 2);
            frame.render_widget(Clear, rect);
            frame.render_widget(
                Paragraph::new(lines).block(block("Buffers — Enter opens, Esc closes")),
                rect,
            );
        }
        Overlay::ConfirmQuit => {
            let names: Vec<String> = state.modified_buffers().map(|b| b.display_name()).collect();
            confirm(
                frame,
                area,
                block("Quit?"),
                format!("Unsaved changes in {}.", names.join(", ")),
                "[s]ave all and quit   [d]iscard and quit   [c]ancel",
                state,
            );
        }
        Overlay::ConfirmClose(id) => {
            let name = state
                .buffers
                .iter()
                .find(|b| b.id == *id)
                .map(|b| b.display_name())
                .unwrap_or_default();
            confirm(
                frame,
                area,
                block("Close buffer?"),
                format!("{name} has unsaved changes."),
                "[s]ave and close   [d]iscard   [c]ancel",
                state,
            );
        }
        Overlay::Prompt(_) => {}
    }
}

/// One block of the help: a section heading and its rows.
fn help_sections(state: &AppState) -> Vec<Vec<Line<'static>>> {
    let ui = &state.theme.ui;
    let mut sections: Vec<Vec<Line<'static>>> = Vec::new();
    let mut current = String::new();
    let rows = Keymap::default().help_rows();
    let key_width = rows
        .iter()
        .map(|(_, keys, _)| keys.width())
        .max()
        .unwrap_or(0)
        + 2;
    for (section, keys, description) in rows {
        if section != current {
            sections.push(vec![Line::from(Span::styled(
                section.clone(),
                fg(ui.title).add_modifier(Modifier::BOLD),
            ))]);
            current = section;
        }
        if let Some(lines) = sections.last_mut() {
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<key_width$}"), fg(ui.accent)),
                Span::raw(description),
            ]));
        }
    }
    sections
}

/// The help's lines in two columns, the first of `rows`, the section cut in two named again
/// at the top of the second; `gap` puts a blank line between sections.
fn split_rows(
    sections: &[Vec<Line<'static>>],
    rows: usize,
    gap: bool,
) -> (Vec<Line<'static>>, Vec<Line<'static>>) {
    let mut left: Vec<Line<'static>> = Vec::new();
    let mut right: Vec<Line<'static>> = Vec::new();
    for (i, part) in sections.iter().enumerate() {
        for (j, line) in part.iter().enumerate() {
            let blank = gap && j == 0 && i > 0;
            if right.is_empty() && left.len() + usize::from(blank) < rows {
                if blank {
                    left.push(Line::default());
                }
                left.push(line.clone());
                continue;
            }
            if right.is_empty() && j > 0 {
                let mut heading = part[0].clone();
                heading.push_span(Span::raw(" (continued)"));
                right.push(heading);
            } else if blank && !right.is_empty() {
                right.push(Line::default());
            }
            right.push(line.clone());
        }
    }
    (left, right)
}

/// The help: one scrolling column, or two side by side when the terminal is wide enough to
/// show everything at once.
fn render_help<'a>(
    state: &AppState,
    scroll: usize,
    frame: &mut Frame,
    block: impl Fn(&str) -> Block<'a>,
) {
    let area = frame.area();
    let sections = help_sections(state);
    let join = |parts: &[Vec<Line<'static>>]| -> Vec<Line<'static>> {
        let mut lines = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                lines.push(Line::default());
            }
            lines.extend(part.iter().cloned());
        }
        lines
    };
    let all = join(&sections);
    let height = area.height.saturating_sub(2);
    // Split at the section boundary nearest the middle.
    let total: usize = all.len();
    let mut split = 0;
    let mut count = 0;
    for (i, part) in sections.iter().enumerate() {
        if count + part.len() > total / 2 {
            split = if count == 0 { i + 1 } else { i };
            break;
        }
        count += part.len() + 1;
    }
    let (mut left, mut right) = (join(&sections[..split]), join(&sections[split..]));
    let rows = height as usize;
    // No section boundary fits: continue a section in the second column, without the blank
    // lines between sections if need be.
    for gap in [true, false] {
        if left.len().max(right.len()) + 2 > rows {
            (left, right) = split_rows(&sections, rows.saturating_sub(2), gap);
        }
    }
    let two_columns = area.width >= 150 && left.len().max(right.len()) + 2 <= rows;
    if two_columns {
        let rect = centred(area, 144, left.len().max(right.len()) as u16 + 2);
        frame.render_widget(Clear, rect);
        let outer = block("Keys — Esc closes");
        let inner = outer.inner(rect);
        frame.render_widget(outer, rect);
        let half = inner.width / 2;
        frame.render_widget(
            Paragraph::new(left),
            Rect::new(inner.x, inner.y, half, inner.height),
        );
        frame.render_widget(
            Paragraph::new(right),
            Rect::new(
                inner.x + half + 1,
                inner.y,
                inner.width - half - 1,
                inner.height,
            ),
        );
        return;
    }
    let rect = centred(area, 72, height.min(all.len() as u16 + 2));
    frame.render_widget(Clear, rect);
    let visible = rect.height.saturating_sub(2) as usize;
    let scroll = scroll.min(all.len().saturating_sub(visible));
    let title = if all.len() > visible {
        "Keys — ↑↓ scroll, Esc closes"
    } else {
        "Keys — Esc closes"
    };
    frame.render_widget(
        Paragraph::new(all)
            .scroll((scroll as u16, 0))
            .block(block(title)),
        rect,
    );
}

fn confirm(
    frame: &mut Frame,
    area: Rect,
    block: Block,
    question: String,
    choices: &str,
    state: &AppState,
) {
    let width = (question.width().max(choices.width()) + 4) as u16;
    let rect = centred(area, width, 4);
    frame.render_widget(Clear, rect);
    let lines = vec![
        Line::raw(question),
        Line::from(Span::styled(choices.to_owned(), fg(state.theme.ui.accent))),
    ];
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

/// Draw the prompt on its row, with the terminal cursor in it.
pub fn render_prompt(state: &AppState, prompt: &Prompt, frame: &mut Frame, area: Rect) {
    let ui = &state.theme.ui;
    let label = prompt.kind.label();
    let line = Line::from(vec![
        Span::styled(label, fg(ui.accent).add_modifier(Modifier::BOLD)),
        Span::raw(prompt.input.clone()),
    ]);
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(line).style(Style::new().bg(color(ui.overlay_background))),
        area,
    );
    let before: String = prompt.input.chars().take(prompt.cursor).collect();
    let x = area.x as usize + label.width() + before.width();
    if x < (area.x + area.width) as usize {
        frame.set_cursor_position(Position::new(x as u16, area.y));
    }
}
