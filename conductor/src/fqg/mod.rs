//! The Function Quest Game (FQG): puzzles in which an agent reaches a goal by calling functions
//! from a library, and the reinforcement-learning policy that learns to choose the calls.
//!
//! - [`Puzzle`]: a story, a goal, a library of typed functions with preconditions and effects
//!   over a symbolic world state (inventory `has(x)` and environment flags). Written as TOML
//!   (`conductor/puzzles/README.md`) or made by the [`generator`] for levels 1–20.
//! - [`Env`]: a seeded environment with a Gymnasium-like API (`reset`, `step`, an observation
//!   and an action mask) that keeps score.
//! - [`Planner`]: the exact planner (A*), giving the optimal expected number of calls.
//! - [`baselines`], [`policy`], [`train`], [`eval`]: the agents, the learned one, and how they
//!   are measured.

pub mod agent;
mod compile;
mod env;
mod error;
pub mod eval;
pub mod features;
pub mod generator;
mod heuristic;
mod ids;
pub mod metrics;
mod planner;
pub mod policy;
mod puzzle;
mod puzzle_file;
mod rng;
mod spec;
mod state;
pub mod train;

pub use compile::{FieldPath, MAX_ACTIONS, MAX_FACTS, Seg, SpecProblem, compile};
pub use env::{
    CALL_COST, Call, Env, GOAL_REWARD, GOAL_SCORE, INVALID_SCORE, Observation, Outcome,
    REDUNDANT_SCORE, Step,
};
pub use error::FqgError;
pub use heuristic::{RelaxedPlan, h_max, relaxed_plan};
pub use ids::{ActionId, FactId, FunctionId};
pub use planner::{Plan, Planner, Relevance, relevance};
pub use puzzle::{Action, Function, Goal, Param, Puzzle, Role};
pub use puzzle_file::{bundled_dir, check_solvable, load_dir, load_puzzle, parse_puzzle};
pub use rng::Rng;
pub use spec::{FunctionSpec, PuzzleSpec};
pub use state::WorldState;
