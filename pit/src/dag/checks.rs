//! Checks on single nodes: orphans, missing input, disconnected input ports.

use super::kinds::{EdgeKind, InputRule};
use super::validation_error::ValidationError;
use super::workflow::Workflow;

/// Reports orphan nodes, nodes whose kind needs input they do not get, and required input
/// ports that no data edge feeds. An orphan is reported as that alone, and an output node's
/// missing input only when no port-level message already explains it.
pub(super) fn nodes(
    wf: &Workflow,
    touched: &[bool],
    is_fallback: &[bool],
    errors: &mut Vec<ValidationError>,
) {
    let n = wf.ids.len();
    // Fallbacks stand in for other nodes: a lone node with a fallback is no orphan.
    let primaries = n - is_fallback.iter().filter(|f| **f).count();
    let mut fed = vec![false; wf.ports.len()];
    let mut incoming = vec![0u32; n];
    let mut incoming_data = vec![0u32; n];
    for edge in &wf.edges {
        incoming[edge.to.index()] += 1;
        if edge.kind == EdgeKind::Data {
            incoming_data[edge.to.index()] += 1;
            if let Some(port) = edge.to_port() {
                fed[port.index()] = true;
            }
        }
    }
    for node in wf.nodes() {
        let i = node.index();
        if !touched[i] {
            if is_fallback[i] {
                // It takes another node's place and receives that node's inputs.
                continue;
            }
            if primaries > 1 {
                errors.push(ValidationError::OrphanNode {
                    node: wf.ids[i].clone(),
                });
                continue;
            }
        }
        let mut disconnected = false;
        for (p, port) in wf.inputs(node) {
            if port.required && !fed[p.index()] {
                disconnected = true;
                errors.push(ValidationError::DisconnectedInput {
                    node: wf.ids[i].clone(),
                    port: port.name.clone(),
                    ty: port.ty.clone(),
                });
            }
        }
        let kind = wf.kinds[i];
        let missing = match kind.input_rule() {
            Some(rule @ InputRule::DataEdges(least))
                if incoming_data[i] < least && !disconnected =>
            {
                Some((rule, incoming_data[i]))
            }
            Some(rule @ InputRule::Edges(least)) if incoming[i] < least => {
                Some((rule, incoming[i]))
            }
            _ => None,
        };
        if let Some((rule, found)) = missing {
            errors.push(ValidationError::MissingInput {
                node: wf.ids[i].clone(),
                kind,
                rule,
                found,
            });
        }
    }
}
