//! Composing on the Harmony Board beyond add/connect: duplicate, mark and group (with the
//! group saved in the workflow file and read back), typed ports and the refusal of an edge
//! between incompatible types, zoom levels and the minimap over a 1,000-node workflow, and
//! the mouse (crossterm events through the runtime's own `action_for_event`). Whole screens
//! are insta snapshots; review changes with `cargo insta review`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod board_support;
mod common;

use board_support::{H, add, board, grid, has_edge, mouse, screen_cell, select};
use crossterm::event::{MouseButton, MouseEventKind};
use pit::dag::{LoadOptions, Workflow, load_file, parse_toml};
use symphony::app::Action;
use symphony::app::Effect;
use symphony::app::board::group;
use symphony::app::board::palette::NodeTemplate;
use symphony::app::board::state::Tone;
use symphony::app::board::zoom::Zoom;
use symphony::app::board::{BoardAction, BoardOverlay};
use symphony::app::state::{Overlay, PaneId};

fn selected(h: &H) -> String {
    h.state.board.selected.as_ref().unwrap().to_string()
}

fn notice(h: &H) -> (Tone, String) {
    let n = h.state.board.notice.clone().unwrap();
    (n.tone, n.text)
}

fn ids(h: &H) -> Vec<String> {
    h.state
        .board
        .doc
        .file
        .nodes
        .iter()
        .map(|n| n.id.to_string())
        .collect()
}

/// input-1 → shell-1 → output-1, valid.
fn three(h: &mut H) {
    add(h, "input");
    add(h, "shell");
    add(h, "outp");
    h.keys("<Left> <Left> c <Right> <Enter>");
    h.keys("c <Up> <Right> <Enter>");
    assert!(h.state.board.is_valid(), "{}", h.state.board.report);
}

fn saved(h: &mut H, path: &str) -> String {
    h.state.board.path = Some(path.into());
    let effects = symphony::app::update(
        &mut h.state,
        Action::Board(BoardAction::Key(symphony::app::board::BoardKey::Save)),
    );
    effects
        .into_iter()
        .find_map(|e| match e {
            Effect::BoardSave { text, .. } => Some(text),
            _ => None,
        })
        .expect("a save")
}

#[test]
fn duplicate_copies_a_node_with_its_inputs_and_undo_takes_it_back() {
    let mut h = board(160, 48);
    three(&mut h);
    select(&mut h, "shell-1");
    let before = h.state.board.doc.clone();
    h.keys("D");
    assert_eq!(ids(&h), ["input-1", "shell-1", "output-1", "shell-2"]);
    assert_eq!(selected(&h), "shell-2");
    let file = &h.state.board.doc.file;
    let (original, copy) = (&file.nodes[1], &file.nodes[3]);
    assert_eq!(
        (&copy.runner, &copy.params, &copy.inputs, &copy.outputs),
        (
            &original.runner,
            &original.params,
            &original.inputs,
            &original.outputs
        )
    );
    // Same predecessors, no successors: it sits beside the original, in its layer.
    assert!(has_edge(file, "input-1", "shell-2"));
    assert!(!file.edges.iter().any(|e| e.from.as_str() == "shell-2"));
    let layout = &h.state.board.layout;
    assert_eq!(layout.nodes[3].layer, layout.nodes[1].layer);
    assert!(h.state.board.is_valid(), "{}", h.state.board.report);
    assert!(
        notice(&h)
            .1
            .starts_with("duplicated `shell-1` as `shell-2`")
    );
    h.keys("u");
    assert_eq!(h.state.board.doc, before);
    h.keys("r D");
    assert_eq!(ids(&h).len(), 5);
}

#[test]
fn marked_nodes_group_into_one_box_that_saves_loads_expands_and_dissolves() {
    let mut h = board(160, 48);
    three(&mut h);
    select(&mut h, "shell-1");
    h.keys("v <Down> v");
    assert_eq!(selected(&h), "output-1");
    assert_eq!(h.state.board.marks.len(), 2);
    h.keys("g");
    assert!(h.state.board.marks.is_empty());
    let doc = &h.state.board.doc;
    assert_eq!(
        group::members(doc, "group-1"),
        ["shell-1".into(), "output-1".into()]
    );
    assert_eq!(doc.collapsed, ["group-1"]);
    // Drawn as one box: two layers, the group's first member stands for it.
    assert_eq!(h.state.board.layout.bands.len(), 2);
    assert_eq!(group::hidden(doc), [false, false, true]);
    assert_eq!(selected(&h), "shell-1");
    // Arrows skip the hidden member.
    h.keys("<Right>");
    assert_eq!(selected(&h), "shell-1");

    // Saved in the file (`group` on each member), read back by the DAG Tracker's loader.
    let text = saved(&mut h, "/tmp/grouped.toml");
    assert!(text.contains("group = \"group-1\""), "{text}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("grouped.toml");
    std::fs::write(&path, &text).unwrap();
    let (_, file) = load_file(&path, &LoadOptions::default()).unwrap();
    assert_eq!(file, h.state.board.doc.file);
    assert!(Workflow::build(&file).is_ok());
    let mut again = board(160, 48);
    again.act(Action::Board(BoardAction::Loaded {
        path: path.clone(),
        result: Ok(file),
    }));
    assert_eq!(again.state.board.doc.collapsed, ["group-1"]);
    assert_eq!(again.state.board.layout.bands.len(), 2);

    // g expands, g collapses again, G dissolves; each is undoable.
    h.keys("g");
    assert!(h.state.board.doc.collapsed.is_empty());
    assert_eq!(h.state.board.layout.bands.len(), 3);
    h.keys("g");
    assert_eq!(h.state.board.layout.bands.len(), 2);
    h.keys("G");
    assert!(group::names(&h.state.board.doc).is_empty());
    h.keys("u");
    assert_eq!(group::names(&h.state.board.doc), ["group-1"]);
}

#[test]
fn delete_move_and_duplicate_apply_to_a_collapsed_group() {
    let mut h = board(160, 48);
    for _ in 0..4 {
        add(&mut h, "noop");
    }
    // noop-1 → noop-2 → noop-3, and noop-4 beside noop-1.
    h.keys("<Left> <Left> <Left> c <Right> <Enter>");
    assert_eq!(selected(&h), "noop-2");
    h.keys("c");
    select(&mut h, "noop-3");
    h.keys("<Enter>");
    select(&mut h, "noop-2");
    h.keys("v <Down> v g");
    assert_eq!(group::members(&h.state.board.doc, "group-1").len(), 2);
    // Duplicate the group: a new collapsed group with the inner edge and the input.
    h.keys("D");
    let doc = &h.state.board.doc;
    assert_eq!(group::names(doc), ["group-1", "group-2"]);
    assert_eq!(doc.collapsed, ["group-1", "group-2"]);
    assert_eq!(selected(&h), "noop-5");
    assert!(has_edge(&doc.file, "noop-1", "noop-5"));
    assert!(has_edge(&doc.file, "noop-5", "noop-6"));
    // Move it left past group-1, in one edit.
    let x = |h: &H, id: &str| {
        let at = h.state.board.doc.position(&id.into()).unwrap().index();
        h.state.board.layout.nodes[at].x
    };
    assert!(x(&h, "noop-5") > x(&h, "noop-2"));
    h.keys("<S-Left>");
    assert!(x(&h, "noop-5") < x(&h, "noop-2"));
    // Delete it: both members go.
    h.keys("d");
    assert_eq!(ids(&h), ["noop-1", "noop-2", "noop-3", "noop-4"]);
    assert_eq!(notice(&h).1, "deleted 2 nodes; 1 problem marked");
    h.keys("u");
    assert_eq!(ids(&h).len(), 6);
}

fn typed(name: &str, input: &str, output: &str) -> NodeTemplate {
    NodeTemplate::capability(name, "acme.tools", name, name, false)
        .with_media_types(&[input.to_owned()], &[output.to_owned()])
}

/// The palette gets three typed extension nodes: text → json, text → text, image → text.
fn typed_board(width: u16, height: u16) -> H {
    let mut h = board(width, height);
    h.act(Action::Board(BoardAction::Extensions(vec![
        typed("parse.json", "text/plain", "application/json"),
        typed("text.upper", "text/plain", "text/plain"),
        typed("image.caption", "image/png", "text/plain"),
    ])));
    add(&mut h, "parse.json");
    add(&mut h, "text.upper");
    add(&mut h, "image.caption");
    add(&mut h, "output");
    h
}

#[test]
fn an_edge_between_incompatible_types_is_refused_with_the_types() {
    let mut h = typed_board(160, 48);
    let ports = |h: &H, i: usize| {
        let n = &h.state.board.doc.file.nodes[i];
        (
            n.inputs[0].ty.to_string(),
            n.outputs.first().map(|p| p.ty.to_string()),
        )
    };
    assert_eq!(ports(&h, 0), ("text".into(), Some("json".into())));
    assert_eq!(ports(&h, 2), ("Image".into(), Some("text".into())));
    select(&mut h, "json-1");
    h.keys("c");
    let board = &h.state.board;
    let is_candidate = |b: &symphony::app::board::BoardState, to: &pit::dag::NodeId| {
        b.doc.cannot_connect(&"json-1".into(), to).is_none()
    };
    // json → text: refused; json → Image: refused; json → any (the output): accepted.
    assert!(!is_candidate(board, &"upper-1".into()));
    assert!(!is_candidate(board, &"caption-1".into()));
    assert!(is_candidate(board, &"output-1".into()));
    select(&mut h, "caption-1");
    h.keys("<Enter>");
    assert!(h.state.board.doc.file.edges.is_empty());
    let (tone, text) = notice(&h);
    assert_eq!(tone, Tone::Error);
    assert_eq!(
        text,
        "refused: the types do not match: no output of `json-1` (out: json) has a type an input \
         of `caption-1` (in: Image) accepts"
    );
    // Still connecting; a compatible target works.
    select(&mut h, "output-1");
    h.keys("<Enter>");
    assert!(has_edge(&h.state.board.doc.file, "json-1", "output-1"));
}

#[test]
fn connect_mode_highlights_the_type_compatible_targets() {
    let mut h = typed_board(120, 30);
    h.keys("<A-z>");
    select(&mut h, "upper-1");
    h.keys("c");
    insta::assert_snapshot!(h.screen());
}

#[test]
fn a_collapsed_group_is_drawn_as_one_box() {
    let mut h = board(120, 30);
    h.keys("<A-z>");
    three(&mut h);
    add(&mut h, "noop");
    select(&mut h, "shell-1");
    h.keys("v <Down> v g");
    insta::assert_snapshot!(h.screen());
}

#[test]
fn zoom_levels_shrink_the_drawing_and_the_view_follows_the_selection() {
    let mut h = board(120, 40);
    h.keys("<A-z>");
    h.act(Action::Board(BoardAction::Show {
        file: grid(10, 100),
        path: None,
    }));
    assert!(Workflow::build(&h.state.board.doc.file).is_ok());
    let full = (h.state.board.layout.width, h.state.board.layout.height);
    h.keys("-");
    assert_eq!(h.state.board.zoom, Zoom::Lines);
    assert_eq!(h.state.board.options.node_height, 1);
    h.keys("-");
    assert_eq!(h.state.board.zoom, Zoom::Dots);
    let dots = (h.state.board.layout.width, h.state.board.layout.height);
    assert!(
        dots.0 * 5 < full.0 && dots.1 * 2 < full.1,
        "{dots:?} vs {full:?}"
    );
    h.keys("-");
    assert_eq!(
        notice(&h),
        (Tone::Warning, "already zoomed all the way out".into())
    );
    // The view follows the selection to the far right.
    for _ in 0..99 {
        h.keys("<Right>");
    }
    assert_eq!(selected(&h), "n99");
    assert!(h.state.board.scroll.0 > 0);
    h.keys("+ + +");
    assert_eq!(h.state.board.zoom, Zoom::Boxes);
    assert_eq!(notice(&h).0, Tone::Warning);
}

#[test]
fn a_thousand_nodes_zoomed_out_with_the_minimap() {
    let mut h = board(120, 40);
    h.keys("<A-z>");
    h.act(Action::Board(BoardAction::Show {
        file: grid(25, 40),
        path: None,
    }));
    h.keys("- -");
    for _ in 0..14 {
        h.keys("<Down>");
    }
    for _ in 0..30 {
        h.keys("<Right>");
    }
    assert!(h.state.board.scroll.1 > 0);
    insta::assert_snapshot!(h.screen());
    // A click at the map's top-left selects a node at the top; the view follows.
    let screen = h.screen();
    let (row, line) = screen
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("┌─map"))
        .expect("the minimap");
    let col = line[..line.find("┌─map").unwrap()].chars().count() as u16;
    mouse(
        &mut h,
        MouseEventKind::Down(MouseButton::Left),
        (col + 1, row as u16 + 1),
    );
    let layer = h.state.board.layout.nodes[h
        .state
        .board
        .doc
        .position(&selected(&h).as_str().into())
        .unwrap()
        .index()]
    .layer;
    assert!(layer <= 1, "{}", selected(&h));
    assert!(h.state.board.scroll.1 <= 3, "{:?}", h.state.board.scroll);
    h.keys("m");
    assert!(!h.state.board.minimap);
}

fn drag(h: &mut H, from: (u16, u16), to: (u16, u16)) {
    mouse(h, MouseEventKind::Down(MouseButton::Left), from);
    mouse(
        h,
        MouseEventKind::Drag(MouseButton::Left),
        ((from.0 + to.0) / 2, to.1),
    );
    mouse(h, MouseEventKind::Drag(MouseButton::Left), to);
    mouse(h, MouseEventKind::Up(MouseButton::Left), to);
}

#[test]
fn the_mouse_selects_moves_connects_and_scrolls() {
    let mut h = board(160, 48);
    add(&mut h, "input");
    add(&mut h, "shell");
    add(&mut h, "noop");
    h.keys("<A-1>");
    // A click on a node focuses the board and selects it.
    let at = screen_cell(&h.state, "input-1");
    mouse(&mut h, MouseEventKind::Down(MouseButton::Left), at);
    mouse(&mut h, MouseEventKind::Up(MouseButton::Left), at);
    assert_eq!(h.state.layout.focus, PaneId::Board);
    assert_eq!(selected(&h), "input-1");
    // A drag within the layer moves it: input-1 dropped on noop-1 takes its place.
    let order = |h: &H, id: &str| {
        let at = h.state.board.doc.position(&id.into()).unwrap().index();
        h.state.board.layout.nodes[at].order
    };
    assert_eq!(order(&h, "input-1"), 0);
    let noop = screen_cell(&h.state, "noop-1");
    drag(&mut h, at, noop);
    assert_eq!(order(&h, "input-1"), 2);
    // Connect input-1 → shell-1 with the keys, then drag from shell-1 (a layer down now)…
    select(&mut h, "input-1");
    h.keys("c");
    let shell = screen_cell(&h.state, "shell-1");
    mouse(&mut h, MouseEventKind::Down(MouseButton::Left), shell);
    assert!(has_edge(&h.state.board.doc.file, "input-1", "shell-1"));
    assert!(h.state.board.connecting.is_none());
    // …and a drag from noop-1 (layer 0) onto shell-1 (layer 1) connects them.
    let (noop, shell) = (
        screen_cell(&h.state, "noop-1"),
        screen_cell(&h.state, "shell-1"),
    );
    drag(&mut h, noop, shell);
    assert!(
        has_edge(&h.state.board.doc.file, "noop-1", "shell-1"),
        "{:?}",
        notice(&h)
    );
    assert!(h.state.board.drag.is_none());
    // The wheel scrolls the board.
    h.state.board.layout.height = 500;
    mouse(&mut h, MouseEventKind::ScrollDown, (10, 10));
    assert_eq!(h.state.board.scroll.1, 3);
}

#[test]
fn marks_clear_with_escape_and_keys_are_listed_in_the_help() {
    let mut h = board(160, 48);
    add(&mut h, "noop");
    h.keys("v");
    assert_eq!(h.state.board.marks.len(), 1);
    h.keys("<Esc>");
    assert!(h.state.board.marks.is_empty());
    assert_eq!(h.state.layout.focus, PaneId::Board);
    h.keys("?");
    assert!(matches!(h.state.overlay, Some(Overlay::Help { .. })));
    let rows = h.keymap.help_rows();
    for needle in ["Duplicate", "Group the marked", "Zoom in/out", "minimap"] {
        assert!(rows.iter().any(|(_, _, d)| d.contains(needle)), "{needle}");
    }
    assert!(!matches!(
        h.state.overlay,
        Some(Overlay::Board(BoardOverlay::Palette(_)))
    ));
}

#[test]
fn a_file_with_groups_parses_and_validates() {
    let text = r#"
version = 1

[[nodes]]
id = "a"
kind = "operator"
group = "prep"

[[nodes]]
id = "b"
kind = "operator"
group = "prep"

[[edges]]
from = "a"
to = "b"
kind = "control"
"#;
    let file = parse_toml(text, "grouped").unwrap();
    assert_eq!(file.nodes[0].group.as_deref(), Some("prep"));
    assert!(Workflow::build(&file).is_ok());
}

#[test]
fn a_collapsed_group_is_connected_at_its_entry_and_its_exit() {
    let mut h = board(160, 48);
    add(&mut h, "input");
    add(&mut h, "noop");
    add(&mut h, "noop");
    add(&mut h, "output");
    select(&mut h, "noop-1");
    h.keys("c");
    select(&mut h, "noop-2");
    h.keys("<Enter>");
    select(&mut h, "noop-1");
    h.keys("v <Down> v g");
    assert_eq!(group::members(&h.state.board.doc, "group-1").len(), 2);
    // Into the group: its entry, noop-1.
    select(&mut h, "input-1");
    h.keys("c");
    select(&mut h, "noop-1");
    h.keys("<Enter>");
    assert!(has_edge(&h.state.board.doc.file, "input-1", "noop-1"));
    // Out of it: its exit, noop-2.
    h.keys("c");
    select(&mut h, "output-1");
    h.keys("<Enter>");
    assert!(has_edge(&h.state.board.doc.file, "noop-2", "output-1"));
    assert!(h.state.board.is_valid(), "{}", h.state.board.report);
    // Folding is undoable but leaves nothing to save.
    h.state.board.modified = false;
    select(&mut h, "noop-1");
    h.keys("g");
    assert!(h.state.board.doc.collapsed.is_empty());
    assert!(!h.state.board.modified);
    h.keys("u");
    assert_eq!(h.state.board.doc.collapsed, ["group-1"]);
}

#[test]
fn one_line_per_node_with_a_collapsed_group() {
    let mut h = board(120, 24);
    h.keys("<A-z>");
    h.act(Action::Board(BoardAction::Show {
        file: grid(4, 6),
        path: None,
    }));
    h.keys("- <Down> <Down> v <Right> v g");
    assert_eq!(group::members(&h.state.board.doc, "group-1").len(), 2);
    insta::assert_snapshot!(h.screen());
}
