//! The execution monitor on a real run: `symphony run` records a workflow whose nodes retry,
//! fall back, skip and fail; the pane's model of its journal agrees with the journal itself
//! and with `symphony runs show`; whole screens (TestBackend + insta) of the run while it
//! runs (the journal cut where a node has started) and of a failed node's error detail after
//! the jump to its node on the board. Times are put on a fixed clock (100 ms a record) so
//! that the screens do not depend on the machine. Review changes with `cargo insta review`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_support;
mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use cli_support::{symphony, text};
use common::Harness;
use pit::dag::parse_toml;
use pit::journal::{self, Record};
use pit::runs::NodeOutcome;
use symphony::adapters::MemoryEditor;
use symphony::app::board::BoardAction;
use symphony::app::monitor::{Recovery, RunView};
use symphony::app::{Action, Effect, update};
use symphony::ui::run_watcher::view_of_run;

/// One of each recovery: `flaky` is retried, `transform` falls back, `lint` is skipped by
/// `on_failure`, `publish` fails for good (the run halts) and `notify` is skipped after it.
const NIGHTLY: &str = r#"
name = "nightly-report"

[[nodes]]
id = "fetch"
kind = "operator"
runner = "shell"
params = { command = "echo fetched" }

[[nodes]]
id = "flaky"
kind = "operator"
runner = "shell"
retries = 2
# Long enough for the other branches to finish first: the journal's order is then fixed.
backoff = "1s"
params = { command = "test $SYMPHONY_ATTEMPT -gt 1 || { echo 'connection reset' >&2; exit 1; }" }

[[nodes]]
id = "transform"
kind = "operator"
runner = "shell"
fallback = "transform-safe"
params = { command = "echo 'schema v3 not understood' >&2; exit 2" }

[[nodes]]
id = "transform-safe"
kind = "operator"
runner = "shell"
params = { command = "echo plain" }

[[nodes]]
id = "lint"
kind = "operator"
runner = "shell"
on_failure = "skip"
params = { command = "echo '3 style warnings' >&2; exit 4" }

[[nodes]]
id = "publish"
kind = "operator"
runner = "shell"
params = { command = "echo 'writing /srv/out/report.html' >&2; echo 'No space left on device' >&2; exit 3" }

[[nodes]]
id = "notify"
kind = "operator"
runner = "shell"
params = { command = "echo sent" }

[[edges]]
from = "fetch"
to = "flaky"
kind = "control"

[[edges]]
from = "fetch"
to = "transform"
kind = "control"

[[edges]]
from = "fetch"
to = "lint"
kind = "control"

[[edges]]
from = "flaky"
to = "publish"
kind = "control"

[[edges]]
from = "transform"
to = "publish"
kind = "control"

[[edges]]
from = "publish"
to = "notify"
kind = "control"
"#;

/// A recorded run of `NIGHTLY`, one worker so that its records come in one order.
struct Recorded {
    _dir: tempfile::TempDir,
    workflow: PathBuf,
    run: String,
    run_dir: PathBuf,
    data: PathBuf,
    records: Vec<Record>,
}

fn record_a_run() -> Recorded {
    let dir = tempfile::tempdir().unwrap();
    let workflow = dir.path().join("nightly.toml");
    std::fs::write(&workflow, NIGHTLY).unwrap();
    let data = dir.path().join("data");
    let out = symphony(
        &data,
        &[
            "run",
            workflow.to_str().unwrap(),
            "--workers",
            "1",
            "--json",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let run = text(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find_map(|e| Some(e.get("run")?.as_str()?.to_owned()))
        .expect("a run event");
    let run_dir = data.join("runs").join(&run);
    let records = journal::read(&run_dir.join("journal.log")).unwrap().records;
    Recorded {
        _dir: dir,
        workflow,
        run,
        run_dir,
        data,
        records,
    }
}

/// The records with their times on a fixed clock: 100 ms after the one before.
fn on_a_fixed_clock(records: &[Record]) -> Vec<Record> {
    let at = |i: usize| 1_800_000_000_000 + 100 * i as u64;
    records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut r = r.clone();
            match &mut r {
                Record::Run(run) => run.at_ms = at(i),
                Record::Completed(c) => c.at_ms = at(i),
                Record::Started { at_ms, .. }
                | Record::AttemptFailed { at_ms, .. }
                | Record::Failed { at_ms, .. }
                | Record::Skipped { at_ms, .. }
                | Record::Pool { at_ms, .. }
                | Record::Ended { at_ms, .. } => *at_ms = at(i),
            }
            r
        })
        .collect()
}

/// The run's id and the temporary paths, out of a screen.
fn filters(recorded: &Recorded) -> Vec<(String, String)> {
    vec![
        // The id, or what of it fits.
        (r"\d{8}-\d{6}-?[0-9a-f]{0,4}".to_owned(), "[run]".to_owned()),
        (
            regex_escape(recorded.workflow.parent().unwrap().to_str().unwrap()),
            "[tmp]".to_owned(),
        ),
    ]
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let special = "\\.+*?()|[]{}^$#&-~".contains(c);
            special.then_some('\\').into_iter().chain([c])
        })
        .collect()
}

fn harness_following(view: RunView) -> Harness<MemoryEditor> {
    let mut h = Harness::memory(160, 52, vec![]);
    h.act(Action::Monitor(Box::new(view)));
    h
}

fn show_on_board(h: &mut Harness<MemoryEditor>, workflow: &Path) {
    let file = parse_toml(&std::fs::read_to_string(workflow).unwrap(), "nightly").unwrap();
    h.act(Action::Board(BoardAction::Show {
        file,
        path: Some(workflow.to_owned()),
    }));
}

#[test]
fn the_pane_shows_what_the_journal_and_runs_show_say() {
    let recorded = record_a_run();
    let view = view_of_run(&recorded.run_dir, &recorded.run, &recorded.records, 0);

    // The journal read by hand: each node's last outcome record and its highest attempt.
    let mut by_hand: HashMap<String, (NodeOutcome, u32)> = HashMap::new();
    for record in &recorded.records {
        let (node, outcome, attempt) = match record {
            Record::Started { node, attempt, .. } => (node, NodeOutcome::Unfinished, *attempt),
            Record::Completed(c) => {
                // A fallback completes in its owner's record.
                if let Some(via) = &c.via {
                    by_hand.get_mut(via.as_str()).unwrap().0 = NodeOutcome::Completed;
                }
                (&c.node, NodeOutcome::Completed, c.attempt)
            }
            Record::Failed { node, attempt, .. } => (node, NodeOutcome::Failed, *attempt),
            Record::Skipped { node, .. } => (node, NodeOutcome::Skipped, 0),
            _ => continue,
        };
        let entry = by_hand
            .entry(node.as_str().to_owned())
            .or_insert((outcome, 0));
        entry.0 = outcome;
        entry.1 = entry.1.max(attempt);
    }
    let model: HashMap<String, (NodeOutcome, u32)> = view
        .rows
        .iter()
        .map(|r| (r.node.as_str().to_owned(), (r.outcome, r.attempts)))
        .collect();
    assert_eq!(model, by_hand);
    assert_eq!(view.ended.as_deref(), Some("failed"));
    assert_eq!((view.total, view.workers), (7, 1));

    // `symphony runs show` folds the same way.
    let out = symphony(
        &recorded.data,
        &["runs", "show", &recorded.run, "--json"],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let history = shown["history"].as_array().unwrap();
    assert_eq!(history.len(), view.rows.len());
    for node in history {
        let row = view.row(&node["node"].as_str().unwrap().into()).unwrap();
        assert_eq!(node["outcome"], row.outcome.word(), "{node}");
        assert_eq!(node["attempts"], row.attempts, "{node}");
        assert_eq!(node["elapsed_ms"].as_u64(), row.elapsed_ms(0), "{node}");
        assert_eq!(node["reason"].as_str(), row.reason.as_deref(), "{node}");
        assert_eq!(node["error"].as_str(), row.error.as_deref(), "{node}");
    }

    // The error list: one of each recovery, halts first, each with its log.
    let errors: Vec<(&str, Recovery)> = view
        .errors()
        .into_iter()
        .map(|(r, recovery)| (r.node.as_str(), recovery))
        .collect();
    assert_eq!(
        errors,
        [
            ("publish", Recovery::Halt(1)),
            ("lint", Recovery::Skip),
            ("transform", Recovery::Fallback("transform-safe".into())),
            ("flaky", Recovery::Retry(2)),
        ]
    );
    let log = |node: &str| view.row(&node.into()).unwrap().log.clone().unwrap();
    assert!(log("publish").ends_with("No space left on device"));
    assert_eq!(
        log("flaky"),
        "── attempt 1: exit status: 1\nconnection reset\n── attempt 2: exit status: 0"
    );
    assert_eq!(
        view.row(&"notify".into()).unwrap().reason.as_deref(),
        Some("`publish` did not complete (failed)")
    );
    assert_eq!(view.metrics.peak, 1, "one worker");
}

#[test]
fn a_running_workflow_in_the_monitor() {
    let recorded = record_a_run();
    let records = on_a_fixed_clock(&recorded.records);
    // The journal as a watcher saw it while `publish` ran.
    let cut = records
        .iter()
        .position(|r| matches!(r, Record::Started { node, .. } if node.as_str() == "publish"))
        .unwrap();
    let now = records[cut].at_ms() + 1_250;
    let view = view_of_run(&recorded.run_dir, &recorded.run, &records[..=cut], now);
    assert_eq!(view.ended, None);
    let mut h = harness_following(view);
    show_on_board(&mut h, &recorded.workflow);
    h.keys("<A-4>");
    let wide = h.screen();
    h.keys("<A-z>");
    let filters = filters(&recorded);
    let filters: Vec<(&str, &str)> = filters.iter().map(|(a, b)| (&**a, &**b)).collect();
    insta::with_settings!({ filters => filters }, {
        insta::assert_snapshot!("a_running_workflow_beside_its_board", wide);
        insta::assert_snapshot!(h.screen());
    });
}

#[test]
fn a_failed_nodes_error_detail() {
    let recorded = record_a_run();
    let records = on_a_fixed_clock(&recorded.records);
    let view = view_of_run(&recorded.run_dir, &recorded.run, &records, 0);
    let mut h = harness_following(view);
    h.act(Action::Resize(160, 64));
    show_on_board(&mut h, &recorded.workflow);
    // The board took focus; to the monitor, through the error list and back to the first.
    h.keys("<A-4> j j k <Down> <Up> <Up>");
    assert_eq!(h.state.monitor.selected, 0);
    h.keys("<Enter>");
    assert_eq!(h.state.board.selected.as_ref().unwrap().as_str(), "publish");
    assert_eq!(
        h.state.layout.focus,
        symphony::app::state::PaneId::Board,
        "the jump focuses the board"
    );
    assert_eq!(h.state.monitor.detail.as_ref().unwrap().as_str(), "publish");
    let filters = filters(&recorded);
    let filters: Vec<(&str, &str)> = filters.iter().map(|(a, b)| (&**a, &**b)).collect();
    insta::with_settings!({ filters => filters }, {
        insta::assert_snapshot!(h.screen());
    });
}

#[test]
fn the_jump_opens_the_runs_workflow_when_the_board_shows_another() {
    let recorded = record_a_run();
    let view = view_of_run(&recorded.run_dir, &recorded.run, &recorded.records, 0);
    let mut h = harness_following(view);
    h.keys("<A-4> j");
    let effects = update(
        &mut h.state,
        Action::MonitorKey(symphony::app::monitor::MonitorKey::Open),
    );
    assert_eq!(effects, [Effect::BoardLoad(recorded.workflow.clone())]);
    assert_eq!(h.state.monitor.detail.as_ref().unwrap().as_str(), "lint");
    // The runtime reads the file; the board opens it with the node selected.
    let file = parse_toml(&std::fs::read_to_string(&recorded.workflow).unwrap(), "n").unwrap();
    h.act(Action::Board(BoardAction::Loaded {
        path: recorded.workflow.clone(),
        result: Ok(file),
    }));
    assert_eq!(h.state.board.selected.as_ref().unwrap().as_str(), "lint");
    assert_eq!(h.state.monitor.pending_jump, None);
    // Esc in the monitor closes the detail, then leaves for the editor.
    h.keys("<A-4> <Esc>");
    assert_eq!(h.state.monitor.detail, None);
    h.keys("<Esc>");
    assert_eq!(h.state.layout.focus, symphony::app::state::PaneId::Editor);
}
