//! How outcomes flow through the graph: a completion, a failure (retry, fallback, skip,
//! fail), and the release of the nodes that wait — with conditional edges, merges, and the
//! values that control nodes pass on.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::dag::{ControlKind, Dependency, EdgeIx, EdgeKind, NodeIx, NodeKind, OnFailure};
use crate::exec::events::{NodeEvent, NodeState};
use crate::exec::runner::RunError;
use crate::journal::Completion;

use super::{Attempted, Job, Scheduler, Slot};

impl Scheduler {
    pub(super) fn succeeded(&mut self, job: Job, attempted: Attempted) {
        if let Some(journal) = &mut self.journal {
            self.settling.insert(job.owner);
            let via = (job.node != job.owner).then(|| self.wf.id(job.node).clone());
            journal.complete(Completion {
                node: self.wf.id(job.owner).clone(),
                attempt: job.attempt,
                via,
                value: attempted.output.value,
                files: attempted.files,
                stage: attempted.stage,
                at_ms: crate::runs::now_ms(),
            });
            return;
        }
        self.settle_completed(job, attempted.output.value);
    }

    pub(super) fn settle_completed(&mut self, job: Job, value: Option<Value>) {
        match value {
            Some(value) => {
                self.values.insert(job.owner, Arc::new(value));
            }
            None => {
                self.values.remove(&job.owner);
            }
        }
        if job.node != job.owner {
            self.set(job.node, NodeState::Completed, job.attempt, None);
        }
        self.settle(job.owner, NodeState::Completed, job.attempt, None, job);
    }

    pub(super) fn attempt_failed(&mut self, job: Job, error: RunError) {
        let settings = self.wf.settings(job.node);
        if error.is_retryable() && job.attempt <= settings.retries {
            let delay = self
                .options
                .backoff
                .delay(job.node, job.attempt, settings.backoff);
            self.node_event(NodeEvent {
                node: job.node,
                state: NodeState::Queued,
                attempt: job.attempt,
                error: Some(error),
                retry_in: Some(delay),
                via: None,
            });
            let next = Job {
                attempt: job.attempt + 1,
                ..job
            };
            let handle = self.tasks.spawn(async move {
                tokio::time::sleep(delay).await;
                None
            });
            self.slots.insert(handle.id(), Slot::Backoff(next));
            self.current.insert(job.owner, (handle.id(), handle));
            return;
        }
        match (settings.on_failure, settings.fallback) {
            (OnFailure::Fallback, Some(fallback)) => {
                let (state, via) = if job.node == job.owner {
                    (NodeState::Running, Some(fallback))
                } else {
                    (NodeState::Failed, None)
                };
                self.node_event(NodeEvent {
                    node: job.node,
                    state,
                    attempt: job.attempt,
                    error: Some(error),
                    retry_in: None,
                    via,
                });
                self.enqueue(Job {
                    owner: job.owner,
                    node: fallback,
                    attempt: 1,
                });
            }
            (policy, _) => {
                let state = if policy == OnFailure::Skip {
                    NodeState::Skipped
                } else {
                    NodeState::Failed
                };
                if job.node != job.owner {
                    self.set(job.node, state, job.attempt, Some(error.clone()));
                }
                self.settle(job.owner, state, job.attempt, Some(error), job);
            }
        }
    }

    /// Gives `owner` its final state and releases the nodes that wait for it.
    pub(super) fn settle(
        &mut self,
        owner: NodeIx,
        state: NodeState,
        attempt: u32,
        error: Option<RunError>,
        job: Job,
    ) {
        self.node_event(NodeEvent {
            node: owner,
            state,
            attempt,
            error,
            retry_in: None,
            via: (job.node != owner).then_some(job.node),
        });
        self.open -= 1;
        self.release(owner);
    }

    /// Releases the successors of a settled node: each starts once every in-edge has
    /// settled, or is skipped when an edge that must be taken was not (a hard dependency that
    /// did not complete, a conditional edge whose condition is false). A merge starts at its
    /// first taken in-edge, and is skipped only when none is taken. Skips cascade.
    pub(super) fn release(&mut self, from: NodeIx) {
        let wf = self.wf.clone();
        let mut settled = vec![from];
        while let Some(node) = settled.pop() {
            if self.state[node.index()] == NodeState::Failed {
                self.failed += 1;
            }
            for (&next, &edge) in wf.successors(node).iter().zip(wf.out_edges(node)) {
                let i = next.index();
                // Counters matter only while a node waits; a node already past that (after
                // a retry reopened its source) is left alone.
                if self.state[i] != NodeState::Pending {
                    continue;
                }
                let taken = self.taken(node, edge);
                let merge = wf.kind(next) == NodeKind::Control(ControlKind::Merge);
                if let Err(reason) = &taken {
                    self.skip_reasons
                        .entry(next)
                        .or_insert_with(|| reason.clone());
                }
                let taken = taken.unwrap_or(false);
                if !taken
                    && !merge
                    && must_be_taken(wf.edge(edge).kind(), wf.edge(edge).dependency())
                {
                    self.blocked[i] = true;
                }
                self.waiting[i] -= 1;
                let start = if merge {
                    taken
                } else {
                    self.waiting[i] == 0 && !self.blocked[i]
                };
                let skip = self.waiting[i] == 0 && !start;
                if start {
                    self.skip_reasons.remove(&next);
                    self.enqueue(Job {
                        owner: next,
                        node: next,
                        attempt: 1,
                    });
                } else if skip {
                    let reason = self.skip_reasons.remove(&next);
                    self.set(next, NodeState::Skipped, 0, reason);
                    self.open -= 1;
                    settled.push(next);
                }
            }
        }
    }

    /// Why a node is skipped, for the journal: the failure `on_failure = "skip"` absorbed, a
    /// dependency that did not complete, a condition that did not hold, or a command.
    pub(super) fn skip_reason(&self, event: &NodeEvent) -> String {
        let node = event.node;
        if let Some(error) = &event.error {
            return if event.attempt > 0 {
                format!(
                    "failed, and `on_failure = \"skip\"` went on: {}",
                    error.message
                )
            } else {
                error.message.clone()
            };
        }
        if self.is_fallback[node.index()] {
            return "a fallback, not needed".to_owned();
        }
        let wf = &self.wf;
        if self.blocked[node.index()] {
            for (&from, &edge) in wf.predecessors(node).iter().zip(wf.in_edges(node)) {
                let spec = wf.edge(edge);
                if !must_be_taken(spec.kind(), spec.dependency()) {
                    continue;
                }
                let state = self.state[from.index()];
                if state.is_final() && state != NodeState::Completed {
                    return format!("`{}` did not complete ({})", wf.id(from), state.name());
                }
                if state == NodeState::Completed && self.taken(from, edge) == Ok(false) {
                    let text = wf.condition(edge).unwrap_or_default();
                    return format!("the condition `{text}` from `{}` is false", wf.id(from));
                }
            }
        }
        if wf.kind(node) == NodeKind::Control(ControlKind::Merge) {
            return "no edge into the merge was taken".to_owned();
        }
        "skipped by a command".to_owned()
    }

    /// Whether the edge from the settled `from` counts as taken: its source completed and,
    /// for a conditional edge, its condition holds. A condition that cannot be evaluated is
    /// not taken, and the error says why.
    pub(super) fn taken(&self, from: NodeIx, edge: EdgeIx) -> Result<bool, RunError> {
        if self.state[from.index()] != NodeState::Completed {
            return Ok(false);
        }
        let Some(condition) = self.conditions.get(&edge) else {
            return Ok(true);
        };
        let value = self.values.get(&from).map(|v| &**v);
        let named = value.and_then(|v| self.named_value(from, v));
        condition.eval(named.as_ref().or(value)).map_err(|e| {
            let text = self.wf.condition(edge).unwrap_or_default();
            RunError::fatal(format!(
                "the condition `{text}` of the edge from `{}` cannot be evaluated: {e}",
                self.wf.id(from)
            ))
        })
    }

    /// A value that is not an object, under the name of the node's one port (its one output,
    /// or a control node's one input), so that `lines > 10` reads what a node with an
    /// output port `lines` produced.
    fn named_value(&self, node: NodeIx, value: &Value) -> Option<Value> {
        if value.is_object() {
            return None;
        }
        let mut outputs = self.wf.outputs(node);
        let mut inputs = self.wf.inputs(node);
        let port = match (outputs.len(), self.wf.kind(node)) {
            (1, _) => outputs.next(),
            (0, NodeKind::Control(_)) if inputs.len() == 1 => inputs.next(),
            _ => None,
        }?;
        let mut object = Map::new();
        object.insert(port.1.name.as_str().to_owned(), value.clone());
        Some(Value::Object(object))
    }

    /// A node's predecessors, each once (two edges may join the same pair of nodes).
    pub(super) fn distinct_predecessors(&self, node: NodeIx) -> Vec<NodeIx> {
        let mut nodes = self.wf.predecessors(node).to_vec();
        nodes.sort_unstable();
        nodes.dedup();
        nodes
    }

    /// The value a control node passes on: its one input's value, or an object of its
    /// inputs' values by node id.
    pub(super) fn pass_through(&self, node: NodeIx) -> Option<Value> {
        let inputs: Vec<(NodeIx, &Arc<Value>)> = self
            .distinct_predecessors(node)
            .into_iter()
            .filter_map(|p| self.values.get(&p).map(|v| (p, v)))
            .collect();
        match inputs.as_slice() {
            [] => None,
            [(_, value)] => Some(Value::clone(value)),
            _ => {
                let map: Map<String, Value> = inputs
                    .iter()
                    .map(|(p, v)| (self.wf.id(*p).as_str().to_owned(), Value::clone(v)))
                    .collect();
                Some(Value::Object(map))
            }
        }
    }
}

/// Whether an untaken edge of this kind and dependency skips its target.
pub(super) fn must_be_taken(kind: EdgeKind, dependency: Dependency) -> bool {
    kind == EdgeKind::Conditional || dependency == Dependency::Hard
}
