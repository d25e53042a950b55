//! The Harmony Board driven through the real keymap and `update`: composing a workflow from
//! nothing, validating, saving (the effect carries the TOML, compared with a hand-written
//! file), refusals (a cycle, an invalid save), undo/redo of every edit, the open → save →
//! load round trip through the DAG Tracker's loader, and a property test over random edits
//! (marks, duplicates and groups among them).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod board_support;
mod common;

use std::path::PathBuf;

use board_support::Board;
use pit::dag::{LoadOptions, ValidationError, Workflow, load_file, parse_toml};
use proptest::prelude::*;
use symphony::app::board::state::Tone;
use symphony::app::board::{BoardAction, BoardKey, PathPurpose, Step};
use symphony::app::state::{Overlay, PaneId};
use symphony::app::{Action, Effect};

const THREE_NODES: &str = r#"
version = 1

[[nodes]]
id = "input-1"
kind = "input"
outputs = [{ name = "value", type = "any" }]

[[nodes]]
id = "shell-1"
kind = "operator"
runner = "shell"
params = { command = "true" }
inputs = [{ name = "in", type = "any", required = false }]
outputs = [{ name = "out", type = "any" }]

[[nodes]]
id = "output-1"
kind = "output"
inputs = [{ name = "value", type = "any" }]

[[edges]]
from = "input-1"
to = "shell-1"

[[edges]]
from = "shell-1"
to = "output-1"
"#;

#[test]
fn a_three_node_workflow_composed_from_nothing_saves_as_the_hand_written_file() {
    let mut b = Board::new();
    b.add("input");
    b.add("shell");
    b.add("outp");
    assert_eq!(b.file().nodes.len(), 3);
    assert_eq!(b.selected(), "output-1");
    // Three unconnected nodes: each is an orphan.
    assert!(!b.state.board.is_valid());
    assert_eq!(b.state.board.report.codes(), ["orphan-node"; 3]);
    // Saving now is refused, with the reason.
    b.keys("s");
    assert!(b.saved().is_none());
    assert_eq!(b.state.overlay, None);
    let (tone, text) = b.notice();
    assert_eq!(tone, Tone::Error);
    assert!(
        text.starts_with("not saved: the workflow is invalid"),
        "{text}"
    );

    // input-1 → shell-1: all three sit in layer 0, in file order.
    b.keys("<Left> <Left>");
    assert_eq!(b.selected(), "input-1");
    b.keys("c <Right>");
    assert_eq!(b.selected(), "shell-1");
    b.keys("<Enter>");
    assert!(b.state.board.connecting.is_none());
    // shell-1 → output-1: output-1 is up in layer 0 now, right of input-1.
    b.keys("c <Up> <Right>");
    assert_eq!(b.selected(), "output-1");
    b.keys("<Enter>");
    assert!(b.state.board.is_valid(), "{}", b.state.board.report);
    assert!(Workflow::build(b.file()).is_ok());

    // The first save asks where.
    b.keys("s");
    assert!(matches!(
        b.state.overlay,
        Some(Overlay::Board(symphony::app::board::BoardOverlay::Path {
            purpose: PathPurpose::SaveAs,
            ..
        }))
    ));
    b.type_text("/tmp/three.toml");
    b.keys("<Enter>");
    let (path, text) = b.saved().expect("a save");
    assert_eq!(path, PathBuf::from("/tmp/three.toml"));
    let written = parse_toml(&text, "saved").expect("the board writes valid TOML");
    let expected = parse_toml(THREE_NODES, "hand-written").unwrap();
    assert_eq!(written, expected);
    // The save's report clears the modified mark.
    assert!(b.state.board.modified);
    b.act(Action::Board(BoardAction::Saved {
        path,
        result: Ok(()),
    }));
    assert!(!b.state.board.modified);
}

#[test]
fn an_edge_that_closes_a_cycle_is_refused_with_the_validation_s_reason() {
    let mut b = Board::new();
    for _ in 0..3 {
        b.add("noop");
    }
    // noop-1 → noop-2 → noop-3.
    b.keys("<Left> <Left> c <Right> <Enter>");
    b.keys("c <Up> <Right> <Enter>");
    assert_eq!(b.selected(), "noop-3");
    assert_eq!(b.file().edges.len(), 2);
    // noop-3 → noop-1 would close the cycle.
    b.keys("c <Up> <Up>");
    assert_eq!(b.selected(), "noop-1");
    b.keys("<Enter>");
    assert_eq!(b.file().edges.len(), 2);
    let (tone, text) = b.notice();
    assert_eq!(tone, Tone::Error);
    assert!(text.starts_with("refused: cycle:"), "{text}");
    assert!(text.contains("noop-1") && text.contains("noop-3"), "{text}");
    // Still choosing a target; Esc ends it.
    assert!(b.state.board.connecting.is_some());
    b.keys("<Esc>");
    assert!(b.state.board.connecting.is_none());
    assert_eq!(b.state.layout.focus, PaneId::Board);
}

#[test]
fn every_edit_undoes_and_redoes() {
    let mut b = Board::new();
    let mut history = vec![b.state.board.doc.clone()];
    let steps = [
        "a s h e l l <Enter>",
        "a s h e l l <Enter>",
        "<Left> c <Right> <Enter>",
        "a n o o p <Enter>",
        "<S-Left>",
        "d",
    ];
    for step in steps {
        b.keys(step);
        history.push(b.state.board.doc.clone());
    }
    // Each step changed the document.
    for pair in history.windows(2) {
        assert_ne!(pair[0], pair[1]);
    }
    for expected in history.iter().rev().skip(1) {
        b.keys("u");
        assert_eq!(&b.state.board.doc, expected);
    }
    b.keys("u");
    assert_eq!(b.notice().1, "nothing to undo");
    for expected in history.iter().skip(1) {
        b.keys("r");
        assert_eq!(&b.state.board.doc, expected);
    }
    b.keys("<C-z>");
    assert_eq!(&b.state.board.doc, &history[history.len() - 2]);
}

#[test]
fn moving_a_node_reorders_its_layer() {
    let mut b = Board::new();
    b.add("shell");
    b.add("sleep");
    let x = |b: &Board, i: usize| b.state.board.layout.nodes[i].x;
    assert!(x(&b, 0) < x(&b, 1));
    assert_eq!(b.selected(), "sleep-1");
    b.keys("<S-Left>");
    assert!(x(&b, 1) < x(&b, 0));
    b.keys("<S-Left>");
    assert_eq!(b.notice().0, Tone::Warning);
}

#[test]
fn open_then_save_then_load_gives_the_same_workflow() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("pipeline.toml");
    std::fs::write(&source, THREE_NODES).unwrap();
    let (_, file) = load_file(&source, &LoadOptions::default()).unwrap();
    let mut b = Board::new();
    b.keys("o");
    b.type_text(source.to_str().unwrap());
    b.keys("<Enter>");
    assert_eq!(b.effects.last(), Some(&Effect::BoardLoad(source.clone())));
    b.act(Action::Board(BoardAction::Loaded {
        path: source.clone(),
        result: Ok(file.clone()),
    }));
    assert_eq!(b.state.board.path.as_deref(), Some(source.as_path()));
    assert_eq!(b.selected(), "input-1");
    b.keys("<C-s>");
    let (path, text) = b.saved().expect("a save");
    assert_eq!(path, source);
    let copy = dir.path().join("copy.toml");
    std::fs::write(&copy, text).unwrap();
    let (_, again) = load_file(&copy, &LoadOptions::default()).unwrap();
    assert_eq!(again, file);
}

#[test]
fn a_file_that_cannot_be_read_is_reported_on_the_board() {
    let mut b = Board::new();
    b.act(Action::Board(BoardAction::Loaded {
        path: "/nowhere.toml".into(),
        result: Err("cannot read /nowhere.toml: no such file".into()),
    }));
    assert!(b.state.board.is_empty());
    assert_eq!(
        b.notice(),
        (
            Tone::Error,
            "cannot read /nowhere.toml: no such file".into()
        )
    );
}

#[test]
fn extensions_capabilities_join_the_palette() {
    use symphony::app::board::palette::NodeTemplate;
    let mut b = Board::new();
    b.act(Action::Board(BoardAction::Extensions(vec![
        NodeTemplate::capability(
            "text.summarise",
            "acme.summariser",
            "summarise",
            "summarise a text",
            true,
        ),
    ])));
    b.add("summ");
    let node = &b.file().nodes[0];
    assert_eq!(node.id.as_str(), "summarise-1");
    assert_eq!(node.kind, pit::dag::NodeKind::Instrument);
    assert_eq!(node.runner.as_ref().unwrap().as_str(), "acme.summariser");
}

/// One random board edit, as keys.
#[derive(Debug, Clone)]
enum Op {
    Add(usize),
    Select(u8),
    Connect(Vec<u8>),
    Delete,
    Move(bool),
    Undo,
    Redo,
    Mark,
    Duplicate,
    Group,
    Ungroup,
    Zoom(bool),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0usize..10).prop_map(Op::Add),
        3 => (0u8..4).prop_map(Op::Select),
        4 => proptest::collection::vec(0u8..4, 1..4).prop_map(Op::Connect),
        1 => Just(Op::Delete),
        1 => any::<bool>().prop_map(Op::Move),
        1 => Just(Op::Undo),
        1 => Just(Op::Redo),
        2 => Just(Op::Mark),
        1 => Just(Op::Duplicate),
        1 => Just(Op::Group),
        1 => Just(Op::Ungroup),
        1 => any::<bool>().prop_map(Op::Zoom),
    ]
}

fn arrow(d: u8) -> BoardKey {
    BoardKey::Select(match d {
        0 => Step::Left,
        1 => Step::Right,
        2 => Step::Up,
        _ => Step::Down,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever the edits, the board holds a DAG that passes `Workflow::build`, or it shows
    /// why not (beside the nodes) and refuses to save.
    #[test]
    fn random_edits_leave_a_valid_dag_or_a_board_that_says_why_and_will_not_save(
        ops in proptest::collection::vec(op(), 1..30)
    ) {
        let mut b = Board::new();
        b.state.board.path = Some("/tmp/random.toml".into());
        let names = ["input", "shell", "sleep", "noop", "output", "branch", "merge", "loop", "parallel", "join"];
        let key = |b: &mut Board, k: BoardKey| b.act(Action::Board(BoardAction::Key(k)));
        for op in ops {
            match op {
                Op::Add(i) => b.add(names[i]),
                Op::Select(d) => key(&mut b, arrow(d)),
                Op::Connect(path) => {
                    key(&mut b, BoardKey::Connect);
                    for d in path {
                        key(&mut b, arrow(d));
                    }
                    key(&mut b, BoardKey::Confirm);
                    key(&mut b, BoardKey::Escape);
                    b.keys("<A-3>");
                }
                Op::Delete => key(&mut b, BoardKey::Delete),
                Op::Move(left) => key(&mut b, BoardKey::Move(if left { -1 } else { 1 })),
                Op::Undo => key(&mut b, BoardKey::Undo),
                Op::Redo => key(&mut b, BoardKey::Redo),
                Op::Mark => key(&mut b, BoardKey::Mark),
                Op::Duplicate => key(&mut b, BoardKey::Duplicate),
                Op::Group => key(&mut b, BoardKey::Group),
                Op::Ungroup => key(&mut b, BoardKey::Ungroup),
                Op::Zoom(out) => key(&mut b, BoardKey::Zoom(if out { 1 } else { -1 })),
            }
            let board = &b.state.board;
            // The board's verdict is the DAG Tracker's own.
            let built = Workflow::build(&board.doc.file);
            prop_assert_eq!(built.is_ok(), board.is_valid());
            // No edit ever leaves a cycle behind.
            if let Err(report) = &built {
                let cycle = report.errors().iter().any(|e| matches!(e, ValidationError::Cycle { .. }));
                prop_assert!(!cycle, "a cycle was kept: {}", report);
            }
            // Every problem is shown beside a node, except "no nodes" (the empty board).
            let problems = board.problems();
            for error in board.report.errors() {
                let shown = error.nodes().iter().any(|n| problems.contains_key(n));
                prop_assert!(shown || matches!(error, ValidationError::NoNodes), "{}", error);
            }
            prop_assert_eq!(board.layout.nodes.len(), board.doc.file.nodes.len());
            // The selection is never a node hidden in a collapsed group.
            let hidden = symphony::app::board::group::hidden(&board.doc);
            if let Some(at) = board.selected.as_ref().and_then(|id| board.doc.position(id)) {
                prop_assert!(!hidden[at.index()]);
            }
        }
        b.effects.clear();
        b.keys("s");
        let valid = b.state.board.is_valid();
        match b.saved() {
            Some((_, text)) => {
                prop_assert!(valid);
                let written = parse_toml(&text, "saved").unwrap();
                prop_assert_eq!(&written, &b.state.board.doc.file);
                prop_assert!(Workflow::build(&written).is_ok());
            }
            None => {
                prop_assert!(!valid);
                let (tone, text) = b.notice();
                prop_assert_eq!(tone, Tone::Error);
                prop_assert!(text.starts_with("not saved: the workflow is invalid"), "{}", text);
            }
        }
    }
}
