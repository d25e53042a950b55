//! The workflow file model: what TOML and JSON workflow files deserialise into, field for
//! field (`docs/WORKFLOW_FORMAT.md` documents it; `docs/workflow.schema.json` is its schema).
//!
//! This is the *unchecked* form: every reference is still a string. [`super::Workflow::build`]
//! turns it into the compact, validated form and reports every problem at once.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::duration::HumanDuration;
use super::ids::{EdgeId, NodeId, PortName, RunnerName};
use super::kinds::{Dependency, EdgeKind, NodeKind, OnFailure};
use super::port_type::PortType;

/// The only format version so far.
pub const FORMAT_VERSION: u32 = 1;

/// A whole workflow file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkflowFile {
    /// The format version: `1`.
    #[serde(default = "format_version", deserialize_with = "version::deserialize")]
    pub version: u32,
    /// A short name for lists and the board.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What the workflow is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The whole run's time limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<HumanDuration>,
    /// The nodes, in any order.
    #[serde(default)]
    pub nodes: Vec<NodeSpec>,
    /// The edges, in any order.
    #[serde(default)]
    pub edges: Vec<EdgeSpec>,
}

fn format_version() -> u32 {
    FORMAT_VERSION
}

impl Default for WorkflowFile {
    /// An empty workflow of the current format version.
    fn default() -> Self {
        WorkflowFile {
            version: FORMAT_VERSION,
            name: None,
            description: None,
            timeout: None,
            nodes: Vec::new(),
            edges: Vec::new(),
        }
    }
}

/// A node as written in a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeSpec {
    /// Unique id.
    pub id: NodeId,
    /// What the node is.
    pub kind: NodeKind,
    /// A label for people (the board shows it; messages use the id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The Harmony Board group the node is drawn in (nodes naming the same group form it);
    /// only the board reads it, running ignores it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Input ports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<PortSpec>,
    /// Output ports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<PortSpec>,
    /// The runner that executes the node; absent means the kind's default (`noop`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runner: Option<RunnerName>,
    /// The runner's parameters, passed through untouched.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub params: Map<String, Value>,
    /// Time limit of one attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<HumanDuration>,
    /// Further attempts after a failure.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub retries: u32,
    /// Wait before the first retry; doubled (with jitter) before each next one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff: Option<HumanDuration>,
    /// The node that runs in this one's place when it fails for good.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<NodeId>,
    /// What a failure does after the retries; default `fallback` with a fallback, else `fail`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_failure: Option<OnFailure>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl NodeSpec {
    /// A node with this id and kind and nothing else.
    pub fn new(id: impl Into<NodeId>, kind: NodeKind) -> Self {
        NodeSpec {
            id: id.into(),
            kind,
            name: None,
            group: None,
            inputs: Vec::new(),
            outputs: Vec::new(),
            runner: None,
            params: Map::new(),
            timeout: None,
            retries: 0,
            backoff: None,
            fallback: None,
            on_failure: None,
        }
    }
}

/// A port as written in a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortSpec {
    /// Name, unique among the node's inputs (or outputs).
    pub name: PortName,
    /// Type; default `any`.
    #[serde(rename = "type", default)]
    pub ty: PortType,
    /// For inputs: whether the port must be fed by a data edge. Default true.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub required: bool,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

impl PortSpec {
    /// A required port.
    pub fn new(name: impl Into<PortName>, ty: PortType) -> Self {
        PortSpec {
            name: name.into(),
            ty,
            required: true,
        }
    }
}

/// An edge as written in a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EdgeSpec {
    /// Optional id, unique among edges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<EdgeId>,
    /// Source node.
    pub from: NodeId,
    /// Source output port (data edges; may be left out when the node has exactly one output).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_port: Option<PortName>,
    /// Target node.
    pub to: NodeId,
    /// Target input port (data edges; may be left out when the node has exactly one input).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_port: Option<PortName>,
    /// What the edge carries; default `data`.
    #[serde(default)]
    pub kind: EdgeKind,
    /// How strongly the target depends on the source; default `hard`.
    #[serde(default)]
    pub dependency: Dependency,
    /// For conditional edges: the expression that must hold for the edge to be taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

impl EdgeSpec {
    /// A hard edge of this kind between two nodes, ports inferred.
    pub fn new(from: impl Into<NodeId>, to: impl Into<NodeId>, kind: EdgeKind) -> Self {
        EdgeSpec {
            id: None,
            from: from.into(),
            from_port: None,
            to: to.into(),
            to_port: None,
            kind,
            dependency: Dependency::Hard,
            condition: None,
        }
    }
}

mod version {
    use serde::{Deserialize, Deserializer, de::Error};

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
        let found = u64::deserialize(d)?;
        if found == u64::from(super::FORMAT_VERSION) {
            Ok(super::FORMAT_VERSION)
        } else {
            Err(D::Error::custom(format_args!(
                "workflow format version {found} is not supported: this Symphony reads version {}; \
                 upgrade Symphony or write the file in version {}",
                super::FORMAT_VERSION,
                super::FORMAT_VERSION
            )))
        }
    }
}
