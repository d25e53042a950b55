//! Resolving the file's edges: node ids to indices, port names to ports, kinds and conditions
//! checked. (Repeats and port types are checked afterwards, in `edge_checks.rs`.)

use std::collections::HashMap;
use std::ops::Range;

use super::condition::Condition;
use super::file::{EdgeSpec, WorkflowFile};
use super::ids::{EdgeIx, NodeIx, PortName, check_id};
use super::kinds::EdgeKind;
use super::problems::{EdgeProblem, End, PortList};
use super::validation_error::{EdgeRef, ValidationError};
use super::workflow::{Edge, IdHasher, NO_PORT, Workflow};

/// Above this many ports in one direction, a node's ports are found through a map.
const SCAN_PORTS: usize = 8;

/// Adds every valid edge to `wf.edges` and reports the others. Returns which nodes some edge
/// names (even an invalid one): those are not orphans.
pub(super) fn resolve(
    file: &WorkflowFile,
    wf: &mut Workflow,
    errors: &mut Vec<ValidationError>,
) -> Vec<bool> {
    let mut touched = vec![false; wf.ids.len()];
    let ports = PortFinder::new(wf);
    let mut edge_ids: HashMap<&str, usize, IdHasher> = HashMap::default();
    let mut edges = Vec::with_capacity(file.edges.len());
    let mut origin = Vec::with_capacity(file.edges.len());
    let mut conditions = Vec::new();
    for (i, spec) in file.edges.iter().enumerate() {
        if let Some(id) = &spec.id {
            check_edge_id(i, id.as_str(), &mut edge_ids, errors);
        }
        let edge_ref = || EdgeRef {
            index: i,
            id: spec.id.clone(),
            from: spec.from.clone(),
            to: spec.to.clone(),
        };
        let mut invalid = |problem| {
            errors.push(ValidationError::InvalidEdge {
                edge: edge_ref(),
                problem,
            });
        };
        let from = wf.index.get(&wf.ids, spec.from.as_str());
        let to = wf.index.get(&wf.ids, spec.to.as_str());
        for (end, node) in [(End::From, from), (End::To, to)] {
            match node {
                Some(node) => touched[node.index()] = true,
                None => invalid(EdgeProblem::UnknownNode { end }),
            }
        }
        let (Some(from), Some(to)) = (from, to) else {
            continue;
        };
        let mut problems = Vec::new();
        if from == to {
            problems.push(EdgeProblem::SelfLoop);
        }
        check_condition(spec, &mut problems);
        let (from_port, to_port) = match spec.kind {
            EdgeKind::Data => (
                ports.find(from, End::From, spec.from_port.as_ref()),
                ports.find(to, End::To, spec.to_port.as_ref()),
            ),
            kind => {
                for (end, port) in [(End::From, &spec.from_port), (End::To, &spec.to_port)] {
                    if port.is_some() {
                        problems.push(EdgeProblem::PortOnControlEdge { end, kind });
                    }
                }
                (Ok(NO_PORT), Ok(NO_PORT))
            }
        };
        let (from_port, to_port) = match (from_port, to_port) {
            (Ok(f), Ok(t)) if problems.is_empty() => (f, t),
            (f, t) => {
                problems.extend(f.err());
                problems.extend(t.err());
                problems.into_iter().for_each(&mut invalid);
                continue;
            }
        };
        if let (EdgeKind::Conditional, Some(condition)) = (spec.kind, &spec.condition) {
            conditions.push((EdgeIx(edges.len() as u32), condition.as_str().into()));
        }
        edges.push(Edge {
            from,
            to,
            from_port,
            to_port,
            kind: spec.kind,
            dependency: spec.dependency,
        });
        origin.push(i as u32);
    }
    wf.edges = edges;
    wf.edge_origin = origin;
    wf.conditions = conditions;
    touched
}

fn check_edge_id<'f>(
    i: usize,
    id: &'f str,
    seen: &mut HashMap<&'f str, usize, IdHasher>,
    errors: &mut Vec<ValidationError>,
) {
    if let Some(problem) = check_id(id) {
        errors.push(ValidationError::InvalidId {
            what: "edge id",
            location: format!("edges[{i}].id"),
            shown: super::ids::EdgeId::new(id).short().to_string(),
            problem,
        });
    }
    if let Some(&first) = seen.get(id) {
        errors.push(ValidationError::DuplicateEdgeId {
            id: id.into(),
            first,
            again: i,
        });
    } else {
        seen.insert(id, i);
    }
}

fn check_condition(spec: &EdgeSpec, problems: &mut Vec<EdgeProblem>) {
    let has_condition = spec
        .condition
        .as_deref()
        .is_some_and(|c| !c.trim().is_empty());
    match spec.kind {
        EdgeKind::Conditional if !has_condition => problems.push(EdgeProblem::MissingCondition),
        EdgeKind::Conditional => {
            if let Some(Err(message)) = spec.condition.as_deref().map(Condition::parse) {
                problems.push(EdgeProblem::BadCondition { message });
            }
        }
        EdgeKind::Data | EdgeKind::Control if spec.condition.is_some() => {
            problems.push(EdgeProblem::UnexpectedCondition { kind: spec.kind });
        }
        _ => {}
    }
}

/// Finds ports by name: a scan for nodes with few ports, a map for the others (so a hostile
/// node with a million ports does not make resolution quadratic).
struct PortFinder<'w> {
    wf: &'w Workflow,
    big: HashMap<(u32, bool, &'w str), u32, IdHasher>,
}

impl<'w> PortFinder<'w> {
    fn new(wf: &'w Workflow) -> Self {
        let mut big = HashMap::default();
        for node in 0..wf.ids.len() as u32 {
            for is_output in [false, true] {
                let range = ranges(wf, NodeIx(node), is_output);
                if range.len() > SCAN_PORTS {
                    for p in range.rev() {
                        big.insert((node, is_output, wf.ports[p].name.as_str()), p as u32);
                    }
                }
            }
        }
        PortFinder { wf, big }
    }

    fn position(&self, node: NodeIx, is_output: bool, name: &str) -> Option<u32> {
        let range = ranges(self.wf, node, is_output);
        if range.len() > SCAN_PORTS {
            return self.big.get(&(node.0, is_output, name)).copied();
        }
        range
            .clone()
            .find(|&p| self.wf.ports[p].name.as_str() == name)
            .map(|p| p as u32)
    }

    /// The port an edge end attaches to: the named one, or the only one when none is named.
    fn find(&self, node: NodeIx, end: End, name: Option<&PortName>) -> Result<u32, EdgeProblem> {
        let is_output = end == End::From;
        let own = ranges(self.wf, node, is_output);
        let list = || PortList::of(self.wf.ports[own.clone()].iter().map(|p| &p.name));
        match name {
            None => match own.len() {
                0 => Err(EdgeProblem::NoPorts { end }),
                1 => Ok(own.start as u32),
                _ => Err(EdgeProblem::AmbiguousPort { end, ports: list() }),
            },
            Some(name) => match self.position(node, is_output, name.as_str()) {
                Some(p) => Ok(p),
                None if self.position(node, !is_output, name.as_str()).is_some() => {
                    Err(EdgeProblem::WrongDirection {
                        end,
                        port: name.clone(),
                    })
                }
                None => Err(EdgeProblem::UnknownPort {
                    end,
                    port: name.clone(),
                    ports: list(),
                }),
            },
        }
    }
}

/// The port-table range of a node's inputs or outputs.
fn ranges(wf: &Workflow, node: NodeIx, is_output: bool) -> Range<usize> {
    let n = node.index();
    if is_output {
        wf.first_output[n] as usize..wf.port_start[n + 1] as usize
    } else {
        wf.port_start[n] as usize..wf.first_output[n] as usize
    }
}
