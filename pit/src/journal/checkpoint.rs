//! Folding a journal into a checkpoint: the state a resume starts from.

use std::collections::HashMap;

use crate::dag::NodeId;

use super::record::{Completion, Record, RunRecord};

/// What a journal says about its run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Checkpoint {
    /// The latest incarnation's start, if any was recorded.
    pub run: Option<RunRecord>,
    /// Nodes whose latest outcome is a completion, with it.
    pub completed: HashMap<NodeId, Completion>,
    /// Nodes whose latest outcome is a failure.
    pub failed: usize,
    /// Nodes whose latest outcome is a skip.
    pub skipped: usize,
    /// How the latest incarnation ended: `(state, reason)`; `None` if it was interrupted
    /// (or still runs).
    pub ended: Option<(String, Option<String>)>,
    /// Wall-clock time of the last record that carries one, ms since the Unix epoch.
    pub last_at_ms: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Latest {
    Running,
    Failed,
    Skipped,
}

impl Checkpoint {
    /// Folds records, in journal order.
    pub fn from_records(records: impl IntoIterator<Item = Record>) -> Self {
        let mut checkpoint = Checkpoint::default();
        let mut latest: HashMap<NodeId, Latest> = HashMap::new();
        for record in records {
            match record {
                Record::Run(run) => {
                    checkpoint.last_at_ms = Some(run.at_ms);
                    checkpoint.run = Some(run);
                    checkpoint.ended = None;
                }
                Record::Started { node, .. } => {
                    checkpoint.completed.remove(&node);
                    latest.insert(node, Latest::Running);
                }
                Record::Completed(completion) => {
                    latest.remove(&completion.node);
                    checkpoint
                        .completed
                        .insert(completion.node.clone(), completion);
                }
                // The node goes on: its next attempt's `Started` follows.
                Record::AttemptFailed { .. } | Record::Pool { .. } => {}
                Record::Failed { node, .. } => {
                    checkpoint.completed.remove(&node);
                    latest.insert(node, Latest::Failed);
                }
                Record::Skipped { node, .. } => {
                    checkpoint.completed.remove(&node);
                    latest.insert(node, Latest::Skipped);
                }
                Record::Ended {
                    state,
                    reason,
                    at_ms,
                } => {
                    checkpoint.ended = Some((state, reason));
                    checkpoint.last_at_ms = Some(at_ms);
                }
            }
        }
        checkpoint.failed = latest.values().filter(|l| **l == Latest::Failed).count();
        checkpoint.skipped = latest.values().filter(|l| **l == Latest::Skipped).count();
        checkpoint
    }

    /// The incarnation a resume of this run would be.
    pub fn next_incarnation(&self) -> u32 {
        self.run.as_ref().map_or(1, |r| r.incarnation + 1)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn completed(node: &str) -> Record {
        Record::Completed(Completion {
            node: node.into(),
            attempt: 1,
            via: None,
            value: None,
            files: Vec::new(),
            stage: None,
            at_ms: 0,
        })
    }

    fn started(node: &str) -> Record {
        Record::Started {
            node: node.into(),
            attempt: 1,
            at_ms: 0,
        }
    }

    #[test]
    fn the_latest_outcome_of_each_node_wins() {
        let checkpoint = Checkpoint::from_records([
            started("a"),
            completed("a"),
            started("b"),
            completed("b"),
            // `b` retried after completing, and the run died during the retry.
            started("b"),
            started("c"),
            Record::Failed {
                node: "c".into(),
                attempt: 3,
                error: "exit 1".into(),
                at_ms: 0,
            },
            Record::Skipped {
                node: "d".into(),
                at_ms: 0,
                reason: None,
            },
        ]);
        let mut done: Vec<_> = checkpoint.completed.keys().map(|n| n.as_str()).collect();
        done.sort_unstable();
        assert_eq!(done, ["a"]);
        assert_eq!((checkpoint.failed, checkpoint.skipped), (1, 1));
        assert_eq!(checkpoint.ended, None);
    }

    #[test]
    fn a_new_incarnation_reopens_the_end() {
        let run = |incarnation| {
            Record::Run(RunRecord {
                run: "r".into(),
                incarnation,
                workflow: "w.toml".into(),
                name: None,
                digest: "d".into(),
                nodes: 1,
                workers: 1,
                time_scale: 1.0,
                at_ms: 5,
            })
        };
        let ended = Record::Ended {
            state: "failed".into(),
            reason: None,
            at_ms: 9,
        };
        let checkpoint = Checkpoint::from_records([run(1), ended.clone()]);
        assert_eq!(checkpoint.ended, Some(("failed".into(), None)));
        assert_eq!(checkpoint.next_incarnation(), 2);
        let checkpoint = Checkpoint::from_records([run(1), ended, run(2)]);
        assert_eq!(checkpoint.ended, None);
        assert_eq!(checkpoint.next_incarnation(), 3);
    }
}
