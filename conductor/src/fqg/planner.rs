//! The exact planner: A* over world states with `h_max`, where a call costs its expected
//! number of attempts `1 / (1 − fail_chance)`. Because a failed call changes nothing, retrying
//! until success is optimal for a chosen call, and the stochastic shortest path reduces to
//! this deterministic search: its cost is the optimal expected number of calls.
//!
//! Facts and actions that cannot matter to the goal are projected away first (backward
//! relevance), which keeps distractors from multiplying the state space.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use super::heuristic::h_max;
use super::ids::ActionId;
use super::puzzle::Puzzle;
use super::state::WorldState;

/// An optimal plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The calls, in order (each retried until it succeeds).
    pub actions: Vec<ActionId>,
    /// The expected number of calls; the plan's length when nothing can fail.
    pub cost: f64,
}

/// Facts that can matter to the goal, and the actions that touch them.
#[derive(Debug, Clone)]
pub struct Relevance {
    /// The relevant facts.
    pub facts: WorldState,
    /// The relevant actions.
    pub actions: Vec<ActionId>,
}

/// Backward relevance: goal facts, then preconditions of actions that change relevant facts,
/// to a fixed point.
pub fn relevance(puzzle: &Puzzle) -> Relevance {
    let mut facts = puzzle
        .goal
        .alternatives
        .iter()
        .fold(WorldState::EMPTY, |acc, alt| acc.union(*alt));
    loop {
        let mut next = facts;
        for action in &puzzle.actions {
            if !action
                .adds
                .union(action.removes)
                .intersection(facts)
                .is_empty()
            {
                next = next.union(action.requires).union(action.forbids);
            }
        }
        if next == facts {
            break;
        }
        facts = next;
    }
    let actions = puzzle
        .action_ids()
        .filter(|&id| {
            let a = puzzle.action(id);
            !a.adds.union(a.removes).intersection(facts).is_empty()
        })
        .collect();
    Relevance { facts, actions }
}

#[derive(Debug, PartialEq)]
struct Open {
    f: f64,
    g: f64,
    state: WorldState,
}

impl Eq for Open {}

impl Ord for Open {
    fn cmp(&self, other: &Self) -> Ordering {
        // Min-heap on f, then prefer deeper g, then a fixed order on states.
        other
            .f
            .total_cmp(&self.f)
            .then(self.g.total_cmp(&other.g))
            .then(self.state.cmp(&other.state))
    }
}

impl PartialOrd for Open {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The exact planner for one puzzle (its relevance analysis done once).
#[derive(Debug, Clone)]
pub struct Planner<'p> {
    puzzle: &'p Puzzle,
    relevance: Relevance,
}

impl<'p> Planner<'p> {
    /// A planner for `puzzle`.
    pub fn new(puzzle: &'p Puzzle) -> Self {
        Planner {
            puzzle,
            relevance: relevance(puzzle),
        }
    }

    /// An optimal plan from `start`, or None when the goal cannot be reached.
    pub fn plan(&self, start: WorldState) -> Option<Plan> {
        let puzzle = self.puzzle;
        let start = start.intersection(self.relevance.facts);
        let actions = &self.relevance.actions;
        let mut best: HashMap<WorldState, (f64, Option<(WorldState, ActionId)>)> = HashMap::new();
        let mut open = BinaryHeap::new();
        best.insert(start, (0.0, None));
        open.push(Open {
            f: h_max(puzzle, actions, start),
            g: 0.0,
            state: start,
        });
        while let Some(Open { g, state, .. }) = open.pop() {
            if best.get(&state).is_some_and(|(b, _)| g > *b + 1e-9) {
                continue;
            }
            if puzzle.goal.reached(state) {
                let mut path = Vec::new();
                let mut at = state;
                while let Some((_, Some((prev, action)))) = best.get(&at) {
                    path.push(*action);
                    at = *prev;
                }
                path.reverse();
                return Some(Plan {
                    actions: path,
                    cost: g,
                });
            }
            for &id in actions {
                let action = puzzle.action(id);
                if !action.applicable(state) {
                    continue;
                }
                let next = action.apply(state);
                if next == state {
                    continue;
                }
                let g2 = g + action.expected_calls();
                if best.get(&next).is_some_and(|(b, _)| *b <= g2 + 1e-9) {
                    continue;
                }
                let h = h_max(puzzle, actions, next);
                if !h.is_finite() {
                    continue;
                }
                best.insert(next, (g2, Some((state, id))));
                open.push(Open {
                    f: g2 + h,
                    g: g2,
                    state: next,
                });
            }
        }
        None
    }

    /// The optimal expected calls from `start` (None when unreachable).
    pub fn optimum(&self, start: WorldState) -> Option<f64> {
        self.plan(start).map(|p| p.cost)
    }
}
