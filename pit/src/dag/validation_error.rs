//! What validation finds: one [`ValidationError`] per problem, each naming the nodes and edges
//! involved and saying what to do, with a stable [`code`](ValidationError::code).

use std::fmt;

use super::ids::{EdgeId, IdProblem, NodeId, PortName};
use super::kinds::{InputRule, NodeKind};
use super::port_type::PortType;
use super::problems::{Direction, EdgeProblem, Path, SettingProblem};

/// One problem in a workflow. Validation returns all of them, never just the first.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// The workflow has no nodes at all.
    #[error("the workflow has no nodes; add at least one entry to `nodes`")]
    NoNodes,
    /// More nodes, ports or edges than the compact form's `u32` indices can number.
    #[error(
        "the workflow has {count} {what}; at most {limit} are supported, split it into \
         several workflows"
    )]
    TooLarge {
        /// "nodes", "ports" or "edges".
        what: &'static str,
        /// How many there are.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// A strongly connected component of more than one node: reported once, with one of its
    /// cycles (first node repeated at the end).
    #[error(
        "cycle: {}{}; a workflow must be acyclic: remove or reverse one of these edges \
         (a `loop` node repeats work without a back edge)",
        Path(path),
        if *component_size > path.len().saturating_sub(1) {
            format!(" (one cycle of {component_size} nodes that all reach each other)")
        } else {
            String::new()
        }
    )]
    Cycle {
        /// The cycle's nodes in edge order, the first repeated at the end.
        path: Vec<NodeId>,
        /// How many nodes the strongly connected component holds.
        component_size: usize,
    },
    /// A node without any edge in a workflow of several nodes.
    #[error("orphan node `{node}`: it has no edges; connect it to the workflow or remove it")]
    OrphanNode {
        /// The node.
        node: NodeId,
    },
    /// A required input port that no data edge feeds.
    #[error(
        "disconnected input `{node}.{port}` ({ty}): it is required but no data edge feeds it; \
         add an edge into it or declare it with `required = false`"
    )]
    DisconnectedInput {
        /// The node.
        node: NodeId,
        /// The port.
        port: PortName,
        /// The port's type.
        ty: PortType,
    },
    /// A data edge between ports of incompatible types.
    #[error(
        "type mismatch on {edge}: output `{}.{from_port}` is `{from_type}` but input \
         `{}.{to_port}` takes `{to_type}`; change one of the types, or convert in between \
         with an operator",
        edge.from, edge.to
    )]
    TypeMismatch {
        /// The edge.
        edge: EdgeRef,
        /// The source port.
        from_port: PortName,
        /// Its type.
        from_type: PortType,
        /// The target port.
        to_port: PortName,
        /// Its type.
        to_type: PortType,
    },
    /// A node whose kind needs input receives none (see [`NodeKind::input_rule`]).
    #[error("missing input: {kind} node `{node}` {}", MissingText(*rule, *found))]
    MissingInput {
        /// The node.
        node: NodeId,
        /// Its kind.
        kind: NodeKind,
        /// What the kind needs.
        rule: InputRule,
        /// How many qualifying edges it has.
        found: u32,
    },
    /// Two nodes share an id.
    #[error(
        "duplicate node id `{node}`: nodes[{again}] has the same id as nodes[{first}]; ids \
         must be unique, rename one"
    )]
    DuplicateNodeId {
        /// The id.
        node: NodeId,
        /// Index of the first node with it.
        first: usize,
        /// Index of the repeat.
        again: usize,
    },
    /// Two input (or two output) ports of a node share a name.
    #[error("duplicate port `{node}.{port}`: two {direction} ports have this name; rename one")]
    DuplicatePort {
        /// The node.
        node: NodeId,
        /// The name.
        port: PortName,
        /// Inputs or outputs.
        direction: Direction,
    },
    /// Two edges share an explicit id.
    #[error(
        "duplicate edge id `{id}`: edges[{again}] has the same id as edges[{first}]; rename one"
    )]
    DuplicateEdgeId {
        /// The id.
        id: EdgeId,
        /// Index of the first edge with it.
        first: usize,
        /// Index of the repeat.
        again: usize,
    },
    /// The same connection twice (same nodes, ports and kind).
    #[error("duplicate edge: {edge} repeats edges[{first}]; remove one of them")]
    DuplicateEdge {
        /// The repeat.
        edge: EdgeRef,
        /// Index of the first.
        first: usize,
    },
    /// An edge that cannot be connected as written.
    #[error("invalid edge {edge}: {problem}")]
    InvalidEdge {
        /// The edge.
        edge: EdgeRef,
        /// What is wrong.
        problem: EdgeProblem,
    },
    /// A malformed node id, edge id or port name.
    #[error("invalid {what} `{shown}` at `{location}`: {problem}")]
    InvalidId {
        /// "node id", "edge id" or "port name".
        what: &'static str,
        /// Where in the file (`nodes[3].id`).
        location: String,
        /// The id, shortened for display.
        shown: String,
        /// What is wrong.
        problem: IdProblem,
    },
    /// A node setting that cannot work (today: its fallback).
    #[error("invalid setting of node `{node}`: {problem}")]
    InvalidSetting {
        /// The node.
        node: NodeId,
        /// What is wrong.
        problem: SettingProblem,
    },
}

impl ValidationError {
    /// A stable, machine-readable code (documented in `docs/WORKFLOW_FORMAT.md`).
    pub fn code(&self) -> &'static str {
        match self {
            ValidationError::NoNodes => "empty-workflow",
            ValidationError::TooLarge { .. } => "too-large",
            ValidationError::Cycle { .. } => "cycle",
            ValidationError::OrphanNode { .. } => "orphan-node",
            ValidationError::DisconnectedInput { .. } => "disconnected-input",
            ValidationError::TypeMismatch { .. } => "type-mismatch",
            ValidationError::MissingInput { .. } => "missing-input",
            ValidationError::DuplicateNodeId { .. }
            | ValidationError::DuplicatePort { .. }
            | ValidationError::DuplicateEdgeId { .. } => "duplicate-id",
            ValidationError::DuplicateEdge { .. } => "duplicate-edge",
            ValidationError::InvalidEdge { .. } => "invalid-edge",
            ValidationError::InvalidId { .. } => "invalid-id",
            ValidationError::InvalidSetting { .. } => "invalid-setting",
        }
    }

    /// The index in the file's `edges` list of the edge this error is about, if any.
    pub fn edge_index(&self) -> Option<usize> {
        match self {
            ValidationError::TypeMismatch { edge, .. }
            | ValidationError::DuplicateEdge { edge, .. }
            | ValidationError::InvalidEdge { edge, .. } => Some(edge.index),
            ValidationError::DuplicateEdgeId { again, .. } => Some(*again),
            _ => None,
        }
    }

    /// The nodes this error is about (for highlighting on the board).
    pub fn nodes(&self) -> Vec<&NodeId> {
        match self {
            ValidationError::Cycle { path, .. } => path.iter().skip(1).collect(),
            ValidationError::OrphanNode { node }
            | ValidationError::DisconnectedInput { node, .. }
            | ValidationError::MissingInput { node, .. }
            | ValidationError::DuplicateNodeId { node, .. }
            | ValidationError::DuplicatePort { node, .. }
            | ValidationError::InvalidSetting { node, .. } => vec![node],
            ValidationError::TypeMismatch { edge, .. }
            | ValidationError::DuplicateEdge { edge, .. }
            | ValidationError::InvalidEdge { edge, .. } => vec![&edge.from, &edge.to],
            ValidationError::NoNodes
            | ValidationError::TooLarge { .. }
            | ValidationError::DuplicateEdgeId { .. }
            | ValidationError::InvalidId { .. } => Vec::new(),
        }
    }
}

/// An edge as messages name it: its place in the file, its id if it has one, its ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgeRef {
    /// Index in the file's `edges` list.
    pub index: usize,
    /// The edge's id, if the file gives one.
    pub id: Option<EdgeId>,
    /// Source node as written.
    pub from: NodeId,
    /// Target node as written.
    pub to: NodeId,
}

impl fmt::Display for EdgeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "edges[{}]", self.index)?;
        if let Some(id) = &self.id {
            write!(f, " `{id}`")?;
        }
        write!(f, " (`{}` → `{}`)", self.from, self.to)
    }
}

/// The tail of a missing-input message.
struct MissingText(InputRule, u32);

impl fmt::Display for MissingText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            InputRule::DataEdges(n) => write!(
                f,
                "receives {} data edges but needs at least {n}: an output node publishes what \
                 flows into it, so connect a data edge into one of its input ports",
                self.1
            ),
            InputRule::Edges(n) => write!(
                f,
                "has {} incoming edges but needs at least {n}; connect the nodes it should \
                 follow",
                self.1
            ),
        }
    }
}
