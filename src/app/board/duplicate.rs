//! Duplicating nodes: each copy gets a fresh id (`shell-1` → `shell-2`), the same kind,
//! runner, parameters and ports, and the same predecessors, so that it lands beside its
//! original in the same layer as a parallel branch; it feeds nothing yet (copying the
//! outgoing edges would feed the same inputs twice). Edges between the duplicated nodes are
//! copied between the copies, and a whole group duplicated becomes a new group.

use std::collections::{HashMap, HashSet};

use pit::dag::{EdgeSpec, NodeId};

use super::document::{Document, Edit};
use super::group;

/// The edit that duplicates `originals`, and each original's copy, in file order.
pub fn duplicate(doc: &Document, originals: &[NodeId]) -> (Edit, Vec<(NodeId, NodeId)>) {
    let chosen: HashSet<&NodeId> = originals.iter().collect();
    let mut used: HashSet<String> = doc.file.nodes.iter().map(|n| n.id.to_string()).collect();
    let mut renamed: HashMap<NodeId, NodeId> = HashMap::new();
    let mut pairs = Vec::new();
    for node in doc.file.nodes.iter().filter(|n| chosen.contains(&n.id)) {
        let stem = stem(node.id.as_str());
        let fresh = (1u32..)
            .map(|n| format!("{stem}-{n}"))
            .find(|id| !used.contains(id))
            .unwrap_or_else(|| format!("{stem}-copy"));
        used.insert(fresh.clone());
        renamed.insert(node.id.clone(), NodeId::from(fresh.as_str()));
        pairs.push((node.id.clone(), NodeId::from(fresh.as_str())));
    }
    // A group copied whole becomes a new group; a part of a group stays in it.
    let mut groups_used: HashSet<String> = group::names(doc).into_iter().collect();
    let mut group_names: HashMap<String, String> = HashMap::new();
    for name in group::names(doc) {
        let members = group::members(doc, &name);
        if members.iter().all(|m| chosen.contains(m)) {
            let fresh = (1u32..)
                .map(|n| format!("group-{n}"))
                .find(|g| !groups_used.contains(g))
                .unwrap_or_else(|| format!("{name}-copy"));
            groups_used.insert(fresh.clone());
            group_names.insert(name, fresh);
        }
    }
    let nodes = doc
        .file
        .nodes
        .iter()
        .filter(|n| chosen.contains(&n.id))
        .map(|n| {
            let mut copy = n.clone();
            copy.id = renamed[&n.id].clone();
            copy.group = n
                .group
                .as_ref()
                .map(|g| group_names.get(g).cloned().unwrap_or_else(|| g.clone()));
            if let Some(fallback) = &n.fallback
                && let Some(new) = renamed.get(fallback)
            {
                copy.fallback = Some(new.clone());
            }
            copy
        })
        .collect();
    let edges: Vec<EdgeSpec> = doc
        .file
        .edges
        .iter()
        .filter(|e| chosen.contains(&e.to))
        .map(|e| {
            let mut copy = e.clone();
            copy.id = None;
            copy.to = renamed[&e.to].clone();
            if let Some(from) = renamed.get(&e.from) {
                copy.from = from.clone();
            }
            copy
        })
        .collect();
    let collapsed = group_names
        .iter()
        .filter(|(old, _)| doc.collapsed.contains(old))
        .map(|(_, new)| new.clone())
        .collect();
    (
        Edit::Insert {
            nodes,
            edges,
            collapsed,
        },
        pairs,
    )
}

/// An id without its `-N` counter: `shell-12` → `shell`.
fn stem(id: &str) -> &str {
    match id.rsplit_once('-') {
        Some((stem, n)) if !stem.is_empty() && n.chars().all(|c| c.is_ascii_digit()) => stem,
        _ => id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::board::group::GroupEdit;
    use crate::app::board::palette::builtins;

    #[test]
    fn a_copy_keeps_its_predecessors_and_a_group_copy_is_a_new_group() {
        let mut doc = Document::default();
        let noop = builtins()
            .into_iter()
            .find(|t| t.name == "noop")
            .expect("noop");
        for _ in 0..3 {
            let id = doc.fresh_id("noop");
            doc.apply(Edit::Add(noop.clone(), id));
        }
        let ids: Vec<NodeId> = doc.file.nodes.iter().map(|n| n.id.clone()).collect();
        for (a, b) in [(0, 1), (1, 2)] {
            let edge = doc.edge_between(&ids[a], &ids[b]).expect("an edge");
            doc.apply(Edit::Connect(edge));
        }
        let (edit, pairs) = duplicate(&doc, &ids[1..2]);
        assert_eq!(pairs, [(ids[1].clone(), NodeId::from("noop-4"))]);
        let mut one = doc.clone();
        one.apply(edit);
        let into_copy: Vec<&str> = one
            .file
            .edges
            .iter()
            .filter(|e| e.to.as_str() == "noop-4" || e.from.as_str() == "noop-4")
            .map(|e| e.from.as_str())
            .collect();
        assert_eq!(into_copy, ["noop-1"]);

        doc.apply(Edit::Group(GroupEdit::Form(ids[1..].to_vec(), "g".into())));
        let (edit, _) = duplicate(&doc, &ids[1..]);
        doc.apply(edit);
        assert_eq!(group::names(&doc), ["g", "group-1"]);
        assert_eq!(group::members(&doc, "group-1").len(), 2);
        assert!(doc.collapsed.contains(&"group-1".to_owned()));
        // Inside the copy: noop-4 → noop-5; into it: noop-1 → noop-4.
        assert_eq!(doc.file.edges.len(), 4);
        assert_eq!(stem("shell-12"), "shell");
        assert_eq!(stem("fetch-a"), "fetch-a");
    }
}
