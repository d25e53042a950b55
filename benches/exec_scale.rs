//! The executor at scale: 1,000,000 no-op nodes end to end, from `Executor::start` to the
//! `RunReport` (the workflow is built and validated before the clock starts; the event
//! receiver is dropped, so no event is kept), on two shapes:
//!
//! - **layered**: 1,000 layers of 1,000 nodes; a node waits for the node at its position in
//!   the previous layer and, half the time, for one more node of that layer drawn at random
//!   (~1.5 edges per node);
//! - **wide**: one root that every other node waits for, so 999,999 nodes are ready at once.
//!   (A DAG with no edges at all is not a valid workflow: every node would be an orphan.)
//!
//! Targets (issue 5): ≤2 s end to end, scheduler overhead ≤5 µs per node (elapsed / nodes),
//! and 1,000+ nodes running at once. Baseline in the same run: a sequential Kahn's-algorithm
//! walk over the same workflow's CSR (in-degree counters and a queue, running nothing) — the
//! least any executor must do. Also: 2,000 sleep nodes of 50 ms with 2,000 workers, against
//! 2,000 bare tokio tasks sleeping 50 ms; and the same no-op DAG at 100,000 nodes on Dask's
//! threaded scheduler (`benches/dask_noop.py`, same generator) when Dask is installed
//! (`scripts/bench-venv.sh`).
//!
//! Runtime: tokio multi-thread with 2 workers (the machine has 2 cores); executor workers 64.
//! Run: `cargo bench --bench exec_scale` (about 70 s, of which Dask takes 10–15 s).
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::collections::VecDeque;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode};
use pit::dag::{
    EdgeKind, EdgeSpec, NodeId, NodeKind, NodeSpec, RunnerName, Workflow, WorkflowFile,
};
use pit::exec::{
    EventKind, ExecOptions, Executor, NodeState, RunReport, RunnerRegistry, WorkflowState,
};
use tokio::runtime::Runtime;
use tokio::sync::broadcast::error::TryRecvError;
use tokio::task::JoinSet;

use support::{Rng, Stats, Table, Target, Value, count, dur};

const TARGET_TOTAL: Duration = Duration::from_secs(2);
const TARGET_PER_NODE: Duration = Duration::from_micros(5);
/// Layer width of the layered shape (as in `dask_noop.py`).
const WIDTH: usize = 1000;
const SEED: u64 = 0x5eed;
/// Executor workers for the no-op runs.
const WORKERS: usize = 64;
/// Nodes running at once in the sleep test, and how long each sleeps.
const PARALLEL: usize = 2000;
const SLEEP: Duration = Duration::from_millis(50);

/// The layered shape's edges `(from, to)`, drawn exactly as `dask_noop.py::layered` draws them.
fn layered_edges(n: usize) -> Vec<(usize, usize)> {
    let width = WIDTH.min((n / 2).max(1));
    let mut rng = Rng(SEED);
    let mut edges = Vec::with_capacity(n * 3 / 2);
    for i in width..n {
        let same = i - width;
        edges.push((same, i));
        if rng.index(2) == 0 {
            let other = (i / width - 1) * width + rng.index(width);
            if other != same {
                edges.push((other, i));
            }
        }
    }
    edges
}

/// The wide shape's edges: node 0 before every other.
fn wide_edges(n: usize) -> Vec<(usize, usize)> {
    (1..n).map(|i| (0, i)).collect()
}

/// A workflow file of `n` operator nodes joined by hard control edges. With a `runner` (and
/// `seconds`), every node names it and so has settings of its own; without, nodes use the
/// default runner, `noop`, and share the default settings.
fn workflow_file(
    n: usize,
    edges: &[(usize, usize)],
    runner: Option<&str>,
    seconds: Option<f64>,
) -> WorkflowFile {
    let ids: Vec<NodeId> = (0..n).map(|i| NodeId::new(format!("n{i}"))).collect();
    let runner = runner.map(RunnerName::new);
    let nodes = ids
        .iter()
        .map(|id| {
            let mut node = NodeSpec::new(id.clone(), NodeKind::Operator);
            node.runner = runner.clone();
            if let Some(seconds) = seconds {
                node.params.insert("seconds".to_owned(), seconds.into());
            }
            node
        })
        .collect();
    let edges = edges
        .iter()
        .map(|&(from, to)| EdgeSpec::new(ids[from].clone(), ids[to].clone(), EdgeKind::Control))
        .collect();
    WorkflowFile {
        nodes,
        edges,
        ..WorkflowFile::default()
    }
}

/// The two shapes of no-op DAG.
#[derive(Debug, Clone, Copy)]
enum Shape {
    Layered,
    Wide,
}

impl Shape {
    fn name(self) -> &'static str {
        match self {
            Shape::Layered => "layered",
            Shape::Wide => "wide",
        }
    }
}

/// Generates and validates a no-op workflow (outside any timing); `runner` as in
/// [`workflow_file`].
fn build(shape: Shape, n: usize, runner: Option<&str>) -> Arc<Workflow> {
    let started = Instant::now();
    let edges = match shape {
        Shape::Layered => layered_edges(n),
        Shape::Wide => wide_edges(n),
    };
    let file = workflow_file(n, &edges, runner, None);
    let wf = Workflow::build(&file).expect("the generated DAG is valid");
    assert_eq!((wf.node_count(), wf.edge_count()), (n, edges.len()));
    println!(
        "{}: {n} nodes / {} edges, {} (generated and validated in {:.2} s)",
        shape.name(),
        wf.edge_count(),
        runner.map_or("no `runner` field (default noop)".to_owned(), |r| {
            format!("`runner = \"{r}\"` on every node")
        }),
        started.elapsed().as_secs_f64()
    );
    Arc::new(wf)
}

/// The baseline: a sequential Kahn's-algorithm walk over the workflow's CSR. Returns the
/// number of nodes visited (all of them).
fn kahn(wf: &Workflow) -> usize {
    let mut waiting: Vec<u32> = wf
        .nodes()
        .map(|n| wf.predecessors(n).len() as u32)
        .collect();
    let mut queue: VecDeque<_> = wf.nodes().filter(|n| waiting[n.index()] == 0).collect();
    let mut visited = 0;
    while let Some(node) = queue.pop_front() {
        visited += 1;
        for &next in wf.successors(black_box(node)) {
            let w = &mut waiting[next.index()];
            *w -= 1;
            if *w == 0 {
                queue.push_back(next);
            }
        }
    }
    visited
}

/// The tokio runtime of these runs: multi-thread, 2 workers.
fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime starts")
}

fn executor(workers: usize) -> Executor {
    let options = ExecOptions {
        workers,
        ..ExecOptions::default()
    };
    Executor::new(RunnerRegistry::with_builtins(1.0), options)
}

/// One run from `start` to its report, events dropped. Checks that every node completed.
fn run(rt: &Runtime, executor: &Executor, wf: &Arc<Workflow>) -> Duration {
    let (elapsed, report) = rt.block_on(async {
        let started = Instant::now();
        let (handle, events) = executor.start(wf.clone());
        drop(events);
        let report = handle.wait().await.expect("the run ends");
        (started.elapsed(), report)
    });
    check(&report, wf.node_count());
    elapsed
}

fn check(report: &RunReport, n: usize) {
    assert_eq!(
        report.state,
        WorkflowState::Completed,
        "{:?}",
        report.reason
    );
    assert_eq!(report.nodes.len(), n);
    assert!(report.nodes.iter().all(|s| *s == NodeState::Completed));
}

fn time(runs: usize, mut f: impl FnMut() -> Duration) -> Stats {
    f(); // warm-up
    let samples: Vec<Duration> = (0..runs).map(|_| f()).collect();
    Stats::of(&samples)
}

fn time_kahn(wf: &Workflow, runs: usize) -> Stats {
    time(runs, || {
        let started = Instant::now();
        let visited = black_box(kahn(black_box(wf)));
        let elapsed = started.elapsed();
        assert_eq!(visited, wf.node_count());
        elapsed
    })
}

/// The sleep test: a root, then `PARALLEL` nodes sleeping `SLEEP`, with as many workers.
/// Returns the timings and the most nodes seen Running at once (from one run's events).
fn parallel_sleeps(rt: &Runtime, runs: usize) -> (Stats, usize) {
    let edges = wide_edges(PARALLEL + 1);
    let mut file = workflow_file(
        PARALLEL + 1,
        &edges,
        Some("sleep"),
        Some(SLEEP.as_secs_f64()),
    );
    file.nodes[0].runner = None;
    file.nodes[0].params.clear();
    let wf = Arc::new(Workflow::build(&file).expect("valid"));
    let executor = executor(PARALLEL);
    let stats = time(runs, || run(rt, &executor, &wf));
    let peak = rt.block_on(async {
        let (handle, mut events) = executor.start(wf.clone());
        let report = handle.wait().await.expect("the run ends");
        check(&report, wf.node_count());
        let (mut running, mut peak) = (0usize, 0usize);
        loop {
            match events.try_recv() {
                Ok(event) => {
                    if let EventKind::Node(e) = event.kind {
                        if e.state == NodeState::Running {
                            running += 1;
                            peak = peak.max(running);
                        } else if e.state.is_final() {
                            running -= 1;
                        }
                    }
                }
                Err(TryRecvError::Lagged(n)) => panic!("lost {n} events; raise event_capacity"),
                Err(_) => break,
            }
        }
        peak
    });
    (stats, peak)
}

/// The least a runtime must do for the sleep test: `PARALLEL` tokio tasks sleeping `SLEEP`.
fn bare_sleeps(rt: &Runtime, runs: usize) -> Stats {
    time(runs, || {
        rt.block_on(async {
            let started = Instant::now();
            let mut tasks = JoinSet::new();
            for _ in 0..PARALLEL {
                tasks.spawn(tokio::time::sleep(SLEEP));
            }
            while tasks.join_next().await.is_some() {}
            started.elapsed()
        })
    })
}

/// What Dask measured, from `dask_noop.py`'s JSON line.
struct DaskRun {
    seconds: f64,
    version: String,
}

/// The interpreter with Dask: `$DASK_PYTHON`, else `target/bench-venv/bin/python`, else
/// `python3`, whichever first imports `dask`.
fn python_with_dask() -> Option<PathBuf> {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-venv/bin/python");
    let chosen = std::env::var_os("DASK_PYTHON").map(PathBuf::from);
    let candidates = chosen.into_iter().chain([venv, PathBuf::from("python3")]);
    candidates.into_iter().find(|python| {
        Command::new(python)
            .args(["-c", "import dask"])
            .output()
            .is_ok_and(|out| out.status.success())
    })
}

fn dask(n: usize) -> Option<DaskRun> {
    let Some(python) = python_with_dask() else {
        println!(
            "Dask baseline skipped: no Python with Dask. Install it with\n\n    \
             scripts/bench-venv.sh\n\n(creates target/bench-venv; `make bench` runs it), or \
             `pip install dask` for python3."
        );
        return None;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/dask_noop.py");
    println!(
        "Dask: {} {} {n} (one run) …",
        python.display(),
        script.display()
    );
    let out = Command::new(&python)
        .arg(&script)
        .arg(n.to_string())
        .output()
        .expect("python starts");
    if !out.status.success() {
        println!(
            "Dask baseline failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
        return None;
    }
    let line = String::from_utf8_lossy(&out.stdout);
    println!("  {}", line.trim());
    let json: serde_json::Value = serde_json::from_str(line.trim()).expect("one JSON line");
    assert_eq!(json["nodes"].as_u64(), Some(n as u64));
    Some(DaskRun {
        seconds: json["seconds"].as_f64().expect("seconds"),
        version: json["dask"].as_str().unwrap_or("?").to_owned(),
    })
}

fn per_node(d: Duration, n: usize) -> Duration {
    Duration::from_secs_f64(d.as_secs_f64() / n as f64)
}

fn main() {
    let big = count(1_000_000, 20_000);
    let small = count(100_000, 5_000);
    let runs = count(8, 1);
    let rt = runtime();
    let noop = executor(WORKERS);
    let symphony = format!("Symphony executor, {WORKERS} workers");
    let baseline = "baseline: sequential Kahn walk over the CSR";

    let layered = build(Shape::Layered, big, None);
    let layered_kahn = time_kahn(&layered, count(20, 2));
    layered_kahn.line(baseline);
    let layered_run = time(runs, || run(&rt, &noop, &layered));
    layered_run.line(&symphony);
    drop(layered);

    let named = build(Shape::Layered, big, Some("noop"));
    let named_run = time(runs, || run(&rt, &noop, &named));
    named_run.line(&symphony);
    drop(named);

    let wide = build(Shape::Wide, big, None);
    let wide_kahn = time_kahn(&wide, count(20, 2));
    wide_kahn.line(baseline);
    let wide_run = time(runs, || run(&rt, &noop, &wide));
    wide_run.line(&symphony);
    drop(wide);

    let layered_small = build(Shape::Layered, small, None);
    let small_kahn = time_kahn(&layered_small, count(50, 2));
    small_kahn.line(baseline);
    let small_run = time(count(10, 1), || run(&rt, &noop, &layered_small));
    small_run.line(&symphony);
    let dask = dask(small);
    if let Some(d) = &dask {
        println!(
            "  Dask {} threaded / Symphony at {small} nodes: {:.1}× ({:.2} s against {})",
            d.version,
            d.seconds / small_run.min.as_secs_f64(),
            d.seconds,
            dur(small_run.min)
        );
    }

    println!(
        "{PARALLEL} sleep nodes of {} ms after a no-op root, {PARALLEL} workers:",
        SLEEP.as_millis()
    );
    let (sleeps, peak) = parallel_sleeps(&rt, count(10, 1));
    sleeps.line("Symphony executor");
    let bare = bare_sleeps(&rt, count(10, 1));
    bare.line("baseline: bare tokio tasks sleeping");
    println!("  most nodes Running at once: {peak}");

    let mut criterion = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    {
        let mut group = criterion.benchmark_group("exec_scale");
        group.sampling_mode(SamplingMode::Flat);
        group.bench_function(format!("noop_layered_{small}"), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| run(&rt, &noop, &layered_small)).sum())
        });
        group.bench_function(format!("baseline_kahn_layered_{small}"), |b| {
            b.iter(|| kahn(black_box(&layered_small)))
        });
        group.finish();
    }
    criterion.final_summary();

    let mut table = Table::default();
    let t = Value::Time;
    let kahn_name = "sequential Kahn walk";
    for (what, measured, kahn) in [
        ("layered", layered_run, layered_kahn),
        (
            "layered, `runner = \"noop\"` on each",
            named_run,
            layered_kahn,
        ),
        ("wide", wide_run, wide_kahn),
    ] {
        table.row(
            &format!("{big} no-op nodes, {what}: end to end p50"),
            t(measured.p50),
            kahn_name,
            t(kahn.p50),
            Target::AtMost(TARGET_TOTAL),
        );
        table.row(
            &format!("{big} no-op nodes, {what}: end to end max"),
            t(measured.max),
            kahn_name,
            t(kahn.max),
            Target::AtMost(TARGET_TOTAL),
        );
        table.row(
            &format!("{big} no-op nodes, {what}: per node p50"),
            t(per_node(measured.p50, big)),
            kahn_name,
            t(per_node(kahn.p50, big)),
            Target::AtMost(TARGET_PER_NODE),
        );
    }
    table.row(
        &format!("{small} no-op nodes, layered: per node p50"),
        t(per_node(small_run.p50, small)),
        kahn_name,
        t(per_node(small_kahn.p50, small)),
        Target::AtMost(TARGET_PER_NODE),
    );
    if let Some(d) = &dask {
        table.row(
            &format!("Dask {} threaded, {small} no-op nodes, layered", d.version),
            t(Duration::from_secs_f64(d.seconds)),
            "Symphony, same graph (min)",
            t(small_run.min),
            Target::None,
        );
    }
    table.row(
        &format!(
            "{PARALLEL} × {} ms sleeps, {PARALLEL} workers, p50",
            SLEEP.as_millis()
        ),
        t(sleeps.p50),
        "bare tokio tasks sleeping",
        t(bare.p50),
        Target::None,
    );
    table.row(
        &format!(
            "{PARALLEL} × {} ms sleeps: most nodes Running at once",
            SLEEP.as_millis()
        ),
        Value::Number(peak as f64),
        "nodes in the test",
        Value::Number(PARALLEL as f64),
        Target::NumberAtLeast(1000.0),
    );
    table.print("DAG executor at scale");
    if dask.is_none() {
        println!("(no Dask row: run scripts/bench-venv.sh to add it)");
    }
}
