//! The frame around an expanded group's members: the smallest rectangle around their boxes,
//! one cell out, drawn only when no other node's box meets it (a frame that took in a node
//! of another group, or of none, would say it belongs). Drawing cells may be negative: a
//! group at the drawing's top or left edge has a frame that is cut there.

use super::group;
use super::state::BoardState;

/// Where an expanded group's frame goes, in drawing cells (its border included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupFrame {
    /// The group's name, shown in the top border.
    pub name: String,
    /// The left border's column.
    pub left: i64,
    /// The top border's row.
    pub top: i64,
    /// The right border's column.
    pub right: i64,
    /// The bottom border's row.
    pub bottom: i64,
}

/// The frames of the board's expanded groups that have room for one, in order of the
/// groups' first appearance in the file.
pub fn frames(board: &BoardState) -> Vec<GroupFrame> {
    let doc = &board.doc;
    let hidden = group::hidden(doc);
    let (bw, bh) = (
        i64::from(board.options.node_width),
        i64::from(board.options.node_height),
    );
    let boxes = &board.layout.nodes;
    let mut out = Vec::new();
    for name in group::names(doc) {
        if doc.collapsed.contains(&name) {
            continue;
        }
        let inside: Vec<bool> = doc
            .file
            .nodes
            .iter()
            .map(|n| n.group.as_deref() == Some(name.as_str()))
            .collect();
        let mut members = (0..boxes.len()).filter(|&i| inside.get(i) == Some(&true));
        let Some(first) = members.next() else {
            continue;
        };
        let at = |i: usize| (i64::from(boxes[i].x), i64::from(boxes[i].y));
        let (x, y) = at(first);
        let (mut left, mut top, mut right, mut bottom) = (x, y, x + bw - 1, y + bh - 1);
        for i in members {
            let (x, y) = at(i);
            left = left.min(x);
            top = top.min(y);
            right = right.max(x + bw - 1);
            bottom = bottom.max(y + bh - 1);
        }
        let frame = GroupFrame {
            name,
            left: left - 1,
            top: top - 1,
            right: right + 1,
            bottom: bottom + 1,
        };
        let crowded = (0..boxes.len()).any(|i| {
            if inside.get(i) == Some(&true) || hidden.get(i) == Some(&true) {
                return false;
            }
            let (x, y) = at(i);
            x <= frame.right && x + bw > frame.left && y <= frame.bottom && y + bh > frame.top
        });
        if !crowded {
            out.push(frame);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::board::group::{GroupEdit, apply};
    use pit::dag::{EdgeKind, EdgeSpec, NodeKind, NodeSpec, WorkflowFile};

    /// `a → b → c`, and `d` beside `a`.
    fn board() -> BoardState {
        let mut file = WorkflowFile::default();
        for id in ["a", "b", "c", "d"] {
            file.nodes.push(NodeSpec::new(id, NodeKind::Operator));
        }
        file.edges.push(EdgeSpec::new("a", "b", EdgeKind::Control));
        file.edges.push(EdgeSpec::new("b", "c", EdgeKind::Control));
        let mut board = BoardState::default();
        board.open(file, None);
        board
    }

    fn group(board: &mut BoardState, members: &[&str], name: &str) {
        let members = members.iter().map(|&m| m.into()).collect();
        apply(&mut board.doc, GroupEdit::Form(members, name.into()));
        apply(&mut board.doc, GroupEdit::Fold(name.into(), false));
        board.refresh();
    }

    #[test]
    fn a_frame_goes_one_cell_around_the_members_boxes() {
        let mut board = board();
        group(&mut board, &["b", "c"], "tail");
        let place =
            |id: &str| board.layout.nodes[board.doc.position(&id.into()).expect("a node").index()];
        let (b, c) = (place("b"), place("c"));
        let (w, h) = (board.options.node_width, board.options.node_height);
        let frame = &frames(&board)[0];
        assert_eq!(frame.name, "tail");
        assert_eq!(frame.left, i64::from(b.x.min(c.x)) - 1);
        assert_eq!(frame.top, i64::from(b.y) - 1);
        assert_eq!(frame.right, i64::from(b.x.max(c.x) + w));
        assert_eq!(frame.bottom, i64::from(c.y + h));
    }

    #[test]
    fn no_frame_when_another_node_is_in_the_rectangle_or_the_group_is_collapsed() {
        let mut board = board();
        // `a` and `c` span the layer of `b`, which is not in the group.
        group(&mut board, &["a", "c"], "ends");
        assert_eq!(frames(&board), []);
        let mut board = self::board();
        group(&mut board, &["b", "c"], "tail");
        apply(&mut board.doc, GroupEdit::Fold("tail".into(), true));
        board.refresh();
        assert_eq!(frames(&board), []);
    }
}
