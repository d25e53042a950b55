//! The executor's semantics, one behaviour per test: retries and backoff, timeouts,
//! on_failure, fallbacks, dependency kinds, commands, and the built-in runners.
//! Time is tokio's paused clock, so waits cost nothing and delays are exact.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pit::dag::{NodeIx, Workflow, WorkflowFile};
use pit::exec::{
    Event, EventKind, ExecOptions, Executor, NodeContext, NodeEvent, NodeRunner, NodeState,
    RunError, RunFuture, RunHandle, RunnerRegistry, WorkflowState,
};
use serde_json::{Value, json};
use tokio::sync::broadcast;

/// `script` runner: sleeps `params.ms`, fails its first `params.fail` calls (retryably, or
/// fatally with `params.fatal`), and logs `start`/`end` of each call.
#[derive(Debug, Default, Clone)]
struct Script {
    log: Arc<Mutex<Vec<(String, &'static str)>>>,
    calls: Arc<Mutex<HashMap<String, u64>>>,
}

impl NodeRunner for Script {
    fn run(&self, ctx: NodeContext) -> RunFuture {
        let id = ctx.id().as_str().to_owned();
        let param = |name: &str| ctx.params().get(name).and_then(Value::as_u64).unwrap_or(0);
        let (ms, fail) = (param("ms"), param("fail"));
        let fatal = ctx.params().get("fatal").is_some();
        let call = {
            let mut calls = self.calls.lock().unwrap();
            let n = calls.entry(id.clone()).or_default();
            *n += 1;
            *n
        };
        let log = self.log.clone();
        Box::pin(async move {
            log.lock().unwrap().push((id.clone(), "start"));
            tokio::time::sleep(Duration::from_millis(ms)).await;
            log.lock().unwrap().push((id.clone(), "end"));
            match (call <= fail, fatal) {
                (false, _) => Ok(Default::default()),
                (true, false) => Err(RunError::retryable(format!("{id}: call {call} fails"))),
                (true, true) => Err(RunError::fatal(format!("{id}: fatal"))),
            }
        })
    }
}

struct Run {
    wf: Arc<Workflow>,
    handle: RunHandle,
    events: broadcast::Receiver<Event>,
    /// Every event `until` and `drain` have read.
    seen: Vec<Event>,
    script: Script,
}

fn start(file: Value, options: ExecOptions) -> Run {
    let file: WorkflowFile = serde_json::from_value(file).unwrap();
    let wf = Arc::new(Workflow::build(&file).unwrap());
    let script = Script::default();
    let mut registry = RunnerRegistry::with_builtins(1.0);
    registry.register("script", script.clone());
    let (handle, events) = Executor::new(registry, options).start(wf.clone());
    Run {
        wf,
        handle,
        events,
        seen: Vec::new(),
        script,
    }
}

fn opts() -> ExecOptions {
    ExecOptions {
        workers: 4,
        ..ExecOptions::default()
    }
}

impl Run {
    fn ix(&self, id: &str) -> NodeIx {
        self.wf.lookup(id).unwrap()
    }

    /// Waits for a node event matching `f`.
    async fn until(&mut self, mut f: impl FnMut(&NodeEvent) -> bool) -> NodeEvent {
        loop {
            let event = self.events.recv().await.unwrap();
            self.seen.push(event.clone());
            match event.kind {
                EventKind::Node(e) if f(&e) => return e,
                _ => {}
            }
        }
    }

    /// Reads the events sent so far.
    fn drain(&mut self) {
        while let Ok(e) = self.events.try_recv() {
            self.seen.push(e);
        }
    }

    fn log(&self) -> Vec<(String, &'static str)> {
        self.script.log.lock().unwrap().clone()
    }
}

fn node(id: &str, params: Value) -> Value {
    json!({ "id": id, "kind": "operator", "runner": "script", "params": params })
}

fn edge(from: &str, to: &str, dependency: &str) -> Value {
    json!({ "from": from, "to": to, "kind": "control", "dependency": dependency })
}

fn wf(nodes: Vec<Value>, edges: Vec<Value>) -> Value {
    json!({ "nodes": nodes, "edges": edges })
}

#[tokio::test(start_paused = true)]
async fn a_chain_runs_in_order_and_completes() {
    let file = wf(
        vec![
            node("a", json!({"ms": 10})),
            node("b", json!({"ms": 10})),
            node("c", json!({})),
        ],
        vec![edge("a", "b", "hard"), edge("b", "c", "hard")],
    );
    let run = start(file, opts());
    let script = run.script.clone();
    let report = run.handle.wait().await.unwrap();
    assert_eq!(report.state, WorkflowState::Completed);
    assert!(report.nodes.iter().all(|s| *s == NodeState::Completed));
    let log = script.log.lock().unwrap().clone();
    let order: Vec<_> = log
        .into_iter()
        .map(|(id, what)| format!("{id}:{what}"))
        .collect();
    assert_eq!(
        order,
        ["a:start", "a:end", "b:start", "b:end", "c:start", "c:end"]
    );
}

#[tokio::test(start_paused = true)]
async fn retries_back_off_exponentially_with_jitter() {
    let mut flaky = node("flaky", json!({"fail": 3}));
    flaky["retries"] = json!(3);
    flaky["backoff"] = json!("1s");
    let mut run = start(wf(vec![flaky], vec![]), opts());
    let mut delays = Vec::new();
    loop {
        let e = run.until(|e| e.error.is_some() || e.state.is_final()).await;
        match e.retry_in {
            Some(delay) => delays.push((e.attempt, delay)),
            None => {
                assert_eq!((e.state, e.attempt), (NodeState::Completed, 4));
                break;
            }
        }
    }
    assert_eq!(delays.len(), 3);
    for (attempt, delay) in &delays {
        let full = Duration::from_secs(1 << (attempt - 1));
        assert!(*delay >= full / 2 && *delay <= full, "{attempt}: {delay:?}");
    }
    let total: Duration = delays.iter().map(|(_, d)| *d).sum();
    let report = run.handle.wait().await.unwrap();
    assert_eq!(report.state, WorkflowState::Completed);
    assert!(report.elapsed >= total);
}

#[tokio::test(start_paused = true)]
async fn exhausted_retries_fail_the_node_skip_hard_dependents_and_fail_the_run() {
    let mut bad = node("bad", json!({"fail": 5}));
    bad["retries"] = json!(2);
    let file = wf(
        vec![
            bad,
            node("hard", json!({})),
            node("soft", json!({})),
            node("optional", json!({})),
            node("after-hard", json!({})),
        ],
        vec![
            edge("bad", "hard", "hard"),
            edge("bad", "soft", "soft"),
            edge("bad", "optional", "optional"),
            edge("hard", "after-hard", "soft"),
        ],
    );
    let run = start(file, opts());
    let script = run.script.clone();
    let [bad_ix, hard, soft, opt, after] =
        ["bad", "hard", "soft", "optional", "after-hard"].map(|id| run.ix(id));
    let report = run.handle.wait().await.unwrap();
    assert_eq!(report.state, WorkflowState::Failed);
    assert_eq!(report.node(bad_ix), NodeState::Failed);
    assert_eq!(report.node(hard), NodeState::Skipped);
    assert_eq!(report.node(soft), NodeState::Completed);
    assert_eq!(report.node(opt), NodeState::Completed);
    // A skipped soft source still releases its dependent.
    assert_eq!(report.node(after), NodeState::Completed);
    assert_eq!(script.calls.lock().unwrap()["bad"], 3);
}

#[tokio::test(start_paused = true)]
async fn a_fatal_error_skips_the_retries() {
    let mut bad = node("bad", json!({"fail": 1, "fatal": true}));
    bad["retries"] = json!(5);
    let run = start(wf(vec![bad], vec![]), opts());
    let script = run.script.clone();
    let report = run.handle.wait().await.unwrap();
    assert_eq!(report.state, WorkflowState::Failed);
    assert_eq!(script.calls.lock().unwrap()["bad"], 1);
}

#[tokio::test(start_paused = true)]
async fn a_node_timeout_abandons_the_attempt_and_counts_as_a_retryable_failure() {
    let slow = json!({ "id": "slow", "kind": "operator", "runner": "sleep",
        "params": { "seconds": 3600 }, "timeout": "1s", "retries": 1, "backoff": "10ms" });
    let mut run = start(wf(vec![slow], vec![]), opts());
    let first = run.until(|e| e.error.is_some()).await;
    assert!(first.error.unwrap().message.contains("timed out"));
    let report = run.handle.wait().await.unwrap();
    assert_eq!(report.state, WorkflowState::Failed);
    assert!(report.elapsed >= Duration::from_secs(2));
    assert!(report.elapsed < Duration::from_secs(3));
}

#[tokio::test(start_paused = true)]
async fn on_failure_skip_skips_the_node_and_the_run_completes() {
    let mut bad = node("bad", json!({"fail": 1}));
    bad["on_failure"] = json!("skip");
    let file = wf(
        vec![bad, node("hard", json!({})), node("optional", json!({}))],
        vec![
            edge("bad", "hard", "hard"),
            edge("bad", "optional", "optional"),
        ],
    );
    let run = start(file, opts());
    let ids = ["bad", "hard", "optional"].map(|id| run.ix(id));
    let report = run.handle.wait().await.unwrap();
    assert_eq!(report.state, WorkflowState::Completed);
    assert_eq!(
        ids.map(|n| report.node(n)),
        [NodeState::Skipped, NodeState::Skipped, NodeState::Completed]
    );
}

#[tokio::test(start_paused = true)]
async fn a_fallback_runs_in_place_of_a_failed_node() {
    let mut bad = node("bad", json!({"fail": 9}));
    bad["fallback"] = json!("plan-b");
    let mut unused = node("ok", json!({}));
    unused["fallback"] = json!("plan-c");
    let file = wf(
        vec![
            bad,
            node("plan-b", json!({})),
            node("after", json!({})),
            unused,
            node("plan-c", json!({})),
        ],
        vec![edge("bad", "after", "hard"), edge("ok", "after", "hard")],
    );
    let mut run = start(file, opts());
    let [bad, plan_b, after, plan_c] = ["bad", "plan-b", "after", "plan-c"].map(|id| run.ix(id));
    let done = run
        .until(|e| e.node == bad && e.state == NodeState::Completed)
        .await;
    assert_eq!(done.via, Some(plan_b));
    let report = run.handle.wait().await.unwrap();
    assert_eq!(report.state, WorkflowState::Completed);
    assert_eq!(report.node(plan_b), NodeState::Completed);
    assert_eq!(report.node(after), NodeState::Completed);
    assert_eq!(report.node(plan_c), NodeState::Skipped, "unused");
}

#[tokio::test(start_paused = true)]
async fn a_failed_fallback_applies_its_own_policy() {
    let mut bad = node("bad", json!({"fail": 9}));
    bad["fallback"] = json!("plan-b");
    let mut plan_b = node("plan-b", json!({"fail": 9}));
    plan_b["on_failure"] = json!("skip");
    let file = wf(
        vec![bad, plan_b, node("after", json!({}))],
        vec![edge("bad", "after", "soft")],
    );
    let run = start(file, opts());
    let report = run.handle.wait().await.unwrap();
    assert_eq!(
        report.nodes,
        [NodeState::Skipped, NodeState::Skipped, NodeState::Completed]
    );
    assert_eq!(report.state, WorkflowState::Completed);
}

#[tokio::test(start_paused = true)]
async fn pause_stops_new_starts_and_resume_continues() {
    let file = wf(
        vec![node("a", json!({"ms": 100})), node("b", json!({}))],
        vec![edge("a", "b", "hard")],
    );
    let mut run = start(file, opts());
    let a = run.ix("a");
    run.until(|e| e.node == a && e.state == NodeState::Running)
        .await;
    run.handle.pause().unwrap();
    run.until(|e| e.node == a && e.state == NodeState::Completed)
        .await;
    tokio::time::sleep(Duration::from_secs(60)).await;
    run.drain();
    let states: Vec<_> = run.seen.iter().map(|e| e.kind.clone()).collect();
    assert!(
        states.contains(&EventKind::Workflow {
            state: WorkflowState::Paused,
            reason: None
        }),
        "{states:?}"
    );
    assert_eq!(run.log().len(), 2, "b must not start while paused");
    run.handle.resume().unwrap();
    let report = run.handle.wait().await.unwrap();
    assert_eq!(report.state, WorkflowState::Completed);
    assert_eq!(report.nodes, [NodeState::Completed; 2]);
}

#[tokio::test(start_paused = true)]
async fn start_paused_runs_nothing_until_resumed() {
    let options = ExecOptions {
        start_paused: true,
        ..opts()
    };
    let run = start(wf(vec![node("a", json!({}))], vec![]), options);
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert!(run.log().is_empty());
    run.handle.resume().unwrap();
    let report = run.handle.wait().await.unwrap();
    assert_eq!(report.state, WorkflowState::Completed);
}

#[tokio::test(start_paused = true)]
async fn a_snapshot_shows_a_late_monitor_where_the_run_is() {
    let file = wf(
        vec![
            node("quick", json!({})),
            node("long", json!({"ms": 60_000})),
        ],
        vec![edge("quick", "long", "hard")],
    );
    let options = ExecOptions {
        start_paused: true,
        ..opts()
    };
    let mut run = start(file, options);
    let (quick, long) = (run.ix("quick"), run.ix("long"));
    let snapshot = run.handle.snapshot().await.unwrap();
    assert_eq!(snapshot.state, WorkflowState::Paused);
    assert_eq!(snapshot.nodes[quick.index()], NodeState::Queued);
    run.handle.resume().unwrap();
    run.until(|e| e.node == long && e.state == NodeState::Running)
        .await;
    let snapshot = run.handle.snapshot().await.unwrap();
    assert_eq!(snapshot.state, WorkflowState::Running);
    assert_eq!(
        (snapshot.nodes[quick.index()], snapshot.nodes[long.index()]),
        (NodeState::Completed, NodeState::Running)
    );
    let control = run.handle.control();
    run.handle.wait().await.unwrap();
    assert!(
        control.snapshot().await.is_err(),
        "a finished run has no snapshot"
    );
}

#[tokio::test(start_paused = true)]
async fn cancel_kills_running_attempts_at_once() {
    let file = wf(
        vec![node("long", json!({"ms": 3_600_000})), node("b", json!({}))],
        vec![edge("long", "b", "hard")],
    );
    let mut run = start(file, opts());
    let long = run.ix("long");
    run.until(|e| e.node == long && e.state == NodeState::Running)
        .await;
    let before = tokio::time::Instant::now();
    run.handle.cancel().unwrap();
    let report = run.handle.wait().await.unwrap();
    assert_eq!(before.elapsed(), Duration::ZERO);
    assert_eq!(report.state, WorkflowState::Cancelled);
    assert_eq!(report.nodes, [NodeState::Failed, NodeState::Pending]);
}

#[tokio::test(start_paused = true)]
async fn skip_kills_a_running_node_and_skips_its_hard_dependents() {
    let file = wf(
        vec![
            node("long", json!({"ms": 3_600_000})),
            node("hard", json!({})),
            node("soft", json!({})),
        ],
        vec![edge("long", "hard", "hard"), edge("long", "soft", "soft")],
    );
    let mut run = start(file, opts());
    let long = run.ix("long");
    run.until(|e| e.node == long && e.state == NodeState::Running)
        .await;
    run.handle.skip(long).unwrap();
    let report = run.handle.wait().await.unwrap();
    assert!(report.elapsed < Duration::from_secs(1));
    assert_eq!(report.state, WorkflowState::Completed);
    assert_eq!(
        report.nodes,
        [NodeState::Skipped, NodeState::Skipped, NodeState::Completed]
    );
}

#[tokio::test(start_paused = true)]
async fn retry_reopens_a_failed_node_and_the_nodes_skipped_because_of_it() {
    let file = wf(
        vec![
            node("flaky", json!({"fail": 1})),
            node("child", json!({})),
            node("grandchild", json!({})),
            node("other", json!({"ms": 1000})),
            node("join", json!({})),
        ],
        vec![
            edge("flaky", "child", "hard"),
            edge("child", "grandchild", "hard"),
            edge("other", "join", "hard"),
            edge("grandchild", "join", "soft"),
        ],
    );
    let mut run = start(file, opts());
    let script = run.script.clone();
    let flaky = run.ix("flaky");
    let grandchild = run.ix("grandchild");
    run.until(|e| e.node == grandchild && e.state == NodeState::Skipped)
        .await;
    run.handle.retry(flaky).unwrap();
    let report = run.handle.wait().await.unwrap();
    assert_eq!(report.state, WorkflowState::Completed);
    assert_eq!(report.nodes, [NodeState::Completed; 5]);
    let log = script.log.lock().unwrap().clone();
    let position = |id: &str| log.iter().position(|(n, w)| n == id && *w == "start");
    assert!(position("grandchild") < position("join"));
}

#[tokio::test(start_paused = true)]
async fn retry_cuts_a_backoff_short() {
    let mut flaky = node("flaky", json!({"fail": 1}));
    flaky["retries"] = json!(1);
    flaky["backoff"] = json!("1h");
    let mut run = start(wf(vec![flaky], vec![]), opts());
    let flaky = run.ix("flaky");
    run.until(|e| e.retry_in.is_some()).await;
    run.handle.retry(flaky).unwrap();
    let report = run.handle.wait().await.unwrap();
    assert_eq!(report.state, WorkflowState::Completed);
    assert!(report.elapsed < Duration::from_secs(1));
}

#[tokio::test(start_paused = true)]
async fn the_workflow_timeout_fails_the_run() {
    let mut file = wf(vec![node("long", json!({"ms": 3_600_000}))], vec![]);
    file["timeout"] = json!("5s");
    let run = start(file, opts());
    let report = run.handle.wait().await.unwrap();
    assert_eq!(report.state, WorkflowState::Failed);
    assert!(report.reason.unwrap().contains("timeout"));
    assert_eq!(report.elapsed, Duration::from_secs(5));
}

#[tokio::test(start_paused = true)]
async fn workers_bound_the_attempts_running_at_once() {
    let nodes: Vec<_> = (0..20)
        .map(|i| node(&format!("n{i}"), json!({"ms": 10})))
        .chain([node("sink", json!({}))])
        .collect();
    let edges = (0..20)
        .map(|i| edge(&format!("n{i}"), "sink", "hard"))
        .collect();
    let options = ExecOptions {
        workers: 3,
        ..opts()
    };
    let run = start(wf(nodes, edges), options);
    let script = run.script.clone();
    let report = run.handle.wait().await.unwrap();
    assert_eq!(report.state, WorkflowState::Completed);
    let (mut now, mut most) = (0i32, 0);
    for (_, what) in script.log.lock().unwrap().iter() {
        now += if *what == "start" { 1 } else { -1 };
        most = most.max(now);
    }
    assert_eq!(most, 3);
}

#[tokio::test(start_paused = true)]
async fn an_unknown_runner_is_a_fatal_error_naming_the_runner() {
    let file =
        json!({ "nodes": [{ "id": "x", "kind": "operator", "runner": "nope", "retries": 3 }] });
    let mut run = start(file, opts());
    let e = run.until(|e| e.state == NodeState::Failed).await;
    assert_eq!(e.attempt, 1);
    assert!(e.error.unwrap().message.contains("`nope`"));
}

#[tokio::test(start_paused = true)]
async fn the_sleep_runner_scales_its_seconds() {
    let file: WorkflowFile = serde_json::from_value(json!({ "nodes": [
        { "id": "s", "kind": "operator", "runner": "sleep", "params": { "seconds": 100 } }
    ]}))
    .unwrap();
    let wf = Arc::new(Workflow::build(&file).unwrap());
    let executor = Executor::new(RunnerRegistry::with_builtins(0.01), opts());
    let report = executor.start(wf).0.wait().await.unwrap();
    assert_eq!(report.elapsed, Duration::from_secs(1));
}

#[tokio::test]
async fn the_shell_runner_reports_exit_codes_and_output() {
    let file: WorkflowFile = serde_json::from_value(json!({
        "nodes": [
            { "id": "ok", "kind": "operator", "runner": "shell", "params": { "command": "echo hi" } },
            { "id": "bad", "kind": "operator", "runner": "shell",
              "params": { "command": "echo oops >&2; exit 3" }, "on_failure": "skip" }
        ],
        "edges": [{ "from": "ok", "to": "bad", "kind": "control" }]
    }))
    .unwrap();
    let wf = Arc::new(Workflow::build(&file).unwrap());
    let (handle, mut events) = Executor::new(RunnerRegistry::default(), opts()).start(wf);
    let report = handle.wait().await.unwrap();
    assert_eq!(report.nodes, [NodeState::Completed, NodeState::Skipped]);
    let mut error = None;
    while let Ok(e) = events.try_recv() {
        if let EventKind::Node(NodeEvent { error: Some(e), .. }) = e.kind {
            error = Some(e.message);
        }
    }
    let error = error.unwrap();
    assert!(
        error.contains("exit status: 3") && error.contains("oops"),
        "{error}"
    );
}

#[tokio::test]
async fn the_shell_runner_kills_its_process_on_timeout() {
    let dir = std::env::temp_dir().join(format!("pit-exec-kill-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pid_file = dir.join("pid");
    let command = format!("echo $$ > '{}'; exec sleep 30", pid_file.display());
    let file: WorkflowFile = serde_json::from_value(json!({ "nodes": [
        { "id": "hang", "kind": "operator", "runner": "shell",
          "params": { "command": command }, "timeout": "300ms" }
    ]}))
    .unwrap();
    let wf = Arc::new(Workflow::build(&file).unwrap());
    let (handle, _events) = Executor::new(RunnerRegistry::default(), opts()).start(wf);
    let report = handle.wait().await.unwrap();
    assert_eq!(report.nodes, [NodeState::Failed]);
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    // Killed: gone, or a zombie until tokio reaps it.
    let mut alive = true;
    for _ in 0..50 {
        match std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())) {
            Err(_) => alive = false,
            Ok(stat) => alive = !stat.contains(") Z "),
        }
        if !alive {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(!alive, "sleep {pid} survived the timeout");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `detached` runner: hands its cancel token to a detached task and never finishes.
#[derive(Debug, Default, Clone)]
struct Detached {
    saw_cancel: Arc<Mutex<bool>>,
}

impl NodeRunner for Detached {
    fn run(&self, ctx: NodeContext) -> RunFuture {
        let mut token = ctx.cancel.clone();
        assert!(!token.is_cancelled());
        let saw = self.saw_cancel.clone();
        tokio::spawn(async move {
            token.cancelled().await;
            *saw.lock().unwrap() = true;
        });
        Box::pin(std::future::pending())
    }
}

#[tokio::test(start_paused = true)]
async fn the_cancel_token_fires_when_an_attempt_is_abandoned() {
    let file: WorkflowFile = serde_json::from_value(json!({ "nodes": [
        { "id": "d", "kind": "operator", "runner": "detached", "timeout": "1s" }
    ]}))
    .unwrap();
    let wf = Arc::new(Workflow::build(&file).unwrap());
    let runner = Detached::default();
    let mut registry = RunnerRegistry::empty();
    registry.register("detached", runner.clone());
    let report = Executor::new(registry, opts())
        .start(wf)
        .0
        .wait()
        .await
        .unwrap();
    assert_eq!(report.nodes, [NodeState::Failed]);
    tokio::task::yield_now().await;
    assert!(*runner.saw_cancel.lock().unwrap());
}

#[tokio::test(start_paused = true)]
async fn commands_after_the_end_say_the_run_is_over() {
    let run = start(wf(vec![node("a", json!({}))], vec![]), opts());
    let control = run.handle.control();
    run.handle.wait().await.unwrap();
    assert!(matches!(
        control.pause(),
        Err(pit::exec::ExecError::Finished)
    ));
}

/// `live` runner: counts attempts alive at once (from start until dropped), and sleeps
/// `params.ms`.
#[derive(Debug, Default, Clone)]
struct Live {
    now: Arc<Mutex<(u32, u32)>>,
}

struct Alive(Arc<Mutex<(u32, u32)>>);

impl Drop for Alive {
    fn drop(&mut self) {
        self.0.lock().unwrap().0 -= 1;
    }
}

impl NodeRunner for Live {
    fn run(&self, ctx: NodeContext) -> RunFuture {
        let ms = ctx.params().get("ms").and_then(Value::as_u64).unwrap_or(0);
        let now = self.now.clone();
        Box::pin(async move {
            {
                let mut now = now.lock().unwrap();
                now.0 += 1;
                now.1 = now.1.max(now.0);
            }
            let _alive = Alive(now);
            tokio::time::sleep(Duration::from_millis(ms)).await;
            Ok(Default::default())
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_node_never_has_two_attempts_alive() {
    let file: WorkflowFile = serde_json::from_value(json!({ "nodes": [
        { "id": "x", "kind": "operator", "runner": "live", "params": { "ms": 200 } }
    ]}))
    .unwrap();
    let wf = Arc::new(Workflow::build(&file).unwrap());
    let runner = Live::default();
    let mut registry = RunnerRegistry::empty();
    registry.register("live", runner.clone());
    let (handle, mut events) = Executor::new(registry, opts()).start(wf);
    // A scheduler that ran two attempts at once would settle the node twice and stall.
    let limit = Duration::from_secs(30);
    let mut retries = 0;
    while retries < 5 {
        if let EventKind::Node(NodeEvent {
            state: NodeState::Running,
            node,
            ..
        }) = tokio::time::timeout(limit, events.recv())
            .await
            .expect("the run stalled")
            .unwrap()
            .kind
        {
            handle.retry(node).unwrap();
            retries += 1;
        }
    }
    let report = tokio::time::timeout(limit, handle.wait())
        .await
        .expect("the run stalled")
        .unwrap();
    assert_eq!(report.nodes, [NodeState::Completed]);
    assert_eq!(*runner.now.lock().unwrap(), (0, 1));
}
