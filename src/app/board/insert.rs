//! Putting one workflow (an instantiated template) into the board's: node ids that are taken
//! get a fresh suffix, and the edges and fallbacks follow the renaming.

use std::collections::{HashMap, HashSet};

use pit::dag::{NodeId, WorkflowFile};

/// `incoming` with every node id that clashes with one in `board` renamed (`id-2`, `id-3`…),
/// and edge ids that clash dropped; what refers to a renamed node follows it.
pub fn renamed(board: &WorkflowFile, mut incoming: WorkflowFile) -> WorkflowFile {
    let mut used: HashSet<String> = board.nodes.iter().map(|n| n.id.to_string()).collect();
    used.extend(incoming.nodes.iter().map(|n| n.id.to_string()));
    let taken: HashSet<&str> = board.nodes.iter().map(|n| n.id.as_str()).collect();
    let mut renames: HashMap<NodeId, NodeId> = HashMap::new();
    for node in &incoming.nodes {
        if taken.contains(node.id.as_str()) {
            let fresh = (2u32..)
                .map(|n| format!("{}-{n}", node.id))
                .find(|id| !used.contains(id))
                .unwrap_or_else(|| format!("{}-new", node.id));
            used.insert(fresh.clone());
            renames.insert(node.id.clone(), NodeId::from(fresh));
        }
    }
    let rename = |id: &mut NodeId| {
        if let Some(new) = renames.get(id) {
            *id = new.clone();
        }
    };
    for node in &mut incoming.nodes {
        rename(&mut node.id);
        if let Some(fallback) = node.fallback.as_mut() {
            rename(fallback);
        }
    }
    let edge_ids: HashSet<String> = board
        .edges
        .iter()
        .filter_map(|e| e.id.as_ref().map(|i| i.to_string()))
        .collect();
    for edge in &mut incoming.edges {
        rename(&mut edge.from);
        rename(&mut edge.to);
        if edge
            .id
            .as_ref()
            .is_some_and(|i| edge_ids.contains(&i.to_string()))
        {
            edge.id = None;
        }
    }
    incoming
}

#[cfg(test)]
mod tests {
    use pit::dag::{EdgeKind, EdgeSpec, NodeKind, NodeSpec};

    use super::*;

    fn file(ids: &[&str], edges: &[(&str, &str)]) -> WorkflowFile {
        WorkflowFile {
            nodes: ids
                .iter()
                .map(|id| NodeSpec::new(*id, NodeKind::Operator))
                .collect(),
            edges: edges
                .iter()
                .map(|(a, b)| EdgeSpec::new(*a, *b, EdgeKind::Control))
                .collect(),
            ..WorkflowFile::default()
        }
    }

    #[test]
    fn clashing_ids_are_renamed_and_edges_follow() {
        let board = file(&["input", "split", "split-2"], &[]);
        let mut incoming = file(&["input", "split", "upper"], &[("input", "split")]);
        incoming.nodes[1].fallback = Some("upper".into());
        let out = renamed(&board, incoming);
        let ids: Vec<&str> = out.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["input-2", "split-3", "upper"]);
        assert_eq!(out.edges[0].from.as_str(), "input-2");
        assert_eq!(out.edges[0].to.as_str(), "split-3");
        assert_eq!(out.nodes[1].fallback, Some("upper".into()));
    }
}
