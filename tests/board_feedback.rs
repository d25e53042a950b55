//! What the Harmony Board draws beyond its nodes and edges: the followed run's node states
//! at the zoomed-out levels, the frame around an expanded group, and what a mouse drag in
//! progress would do (driven through the runtime's own `action_for_event`). Whole screens
//! are insta snapshots; review changes with `cargo insta review`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod board_support;
mod common;

use board_support::{H, add, board, grid, has_edge, mouse, screen_cell, select};
use crossterm::event::{MouseButton, MouseEventKind};
use pit::runs::{NodeHistory, NodeOutcome, RunHistory};
use symphony::app::Action;
use symphony::app::board::BoardAction;
use symphony::app::board::group;
use symphony::app::board::mouse::{Landing, drop_of};
use symphony::app::monitor::{RunSource, RunView};

/// A run of `grid` as the monitor follows it: `n0`–`n2` and `n6` completed, `n3` skipped,
/// `n4` failed, `n5` running, the rest not started.
fn a_run_of_the_grid() -> RunView {
    let row = |id: &str, outcome| NodeHistory {
        node: id.into(),
        outcome,
        attempts: u32::from(outcome != NodeOutcome::Skipped),
        started_ms: 1_000,
        ended_ms: 2_000,
        error: None,
        via: None,
        reason: None,
        spans: Vec::new(),
        attempt_errors: Vec::new(),
    };
    let history = RunHistory {
        nodes: vec![
            row("n0", NodeOutcome::Completed),
            row("n1", NodeOutcome::Completed),
            row("n2", NodeOutcome::Completed),
            row("n3", NodeOutcome::Skipped),
            row("n4", NodeOutcome::Failed),
            row("n5", NodeOutcome::Unfinished),
            row("n6", NodeOutcome::Completed),
        ],
        total_nodes: 12,
        started_ms: 1_000,
        workers: 2,
        last_ms: 2_000,
        ..RunHistory::default()
    };
    let source = RunSource {
        run: "r1".into(),
        file: "grid.toml".into(),
        name: Some("grid".into()),
        ..RunSource::default()
    };
    RunView::new(source, &history)
}

#[test]
fn run_states_at_one_line_per_node_and_at_dots() {
    let mut h = board(100, 16);
    h.keys("<A-z>");
    h.act(Action::Board(BoardAction::Show {
        file: grid(3, 4),
        path: None,
    }));
    h.act(Action::Monitor(Box::new(a_run_of_the_grid())));
    h.keys("-");
    // n6 (completed) and n7 (not started) collapsed together: the group is under way.
    select(&mut h, "n6");
    h.keys("v <Right> v g");
    assert_eq!(
        group::members(&h.state.board.doc, "group-1"),
        ["n6".into(), "n7".into()]
    );
    select(&mut h, "n11");
    h.state.board.notice = None;
    let lines = h.screen();
    h.keys("-");
    h.state.board.notice = None;
    insta::assert_snapshot!("run_states_at_one_line_per_node", lines);
    insta::assert_snapshot!("run_states_at_dots", h.screen());
}

/// Groups `members` (marked, `g`) and expands the group (`g` again).
fn expanded_group(h: &mut H, members: &[&str]) {
    for m in members {
        select(h, m);
        h.keys("v");
    }
    h.keys("g g");
}

#[test]
fn an_expanded_group_is_framed_when_its_rectangle_holds_no_other_node() {
    let mut h = board(120, 34);
    h.keys("<A-z>");
    h.act(Action::Board(BoardAction::Show {
        file: grid(3, 4),
        path: None,
    }));
    // On the first layer: the name goes in the bottom border.
    expanded_group(&mut h, &["n0", "n1"]);
    // One under the other: framed.
    expanded_group(&mut h, &["n7", "n11"]);
    // n5 lies between n4 and n6: no frame, only the footer says it.
    expanded_group(&mut h, &["n4", "n6"]);
    assert!(h.state.board.doc.collapsed.is_empty());
    assert_eq!(
        group::names(&h.state.board.doc),
        ["group-1", "group-3", "group-2"]
    );
    select(&mut h, "n6");
    h.state.board.notice = None;
    insta::assert_snapshot!(h.screen());
}

/// What releasing the drag in progress would do.
fn pending_drop(h: &H) -> Option<Landing> {
    let drag = h.state.board.drag.as_ref().expect("a drag in progress");
    drop_of(&h.state.board, drag)
}

#[test]
fn a_drag_in_progress_shows_the_place_or_the_edge_its_release_would_make() {
    let mut h = board(120, 24);
    h.keys("<A-z>");
    add(&mut h, "input");
    add(&mut h, "noop");
    add(&mut h, "shell");
    select(&mut h, "input-1");
    h.keys("c");
    select(&mut h, "shell-1");
    h.keys("<Enter>");
    let before = h.state.board.doc.clone();
    let (noop, input, shell) = (
        screen_cell(&h.state, "noop-1"),
        screen_cell(&h.state, "input-1"),
        screen_cell(&h.state, "shell-1"),
    );
    // Over its own box: nothing would happen, nothing is drawn.
    mouse(&mut h, MouseEventKind::Down(MouseButton::Left), noop);
    mouse(&mut h, MouseEventKind::Drag(MouseButton::Left), noop);
    assert_eq!(pending_drop(&h), None);
    // Over input-1, in its layer: its ghost in input-1's place; nothing is moved yet.
    mouse(&mut h, MouseEventKind::Drag(MouseButton::Left), input);
    let input_box = {
        let b = &h.state.board;
        let p = b.layout.nodes[b.doc.position(&"input-1".into()).unwrap().index()];
        (p.x, p.y)
    };
    assert_eq!(
        pending_drop(&h),
        Some(Landing::Move {
            by: -1,
            at: input_box
        })
    );
    assert_eq!(h.state.board.doc, before);
    h.state.board.notice = None;
    insta::assert_snapshot!("a_drag_within_a_layer", h.screen());
    // Over shell-1, a layer down: the edge it would make.
    mouse(&mut h, MouseEventKind::Drag(MouseButton::Left), shell);
    assert_eq!(
        pending_drop(&h),
        Some(Landing::Connect {
            to: "shell-1".into(),
            refused: None
        })
    );
    insta::assert_snapshot!("a_drag_onto_a_node_of_another_layer", h.screen());
    // Released there, the edge is made and the feedback goes.
    mouse(&mut h, MouseEventKind::Up(MouseButton::Left), shell);
    assert!(has_edge(&h.state.board.doc.file, "noop-1", "shell-1"));
    assert!(h.state.board.drag.is_none());
    assert!(!h.screen().contains("release to"));
    // An edge that would be refused says so in the error tone before the release.
    let (input, shell) = (
        screen_cell(&h.state, "input-1"),
        screen_cell(&h.state, "shell-1"),
    );
    mouse(&mut h, MouseEventKind::Down(MouseButton::Left), input);
    mouse(&mut h, MouseEventKind::Drag(MouseButton::Left), shell);
    let Some(Landing::Connect {
        refused: Some(reason),
        ..
    }) = pending_drop(&h)
    else {
        panic!("a refused edge");
    };
    assert!(reason.contains("already connected"), "{reason}");
    assert!(h.screen().contains("would be refused"), "{}", h.screen());
    mouse(&mut h, MouseEventKind::Up(MouseButton::Left), shell);
}
