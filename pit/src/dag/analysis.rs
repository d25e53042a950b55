//! Path lengths over a validated workflow: the critical path and the total work, the two
//! lower bounds on any schedule's makespan.

use super::ids::NodeIx;
use super::workflow::Workflow;

/// The longest path through a workflow, each node weighted.
#[derive(Debug, Clone, PartialEq)]
pub struct CriticalPath {
    /// The sum of the weights along the path.
    pub length: f64,
    /// The path's nodes, first to last.
    pub nodes: Vec<NodeIx>,
}

/// The longest weighted path (every edge counts as a dependency), in linear time.
pub fn critical_path(wf: &Workflow, weight: impl Fn(NodeIx) -> f64) -> CriticalPath {
    let n = wf.node_count();
    let mut finish = vec![0.0_f64; n];
    let mut via = vec![None::<NodeIx>; n];
    for &node in wf.topological_order() {
        let mut start = 0.0_f64;
        let mut best = None;
        for &pred in wf.predecessors(node) {
            let done = finish[pred.index()];
            if best.is_none() || done > start {
                start = done;
                best = Some(pred);
            }
        }
        via[node.index()] = best;
        finish[node.index()] = start + weight(node);
    }
    let Some(last) = wf
        .nodes()
        .max_by(|a, b| finish[a.index()].total_cmp(&finish[b.index()]))
    else {
        return CriticalPath {
            length: 0.0,
            nodes: Vec::new(),
        };
    };
    let mut nodes = vec![last];
    let mut at = last;
    while let Some(pred) = via[at.index()] {
        nodes.push(pred);
        at = pred;
    }
    nodes.reverse();
    CriticalPath {
        length: finish[last.index()],
        nodes,
    }
}

/// The sum of every node's weight: the work one worker would do alone.
pub fn total_work(wf: &Workflow, weight: impl Fn(NodeIx) -> f64) -> f64 {
    wf.nodes().map(weight).sum()
}

/// A node's weight for the `sleep` runner: its `seconds` parameter, else 0.
pub fn sleep_seconds(wf: &Workflow, node: NodeIx) -> f64 {
    let settings = wf.settings(node);
    match &settings.runner {
        Some(runner) if runner.as_str() == "sleep" => settings
            .params
            .get("seconds")
            .and_then(serde_json::Value::as_f64)
            .unwrap_or(0.0),
        _ => 0.0,
    }
}
