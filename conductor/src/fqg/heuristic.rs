//! Delete-relaxation heuristics (ignore `removes` and `!fact` preconditions): `h_max`
//! (admissible, guides the exact planner), `h_add` and the relaxed plan behind `h_FF` (the
//! policy's "how far is the goal" features). Costs are expected calls, `1 / (1 − fail_chance)`.

use super::ids::{ActionId, FactId};
use super::puzzle::Puzzle;
use super::state::WorldState;

/// How preconditions' costs combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Combine {
    /// The most expensive one (admissible).
    Max,
    /// Their sum (informative, not admissible).
    Add,
}

/// Per-fact relaxed costs from one state, and the cheapest achiever of each fact.
#[derive(Debug, Clone)]
pub struct RelaxedCosts {
    cost: [f64; 128],
    achiever: [Option<ActionId>; 128],
}

impl RelaxedCosts {
    fn compute(puzzle: &Puzzle, actions: &[ActionId], state: WorldState, combine: Combine) -> Self {
        let mut cost = [f64::INFINITY; 128];
        let mut achiever = [None; 128];
        for fact in state.facts() {
            cost[fact.index()] = 0.0;
        }
        loop {
            let mut changed = false;
            for &id in actions {
                let action = puzzle.action(id);
                let mut pre = 0.0f64;
                for fact in action.requires.facts() {
                    let c = cost[fact.index()];
                    pre = match combine {
                        Combine::Max => pre.max(c),
                        Combine::Add => pre + c,
                    };
                }
                if !pre.is_finite() {
                    continue;
                }
                let total = pre + action.expected_calls();
                for fact in action.adds.facts() {
                    if total < cost[fact.index()] - 1e-12 {
                        cost[fact.index()] = total;
                        achiever[fact.index()] = Some(id);
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        RelaxedCosts { cost, achiever }
    }

    fn of(&self, facts: WorldState, combine: Combine) -> f64 {
        let mut total = 0.0f64;
        for fact in facts.facts() {
            let c = self.cost[fact.index()];
            total = match combine {
                Combine::Max => total.max(c),
                Combine::Add => total + c,
            };
        }
        total
    }
}

/// `h_max` of the goal from `state` over `actions`: a lower bound on the expected calls still
/// needed (infinite when even the relaxation cannot reach the goal).
pub fn h_max(puzzle: &Puzzle, actions: &[ActionId], state: WorldState) -> f64 {
    let costs = RelaxedCosts::compute(puzzle, actions, state, Combine::Max);
    puzzle
        .goal
        .alternatives
        .iter()
        .map(|alt| costs.of(*alt, Combine::Max))
        .fold(f64::INFINITY, f64::min)
}

/// A relaxed plan: the actions an `h_add`-guided back-chaining picks, and their expected calls.
#[derive(Debug, Clone, PartialEq)]
pub struct RelaxedPlan {
    /// `h_FF`: the plan's expected calls (infinite when the goal is relaxed-unreachable).
    pub cost: f64,
    /// Its actions (no order), as a bit per action index.
    pub actions: Vec<bool>,
}

/// The relaxed plan from `state` (FF's heuristic, Hoffmann & Nebel 2001).
pub fn relaxed_plan(puzzle: &Puzzle, all: &[ActionId], state: WorldState) -> RelaxedPlan {
    let costs = RelaxedCosts::compute(puzzle, all, state, Combine::Add);
    let mut in_plan = vec![false; puzzle.actions.len()];
    let best = puzzle
        .goal
        .alternatives
        .iter()
        .map(|alt| (costs.of(*alt, Combine::Add), *alt))
        .min_by(|a, b| a.0.total_cmp(&b.0));
    let Some((h, goal)) = best.filter(|(h, _)| h.is_finite()) else {
        return RelaxedPlan {
            cost: f64::INFINITY,
            actions: in_plan,
        };
    };
    if h == 0.0 {
        return RelaxedPlan {
            cost: 0.0,
            actions: in_plan,
        };
    }
    let mut cost = 0.0;
    let mut open: Vec<FactId> = goal.difference(state).facts().collect();
    let mut done = state;
    while let Some(fact) = open.pop() {
        if done.contains(fact) {
            continue;
        }
        done.insert(fact);
        let Some(id) = costs.achiever[fact.index()] else {
            continue;
        };
        if !in_plan[id.index()] {
            in_plan[id.index()] = true;
            let action = puzzle.action(id);
            cost += action.expected_calls();
            done = done.union(action.adds);
            open.extend(action.requires.difference(done).facts());
        }
    }
    RelaxedPlan {
        cost,
        actions: in_plan,
    }
}
