//! The ready queue, ordered by priority: the node with the longest remaining path to the end
//! of the workflow starts first (the classic critical-path list-scheduling rule), so that
//! long chains are not left for last behind short side work. Lengths are in sleep seconds
//! (what the executor knows of a node's duration) plus a small amount per node, so that
//! among nodes of unknown duration the one with more work behind it goes first; ties go to
//! the node queued first.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::dag::{Workflow, sleep_seconds};

use super::Job;

/// Each node's weight when its duration is unknown: 1 ms.
const UNKNOWN: f64 = 1e-3;

/// For each node, the length of the longest path from it to a sink, itself included.
pub(super) fn remaining_path(wf: &Workflow) -> Vec<f64> {
    let mut length = vec![0.0; wf.node_count()];
    for &node in wf.topological_order().iter().rev() {
        let after = wf
            .successors(node)
            .iter()
            .map(|s| length[s.index()])
            .fold(0.0, f64::max);
        length[node.index()] = sleep_seconds(wf, node) + UNKNOWN + after;
    }
    length
}

#[derive(Debug)]
struct Entry {
    priority: f64,
    seq: u64,
    job: Job,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.priority
            .total_cmp(&other.priority)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

/// Jobs ready to start, highest priority first.
#[derive(Debug)]
pub(super) struct ReadyQueue {
    heap: BinaryHeap<Entry>,
    priority: Vec<f64>,
    seq: u64,
}

impl ReadyQueue {
    pub(super) fn new(wf: &Workflow) -> Self {
        ReadyQueue {
            heap: BinaryHeap::new(),
            priority: remaining_path(wf),
            seq: 0,
        }
    }

    pub(super) fn push(&mut self, job: Job) {
        self.seq += 1;
        let priority = self.priority[job.owner.index()];
        self.heap.push(Entry {
            priority,
            seq: self.seq,
            job,
        });
    }

    pub(super) fn pop(&mut self) -> Option<Job> {
        self.heap.pop().map(|e| e.job)
    }

    pub(super) fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    pub(super) fn retain(&mut self, mut keep: impl FnMut(&Job) -> bool) {
        self.heap.retain(|e| keep(&e.job));
    }
}
