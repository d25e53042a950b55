//! The commands of a running workflow: pause, resume, skip and retry (cancel ends the
//! run loop itself). An interrupted task is aborted but kept until it is gone, so a retried
//! node never has two attempts alive at once.

use std::collections::HashSet;

use crate::dag::{ControlKind, NodeIx, NodeKind};
use crate::exec::events::{EventKind, NodeState, WorkflowState};
use crate::exec::handle::{Command, RunSnapshot};

use super::flow::must_be_taken;
use super::{Job, Scheduler, Slot};

impl Scheduler {
    pub(super) fn command(&mut self, command: Command) {
        match command {
            Command::Pause if !self.paused => {
                self.paused = true;
                self.waiting_for_input = false;
                self.emit(EventKind::Workflow {
                    state: WorkflowState::Paused,
                    reason: None,
                });
            }
            Command::Resume if self.paused => {
                self.paused = false;
                self.waiting_for_input = false;
                self.emit(EventKind::Workflow {
                    state: WorkflowState::Running,
                    reason: None,
                });
            }
            Command::Skip(node) => self.skip(node),
            Command::Provide(node, value) => self.provide(node, value),
            Command::Retry(node) => self.retry(node),
            Command::Snapshot(reply) => {
                let _ = reply.send(self.snapshot());
            }
            Command::Pause | Command::Resume | Command::Cancel => {}
        }
    }

    fn snapshot(&self) -> RunSnapshot {
        let state = if self.paused {
            WorkflowState::Paused
        } else if self.waiting_for_input {
            WorkflowState::WaitingForInput
        } else {
            WorkflowState::Running
        };
        RunSnapshot {
            state,
            nodes: self.state.clone(),
            elapsed: self.started.elapsed(),
        }
    }

    /// Stops whatever `owner` is doing and makes `then` its next job, started once the old
    /// task is gone; returns the job it was on.
    fn interrupt(&mut self, owner: NodeIx, then: Option<Job>) -> Option<Job> {
        let (id, handle) = self.current.get(&owner)?;
        let slot = self.slots.get_mut(id)?;
        let (job, attempt) = match *slot {
            Slot::Attempt(job) => (job, true),
            Slot::Backoff(job) => (job, false),
            Slot::Aborting {
                then: ref mut next, ..
            } => {
                let job = next.unwrap_or(Job {
                    owner,
                    node: owner,
                    attempt: 0,
                });
                *next = then;
                return Some(job);
            }
        };
        handle.abort();
        *slot = Slot::Aborting {
            owner,
            attempt,
            then,
        };
        Some(job)
    }

    /// Queues `owner`'s fresh job, after its aborting task if it has one.
    fn enqueue_owner(&mut self, job: Job) {
        let aborting = self
            .current
            .get(&job.owner)
            .and_then(|(id, _)| self.slots.get_mut(id));
        if let Some(Slot::Aborting { then, .. }) = aborting {
            *then = Some(job);
            self.set(job.node, NodeState::Queued, job.attempt, None);
        } else {
            self.enqueue(job);
        }
    }

    fn skip(&mut self, owner: NodeIx) {
        let Some(&state) = self.state.get(owner.index()) else {
            return;
        };
        // A completion waiting to be durable has happened: it cannot be skipped any more.
        if state.is_final() || self.is_fallback[owner.index()] || self.settling.contains(&owner) {
            return;
        }
        let job = self.interrupt(owner, None).unwrap_or(Job {
            owner,
            node: owner,
            attempt: 0,
        });
        self.ready.retain(|j| j.owner != owner);
        let parked = self.parked.len();
        self.parked.retain(|j| j.owner != owner);
        if self.parked.len() != parked {
            // Announce the wait again, for the inputs still waiting (or not at all).
            self.waiting_for_input = false;
        }
        if job.node != owner {
            self.set(job.node, NodeState::Skipped, job.attempt, None);
        }
        self.settle(owner, NodeState::Skipped, job.attempt, None, job);
    }

    fn retry(&mut self, owner: NodeIx) {
        let Some(&state) = self.state.get(owner.index()) else {
            return;
        };
        if self.is_fallback[owner.index()] {
            return;
        }
        if self.settling.contains(&owner) {
            self.retry_after_settling.insert(owner);
            return;
        }
        let fresh = Job {
            owner,
            node: owner,
            attempt: 1,
        };
        if state.is_final() {
            self.reopen(owner);
        } else if let Some(job) = self.interrupt(owner, Some(fresh)) {
            if job.node != owner {
                self.set(job.node, NodeState::Skipped, job.attempt, None);
            }
            self.set(owner, NodeState::Queued, 1, None);
        }
    }

    /// Makes a settled node pending again, with the nodes skipped because of it, and
    /// recomputes the counters of every node that waits on them.
    fn reopen(&mut self, owner: NodeIx) {
        let wf = self.wf.clone();
        let mut reopened = vec![owner];
        let mut seen = HashSet::from([owner]);
        let mut i = 0;
        while i < reopened.len() {
            for &next in wf.successors(reopened[i]) {
                let n = next.index();
                if self.state[n] == NodeState::Skipped && self.blocked[n] && seen.insert(next) {
                    reopened.push(next);
                }
            }
            i += 1;
        }
        for &node in &reopened {
            if self.state[node.index()] == NodeState::Failed {
                self.failed -= 1;
            }
            self.set(node, NodeState::Pending, 0, None);
            self.open += 1;
        }
        let mut touched = reopened.clone();
        for &node in &reopened {
            for &next in wf.successors(node) {
                if self.state[next.index()] == NodeState::Pending && seen.insert(next) {
                    touched.push(next);
                }
            }
        }
        let mut merges_taken = HashSet::new();
        for &node in &touched {
            let (mut waiting, mut blocked) = (0, false);
            for (&from, &edge) in wf.predecessors(node).iter().zip(wf.in_edges(node)) {
                if !self.state[from.index()].is_final() {
                    waiting += 1;
                    continue;
                }
                let taken = self.taken(from, edge).unwrap_or(false);
                if taken && wf.kind(node) == NodeKind::Control(ControlKind::Merge) {
                    merges_taken.insert(node);
                }
                let spec = wf.edge(edge);
                if !taken && must_be_taken(spec.kind(), spec.dependency()) {
                    blocked = true;
                }
            }
            self.waiting[node.index()] = waiting;
            self.blocked[node.index()] = blocked;
        }
        for &node in &touched {
            let i = node.index();
            if self.state[i] != NodeState::Pending {
                continue;
            }
            let start = if wf.kind(node) == NodeKind::Control(ControlKind::Merge) {
                merges_taken.contains(&node)
            } else {
                self.waiting[i] == 0 && !self.blocked[i]
            };
            let job = Job {
                owner: node,
                node,
                attempt: 1,
            };
            if start {
                self.enqueue_owner(job);
            } else if self.waiting[i] == 0 {
                self.settle(node, NodeState::Skipped, 0, None, job);
            }
        }
    }
}
