//! DAG validation: `Workflow::build` (every check of `pit::dag`, from the file model to the
//! compact validated form) on a generated 10,000-node / 50,000-edge DAG, against petgraph's
//! `toposort` alone on the same graph (already built) — the least any validation must do.
//! Target ≤10 ms (DESIGN.md; the seed asked for 100 ms). Then 1,000,000 nodes / 5,000,000
//! edges for scale.
//!
//! The generated graph: node `i` has one output `out` and one optional input `in` (both
//! `any`); node `i > 0` gets an edge from a random earlier node (so nothing is an orphan),
//! the rest are random forward edges, half data (port to port), half control.
//!
//! Run: `cargo bench --bench dag_validation`.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::collections::HashSet;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use pit::dag::{
    EdgeKind, EdgeSpec, NodeId, NodeKind, NodeSpec, PortSpec, PortType, Workflow, WorkflowFile,
};
use pit::petgraph::Graph;
use pit::petgraph::algo::toposort;

use support::{Rng, Stats, Table, Target, Value, count};

const TARGET: Duration = Duration::from_millis(10);

/// A random DAG of `n` nodes and `m` distinct edges, as a workflow file and as the
/// `(from, to)` pairs for petgraph.
fn generate(n: usize, m: usize, seed: u64) -> (WorkflowFile, Vec<(u32, u32)>) {
    let mut rng = Rng(seed);
    let ids: Vec<NodeId> = (0..n).map(|i| NodeId::new(format!("node-{i}"))).collect();
    let mut file = WorkflowFile::default();
    for id in &ids {
        let mut node = NodeSpec::new(id.clone(), NodeKind::Operator);
        node.outputs.push(PortSpec::new("out", PortType::Any));
        let mut input = PortSpec::new("in", PortType::Any);
        input.required = false;
        node.inputs.push(input);
        file.nodes.push(node);
    }
    let mut seen = HashSet::with_capacity(m);
    let mut pairs = Vec::with_capacity(m);
    let mut j = 1;
    while pairs.len() < m {
        let (from, to) = if j < n {
            j += 1;
            (rng.index(j - 1), j - 1)
        } else {
            let (a, b) = (rng.index(n), rng.index(n));
            if a == b {
                continue;
            }
            (a.min(b), a.max(b))
        };
        let data = rng.index(2) == 0;
        if !seen.insert((from, to, data)) {
            continue;
        }
        let kind = if data {
            EdgeKind::Data
        } else {
            EdgeKind::Control
        };
        // Fresh strings, as a parser makes them: one allocation per mention, in file order.
        file.edges.push(EdgeSpec::new(
            ids[from].as_str().to_owned(),
            ids[to].as_str().to_owned(),
            kind,
        ));
        pairs.push((from as u32, to as u32));
    }
    (file, pairs)
}

fn petgraph_of(n: usize, pairs: &[(u32, u32)]) -> Graph<(), ()> {
    let mut graph = Graph::with_capacity(n, pairs.len());
    for _ in 0..n {
        graph.add_node(());
    }
    graph.extend_with_edges(pairs.iter().copied());
    graph
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Stats {
    black_box(f()); // warm-up
    let samples: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed()
        })
        .collect();
    Stats::of(&samples)
}

/// Validation, petgraph's toposort alone, and petgraph's build + toposort, on one graph.
fn measure(n: usize, m: usize, runs: usize) -> (Stats, Stats, Stats) {
    let started = Instant::now();
    let (file, pairs) = generate(n, m, 0x5eed);
    println!(
        "{n} nodes / {m} edges (generated in {:.2} s):",
        started.elapsed().as_secs_f64()
    );
    let wf = Workflow::build(&file).expect("the generated DAG is valid");
    assert_eq!((wf.node_count(), wf.edge_count()), (n, m));
    let graph = petgraph_of(n, &pairs);
    assert!(toposort(&graph, None).is_ok());
    let ours = time(runs, || Workflow::build(&file).expect("valid"));
    ours.line("pit Workflow::build (all checks)");
    let topo = time(runs, || toposort(&graph, None).expect("acyclic"));
    topo.line("baseline: petgraph toposort alone");
    let built = time(runs, || {
        toposort(&petgraph_of(n, &pairs), None)
            .expect("acyclic")
            .len()
    });
    built.line("petgraph Graph build + toposort");
    (ours, topo, built)
}

fn main() {
    let (small, small_topo, small_built) = measure(10_000, 50_000, count(200, 3));
    let big = count(1_000_000, 20_000);
    let (large, large_topo, _) = measure(big, 5 * big, count(7, 1));
    println!(
        "  10k: validation / toposort = {:.2}×; {big}: {:.2}×; cost per node at {big} vs 10k: {:.2}×",
        ratio(small.p50, small_topo.p50),
        ratio(large.p50, large_topo.p50),
        ratio(large.p50, small.p50) * 10_000.0 / big as f64,
    );
    println!(
        "  10k target ≤{} ms: {}",
        TARGET.as_millis(),
        if small.p50 <= TARGET {
            "met"
        } else {
            "NOT met"
        }
    );

    let (file, pairs) = generate(10_000, 50_000, 0x5eed);
    let graph = petgraph_of(10_000, &pairs);
    let mut criterion = Criterion::default()
        .sample_size(50)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    {
        let mut group = criterion.benchmark_group("dag_validation_10k_50k");
        group.bench_function("pit_workflow_build", |b| {
            b.iter(|| Workflow::build(black_box(&file)).expect("valid"))
        });
        group.bench_function("baseline_petgraph_toposort", |b| {
            b.iter(|| toposort(black_box(&graph), None).expect("acyclic"))
        });
        group.finish();
    }
    criterion.final_summary();

    let mut table = Table::default();
    let t = Value::Time;
    table.row(
        "validate 10k nodes / 50k edges, p50",
        t(small.p50),
        "petgraph toposort alone",
        t(small_topo.p50),
        Target::AtMost(TARGET),
    );
    table.row(
        "validate 10k nodes / 50k edges, p99",
        t(small.p99),
        "petgraph toposort alone",
        t(small_topo.p99),
        Target::AtMost(TARGET),
    );
    table.row(
        "validate 10k nodes / 50k edges, p50",
        t(small.p50),
        "petgraph build + toposort",
        t(small_built.p50),
        Target::None,
    );
    table.row(
        &format!("validate {big} nodes / {} edges, p50", 5 * big),
        t(large.p50),
        "petgraph toposort alone",
        t(large_topo.p50),
        Target::None,
    );
    table.print("DAG validation");
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}
