//! From the file model to the compact [`Workflow`], collecting every problem on the way:
//! ids, then ports, edges, settings, nodes and cycles.

use std::collections::HashSet;

use super::checks;
use super::cycles;
use super::edge_checks;
use super::edges;
use super::file::WorkflowFile;
use super::id_index::IdIndex;
use super::ids::{NodeId, NodeIx, check_id, check_port_name};
use super::port_type::TypeCodes;
use super::problems::Direction;
use super::report::ValidationReport;
use super::settings;
use super::validation_error::ValidationError;
use super::workflow::{Csr, Port, Workflow};

/// The most nodes, ports or edges a workflow may have: indices are `u32`, and `u32::MAX`
/// marks "none".
const LIMIT: usize = u32::MAX as usize - 1;

/// Above this many ports per node, duplicate names are found with a set instead of a scan.
const SCAN_PORTS: usize = 16;

impl Workflow {
    /// Checks a workflow file and builds its compact form, or reports every problem found.
    pub fn build(file: &WorkflowFile) -> Result<Workflow, ValidationReport> {
        let (workflow, errors) = compile(file);
        match workflow {
            Some(workflow) if errors.is_empty() => Ok(workflow),
            _ => Err(ValidationReport::new(errors)),
        }
    }
}

/// Every problem in a workflow file; empty when [`Workflow::build`] would succeed.
pub fn validate(file: &WorkflowFile) -> ValidationReport {
    ValidationReport::new(compile(file).1)
}

/// The whole pipeline. The workflow comes back only when there are no errors.
fn compile(file: &WorkflowFile) -> (Option<Workflow>, Vec<ValidationError>) {
    let mut errors = Vec::new();
    if file.nodes.is_empty() {
        errors.push(ValidationError::NoNodes);
        return (None, errors);
    }
    for (what, count) in [("nodes", file.nodes.len()), ("edges", file.edges.len())] {
        if count > LIMIT {
            errors.push(ValidationError::TooLarge {
                what,
                count,
                limit: LIMIT,
            });
            return (None, errors);
        }
    }
    let mut wf = empty(file);
    let spec_of = intern_nodes(file, &mut wf, &mut errors);
    let Some(type_codes) = collect_ports(file, &spec_of, &mut wf, &mut errors) else {
        return (None, errors);
    };
    let touched = edges::resolve(file, &mut wf, &mut errors);
    edge_checks::dedup_and_index(file, &mut wf, &mut errors);
    edge_checks::check_types(file, &wf, &type_codes, &mut errors);
    let is_fallback = settings::resolve(file, &spec_of, &touched, &mut wf, &mut errors);
    checks::nodes(&wf, &touched, &is_fallback, &mut errors);
    wf.topo = cycles::check(&wf, &mut errors);
    let workflow = errors.is_empty().then_some(wf);
    (workflow, errors)
}

fn empty(file: &WorkflowFile) -> Workflow {
    let n = file.nodes.len();
    Workflow {
        name: file.name.clone(),
        description: file.description.clone(),
        timeout: file.timeout.map(|t| t.0),
        ids: Vec::with_capacity(n),
        index: IdIndex::with_capacity(n),
        kinds: Vec::with_capacity(n),
        port_start: Vec::with_capacity(n + 1),
        first_output: Vec::with_capacity(n),
        ports: Vec::new(),
        edges: Vec::with_capacity(file.edges.len()),
        edge_origin: Vec::with_capacity(file.edges.len()),
        conditions: Vec::new(),
        out: Csr::default(),
        inc: Csr::default(),
        topo: Vec::new(),
        settings: Vec::with_capacity(n),
    }
}

/// Gives each distinct id a [`NodeIx`]; a repeated id is reported and its node left out.
/// Returns, for each index, the node's position in the file.
fn intern_nodes(
    file: &WorkflowFile,
    wf: &mut Workflow,
    errors: &mut Vec<ValidationError>,
) -> Vec<u32> {
    let mut spec_of = Vec::with_capacity(file.nodes.len());
    for (i, spec) in file.nodes.iter().enumerate() {
        if let Some(problem) = check_id(spec.id.as_str()) {
            errors.push(ValidationError::InvalidId {
                what: "node id",
                location: format!("nodes[{i}].id"),
                shown: spec.id.short().to_string(),
                problem,
            });
        }
        if let Some(first) = wf.index.get(&wf.ids, spec.id.as_str()) {
            errors.push(ValidationError::DuplicateNodeId {
                node: spec.id.clone(),
                first: spec_of[first.index()] as usize,
                again: i,
            });
            continue;
        }
        let ix = NodeIx(wf.ids.len() as u32);
        wf.ids.push(spec.id.clone());
        wf.index.insert(&wf.ids, ix);
        wf.kinds.push(spec.kind);
        spec_of.push(i as u32);
    }
    spec_of
}

/// Lays every node's inputs then outputs into the port table; returns their types as codes.
/// `None` when there are too many ports.
fn collect_ports(
    file: &WorkflowFile,
    spec_of: &[u32],
    wf: &mut Workflow,
    errors: &mut Vec<ValidationError>,
) -> Option<TypeCodes> {
    let total: usize = spec_of
        .iter()
        .map(|&i| {
            let spec = &file.nodes[i as usize];
            spec.inputs.len() + spec.outputs.len()
        })
        .sum();
    if total > LIMIT {
        errors.push(ValidationError::TooLarge {
            what: "ports",
            count: total,
            limit: LIMIT,
        });
        return None;
    }
    wf.ports.reserve_exact(total);
    let mut codes = TypeCodes::default();
    for &i in spec_of {
        let spec = &file.nodes[i as usize];
        wf.port_start.push(wf.ports.len() as u32);
        for (direction, list, field) in [
            (Direction::Input, &spec.inputs, "inputs"),
            (Direction::Output, &spec.outputs, "outputs"),
        ] {
            if direction == Direction::Output {
                wf.first_output.push(wf.ports.len() as u32);
            }
            for (j, port) in list.iter().enumerate() {
                if let Some(problem) = check_port_name(port.name.as_str()) {
                    errors.push(ValidationError::InvalidId {
                        what: "port name",
                        location: format!("nodes[{i}].{field}[{j}].name"),
                        shown: port.name.short().to_string(),
                        problem,
                    });
                }
                codes.push(&port.ty);
                wf.ports.push(Port {
                    name: port.name.clone(),
                    ty: port.ty.clone(),
                    required: port.required,
                });
            }
            let start = wf.ports.len() - list.len();
            report_duplicate_ports(&spec.id, &wf.ports[start..], direction, errors);
        }
    }
    wf.port_start.push(wf.ports.len() as u32);
    Some(codes)
}

fn report_duplicate_ports(
    node: &NodeId,
    ports: &[Port],
    direction: Direction,
    errors: &mut Vec<ValidationError>,
) {
    let mut report = |port: &Port| {
        errors.push(ValidationError::DuplicatePort {
            node: node.clone(),
            port: port.name.clone(),
            direction,
        });
    };
    if ports.len() <= SCAN_PORTS {
        for (j, port) in ports.iter().enumerate() {
            if ports[..j].iter().any(|p| p.name == port.name) {
                report(port);
            }
        }
    } else {
        let mut seen = HashSet::with_capacity(ports.len());
        for port in ports {
            if !seen.insert(port.name.as_str()) {
                report(port);
            }
        }
    }
}
