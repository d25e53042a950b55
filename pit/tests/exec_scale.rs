//! Scale: a 100,000-node no-op workflow runs to completion with a handful of workers.
//! (Timings belong in benchmarks; this only checks that nothing is quadratic enough to hang
//! or deep enough to overflow the stack.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use pit::dag::{EdgeKind, EdgeSpec, NodeKind, NodeSpec, Workflow, WorkflowFile};
use pit::exec::{ExecOptions, Executor, NodeState, RunnerRegistry, WorkflowState};

/// Layers of `width` nodes; each node waits for one or two nodes of the layer before it.
fn layered(nodes: usize, width: usize) -> WorkflowFile {
    let mut file = WorkflowFile::default();
    for i in 0..nodes {
        file.nodes
            .push(NodeSpec::new(format!("n{i}"), NodeKind::Operator));
    }
    for i in width..nodes {
        let below = i - width;
        let other = below + (i * 7 + 3) % width;
        let sources = if other == below {
            vec![below]
        } else {
            vec![below, other]
        };
        for from in sources {
            let (from, to) = (format!("n{from}"), format!("n{i}"));
            file.edges.push(EdgeSpec::new(from, to, EdgeKind::Control));
        }
    }
    file
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_thousand_noop_nodes_complete() {
    let nodes = 100_000;
    let wf = Arc::new(Workflow::build(&layered(nodes, 1000)).unwrap());
    let options = ExecOptions {
        workers: 64,
        ..ExecOptions::default()
    };
    let executor = Executor::new(RunnerRegistry::default(), options);
    let (handle, events) = executor.start(wf);
    drop(events);
    let report = handle.wait().await.unwrap();
    assert_eq!(report.state, WorkflowState::Completed);
    assert_eq!(report.nodes.len(), nodes);
    assert!(report.nodes.iter().all(|s| *s == NodeState::Completed));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_chain_of_skips_does_not_recurse() {
    let nodes = 50_000;
    let mut file = WorkflowFile::default();
    let mut first = NodeSpec::new("n0", NodeKind::Operator);
    first.runner = Some("nope".into());
    file.nodes.push(first);
    for i in 1..nodes {
        file.nodes
            .push(NodeSpec::new(format!("n{i}"), NodeKind::Operator));
        let (from, to) = (format!("n{}", i - 1), format!("n{i}"));
        file.edges.push(EdgeSpec::new(from, to, EdgeKind::Control));
    }
    let wf = Arc::new(Workflow::build(&file).unwrap());
    let (handle, _) = Executor::new(RunnerRegistry::default(), ExecOptions::default()).start(wf);
    let report = handle.wait().await.unwrap();
    assert_eq!(report.state, WorkflowState::Failed);
    assert_eq!(report.nodes[0], NodeState::Failed);
    assert!(report.nodes[1..].iter().all(|s| *s == NodeState::Skipped));
}
