//! Groups: nodes that name the same `group` in the workflow file. A collapsed group is drawn
//! as one box (its first member in file order stands for it, the others are hidden): the
//! layout runs on the graph with each collapsed group contracted to one node, and every
//! member then takes the group's place, so that the layout's one-placement-per-node
//! invariant holds. Which groups are collapsed is the board's (not saved); groups in an
//! opened file start collapsed.

use std::collections::{HashMap, HashSet};

use pit::dag::NodeId;

use super::document::Document;
use super::layout::{Layout, LayoutGraph, LayoutOptions, NodePos, layout};
use super::state::BoardState;

/// An edit to the board's groups.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupEdit {
    /// Put these nodes in a new group of this name, collapsed.
    Form(Vec<NodeId>, String),
    /// Take every node out of the group.
    Dissolve(String),
    /// Collapse (`true`) or expand the group.
    Fold(String, bool),
}

/// Applies a group edit to the document (validation is the caller's: groups never change
/// whether a workflow is valid).
pub fn apply(doc: &mut Document, edit: GroupEdit) {
    match edit {
        GroupEdit::Form(members, name) => {
            let members: HashSet<&NodeId> = members.iter().collect();
            for node in &mut doc.file.nodes {
                if members.contains(&node.id) {
                    node.group = Some(name.clone());
                }
            }
            fold(doc, &name, true);
        }
        GroupEdit::Dissolve(name) => {
            for node in &mut doc.file.nodes {
                if node.group.as_deref() == Some(name.as_str()) {
                    node.group = None;
                }
            }
            fold(doc, &name, false);
        }
        GroupEdit::Fold(name, collapsed) => fold(doc, &name, collapsed),
    }
}

fn fold(doc: &mut Document, name: &str, collapsed: bool) {
    doc.collapsed.retain(|g| g != name);
    if collapsed {
        doc.collapsed.push(name.to_owned());
    }
}

/// The names of the file's groups, in order of first appearance.
pub fn names(doc: &Document) -> Vec<String> {
    let mut seen = HashSet::new();
    doc.file
        .nodes
        .iter()
        .filter_map(|n| n.group.as_deref())
        .filter(|g| seen.insert(*g))
        .map(str::to_owned)
        .collect()
}

/// A group name no node uses yet: `group-N` with the smallest free N.
pub fn fresh_name(doc: &Document) -> String {
    let used: HashSet<&str> = doc
        .file
        .nodes
        .iter()
        .filter_map(|n| n.group.as_deref())
        .collect();
    (1u32..)
        .map(|n| format!("group-{n}"))
        .find(|name| !used.contains(name.as_str()))
        .unwrap_or_else(|| "group".to_owned())
}

/// The members of a group, in file order.
pub fn members(doc: &Document, name: &str) -> Vec<NodeId> {
    doc.file
        .nodes
        .iter()
        .filter(|n| n.group.as_deref() == Some(name))
        .map(|n| n.id.clone())
        .collect()
}

/// The collapsed group the node is drawn in, if it is in one.
pub fn collapsed_group_of<'a>(doc: &'a Document, id: &NodeId) -> Option<&'a str> {
    if doc.collapsed.is_empty() {
        return None;
    }
    let group = doc.node(id)?.group.as_deref()?;
    doc.collapsed.iter().any(|g| g == group).then_some(group)
}

/// Per node (file order), the index of the node drawn for it: itself, or the first member
/// of its collapsed group.
pub fn stand_ins(doc: &Document) -> Vec<u32> {
    let nodes = &doc.file.nodes;
    let mut out: Vec<u32> = (0..nodes.len() as u32).collect();
    if doc.collapsed.is_empty() {
        return out;
    }
    let collapsed: HashSet<&str> = doc.collapsed.iter().map(String::as_str).collect();
    let mut first: HashMap<&str, u32> = HashMap::new();
    for (i, node) in nodes.iter().enumerate() {
        if let Some(g) = node.group.as_deref().filter(|g| collapsed.contains(g)) {
            out[i] = *first.entry(g).or_insert(i as u32);
        }
    }
    out
}

/// Per node (file order), whether it is hidden inside a collapsed group.
pub fn hidden(doc: &Document) -> Vec<bool> {
    stand_ins(doc)
        .iter()
        .enumerate()
        .map(|(i, &s)| s as usize != i)
        .collect()
}

/// The node drawn for `id`: itself, or its collapsed group's first member.
pub fn shown_for(doc: &Document, id: NodeId) -> NodeId {
    match collapsed_group_of(doc, &id) {
        Some(group) => members(doc, group).into_iter().next().unwrap_or(id),
        None => id,
    }
}

/// The node an edge to or from `id` attaches to: `id` itself, or, for a collapsed group, the
/// first member (file order) that no other member feeds (`entry`) or that feeds no other
/// member (exit), so that a group is connected like the sub-workflow it stands for.
pub fn edge_end(doc: &Document, id: &NodeId, entry: bool) -> NodeId {
    let Some(group) = collapsed_group_of(doc, id) else {
        return id.clone();
    };
    let members = members(doc, group);
    let inside: HashSet<&NodeId> = members.iter().collect();
    let linked = |m: &NodeId| {
        doc.file.edges.iter().any(|e| {
            let (near, far) = if entry {
                (&e.to, &e.from)
            } else {
                (&e.from, &e.to)
            };
            near == m && inside.contains(far)
        })
    };
    members
        .iter()
        .find(|m| !linked(m))
        .or_else(|| members.first())
        .cloned()
        .unwrap_or_else(|| id.clone())
}

/// The nodes an edit of the selection applies to: the marked nodes when there are any,
/// else the selected node's collapsed group, else the selected node.
pub fn targets(board: &BoardState) -> Vec<NodeId> {
    if !board.marks.is_empty() {
        // Marks on collapsed groups stand for the whole group.
        let mut out: Vec<NodeId> = Vec::new();
        for id in &board.marks {
            for member in expand(&board.doc, id) {
                if !out.contains(&member) {
                    out.push(member);
                }
            }
        }
        return out;
    }
    match &board.selected {
        Some(id) => expand(&board.doc, id),
        None => Vec::new(),
    }
}

fn expand(doc: &Document, id: &NodeId) -> Vec<NodeId> {
    match collapsed_group_of(doc, id) {
        Some(group) => members(doc, group),
        None => vec![id.clone()],
    }
}

/// The document's layout, collapsed groups contracted to one box each.
pub fn lay_out(doc: &Document, options: &LayoutOptions) -> Layout {
    let graph = doc.layout_graph();
    let stand_in = stand_ins(doc);
    if stand_in.iter().enumerate().all(|(i, &s)| s as usize == i) {
        return layout(&graph, options);
    }
    let mut compact = vec![0u32; stand_in.len()];
    let mut count = 0u32;
    for (i, &s) in stand_in.iter().enumerate() {
        if s as usize == i {
            compact[i] = count;
            count += 1;
        }
    }
    let to = |p: NodePos| compact[stand_in[p.index()] as usize];
    let contracted = LayoutGraph {
        nodes: count as usize,
        edges: graph
            .edges
            .iter()
            .filter(|&&(a, b, _)| to(a) != to(b))
            .map(|&(a, b, e)| (NodePos(to(a)), NodePos(to(b)), e))
            .collect(),
        nudges: graph
            .nudges
            .iter()
            .filter(|(p, _)| stand_in[p.index()] as usize == p.index())
            .map(|&(p, by)| (NodePos(to(p)), by))
            .collect(),
    };
    let drawn = layout(&contracted, options);
    let nodes = (0..stand_in.len())
        .map(|i| drawn.nodes[to(NodePos(i as u32)) as usize])
        .collect();
    Layout { nodes, ..drawn }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::board::document::Edit;
    use crate::app::board::palette::builtins;

    fn chain(n: usize) -> Document {
        let mut doc = Document::default();
        let shell = builtins()
            .into_iter()
            .find(|t| t.name == "noop")
            .expect("noop");
        for _ in 0..n {
            let id = doc.fresh_id("noop");
            doc.apply(Edit::Add(shell.clone(), id));
        }
        for i in 1..n {
            let (a, b) = (
                doc.file.nodes[i - 1].id.clone(),
                doc.file.nodes[i].id.clone(),
            );
            let edge = doc.edge_between(&a, &b).expect("an edge");
            doc.apply(Edit::Connect(edge));
        }
        doc
    }

    #[test]
    fn a_collapsed_group_is_one_box_and_its_inner_edges_are_not_drawn() {
        let mut doc = chain(4);
        let o = LayoutOptions::default();
        assert_eq!(lay_out(&doc, &o).bands.len(), 4);
        let middle = vec![doc.file.nodes[1].id.clone(), doc.file.nodes[2].id.clone()];
        apply(&mut doc, GroupEdit::Form(middle, "mid".into()));
        let l = lay_out(&doc, &o);
        assert_eq!(l.bands.len(), 3);
        assert_eq!(l.nodes.len(), 4);
        assert_eq!(l.nodes[1], l.nodes[2]);
        assert_eq!(l.routes.len(), 2);
        assert_eq!(hidden(&doc), [false, false, true, false]);
        let shown = doc.file.nodes[1].id.clone();
        assert_eq!(edge_end(&doc, &shown, true), doc.file.nodes[1].id);
        assert_eq!(edge_end(&doc, &shown, false), doc.file.nodes[2].id);
        apply(&mut doc, GroupEdit::Fold("mid".into(), false));
        assert_eq!(lay_out(&doc, &o).bands.len(), 4);
        apply(&mut doc, GroupEdit::Dissolve("mid".into()));
        assert!(names(&doc).is_empty());
        assert_eq!(fresh_name(&doc), "group-1");
    }
}
