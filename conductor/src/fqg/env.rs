//! The environment: one puzzle played call by call, with a Gymnasium-like API — [`Env::reset`]
//! with a seed, [`Env::step`] with an action, an [`Observation`] and an action mask — and the
//! game's score.
//!
//! Scoring (the *quality* metric): reaching the goal +100; an optional step its reward (+5…+20)
//! the first time each of its actions succeeds; a redundant call (valid, succeeded, changed
//! nothing) −5; a harmful call its penalty (−10 or worse); an invalid call (preconditions
//! unmet; the mask never offers one) −10; a failed call 0.
//!
//! The training reward is different on purpose: +1 for the goal, −0.05 per call, and the
//! redundant, harmful and invalid penalties divided by 100. It leaves optional rewards out, so a
//! policy optimises completion and efficiency (the targets) and quality is measured, not chased.

use std::sync::Arc;

use super::ids::ActionId;
use super::puzzle::{Puzzle, Role};
use super::rng::Rng;
use super::state::WorldState;

/// Score for reaching the goal.
pub const GOAL_SCORE: i32 = 100;
/// Score of a redundant call.
pub const REDUNDANT_SCORE: i32 = -5;
/// Score of an invalid call.
pub const INVALID_SCORE: i32 = -10;
/// Training reward for reaching the goal.
pub const GOAL_REWARD: f64 = 1.0;
/// Training cost of one call.
pub const CALL_COST: f64 = 0.05;

/// What became of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// It succeeded and changed the world.
    Success,
    /// It succeeded and changed nothing.
    Redundant,
    /// It was valid but failed (by chance); nothing changed.
    Failed,
    /// Its preconditions did not hold; nothing changed.
    Invalid,
}

/// One call made in an episode.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The action called.
    pub action: ActionId,
    /// What became of it.
    pub outcome: Outcome,
    /// What it returned.
    pub returned: String,
    /// Its score.
    pub score: i32,
}

/// What an agent sees after each step.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// The facts that hold (inventory and environment flags).
    pub state: WorldState,
    /// The last call, if any.
    pub last: Option<Call>,
    /// Whether the goal is reached.
    pub goal_reached: bool,
    /// Calls made so far.
    pub steps: u32,
}

/// The result of [`Env::step`].
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The observation after the call.
    pub observation: Observation,
    /// The training reward of the call.
    pub reward: f64,
    /// The goal is reached.
    pub terminated: bool,
    /// The step limit is reached without the goal.
    pub truncated: bool,
}

/// A puzzle being played.
#[derive(Debug, Clone)]
pub struct Env {
    puzzle: Arc<Puzzle>,
    state: WorldState,
    rng: Rng,
    history: Vec<Call>,
    rewarded: Vec<bool>,
    score: i32,
    failures: u32,
}

impl Env {
    /// An environment for `puzzle`, reset with seed 0.
    pub fn new(puzzle: Arc<Puzzle>) -> Env {
        let mut env = Env {
            state: puzzle.start,
            rng: Rng::new(0),
            history: Vec::new(),
            rewarded: vec![false; puzzle.actions.len()],
            score: 0,
            failures: 0,
            puzzle,
        };
        env.reset(0);
        env
    }

    /// Starts a new episode; `seed` fixes which calls fail.
    pub fn reset(&mut self, seed: u64) -> Observation {
        self.state = self.puzzle.start;
        self.rng = Rng::new(seed ^ 0xF09A_11CE_5EED_0001);
        self.history.clear();
        self.rewarded.iter_mut().for_each(|r| *r = false);
        self.score = 0;
        self.failures = 0;
        self.observation()
    }

    /// The puzzle.
    pub fn puzzle(&self) -> &Puzzle {
        &self.puzzle
    }

    /// The shared puzzle.
    pub fn puzzle_arc(&self) -> &Arc<Puzzle> {
        &self.puzzle
    }

    /// The facts that hold now.
    pub fn state(&self) -> WorldState {
        self.state
    }

    /// The calls made so far.
    pub fn history(&self) -> &[Call] {
        &self.history
    }

    /// The score so far.
    pub fn score(&self) -> i32 {
        self.score
    }

    /// Calls that failed by chance so far.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Calls made so far.
    pub fn steps(&self) -> u32 {
        self.history.len() as u32
    }

    /// Whether the goal is reached.
    pub fn goal_reached(&self) -> bool {
        self.puzzle.goal.reached(self.state)
    }

    /// Whether the episode is over (goal reached or step limit hit).
    pub fn done(&self) -> bool {
        self.goal_reached() || self.steps() >= self.puzzle.step_limit
    }

    /// The current observation.
    pub fn observation(&self) -> Observation {
        Observation {
            state: self.state,
            last: self.history.last().cloned(),
            goal_reached: self.goal_reached(),
            steps: self.steps(),
        }
    }

    /// Which actions are valid now (preconditions hold), by action index; all false once the
    /// episode is over.
    pub fn action_mask(&self) -> Vec<bool> {
        let done = self.done();
        self.puzzle
            .actions
            .iter()
            .map(|a| !done && a.applicable(self.state))
            .collect()
    }

    /// The valid actions now.
    pub fn valid_actions(&self) -> Vec<ActionId> {
        if self.done() {
            return Vec::new();
        }
        self.puzzle
            .action_ids()
            .filter(|&id| self.puzzle.action(id).applicable(self.state))
            .collect()
    }

    /// Calls `action`. Calling after the episode is over changes nothing and reports it over;
    /// so does an index outside the puzzle's actions (a caller's bug: the mask never offers one).
    pub fn step(&mut self, action: ActionId) -> Step {
        if self.done() || action.index() >= self.puzzle.actions.len() {
            return Step {
                observation: self.observation(),
                reward: 0.0,
                terminated: self.goal_reached(),
                truncated: !self.goal_reached(),
            };
        }
        let puzzle = Arc::clone(&self.puzzle);
        let spec = puzzle.action(action);
        let function = puzzle.function(spec.function);
        let mut reward = -CALL_COST;
        let (outcome, returned, mut score) = if !spec.applicable(self.state) {
            reward += f64::from(INVALID_SCORE) / 100.0;
            let missing: Vec<&str> = puzzle.describe(spec.requires.difference(self.state));
            let blocking: Vec<&str> = puzzle.describe(spec.forbids.intersection(self.state));
            let why = if missing.is_empty() {
                format!("error: not while {}", blocking.join(", "))
            } else {
                format!("error: needs {}", missing.join(", "))
            };
            (Outcome::Invalid, why, INVALID_SCORE)
        } else if spec.fail_chance > 0.0 && self.rng.chance(spec.fail_chance) {
            self.failures += 1;
            (Outcome::Failed, spec.fail_returns.clone(), 0)
        } else {
            let next = spec.apply(self.state);
            let mut score = 0;
            if function.role == Role::Harmful {
                score += function.penalty;
                reward += f64::from(function.penalty) / 100.0;
            }
            let outcome = if next == self.state {
                score += REDUNDANT_SCORE;
                reward += f64::from(REDUNDANT_SCORE) / 100.0;
                Outcome::Redundant
            } else {
                Outcome::Success
            };
            if function.role == Role::Optional && !self.rewarded[action.index()] {
                self.rewarded[action.index()] = true;
                score += function.reward;
            }
            self.state = next;
            (outcome, spec.returns.clone(), score)
        };
        let terminated = self.goal_reached();
        if terminated {
            score += GOAL_SCORE;
            reward += GOAL_REWARD;
        }
        self.score += score;
        self.history.push(Call {
            action,
            outcome,
            returned,
            score,
        });
        Step {
            observation: self.observation(),
            reward,
            terminated,
            truncated: !terminated && self.steps() >= self.puzzle.step_limit,
        }
    }
}
