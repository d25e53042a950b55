//! Training the policy: REINFORCE with a baseline, through the curriculum of levels.
//!
//! Each iteration plays a batch of training puzzles (most at the current level, the rest at
//! levels already passed, so that nothing is forgotten), sampling calls from the policy. Each
//! call's advantage is its return minus a per-level running baseline (shifted by the call
//! cost already paid, so all calls of an episode share the episode's advantage), normalised
//! over the batch; the loss is `−mean(A · log π(a|s)) − β·entropy`, minimised with AdamW.
//!
//! Promotion: the greedy policy plays fresh puzzles of the current level; the level is passed
//! at ≥95% success, ≥0.8 efficiency and 10 successes in a row. Everything random comes from
//! the seed, so a seed fixes the trained weights.

use std::ops::RangeInclusive;
use std::sync::Arc;

use candle_core::{Device, Tensor};
use candle_nn::{AdamW, Optimizer, ParamsAdamW};
use serde::Serialize;

use super::env::{CALL_COST, Env};
use super::error::FqgError;
use super::features::{FEATURES, candidates};
use super::generator::{Split, generate};
use super::metrics::{EpisodeResult, Metrics, play};
use super::planner::Planner;
use super::policy::{Policy, PolicyAgent, sample};
use super::puzzle::Puzzle;
use super::rng::Rng;

/// Training settings.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    /// The curriculum's levels.
    pub levels: RangeInclusive<u32>,
    /// The seed.
    pub seed: u64,
    /// Episodes per update.
    pub batch: usize,
    /// AdamW's learning rate.
    pub learning_rate: f64,
    /// Entropy bonus.
    pub entropy: f64,
    /// Updates allowed per level before moving on unpassed.
    pub max_iterations_per_level: usize,
    /// Greedy episodes of a promotion test.
    pub promotion_episodes: usize,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            levels: 1..=20,
            seed: 0,
            batch: 16,
            learning_rate: 0.01,
            entropy: 0.01,
            max_iterations_per_level: 40,
            promotion_episodes: 20,
        }
    }
}

/// How one level of the curriculum went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelLog {
    /// The level.
    pub level: u32,
    /// Updates spent on it.
    pub iterations: usize,
    /// Whether the promotion rule was met.
    pub passed: bool,
    /// The last promotion test's success rate.
    pub success: f64,
    /// The last promotion test's efficiency.
    pub efficiency: f64,
}

/// A progress event, for a progress bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// The level being trained.
    pub level: u32,
    /// Updates so far (all levels).
    pub iteration: usize,
    /// The most updates the run can take.
    pub max_iterations: usize,
    /// The curriculum's first and last level.
    pub curriculum: (u32, u32),
    /// The last batch's success rate at this level.
    pub batch_success: f64,
}

/// What training did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainReport {
    /// Per level.
    pub levels: Vec<LevelLog>,
    /// Updates in all.
    pub iterations: usize,
    /// Episodes played in all (training and promotion tests).
    pub episodes: usize,
}

/// One decision recorded for the update.
struct Decision {
    features: Vec<f32>,
    candidates: usize,
    chosen: usize,
    advantage: f32,
}

/// The optimum of a puzzle: the generator's, or the planner's.
pub fn optimum(puzzle: &Puzzle) -> f64 {
    puzzle
        .intended_optimum
        .or_else(|| Planner::new(puzzle).optimum(puzzle.start))
        .unwrap_or(f64::INFINITY)
}

/// Trains a policy; `progress` is called after every update.
pub fn train(
    config: &TrainConfig,
    progress: &mut dyn FnMut(&Progress),
) -> Result<(Policy, TrainReport), FqgError> {
    let policy = Policy::new(config.seed)?;
    let mut optimizer = AdamW::new(
        policy.vars(),
        ParamsAdamW {
            lr: config.learning_rate,
            weight_decay: 0.0,
            ..ParamsAdamW::default()
        },
    )?;
    let mut rng = Rng::new(config.seed);
    // Training episodes and promotion tests draw disjoint index ranges of the training split.
    let mut next_index: u64 = (config.seed % 1000) << 32;
    let mut next_test_index: u64 = next_index + (1 << 31);
    let first = *config.levels.start();
    let mut baseline = [0.0f64; 21];
    let mut report = TrainReport {
        levels: Vec::new(),
        iterations: 0,
        episodes: 0,
    };
    let max_iterations = config.levels.clone().count() * config.max_iterations_per_level;
    for level in config.levels.clone() {
        let mut log = LevelLog {
            level,
            iterations: 0,
            passed: false,
            success: 0.0,
            efficiency: 0.0,
        };
        while log.iterations < config.max_iterations_per_level {
            let mut decisions = Vec::new();
            let mut solved_here = 0;
            let mut played_here = 0;
            for _ in 0..config.batch {
                let l = if level == first || rng.chance(0.7) {
                    level
                } else {
                    rng.range(first as usize, level as usize - 1) as u32
                };
                let puzzle = Arc::new(generate(l, next_index, Split::Train)?);
                next_index += 1;
                let (episode, solved) = rollout(&policy, &puzzle, &mut rng)?;
                report.episodes += 1;
                if l == level {
                    played_here += 1;
                    solved_here += usize::from(solved);
                }
                let g0 = episode.first().map_or(0.0, |d| d.1);
                let b = &mut baseline[l as usize];
                for (t, (decision, ret)) in episode.into_iter().enumerate() {
                    let advantage = ret - (*b + CALL_COST * t as f64);
                    decisions.push(Decision {
                        advantage: advantage as f32,
                        ..decision
                    });
                }
                *b = 0.9 * *b + 0.1 * g0;
            }
            update(&policy, &mut optimizer, &mut decisions, config.entropy)?;
            log.iterations += 1;
            report.iterations += 1;
            let batch_success = solved_here as f64 / played_here.max(1) as f64;
            progress(&Progress {
                level,
                iteration: report.iterations,
                max_iterations,
                batch_success,
                curriculum: (first, *config.levels.end()),
            });
            if batch_success >= 0.8 {
                let results = promotion_test(
                    &policy,
                    level,
                    &mut next_test_index,
                    config.promotion_episodes,
                )?;
                report.episodes += results.len();
                let metrics = Metrics::of(&results);
                log.success = metrics.completion;
                log.efficiency = metrics.efficiency;
                if passes(&results) {
                    log.passed = true;
                    break;
                }
            }
        }
        report.levels.push(log);
    }
    Ok((policy, report))
}

/// The promotion rule: ≥95% success, ≥0.8 efficiency, and 10 successes in a row.
pub fn passes(results: &[EpisodeResult]) -> bool {
    let metrics = Metrics::of(results);
    let mut run = 0;
    let mut best_run = 0;
    for r in results {
        run = if r.solved { run + 1 } else { 0 };
        best_run = best_run.max(run);
    }
    metrics.completion >= 0.95 && metrics.efficiency >= 0.8 && best_run >= 10
}

fn promotion_test(
    policy: &Policy,
    level: u32,
    next_index: &mut u64,
    episodes: usize,
) -> Result<Vec<EpisodeResult>, FqgError> {
    let mut results = Vec::with_capacity(episodes);
    for _ in 0..episodes {
        let puzzle = Arc::new(generate(level, *next_index, Split::Train)?);
        let seed = *next_index;
        *next_index += 1;
        let mut agent = PolicyAgent::greedy(policy);
        results.push(play(&puzzle, optimum(&puzzle), &mut agent, seed));
    }
    Ok(results)
}

/// Plays one episode sampling from the policy; returns each decision with its return-to-go.
fn rollout(
    policy: &Policy,
    puzzle: &Arc<Puzzle>,
    rng: &mut Rng,
) -> Result<(Vec<(Decision, f64)>, bool), FqgError> {
    let mut env = Env::new(Arc::clone(puzzle));
    env.reset(rng.next_u64());
    let mut decisions = Vec::new();
    let mut rewards = Vec::new();
    while !env.done() {
        let c = candidates(&env);
        if c.actions.is_empty() {
            break;
        }
        let scores = policy.scores(&c.features, c.actions.len())?;
        let chosen = sample(&scores, rng);
        let step = env.step(c.actions[chosen]);
        rewards.push(step.reward);
        decisions.push(Decision {
            features: c.features,
            candidates: c.actions.len(),
            chosen,
            advantage: 0.0,
        });
    }
    let mut ret = 0.0;
    let mut out: Vec<(Decision, f64)> = Vec::with_capacity(decisions.len());
    for (decision, reward) in decisions.into_iter().zip(rewards).rev() {
        ret += reward;
        out.push((decision, ret));
    }
    out.reverse();
    Ok((out, env.goal_reached()))
}

/// One REINFORCE update over `decisions` (advantages normalised here).
fn update(
    policy: &Policy,
    optimizer: &mut AdamW,
    decisions: &mut [Decision],
    entropy: f64,
) -> Result<(), FqgError> {
    let t = decisions.len();
    if t == 0 {
        return Ok(());
    }
    let mean = decisions
        .iter()
        .map(|d| f64::from(d.advantage))
        .sum::<f64>()
        / t as f64;
    let var = decisions
        .iter()
        .map(|d| (f64::from(d.advantage) - mean).powi(2))
        .sum::<f64>()
        / t as f64;
    let std = var.sqrt().max(1e-3);
    let k = decisions.iter().map(|d| d.candidates).max().unwrap_or(1);
    let mut x = vec![0.0f32; t * k * FEATURES];
    let mut mask = vec![-1e4f32; t * k];
    let mut onehot = vec![0.0f32; t * k];
    let mut adv = vec![0.0f32; t];
    for (i, d) in decisions.iter().enumerate() {
        let base = i * k * FEATURES;
        x[base..base + d.features.len()].copy_from_slice(&d.features);
        mask[i * k..i * k + d.candidates]
            .iter_mut()
            .for_each(|m| *m = 0.0);
        onehot[i * k + d.chosen] = 1.0;
        adv[i] = ((f64::from(d.advantage) - mean) / std) as f32;
    }
    let dev = Device::Cpu;
    let x = Tensor::from_vec(x, (t * k, FEATURES), &dev)?;
    let mask = Tensor::from_vec(mask, (t, k), &dev)?;
    let onehot = Tensor::from_vec(onehot, (t, k), &dev)?;
    let adv = Tensor::from_vec(adv, t, &dev)?;
    let scores = policy.forward(&x)?.reshape((t, k))?.add(&mask)?;
    let logp = candle_nn::ops::log_softmax(&scores, 1)?;
    let chosen = logp.mul(&onehot)?.sum(1)?;
    let pg = chosen.mul(&adv)?.mean_all()?.neg()?;
    let ent = logp.exp()?.mul(&logp)?.sum(1)?.mean_all()?.neg()?;
    let loss = pg.sub(&ent.affine(entropy, 0.0)?)?;
    optimizer.backward_step(&loss)?;
    Ok(())
}
