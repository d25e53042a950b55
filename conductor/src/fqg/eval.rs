//! Evaluation: the policy against the random, greedy and exact-planner baselines, per level,
//! on training, held-out or hand-written puzzles.

use std::sync::Arc;

use serde::Serialize;

use super::agent::{Agent, GreedyAgent, PlannerAgent, RandomAgent, RelaxedPlanAgent};
use super::error::FqgError;
use super::generator::{Split, generate};
use super::metrics::{EpisodeResult, Metrics, play};
use super::policy::{Policy, PolicyAgent};
use super::puzzle::Puzzle;
use super::train::optimum;

/// Where evaluation puzzles come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EvalSplit {
    /// Generated training-split puzzles (indices training never draws).
    Train,
    /// Generated held-out puzzles: other seeds, another vocabulary.
    Heldout,
    /// The hand-written puzzles in `conductor/puzzles/`.
    Handwritten,
}

/// Evaluation settings.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalConfig {
    /// Which puzzles.
    pub split: EvalSplit,
    /// Levels (generated splits).
    pub levels: std::ops::RangeInclusive<u32>,
    /// Puzzles per level (generated splits), or episodes per hand-written puzzle.
    pub episodes: usize,
    /// Seed of the baselines' randomness and of failures.
    pub seed: u64,
}

/// The four agents' metrics on one group of puzzles.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// The level (None for hand-written puzzles).
    pub level: Option<u32>,
    /// The learned policy.
    pub policy: Metrics,
    /// Uniformly random valid calls.
    pub random: Metrics,
    /// Greedy on goal facts.
    pub greedy: Metrics,
    /// The `h_FF` rule alone (what the policy's main feature would do unlearned).
    pub relaxed_plan: Metrics,
    /// The exact planner.
    pub planner: Metrics,
}

/// An evaluation's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalReport {
    /// Which puzzles.
    pub split: EvalSplit,
    /// One row per level (or one for hand-written puzzles).
    pub rows: Vec<Row>,
    /// All rows together.
    pub overall: Row,
}

/// First index of evaluation puzzles in the training split: far above what training draws
/// (below 1000 · 2^32 + 2^32), and low enough that `puzzle_seed` stays injective (< 2^58).
const TRAIN_EVAL_OFFSET: u64 = 1 << 50;

fn run_all(puzzles: &[(Arc<Puzzle>, u64)], agent: &mut dyn Agent) -> Vec<EpisodeResult> {
    puzzles
        .iter()
        .map(|(puzzle, seed)| play(puzzle, optimum(puzzle), agent, *seed))
        .collect()
}

fn row(
    level: Option<u32>,
    policy: &Policy,
    puzzles: &[(Arc<Puzzle>, u64)],
    seed: u64,
    all: &mut [Vec<EpisodeResult>; 5],
) -> Row {
    let results = [
        run_all(puzzles, &mut PolicyAgent::greedy(policy)),
        run_all(puzzles, &mut RandomAgent::new(seed ^ 0xA)),
        run_all(puzzles, &mut GreedyAgent::new(seed ^ 0xB)),
        run_all(puzzles, &mut RelaxedPlanAgent),
        run_all(puzzles, &mut PlannerAgent::new()),
    ];
    let metrics: Vec<Metrics> = results.iter().map(|r| Metrics::of(r)).collect();
    for (acc, r) in all.iter_mut().zip(results) {
        acc.extend(r);
    }
    Row {
        level,
        policy: metrics[0],
        random: metrics[1],
        greedy: metrics[2],
        relaxed_plan: metrics[3],
        planner: metrics[4],
    }
}

/// Evaluates `policy`; `progress(done, total)` is called after each group.
pub fn evaluate(
    policy: &Policy,
    config: &EvalConfig,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<EvalReport, FqgError> {
    let mut all: [Vec<EpisodeResult>; 5] = Default::default();
    let mut rows = Vec::new();
    match config.split {
        EvalSplit::Handwritten => {
            let puzzles = super::puzzle_file::load_dir(super::puzzle_file::bundled_dir())?;
            let mut list = Vec::new();
            for puzzle in puzzles {
                let puzzle = Arc::new(puzzle);
                for e in 0..config.episodes.max(1) {
                    list.push((Arc::clone(&puzzle), config.seed.wrapping_add(e as u64)));
                }
            }
            rows.push(row(None, policy, &list, config.seed, &mut all));
            progress(1, 1);
        }
        EvalSplit::Train | EvalSplit::Heldout => {
            let (split, offset) = match config.split {
                EvalSplit::Train => (Split::Train, TRAIN_EVAL_OFFSET),
                _ => (Split::Heldout, 0),
            };
            let total = config.levels.clone().count();
            for (n, level) in config.levels.clone().enumerate() {
                let mut list = Vec::new();
                for i in 0..config.episodes as u64 {
                    let puzzle = Arc::new(generate(level, offset + i, split)?);
                    list.push((puzzle, config.seed.wrapping_add(i)));
                }
                rows.push(row(Some(level), policy, &list, config.seed, &mut all));
                progress(n + 1, total);
            }
        }
    }
    let overall = Row {
        level: None,
        policy: Metrics::of(&all[0]),
        random: Metrics::of(&all[1]),
        greedy: Metrics::of(&all[2]),
        relaxed_plan: Metrics::of(&all[3]),
        planner: Metrics::of(&all[4]),
    };
    Ok(EvalReport {
        split: config.split,
        rows,
        overall,
    })
}
