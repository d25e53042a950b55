//! Moving the selection over the drawing: left and right within a layer, up and down to the
//! nearest node of the next layer — a node it is connected to when there is one.

use pit::dag::NodeId;

use super::action::Step;
use super::state::BoardState;

/// The node an arrow leads to from the selection (the first node when nothing is selected).
pub fn step(board: &BoardState, step: Step) -> Option<NodeId> {
    let Some(from) = board
        .selected
        .as_ref()
        .and_then(|id| board.doc.position(id))
    else {
        return board.first_node();
    };
    // Members of a collapsed group other than the one drawn for it are not stops, and a
    // selection inside one (a jump from elsewhere) moves as the group.
    let stand_ins = super::group::stand_ins(&board.doc);
    let hidden = |i: usize| stand_ins[i] as usize != i;
    let from = super::layout::NodePos(stand_ins[from.index()]);
    let places = &board.layout.nodes;
    let here = *places.get(from.index())?;
    let centre = |i: usize| i64::from(places[i].x) + i64::from(board.options.node_width / 2);
    let id = |i: usize| board.doc.file.nodes[i].id.clone();
    match step {
        Step::Left | Step::Right => {
            let mut row: Vec<usize> = (0..places.len())
                .filter(|&i| places[i].layer == here.layer && !hidden(i))
                .collect();
            row.sort_by_key(|&i| places[i].order);
            let at = row.iter().position(|&i| i == from.index())?;
            let to = if step == Step::Left {
                at.checked_sub(1)?
            } else {
                at + 1
            };
            row.get(to).map(|&i| id(i))
        }
        Step::Up | Step::Down => {
            let layer = if step == Step::Up {
                here.layer.checked_sub(1)?
            } else {
                here.layer + 1
            };
            let me = &board.doc.file.nodes[from.index()].id;
            let linked =
                |i: usize| {
                    let other = &board.doc.file.nodes[i].id;
                    board.doc.file.edges.iter().any(|e| {
                        (&e.from == me && &e.to == other) || (&e.from == other && &e.to == me)
                    })
                };
            (0..places.len())
                .filter(|&i| places[i].layer == layer && !hidden(i))
                .min_by_key(|&i| (!linked(i), (centre(i) - centre(from.index())).abs()))
                .map(id)
        }
    }
}
