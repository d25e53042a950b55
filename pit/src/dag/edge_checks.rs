//! Checks on the resolved edges: repeated connections and port types. Both run over compact
//! arrays rather than hash maps: at 50,000 edges a hash map's cache misses cost more than all
//! the other edge checks together.

use super::file::WorkflowFile;
use super::ids::{EdgeIx, NodeIx};
use super::kinds::EdgeKind;
use super::port_type::TypeCodes;
use super::validation_error::{EdgeRef, ValidationError};
use super::workflow::{Csr, Workflow};

/// Up to this many out-edges, a node's repeats are found by pairwise comparison.
const SCAN: usize = 16;

/// The file's description of edge `e` of `wf`, for messages.
fn edge_ref(file: &WorkflowFile, wf: &Workflow, e: usize) -> EdgeRef {
    let index = wf.edge_origin[e] as usize;
    let spec = &file.edges[index];
    EdgeRef {
        index,
        id: spec.id.clone(),
        from: spec.from.clone(),
        to: spec.to.clone(),
    }
}

/// Reports each edge that repeats an earlier one (same nodes, ports and kind) and drops it
/// from `wf`; then builds both adjacency lists.
pub(super) fn dedup_and_index(
    file: &WorkflowFile,
    wf: &mut Workflow,
    errors: &mut Vec<ValidationError>,
) {
    let n = wf.ids.len();
    let out = Csr::build(n, &wf.edges, |e| (e.from, e.to));
    let key = |e: EdgeIx| {
        let edge = &wf.edges[e.index()];
        (edge.to, edge.from_port, edge.to_port, edge.kind as u8)
    };
    // Repeats share a target. Few out-edges: compare targets pairwise (a contiguous array),
    // and whole keys only where targets match. Many: sort by key (stably, so the earliest
    // stays first) and compare neighbours.
    let mut scratch: Vec<EdgeIx> = Vec::new();
    let mut repeats: Vec<(usize, usize)> = Vec::new();
    for node in 0..n as u32 {
        let range = out.range(NodeIx(node));
        let (targets, list) = (&out.nodes[range.clone()], &out.edges[range]);
        if list.len() <= SCAN {
            for j in 1..list.len() {
                let earlier =
                    (0..j).find(|&i| targets[i] == targets[j] && key(list[i]) == key(list[j]));
                if let Some(i) = earlier {
                    repeats.push((list[j].index(), list[i].index()));
                }
            }
            continue;
        }
        scratch.clear();
        scratch.extend_from_slice(list);
        scratch.sort_by_key(|&e| key(e));
        for pair in scratch.windows(2) {
            if key(pair[0]) == key(pair[1]) {
                repeats.push((pair[1].index(), pair[0].index()));
            }
        }
    }
    if repeats.is_empty() {
        wf.out = out;
    } else {
        // A run of three equal edges reports the second and third against the first.
        repeats.sort_unstable();
        repeats.dedup_by_key(|(again, _)| *again);
        let mut first_of = std::collections::HashMap::new();
        let mut drop = vec![false; wf.edges.len()];
        for &(again, first) in &repeats {
            let first = *first_of.get(&first).unwrap_or(&first);
            first_of.insert(again, first);
            drop[again] = true;
            errors.push(ValidationError::DuplicateEdge {
                edge: edge_ref(file, wf, again),
                first: wf.edge_origin[first] as usize,
            });
        }
        remove_edges(wf, &drop);
        wf.out = Csr::build(n, &wf.edges, |e| (e.from, e.to));
    }
    wf.inc = Csr::build(n, &wf.edges, |e| (e.to, e.from));
}

/// Drops the marked edges, renumbering the conditions.
fn remove_edges(wf: &mut Workflow, drop: &[bool]) {
    let mut new_index = vec![u32::MAX; drop.len()];
    let mut kept = 0u32;
    for (e, &gone) in drop.iter().enumerate() {
        if !gone {
            new_index[e] = kept;
            kept += 1;
        }
    }
    let mut e = 0;
    wf.edges.retain(|_| {
        e += 1;
        !drop[e - 1]
    });
    let mut e = 0;
    wf.edge_origin.retain(|_| {
        e += 1;
        !drop[e - 1]
    });
    wf.conditions.retain(|(e, _)| !drop[e.index()]);
    for (e, _) in &mut wf.conditions {
        *e = EdgeIx(new_index[e.index()]);
    }
}

/// Reports data edges whose output type the input does not accept.
pub(super) fn check_types(
    file: &WorkflowFile,
    wf: &Workflow,
    codes: &TypeCodes,
    errors: &mut Vec<ValidationError>,
) {
    for (e, edge) in wf.edges.iter().enumerate() {
        if edge.kind != EdgeKind::Data {
            continue;
        }
        let (from, to) = (edge.from_port as usize, edge.to_port as usize);
        if codes.accepts(to, from) {
            continue;
        }
        let (out, inp) = (&wf.ports[from], &wf.ports[to]);
        errors.push(ValidationError::TypeMismatch {
            edge: edge_ref(file, wf, e),
            from_port: out.name.clone(),
            from_type: out.ty.clone(),
            to_port: inp.name.clone(),
            to_type: inp.ty.clone(),
        });
    }
}
