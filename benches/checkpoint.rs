//! Checkpoint cost: the same 10,000-node workflow run without a journal and with one
//! (`pit::journal`: every attempt's start, completion and value recorded, completions
//! settled only once `fdatasync`ed), and how long one checkpoint takes (a completion written
//! and made durable). Targets (issue 5): overhead ≤10 % on 10,000 nodes; a checkpoint <100 ms.
//!
//! Two workloads: 1 ms sleeps with 64 workers (nodes that do something, as a real workflow's
//! do), and no-ops (the worst case: the journal's whole cost and nothing to hide it behind).
//!
//! Run: `cargo bench --bench checkpoint`.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use pit::dag::{EdgeKind, EdgeSpec, NodeKind, NodeSpec, Workflow, WorkflowFile};
use pit::exec::{Checkpointing, ExecOptions, Executor, RunnerRegistry, WorkflowState};
use pit::journal::{Completion, JournalWriter, Record, RunRecord};
use pit::runs::{RunStore, now_ms};
use serde_json::json;

use support::{Stats, Table, Target, Value, count};

const NODES: usize = 10_000;
const WIDTH: usize = 100;
const WORKERS: usize = 64;

/// Layers of `WIDTH` nodes, each waiting for one or two nodes of the layer before it.
fn layered(nodes: usize, sleep_ms: Option<f64>) -> Arc<Workflow> {
    let mut file = WorkflowFile::default();
    for i in 0..nodes {
        let mut node = NodeSpec::new(format!("n{i}"), NodeKind::Operator);
        if let Some(ms) = sleep_ms {
            node.runner = Some("sleep".into());
            node.params.insert("seconds".into(), json!(ms / 1000.0));
        }
        file.nodes.push(node);
    }
    for i in WIDTH..nodes {
        let below = i - WIDTH;
        let other = i - i % WIDTH - WIDTH + (i * 7 + 3) % WIDTH;
        let mut sources = vec![below];
        if other != below {
            sources.push(other);
        }
        for from in sources {
            let (from, to) = (format!("n{from}"), format!("n{i}"));
            file.edges.push(EdgeSpec::new(from, to, EdgeKind::Control));
        }
    }
    Arc::new(Workflow::build(&file).expect("the generated DAG is valid"))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

fn executor() -> Executor {
    let options = ExecOptions {
        workers: WORKERS,
        ..ExecOptions::default()
    };
    Executor::new(RunnerRegistry::with_builtins(1.0), options)
}

fn run_plain(rt: &tokio::runtime::Runtime, wf: &Arc<Workflow>) -> Duration {
    let started = Instant::now();
    let report = rt.block_on(async {
        let (handle, events) = executor().start(wf.clone());
        drop(events);
        handle.wait().await.expect("the run ends")
    });
    assert_eq!(report.state, WorkflowState::Completed);
    started.elapsed()
}

fn run_journaled(rt: &tokio::runtime::Runtime, wf: &Arc<Workflow>) -> Duration {
    let root = tempfile::tempdir().expect("a temporary directory");
    let store = RunStore::new(root.path());
    let started = Instant::now();
    let (dir, mut writer) = store.create().expect("a run directory");
    writer.write(Record::Run(RunRecord {
        run: dir.id().to_string(),
        incarnation: 1,
        workflow: "bench".into(),
        name: None,
        digest: String::new(),
        nodes: wf.node_count() as u32,
        workers: WORKERS as u32,
        time_scale: 1.0,
        at_ms: now_ms(),
    }));
    let checkpointing = Checkpointing {
        writer,
        dir: dir.path().to_owned(),
        run_id: Arc::from(dir.id().as_str()),
        incarnation: 1,
        done: Vec::new(),
    };
    let report = rt.block_on(async {
        let (handle, events) = executor().start_journaled(wf.clone(), checkpointing);
        drop(events);
        handle.wait().await.expect("the run ends")
    });
    let elapsed = started.elapsed();
    assert_eq!(
        report.state,
        WorkflowState::Completed,
        "{:?}",
        report.reason
    );
    elapsed
}

/// Median of `runs` runs of each, interleaved so that drift hits both alike.
fn compare(rt: &tokio::runtime::Runtime, wf: &Arc<Workflow>, runs: usize) -> (Stats, Stats) {
    run_plain(rt, wf);
    run_journaled(rt, wf);
    let (mut plain, mut journaled) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        plain.push(run_plain(rt, wf));
        journaled.push(run_journaled(rt, wf));
    }
    (Stats::of(&plain), Stats::of(&journaled))
}

/// One checkpoint: a completion record written, then waited for until it is on disk.
fn checkpoint_latency(rt: &tokio::runtime::Runtime, samples: usize) -> Stats {
    let root = tempfile::tempdir().expect("a temporary directory");
    let writer = JournalWriter::create(&root.path().join("journal.log")).expect("a journal");
    let mut writer = writer;
    let mut times = Vec::with_capacity(samples);
    for i in 0..samples {
        let started = Instant::now();
        writer.write(Record::Completed(Completion {
            node: format!("node-{i}").into(),
            attempt: 1,
            via: None,
            value: Some(json!({ "lines": i })),
            files: Vec::new(),
            stage: None,
            at_ms: now_ms(),
        }));
        rt.block_on(writer.sync()).expect("durable");
        times.push(started.elapsed());
    }
    Stats::of(&times)
}

/// The baseline: what the disk costs for the same durability with no journal code at all.
fn raw_fdatasync(samples: usize) -> Stats {
    use std::io::Write;
    let root = tempfile::tempdir().expect("a temporary directory");
    let mut file = std::fs::File::create(root.path().join("raw")).expect("a file");
    let record = [b'x'; 100];
    let times: Vec<Duration> = (0..samples)
        .map(|_| {
            let started = Instant::now();
            file.write_all(&record).expect("written");
            file.sync_data().expect("synced");
            started.elapsed()
        })
        .collect();
    Stats::of(&times)
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}

fn main() {
    let rt = runtime();
    let runs = count(7, 1);
    let nodes = count(NODES, 1_000);
    println!("{nodes} nodes in layers of {WIDTH}, {WORKERS} workers, 2 runtime threads:");
    let sleepy = layered(nodes, Some(1.0));
    let (sleep_plain, sleep_journaled) = compare(&rt, &sleepy, runs);
    sleep_plain.line("1 ms sleeps, no journal");
    sleep_journaled.line("1 ms sleeps, journaled");
    let noop = layered(nodes, None);
    let (noop_plain, noop_journaled) = compare(&rt, &noop, runs);
    noop_plain.line("no-ops, no journal");
    noop_journaled.line("no-ops, journaled");
    let latency = checkpoint_latency(&rt, count(2_000, 20));
    latency.line("one checkpoint (write + fdatasync)");
    let raw = raw_fdatasync(count(2_000, 20));
    raw.line("baseline: append 100 bytes + fdatasync");
    println!(
        "  overhead: sleeps {:+.1} %, no-ops {:+.1} %",
        (ratio(sleep_journaled.p50, sleep_plain.p50) - 1.0) * 100.0,
        (ratio(noop_journaled.p50, noop_plain.p50) - 1.0) * 100.0,
    );

    let mut table = Table::default();
    let t = Value::Time;
    table.row(
        &format!("{nodes} × 1 ms sleeps, journaled, p50"),
        t(sleep_journaled.p50),
        "the same without a journal",
        t(sleep_plain.p50),
        Target::RatioAtMost(1.10),
    );
    table.row(
        &format!("{nodes} no-ops, journaled, p50"),
        t(noop_journaled.p50),
        "the same without a journal",
        t(noop_plain.p50),
        Target::None,
    );
    table.row(
        "one checkpoint, p99",
        t(latency.p99),
        "append + fdatasync alone",
        t(raw.p99),
        Target::AtMost(Duration::from_millis(100)),
    );
    table.print("Checkpoints");
}
