//! The details of invalid edges and settings, and the pieces messages are made of.

use std::fmt;

use super::ids::{NodeId, PortName};
use super::kinds::{EdgeKind, OnFailure};
use super::port_type::PortType;

/// How many names a message lists before it says "and N more".
const LISTED: usize = 10;

/// One end of an edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The source (`from`).
    From,
    /// The target (`to`).
    To,
}

impl End {
    fn node_field(self) -> &'static str {
        match self {
            End::From => "from",
            End::To => "to",
        }
    }

    fn port_field(self) -> &'static str {
        match self {
            End::From => "from_port",
            End::To => "to_port",
        }
    }

    /// The direction of the ports this end attaches to.
    pub fn direction(self) -> Direction {
        match self {
            End::From => Direction::Output,
            End::To => Direction::Input,
        }
    }
}

/// Input or output ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Input ports.
    Input,
    /// Output ports.
    Output,
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::Input => "input",
            Direction::Output => "output",
        })
    }
}

/// Why an edge cannot be connected.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EdgeProblem {
    /// An end names a node that does not exist.
    UnknownNode {
        /// Which end.
        end: End,
    },
    /// The edge goes from a node to itself.
    SelfLoop,
    /// A data edge at a node without ports of the needed direction.
    NoPorts {
        /// Which end.
        end: End,
    },
    /// A data edge leaves out the port at a node with several.
    AmbiguousPort {
        /// Which end.
        end: End,
        /// The node's ports of that direction.
        ports: PortList,
    },
    /// The named port does not exist at that end's node.
    UnknownPort {
        /// Which end.
        end: End,
        /// The name given.
        port: PortName,
        /// The ports that do exist in that direction.
        ports: PortList,
    },
    /// The named port exists, but in the other direction (e.g. a data edge into an output).
    WrongDirection {
        /// Which end.
        end: End,
        /// The name given.
        port: PortName,
    },
    /// A control or conditional edge names a port.
    PortOnControlEdge {
        /// Which end.
        end: End,
        /// The edge's kind.
        kind: EdgeKind,
    },
    /// A conditional edge without a condition (or with an empty one).
    MissingCondition,
    /// A condition that does not parse.
    BadCondition {
        /// What is wrong, and where in the condition.
        message: String,
    },
    /// A condition on an edge that is not conditional.
    UnexpectedCondition {
        /// The edge's kind.
        kind: EdgeKind,
    },
}

impl fmt::Display for EdgeProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EdgeProblem::UnknownNode { end } => write!(
                f,
                "its `{}` node does not exist; check the spelling or add the node",
                end.node_field()
            ),
            EdgeProblem::SelfLoop => f.write_str(
                "it goes from a node to itself; a node cannot wait for itself \
                 (a `loop` node repeats work)",
            ),
            EdgeProblem::NoPorts { end } => write!(
                f,
                "its `{}` node has no {} ports, so a data edge cannot attach there; declare \
                 one, or make the edge `kind = \"control\"`",
                end.node_field(),
                end.direction()
            ),
            EdgeProblem::AmbiguousPort { end, ports } => write!(
                f,
                "its `{}` node has {} {} ports ({ports}); say which with `{}`",
                end.node_field(),
                ports.total,
                end.direction(),
                end.port_field()
            ),
            EdgeProblem::UnknownPort { end, port, ports } => write!(
                f,
                "`{} = \"{port}\"`: its `{}` node has no {} port of that name (it has: {ports})",
                end.port_field(),
                end.node_field(),
                end.direction(),
            ),
            EdgeProblem::WrongDirection { end, port } => write!(
                f,
                "`{} = \"{port}\"` is not an {} port of its `{}` node; data edges go from an \
                 output port to an input port",
                end.port_field(),
                end.direction(),
                end.node_field()
            ),
            EdgeProblem::PortOnControlEdge { end, kind } => write!(
                f,
                "a {} edge carries no data; remove `{}` (or make it `kind = \"data\"`)",
                kind.name(),
                end.port_field()
            ),
            EdgeProblem::BadCondition { message } => write!(
                f,
                "its condition does not parse: {message} (see \"Conditions\" in \
                 docs/WORKFLOW_FORMAT.md)"
            ),
            EdgeProblem::MissingCondition => f.write_str(
                "a conditional edge needs a non-empty `condition`; add one or make the edge \
                 `kind = \"control\"`",
            ),
            EdgeProblem::UnexpectedCondition { kind } => write!(
                f,
                "only conditional edges take a `condition`, and this one is {}; set \
                 `kind = \"conditional\"` or remove the condition",
                kind.name()
            ),
        }
    }
}

/// Why a node's settings cannot work.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SettingProblem {
    /// The fallback names a node that does not exist.
    UnknownFallback {
        /// The name given.
        fallback: NodeId,
    },
    /// The node is its own fallback.
    FallbackIsSelf,
    /// `on_failure = "fallback"` without a `fallback`.
    NoFallbackNode,
    /// A `fallback` that the `on_failure` policy never uses.
    FallbackUnused {
        /// The policy given.
        policy: OnFailure,
    },
    /// The fallback node has edges of its own.
    FallbackHasEdges {
        /// The fallback node.
        fallback: NodeId,
    },
    /// Fallbacks that lead back to where they started.
    FallbackLoop {
        /// The chain, first node repeated at the end.
        chain: Vec<NodeId>,
    },
    /// The fallback lacks an output port (of a compatible type) that dependents use.
    FallbackMissingOutput {
        /// The fallback node.
        fallback: NodeId,
        /// The output port.
        port: PortName,
        /// Its type on the failing node.
        ty: PortType,
    },
    /// The fallback needs an input that the failing node does not have (compatibly typed).
    FallbackExtraInput {
        /// The fallback node.
        fallback: NodeId,
        /// The input port.
        port: PortName,
    },
}

impl fmt::Display for SettingProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SettingProblem::UnknownFallback { fallback } => write!(
                f,
                "its fallback `{fallback}` does not exist; check the spelling or add the node"
            ),
            SettingProblem::FallbackIsSelf => {
                f.write_str("it names itself as its fallback; use `retries` to run it again")
            }
            SettingProblem::NoFallbackNode => {
                f.write_str("`on_failure = \"fallback\"` needs a `fallback` node; name one")
            }
            SettingProblem::FallbackUnused { policy } => write!(
                f,
                "it names a `fallback` but `on_failure = \"{}\"` never uses it; remove one of \
                 the two",
                match policy {
                    OnFailure::Fail => "fail",
                    OnFailure::Skip => "skip",
                    OnFailure::Fallback => "fallback",
                }
            ),
            SettingProblem::FallbackHasEdges { fallback } => write!(
                f,
                "its fallback `{fallback}` has edges of its own; a fallback takes the failed \
                 node's place and receives its inputs, so remove the fallback's edges"
            ),
            SettingProblem::FallbackLoop { chain } => write!(
                f,
                "its fallbacks go round in a loop: {}; end the chain with a node that has none",
                Path(chain)
            ),
            SettingProblem::FallbackMissingOutput { fallback, port, ty } => write!(
                f,
                "its fallback `{fallback}` has no output `{port}` of a type compatible with \
                 `{ty}`, which this node's dependents use; add that output to the fallback"
            ),
            SettingProblem::FallbackExtraInput { fallback, port } => write!(
                f,
                "its fallback `{fallback}` requires input `{port}`, which this node lacks (or \
                 has with an incompatible type); give both the same inputs"
            ),
        }
    }
}

/// A node path `a → b → c`, elided in the middle when long.
pub(super) struct Path<'a>(pub(super) &'a [NodeId]);

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.0;
        let shown: Vec<String> = if path.len() <= 2 * LISTED {
            path.iter().map(|n| format!("`{n}`")).collect()
        } else {
            let head = path[..LISTED].iter().map(|n| format!("`{n}`"));
            let tail = path[path.len() - LISTED..].iter().map(|n| format!("`{n}`"));
            head.chain([format!("… {} more …", path.len() - 2 * LISTED)])
                .chain(tail)
                .collect()
        };
        f.write_str(&shown.join(" → "))
    }
}

/// Some of a node's port names (at most ten: a hostile node may have a million) and how many
/// there are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortList {
    /// The first few names.
    pub shown: Vec<PortName>,
    /// How many ports there are in all.
    pub total: usize,
}

impl PortList {
    /// The list of these names.
    pub fn of<'a>(names: impl ExactSizeIterator<Item = &'a PortName>) -> Self {
        let total = names.len();
        PortList {
            shown: names.take(LISTED).cloned().collect(),
            total,
        }
    }
}

impl fmt::Display for PortList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.total == 0 {
            return f.write_str("none");
        }
        let shown: Vec<String> = self.shown.iter().map(|p| format!("`{p}`")).collect();
        f.write_str(&shown.join(", "))?;
        if self.total > self.shown.len() {
            write!(f, " and {} more", self.total - self.shown.len())?;
        }
        Ok(())
    }
}
