//! `update` tests of the monitor: new views of a run, the error list's keys, and which board
//! gets the run's node states.

use pit::dag::{NodeId, NodeKind, NodeSpec, WorkflowFile};
use pit::journal::{Record, RunRecord};
use pit::runs::{NodeOutcome, RunHistory};

use crate::app::action::Action;
use crate::app::board::BoardAction;
use crate::app::effect::Effect;
use crate::app::state::{AppState, PaneId};
use crate::app::update;
use crate::theme::{BUILTIN_THEMES, ColorDepth, Theme};

use super::{MonitorKey, RunSource, RunView, board_states};

fn state() -> AppState {
    let theme = Theme::parse(BUILTIN_THEMES[0].1, "dark", ColorDepth::TrueColor)
        .expect("the built-in theme parses");
    let mut state = AppState::new((160, 48), theme);
    state.layout.focus = PaneId::Monitor;
    state
}

/// Run `run` of `demo` (in `demo.toml`): `a` failed, `b` was retried, `c` is running.
fn view(run: &str) -> RunView {
    let records = [
        Record::Run(RunRecord {
            run: run.into(),
            incarnation: 1,
            workflow: "demo.toml".into(),
            name: Some("demo".into()),
            digest: "d".into(),
            nodes: 3,
            workers: 2,
            time_scale: 1.0,
            at_ms: 1_000,
        }),
        Record::Started {
            node: "a".into(),
            attempt: 1,
            at_ms: 1_000,
        },
        Record::Failed {
            node: "a".into(),
            attempt: 1,
            error: "exit 1".into(),
            at_ms: 1_100,
        },
        Record::Started {
            node: "b".into(),
            attempt: 2,
            at_ms: 1_200,
        },
        Record::Started {
            node: "c".into(),
            attempt: 1,
            at_ms: 1_300,
        },
    ];
    let source = RunSource {
        run: run.into(),
        file: "demo.toml".into(),
        name: Some("demo".into()),
        dir: "/data/runs/r".into(),
        now_ms: 2_000,
    };
    RunView::new(source, &RunHistory::from_records(&records))
}

fn key(state: &mut AppState, key: MonitorKey) -> Vec<Effect> {
    update(state, Action::MonitorKey(key))
}

#[test]
fn the_error_list_is_walked_and_a_new_run_starts_it_over() {
    let mut s = state();
    update(&mut s, Action::Monitor(Box::new(view("r1"))));
    let errors: Vec<&str> = s
        .monitor
        .latest
        .as_ref()
        .unwrap()
        .errors()
        .iter()
        .map(|(r, _)| r.node.as_str())
        .collect();
    assert_eq!(
        errors,
        ["a", "b"],
        "the halt, then the retry (still running)"
    );
    key(&mut s, MonitorKey::Select(5));
    assert_eq!(s.monitor.selected, 1, "clamped to the list");
    let effects = key(&mut s, MonitorKey::Open);
    assert_eq!(effects, [Effect::BoardLoad("demo.toml".into())]);
    assert_eq!(s.monitor.detail.as_ref().unwrap().as_str(), "b");
    key(&mut s, MonitorKey::Select(-1));
    assert_eq!(
        s.monitor.detail.as_ref().unwrap().as_str(),
        "a",
        "the detail follows"
    );

    update(&mut s, Action::Monitor(Box::new(view("r1"))));
    assert_eq!(s.monitor.selected, 0, "the same run keeps its place");
    assert!(s.monitor.detail.is_some());
    update(&mut s, Action::Monitor(Box::new(view("r2"))));
    assert_eq!((s.monitor.selected, s.monitor.detail.clone()), (0, None));

    key(&mut s, MonitorKey::Back);
    assert_eq!(s.layout.focus, PaneId::Editor);
}

#[test]
fn the_board_draws_the_run_only_when_it_shows_its_workflow() {
    let mut s = state();
    update(&mut s, Action::Monitor(Box::new(view("r1"))));
    let file = |name: &str| {
        let mut file = WorkflowFile {
            name: Some(name.into()),
            ..WorkflowFile::default()
        };
        for id in ["a", "b", "c"] {
            file.nodes.push(NodeSpec::new(id, NodeKind::Operator));
        }
        file
    };
    update(
        &mut s,
        Action::Board(BoardAction::Show {
            file: file("other"),
            path: None,
        }),
    );
    assert!(board_states(&s.board, &s.monitor).is_empty());
    update(
        &mut s,
        Action::Board(BoardAction::Show {
            file: file("demo"),
            path: None,
        }),
    );
    let states = board_states(&s.board, &s.monitor);
    assert_eq!(states[&NodeId::from("a")], NodeOutcome::Failed);
    assert_eq!(states[&NodeId::from("c")], NodeOutcome::Unfinished);

    // Enter jumps straight to the node when the board already shows the workflow.
    s.layout.focus = PaneId::Monitor;
    assert!(key(&mut s, MonitorKey::Open).is_empty());
    assert_eq!(s.board.selected.as_ref().unwrap().as_str(), "a");
    assert_eq!(s.layout.focus, PaneId::Board);
}
