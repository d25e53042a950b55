//! A line of waiting requests, best rank first: a binary heap, since ranks are fixed at
//! submission (see [`AgingPolicy::rank`](super::AgingPolicy)).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::request::{OwnerId, Priority, RequestId};

/// A request waiting in a line.
#[derive(Debug, Clone, Copy)]
pub(super) struct Waiting {
    /// Higher is served first; ties go to the earlier id.
    pub rank: i128,
    pub id: RequestId,
    pub owner: OwnerId,
    pub amount: u64,
    pub priority: Priority,
    pub deadline: Option<u64>,
    pub submitted: u64,
}

impl PartialEq for Waiting {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Waiting {}

impl PartialOrd for Waiting {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Waiting {
    /// Greater is served first.
    fn cmp(&self, other: &Self) -> Ordering {
        self.rank
            .cmp(&other.rank)
            .then_with(|| other.id.cmp(&self.id))
    }
}

/// Waiting requests, best first.
#[derive(Debug, Clone, Default)]
pub(super) struct Line {
    heap: BinaryHeap<Waiting>,
}

impl Line {
    /// A line with room for `n` without reallocating.
    pub fn with_capacity(n: usize) -> Line {
        Line {
            heap: BinaryHeap::with_capacity(n),
        }
    }

    pub fn push(&mut self, waiting: Waiting) {
        self.heap.push(waiting);
    }

    /// The first in line.
    pub fn first(&self) -> Option<&Waiting> {
        self.heap.peek()
    }

    pub fn pop(&mut self) -> Option<Waiting> {
        self.heap.pop()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Takes `id` out of the line, wherever it is: O(n), for cancellations, which are rare
    /// (the decision path never removes from the middle).
    pub fn remove(&mut self, id: RequestId) -> Option<Waiting> {
        let found = *self.heap.iter().find(|w| w.id == id)?;
        self.heap.retain(|w| w.id != id);
        Some(found)
    }

    /// Every waiting request, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &Waiting> {
        self.heap.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiting(id: u64, rank: i128) -> Waiting {
        Waiting {
            rank,
            id: RequestId(id),
            owner: OwnerId::new(0),
            amount: 1,
            priority: Priority::NORMAL,
            deadline: None,
            submitted: 0,
        }
    }

    #[test]
    fn best_rank_first_then_earliest_id() {
        let mut line = Line::default();
        for (id, rank) in [(0, 5), (1, 9), (2, 5), (3, -4), (4, 9)] {
            line.push(waiting(id, rank));
        }
        let order: Vec<u64> = std::iter::from_fn(|| line.pop())
            .map(|w| w.id.get())
            .collect();
        assert_eq!(order, [1, 4, 0, 2, 3]);
    }

    #[test]
    fn removing_from_the_middle_keeps_the_order() {
        let mut line = Line::default();
        for id in 0..10 {
            line.push(waiting(id, i128::from(id as u8 % 4)));
        }
        assert_eq!(line.remove(RequestId(7)).map(|w| w.id.get()), Some(7));
        assert!(line.remove(RequestId(7)).is_none());
        assert_eq!(line.iter().count(), 9);
        let order: Vec<u64> = std::iter::from_fn(|| line.pop())
            .map(|w| w.id.get())
            .collect();
        assert_eq!(order, [3, 2, 6, 1, 5, 9, 0, 4, 8]);
    }
}
