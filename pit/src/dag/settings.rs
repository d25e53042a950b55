//! Node settings: copied into their compact form, fallbacks resolved and checked.

use super::file::WorkflowFile;
use super::ids::NodeIx;
use super::kinds::{EdgeKind, OnFailure};
use super::problems::SettingProblem;
use super::validation_error::ValidationError;
use super::workflow::{NodeSettings, Workflow};

/// Fills `wf.settings` and reports settings that cannot work. Returns which nodes serve as
/// some node's fallback.
pub(super) fn resolve(
    file: &WorkflowFile,
    spec_of: &[u32],
    touched: &[bool],
    wf: &mut Workflow,
    errors: &mut Vec<ValidationError>,
) -> Vec<bool> {
    let n = wf.ids.len();
    let mut is_fallback = vec![false; n];
    let mut problems: Vec<(NodeIx, SettingProblem)> = Vec::new();
    for (ix, &i) in spec_of.iter().enumerate() {
        let node = NodeIx(ix as u32);
        let spec = &file.nodes[i as usize];
        let fallback = match &spec.fallback {
            None => None,
            Some(id) => match wf.index.get(&wf.ids, id.as_str()) {
                None => {
                    let fallback = id.clone();
                    problems.push((node, SettingProblem::UnknownFallback { fallback }));
                    None
                }
                Some(f) if f == node => {
                    problems.push((node, SettingProblem::FallbackIsSelf));
                    None
                }
                Some(f) => {
                    is_fallback[f.index()] = true;
                    Some(f)
                }
            },
        };
        let on_failure = match (spec.on_failure, spec.fallback.is_some()) {
            (None, true) => OnFailure::Fallback,
            (None, false) => OnFailure::Fail,
            (Some(OnFailure::Fallback), false) => {
                problems.push((node, SettingProblem::NoFallbackNode));
                OnFailure::Fallback
            }
            (Some(policy), true) if policy != OnFailure::Fallback => {
                problems.push((node, SettingProblem::FallbackUnused { policy }));
                policy
            }
            (Some(policy), _) => policy,
        };
        let settings = NodeSettings {
            label: spec.name.clone(),
            runner: spec.runner.clone(),
            params: spec.params.clone(),
            timeout: spec.timeout.map(|t| t.0),
            retries: spec.retries,
            backoff: spec.backoff.map(|b| b.0),
            fallback,
            on_failure,
        };
        wf.settings
            .push((!settings.is_default()).then(|| Box::new(settings)));
    }
    for node in wf.nodes() {
        if let Some(fallback) = wf.settings(node).fallback {
            check_fallback(wf, node, fallback, touched, &mut problems);
        }
    }
    find_fallback_loops(wf, &mut problems);
    problems.sort_by_key(|(node, _)| *node);
    errors.extend(
        problems
            .into_iter()
            .map(|(node, problem)| ValidationError::InvalidSetting {
                node: wf.ids[node.index()].clone(),
                problem,
            }),
    );
    is_fallback
}

/// A fallback stands in for `node`: it must have no edges, produce what `node`'s dependents
/// read, and need no input that `node` does not get.
fn check_fallback(
    wf: &Workflow,
    node: NodeIx,
    fallback: NodeIx,
    touched: &[bool],
    problems: &mut Vec<(NodeIx, SettingProblem)>,
) {
    let fallback_id = || wf.ids[fallback.index()].clone();
    if touched[fallback.index()] {
        problems.push((
            node,
            SettingProblem::FallbackHasEdges {
                fallback: fallback_id(),
            },
        ));
    }
    let mut reported = Vec::new();
    for &e in wf.out_edges(node) {
        let edge = wf.edge(e);
        let (Some(out), Some(into)) = (edge.from_port(), edge.to_port()) else {
            continue;
        };
        if edge.kind() != EdgeKind::Data || reported.contains(&out) {
            continue;
        }
        let port = wf.port(out);
        let wanted = &wf.port(into).ty;
        let provided = wf
            .outputs(fallback)
            .any(|(_, p)| p.name == port.name && wanted.accepts(&p.ty));
        if !provided {
            reported.push(out);
            problems.push((
                node,
                SettingProblem::FallbackMissingOutput {
                    fallback: fallback_id(),
                    port: port.name.clone(),
                    ty: port.ty.clone(),
                },
            ));
        }
    }
    for (_, needed) in wf.inputs(fallback).filter(|(_, p)| p.required) {
        let given = wf
            .inputs(node)
            .any(|(_, p)| p.name == needed.name && needed.ty.accepts(&p.ty));
        if !given {
            problems.push((
                node,
                SettingProblem::FallbackExtraInput {
                    fallback: fallback_id(),
                    port: needed.name.clone(),
                },
            ));
        }
    }
}

/// Reports each loop of fallbacks once (each node has at most one fallback, so the fallback
/// relation is a functional graph and one walk per node finds every loop in linear time).
fn find_fallback_loops(wf: &Workflow, problems: &mut Vec<(NodeIx, SettingProblem)>) {
    const NEW: u8 = 0;
    const WALKING: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![NEW; wf.ids.len()];
    let mut walk = Vec::new();
    for start in wf.nodes() {
        let mut at = Some(start);
        while let Some(node) = at {
            match state[node.index()] {
                NEW => {
                    state[node.index()] = WALKING;
                    walk.push(node);
                    at = wf.settings(node).fallback;
                }
                WALKING => {
                    let first = walk.iter().position(|&n| n == node).unwrap_or(0);
                    let mut chain: Vec<_> = walk[first..]
                        .iter()
                        .map(|n| wf.ids[n.index()].clone())
                        .collect();
                    chain.push(wf.ids[node.index()].clone());
                    problems.push((node, SettingProblem::FallbackLoop { chain }));
                    at = None;
                }
                _ => at = None,
            }
        }
        for node in walk.drain(..) {
            state[node.index()] = DONE;
        }
    }
}
