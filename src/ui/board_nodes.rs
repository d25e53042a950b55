//! The Harmony Board's node boxes: the border that says what a node is to the edit in hand
//! (selected, the edge's source, a possible or an impossible target, marked), its kind symbol
//! and name, its typed ports on the borders, its problems and, when the monitor follows a run
//! of this workflow, its state (see `board_pane.rs` for the rest of the board).

use std::collections::HashMap;

use ratatui::buffer::Buffer;
use ratatui::style::{Modifier, Style};
use unicode_width::UnicodeWidthChar;

use crate::app::board::group;
use crate::app::board::ports;
use crate::app::board::run_state;
use crate::app::board::state::BoardState;
use crate::app::board::update::is_candidate;
use crate::theme::UiColors;

use super::board_pane::{View, kind_symbol, to_screen};
use super::colors::fg;

/// Border characters: corners, horizontal, vertical.
struct Frame9 {
    tl: char,
    tr: char,
    bl: char,
    br: char,
    h: char,
    v: char,
}

const THIN: Frame9 = Frame9 {
    tl: '┌',
    tr: '┐',
    bl: '└',
    br: '┘',
    h: '─',
    v: '│',
};
const THICK: Frame9 = Frame9 {
    tl: '┏',
    tr: '┓',
    bl: '┗',
    br: '┛',
    h: '━',
    v: '┃',
};
const DOUBLE: Frame9 = Frame9 {
    tl: '╔',
    tr: '╗',
    bl: '╚',
    br: '╝',
    h: '═',
    v: '║',
};
const ROUNDED: Frame9 = Frame9 {
    tl: '╭',
    tr: '╮',
    bl: '╰',
    br: '╯',
    h: '─',
    v: '│',
};
const MARKED: Frame9 = Frame9 {
    tl: '┏',
    tr: '┓',
    bl: '┗',
    br: '┛',
    h: '╍',
    v: '╏',
};
const DASHED: Frame9 = Frame9 {
    tl: '┌',
    tr: '┐',
    bl: '└',
    br: '┘',
    h: '┄',
    v: '┆',
};

/// Draws the node boxes; `run` holds the followed run's node states (empty when the board
/// shows another workflow), drawn as a symbol and a colour.
pub(super) fn draw_nodes(
    board: &BoardState,
    ui: &UiColors,
    buf: &mut Buffer,
    view: &View,
    run: &HashMap<&pit::dag::NodeId, pit::runs::NodeOutcome>,
) {
    let (graph, (sx, sy)) = (view.rect, view.scroll);
    let problems = board.problems();
    let (bw, bh) = (board.options.node_width, board.options.node_height);
    // Where the edges in view leave their boxes, found once rather than per box.
    let starts: Vec<(u32, u32)> = board
        .layout
        .routes
        .iter()
        .filter(|r| !r.reversed)
        .filter_map(|r| r.points.first().copied())
        .filter(|&(x, y)| {
            (sx..sx + u32::from(graph.width)).contains(&x)
                && (sy..=sy + u32::from(graph.height)).contains(&y)
        })
        .collect();
    let (x1, y1) = (sx + u32::from(graph.width), sy + u32::from(graph.height));
    let hidden = group::hidden(&board.doc);
    for (i, place) in board.layout.nodes.iter().enumerate() {
        if place.x >= x1 || place.x + bw <= sx || place.y >= y1 || place.y + bh <= sy {
            continue;
        }
        if hidden.get(i).copied().unwrap_or(false) {
            continue;
        }
        let Some(node) = board.doc.file.nodes.get(i) else {
            continue;
        };
        let selected = board.selected.as_ref() == Some(&node.id);
        let source = board.connecting.as_ref() == Some(&node.id);
        let dimmed = board.connecting.is_some() && !source && !is_candidate(board, &node.id);
        let candidate = board.connecting.is_some() && !source && !dimmed;
        let collapsed = group::collapsed_group_of(&board.doc, &node.id);
        let own = match collapsed {
            Some(g) => group_problems(board, &problems, g),
            None => problems.get(&node.id).cloned(),
        };
        let own = own.as_ref();
        let (frame, border) = if source {
            (&DOUBLE, fg(ui.accent).add_modifier(Modifier::BOLD))
        } else if selected {
            (&THICK, fg(ui.border_focused).add_modifier(Modifier::BOLD))
        } else if dimmed {
            (&DASHED, fg(ui.dim))
        } else if board.marks.contains(&node.id) {
            (&MARKED, fg(ui.accent))
        } else if candidate {
            (&ROUNDED, fg(ui.accent).add_modifier(Modifier::BOLD))
        } else if own.is_some() {
            (&THIN, fg(ui.error))
        } else {
            (&THIN, fg(ui.border))
        };
        let text = if dimmed {
            fg(ui.dim)
        } else {
            fg(ui.foreground)
        };
        let mut put = |dx: u32, dy: u32, c: char, style: Style| {
            if let Some(pos) = to_screen(view, place.x + dx, place.y + dy)
                && let Some(cell) = buf.cell_mut(pos)
            {
                cell.set_char(c).set_style(style);
            }
        };
        // Borders.
        for dx in 0..bw {
            let (top, bottom) = match dx {
                0 => (frame.tl, frame.bl),
                d if d == bw - 1 => (frame.tr, frame.br),
                _ => (frame.h, frame.h),
            };
            put(dx, 0, top, border);
            put(dx, bh - 1, bottom, border);
        }
        for dy in 1..bh - 1 {
            put(0, dy, frame.v, border);
            put(bw - 1, dy, frame.v, border);
            for dx in 1..bw - 1 {
                put(dx, dy, ' ', text);
            }
        }
        // Ports on the borders: inputs on the top one, outputs on the bottom one.
        if collapsed.is_none() {
            // The bottom label stops short of the middle, where edges leave.
            let rooms = [bw.saturating_sub(4), (bw / 2).saturating_sub(3)];
            for ((dy, list), room) in [(0, &node.inputs), (bh - 1, &node.outputs)]
                .into_iter()
                .zip(rooms)
            {
                if list.is_empty() {
                    continue;
                }
                let mut dx = 2;
                for (c, w) in fit(&ports::label(list), room as usize) {
                    put(dx, dy, c, border);
                    dx += w;
                }
            }
        }
        // Where edges leave: a tee in the bottom border.
        for &(x, y) in starts.iter() {
            if y == place.y + bh && x > place.x && x < place.x + bw - 1 {
                let tee = if frame.h == '━' {
                    '┳'
                } else if frame.h == '═' {
                    '╦'
                } else {
                    '┬'
                };
                put(x - place.x, bh - 1, tee, border);
            }
        }
        let inner = (bw - 2) as usize;
        let name = node
            .name
            .clone()
            .unwrap_or_else(|| node.id.as_str().to_owned());
        let title = match collapsed {
            Some(g) => format!("⊞ {g} ({})", group::members(&board.doc, g).len()),
            None => format!("{} {name}", kind_symbol(node.kind)),
        };
        let title_style = if dimmed {
            text
        } else {
            text.add_modifier(Modifier::BOLD)
        };
        let mut write = |dy: u32, s: &str, style: Style| {
            let mut dx = 1;
            for (c, w) in fit(s, inner) {
                put(dx, dy, c, style);
                dx += w;
            }
        };
        write(1, &title, title_style);
        match own {
            Some(list) => {
                let more = if list.len() > 1 {
                    format!(" +{}", list.len() - 1)
                } else {
                    String::new()
                };
                write(2, &format!("✗ {}{more}", list[0].code()), fg(ui.error));
            }
            None if !run.is_empty() => match run_state::shown(&board.doc, run, &node.id) {
                Some(outcome) => {
                    let style = super::monitor_pane::outcome_style(ui, outcome);
                    let state = format!("{} {}", outcome.symbol(), outcome.word());
                    write(2, &state, style);
                }
                None => write(2, "○ not started", fg(ui.dim)),
            },
            None => {
                let state = match collapsed {
                    Some(_) => "group ✓ (g expands)".to_owned(),
                    None => format!("{} ✓", node.kind.name()),
                };
                write(2, &state, if dimmed { text } else { fg(ui.dim) });
            }
        }
    }
}

/// The problems of a collapsed group's members, the first member's first.
fn group_problems<'a>(
    board: &'a BoardState,
    problems: &HashMap<&'a pit::dag::NodeId, Vec<&'a pit::dag::ValidationError>>,
    group: &str,
) -> Option<Vec<&'a pit::dag::ValidationError>> {
    let mut all: Vec<&pit::dag::ValidationError> = Vec::new();
    for id in group::members(&board.doc, group) {
        for e in problems.get(&id).into_iter().flatten() {
            if !all.contains(e) {
                all.push(e);
            }
        }
    }
    (!all.is_empty()).then_some(all)
}

/// The characters of `s` that fit in `width` columns, with their widths; an ellipsis ends a
/// cut string.
fn fit(s: &str, width: usize) -> Vec<(char, u32)> {
    let mut out = Vec::new();
    let mut used = 0;
    let total: usize = s.chars().map(|c| c.width().unwrap_or(0)).sum();
    let room = if total > width {
        width.saturating_sub(1)
    } else {
        width
    };
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if w == 0 {
            continue;
        }
        if used + w > room {
            break;
        }
        out.push((c, w as u32));
        used += w;
    }
    if total > width {
        out.push(('…', 1));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_cut_with_an_ellipsis() {
        let cut: String = fit("abcdefgh", 5).into_iter().map(|(c, _)| c).collect();
        assert_eq!(cut, "abcd…");
        let whole: String = fit("abc", 5).into_iter().map(|(c, _)| c).collect();
        assert_eq!(whole, "abc");
    }
}
