//! Agents play an [`Env`]: the random and greedy baselines, the exact planner, and (in
//! [`policy`](super::policy)) the learned policy.

use super::env::Env;
use super::heuristic::relaxed_plan;
use super::ids::ActionId;
use super::planner::{Plan, Planner};
use super::rng::Rng;
use super::state::WorldState;

/// Something that chooses the next call.
pub trait Agent {
    /// Its name in reports.
    fn name(&self) -> &str;
    /// Called at the start of each episode.
    fn begin(&mut self, _env: &Env) {}
    /// The next call (the episode is not over and some action is valid).
    fn act(&mut self, env: &Env) -> ActionId;
}

/// Uniformly random among the valid calls.
#[derive(Debug)]
pub struct RandomAgent {
    rng: Rng,
}

impl RandomAgent {
    /// A random agent seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        RandomAgent {
            rng: Rng::new(seed),
        }
    }
}

impl Agent for RandomAgent {
    fn name(&self) -> &str {
        "random"
    }

    fn act(&mut self, env: &Env) -> ActionId {
        let valid = env.valid_actions();
        valid
            .get(self.rng.below(valid.len()))
            .copied()
            .unwrap_or(ActionId(0))
    }
}

/// Greedy: the valid call that makes the most missing goal facts true; among ties, one that
/// changes the world and was not called before; then at random. It never looks ahead.
#[derive(Debug)]
pub struct GreedyAgent {
    rng: Rng,
}

impl GreedyAgent {
    /// A greedy agent breaking ties with `seed`.
    pub fn new(seed: u64) -> Self {
        GreedyAgent {
            rng: Rng::new(seed),
        }
    }
}

impl Agent for GreedyAgent {
    fn name(&self) -> &str {
        "greedy"
    }

    fn act(&mut self, env: &Env) -> ActionId {
        let puzzle = env.puzzle();
        let state = env.state();
        let score = |id: ActionId| {
            let action = puzzle.action(id);
            let next = action.apply(state);
            let goal_gain = puzzle
                .goal
                .alternatives
                .iter()
                .map(|alt| {
                    alt.intersection(next).len() as i64 - alt.intersection(state).len() as i64
                })
                .max()
                .unwrap_or(0);
            let novel = next != state && !env.history().iter().any(|c| c.action == id);
            goal_gain * 10 + i64::from(novel)
        };
        let valid = env.valid_actions();
        let best = valid.iter().map(|&a| score(a)).max().unwrap_or(0);
        let top: Vec<ActionId> = valid.into_iter().filter(|&a| score(a) == best).collect();
        top.get(self.rng.below(top.len()))
            .copied()
            .unwrap_or(ActionId(0))
    }
}

/// The exact planner: follows an optimal plan, retrying failed calls, replanning whenever
/// the world is not where the plan expected.
#[derive(Debug)]
pub struct PlannerAgent {
    plan: Option<Plan>,
    next: usize,
    expected: WorldState,
}

impl PlannerAgent {
    /// A planner agent.
    pub fn new() -> Self {
        PlannerAgent {
            plan: None,
            next: 0,
            expected: WorldState::EMPTY,
        }
    }
}

impl Default for PlannerAgent {
    fn default() -> Self {
        Self::new()
    }
}

impl Agent for PlannerAgent {
    fn name(&self) -> &str {
        "planner"
    }

    fn begin(&mut self, _env: &Env) {
        self.plan = None;
    }

    fn act(&mut self, env: &Env) -> ActionId {
        let puzzle = env.puzzle();
        let now = env.state();
        // After a failed call (or a surprise) the world is not where the plan expected.
        if self.plan.is_none() || self.expected != now {
            self.plan = Planner::new(puzzle).plan(now);
            self.next = 0;
            self.expected = now;
        }
        let Some(plan) = &self.plan else {
            return env.valid_actions().first().copied().unwrap_or(ActionId(0));
        };
        let Some(&action) = plan.actions.get(self.next) else {
            return env.valid_actions().first().copied().unwrap_or(ActionId(0));
        };
        self.next += 1;
        self.expected = puzzle.action(action).apply(self.expected);
        action
    }
}

/// The hand-written rule the policy's main feature comes from: the valid call after which the
/// delete-relaxed plan (`h_FF`) is cheapest, avoiding calls that change nothing; ties to the
/// first. A baseline for what learning adds over the heuristic alone.
#[derive(Debug, Default)]
pub struct RelaxedPlanAgent;

impl Agent for RelaxedPlanAgent {
    fn name(&self) -> &str {
        "relaxed-plan"
    }

    fn act(&mut self, env: &Env) -> ActionId {
        let puzzle = env.puzzle();
        let state = env.state();
        let all: Vec<ActionId> = puzzle.action_ids().collect();
        let cost = |id: ActionId| {
            let next = puzzle.action(id).apply(state);
            if puzzle.goal.reached(next) {
                return -1.0;
            }
            let h = relaxed_plan(puzzle, &all, next).cost;
            if next == state { h + 1000.0 } else { h }
        };
        env.valid_actions()
            .into_iter()
            .map(|id| (cost(id), id))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map_or(ActionId(0), |(_, id)| id)
    }
}
