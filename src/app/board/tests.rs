//! `update` tests of the board: actions in, state and effects out.

use pit::dag::{EdgeKind, EdgeSpec, NodeKind, NodeSpec, WorkflowFile};

use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::state::{AppState, Overlay, PaneId};
use crate::app::update;
use crate::theme::{BUILTIN_THEMES, ColorDepth, Theme};

use super::action::{BoardAction, BoardKey, BoardOverlay, PathPurpose, RunEnd, Step};
use super::state::Tone;

fn state() -> AppState {
    let theme = Theme::parse(BUILTIN_THEMES[0].1, "dark", ColorDepth::TrueColor)
        .expect("the built-in theme parses");
    let mut state = AppState::new((160, 48), theme);
    state.layout.focus = PaneId::Board;
    state
}

fn key(state: &mut AppState, key: BoardKey) -> Vec<Effect> {
    update(state, Action::Board(BoardAction::Key(key)))
}

/// A chain of `n` operators, `n0 → n1 → …`.
fn chain(n: usize) -> WorkflowFile {
    let mut file = WorkflowFile::default();
    for i in 0..n {
        file.nodes
            .push(NodeSpec::new(format!("n{i}"), NodeKind::Operator));
    }
    for i in 1..n {
        file.edges.push(EdgeSpec::new(
            format!("n{}", i - 1),
            format!("n{i}"),
            EdgeKind::Control,
        ));
    }
    file
}

fn show(state: &mut AppState, file: WorkflowFile) {
    update(state, Action::Board(BoardAction::Show { file, path: None }));
}

fn selected(state: &AppState) -> &str {
    state.board.selected.as_ref().map_or("", |id| id.as_str())
}

#[test]
fn the_palette_filters_moves_and_adds_the_highlighted_kind() {
    let mut s = state();
    key(&mut s, BoardKey::Add);
    for c in "o".chars() {
        update(&mut s, Action::Type(c));
    }
    update(&mut s, Action::OverlayMove(1));
    let Some(Overlay::Board(BoardOverlay::Palette(palette))) = &s.overlay else {
        panic!("the palette is open");
    };
    assert_eq!((palette.query.as_str(), palette.selected), ("o", 1));
    let second = super::palette::matches("o", &s.board.templates)[1]
        .name
        .clone();
    update(&mut s, Action::Confirm);
    assert_eq!(s.overlay, None);
    assert_eq!(selected(&s), format!("{second}-1"));
    assert!(s.board.modified);
}

#[test]
fn a_query_without_matches_adds_nothing_and_says_so() {
    let mut s = state();
    key(&mut s, BoardKey::Add);
    update(&mut s, Action::Type('q'));
    update(&mut s, Action::Type('q'));
    update(&mut s, Action::Confirm);
    assert!(s.board.is_empty());
    let notice = s.board.notice.clone().expect("a notice");
    assert_eq!(notice.tone, Tone::Warning);
    assert!(notice.text.contains("`qq`"));
}

#[test]
fn showing_a_plan_focuses_the_board_and_selects_the_first_node() {
    let mut s = state();
    s.layout.focus = PaneId::Conductor;
    show(&mut s, chain(3));
    assert_eq!(s.layout.focus, PaneId::Board);
    assert_eq!(selected(&s), "n0");
    assert!(s.board.is_valid());
    assert!(!s.board.modified);
}

#[test]
fn arrows_walk_the_layers_and_stop_at_the_ends() {
    let mut s = state();
    show(&mut s, chain(3));
    key(&mut s, BoardKey::Select(Step::Down));
    key(&mut s, BoardKey::Select(Step::Down));
    assert_eq!(selected(&s), "n2");
    key(&mut s, BoardKey::Select(Step::Down));
    assert_eq!(selected(&s), "n2");
    key(&mut s, BoardKey::Select(Step::Left));
    assert_eq!(selected(&s), "n2");
    key(&mut s, BoardKey::Select(Step::Up));
    assert_eq!(selected(&s), "n1");
}

#[test]
fn the_view_follows_the_selection_down_a_long_chain() {
    let mut s = state();
    show(&mut s, chain(60));
    assert_eq!(s.board.scroll, (0, 0));
    for _ in 0..59 {
        key(&mut s, BoardKey::Select(Step::Down));
    }
    assert_eq!(selected(&s), "n59");
    let place = s.board.layout.nodes[59];
    let (_, rows) = super::view::graph_viewport(s.size, s.layout.zoomed);
    let top = s.board.scroll.1;
    assert!(
        place.y >= top && place.y + 4 <= top + u32::from(rows),
        "{top} {place:?}"
    );
    // PageUp scrolls without moving the selection.
    key(&mut s, BoardKey::Page(-1));
    assert!(s.board.scroll.1 < top);
    assert_eq!(selected(&s), "n59");
}

#[test]
fn escape_ends_a_connection_first_then_leaves_the_board() {
    let mut s = state();
    show(&mut s, chain(2));
    key(&mut s, BoardKey::Connect);
    assert!(s.board.connecting.is_some());
    key(&mut s, BoardKey::Escape);
    assert!(s.board.connecting.is_none());
    assert_eq!(s.layout.focus, PaneId::Board);
    key(&mut s, BoardKey::Escape);
    assert_eq!(s.layout.focus, PaneId::Editor);
}

#[test]
fn a_repeated_connection_is_refused_before_it_reaches_the_file() {
    let mut s = state();
    show(&mut s, chain(2));
    key(&mut s, BoardKey::Connect);
    key(&mut s, BoardKey::Select(Step::Down));
    key(&mut s, BoardKey::Confirm);
    assert_eq!(s.board.doc.file.edges.len(), 1);
    let notice = s.board.notice.clone().expect("a notice");
    assert_eq!(notice.tone, Tone::Error);
    assert!(notice.text.contains("already connected"), "{}", notice.text);
    assert!(s.board.undo.is_empty());
}

#[test]
fn the_global_save_keys_act_on_the_board_when_it_has_focus() {
    let mut s = state();
    show(&mut s, chain(2));
    assert!(update(&mut s, Action::Save).is_empty());
    assert!(matches!(
        s.overlay,
        Some(Overlay::Board(BoardOverlay::Path {
            purpose: PathPurpose::SaveAs,
            ..
        }))
    ));
    for c in "/tmp/x.toml".chars() {
        update(&mut s, Action::Type(c));
    }
    let effects = update(&mut s, Action::Confirm);
    let [Effect::BoardSave { path, text }] = effects.as_slice() else {
        panic!("one save: {effects:?}");
    };
    assert_eq!(path.to_str(), Some("/tmp/x.toml"));
    assert!(text.contains("from = \"n0\""));
    // Saved once, Ctrl-S saves again without asking.
    assert_eq!(update(&mut s, Action::Save).len(), 1);
    // In the editor, Ctrl-S is the editor's.
    s.layout.focus = PaneId::Editor;
    assert!(
        update(&mut s, Action::Save)
            .iter()
            .all(|e| !matches!(e, Effect::BoardSave { .. }))
    );
}

#[test]
fn a_failed_save_is_reported_and_the_board_stays_modified() {
    let mut s = state();
    show(&mut s, chain(2));
    key(&mut s, BoardKey::Select(Step::Down));
    key(&mut s, BoardKey::Delete);
    assert!(s.board.modified);
    update(
        &mut s,
        Action::Board(BoardAction::Saved {
            path: "/ro/x.toml".into(),
            result: Err("read-only file system".into()),
        }),
    );
    assert!(s.board.modified);
    let notice = s.board.notice.clone().expect("a notice");
    assert_eq!(notice.tone, Tone::Error);
    assert!(notice.text.contains("read-only"));
}

#[test]
fn a_loaded_json_file_is_not_saved_over() {
    let mut s = state();
    update(
        &mut s,
        Action::Board(BoardAction::Loaded {
            path: "trace.json".into(),
            result: Ok(chain(2)),
        }),
    );
    assert_eq!(s.board.path, None);
    update(
        &mut s,
        Action::Board(BoardAction::Loaded {
            path: "flow.toml".into(),
            result: Ok(chain(2)),
        }),
    );
    assert_eq!(
        s.board.path.as_deref(),
        Some(std::path::Path::new("flow.toml"))
    );
}

#[test]
fn quitting_with_unsaved_board_edits_asks_once() {
    let mut s = state();
    assert_eq!(update(&mut s, Action::Quit), [Effect::Quit]);
    show(&mut s, chain(2));
    key(&mut s, BoardKey::Select(Step::Down));
    key(&mut s, BoardKey::Delete);
    s.layout.focus = PaneId::Editor;
    assert!(update(&mut s, Action::Quit).is_empty());
    assert_eq!(s.layout.focus, PaneId::Board);
    assert_eq!(s.board.notice.as_ref().map(|n| n.tone), Some(Tone::Warning));
    assert_eq!(update(&mut s, Action::Quit), [Effect::Quit]);
}

#[test]
fn the_wheel_scrolls_the_board_within_the_drawing() {
    let mut s = state();
    show(&mut s, chain(30));
    update(&mut s, Action::Wheel(5));
    assert_eq!(s.board.scroll.1, 5);
    update(&mut s, Action::Wheel(-50));
    assert_eq!(s.board.scroll.1, 0);
}

#[test]
fn run_wants_a_valid_saved_file_and_reports_the_end() {
    let mut s = state();
    show(&mut s, chain(2));
    assert!(
        key(&mut s, BoardKey::Run).is_empty(),
        "never saved: nothing runs"
    );
    let notice = s.board.notice.clone().expect("a notice");
    assert!(
        notice.text.contains("save the workflow first"),
        "{}",
        notice.text
    );

    update(
        &mut s,
        Action::Board(BoardAction::Show {
            file: chain(2),
            path: Some("/w/chain.toml".into()),
        }),
    );
    assert_eq!(
        key(&mut s, BoardKey::Run),
        vec![Effect::BoardRun("/w/chain.toml".into())]
    );
    update(
        &mut s,
        Action::Board(BoardAction::RunEnded {
            path: "/w/chain.toml".into(),
            result: Ok(RunEnd {
                completed: true,
                summary: "run 20260101-000000-abcd completed (2 completed, 0 failed, 0 skipped)"
                    .into(),
            }),
        }),
    );
    let notice = s.board.notice.clone().expect("a notice");
    assert_eq!(notice.tone, Tone::Info);
    assert!(notice.text.contains("completed"), "{}", notice.text);
    update(
        &mut s,
        Action::Board(BoardAction::RunEnded {
            path: "/w/chain.toml".into(),
            result: Ok(RunEnd {
                completed: false,
                summary: "run 20260101-000000-abce failed (1 completed, 1 failed, 0 skipped)"
                    .into(),
            }),
        }),
    );
    let notice = s.board.notice.clone().expect("a notice");
    assert_eq!(
        notice.tone,
        Tone::Error,
        "a failed run is not reported as a success"
    );

    // An edit makes the file stale: save before running again.
    key(&mut s, BoardKey::Select(Step::Down));
    key(&mut s, BoardKey::Delete);
    assert!(key(&mut s, BoardKey::Run).is_empty());
}
