//! A run's history as its journal tells it: per node, how many attempts, when it started and
//! ended, how it ended and why. What `symphony runs show` prints and what a monitor of a past
//! run shows, so that both say exactly what the journal says.

use std::collections::HashMap;

use crate::dag::NodeId;
use crate::journal::Record;

/// How a node ended, as far as the journal knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeOutcome {
    /// Completed (durably).
    Completed,
    /// Failed for good.
    Failed,
    /// Skipped.
    Skipped,
    /// Started, and the journal ends before its outcome (the run was killed or is running).
    Unfinished,
}

impl NodeOutcome {
    /// A word for people.
    pub fn word(self) -> &'static str {
        match self {
            NodeOutcome::Completed => "completed",
            NodeOutcome::Failed => "failed",
            NodeOutcome::Skipped => "skipped",
            NodeOutcome::Unfinished => "unfinished",
        }
    }

    /// A symbol, so that states do not rest on colour alone.
    pub fn symbol(self) -> &'static str {
        match self {
            NodeOutcome::Completed => "✓",
            NodeOutcome::Failed => "✗",
            NodeOutcome::Skipped => "↷",
            NodeOutcome::Unfinished => "…",
        }
    }
}

/// One node's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeHistory {
    /// The node.
    pub node: NodeId,
    /// How it ended.
    pub outcome: NodeOutcome,
    /// Attempts started (retries are the attempts after the first).
    pub attempts: u32,
    /// When its first attempt started (ms since the epoch; 0 when not recorded).
    pub started_ms: u64,
    /// When it ended (0 when it did not, or it was not recorded).
    pub ended_ms: u64,
    /// Why it failed.
    pub error: Option<String>,
    /// The fallback that completed in its place.
    pub via: Option<NodeId>,
    /// Why it was skipped (`None` in journals older than the reason).
    pub reason: Option<String>,
    /// Each attempt's start and end (ms since the epoch; the end is 0 while it runs). An
    /// attempt a killed incarnation left ends at that incarnation's last record.
    pub spans: Vec<(u64, u64)>,
    /// The attempts that failed before a retry or the fallback, with why (empty in
    /// journals older than `AttemptFailed`).
    pub attempt_errors: Vec<(u32, String)>,
}

impl NodeHistory {
    fn close_span(&mut self, at_ms: u64) {
        if let Some(span) = self.spans.last_mut().filter(|s| s.1 == 0) {
            span.1 = at_ms.max(span.0);
        }
    }
}

impl NodeHistory {
    /// Wall time from its first start to its end, when both are known.
    pub fn elapsed_ms(&self) -> Option<u64> {
        (self.started_ms > 0 && self.ended_ms >= self.started_ms)
            .then(|| self.ended_ms - self.started_ms)
    }
}

/// A run's history.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunHistory {
    /// Nodes in the order they first started (skipped ones where they were skipped).
    pub nodes: Vec<NodeHistory>,
    /// How many times the run was started or resumed.
    pub incarnations: u32,
    /// The workflow's node count, from the last incarnation's record.
    pub total_nodes: u32,
    /// When the run first started.
    pub started_ms: u64,
    /// Workers of the last incarnation: how many attempts may run at once.
    pub workers: u32,
    /// The latest time any record carries (ms since the epoch).
    pub last_ms: u64,
    /// When its last incarnation ended, and how (`completed`, `failed`, `cancelled`).
    pub ended: Option<(String, Option<String>, u64)>,
    /// How full the pool of warm extension hosts was, each time it changed (ms, usage).
    pub pool: Vec<(u64, crate::pool::PoolUse)>,
}

impl RunHistory {
    /// Folds a journal's records.
    pub fn from_records<'r>(records: impl IntoIterator<Item = &'r Record>) -> RunHistory {
        let mut history = RunHistory::default();
        let mut index: HashMap<NodeId, usize> = HashMap::new();
        let mut entry = |history: &mut RunHistory, node: &NodeId| -> usize {
            *index.entry(node.clone()).or_insert_with(|| {
                history.nodes.push(NodeHistory {
                    node: node.clone(),
                    outcome: NodeOutcome::Unfinished,
                    attempts: 0,
                    started_ms: 0,
                    ended_ms: 0,
                    error: None,
                    via: None,
                    reason: None,
                    spans: Vec::new(),
                    attempt_errors: Vec::new(),
                });
                history.nodes.len() - 1
            })
        };
        for record in records {
            let previous_ms = history.last_ms;
            history.last_ms = history.last_ms.max(record.at_ms());
            match record {
                Record::Run(run) => {
                    // Attempts the previous incarnation left running died with it.
                    for n in &mut history.nodes {
                        n.close_span(previous_ms);
                    }
                    history.incarnations += 1;
                    history.total_nodes = run.nodes;
                    history.workers = run.workers;
                    if history.started_ms == 0 {
                        history.started_ms = run.at_ms;
                    }
                    history.ended = None;
                }
                Record::Started {
                    node,
                    attempt,
                    at_ms,
                } => {
                    let i = entry(&mut history, node);
                    let n = &mut history.nodes[i];
                    n.attempts = n.attempts.max(*attempt);
                    n.outcome = NodeOutcome::Unfinished;
                    n.reason = None;
                    // Journals older than `AttemptFailed`: the attempt before ended by now.
                    n.close_span(*at_ms);
                    n.spans.push((*at_ms, 0));
                    if n.started_ms == 0 {
                        n.started_ms = *at_ms;
                    }
                }
                Record::AttemptFailed {
                    node,
                    attempt,
                    error,
                    at_ms,
                } => {
                    let i = entry(&mut history, node);
                    let n = &mut history.nodes[i];
                    n.close_span(*at_ms);
                    n.attempt_errors.push((*attempt, error.clone()));
                }
                Record::Pool { usage, at_ms } => history.pool.push((*at_ms, *usage)),
                Record::Completed(c) => {
                    if let Some(via) = &c.via {
                        let i = entry(&mut history, via);
                        let n = &mut history.nodes[i];
                        n.outcome = NodeOutcome::Completed;
                        n.ended_ms = c.at_ms;
                        n.close_span(c.at_ms);
                    }
                    let i = entry(&mut history, &c.node);
                    let n = &mut history.nodes[i];
                    n.close_span(c.at_ms);
                    n.outcome = NodeOutcome::Completed;
                    n.attempts = n.attempts.max(c.attempt);
                    n.ended_ms = c.at_ms;
                    n.via.clone_from(&c.via);
                    n.error = None;
                }
                Record::Failed {
                    node,
                    attempt,
                    error,
                    at_ms,
                } => {
                    let i = entry(&mut history, node);
                    let n = &mut history.nodes[i];
                    n.close_span(*at_ms);
                    n.outcome = NodeOutcome::Failed;
                    n.attempts = n.attempts.max(*attempt);
                    n.ended_ms = *at_ms;
                    n.error = Some(error.clone());
                }
                Record::Skipped {
                    node,
                    at_ms,
                    reason,
                } => {
                    let i = entry(&mut history, node);
                    let n = &mut history.nodes[i];
                    n.close_span(*at_ms);
                    n.outcome = NodeOutcome::Skipped;
                    n.ended_ms = *at_ms;
                    n.reason.clone_from(reason);
                }
                Record::Ended {
                    state,
                    reason,
                    at_ms,
                } => history.ended = Some((state.clone(), reason.clone(), *at_ms)),
            }
        }
        history
    }

    /// How many nodes ended each way.
    pub fn count(&self, outcome: NodeOutcome) -> usize {
        self.nodes.iter().filter(|n| n.outcome == outcome).count()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::journal::{Completion, RunRecord};

    fn run(at_ms: u64) -> Record {
        Record::Run(RunRecord {
            run: "r".into(),
            incarnation: 1,
            workflow: "w.toml".into(),
            name: None,
            digest: "d".into(),
            nodes: 4,
            workers: 2,
            time_scale: 1.0,
            at_ms,
        })
    }

    fn started(node: &str, attempt: u32, at_ms: u64) -> Record {
        Record::Started {
            node: node.into(),
            attempt,
            at_ms,
        }
    }

    #[test]
    fn attempts_times_and_outcomes_come_from_the_records() {
        let records = [
            run(1_000),
            started("a", 1, 1_010),
            Record::Completed(Completion {
                node: "a".into(),
                attempt: 1,
                via: None,
                value: None,
                files: Vec::new(),
                stage: None,
                at_ms: 1_110,
            }),
            started("b", 1, 1_120),
            Record::AttemptFailed {
                node: "b".into(),
                attempt: 1,
                error: "exit 2".into(),
                at_ms: 1_200,
            },
            started("b", 2, 1_300),
            Record::Failed {
                node: "b".into(),
                attempt: 2,
                error: "exit 1".into(),
                at_ms: 1_400,
            },
            Record::Skipped {
                node: "c".into(),
                at_ms: 1_401,
                reason: Some("`b` did not complete (failed)".into()),
            },
            // Killed while `d` ran, then resumed: `d` started again and completed.
            started("d", 1, 1_402),
            run(2_000),
            started("d", 1, 2_010),
            Record::Completed(Completion {
                node: "d".into(),
                attempt: 1,
                via: Some("d-fallback".into()),
                value: None,
                files: Vec::new(),
                stage: None,
                at_ms: 2_050,
            }),
            Record::Ended {
                state: "failed".into(),
                reason: None,
                at_ms: 2_060,
            },
        ];
        let h = RunHistory::from_records(&records);
        assert_eq!(h.incarnations, 2);
        assert_eq!(h.total_nodes, 4);
        let names: Vec<&str> = h.nodes.iter().map(|n| n.node.as_str()).collect();
        assert_eq!(names, ["a", "b", "c", "d", "d-fallback"]);
        assert_eq!(h.nodes[1].spans, [(1_120, 1_200), (1_300, 1_400)]);
        assert_eq!(h.nodes[1].attempt_errors, [(1, "exit 2".to_owned())]);
        assert_eq!(
            h.nodes[3].spans,
            [(1_402, 1_402), (2_010, 2_050)],
            "the killed attempt ends with its incarnation"
        );
        assert_eq!(h.nodes[4].outcome, NodeOutcome::Completed, "the fallback");
        assert_eq!(h.nodes[0].elapsed_ms(), Some(100));
        assert_eq!(
            (
                h.nodes[1].outcome,
                h.nodes[1].attempts,
                h.nodes[1].elapsed_ms()
            ),
            (NodeOutcome::Failed, 2, Some(280))
        );
        assert_eq!(h.nodes[1].error.as_deref(), Some("exit 1"));
        assert_eq!(h.nodes[2].outcome, NodeOutcome::Skipped);
        assert_eq!(
            h.nodes[2].reason.as_deref(),
            Some("`b` did not complete (failed)")
        );
        assert_eq!((h.workers, h.last_ms), (2, 2_060));
        assert_eq!(h.nodes[3].outcome, NodeOutcome::Completed);
        assert_eq!(h.nodes[3].via.as_ref().unwrap().as_str(), "d-fallback");
        assert_eq!(h.nodes[3].elapsed_ms(), Some(648), "from its first start");
        assert_eq!(h.count(NodeOutcome::Completed), 3);
        assert_eq!(h.ended.as_ref().unwrap().0, "failed");
    }
}
