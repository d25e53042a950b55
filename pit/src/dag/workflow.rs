//! The compact, validated workflow: dense `u32` indices, ports in one table, adjacency in CSR
//! form both ways. Built only by [`Workflow::build`], so every instance is valid.

use std::fmt;
use std::sync::LazyLock;
use std::time::Duration;

use serde_json::{Map, Value};

use super::id_index::IdIndex;
use super::ids::{EdgeIx, NodeId, NodeIx, PortIx, PortName, RunnerName};
use super::kinds::{Dependency, EdgeKind, NodeKind, OnFailure};
use super::port_type::PortType;

/// The marker for "no port" in an [`Edge`].
pub(super) const NO_PORT: u32 = u32::MAX;

/// The id → index map's hasher: fast, and seeded per process so crafted ids cannot collide.
pub(super) type IdHasher = foldhash::fast::RandomState;

/// A port in the workflow's port table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Port {
    /// Its name.
    pub name: PortName,
    /// Its type.
    pub ty: PortType,
    /// For inputs: must a data edge feed it.
    pub required: bool,
}

/// An edge between two nodes (and, for data edges, two ports).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    pub(super) from: NodeIx,
    pub(super) to: NodeIx,
    pub(super) from_port: u32,
    pub(super) to_port: u32,
    pub(super) kind: EdgeKind,
    pub(super) dependency: Dependency,
}

impl Edge {
    /// The source node.
    pub fn from(&self) -> NodeIx {
        self.from
    }

    /// The target node.
    pub fn to(&self) -> NodeIx {
        self.to
    }

    /// The source output port (data edges only).
    pub fn from_port(&self) -> Option<PortIx> {
        (self.from_port != NO_PORT).then_some(PortIx(self.from_port))
    }

    /// The target input port (data edges only).
    pub fn to_port(&self) -> Option<PortIx> {
        (self.to_port != NO_PORT).then_some(PortIx(self.to_port))
    }

    /// Data, control or conditional.
    pub fn kind(&self) -> EdgeKind {
        self.kind
    }

    /// Hard, soft or optional.
    pub fn dependency(&self) -> Dependency {
        self.dependency
    }
}

/// What the executor needs to run a node, as plain data.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NodeSettings {
    /// A label for people.
    pub label: Option<String>,
    /// The runner; `None` means the default (`noop`).
    pub runner: Option<RunnerName>,
    /// The runner's parameters.
    pub params: Map<String, Value>,
    /// Time limit of one attempt.
    pub timeout: Option<Duration>,
    /// Further attempts after a failure.
    pub retries: u32,
    /// Wait before the first retry.
    pub backoff: Option<Duration>,
    /// The node that runs in this one's place when it fails for good.
    pub fallback: Option<NodeIx>,
    /// What a failure does after the retries.
    pub on_failure: OnFailure,
}

impl NodeSettings {
    /// True when every setting has its default (such nodes store nothing).
    pub fn is_default(&self) -> bool {
        *self == NodeSettings::default()
    }
}

static DEFAULT_SETTINGS: LazyLock<NodeSettings> = LazyLock::new(NodeSettings::default);

/// Adjacency in compressed sparse row form: node `n`'s neighbours are
/// `nodes[offsets[n]..offsets[n + 1]]`, reached through `edges[…]` at the same positions.
#[derive(Debug, Clone, Default)]
pub(super) struct Csr {
    pub(super) offsets: Vec<u32>,
    pub(super) nodes: Vec<NodeIx>,
    pub(super) edges: Vec<EdgeIx>,
}

impl Csr {
    /// Groups `edges` by `key(edge).0`, keeping file order within a group (a counting sort).
    pub(super) fn build(
        node_count: usize,
        edges: &[Edge],
        key: impl Fn(&Edge) -> (NodeIx, NodeIx),
    ) -> Csr {
        let mut offsets = vec![0u32; node_count + 1];
        for edge in edges {
            offsets[key(edge).0.index() + 1] += 1;
        }
        for i in 0..node_count {
            offsets[i + 1] += offsets[i];
        }
        let mut cursor = offsets.clone();
        let mut nodes = vec![NodeIx(0); edges.len()];
        let mut ixs = vec![EdgeIx(0); edges.len()];
        for (e, edge) in edges.iter().enumerate() {
            let (group, other) = key(edge);
            let slot = &mut cursor[group.index()];
            nodes[*slot as usize] = other;
            ixs[*slot as usize] = EdgeIx(e as u32);
            *slot += 1;
        }
        Csr {
            offsets,
            nodes,
            edges: ixs,
        }
    }

    pub(super) fn range(&self, node: NodeIx) -> std::ops::Range<usize> {
        self.offsets[node.index()] as usize..self.offsets[node.index() + 1] as usize
    }
}

/// A validated workflow in compact form; sized for a million nodes.
#[derive(Clone)]
pub struct Workflow {
    pub(super) name: Option<String>,
    pub(super) description: Option<String>,
    pub(super) timeout: Option<Duration>,
    pub(super) ids: Vec<NodeId>,
    pub(super) index: IdIndex,
    pub(super) kinds: Vec<NodeKind>,
    /// Node `n`'s inputs are `ports[port_start[n]..first_output[n]]`, its outputs
    /// `ports[first_output[n]..port_start[n + 1]]`.
    pub(super) port_start: Vec<u32>,
    pub(super) first_output: Vec<u32>,
    pub(super) ports: Vec<Port>,
    pub(super) edges: Vec<Edge>,
    /// Each edge's index in the file's `edges` list.
    pub(super) edge_origin: Vec<u32>,
    /// Conditions of conditional edges, sorted by edge.
    pub(super) conditions: Vec<(EdgeIx, Box<str>)>,
    pub(super) out: Csr,
    pub(super) inc: Csr,
    pub(super) topo: Vec<NodeIx>,
    /// `None` for nodes whose settings are all defaults: most nodes of big workflows.
    pub(super) settings: Vec<Option<Box<NodeSettings>>>,
}

impl fmt::Debug for Workflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Workflow")
            .field("name", &self.name)
            .field("nodes", &self.ids.len())
            .field("edges", &self.edges.len())
            .finish_non_exhaustive()
    }
}

impl Workflow {
    /// The workflow's name, if the file gives one.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The workflow's description, if the file gives one.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The whole run's time limit.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// How many nodes.
    pub fn node_count(&self) -> usize {
        self.ids.len()
    }

    /// How many edges.
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// Every node index, in file order.
    pub fn nodes(&self) -> impl ExactSizeIterator<Item = NodeIx> + use<> {
        (0..self.ids.len() as u32).map(NodeIx)
    }

    /// The index of the node with this id.
    pub fn lookup(&self, id: &str) -> Option<NodeIx> {
        self.index.get(&self.ids, id)
    }

    /// A node's id.
    pub fn id(&self, node: NodeIx) -> &NodeId {
        &self.ids[node.index()]
    }

    /// A node's kind.
    pub fn kind(&self, node: NodeIx) -> NodeKind {
        self.kinds[node.index()]
    }

    /// A node's settings (shared defaults when it has none of its own).
    pub fn settings(&self, node: NodeIx) -> &NodeSettings {
        self.settings[node.index()]
            .as_deref()
            .unwrap_or(&DEFAULT_SETTINGS)
    }

    /// A node's input ports, with their indices.
    pub fn inputs(&self, node: NodeIx) -> impl ExactSizeIterator<Item = (PortIx, &Port)> {
        let start = self.port_start[node.index()];
        self.port_slice(start, self.first_output[node.index()])
    }

    /// A node's output ports, with their indices.
    pub fn outputs(&self, node: NodeIx) -> impl ExactSizeIterator<Item = (PortIx, &Port)> {
        let start = self.first_output[node.index()];
        self.port_slice(start, self.port_start[node.index() + 1])
    }

    fn port_slice(&self, start: u32, end: u32) -> impl ExactSizeIterator<Item = (PortIx, &Port)> {
        self.ports[start as usize..end as usize]
            .iter()
            .enumerate()
            .map(move |(i, port)| (PortIx(start + i as u32), port))
    }

    /// A port by index.
    pub fn port(&self, port: PortIx) -> &Port {
        &self.ports[port.index()]
    }

    /// An edge by index.
    pub fn edge(&self, edge: EdgeIx) -> &Edge {
        &self.edges[edge.index()]
    }

    /// The edge's index in the file's `edges` list (for messages about it).
    pub fn edge_origin(&self, edge: EdgeIx) -> usize {
        self.edge_origin[edge.index()] as usize
    }

    /// A conditional edge's condition.
    pub fn condition(&self, edge: EdgeIx) -> Option<&str> {
        self.conditions
            .binary_search_by_key(&edge, |(e, _)| *e)
            .ok()
            .map(|i| &*self.conditions[i].1)
    }

    /// The nodes that wait for `node` (one entry per edge).
    pub fn successors(&self, node: NodeIx) -> &[NodeIx] {
        &self.out.nodes[self.out.range(node)]
    }

    /// The edges leaving `node`, in the same order as [`successors`](Self::successors).
    pub fn out_edges(&self, node: NodeIx) -> &[EdgeIx] {
        &self.out.edges[self.out.range(node)]
    }

    /// The nodes `node` waits for (one entry per edge).
    pub fn predecessors(&self, node: NodeIx) -> &[NodeIx] {
        &self.inc.nodes[self.inc.range(node)]
    }

    /// The edges entering `node`, in the same order as [`predecessors`](Self::predecessors).
    pub fn in_edges(&self, node: NodeIx) -> &[EdgeIx] {
        &self.inc.edges[self.inc.range(node)]
    }

    /// Every node, each after all the nodes it waits for.
    pub fn topological_order(&self) -> &[NodeIx] {
        &self.topo
    }

    /// The graph as a petgraph `Graph` (node weights are [`NodeIx`], edge weights [`EdgeIx`],
    /// indices equal), for algorithms the compact form lacks.
    pub fn to_petgraph(&self) -> petgraph::Graph<NodeIx, EdgeIx> {
        let mut graph = petgraph::Graph::with_capacity(self.node_count(), self.edge_count());
        for node in self.nodes() {
            graph.add_node(node);
        }
        for (e, edge) in self.edges.iter().enumerate() {
            graph.add_edge(
                petgraph::graph::NodeIndex::new(edge.from.index()),
                petgraph::graph::NodeIndex::new(edge.to.index()),
                EdgeIx(e as u32),
            );
        }
        graph
    }
}
