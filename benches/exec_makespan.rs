//! Makespan on real workflows: each WfCommons trace in `../shared/data/wfcommons/` (seen from
//! the workspace root; `WFCOMMONS_DIR` overrides it) runs on the executor with its tasks as
//! sleeps of their recorded runtime × a time scale, with 2, 4 and 8 workers. Target (issue
//! 5): achieved makespan ≤ 1.05 × the lower bound max(critical path, total work / workers).
//!
//! The scale is chosen per trace so that the lower bound at 2 workers is 1 s
//! (`MAKESPAN_SECONDS` overrides it; `MAKESPAN_TRACES=<part of a file name>` and
//! `MAKESPAN_WORKERS=2,4` narrow the run), from `pit::dag::critical_path` and `total_work` over
//! `sleep_seconds`. The trace is loaded at scale 1 and the scale applied once, by
//! `RunnerRegistry::with_builtins(scale)`.
//!
//! Baselines in the same run, which split the gap to the lower bound into its causes:
//! - **FIFO simulation**: the executor's policy (a FIFO ready queue, nodes released in
//!   successor order) simulated with exact durations and no overhead: what the policy costs;
//! - **FIFO simulation + timer lateness**: the same with every sleep longer by how late
//!   `tokio::time::sleep` was measured to wake (its mean, measured first): what the timer
//!   costs;
//! - **critical-path-first simulation**: longest remaining path first, no overhead: what a
//!   better policy would reach;
//! - **bare tokio**: the same greedy FIFO loop on the same runtime with the same
//!   `tokio::time::sleep`s, and nothing else (no states, events, runners): what any tokio
//!   executor would achieve. pit ÷ bare tokio is the executor's own overhead.
//!
//! Also measured: how late `tokio::time::sleep` wakes, on its own.
//!
//! A measurement, not a criterion loop: 3 runs per trace and worker count (after one warm-up
//! run), min and median reported. Run: `cargo bench --bench exec_makespan` (about 1.5
//! minutes).
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use pit::dag::{
    LoadOptions, NodeIx, Workflow, critical_path, load_workflow, sleep_seconds, total_work,
};
use pit::exec::{ExecOptions, Executor, NodeState, RunnerRegistry, WorkflowState};
use tokio::runtime::Runtime;
use tokio::task::JoinSet;

use support::{Stats, Table, Target, Value, count, dur};

const TARGET_RATIO: f64 = 1.05;
/// The lower bound at 2 workers that the time scale aims for, unless `MAKESPAN_SECONDS` says.
const LOWER_BOUND_AT_2: Duration = Duration::from_secs(1);
/// Sleeps timed for the timer's lateness, and how long each asks for (not a whole ms).
const TIMER_SAMPLES: usize = 200;
const TIMER_SLEEP: Duration = Duration::from_micros(1500);
const WORKERS: [usize; 3] = [2, 4, 8];

/// The traces' directory: `$WFCOMMONS_DIR`, else `../shared/data/wfcommons` beside the
/// workspace.
fn traces_dir() -> PathBuf {
    std::env::var_os("WFCOMMONS_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/wfcommons"),
        PathBuf::from,
    )
}

fn traces(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            name.ends_with(".json") || name.ends_with(".json.gz")
        })
        .collect();
    // Smallest first, so that a smoke run takes the small ones.
    files.sort_by_key(|p| (std::fs::metadata(p).map_or(0, |m| m.len()), p.clone()));
    files
}

/// The tokio runtime of these runs: multi-thread, 2 workers (the machine has 2 cores).
fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime starts")
}

/// Every node's duration in nanoseconds at `scale`.
fn durations_ns(wf: &Workflow, scale: f64) -> Vec<u64> {
    wf.nodes()
        .map(|n| (sleep_seconds(wf, n) * scale * 1e9).round() as u64)
        .collect()
}

/// The order in which ready nodes start.
#[derive(Debug, Clone, Copy)]
enum Policy<'a> {
    /// The executor's: a FIFO ready queue, initially in file order, successors released in
    /// CSR order when a node ends.
    Fifo,
    /// Longest remaining path first (these are each node's bottom levels): the classic
    /// critical-path list scheduling heuristic, for comparison.
    CriticalPathFirst(&'a [u64]),
}

/// Ready nodes, in the order a policy starts them.
enum Ready<'a> {
    Fifo(VecDeque<NodeIx>),
    ByLevel(&'a [u64], BinaryHeap<(u64, Reverse<NodeIx>)>),
}

impl Ready<'_> {
    fn push(&mut self, node: NodeIx) {
        match self {
            Ready::Fifo(queue) => queue.push_back(node),
            Ready::ByLevel(level, heap) => heap.push((level[node.index()], Reverse(node))),
        }
    }

    fn pop(&mut self) -> Option<NodeIx> {
        match self {
            Ready::Fifo(queue) => queue.pop_front(),
            Ready::ByLevel(_, heap) => heap.pop().map(|(_, Reverse(node))| node),
        }
    }
}

/// Greedy list scheduling without overhead: `workers` nodes at once, started in `policy`'s
/// order; ties in end time broken by start order.
fn simulate(wf: &Workflow, durations: &[u64], workers: usize, policy: Policy<'_>) -> Duration {
    let mut waiting: Vec<u32> = wf
        .nodes()
        .map(|n| wf.predecessors(n).len() as u32)
        .collect();
    let mut ready = match policy {
        Policy::Fifo => Ready::Fifo(VecDeque::new()),
        Policy::CriticalPathFirst(level) => Ready::ByLevel(level, BinaryHeap::new()),
    };
    for node in wf.nodes().filter(|n| waiting[n.index()] == 0) {
        ready.push(node);
    }
    let mut running = BinaryHeap::new();
    let (mut now, mut started) = (0u64, 0u64);
    loop {
        while running.len() < workers {
            let Some(node) = ready.pop() else { break };
            running.push(Reverse((now + durations[node.index()], started, node)));
            started += 1;
        }
        let Some(Reverse((end, _, node))) = running.pop() else {
            break;
        };
        now = end;
        for &next in wf.successors(node) {
            waiting[next.index()] -= 1;
            if waiting[next.index()] == 0 {
                ready.push(next);
            }
        }
    }
    Duration::from_nanos(now)
}

/// Each node's bottom level: the longest path from it to an exit, itself included.
fn bottom_levels(wf: &Workflow, durations: &[u64]) -> Vec<u64> {
    let mut level = vec![0u64; wf.node_count()];
    for &node in wf.topological_order().iter().rev() {
        let after = wf.successors(node).iter().map(|s| level[s.index()]).max();
        level[node.index()] = durations[node.index()] + after.unwrap_or(0);
    }
    level
}

/// The same greedy FIFO loop on tokio with real sleeps, and nothing else.
async fn bare_tokio(wf: &Workflow, durations: &[u64], workers: usize) -> Duration {
    let started = Instant::now();
    let mut waiting: Vec<u32> = wf
        .nodes()
        .map(|n| wf.predecessors(n).len() as u32)
        .collect();
    let mut ready: VecDeque<NodeIx> = wf.nodes().filter(|n| waiting[n.index()] == 0).collect();
    let mut tasks = JoinSet::new();
    loop {
        while tasks.len() < workers {
            let Some(node) = ready.pop_front() else { break };
            let sleep = Duration::from_nanos(durations[node.index()]);
            tasks.spawn(async move {
                tokio::time::sleep(sleep).await;
                node
            });
        }
        let Some(joined) = tasks.join_next().await else {
            break;
        };
        let node = joined.expect("a sleep does not panic");
        for &next in wf.successors(node) {
            waiting[next.index()] -= 1;
            if waiting[next.index()] == 0 {
                ready.push_back(next);
            }
        }
    }
    started.elapsed()
}

/// How much later than asked `tokio::time::sleep` returns, one sleep at a time, in a task on
/// the runtime's workers (where node attempts run).
fn timer_lateness(rt: &Runtime, samples: usize) -> Stats {
    let late = rt.block_on(async move {
        tokio::spawn(async move {
            tokio::time::sleep(TIMER_SLEEP).await; // warm-up
            let mut late = Vec::with_capacity(samples);
            for _ in 0..samples {
                let started = Instant::now();
                tokio::time::sleep(TIMER_SLEEP).await;
                late.push(started.elapsed().saturating_sub(TIMER_SLEEP));
            }
            late
        })
        .await
        .expect("the timing task ends")
    });
    Stats::of(&late)
}

/// One executor run, events dropped; checks that every node completed.
fn run_pit(rt: &Runtime, executor: &Executor, wf: &Arc<Workflow>) -> Duration {
    let (elapsed, report) = rt.block_on(async {
        let started = Instant::now();
        let (handle, events) = executor.start(wf.clone());
        drop(events);
        let report = handle.wait().await.expect("the run ends");
        (started.elapsed(), report)
    });
    assert_eq!(
        report.state,
        WorkflowState::Completed,
        "{:?}",
        report.reason
    );
    assert!(report.nodes.iter().all(|s| *s == NodeState::Completed));
    elapsed
}

fn time(runs: usize, mut f: impl FnMut() -> Duration) -> Stats {
    f(); // warm-up
    let samples: Vec<Duration> = (0..runs).map(|_| f()).collect();
    Stats::of(&samples)
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}

/// One trace at one worker count: what was measured.
struct Measured {
    trace: String,
    tasks: usize,
    workers: usize,
    lower_bound: Duration,
    fifo: Duration,
    fifo_late: Duration,
    cp_first: Duration,
    bare: Stats,
    pit: Stats,
}

fn main() {
    let dir = traces_dir();
    let files = traces(&dir);
    if files.is_empty() {
        println!(
            "exec_makespan: no WfCommons traces in {} (*.json, *.json.gz); nothing to measure. \
             Set WFCOMMONS_DIR to a directory of WfFormat traces.",
            dir.display()
        );
        return;
    }
    // For a closer look at one case: MAKESPAN_TRACES=montage MAKESPAN_WORKERS=2.
    let only = std::env::var("MAKESPAN_TRACES").ok();
    let files: Vec<PathBuf> = files
        .into_iter()
        .filter(|p| {
            only.as_deref()
                .is_none_or(|o| p.to_string_lossy().contains(o))
        })
        .collect();
    let files = &files[..count(files.len(), 1.min(files.len()))];
    let runs = count(3, 1);
    let workers: Vec<usize> = std::env::var("MAKESPAN_WORKERS")
        .ok()
        .map(|list| {
            list.split(',')
                .filter_map(|w| w.trim().parse().ok())
                .collect()
        })
        .unwrap_or_else(|| WORKERS[..count(WORKERS.len(), 1)].to_vec());
    let rt = runtime();
    let aim = std::env::var("MAKESPAN_SECONDS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .map_or(LOWER_BOUND_AT_2, Duration::from_secs_f64);
    let lateness = timer_lateness(&rt, count(TIMER_SAMPLES, 10));
    lateness.line(&format!(
        "tokio::time::sleep({}) returns late by",
        dur(TIMER_SLEEP)
    ));
    println!("lower bound at 2 workers aimed at: {}", dur(aim));
    let mut measured = Vec::new();
    for path in files {
        let trace = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let wf = Arc::new(
            load_workflow(path, &LoadOptions { time_scale: 1.0 }).expect("the trace loads"),
        );
        let weight = |n| sleep_seconds(&wf, n);
        let path_length = critical_path(&wf, weight).length;
        let work = total_work(&wf, weight);
        let scale = aim.as_secs_f64() / path_length.max(work / 2.0);
        println!(
            "{trace}: {} tasks, {} edges; recorded critical path {path_length:.1} s, total work \
             {work:.1} s; time scale {scale:.3e} (mean task {})",
            wf.node_count(),
            wf.edge_count(),
            dur(Duration::from_secs_f64(
                work * scale / wf.node_count() as f64
            )),
        );
        let exact = durations_ns(&wf, scale);
        let late = lateness.mean.as_nanos() as u64;
        let delayed: Vec<u64> = exact.iter().map(|d| d + late).collect();
        let levels = bottom_levels(&wf, &exact);
        for &p in &workers {
            let lower_bound = Duration::from_secs_f64(path_length.max(work / p as f64) * scale);
            let fifo = simulate(&wf, &exact, p, Policy::Fifo);
            let fifo_late = simulate(&wf, &delayed, p, Policy::Fifo);
            let cp_first = simulate(&wf, &exact, p, Policy::CriticalPathFirst(&levels));
            let bare = time(runs, || rt.block_on(bare_tokio(&wf, &exact, p)));
            let executor = Executor::new(
                RunnerRegistry::with_builtins(scale),
                ExecOptions {
                    workers: p,
                    ..ExecOptions::default()
                },
            );
            let pit = time(runs, || run_pit(&rt, &executor, &wf));
            println!(
                "  {p} workers: lower bound {}, FIFO sim {} ({:.3}×), FIFO sim + timer lateness {} \
                 ({:.3}×), critical-path-first sim {} ({:.3}×), bare tokio min {} median {} ({:.3}×), pit min {} median {} ({:.3}×)",
                dur(lower_bound),
                dur(fifo),
                ratio(fifo, lower_bound),
                dur(fifo_late),
                ratio(fifo_late, lower_bound),
                dur(cp_first),
                ratio(cp_first, lower_bound),
                dur(bare.min),
                dur(bare.p50),
                ratio(bare.p50, lower_bound),
                dur(pit.min),
                dur(pit.p50),
                ratio(pit.p50, lower_bound),
            );
            measured.push(Measured {
                trace: trace.clone(),
                tasks: wf.node_count(),
                workers: p,
                lower_bound,
                fifo,
                fifo_late,
                cp_first,
                bare,
                pit,
            });
        }
    }

    println!();
    println!("### Makespan decomposition (ratios to the lower bound)");
    println!();
    println!(
        "| trace | tasks | workers | lower bound | FIFO sim | FIFO sim + timer lateness \
         | critical-path-first sim | bare tokio median | pit min | pit median | pit / bare tokio |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for m in &measured {
        let lb = m.lower_bound;
        println!(
            "| {} | {} | {} | {} | {:.3}× | {:.3}× | {:.3}× | {:.3}× | {:.3}× | {:.3}× | {:.3}× |",
            m.trace,
            m.tasks,
            m.workers,
            dur(lb),
            ratio(m.fifo, lb),
            ratio(m.fifo_late, lb),
            ratio(m.cp_first, lb),
            ratio(m.bare.p50, lb),
            ratio(m.pit.min, lb),
            ratio(m.pit.p50, lb),
            ratio(m.pit.p50, m.bare.p50),
        );
    }

    let mut table = Table::default();
    table.row(
        &format!("tokio::time::sleep({}) lateness, mean", dur(TIMER_SLEEP)),
        Value::Time(lateness.mean),
        "the sleep asked for",
        Value::Time(TIMER_SLEEP),
        Target::None,
    );
    for m in &measured {
        table.row(
            &format!("{}, {} workers: makespan median", m.trace, m.workers),
            Value::Time(m.pit.p50),
            "max(critical path, work / workers)",
            Value::Time(m.lower_bound),
            Target::RatioAtMost(TARGET_RATIO),
        );
    }
    table.print("DAG executor makespan (WfCommons traces)");
}
