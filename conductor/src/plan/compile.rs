//! A plan becomes a workflow file for the DAG Tracker; a failed run's completed steps become
//! a compensation plan.

use std::time::Duration;

use pit::dag::{
    Dependency, EdgeKind, EdgeSpec, HumanDuration, NodeKind, NodeSpec, OnFailure, RunnerName,
    Workflow, WorkflowFile,
};
use serde_json::{Map, Value};

use super::catalog::{Capability, Catalog, Importance};
use super::ids::StepId;
use super::model::{Plan, PlanError, Step};
use super::recovery::{Exhausted, RecoveryPolicy};

/// The parameter that carries the method to invoke on the extension.
pub const METHOD_PARAM: &str = "method";
/// The parameter that carries the per-retry scaling of other parameters.
pub const REDUCE_PARAM: &str = "reduce_on_retry";
/// The suffix of a fallback node's id.
const FALLBACK_SUFFIX: &str = "-fallback";
/// The step a compiled node runs, and whether the node is that step's fallback; `None` for
/// the nodes a plan adds of its own ([`START_NODE`], [`INPUT_NODE`]).
pub fn step_of_node(node: &str) -> Option<(StepId, bool)> {
    let (step, fallback) = match node.strip_suffix(FALLBACK_SUFFIX) {
        Some(step) => (step, true),
        None => (node, false),
    };
    StepId::new(step).ok().map(|id| (id, fallback))
}

/// The node every step that waits for nothing starts from, when some step would otherwise
/// stand alone (the DAG Tracker refuses unconnected nodes). A step id cannot hold a `.`.
pub const START_NODE: &str = "plan.start";
/// The input node of a plan that reads something ([`Plan::input`]); a step id cannot hold a
/// `.`, so it never clashes with one.
pub const INPUT_NODE: &str = "plan.input";

/// The workflow that runs `plan`: one node per step (its runner the preferred provider, its
/// params the step's plus the method), a fallback node per step whose tactics allow one and
/// whose capability has a second provider, control edges for `after` (soft after an Optional
/// step, so that its skip does not skip what follows), and each node's retries, backoff and
/// failure handling from `policy`. Checked by the DAG Tracker's own validation.
pub fn compile(
    plan: &Plan,
    catalog: &Catalog,
    policy: &RecoveryPolicy,
) -> Result<WorkflowFile, PlanError> {
    plan.check(catalog)?;
    let mut file = WorkflowFile {
        name: Some(name_of(&plan.intent)),
        description: Some(plan.intent.clone()),
        ..WorkflowFile::default()
    };
    for step in &plan.steps {
        let tactics = policy.for_importance(step.importance);
        let mut providers = catalog.providers(&step.capability);
        let Some(preferred) = providers.next() else {
            continue; // `check` refused this already
        };
        let mut node = call_node(step.id.as_str(), preferred, &step.params);
        node.retries = tactics.retries;
        node.backoff = (tactics.backoff_ms > 0)
            .then(|| HumanDuration(Duration::from_millis(tactics.backoff_ms)));
        if !tactics.reduce.is_empty() {
            node.params.insert(
                REDUCE_PARAM.to_owned(),
                Value::Object(tactics.reduce.clone()),
            );
        }
        let second = providers.find(|c| c.provider != preferred.provider);
        match (tactics.fallback, second) {
            (true, Some(other)) => {
                let id = format!("{}{FALLBACK_SUFFIX}", step.id);
                let mut fallback = call_node(&id, other, &step.params);
                fallback.retries = tactics.retries.min(1);
                fallback.on_failure = Some(on_exhausted(tactics.exhausted));
                node.fallback = Some(id.into());
                node.on_failure = Some(OnFailure::Fallback);
                file.nodes.push(node);
                file.nodes.push(fallback);
            }
            _ => {
                node.on_failure = Some(on_exhausted(tactics.exhausted));
                file.nodes.push(node);
            }
        }
        for before in &step.after {
            let mut edge = EdgeSpec::new(before.as_str(), step.id.as_str(), EdgeKind::Control);
            let skippable = plan
                .steps
                .iter()
                .find(|s| &s.id == before)
                .is_some_and(|s| policy.for_importance(s.importance).exhausted == Exhausted::Skip);
            if skippable {
                edge.dependency = Dependency::Soft;
            }
            file.edges.push(edge);
        }
    }
    if let Some(what) = &plan.input {
        let mut input = NodeSpec::new(INPUT_NODE, NodeKind::Input);
        input.name = Some(what.clone());
        file.nodes.insert(0, input);
        for step in plan.steps.iter().filter(|s| s.after.is_empty()) {
            // The input reaches its successors along any edge; extension nodes declare no
            // ports, so the edge is a control edge.
            file.edges.push(EdgeSpec::new(
                INPUT_NODE,
                step.id.as_str(),
                EdgeKind::Control,
            ));
        }
    } else if plan.steps.len() > 1 && plan.steps.iter().any(|s| stands_alone(plan, s)) {
        let mut start = NodeSpec::new(START_NODE, NodeKind::Operator);
        start.runner = Some(RunnerName::new("noop"));
        file.nodes.insert(0, start);
        for step in plan.steps.iter().filter(|s| s.after.is_empty()) {
            file.edges.push(EdgeSpec::new(
                START_NODE,
                step.id.as_str(),
                EdgeKind::Control,
            ));
        }
    }
    Workflow::build(&file).map_err(|report| PlanError::Workflow(report.to_string()))?;
    Ok(file)
}

/// Whether `step` waits for nothing and nothing waits for it.
fn stands_alone(plan: &Plan, step: &Step) -> bool {
    step.after.is_empty() && !plan.steps.iter().any(|s| s.after.contains(&step.id))
}

fn on_exhausted(exhausted: Exhausted) -> OnFailure {
    match exhausted {
        Exhausted::Halt => OnFailure::Fail,
        Exhausted::Skip => OnFailure::Skip,
    }
}

fn call_node(id: &str, capability: &Capability, params: &Map<String, Value>) -> NodeSpec {
    let kind = if capability.instrument {
        NodeKind::Instrument
    } else {
        NodeKind::Operator
    };
    let mut node = NodeSpec::new(id, kind);
    node.name = Some(capability.id.to_string());
    node.runner = Some(RunnerName::new(capability.provider.as_str()));
    node.params.clone_from(params);
    node.params.insert(
        METHOD_PARAM.to_owned(),
        Value::String(capability.method.clone()),
    );
    node
}

/// A workflow name from an intent: its first words, lower-case, joined by `-`.
fn name_of(intent: &str) -> String {
    let words: Vec<String> = intent
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(6)
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() {
        "plan".to_owned()
    } else {
        words.join("-")
    }
}

/// The plan that undoes what a failed run of `plan` did: the undo step of every completed
/// step that has one, in the reverse of the order they ran (each waiting for the one undone
/// after it). `None` when there is nothing to undo.
pub fn compensation(plan: &Plan, completed: &[StepId]) -> Option<Plan> {
    let order = plan.order()?;
    let mut steps: Vec<Step> = Vec::new();
    for id in order.into_iter().rev().filter(|id| completed.contains(id)) {
        let Some(step) = plan.steps.iter().find(|s| &s.id == id) else {
            continue;
        };
        let Some(undo) = &step.undo else { continue };
        let undo_id = StepId::new(&format!("undo-{}", step.id)).ok()?;
        steps.push(Step {
            id: undo_id,
            capability: undo.capability.clone(),
            params: undo.params.clone(),
            after: steps
                .last()
                .map(|s: &Step| vec![s.id.clone()])
                .unwrap_or_default(),
            importance: Importance::Essential,
            undo: None,
        });
    }
    (!steps.is_empty()).then(|| Plan {
        intent: format!("undo: {}", plan.intent),
        steps,
        input: None,
    })
}

/// The parameters of attempt `attempt` (1 for the first) of a compiled node: the node's
/// parameters with each one named in `reduce_on_retry` multiplied by its factor once per
/// retry (integers stay integers, at least 1), and `reduce_on_retry` itself removed. The
/// extension runner calls this, so that "retry with reduced parameters" needs nothing of
/// the extension.
pub fn params_for_attempt(params: &Map<String, Value>, attempt: u32) -> Map<String, Value> {
    let mut out = params.clone();
    let Some(Value::Object(reduce)) = out.remove(REDUCE_PARAM) else {
        return out;
    };
    let retries = attempt.saturating_sub(1);
    for (name, factor) in &reduce {
        let (Some(factor), Some(value)) = (factor.as_f64(), out.get_mut(name)) else {
            continue;
        };
        let scale = factor.powi(i32::try_from(retries).unwrap_or(i32::MAX));
        if let Some(n) = value.as_i64() {
            let reduced = ((n as f64) * scale).round().max(1.0) as i64;
            *value = Value::from(reduced);
        } else if let Some(x) = value.as_f64() {
            *value = Value::from(x * scale);
        }
    }
    out
}
