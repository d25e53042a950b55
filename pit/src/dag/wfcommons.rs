//! Importing WfCommons WfFormat traces (<https://wfcommons.org>): each task becomes an
//! `operator` node that sleeps for its recorded runtime × a time scale, each parent/child
//! relation a hard control edge.
//!
//! Accepted layouts, recognised by their structure:
//! - schema 1.5: `workflow.specification.tasks[]` (`id`, `name`, `parents`, `children`), with
//!   runtimes from `workflow.execution.tasks[]` (`id`, `runtimeInSeconds`) joined on `id`;
//! - schema 1.0–1.4: `workflow.tasks[]` with the runtime inline (`runtimeInSeconds` or `runtime`);
//! - schema 0.x: `workflow.jobs[]` with `name` (and maybe `id`), `parents`, inline `runtime`.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;
use serde_json::{Map, Number, Value};

use super::file::{EdgeSpec, NodeSpec, WorkflowFile};
use super::ids::{NodeId, RunnerName};
use super::kinds::{EdgeKind, NodeKind};
use super::parse::{Format, json_error};
use crate::PitError;

#[derive(Deserialize)]
struct Root {
    name: Option<String>,
    description: Option<String>,
    #[serde(rename = "schemaVersion")]
    schema_version: Option<String>,
    workflow: Body,
}

#[derive(Deserialize)]
struct Body {
    specification: Option<Specification>,
    execution: Option<Execution>,
    tasks: Option<Vec<InlineTask>>,
    jobs: Option<Vec<InlineTask>>,
}

#[derive(Deserialize)]
struct Specification {
    tasks: Vec<SpecTask>,
}

#[derive(Deserialize)]
struct SpecTask {
    id: String,
    name: Option<String>,
    #[serde(default)]
    parents: Vec<String>,
    #[serde(default)]
    children: Vec<String>,
}

#[derive(Deserialize)]
struct Execution {
    #[serde(default)]
    tasks: Vec<ExecTask>,
}

#[derive(Deserialize)]
struct ExecTask {
    id: String,
    #[serde(rename = "runtimeInSeconds")]
    runtime: Option<f64>,
}

/// A task or job with its runtime inline (schemas 0.x to 1.4).
#[derive(Deserialize)]
struct InlineTask {
    id: Option<String>,
    name: String,
    #[serde(default)]
    parents: Vec<String>,
    #[serde(default)]
    children: Vec<String>,
    #[serde(rename = "runtimeInSeconds")]
    runtime_in_seconds: Option<f64>,
    runtime: Option<f64>,
}

/// One task, whatever the schema.
struct Task {
    key: String,
    name: Option<String>,
    parents: Vec<String>,
    children: Vec<String>,
    runtime: Option<f64>,
}

/// Parses a WfCommons JSON document into a workflow file (not yet validated).
pub fn import_str(text: &str, origin: &str, time_scale: f64) -> Result<WorkflowFile, PitError> {
    if !time_scale.is_finite() || time_scale < 0.0 {
        return Err(PitError::BadTimeScale { scale: time_scale });
    }
    let root: Root =
        serde_json::from_str(text).map_err(|e| json_error(&e, origin, Format::WfCommons))?;
    let fail = |problem: String| PitError::WfCommons {
        origin: origin.to_owned(),
        problem,
    };
    let tasks = tasks_of(root.workflow).map_err(&fail)?;
    let mut file = WorkflowFile {
        name: root.name,
        description: root.description.or_else(|| {
            root.schema_version
                .map(|v| format!("imported from WfCommons (schema {v})"))
        }),
        ..WorkflowFile::default()
    };
    let (nodes, edges) = convert(&tasks, time_scale).map_err(&fail)?;
    file.nodes = nodes;
    file.edges = edges;
    Ok(file)
}

fn tasks_of(body: Body) -> Result<Vec<Task>, String> {
    if let Some(spec) = body.specification {
        let mut runtimes = HashMap::new();
        for task in body.execution.map(|e| e.tasks).unwrap_or_default() {
            runtimes.insert(task.id, task.runtime);
        }
        return Ok(spec
            .tasks
            .into_iter()
            .map(|t| Task {
                runtime: runtimes.get(&t.id).copied().flatten(),
                key: t.id,
                name: t.name,
                parents: t.parents,
                children: t.children,
            })
            .collect());
    }
    let inline = body.tasks.or(body.jobs).ok_or_else(|| {
        "the file has none of `workflow.specification.tasks` (schema 1.5), `workflow.tasks` \
         (schema 1.0–1.4) or `workflow.jobs` (schema 0.x); is it a WfCommons trace?"
            .to_owned()
    })?;
    Ok(inline
        .into_iter()
        .map(|t| Task {
            runtime: t.runtime_in_seconds.or(t.runtime),
            key: t.id.unwrap_or_else(|| t.name.clone()),
            name: Some(t.name),
            parents: t.parents,
            children: t.children,
        })
        .collect())
}

fn convert(tasks: &[Task], time_scale: f64) -> Result<(Vec<NodeSpec>, Vec<EdgeSpec>), String> {
    let mut by_key: HashMap<&str, usize> = HashMap::with_capacity(tasks.len());
    let mut by_name: HashMap<&str, usize> = HashMap::with_capacity(tasks.len());
    for (i, task) in tasks.iter().enumerate() {
        if let Some(first) = by_key.insert(&task.key, i) {
            return Err(format!(
                "task id `{}` appears twice (tasks {first} and {i}); ids must be unique",
                NodeId::new(task.key.as_str())
            ));
        }
        if let Some(name) = &task.name {
            by_name.entry(name).or_insert(i);
        }
    }
    let find = |task: &Task, other: &str, relation: &str| {
        by_key
            .get(other)
            .or_else(|| by_name.get(other))
            .copied()
            .ok_or_else(|| {
                format!(
                    "task `{}` lists {relation} `{}`, which is not a task in the file",
                    NodeId::new(task.key.as_str()),
                    NodeId::new(other)
                )
            })
    };
    let sleep = RunnerName::new("sleep");
    let mut nodes = Vec::with_capacity(tasks.len());
    let mut edges = Vec::new();
    let mut seen = HashSet::new();
    for (i, task) in tasks.iter().enumerate() {
        let runtime = match task.runtime {
            Some(r) if r.is_finite() && r >= 0.0 => r,
            Some(r) => {
                return Err(format!(
                    "task `{}` has runtime {r}; runtimes are seconds ≥ 0",
                    NodeId::new(task.key.as_str())
                ));
            }
            None => {
                return Err(format!(
                    "task `{}` has no runtime (no `runtimeInSeconds` for it in \
                     `workflow.execution.tasks`, nor an inline `runtime`)",
                    NodeId::new(task.key.as_str())
                ));
            }
        };
        let mut node = NodeSpec::new(task.key.as_str(), NodeKind::Operator);
        node.name = task.name.clone().filter(|name| *name != task.key);
        node.runner = Some(sleep.clone());
        let seconds = Number::from_f64(runtime * time_scale).unwrap_or_else(|| Number::from(0));
        node.params = Map::from_iter([("seconds".to_owned(), Value::Number(seconds))]);
        nodes.push(node);
        let parents = task
            .parents
            .iter()
            .map(|p| find(task, p, "parent").map(|p| (p, i)));
        let children = task
            .children
            .iter()
            .map(|c| find(task, c, "child").map(|c| (i, c)));
        for pair in parents.chain(children) {
            let (from, to) = pair?;
            if seen.insert((from, to)) {
                edges.push(EdgeSpec::new(
                    tasks[from].key.as_str(),
                    tasks[to].key.as_str(),
                    EdgeKind::Control,
                ));
            }
        }
    }
    Ok((nodes, edges))
}
