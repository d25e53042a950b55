//! The execution monitor's state: the newest run as its journal tells it (a
//! `pit::runs::RunHistory` folded by the runtime's run watcher), so that what the pane shows
//! is what `symphony runs show` prints.

use pit::runs::{NodeOutcome, RunHistory};

/// One node's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeRow {
    /// The node.
    pub node: String,
    /// How it ended (or that it has not).
    pub outcome: NodeOutcome,
    /// Attempts started.
    pub attempts: u32,
    /// Time from its first start to its end, when both are known.
    pub elapsed_ms: Option<u64>,
    /// Why it failed, first line.
    pub error: Option<String>,
}

/// The newest run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunView {
    /// Its id.
    pub run: String,
    /// Its workflow's name, or file.
    pub workflow: String,
    /// `completed`, `failed`, `cancelled`, or `None` while it runs (or was killed).
    pub ended: Option<String>,
    /// The workflow's nodes.
    pub total: u32,
    /// Nodes that started, failed ones first, then unfinished ones, then the rest in order.
    pub rows: Vec<NodeRow>,
}

impl RunView {
    /// The view of run `run` of `workflow` from its history.
    pub fn new(run: String, workflow: String, history: &RunHistory) -> RunView {
        let mut rows: Vec<NodeRow> = history
            .nodes
            .iter()
            .map(|n| NodeRow {
                node: n.node.to_string(),
                outcome: n.outcome,
                attempts: n.attempts,
                elapsed_ms: n.elapsed_ms(),
                error: n
                    .error
                    .as_deref()
                    .map(|e| e.lines().next().unwrap_or_default().to_owned()),
            })
            .collect();
        let rank = |o: NodeOutcome| match o {
            NodeOutcome::Failed => 0,
            NodeOutcome::Unfinished => 1,
            _ => 2,
        };
        rows.sort_by_key(|r| rank(r.outcome));
        RunView {
            run,
            workflow,
            ended: history.ended.as_ref().map(|e| e.0.clone()),
            total: history.total_nodes,
            rows,
        }
    }

    /// Nodes that ended (completed, failed or skipped).
    pub fn settled(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.outcome != NodeOutcome::Unfinished)
            .count()
    }

    /// How many rows ended `outcome`.
    pub fn count(&self, outcome: NodeOutcome) -> usize {
        self.rows.iter().filter(|r| r.outcome == outcome).count()
    }
}

/// What the monitor pane shows about runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MonitorState {
    /// The newest run, once one exists.
    pub latest: Option<RunView>,
}
