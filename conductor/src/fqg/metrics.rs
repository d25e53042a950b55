//! Playing episodes and measuring them: completion rate, efficiency (optimal expected calls /
//! calls used), quality (score) and recovery rate (episodes with a failed call that still
//! reached the goal).

use std::sync::Arc;

use serde::Serialize;

use super::agent::Agent;
use super::env::Env;
use super::puzzle::Puzzle;

/// One episode's result.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EpisodeResult {
    /// The goal was reached.
    pub solved: bool,
    /// Calls made.
    pub calls: u32,
    /// The optimal expected calls from the start.
    pub optimal: f64,
    /// The game score.
    pub score: i32,
    /// Calls that failed by chance.
    pub failures: u32,
}

impl EpisodeResult {
    /// Optimal calls / calls used when solved, else 0.
    pub fn efficiency(&self) -> f64 {
        if self.solved && self.calls > 0 {
            (self.optimal / f64::from(self.calls)).min(1.0)
        } else {
            0.0
        }
    }
}

/// Plays one episode of `puzzle` with `agent`, failures drawn from `seed`.
pub fn play(puzzle: &Arc<Puzzle>, optimal: f64, agent: &mut dyn Agent, seed: u64) -> EpisodeResult {
    let mut env = Env::new(Arc::clone(puzzle));
    env.reset(seed);
    agent.begin(&env);
    while !env.done() && !env.valid_actions().is_empty() {
        let action = agent.act(&env);
        env.step(action);
    }
    EpisodeResult {
        solved: env.goal_reached(),
        calls: env.steps(),
        optimal,
        score: env.score(),
        failures: env.failures(),
    }
}

/// Aggregate metrics over episodes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct Metrics {
    /// Episodes.
    pub episodes: usize,
    /// Fraction solved.
    pub completion: f64,
    /// Mean per-episode efficiency (unsolved episodes count 0).
    pub efficiency: f64,
    /// Calls used / optimal expected calls, over solved episodes (1.0 is optimal).
    pub calls_ratio: f64,
    /// Mean score (quality).
    pub quality: f64,
    /// Fraction of episodes with a failed call that still reached the goal (None: no such
    /// episode).
    pub recovery: Option<f64>,
}

impl Metrics {
    /// Metrics of `results`.
    pub fn of(results: &[EpisodeResult]) -> Metrics {
        let n = results.len();
        if n == 0 {
            return Metrics::default();
        }
        let solved: Vec<&EpisodeResult> = results.iter().filter(|r| r.solved).collect();
        let calls: f64 = solved.iter().map(|r| f64::from(r.calls)).sum();
        let optimal: f64 = solved.iter().map(|r| r.optimal).sum();
        let failing: Vec<&EpisodeResult> = results.iter().filter(|r| r.failures > 0).collect();
        Metrics {
            episodes: n,
            completion: solved.len() as f64 / n as f64,
            efficiency: results.iter().map(EpisodeResult::efficiency).sum::<f64>() / n as f64,
            calls_ratio: if optimal > 0.0 { calls / optimal } else { 0.0 },
            quality: results.iter().map(|r| f64::from(r.score)).sum::<f64>() / n as f64,
            recovery: (!failing.is_empty())
                .then(|| failing.iter().filter(|r| r.solved).count() as f64 / failing.len() as f64),
        }
    }
}
