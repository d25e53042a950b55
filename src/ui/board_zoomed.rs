//! The board's nodes when zoomed out: one row per node (`[⚙ name]`) or one cell per node
//! (its kind's symbol). The node's standing is in the shapes of its ends (or its one
//! character), not in colour alone: selected `▶ ◀` / `◉`, edge source `« »` / `◎`, marked
//! `{ }` / `◆`, a possible target `< >` / `○`, a target that cannot be connected `· ·` /
//! `·`, a problem `✗`, a collapsed group `⊞`. When the monitor follows a run of this
//! workflow, each node's state is drawn as its symbol (`✓ ✗ ↷ …`, `○` not started, coloured as
//! in the monitor): at the end of a line, or as the dot itself of a node with no other
//! standing.

use std::collections::HashMap;

use pit::dag::NodeId;
use pit::runs::NodeOutcome;
use ratatui::buffer::Buffer;
use ratatui::style::{Modifier, Style};
use unicode_width::UnicodeWidthChar;

use crate::app::board::group;
use crate::app::board::run_state;
use crate::app::board::state::BoardState;
use crate::app::board::update::is_candidate;
use crate::app::board::zoom::Zoom;
use crate::theme::UiColors;

use super::board_pane::{View, kind_symbol};
use super::colors::fg;
use super::monitor_pane::outcome_style;

/// How a node stands, which decides its ends and its style.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Standing {
    Source,
    Selected,
    Dimmed,
    Marked,
    Candidate,
    Problem,
    Plain,
}

/// Draws the nodes in view at the `Lines` or `Dots` zoom level; `run` holds the followed
/// run's node states (empty when the board shows another workflow).
pub(super) fn draw_nodes(
    board: &BoardState,
    ui: &UiColors,
    buf: &mut Buffer,
    view: &View,
    run: &HashMap<&NodeId, NodeOutcome>,
) {
    let (graph, scroll) = (view.rect, view.scroll);
    let problems = board.problems();
    let hidden = group::hidden(&board.doc);
    let mut sizes: HashMap<&str, usize> = HashMap::new();
    for node in &board.doc.file.nodes {
        if let Some(g) = node.group.as_deref() {
            *sizes.entry(g).or_default() += 1;
        }
    }
    let (bw, bh) = (board.options.node_width, board.options.node_height);
    let (x1, y1) = (
        scroll.0 + u32::from(graph.width),
        scroll.1 + u32::from(graph.height),
    );
    for (i, place) in board.layout.nodes.iter().enumerate() {
        if place.x >= x1 || place.x + bw <= scroll.0 || place.y >= y1 || place.y + bh <= scroll.1 {
            continue;
        }
        if hidden.get(i).copied().unwrap_or(false) {
            continue;
        }
        let Some(node) = board.doc.file.nodes.get(i) else {
            continue;
        };
        let source = board.connecting.as_ref() == Some(&node.id);
        let connecting = board.connecting.is_some() && !source;
        let candidate = connecting && is_candidate(board, &node.id);
        let collapsed = group::collapsed_group_of(&board.doc, &node.id);
        let standing = if source {
            Standing::Source
        } else if board.selected.as_ref() == Some(&node.id) {
            Standing::Selected
        } else if connecting && !candidate {
            Standing::Dimmed
        } else if board.marks.contains(&node.id) {
            Standing::Marked
        } else if candidate {
            Standing::Candidate
        } else if problems.contains_key(&node.id) {
            Standing::Problem
        } else {
            Standing::Plain
        };
        let style = match standing {
            Standing::Source => fg(ui.accent).add_modifier(Modifier::BOLD),
            Standing::Selected => fg(ui.border_focused).add_modifier(Modifier::BOLD),
            Standing::Dimmed => fg(ui.dim),
            Standing::Marked | Standing::Candidate => fg(ui.accent),
            Standing::Problem => fg(ui.error),
            Standing::Plain => fg(ui.foreground),
        };
        let mut put = |dx: u32, c: char, style: Style| {
            let (x, y) = (place.x + dx, place.y);
            if x >= scroll.0
                && x < x1
                && y >= scroll.1
                && y < y1
                && let Some(cell) = buf.cell_mut((
                    graph.x + (x - scroll.0) as u16,
                    graph.y + (y - scroll.1) as u16,
                ))
            {
                cell.set_char(c).set_style(style);
            }
        };
        // The run state's symbol and style, when a run of this workflow is followed.
        let badge = (!run.is_empty()).then(|| match run_state::shown(&board.doc, run, &node.id) {
            Some(outcome) => (first_char(outcome.symbol()), outcome_style(ui, outcome)),
            None => ('○', fg(ui.dim)),
        });
        let symbol = if collapsed.is_some() {
            '⊞'
        } else if standing == Standing::Problem {
            '✗'
        } else {
            kind_symbol(node.kind)
        };
        if board.zoom == Zoom::Dots || bw < 4 {
            let (c, style) = match (standing, badge) {
                (Standing::Source, _) => ('◎', style),
                (Standing::Selected, _) => ('◉', style),
                (Standing::Dimmed, _) => ('·', style),
                (Standing::Marked, _) => ('◆', style),
                (Standing::Candidate, _) => ('○', style),
                (Standing::Plain, Some(badge)) => badge,
                (Standing::Problem | Standing::Plain, _) => (symbol, style),
            };
            put(0, c, style);
            continue;
        }
        // The badge takes the last two cells inside the ends: a space and the symbol.
        let badge_room = if badge.is_some() && bw >= 6 { 2 } else { 0 };
        let (open, close) = match standing {
            Standing::Source => ('«', '»'),
            Standing::Selected => ('▶', '◀'),
            Standing::Dimmed => ('·', '·'),
            Standing::Marked => ('{', '}'),
            Standing::Candidate => ('<', '>'),
            Standing::Problem | Standing::Plain => ('[', ']'),
        };
        let room = (bw - 2 - badge_room) as usize;
        let label = match collapsed {
            // The member count is left out first when the line is short: a cut name reads worse.
            Some(g) => {
                let counted = format!("{symbol} {g} ({})", sizes.get(g).copied().unwrap_or(0));
                if width(&counted) <= room {
                    counted
                } else {
                    format!("{symbol} {g}")
                }
            }
            None => {
                let name = node.name.as_deref().unwrap_or(node.id.as_str());
                format!("{symbol} {name}")
            }
        };
        put(0, open, style);
        let mut dx = 1;
        let total = width(&label);
        let keep = if total > room {
            room.saturating_sub(1)
        } else {
            room
        };
        let mut used = 0;
        for c in label.chars() {
            let w = c.width().unwrap_or(0);
            if w == 0 || used + w > keep {
                if w > 0 {
                    break;
                }
                continue;
            }
            put(dx, c, style);
            dx += w as u32;
            used += w;
        }
        if total > room {
            put(dx, '…', style);
            dx += 1;
        }
        while dx < bw - 1 {
            put(dx, ' ', style);
            dx += 1;
        }
        if let Some((c, badge_style)) = badge.filter(|_| badge_room > 0) {
            put(bw - 2, c, badge_style);
        }
        put(bw - 1, close, style);
    }
}

/// The first character of a one-character symbol.
fn first_char(symbol: &str) -> char {
    symbol.chars().next().unwrap_or('?')
}

/// Columns `s` takes.
fn width(s: &str) -> usize {
    s.chars().map(|c| c.width().unwrap_or(0)).sum()
}
