//! The editor pane: line numbers, styled text from xi, selections and the cursor.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::widgets::Paragraph;

use crate::app::state::{AppState, BufferState, PaneId};
use crate::app::text_columns::{byte_to_column, char_width};
use crate::app::update::gutter_width;
use crate::ports::StyleDef;

use super::colors::{color, fg};

/// xi reserves style 0 for selections and 1–7 for find matches; defined styles start at 8.
const SELECTION_STYLE: u32 = 0;
const FIND_STYLES: std::ops::RangeInclusive<u32> = 1..=7;

/// Draw the active buffer into `area`.
pub fn render(state: &AppState, frame: &mut Frame, area: Rect) {
    let Some(buffer) = state.active_buffer() else {
        frame.render_widget(
            Paragraph::new("No buffer").style(fg(state.theme.ui.dim)),
            area,
        );
        return;
    };
    if !buffer.ready {
        let text = match &buffer.path {
            Some(path) => format!("Opening {}…", path.display()),
            None => "Opening a scratch buffer…".to_owned(),
        };
        frame.render_widget(Paragraph::new(text).style(fg(state.theme.ui.dim)), area);
        return;
    }
    let cursor = buffer.cache.cursor();
    draw_lines(
        state,
        buffer,
        frame.buffer_mut(),
        area,
        cursor.map(|(l, _)| l),
    );
    let focused = state.layout.focus == PaneId::Editor && state.overlay.is_none();
    if focused && let Some((line, col)) = cursor {
        let gutter = gutter_width(buffer.cache.height());
        let text = buffer
            .cache
            .get(line)
            .and_then(|l| l.text.as_deref())
            .unwrap_or_default();
        let column = byte_to_column(text, col);
        if line >= buffer.scroll_top && column >= buffer.scroll_left {
            let x = area.x as usize + gutter + column - buffer.scroll_left;
            let y = area.y as usize + line - buffer.scroll_top;
            if x < (area.x + area.width) as usize && y < (area.y + area.height) as usize {
                frame.set_cursor_position(Position::new(x as u16, y as u16));
            }
        }
    }
}

fn syntax_style(state: &AppState, def: &StyleDef) -> Style {
    let mut style = Style::new();
    if let Some(argb) = def.fg {
        style = style.fg(color(state.theme.syntax_color(argb)));
    }
    if let Some(argb) = def.bg
        && argb >> 24 != 0
    {
        style = style.bg(color(state.theme.syntax_color(argb)));
    }
    if def.bold {
        style = style.add_modifier(Modifier::BOLD);
    }
    if def.italic {
        style = style.add_modifier(Modifier::ITALIC);
    }
    if def.underline {
        style = style.add_modifier(Modifier::UNDERLINED);
    }
    style
}

/// Per-byte style ids for one line, from xi's `[start-delta, len, id, …]` triples.
fn span_styles(styles: &[i64], text_len: usize) -> Vec<(usize, usize, u32)> {
    let mut spans = Vec::with_capacity(styles.len() / 3);
    let mut end = 0i64;
    for triple in styles.chunks_exact(3) {
        let start = end + triple[0];
        let len = triple[1];
        end = start + len;
        if start < 0 || len < 0 || triple[2] < 0 {
            continue;
        }
        let (s, e) = ((start as usize).min(text_len), (end as usize).min(text_len));
        spans.push((s, e, triple[2] as u32));
    }
    spans
}

fn draw_lines(
    state: &AppState,
    buffer: &BufferState,
    out: &mut Buffer,
    area: Rect,
    cursor_line: Option<usize>,
) {
    let ui = &state.theme.ui;
    let gutter = gutter_width(buffer.cache.height());
    let text_width = (area.width as usize).saturating_sub(gutter);
    let selections = buffer.cache.selections();
    for row in 0..area.height as usize {
        let index = buffer.scroll_top + row;
        let y = area.y + row as u16;
        if index >= buffer.cache.height() {
            if row > 0 || index > 0 {
                out.set_string(
                    area.x,
                    y,
                    format!("{:>w$}", "~", w = gutter - 1),
                    fg(ui.dim),
                );
            }
            continue;
        }
        let is_cursor_line = cursor_line == Some(index);
        let base = if is_cursor_line {
            Style::new().bg(color(ui.cursor_line))
        } else {
            Style::new()
        };
        if is_cursor_line {
            out.set_style(Rect::new(area.x, y, area.width, 1), base);
        }
        let number_style = if is_cursor_line {
            fg(ui.gutter_current)
        } else {
            fg(ui.gutter)
        };
        out.set_string(
            area.x,
            y,
            format!("{:>w$} ", index + 1, w = gutter - 1),
            base.patch(number_style),
        );
        let Some(line) = buffer.cache.get(index) else {
            continue;
        };
        let Some(text) = line.text.as_deref() else {
            out.set_string(area.x + gutter as u16, y, "…", fg(ui.dim));
            continue;
        };
        let text = text.trim_end_matches(['\n', '\r']);
        let spans = span_styles(&line.styles, text.len());
        let selected: Vec<(usize, usize)> = selections
            .iter()
            .filter_map(|&(l1, c1, l2, c2)| {
                if index < l1 || index > l2 || (l1 == l2 && c1 == c2) {
                    return None;
                }
                let start = if index == l1 { c1 } else { 0 };
                let end = if index == l2 { c2 } else { text.len() + 1 };
                Some((start, end))
            })
            .collect();
        let mut col = 0usize;
        for (byte, c) in text.char_indices() {
            let width = char_width(c, col);
            if col >= buffer.scroll_left + text_width {
                break;
            }
            let mut style = base.fg(color(ui.foreground));
            for &(s, e, id) in &spans {
                if byte >= s && byte < e {
                    style = match id {
                        SELECTION_STYLE => style.bg(color(ui.selection)),
                        id if FIND_STYLES.contains(&id) => {
                            style.add_modifier(Modifier::UNDERLINED | Modifier::BOLD)
                        }
                        id => state
                            .styles
                            .get(&id)
                            .map_or(style, |def| style.patch(syntax_style(state, def))),
                    };
                }
            }
            if selected.iter().any(|&(s, e)| byte >= s && byte < e) {
                style = style.bg(color(ui.selection));
            }
            if col >= buffer.scroll_left {
                let x = area.x as usize + gutter + col - buffer.scroll_left;
                let shown = if c == '\t' || c.is_control() {
                    " ".repeat(width)
                } else {
                    c.to_string()
                };
                if width > 0 && x + width <= (area.x + area.width) as usize {
                    out.set_string(x as u16, y, shown, style);
                }
            }
            col += width;
        }
        // A selection that runs past the line end shows one cell, like other editors.
        if selected.iter().any(|&(_, e)| e > text.len()) && col >= buffer.scroll_left {
            let x = area.x as usize + gutter + col - buffer.scroll_left;
            if x < (area.x + area.width) as usize {
                out.set_style(
                    Rect::new(x as u16, y, 1, 1),
                    Style::new().bg(color(ui.selection)),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xi_style_triples_are_relative() {
        // "fn main": `fn` style 2, then one byte later `main` style 3.
        assert_eq!(
            span_styles(&[0, 2, 2, 1, 4, 3], 7),
            vec![(0, 2, 2), (3, 7, 3)]
        );
        assert_eq!(span_styles(&[0, 99, 2], 3), vec![(0, 3, 2)]);
        assert_eq!(span_styles(&[-5, 2, 2], 3), vec![]);
    }
}
