//! The closed vocabularies of a workflow: node kinds, edge kinds, dependency types, failure
//! policies.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What a node is. In files it is one lowercase word: `instrument`, `operator`, `branch`,
/// `merge`, `loop`, `parallel`, `join`, `input`, `output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "KindName", into = "KindName")]
pub enum NodeKind {
    /// An AI/ML extension call (a model, an LLM).
    Instrument,
    /// A workflow utility (a shell command, a file transform, a sleep).
    Operator,
    /// Control flow; runs no user code of its own.
    Control(ControlKind),
    /// A workflow input: its outputs are the run's arguments.
    Input,
    /// A workflow output: its inputs are the run's results.
    Output,
}

/// The control-flow node kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ControlKind {
    /// Takes the outgoing conditional edges whose condition holds; the others' targets are skipped.
    Branch,
    /// Continues as soon as one incoming branch completed (the untaken ones are skipped).
    Merge,
    /// Repeats the nodes downstream of it while its condition holds (no back edge needed).
    Loop,
    /// Marks a fan-out whose targets may run at once.
    Parallel,
    /// Waits for every incoming edge (the end of a fan-out).
    Join,
}

/// The spelling of a [`NodeKind`] in files.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum KindName {
    Instrument,
    Operator,
    Branch,
    Merge,
    Loop,
    Parallel,
    Join,
    Input,
    Output,
}

impl From<KindName> for NodeKind {
    fn from(name: KindName) -> Self {
        match name {
            KindName::Instrument => NodeKind::Instrument,
            KindName::Operator => NodeKind::Operator,
            KindName::Branch => NodeKind::Control(ControlKind::Branch),
            KindName::Merge => NodeKind::Control(ControlKind::Merge),
            KindName::Loop => NodeKind::Control(ControlKind::Loop),
            KindName::Parallel => NodeKind::Control(ControlKind::Parallel),
            KindName::Join => NodeKind::Control(ControlKind::Join),
            KindName::Input => NodeKind::Input,
            KindName::Output => NodeKind::Output,
        }
    }
}

impl From<NodeKind> for KindName {
    fn from(kind: NodeKind) -> Self {
        match kind {
            NodeKind::Instrument => KindName::Instrument,
            NodeKind::Operator => KindName::Operator,
            NodeKind::Control(ControlKind::Branch) => KindName::Branch,
            NodeKind::Control(ControlKind::Merge) => KindName::Merge,
            NodeKind::Control(ControlKind::Loop) => KindName::Loop,
            NodeKind::Control(ControlKind::Parallel) => KindName::Parallel,
            NodeKind::Control(ControlKind::Join) => KindName::Join,
            NodeKind::Input => KindName::Input,
            NodeKind::Output => KindName::Output,
        }
    }
}

impl NodeKind {
    /// The word used for this kind in files and messages.
    pub fn name(self) -> &'static str {
        match self {
            NodeKind::Instrument => "instrument",
            NodeKind::Operator => "operator",
            NodeKind::Control(ControlKind::Branch) => "branch",
            NodeKind::Control(ControlKind::Merge) => "merge",
            NodeKind::Control(ControlKind::Loop) => "loop",
            NodeKind::Control(ControlKind::Parallel) => "parallel",
            NodeKind::Control(ControlKind::Join) => "join",
            NodeKind::Input => "input",
            NodeKind::Output => "output",
        }
    }

    /// How many incoming edges this kind needs, and of which kind, to have any input at all
    /// (the "missing input" rule; see `docs/WORKFLOW_FORMAT.md`).
    pub fn input_rule(self) -> Option<InputRule> {
        match self {
            NodeKind::Output => Some(InputRule::DataEdges(1)),
            NodeKind::Control(ControlKind::Merge | ControlKind::Join) => Some(InputRule::Edges(2)),
            NodeKind::Control(ControlKind::Branch | ControlKind::Loop | ControlKind::Parallel) => {
                Some(InputRule::Edges(1))
            }
            NodeKind::Instrument | NodeKind::Operator | NodeKind::Input => None,
        }
    }
}

impl fmt::Display for NodeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The least a node kind must receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputRule {
    /// At least this many incoming edges of any kind.
    Edges(u32),
    /// At least this many incoming data edges.
    DataEdges(u32),
}

/// What an edge carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EdgeKind {
    /// A value from an output port to an input port; also orders the two nodes.
    #[default]
    Data,
    /// Ordering only: the target waits for the source.
    Control,
    /// Ordering taken only when the edge's condition holds (from a `branch` or `loop` node).
    Conditional,
}

impl EdgeKind {
    /// The word used in files and messages.
    pub fn name(self) -> &'static str {
        match self {
            EdgeKind::Data => "data",
            EdgeKind::Control => "control",
            EdgeKind::Conditional => "conditional",
        }
    }
}

/// How strongly the target depends on the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dependency {
    /// The target runs only if the source completed; otherwise it is skipped.
    #[default]
    Hard,
    /// The target waits for the source to finish, and runs whether it completed or not.
    Soft,
    /// The target waits for the source only if the source runs at all; a skipped or failed
    /// source leaves the target's port empty.
    Optional,
}

/// What happens when a node has failed and used up its retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnFailure {
    /// The workflow fails (the default without a `fallback`).
    #[default]
    Fail,
    /// The node counts as skipped; hard dependents are skipped too.
    Skip,
    /// The `fallback` node runs in its place (the default when a `fallback` is given).
    Fallback,
}
