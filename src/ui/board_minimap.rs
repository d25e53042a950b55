//! Draws the board's minimap: the whole drawing shrunk into a box in the graph's bottom-right
//! corner (where and when: `app/board/minimap.rs`), nodes as braille dots (2 × 4 per cell),
//! the view's part of it shaded and the selected node as `◉`.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;

use crate::app::board::state::BoardState;
use crate::app::board::{group, minimap};
use crate::theme::UiColors;

use super::colors::{color, fg};

/// Where the minimap goes in `graph` (border included) and how many drawing cells one of
/// its cells stands for, if it is shown (`app/board/minimap.rs` decides).
pub fn area(board: &BoardState, graph: Rect) -> Option<(Rect, f64)> {
    let map = minimap::area(board, graph.x, graph.y, graph.width, graph.height)?;
    Some((Rect::new(map.x, map.y, map.width, map.height), map.scale))
}

/// Draws the minimap over the graph, if it is shown.
pub fn draw(board: &BoardState, ui: &UiColors, buf: &mut Buffer, graph: Rect, scroll: (u32, u32)) {
    let Some((outer, scale)) = area(board, graph) else {
        return;
    };
    let inner = Rect::new(outer.x + 1, outer.y + 1, outer.width - 2, outer.height - 2);
    let border = fg(ui.border);
    let background = ratatui::style::Style::new().bg(color(ui.background));
    for y in outer.y..outer.y + outer.height {
        for x in outer.x..outer.x + outer.width {
            let top = y == outer.y;
            let bottom = y == outer.y + outer.height - 1;
            let left = x == outer.x;
            let right = x == outer.x + outer.width - 1;
            let c = match (top, bottom, left, right) {
                (true, _, true, _) => '┌',
                (true, _, _, true) => '┐',
                (_, true, true, _) => '└',
                (_, true, _, true) => '┘',
                (true, _, _, _) | (_, true, _, _) => '─',
                (_, _, true, _) | (_, _, _, true) => '│',
                _ => ' ',
            };
            if let Some(cell) = buf.cell_mut((x, y)) {
                cell.set_char(c).set_style(background.patch(border));
            }
        }
    }
    for (i, c) in "map".chars().enumerate() {
        if let Some(cell) = buf.cell_mut((outer.x + 2 + i as u16, outer.y)) {
            cell.set_char(c).set_style(fg(ui.title));
        }
    }
    let (iw, ih) = (usize::from(inner.width), usize::from(inner.height));
    let mut dots = vec![0u8; iw * ih];
    let hidden = group::hidden(&board.doc);
    let (bw, bh) = (board.options.node_width, board.options.node_height);
    // A braille cell is 2 dots wide and 4 high.
    let dot = |x: u32, y: u32| {
        (
            (f64::from(x) * 2.0 / scale) as usize,
            (f64::from(y) * 4.0 / scale) as usize,
        )
    };
    for (i, place) in board.layout.nodes.iter().enumerate() {
        if hidden.get(i).copied().unwrap_or(false) {
            continue;
        }
        let (dx, dy) = dot(place.x + bw / 2, place.y + bh / 2);
        let (cx, cy) = (dx / 2, dy / 4);
        if cx < iw && cy < ih {
            dots[cy * iw + cx] |= braille_bit(dx % 2, dy % 4);
        }
    }
    // The view: its cells are shaded (`▓` where nodes are, `░` where none are), so that it
    // shows without colour.
    let (vw, vh) = (f64::from(graph.width), f64::from(graph.height));
    let (sx, sy) = (f64::from(scroll.0), f64::from(scroll.1));
    let in_view = |cx: usize, cy: usize| {
        let (x0, y0) = (cx as f64 * scale, cy as f64 * scale);
        x0 + scale > sx && x0 < sx + vw && y0 + scale > sy && y0 < sy + vh
    };
    let node_style = fg(ui.foreground);
    let view_style = fg(ui.accent);
    for cy in 0..ih {
        for cx in 0..iw {
            let bits = dots[cy * iw + cx];
            let (c, style) = match (in_view(cx, cy), bits) {
                (true, 0) => ('░', view_style),
                (true, _) => ('▓', view_style),
                (false, 0) => (' ', node_style),
                (false, bits) => (
                    char::from_u32(0x2800 + u32::from(bits)).unwrap_or('·'),
                    node_style,
                ),
            };
            if let Some(cell) = buf.cell_mut((inner.x + cx as u16, inner.y + cy as u16)) {
                cell.set_char(c).set_style(background.patch(style));
            }
        }
    }
    if let Some(place) = board
        .selected
        .as_ref()
        .and_then(|id| board.doc.position(id))
        .and_then(|p| board.layout.nodes.get(p.index()))
    {
        let (dx, dy) = dot(place.x + bw / 2, place.y + bh / 2);
        let (cx, cy) = (dx / 2, dy / 4);
        if cx < iw
            && cy < ih
            && let Some(cell) = buf.cell_mut((inner.x + cx as u16, inner.y + cy as u16))
        {
            cell.set_char('◉')
                .set_style(fg(ui.border_focused).add_modifier(Modifier::BOLD));
        }
    }
}

/// The bit of a braille dot at column `x` (0–1) and row `y` (0–3) of its cell.
fn braille_bit(x: usize, y: usize) -> u8 {
    match (x, y) {
        (0, 0) => 0x01,
        (0, 1) => 0x02,
        (0, 2) => 0x04,
        (1, 0) => 0x08,
        (1, 1) => 0x10,
        (1, 2) => 0x20,
        (0, _) => 0x40,
        _ => 0x80,
    }
}

#[cfg(test)]
mod tests {
    use super::braille_bit;

    #[test]
    fn braille_dots_follow_the_unicode_order() {
        assert_eq!(braille_bit(0, 0) | braille_bit(1, 3), 0x81);
        assert_eq!(braille_bit(0, 3), 0x40);
        assert_eq!(braille_bit(1, 2), 0x20);
    }
}
