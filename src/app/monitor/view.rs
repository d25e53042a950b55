//! The monitor's model of one run: its journal folded per node (`pit::runs::RunHistory`, the
//! fold `symphony runs show` prints), the recovery each troubled node went through, and the
//! run's metrics. Built off the UI thread by the run watcher; the pane only draws it.

use std::path::PathBuf;

use pit::dag::NodeId;
use pit::pool::PoolUse;
use pit::runs::{NodeHistory, NodeOutcome, RunHistory};

use super::metrics::{Metrics, pool_slices};

/// What the DAG Tracker did about a node that did not simply complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recovery {
    /// Retried: this many attempts in all (it completed, or is still trying).
    Retry(u32),
    /// Its fallback completed in its place.
    Fallback(NodeId),
    /// It failed or was stopped, and was skipped (`on_failure = "skip"`, or a command).
    Skip,
    /// It failed for good after this many attempts: its dependents were skipped and the run
    /// fails.
    Halt(u32),
}

impl Recovery {
    /// The recovery in a few words.
    pub fn describe(&self) -> String {
        match self {
            Recovery::Retry(n) => format!("retry: {n} attempts"),
            Recovery::Fallback(via) => format!("fallback: `{via}` completed in its place"),
            Recovery::Skip => "skip: its dependents went on without it".to_owned(),
            Recovery::Halt(1) => "halt: failed for good, the run fails".to_owned(),
            Recovery::Halt(n) => format!("halt: failed for good after {n} attempts"),
        }
    }

    /// The recovery in one word.
    pub fn word(&self) -> &'static str {
        match self {
            Recovery::Retry(_) => "retry",
            Recovery::Fallback(_) => "fallback",
            Recovery::Skip => "skip",
            Recovery::Halt(_) => "halt",
        }
    }

    /// Orders the error list: halts first, then skips, fallbacks and retries.
    fn rank(&self) -> u8 {
        match self {
            Recovery::Halt(_) => 0,
            Recovery::Skip => 1,
            Recovery::Fallback(_) => 2,
            Recovery::Retry(_) => 3,
        }
    }
}

/// One node's row: its history as the journal tells it (read through `Deref`), and the end
/// of its log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeRow {
    /// What the journal says of it.
    pub history: NodeHistory,
    /// The end of its log (`logs/<node>.log` in the run directory), for troubled nodes.
    pub log: Option<String>,
}

impl std::ops::Deref for NodeRow {
    type Target = NodeHistory;

    fn deref(&self) -> &NodeHistory {
        &self.history
    }
}

impl NodeRow {
    fn new(n: &NodeHistory) -> NodeRow {
        NodeRow {
            history: n.clone(),
            log: None,
        }
    }

    /// Time from its first start to its end, or to `now_ms` while it runs.
    pub fn elapsed_ms(&self, now_ms: u64) -> Option<u64> {
        let end = match self.outcome {
            NodeOutcome::Unfinished => now_ms,
            _ => self.ended_ms,
        };
        (self.started_ms > 0 && end >= self.started_ms).then(|| end - self.started_ms)
    }

    /// Retries: the attempts after the first.
    pub fn retries(&self) -> u32 {
        self.attempts.saturating_sub(1)
    }

    /// What was done about it, if it did not simply complete.
    pub fn recovery(&self) -> Option<Recovery> {
        match self.outcome {
            NodeOutcome::Failed => Some(Recovery::Halt(self.attempts)),
            NodeOutcome::Skipped if self.attempts > 0 => Some(Recovery::Skip),
            NodeOutcome::Completed if self.via.is_some() => {
                self.via.clone().map(Recovery::Fallback)
            }
            _ if self.attempts > 1 && self.outcome != NodeOutcome::Skipped => {
                Some(Recovery::Retry(self.attempts))
            }
            _ => None,
        }
    }

    /// The last line of why it failed or was skipped, else of its last failed attempt's
    /// error: where a command's stderr ends, which is usually the cause.
    pub fn headline(&self) -> Option<&str> {
        self.error
            .as_deref()
            .or(self.reason.as_deref())
            .or(self.attempt_errors.last().map(|(_, e)| e.as_str()))
            .and_then(|e| e.lines().rfind(|l| !l.trim().is_empty()))
    }
}

/// A run as the monitor shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunView {
    /// Its id.
    pub run: String,
    /// Its workflow's name, or file.
    pub workflow: String,
    /// The workflow's name, if it has one.
    pub name: Option<String>,
    /// The workflow file as the run was given it.
    pub file: PathBuf,
    /// The run's directory (where its logs are).
    pub dir: PathBuf,
    /// `completed`, `failed`, `cancelled`, or `None` while it runs (or was killed).
    pub ended: Option<String>,
    /// Why it ended early, if it did.
    pub reason: Option<String>,
    /// The workflow's nodes.
    pub total: u32,
    /// How many attempts may run at once.
    pub workers: u32,
    /// When the run first started (ms since the epoch).
    pub started_ms: u64,
    /// When the view was read (ms since the epoch): running nodes' times count to it.
    pub now_ms: u64,
    /// The latest time a journal record carries (ms since the epoch).
    pub last_ms: u64,
    /// Nodes that started or were skipped: failed ones first, then unfinished ones, then the
    /// rest in journal order.
    pub rows: Vec<NodeRow>,
    /// Throughput, durations and utilisation.
    pub metrics: Metrics,
    /// How full the pool of warm extension hosts is now (its last journaled sample).
    pub pool: Option<PoolUse>,
}

/// Where a run comes from, besides its journal.
#[derive(Debug, Clone, Default)]
pub struct RunSource {
    /// Its id.
    pub run: String,
    /// The workflow file as the run was given it.
    pub file: PathBuf,
    /// The workflow's name, if it has one.
    pub name: Option<String>,
    /// The run's directory.
    pub dir: PathBuf,
    /// When it is read (ms since the epoch).
    pub now_ms: u64,
}

impl RunView {
    /// The view of a run from its history.
    pub fn new(source: RunSource, history: &RunHistory) -> RunView {
        let mut rows: Vec<NodeRow> = history.nodes.iter().map(NodeRow::new).collect();
        let rank = |o: NodeOutcome| match o {
            NodeOutcome::Failed => 0,
            NodeOutcome::Unfinished => 1,
            _ => 2,
        };
        rows.sort_by_key(|r| rank(r.outcome));
        let ended = history.ended.as_ref();
        // A finished run's clock stops at its end.
        let now_ms = ended.map_or(source.now_ms.max(history.last_ms), |e| e.2.max(1));
        let mut metrics = Metrics::new(&rows, history.started_ms, now_ms, history.workers);
        metrics.pool = pool_slices(&history.pool, history.started_ms, metrics.slice_ms);
        RunView {
            workflow: source
                .name
                .clone()
                .unwrap_or_else(|| source.file.display().to_string()),
            run: source.run,
            name: source.name,
            file: source.file,
            dir: source.dir,
            ended: ended.map(|e| e.0.clone()),
            reason: ended.and_then(|e| e.1.clone()),
            total: history.total_nodes,
            workers: history.workers,
            started_ms: history.started_ms,
            now_ms,
            last_ms: history.last_ms,
            rows,
            metrics,
            pool: history.pool.last().map(|(_, usage)| *usage),
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

    /// The error list: every node that needed a recovery, halts first.
    pub fn errors(&self) -> Vec<(&NodeRow, Recovery)> {
        let mut list: Vec<(&NodeRow, Recovery)> = self
            .rows
            .iter()
            .filter_map(|r| Some((r, r.recovery()?)))
            .collect();
        list.sort_by_key(|(_, recovery)| recovery.rank());
        list
    }

    /// A node's row.
    pub fn row(&self, node: &NodeId) -> Option<&NodeRow> {
        self.rows.iter().find(|r| r.node == *node)
    }

    /// The run's wall time so far.
    pub fn elapsed_ms(&self) -> Option<u64> {
        (self.started_ms > 0 && self.now_ms >= self.started_ms)
            .then(|| self.now_ms - self.started_ms)
    }
}
