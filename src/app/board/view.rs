//! The board pane's geometry, shared by `update` (scrolling with the selection) and the
//! renderer so that both agree: a header row, the graph, two footer rows.

use crate::app::layout::screen_layout;
use crate::app::state::{PaneId, PaneLayout};

use super::state::BoardState;

/// Rows above the graph: the workflow's name and the "x of y nodes, layers a–b" indicator.
pub const HEADER_ROWS: u16 = 1;
/// Rows below the graph: the selected node's problem, then the notice or the key hints.
pub const FOOTER_ROWS: u16 = 2;

/// Columns and rows of the graph's view in a terminal of `size`, as the board pane would
/// show it with focus (zoomed when `zoomed`).
pub fn graph_viewport(size: (u16, u16), zoomed: bool) -> (u16, u16) {
    let layout = PaneLayout {
        focus: PaneId::Board,
        zoomed,
    };
    let screen = screen_layout(size.0, size.1, &layout);
    let Some(area) = screen.pane(PaneId::Board) else {
        return (0, 0);
    };
    let inner = if screen.tab_bar.is_some() {
        area
    } else {
        area.inner()
    };
    (
        inner.width,
        inner.height.saturating_sub(HEADER_ROWS + FOOTER_ROWS),
    )
}

/// Scrolls so that the selected node's box is in view (with a column and a row to spare
/// where there is room).
pub fn follow_selection(board: &mut BoardState, viewport: (u16, u16)) {
    let Some(i) = board
        .selected
        .as_ref()
        .and_then(|id| board.doc.position(id))
    else {
        board.scroll = (0, 0);
        return;
    };
    let Some(place) = board.layout.nodes.get(i.index()) else {
        return;
    };
    let (w, h) = (u32::from(viewport.0), u32::from(viewport.1));
    let (bw, bh) = (board.options.node_width, board.options.node_height);
    board.scroll = effective_scroll(board, viewport);
    board.scroll.0 = follow_axis(board.scroll.0, place.x, bw, w);
    board.scroll.1 = follow_axis(board.scroll.1, place.y, bh, h);
}

/// The scroll the view uses: the board's, less what would show empty space past the
/// drawing's right or bottom edge (after a zoom or a resize made the view larger).
pub fn effective_scroll(board: &BoardState, viewport: (u16, u16)) -> (u32, u32) {
    let max_x = (board.layout.width + 1).saturating_sub(u32::from(viewport.0));
    let max_y = (board.layout.height + 1).saturating_sub(u32::from(viewport.1));
    (board.scroll.0.min(max_x), board.scroll.1.min(max_y))
}

fn follow_axis(scroll: u32, start: u32, size: u32, view: u32) -> u32 {
    let margin = u32::from(view > size + 2);
    if start < scroll + margin {
        start.saturating_sub(margin)
    } else if start + size + margin > scroll + view {
        (start + size + margin).saturating_sub(view)
    } else {
        scroll
    }
}

/// The layers whose bands meet rows `top..top + rows`, as `(first, last)`.
pub fn visible_layers(board: &BoardState, top: u32, rows: u32) -> Option<(usize, usize)> {
    let height = board.options.node_height;
    let bands = &board.layout.bands;
    let first = bands.iter().position(|b| b.y + height > top)?;
    let last = bands.iter().rposition(|b| b.y < top + rows)?;
    (first <= last).then_some((first, last))
}

#[cfg(test)]
mod tests {
    use super::follow_axis;

    #[test]
    fn the_view_moves_only_when_the_box_leaves_it() {
        assert_eq!(follow_axis(0, 5, 10, 40), 0);
        assert_eq!(follow_axis(0, 35, 10, 40), 6);
        assert_eq!(follow_axis(30, 10, 10, 40), 9);
        assert_eq!(follow_axis(0, 0, 10, 40), 0);
    }
}
