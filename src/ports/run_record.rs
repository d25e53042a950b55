//! `RunRecordPort`: where the Conductor records what it runs — each workflow it compiles and
//! each run's start and end — with the authority (OFB, through the outbox when it is away).
//! Recording never stops a run: a refusal or a failure is a sentence in the run's report.

use crate::data::requests::{NodeResult, RunState};

/// One step as the authority knows it: a node and the extension that runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedStep {
    /// The node's id in the workflow.
    pub name: String,
    /// The extension's id.
    pub command: String,
}

/// A run being recorded: its ids with the authority (provisional ones while queued).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunRecord {
    /// The workflow.
    pub workflow: u64,
    /// The run.
    pub run: u64,
}

/// Records the Conductor's workflows and runs.
pub trait RunRecordPort: Send + Sync + std::fmt::Debug {
    /// Records the workflow `name` of `steps` and the start of its run; `Err` says why it is
    /// not recorded (the run goes ahead all the same).
    fn started(&self, name: &str, steps: &[RecordedStep]) -> Result<RunRecord, String>;

    /// Records the run's end with each step's result; returns what happened, in a sentence.
    fn ended(&self, run: RunRecord, state: RunState, nodes: Vec<NodeResult>) -> String;
}
