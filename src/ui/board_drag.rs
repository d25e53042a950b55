//! Draws what a mouse drag in progress on the board would do when released
//! (`app/board/mouse.rs`, `drop_of`): the dragged node's ghost — a dotted outline with its
//! name — in the place of its layer it would take, or a dotted line with an arrowhead from
//! it to the node it would be connected to (in the error colour when the edge would be
//! refused); the footer says it in words (`hint`).

use ratatui::buffer::Buffer;
use ratatui::style::{Modifier, Style};
use unicode_width::UnicodeWidthChar;

use crate::app::board::mouse::{Drag, Landing, drop_of};
use crate::app::board::state::{BoardState, Tone};
use crate::theme::UiColors;

use super::board_pane::{View, kind_symbol, to_screen};
use super::colors::fg;

/// Draws the drop of the drag in progress, if there is one (after the nodes: it is on top).
pub(super) fn draw(board: &BoardState, ui: &UiColors, buf: &mut Buffer, view: &View) {
    let Some(drag) = &board.drag else {
        return;
    };
    match drop_of(board, drag) {
        Some(Landing::Move { at, .. }) => ghost(board, drag, ui, buf, view, at),
        Some(Landing::Connect { to, refused }) => {
            let style = match refused {
                Some(_) => fg(ui.error),
                None => fg(ui.accent).add_modifier(Modifier::BOLD),
            };
            line(board, drag, &to, style, buf, view);
        }
        None => {}
    }
}

/// What releasing the drag in progress would do, in words, for the footer.
pub(super) fn hint(board: &BoardState) -> Option<(Tone, String)> {
    let drag = board.drag.as_ref()?;
    let from = &drag.from;
    Some(match drop_of(board, drag)? {
        Landing::Move { by, .. } => {
            let (n, side) = (by.unsigned_abs(), if by < 0 { "left" } else { "right" });
            let s = if n == 1 { "" } else { "s" };
            (
                Tone::Info,
                format!("release to move `{from}` {n} place{s} {side}"),
            )
        }
        Landing::Connect { to, refused: None } => {
            (Tone::Info, format!("release to connect `{from}` → `{to}`"))
        }
        Landing::Connect {
            to,
            refused: Some(reason),
        } => (
            Tone::Error,
            format!("`{from}` → `{to}` would be refused: {reason}"),
        ),
    })
}

fn put(buf: &mut Buffer, view: &View, (x, y): (u32, u32), c: char, style: Style) {
    if let Some(pos) = to_screen(view, x, y)
        && let Some(cell) = buf.cell_mut(pos)
    {
        cell.set_char(c).set_style(style);
    }
}

/// The dragged node's ghost at `at`: a dotted outline with its kind and name inside (one
/// row `┊⚙ name┊` one line per node, `◌` as a dot).
fn ghost(
    board: &BoardState,
    drag: &Drag,
    ui: &UiColors,
    buf: &mut Buffer,
    view: &View,
    (x, y): (u32, u32),
) {
    let (bw, bh) = (board.options.node_width, board.options.node_height);
    let style = fg(ui.accent);
    if bw < 3 {
        put(buf, view, (x, y), '◌', style);
        return;
    }
    let Some(node) = board.doc.node(&drag.from) else {
        return;
    };
    let name = node.name.as_deref().unwrap_or(node.id.as_str());
    let title = format!("{} {name}", kind_symbol(node.kind));
    for dy in 0..bh {
        for dx in 0..bw {
            let edge_x = dx == 0 || dx == bw - 1;
            let edge_y = bh > 1 && (dy == 0 || dy == bh - 1);
            let c = match (edge_x, edge_y) {
                (true, true) => match (dx == 0, dy == 0) {
                    (true, true) => '┌',
                    (false, true) => '┐',
                    (true, false) => '└',
                    (false, false) => '┘',
                },
                (true, false) => '┊',
                (false, true) => '┈',
                (false, false) => ' ',
            };
            put(buf, view, (x + dx, y + dy), c, style);
        }
    }
    let row = if bh > 1 { y + 1 } else { y };
    let room = bw.saturating_sub(2);
    let mut dx = 1;
    for c in title.chars() {
        let w = c.width().unwrap_or(0) as u32;
        if w == 0 {
            continue;
        }
        if dx - 1 + w > room {
            break;
        }
        put(
            buf,
            view,
            (x + dx, row),
            c,
            style.add_modifier(Modifier::DIM),
        );
        dx += w;
    }
}

/// A dotted line from the dragged node's box to `to`'s, down (or up) from the middle of the
/// one, across, and down (or up) into the middle of the other with an arrowhead. It passes
/// behind other nodes' boxes.
fn line(
    board: &BoardState,
    drag: &Drag,
    to: &pit::dag::NodeId,
    style: Style,
    buf: &mut Buffer,
    view: &View,
) {
    let place = |id| {
        board
            .doc
            .position(id)
            .and_then(|p| board.layout.nodes.get(p.index()).copied())
    };
    let (Some(s), Some(t)) = (place(&drag.from), place(to)) else {
        return;
    };
    let (bw, bh) = (board.options.node_width, board.options.node_height);
    let (xs, xt) = (s.x + bw / 2, t.x + bw / 2);
    let down = t.y > s.y;
    // The first and last rows outside the boxes, and the row the line crosses on.
    let (ys, ye, head) = if down {
        (s.y + bh, t.y.saturating_sub(1), '▼')
    } else {
        (s.y.saturating_sub(1), t.y + bh, '▲')
    };
    let mid = if down {
        ye.saturating_sub(1).max(ys)
    } else {
        (ye + 1).min(ys)
    };
    let mut cells: Vec<((u32, u32), char)> = Vec::new();
    for y in ys.min(mid)..=ys.max(mid) {
        cells.push(((xs, y), '┆'));
    }
    for x in xs.min(xt)..=xs.max(xt) {
        cells.push(((x, mid), '┄'));
    }
    for y in mid.min(ye)..=mid.max(ye) {
        cells.push(((xt, y), '┆'));
    }
    if xs != xt {
        let right = xt > xs;
        // Corners: where the line leaves the source's column and where it reaches the
        // target's, rounded.
        let (first, second) = match (down, right) {
            (true, true) => ('╰', '╮'),
            (true, false) => ('╯', '╭'),
            (false, true) => ('╭', '╯'),
            (false, false) => ('╮', '╰'),
        };
        cells.push(((xs, mid), first));
        cells.push(((xt, mid), second));
    }
    cells.push(((xt, ye), head));
    for (cell, c) in cells {
        if board
            .layout
            .node_at(cell.0, cell.1, &board.options)
            .is_none()
        {
            put(buf, view, cell, c, style);
        }
    }
}
