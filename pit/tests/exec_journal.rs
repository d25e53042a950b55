//! Journaled runs without the command line: what the journal holds after a run, output files
//! staged and published with their BLAKE3, a resume that skips what completed, outputs that
//! cannot be restored, a torn journal tail, and the run lock. Real time and a real temporary
//! directory: the journal's fsyncs run on a thread of their own.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pit::dag::{Workflow, WorkflowFile};
use pit::exec::{
    Checkpointing, Event, EventKind, ExecOptions, Executor, NodeContext, NodeOutput, NodeRunner,
    NodeState, RunError, RunFuture, RunHandle, RunReport, RunnerRegistry, WorkflowState, restore,
};
use pit::journal::{self, Checkpoint, Completion, JournalWriter, Record, RunRecord, Tail};
use pit::runs::{self, RunDir, RunStore, RunsError};
use serde_json::{Value, json};
use tokio::sync::broadcast;

/// One call of the `files` runner: the node, its run id, and its inputs sorted by node id.
#[derive(Debug, Clone)]
struct Call {
    node: String,
    run_id: Option<String>,
    inputs: Vec<(String, Value)>,
}

/// `files` runner: writes `params.files` (`{ "path": "content" }`) into its output directory,
/// then fails fatally while its node is in `failing`, else completes with `params.value`.
#[derive(Debug, Default, Clone)]
struct Files {
    calls: Arc<Mutex<Vec<Call>>>,
    failing: Arc<Mutex<HashSet<String>>>,
}

impl Files {
    fn calls(&self, node: &str) -> usize {
        let calls = self.calls.lock().unwrap();
        calls.iter().filter(|c| c.node == node).count()
    }

    fn last(&self, node: &str) -> Call {
        let calls = self.calls.lock().unwrap();
        let last = calls.iter().rev().find(|c| c.node == node);
        last.unwrap_or_else(|| panic!("`{node}` never ran")).clone()
    }

    fn fail(&self, node: &str, fails: bool) {
        let mut failing = self.failing.lock().unwrap();
        if fails {
            failing.insert(node.to_owned());
        } else {
            failing.remove(node);
        }
    }
}

impl NodeRunner for Files {
    fn run(&self, ctx: NodeContext) -> RunFuture {
        let node = ctx.id().as_str().to_owned();
        let mut inputs: Vec<(String, Value)> = ctx
            .inputs()
            .iter()
            .map(|(id, value)| (id.as_str().to_owned(), Value::clone(value)))
            .collect();
        inputs.sort_by(|a, b| a.0.cmp(&b.0));
        self.calls.lock().unwrap().push(Call {
            node: node.clone(),
            run_id: ctx.run_id().map(str::to_owned),
            inputs,
        });
        let files: Vec<(String, String)> = ctx
            .params()
            .get("files")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(path, content)| (path.clone(), content.as_str().unwrap().to_owned()))
            .collect();
        let dir = ctx.output_dir().map(Path::to_owned);
        let value = ctx.params().get("value").cloned();
        let fails = self.failing.lock().unwrap().contains(&node);
        Box::pin(async move {
            if !files.is_empty() {
                let dir = dir.expect("a journaled attempt has an output directory");
                tokio::task::spawn_blocking(move || write_files(&dir, &files))
                    .await
                    .unwrap()
                    .map_err(|e| RunError::retryable(e.to_string()))?;
            }
            if fails {
                return Err(RunError::fatal(format!("{node}: told to fail")));
            }
            Ok(NodeOutput { value })
        })
    }
}

fn write_files(dir: &Path, files: &[(String, String)]) -> std::io::Result<()> {
    for (path, content) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap())?;
        std::fs::write(path, content)?;
    }
    Ok(())
}

fn files(id: &str, params: Value) -> Value {
    json!({ "id": id, "kind": "operator", "runner": "files", "params": params })
}

fn edge(from: &str, to: &str) -> Value {
    json!({ "from": from, "to": to, "kind": "control" })
}

fn when(from: &str, to: &str, condition: &str) -> Value {
    json!({ "from": from, "to": to, "kind": "conditional", "condition": condition })
}

/// A workflow and its digest.
fn build(nodes: Vec<Value>, edges: Vec<Value>) -> (Arc<Workflow>, String) {
    let file: WorkflowFile =
        serde_json::from_value(json!({ "nodes": nodes, "edges": edges })).expect("a workflow file");
    let wf = Workflow::build(&file).expect("a valid workflow");
    (Arc::new(wf), file.digest())
}

/// Writes the incarnation's `Run` record, as `symphony run` does, and wraps the writer.
fn checkpointing(
    wf: &Workflow,
    digest: &str,
    dir: &RunDir,
    mut writer: JournalWriter,
    incarnation: u32,
    done: Vec<(pit::dag::NodeIx, Completion)>,
) -> Checkpointing {
    writer.write(Record::Run(RunRecord {
        run: dir.id().to_string(),
        incarnation,
        workflow: "test.json".into(),
        name: None,
        digest: digest.to_owned(),
        nodes: wf.node_count() as u32,
        workers: 4,
        time_scale: 1.0,
        at_ms: runs::now_ms(),
    }));
    Checkpointing {
        writer,
        dir: dir.path().to_owned(),
        run_id: Arc::from(dir.id().as_str()),
        incarnation,
        done,
    }
}

/// Runs to the end; returns the report and every event.
async fn execute(
    wf: &Arc<Workflow>,
    runner: &Files,
    checkpointing: Checkpointing,
) -> (RunReport, Vec<Event>) {
    let (handle, events) = start(wf, runner, checkpointing);
    finish(handle, events).await
}

fn start(
    wf: &Arc<Workflow>,
    runner: &Files,
    checkpointing: Checkpointing,
) -> (RunHandle, broadcast::Receiver<Event>) {
    let mut registry = RunnerRegistry::with_builtins(1.0);
    registry.register("files", runner.clone());
    let options = ExecOptions {
        workers: 4,
        ..ExecOptions::default()
    };
    Executor::new(registry, options).start_journaled(wf.clone(), checkpointing)
}

async fn finish(
    handle: RunHandle,
    mut events: broadcast::Receiver<Event>,
) -> (RunReport, Vec<Event>) {
    let report = tokio::time::timeout(Duration::from_secs(10), handle.wait())
        .await
        .expect("the run stalled")
        .unwrap();
    let mut seen = Vec::new();
    while let Ok(event) = events.try_recv() {
        seen.push(event);
    }
    (report, seen)
}

/// A fresh run of `wf`: its directory (dropped, so unlocked) and how it ended.
async fn first_run(
    store: &RunStore,
    (wf, digest): &(Arc<Workflow>, String),
    runner: &Files,
) -> (String, PathBuf, RunReport) {
    let (dir, writer) = store.create().unwrap();
    let checkpointing = checkpointing(wf, digest, &dir, writer, 1, Vec::new());
    let (report, _) = execute(wf, runner, checkpointing).await;
    (dir.id().to_string(), dir.path().to_owned(), report)
}

/// Opens run `id` again as `symphony run --resume` does: returns the lock, the checkpoint it
/// folded, `restore`'s problems, and the next incarnation's checkpointing.
fn reopen(
    store: &RunStore,
    id: &str,
    (wf, digest): &(Arc<Workflow>, String),
) -> (RunDir, Checkpoint, Vec<String>, Checkpointing) {
    let (dir, contents) = store.open(id).unwrap();
    let writer = JournalWriter::reopen(&dir.journal_path(), contents.valid_len).unwrap();
    let checkpoint = Checkpoint::from_records(contents.records);
    let (done, problems) = restore(wf, &dir, checkpoint.completed.clone().into_values());
    let incarnation = checkpoint.next_incarnation();
    let next = checkpointing(wf, digest, &dir, writer, incarnation, done);
    (dir, checkpoint, problems, next)
}

fn journal_of(run: &Path) -> Checkpoint {
    let contents = journal::read(&run.join("journal.log")).unwrap();
    assert_eq!(contents.tail, Tail::Clean);
    Checkpoint::from_records(contents.records)
}

fn node_states(wf: &Workflow, report: &RunReport) -> HashMap<String, NodeState> {
    wf.nodes()
        .map(|n| (wf.id(n).as_str().to_owned(), report.node(n)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_journal_holds_every_completion_with_its_value_and_published_output_hashes() {
    let tmp = tempfile::tempdir().unwrap();
    let store = RunStore::new(tmp.path());
    let wf = build(
        vec![
            files(
                "produce",
                json!({ "value": { "lines": 3 },
                        "files": { "out.txt": "hello", "sub/deep.bin": "xyz" } }),
            ),
            json!({ "id": "decide", "kind": "branch" }),
            files("report", json!({ "value": "done" })),
        ],
        vec![
            edge("produce", "decide"),
            when("decide", "report", "lines < 10"),
        ],
    );
    let runner = Files::default();
    let (id, path, report) = first_run(&store, &wf, &runner).await;
    assert_eq!(report.state, WorkflowState::Completed);
    assert_eq!(report.nodes, [NodeState::Completed; 3]);
    assert_eq!(runner.last("produce").run_id.as_deref(), Some(id.as_str()));

    let checkpoint = journal_of(&path);
    assert_eq!(checkpoint.run.as_ref().unwrap().run, id);
    assert_eq!(checkpoint.ended, Some(("completed".to_owned(), None)));
    let value = |node: &str| checkpoint.completed[node].value.clone();
    assert_eq!(value("produce"), Some(json!({ "lines": 3 })));
    assert_eq!(value("decide"), Some(json!({ "lines": 3 })), "passed on");
    assert_eq!(value("report"), Some(json!("done")));
    assert_eq!(checkpoint.completed.len(), 3);

    let produce = &checkpoint.completed["produce"];
    let outputs = path.join("outputs").join("produce");
    let recorded: Vec<_> = produce.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(recorded, ["out.txt", "sub/deep.bin"]);
    for file in &produce.files {
        let published = outputs.join(&file.path);
        let (size, blake3) = runs::hash_file(&published).unwrap();
        assert_eq!((file.size, &file.blake3), (size, &blake3), "{}", file.path);
    }
    assert_eq!(
        std::fs::read_to_string(outputs.join("sub/deep.bin")).unwrap(),
        "xyz"
    );
    assert_eq!(
        produce.files[0].blake3,
        blake3::hash(b"hello").to_hex().to_string()
    );
    assert!(produce.stage.is_some());
    assert!(checkpoint.completed["report"].files.is_empty());
    assert!(!path.join("outputs").join("report").exists());
    assert!(
        !path.join("stage").exists(),
        "a completed run keeps no stage"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resume_skips_completed_nodes_and_their_values_still_feed_conditions() {
    let tmp = tempfile::tempdir().unwrap();
    let store = RunStore::new(tmp.path());
    let wf = build(
        vec![
            files(
                "measure",
                json!({ "value": { "lines": 50 }, "files": { "m.txt": "measured" } }),
            ),
            files(
                "flaky",
                json!({ "value": "ok", "files": { "partial.txt": "p" } }),
            ),
            files("big", json!({})),
            files("small", json!({})),
        ],
        vec![
            edge("measure", "flaky"),
            edge("flaky", "big"),
            when("measure", "big", "lines > 10"),
            when("measure", "small", "lines <= 10"),
        ],
    );
    let runner = Files::default();
    runner.fail("flaky", true);
    let (id, path, report) = first_run(&store, &wf, &runner).await;
    assert_eq!(report.state, WorkflowState::Failed);
    let states = node_states(&wf.0, &report);
    assert_eq!(states["flaky"], NodeState::Failed);
    assert_eq!(states["big"], NodeState::Skipped);
    assert_eq!(states["small"], NodeState::Skipped);
    // A failed run keeps its failed attempt's files for a look, unpublished.
    let stage = path.join("stage").join("flaky");
    let attempts: Vec<_> = std::fs::read_dir(&stage).unwrap().collect();
    assert_eq!(attempts.len(), 1);
    assert!(!path.join("outputs").join("flaky").exists());

    runner.fail("flaky", false);
    let (dir, checkpoint, problems, next) = reopen(&store, &id, &wf);
    assert_eq!(problems, Vec::<String>::new());
    assert_eq!(checkpoint.ended.as_ref().unwrap().0, "failed");
    assert_eq!(checkpoint.failed, 1);
    let done: Vec<_> = next.done.iter().map(|(_, c)| c.node.as_str()).collect();
    assert_eq!(done, ["measure"]);
    assert_eq!(next.incarnation, 2);
    let (report, events) = execute(&wf.0, &runner, next).await;
    drop(dir);

    assert_eq!(report.state, WorkflowState::Completed);
    let states = node_states(&wf.0, &report);
    assert_eq!(states["flaky"], NodeState::Completed);
    assert_eq!(states["big"], NodeState::Completed, "`lines > 10` held");
    assert_eq!(states["small"], NodeState::Skipped, "`lines <= 10` did not");
    assert_eq!(
        runner.calls("measure"),
        1,
        "a completed node does not run again"
    );
    assert_eq!(runner.calls("flaky"), 2);
    assert_eq!(
        runner.last("big").inputs,
        [
            ("flaky".to_owned(), json!("ok")),
            ("measure".to_owned(), json!({ "lines": 50 }))
        ]
    );
    // The done node's Completed event comes first, before anything runs.
    let measure = wf.0.lookup("measure").unwrap();
    let node_events: Vec<_> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Node(n) => Some(n),
            EventKind::Workflow { .. } => None,
        })
        .collect();
    assert_eq!(
        (node_events[0].node, node_events[0].state),
        (measure, NodeState::Completed)
    );
    assert_eq!(
        node_events
            .iter()
            .filter(|n| n.node == measure)
            .map(|n| n.state)
            .collect::<Vec<_>>(),
        [NodeState::Completed]
    );

    let checkpoint = journal_of(&path);
    assert_eq!(checkpoint.run.as_ref().unwrap().incarnation, 2);
    assert_eq!(checkpoint.ended, Some(("completed".to_owned(), None)));
    let mut completed: Vec<_> = checkpoint.completed.keys().map(|n| n.as_str()).collect();
    completed.sort_unstable();
    assert_eq!(completed, ["big", "flaky", "measure"]);
    let outputs = path.join("outputs");
    assert_eq!(
        std::fs::read_to_string(outputs.join("measure/m.txt")).unwrap(),
        "measured"
    );
    assert_eq!(
        std::fs::read_to_string(outputs.join("flaky/partial.txt")).unwrap(),
        "p"
    );
    assert!(!path.join("stage").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_completion_whose_outputs_were_deleted_is_not_done_and_runs_again() {
    let tmp = tempfile::tempdir().unwrap();
    let store = RunStore::new(tmp.path());
    let wf = build(
        vec![
            files("produce", json!({ "files": { "a.txt": "alpha" } })),
            files("kept", json!({ "files": { "k.txt": "kept" } })),
            files("flaky", json!({})),
        ],
        vec![edge("produce", "flaky"), edge("kept", "flaky")],
    );
    let runner = Files::default();
    runner.fail("flaky", true);
    let (id, path, report) = first_run(&store, &wf, &runner).await;
    assert_eq!(report.state, WorkflowState::Failed);
    let published = path.join("outputs/produce/a.txt");
    let stage = journal_of(&path).completed["produce"]
        .stage
        .clone()
        .unwrap();
    assert!(
        !path.join(stage).exists(),
        "published, so its stage is gone"
    );
    std::fs::remove_file(&published).unwrap();

    runner.fail("flaky", false);
    let (dir, _, problems, next) = reopen(&store, &id, &wf);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("`produce`") && problems[0].contains("deleted"),
        "{}",
        problems[0]
    );
    let done: Vec<_> = next.done.iter().map(|(_, c)| c.node.as_str()).collect();
    assert_eq!(done, ["kept"]);
    let (report, _) = execute(&wf.0, &runner, next).await;
    drop(dir);
    assert_eq!(report.state, WorkflowState::Completed);
    assert_eq!((runner.calls("produce"), runner.calls("kept")), (2, 1));
    assert_eq!(std::fs::read_to_string(&published).unwrap(), "alpha");
    let checkpoint = journal_of(&path);
    let (size, blake3) = runs::hash_file(&published).unwrap();
    let file = &checkpoint.completed["produce"].files[0];
    assert_eq!((file.size, &file.blake3), (size, &blake3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_torn_journal_tail_is_reported_and_the_records_before_it_survive() {
    let tmp = tempfile::tempdir().unwrap();
    let store = RunStore::new(tmp.path());
    let wf = build(
        vec![
            files("a", json!({ "value": 1 })),
            files("b", json!({ "value": 2 })),
        ],
        vec![edge("a", "b")],
    );
    let (id, path, report) = first_run(&store, &wf, &Files::default()).await;
    assert_eq!(report.state, WorkflowState::Completed);
    let log = path.join("journal.log");
    let whole = journal::read(&log).unwrap();
    assert_eq!(whole.tail, Tail::Clean);
    assert!(matches!(whole.records.last(), Some(Record::Ended { .. })));
    let len = std::fs::metadata(&log).unwrap().len();
    assert_eq!(whole.valid_len, len);

    let file = std::fs::OpenOptions::new().write(true).open(&log).unwrap();
    file.set_len(len - 3).unwrap();
    drop(file);
    let torn = journal::read(&log).unwrap();
    assert!(matches!(torn.tail, Tail::Torn { .. }), "{:?}", torn.tail);
    let before = &whole.records[..whole.records.len() - 1];
    assert_eq!(torn.records, before);
    assert!(torn.valid_len < len - 3);
    let checkpoint = Checkpoint::from_records(torn.records.clone());
    assert_eq!(checkpoint.ended, None, "the end was torn off: interrupted");
    assert_eq!(checkpoint.completed.len(), 2);

    // A resume drops the torn bytes and appends after the last whole record.
    let (dir, contents) = store.open(&id).unwrap();
    assert_eq!(contents.valid_len, torn.valid_len);
    let mut writer = JournalWriter::reopen(&dir.journal_path(), contents.valid_len).unwrap();
    writer.write(Record::Skipped {
        node: "b".into(),
        at_ms: 7,
        reason: None,
    });
    writer.sync().await.unwrap();
    tokio::task::spawn_blocking(move || writer.close())
        .await
        .unwrap()
        .unwrap();
    let appended = journal::read(&log).unwrap();
    assert_eq!(appended.tail, Tail::Clean);
    assert_eq!(&appended.records[..before.len()], before);
    assert_eq!(
        appended.records[before.len()..],
        [Record::Skipped {
            node: "b".into(),
            at_ms: 7,
            reason: None,
        }]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_locked_by_a_live_run_dir_cannot_be_opened() {
    let tmp = tempfile::tempdir().unwrap();
    let store = RunStore::new(tmp.path());
    let (dir, writer) = store.create().unwrap();
    let id = dir.id().to_string();
    match store.open(&id) {
        Err(RunsError::Locked { id: locked }) => assert_eq!(locked.as_str(), id),
        other => panic!("expected Locked, got {other:?}"),
    }
    drop(writer);
    drop(dir);
    let (reopened, contents) = store.open(&id).unwrap();
    assert_eq!(reopened.id().as_str(), id);
    assert_eq!((contents.records.len(), contents.tail), (0, Tail::Clean));
    assert!(matches!(
        store.open("20990101-000000-none"),
        Err(RunsError::NotFound { .. })
    ));
    assert!(matches!(store.open("../etc"), Err(RunsError::BadId(_))));
}

#[tokio::test(flavor = "current_thread")]
async fn skipping_a_node_whose_completion_is_not_durable_yet_settles_it_once() {
    let tmp = tempfile::tempdir().unwrap();
    let store = RunStore::new(tmp.path());
    let (wf, digest) = build(
        vec![
            json!({ "id": "x", "kind": "input", "params": { "value": 1 } }),
            json!({ "id": "slow", "kind": "operator", "runner": "sleep",
                    "params": { "seconds": 0.2 } }),
            files("y", json!({})),
        ],
        vec![
            edge("x", "y"),
            json!({ "from": "slow", "to": "y", "kind": "control", "dependency": "soft" }),
        ],
    );
    let (dir, writer) = store.create().unwrap();
    let checkpointing = checkpointing(&wf, &digest, &dir, writer, 1, Vec::new());
    let runner = Files::default();
    let (handle, events) = start(&wf, &runner, checkpointing);
    // Queued before the scheduler first runs: it completes `x` inline (a completion that
    // then waits for its fsync), and reads this command before the fsync is done.
    handle.skip(wf.lookup("x").unwrap()).unwrap();
    let (report, events) = finish(handle, events).await;
    for node in wf.nodes() {
        let finals: Vec<_> = events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Node(n) if n.node == node && n.state.is_final() => Some(n.state),
                _ => None,
            })
            .collect();
        assert_eq!(finals.len(), 1, "`{}` settled as {finals:?}", wf.id(node));
    }
    assert_eq!(report.state, WorkflowState::Completed);
    assert_eq!(
        report.node(wf.lookup("slow").unwrap()),
        NodeState::Completed
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skips_are_journaled_with_their_reason_and_shell_attempts_log_their_stderr() {
    let tmp = tempfile::tempdir().unwrap();
    let store = RunStore::new(tmp.path());
    let shell = |id: &str, command: &str, extra: Value| {
        let mut node = json!({ "id": id, "kind": "operator", "runner": "shell",
                               "params": { "command": command } });
        node.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        node
    };
    let wf = build(
        vec![
            shell(
                "flaky",
                "echo tried >&2; exit 2",
                json!({ "retries": 1, "on_failure": "skip" }),
            ),
            shell("broken", "echo disk full >&2; exit 3", json!({})),
            shell("after", "true", json!({})),
            files("gate", json!({ "value": { "n": 1 } })),
            files("never", json!({})),
        ],
        vec![
            json!({ "from": "flaky", "to": "gate", "kind": "control", "dependency": "soft" }),
            edge("broken", "after"),
            when("gate", "never", "n > 5"),
        ],
    );
    let (_, path, report) = first_run(&store, &wf, &Files::default()).await;
    assert_eq!(report.state, WorkflowState::Failed);
    let records = journal::read(&path.join("journal.log")).unwrap().records;
    let reason = |node: &str| {
        records.iter().find_map(|r| match r {
            Record::Skipped {
                node: n, reason, ..
            } if n.as_str() == node => reason.clone(),
            _ => None,
        })
    };
    let flaky = reason("flaky").unwrap();
    assert!(
        flaky.starts_with("failed, and `on_failure = \"skip\"` went on: node `flaky`"),
        "{flaky}"
    );
    assert_eq!(
        reason("after").as_deref(),
        Some("`broken` did not complete (failed)")
    );
    assert_eq!(
        reason("never").as_deref(),
        Some("the condition `n > 5` from `gate` is false")
    );
    let log = std::fs::read_to_string(runs::log_path(&path, "flaky")).unwrap();
    assert_eq!(
        log,
        "── attempt 1: exit status: 2\ntried\n── attempt 2: exit status: 2\ntried\n"
    );
    let log = std::fs::read_to_string(runs::log_path(&path, "broken")).unwrap();
    assert!(log.ends_with("disk full\n"), "{log}");
    assert!(!runs::log_path(&path, "after").exists(), "it never ran");
}
