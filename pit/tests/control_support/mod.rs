//! What the control-flow tests share: a scripted runner that emits values and logs the
//! inputs it saw, a run wrapper that collects events, and builders for workflow JSON.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub use std::sync::{Arc, Mutex};
pub use std::time::Duration;

pub use pit::dag::{NodeIx, Workflow, WorkflowFile};
pub use pit::exec::{
    Event, EventKind, ExecOptions, Executor, NodeContext, NodeEvent, NodeOutput, NodeRunner,
    NodeState, RunError, RunFuture, RunHandle, RunReport, RunnerRegistry, WorkflowState,
};
pub use serde_json::{Value, json};
pub use tokio::sync::broadcast;

/// The predecessors' values one call saw, sorted by node id.
pub type Inputs = Vec<(String, Value)>;

/// `emit` runner: sleeps `params.ms`, then completes with `params.value` (none without it),
/// or with the next of `params.values` on each call (the last one once they run out); fails
/// fatally with `params.fatal`, or on its first `params.fail` calls. Logs each call with the
/// inputs it saw.
#[derive(Debug, Default, Clone)]
pub struct Emit {
    pub calls: Arc<Mutex<Vec<(String, Inputs)>>>,
}

impl Emit {
    pub fn calls(&self, id: &str) -> usize {
        let calls = self.calls.lock().unwrap();
        calls.iter().filter(|(node, _)| node == id).count()
    }

    /// The inputs `id`'s last call saw.
    pub fn inputs(&self, id: &str) -> Inputs {
        let calls = self.calls.lock().unwrap();
        let last = calls.iter().rev().find(|(node, _)| node == id);
        last.unwrap_or_else(|| panic!("`{id}` never ran")).1.clone()
    }
}

impl NodeRunner for Emit {
    fn run(&self, ctx: NodeContext) -> RunFuture {
        let id = ctx.id().as_str().to_owned();
        let params = ctx.params();
        let ms = params.get("ms").and_then(Value::as_u64).unwrap_or(0);
        let fatal = params.get("fatal").is_some();
        let fail = params.get("fail").and_then(Value::as_u64).unwrap_or(0);
        let mut inputs: Inputs = ctx
            .inputs()
            .iter()
            .map(|(node, value)| (node.as_str().to_owned(), Value::clone(value)))
            .collect();
        inputs.sort_by(|a, b| a.0.cmp(&b.0));
        let call = {
            let mut calls = self.calls.lock().unwrap();
            calls.push((id.clone(), inputs));
            calls.iter().filter(|(node, _)| *node == id).count()
        };
        let value = match params.get("values").and_then(Value::as_array) {
            Some(values) => values.get(call - 1).or(values.last()).cloned(),
            None => params.get("value").cloned(),
        };
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            if fatal || call as u64 <= fail {
                return Err(RunError::fatal(format!("{id}: call {call} fails")));
            }
            Ok(NodeOutput { value })
        })
    }
}

pub struct Run {
    pub wf: Arc<Workflow>,
    pub handle: RunHandle,
    pub events: broadcast::Receiver<Event>,
    pub emit: Emit,
}

pub fn build(file: Value) -> Arc<Workflow> {
    let file: WorkflowFile = serde_json::from_value(file).unwrap();
    Arc::new(Workflow::build(&file).unwrap())
}

pub fn start(file: Value) -> Run {
    let wf = build(file);
    let emit = Emit::default();
    let mut registry = RunnerRegistry::with_builtins(1.0);
    registry.register("emit", emit.clone());
    let options = ExecOptions {
        workers: 4,
        ..ExecOptions::default()
    };
    let (handle, events) = Executor::new(registry, options).start(wf.clone());
    Run {
        wf,
        handle,
        events,
        emit,
    }
}

impl Run {
    pub fn ix(&self, id: &str) -> NodeIx {
        self.wf.lookup(id).unwrap()
    }

    /// Waits for a node event matching `f`.
    pub async fn until(&mut self, mut f: impl FnMut(&NodeEvent) -> bool) -> NodeEvent {
        loop {
            if let EventKind::Node(e) = self.next().await.kind
                && f(&e)
            {
                return e;
            }
        }
    }

    /// Waits for the workflow to enter `state`; returns when, and the event's reason.
    pub async fn until_workflow(&mut self, state: WorkflowState) -> (Duration, Option<String>) {
        loop {
            let event = self.next().await;
            if let EventKind::Workflow { state: s, reason } = event.kind
                && s == state
            {
                return (event.at, reason);
            }
        }
    }

    /// The next event. The handle keeps the channel open, so a scheduler that panicked
    /// would make a bare `recv` wait forever: a (paused) week is the limit.
    pub async fn next(&mut self) -> Event {
        let limit = Duration::from_secs(7 * 24 * 3600);
        match tokio::time::timeout(limit, self.events.recv()).await {
            Ok(event) => event.unwrap(),
            Err(_) => panic!("the run stalled: its scheduler may have panicked"),
        }
    }

    /// Waits for the end; returns the report and every event not read yet.
    pub async fn finish(mut self) -> (RunReport, Vec<Event>, Emit) {
        let report = self.handle.wait().await.unwrap();
        let mut events = Vec::new();
        while let Ok(e) = self.events.try_recv() {
            events.push(e);
        }
        (report, events, self.emit)
    }
}

/// Node `id`'s events among `events`.
pub fn node_events<'e>(
    wf: &Workflow,
    events: &'e [Event],
    id: &str,
) -> Vec<(&'e Event, NodeEvent)> {
    let node = wf.lookup(id).unwrap();
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Node(n) if n.node == node => Some((e, n.clone())),
            _ => None,
        })
        .collect()
}

/// When node `id` first entered `state`.
pub fn first_at(wf: &Workflow, events: &[Event], id: &str, state: NodeState) -> Duration {
    node_events(wf, events, id)
        .iter()
        .find(|(_, n)| n.state == state)
        .unwrap_or_else(|| panic!("`{id}` never became {state:?}"))
        .0
        .at
}

pub fn workflow_states(events: &[Event]) -> Vec<(WorkflowState, Option<String>)> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Workflow { state, reason } => Some((*state, reason.clone())),
            _ => None,
        })
        .collect()
}

pub fn emit(id: &str, params: Value) -> Value {
    json!({ "id": id, "kind": "operator", "runner": "emit", "params": params })
}

pub fn control(id: &str, kind: &str) -> Value {
    json!({ "id": id, "kind": kind })
}

pub fn edge(from: &str, to: &str, dependency: &str) -> Value {
    json!({ "from": from, "to": to, "kind": "control", "dependency": dependency })
}

pub fn when(from: &str, to: &str, condition: &str) -> Value {
    json!({ "from": from, "to": to, "kind": "conditional", "condition": condition })
}

pub fn wf(nodes: Vec<Value>, edges: Vec<Value>) -> Value {
    json!({ "nodes": nodes, "edges": edges })
}

pub fn states(report: &RunReport, wf: &Workflow, ids: &[&str]) -> Vec<NodeState> {
    ids.iter()
        .map(|id| report.node(wf.lookup(id).unwrap()))
        .collect()
}
