//! The mouse on the board, where the terminal reports it: a click selects the node under
//! it (in connect mode: makes the edge to it); a drag from a node dropped in its own layer
//! moves it there, dropped on a node of another layer connects the two; a click on the
//! minimap selects the node nearest to that point (the view follows). The wheel scrolls
//! (`update::scroll`). While a drag is in progress, what its release would do (`drop_of`)
//! is drawn: the node's ghost in its new place, or the edge to be made.

use pit::dag::NodeId;

use crate::app::effect::Effect;
use crate::app::layout::screen_layout;
use crate::app::state::{AppState, PaneId};

use super::document::Edit;
use super::state::BoardState;
use super::update::{connect, report};
use super::view::{FOOTER_ROWS, HEADER_ROWS, effective_scroll};
use super::{group, minimap};

/// A drag that began on a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drag {
    /// The node it began on.
    pub from: NodeId,
    /// The drawing cell the pointer is over now.
    pub over: (u32, u32),
}

/// What releasing a drag would do: where it lands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Landing {
    /// Move the dragged node `by` places within its layer, to the place whose box is at
    /// drawing cell `at` now.
    Move {
        /// Places to move (negative: left).
        by: i32,
        /// The top-left drawing cell of the place it would take.
        at: (u32, u32),
    },
    /// Make an edge from the dragged node to `to`, a node of another layer.
    Connect {
        /// The node dropped on.
        to: NodeId,
        /// Why the edge would be refused, if it would.
        refused: Option<String>,
    },
}

/// What releasing `drag` where it is now would do, if anything.
pub fn drop_of(board: &BoardState, drag: &Drag) -> Option<Landing> {
    let from = board.doc.position(&drag.from)?;
    let here = *board.layout.nodes.get(from.index())?;
    let cell = drag.over;
    let target = node_at(board, cell).filter(|t| *t != drag.from);
    if let Some(to) = target
        .as_ref()
        .filter(|t| !same_layer(board, &drag.from, t))
    {
        let source = group::edge_end(&board.doc, &drag.from, false);
        let end = group::edge_end(&board.doc, to, true);
        return Some(Landing::Connect {
            to: to.clone(),
            refused: board.doc.cannot_connect(&source, &end),
        });
    }
    let in_layer = cell.1 >= here.y && cell.1 < here.y + board.options.node_height;
    if !in_layer {
        return None;
    }
    let (by, at) = slot(board, &drag.from, cell.0, target.as_ref())?;
    Some(Landing::Move { by, at })
}

/// The board's graph area on screen: left column, top row, columns, rows.
fn graph_area(state: &AppState) -> Option<(u16, u16, u16, u16)> {
    let screen = screen_layout(state.size.0, state.size.1, &state.layout);
    let area = screen.pane(PaneId::Board)?;
    let inner = if screen.tab_bar.is_some() {
        area
    } else {
        area.inner()
    };
    let rows = inner.height.saturating_sub(HEADER_ROWS + FOOTER_ROWS);
    Some((inner.x, inner.y + HEADER_ROWS, inner.width, rows))
}

/// The drawing cell under a screen cell, if it is in the board's graph area.
pub fn cell_at(state: &AppState, col: u16, row: u16) -> Option<(u32, u32)> {
    let (x, y, width, rows) = graph_area(state)?;
    let inside = col >= x && col < x + width && row >= y && row < y + rows;
    if !inside {
        return None;
    }
    let scroll = effective_scroll(&state.board, (width, rows));
    Some((scroll.0 + u32::from(col - x), scroll.1 + u32::from(row - y)))
}

/// A click on the minimap: the node nearest to that point, if the click is on the map.
fn on_minimap(state: &AppState, col: u16, row: u16) -> Option<Option<NodeId>> {
    let (x, y, width, rows) = graph_area(state)?;
    let map = minimap::area(&state.board, x, y, width, rows)?;
    let cell = map.cell(col, row)?;
    Some(minimap::node_near(&state.board, &map, cell))
}

fn node_at(board: &BoardState, cell: (u32, u32)) -> Option<NodeId> {
    let at = board.layout.node_at(cell.0, cell.1, &board.options)?;
    let id = board.doc.file.nodes.get(at.index())?.id.clone();
    Some(group::shown_for(&board.doc, id))
}

/// The left button went down on the board.
pub(crate) fn press(state: &mut AppState, col: u16, row: u16) -> Vec<Effect> {
    if let Some(near) = on_minimap(state, col, row) {
        state.board.drag = None;
        if let Some(id) = near {
            state.board.selected = Some(id);
            super::update::follow(state);
        }
        return Vec::new();
    }
    let Some(cell) = cell_at(state, col, row) else {
        return Vec::new();
    };
    let board = &mut state.board;
    board.drag = None;
    let Some(id) = node_at(board, cell) else {
        return Vec::new();
    };
    board.selected = Some(id.clone());
    if board.connecting.is_some() {
        connect(board);
        return Vec::new();
    }
    board.drag = Some(Drag {
        from: id,
        over: cell,
    });
    Vec::new()
}

/// The pointer moved with the left button down.
pub(crate) fn drag(state: &mut AppState, col: u16, row: u16) {
    let Some(cell) = cell_at(state, col, row) else {
        return;
    };
    if let Some(drag) = &mut state.board.drag {
        drag.over = cell;
    }
}

/// The left button came up: a drag ends in a move or a connection (what `drop_of` said
/// while it was in progress).
pub(crate) fn release(state: &mut AppState, col: u16, row: u16) -> Vec<Effect> {
    let Some(mut drag) = state.board.drag.take() else {
        return Vec::new();
    };
    if let Some(cell) = cell_at(state, col, row) {
        drag.over = cell;
    }
    let board = &mut state.board;
    match drop_of(board, &drag) {
        Some(Landing::Connect { to, .. }) => {
            board.connecting = Some(drag.from);
            board.selected = Some(to);
            connect(board);
            board.connecting = None;
        }
        Some(Landing::Move { by, .. }) => {
            let id = drag.from;
            let outcome = board.edit(Edit::Move(id.clone(), by));
            report(board, outcome, format!("moved `{id}`"));
        }
        None => {}
    }
    Vec::new()
}

fn same_layer(board: &BoardState, a: &NodeId, b: &NodeId) -> bool {
    let layer = |id| {
        board
            .doc
            .position(id)
            .map(|p| board.layout.nodes[p.index()].layer)
    };
    layer(a) == layer(b)
}

/// Where in its layer `id` would go, dropped at column `x`: a node's place when dropped on
/// it, else among its neighbours by column. The places it moves by and the top-left cell
/// of the place it takes; `None` when it stays where it is.
fn slot(
    board: &BoardState,
    id: &NodeId,
    x: u32,
    onto: Option<&NodeId>,
) -> Option<(i32, (u32, u32))> {
    let from = board.doc.position(id)?;
    let hidden = group::hidden(&board.doc);
    let places = &board.layout.nodes;
    let here = places[from.index()];
    let mut row: Vec<usize> = (0..places.len())
        .filter(|&i| places[i].layer == here.layer && !hidden[i])
        .collect();
    row.sort_by_key(|&i| places[i].order);
    let now = row.iter().position(|&i| i == from.index())?;
    let width = board.options.node_width;
    let goal = match onto.and_then(|t| board.doc.position(t)) {
        Some(t) => row.iter().position(|&i| i == t.index()).unwrap_or(now),
        None => row
            .iter()
            .filter(|&&i| i != from.index() && places[i].x + width / 2 < x)
            .count(),
    };
    let by = goal as i32 - now as i32;
    let place = places[*row.get(goal)?];
    (by != 0).then_some((by, (place.x, place.y)))
}
