//! Draws the frames of the board's expanded groups (`app/board/group_frame.rs` says where):
//! a light dashed box with rounded corners and the group's name in its top border (in the
//! bottom one for a group on the first layer, whose top border is off the drawing), drawn
//! before the edges and the nodes so that they stay on top.

use ratatui::buffer::Buffer;
use ratatui::style::Style;
use unicode_width::UnicodeWidthChar;

use crate::app::board::group_frame::{GroupFrame, frames};
use crate::app::board::state::BoardState;
use crate::theme::UiColors;

use super::board_pane::{View, to_screen};
use super::colors::fg;

/// Draws the frames in view.
pub(super) fn draw(board: &BoardState, ui: &UiColors, buf: &mut Buffer, view: &View) {
    let style = fg(ui.dim);
    for frame in frames(board) {
        draw_frame(&frame, style, buf, view);
    }
}

fn draw_frame(frame: &GroupFrame, style: Style, buf: &mut Buffer, view: &View) {
    let mut put = |x: i64, y: i64, c: char| {
        let (Ok(x), Ok(y)) = (u32::try_from(x), u32::try_from(y)) else {
            return;
        };
        if let Some(pos) = to_screen(view, x, y)
            && let Some(cell) = buf.cell_mut(pos)
        {
            cell.set_char(c).set_style(style);
        }
    };
    let (l, t, r, b) = (frame.left, frame.top, frame.right, frame.bottom);
    for x in l + 1..r {
        put(x, t, '╌');
        put(x, b, '╌');
    }
    for y in t + 1..b {
        put(l, y, '╎');
        put(r, y, '╎');
    }
    put(l, t, '╭');
    put(r, t, '╮');
    put(l, b, '╰');
    put(r, b, '╯');
    // The name after the corner and a dash, cut to what the border holds; in the bottom
    // border when the top one is off the drawing (a group on its first layer).
    let t = if t < 0 { b } else { t };
    let room = r - l - 4;
    let mut x = l + 2;
    for c in format!(" {} ", frame.name).chars() {
        let w = i64::try_from(c.width().unwrap_or(0)).unwrap_or(1);
        if w == 0 {
            continue;
        }
        if x + w > l + 2 + room {
            break;
        }
        put(x, t, c);
        x += w;
    }
}
