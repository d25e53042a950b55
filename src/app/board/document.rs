//! What the board edits — the workflow file and the user's reordering within layers — and
//! the edits themselves, as plain functions on it. Whether an edit is kept is decided by the
//! DAG Tracker's validation in `state.rs`.

use std::collections::{HashMap, HashSet};

use pit::dag::{EdgeKind, EdgeSpec, NodeId, NodeSpec, PortSpec, WorkflowFile};

use super::group::{self, GroupEdit};
use super::layout::{LayoutGraph, NodePos};
use super::palette::NodeTemplate;

/// The workflow being composed, and how far the user moved nodes within their layers (not
/// part of the file format: a saved file keeps only the graph).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    /// The workflow.
    pub file: WorkflowFile,
    /// Per moved node, by how many places (negative: left).
    pub nudges: Vec<(NodeId, i32)>,
    /// The groups drawn as one box (`group.rs`).
    pub collapsed: Vec<String>,
}

/// One board edit.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// Add a node of this template with this id.
    Add(NodeTemplate, NodeId),
    /// Add an edge.
    Connect(EdgeSpec),
    /// Remove a node and every edge at it.
    Delete(NodeId),
    /// Move a node by places within its layer.
    Move(NodeId, i32),
    /// Add nodes and edges at once (a duplicate), and collapse these groups.
    Insert {
        /// The new nodes.
        nodes: Vec<NodeSpec>,
        /// The new edges.
        edges: Vec<EdgeSpec>,
        /// Groups to draw collapsed.
        collapsed: Vec<String>,
    },
    /// Remove nodes and every edge at them.
    Remove(Vec<NodeId>),
    /// Form, dissolve, collapse or expand a group.
    Group(GroupEdit),
    /// Replace a node's parameters (the parameter form).
    SetParams(NodeId, serde_json::Map<String, serde_json::Value>),
}

impl Document {
    /// The node with this id.
    pub fn node(&self, id: &NodeId) -> Option<&NodeSpec> {
        self.file.nodes.iter().find(|n| &n.id == id)
    }

    /// The node's position in the file (and the layout).
    pub fn position(&self, id: &NodeId) -> Option<NodePos> {
        self.file
            .nodes
            .iter()
            .position(|n| &n.id == id)
            .map(|i| NodePos(i as u32))
    }

    /// The graph to lay out, with the user's moves.
    pub fn layout_graph(&self) -> LayoutGraph {
        let mut graph = LayoutGraph::of_file(&self.file);
        graph.nudges = self
            .nudges
            .iter()
            .filter_map(|(id, by)| Some((self.position(id)?, *by)))
            .collect();
        graph
    }

    /// An id for a new node: `stem-N` with the smallest unused N.
    pub fn fresh_id(&self, stem: &str) -> NodeId {
        let used: HashSet<&str> = self.file.nodes.iter().map(|n| n.id.as_str()).collect();
        let stem: String = stem
            .chars()
            .map(|c| {
                if c.is_whitespace() || c.is_control() {
                    '-'
                } else {
                    c
                }
            })
            .collect();
        (1u32..)
            .map(|n| format!("{stem}-{n}"))
            .find(|id| !used.contains(id.as_str()))
            .map(NodeId::from)
            .unwrap_or_else(|| NodeId::from(stem))
    }

    /// Applies an edit (validation is the caller's).
    pub fn apply(&mut self, edit: Edit) {
        match edit {
            Edit::Add(template, id) => {
                let node = template.instantiate(id.as_str());
                self.file.nodes.push(node);
            }
            Edit::Connect(edge) => self.file.edges.push(edge),
            Edit::Delete(id) => {
                self.file.nodes.retain(|n| n.id != id);
                self.file.edges.retain(|e| e.from != id && e.to != id);
                for node in &mut self.file.nodes {
                    if node.fallback.as_ref() == Some(&id) {
                        node.fallback = None;
                    }
                }
                self.nudges.retain(|(n, _)| *n != id);
            }
            Edit::Move(id, by) => match self.nudges.iter_mut().find(|(n, _)| *n == id) {
                Some((_, total)) => *total += by,
                None => self.nudges.push((id, by)),
            },
            Edit::Insert {
                nodes,
                edges,
                collapsed,
            } => {
                self.file.nodes.extend(nodes);
                self.file.edges.extend(edges);
                self.collapsed.extend(collapsed);
            }
            Edit::Remove(ids) => {
                for id in ids {
                    self.apply(Edit::Delete(id));
                }
                let left = group::names(self);
                self.collapsed.retain(|g| left.contains(g));
            }
            Edit::Group(edit) => group::apply(self, edit),
            Edit::SetParams(id, params) => {
                if let Some(node) = self.file.nodes.iter_mut().find(|n| n.id == id) {
                    node.params = params;
                }
            }
        }
    }

    /// Whether `to` is reachable from `from` along edges.
    pub fn reaches(&self, from: &NodeId, to: &NodeId) -> bool {
        let mut next: HashMap<&str, Vec<&str>> = HashMap::new();
        for e in &self.file.edges {
            next.entry(e.from.as_str()).or_default().push(e.to.as_str());
        }
        let mut seen = HashSet::new();
        let mut stack = vec![from.as_str()];
        while let Some(n) = stack.pop() {
            if n == to.as_str() {
                return true;
            }
            if seen.insert(n) {
                stack.extend(next.get(n).into_iter().flatten().copied());
            }
        }
        false
    }

    /// The edge the board would add from `from` to `to`: data from an output to an input
    /// that accepts it (the first input no data edge feeds yet, when there is a choice),
    /// else control. Port names are written only where the node has several.
    pub fn edge_between(&self, from: &NodeId, to: &NodeId) -> Option<EdgeSpec> {
        let (source, target) = (self.node(from)?, self.node(to)?);
        let mut edge = EdgeSpec::new(from.clone(), to.clone(), EdgeKind::Control);
        if source.outputs.is_empty() || target.inputs.is_empty() {
            return Some(edge);
        }
        let fed: HashSet<&str> = self
            .file
            .edges
            .iter()
            .filter(|e| &e.to == to && e.kind == EdgeKind::Data)
            .filter_map(|e| e.to_port.as_ref().map(|p| p.as_str()))
            .collect();
        let accepts = |i: &PortSpec, o: &PortSpec| i.ty.accepts(&o.ty);
        let pick = target
            .inputs
            .iter()
            .filter(|i| !fed.contains(i.name.as_str()))
            .chain(target.inputs.iter())
            .find_map(|i| {
                source
                    .outputs
                    .iter()
                    .find(|o| accepts(i, o))
                    .map(|o| (o, i))
            })?;
        edge.kind = EdgeKind::Data;
        if source.outputs.len() > 1 {
            edge.from_port = Some(pick.0.name.clone());
        }
        if target.inputs.len() > 1 {
            edge.to_port = Some(pick.1.name.clone());
        }
        Some(edge)
    }

    /// Why `from` cannot be connected to `to`, if it cannot.
    pub fn cannot_connect(&self, from: &NodeId, to: &NodeId) -> Option<String> {
        if from == to {
            return Some(format!("`{from}` cannot wait for itself"));
        }
        if self
            .file
            .edges
            .iter()
            .any(|e| &e.from == from && &e.to == to)
        {
            return Some(format!("`{from}` → `{to}` is already connected"));
        }
        if self.reaches(to, from) {
            return Some(format!(
                "`{to}` already leads to `{from}`: the edge would close a cycle"
            ));
        }
        if self.edge_between(from, to).is_none() {
            let ports = |id: &NodeId, outputs: bool| {
                self.node(id).map_or_else(String::new, |n| {
                    super::ports::listed(if outputs { &n.outputs } else { &n.inputs })
                })
            };
            return Some(format!(
                "the types do not match: no output of `{from}` ({}) has a type an input of \
                 `{to}` ({}) accepts",
                ports(from, true),
                ports(to, false)
            ));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::board::palette::builtins;

    fn template(name: &str) -> NodeTemplate {
        builtins()
            .into_iter()
            .find(|t| t.name == name)
            .expect("a built-in")
    }

    fn doc_with(names: &[&str]) -> Document {
        let mut doc = Document::default();
        for name in names {
            let id = doc.fresh_id(name);
            doc.apply(Edit::Add(template(name), id));
        }
        doc
    }

    #[test]
    fn ids_are_fresh_and_data_edges_infer_their_ports() {
        let doc = doc_with(&["input", "shell", "shell", "join"]);
        let ids: Vec<&str> = doc.file.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["input-1", "shell-1", "shell-2", "join-1"]);
        let data = doc
            .edge_between(&"input-1".into(), &"shell-1".into())
            .expect("an edge");
        assert_eq!(
            (data.kind, data.from_port, data.to_port),
            (EdgeKind::Data, None, None)
        );
        let control = doc
            .edge_between(&"shell-1".into(), &"join-1".into())
            .expect("an edge");
        assert_eq!(control.kind, EdgeKind::Control);
    }

    #[test]
    fn connections_that_close_a_cycle_or_repeat_are_refused_with_a_reason() {
        let mut doc = doc_with(&["shell", "shell"]);
        let (a, b): (NodeId, NodeId) = ("shell-1".into(), "shell-2".into());
        assert_eq!(doc.cannot_connect(&a, &b), None);
        let edge = doc.edge_between(&a, &b).expect("an edge");
        doc.apply(Edit::Connect(edge));
        assert!(
            doc.cannot_connect(&a, &b)
                .expect("refused")
                .contains("already")
        );
        assert!(
            doc.cannot_connect(&b, &a)
                .expect("refused")
                .contains("cycle")
        );
        assert!(doc.cannot_connect(&a, &a).is_some());
    }

    #[test]
    fn deleting_a_node_takes_its_edges() {
        let mut doc = doc_with(&["input", "shell"]);
        let edge = doc
            .edge_between(&"input-1".into(), &"shell-1".into())
            .expect("an edge");
        doc.apply(Edit::Connect(edge));
        doc.apply(Edit::Delete("input-1".into()));
        assert_eq!(doc.file.nodes.len(), 1);
        assert!(doc.file.edges.is_empty());
    }
}
