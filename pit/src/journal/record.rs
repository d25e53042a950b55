//! What the journal records: each incarnation of a run (its start and every resume), each
//! node attempt's start and end, and the run's end. Payloads are JSON, so that a journal can
//! be read with nothing but `symphony runs` and a text editor in an emergency.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::dag::NodeId;

/// One journal record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum Record {
    /// A run started or resumed (the first record of each incarnation).
    Run(RunRecord),
    /// An attempt started (written with the next batch; not waited for).
    Started {
        /// The node whose runner runs.
        node: NodeId,
        /// Attempt number, from 1.
        attempt: u32,
        /// When, in milliseconds since the Unix epoch (0 in journals written before it was
        /// recorded).
        #[serde(default, skip_serializing_if = "is_zero")]
        at_ms: u64,
    },
    /// A node completed. Once durable, the node never runs again in this run.
    Completed(Completion),
    /// An attempt failed and its node goes on: a retry after a backoff, or its fallback.
    /// (Journals written before it have only the next attempt's `Started`.)
    AttemptFailed {
        /// The node whose attempt failed.
        node: NodeId,
        /// The attempt.
        attempt: u32,
        /// Why.
        error: String,
        /// When, in milliseconds since the Unix epoch.
        #[serde(default, skip_serializing_if = "is_zero")]
        at_ms: u64,
    },
    /// A node failed for good.
    Failed {
        /// The node.
        node: NodeId,
        /// Its last attempt.
        attempt: u32,
        /// Why.
        error: String,
        /// When, in milliseconds since the Unix epoch (0 in journals written before it was
        /// recorded).
        #[serde(default, skip_serializing_if = "is_zero")]
        at_ms: u64,
    },
    /// A node was skipped.
    Skipped {
        /// The node.
        node: NodeId,
        /// When, in milliseconds since the Unix epoch (0 in journals written before it was
        /// recorded).
        #[serde(default, skip_serializing_if = "is_zero")]
        at_ms: u64,
        /// Why, for people (`None` in journals written before it was recorded).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// How full the run's pool of warm resources (extension hosts) was, when it changed.
    Pool {
        /// What it held.
        #[serde(flatten)]
        usage: crate::pool::PoolUse,
        /// When, in milliseconds since the Unix epoch.
        at_ms: u64,
    },
    /// The incarnation ended.
    Ended {
        /// `completed`, `failed` or `cancelled`.
        state: String,
        /// Why it ended early, if it did.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// Wall-clock time, milliseconds since the Unix epoch.
        at_ms: u64,
    },
}

impl Record {
    /// When it was written, in milliseconds since the Unix epoch (0 when not recorded).
    pub fn at_ms(&self) -> u64 {
        match self {
            Record::Run(run) => run.at_ms,
            Record::Completed(c) => c.at_ms,
            Record::Started { at_ms, .. }
            | Record::AttemptFailed { at_ms, .. }
            | Record::Failed { at_ms, .. }
            | Record::Skipped { at_ms, .. }
            | Record::Pool { at_ms, .. }
            | Record::Ended { at_ms, .. } => *at_ms,
        }
    }
}

/// The start of an incarnation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// The run's id.
    pub run: String,
    /// 1 for the first start, 2 for the first resume, …
    pub incarnation: u32,
    /// The workflow file as given on the command line.
    pub workflow: String,
    /// The workflow's name, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// BLAKE3 of the parsed workflow: a resume refuses a changed workflow.
    pub digest: String,
    /// Nodes in the workflow.
    pub nodes: u32,
    /// Workers of this incarnation.
    pub workers: u32,
    /// The time scale of sleeps (WfCommons tasks).
    pub time_scale: f64,
    /// Wall-clock time, milliseconds since the Unix epoch.
    pub at_ms: u64,
}

/// A node's completion and what it produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Completion {
    /// The node.
    pub node: NodeId,
    /// The attempt that completed.
    pub attempt: u32,
    /// The fallback that completed in the node's place, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<NodeId>,
    /// The runner's result value (a shell command's stdout).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// Files the attempt wrote to its output directory, with their hashes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<OutputFile>,
    /// The staging directory the files wait in until they are published, relative to the
    /// run's directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// When the attempt ended, in milliseconds since the Unix epoch (0 in journals written
    /// before it was recorded).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub at_ms: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A file a node produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputFile {
    /// Path relative to the node's output directory, `/`-separated.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// BLAKE3 of the content, hex.
    pub blake3: String,
}
