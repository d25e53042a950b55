//! What the policy sees of each candidate call: features of the world state and of the
//! function, never its identity. Two kinds:
//!
//! - *structural*: what the call would do here — goal facts it makes true or undoes, how the
//!   delete-relaxed plan's cost (`h_FF`) changes, over all calls and over the "safe" calls
//!   (those removing nothing another call needs; the relaxation cannot price such removals),
//!   whether it destroys a fact another planned call needs, whether it changes nothing, its
//!   chance of failing, whether it just failed, how often it was called, its advertised reward;
//! - *lexical*: the function's name, description, signature and arguments as a hashed bag of
//!   words ([`BOW_BUCKETS`] buckets), so that words the policy never saw still land somewhere.
//!
//! Nothing here depends on a function's index or name being known, which is what lets a policy
//! trained on one vocabulary play puzzles written in another.

use super::env::{Env, Outcome};
use super::heuristic::relaxed_plan;
use super::ids::ActionId;
use super::state::WorldState;

/// Structural features per candidate.
pub const STRUCTURAL: usize = 23;
/// Hashed bag-of-words buckets per candidate.
pub const BOW_BUCKETS: usize = 32;
/// Features per candidate.
pub const FEATURES: usize = STRUCTURAL + BOW_BUCKETS;

/// The candidates of one decision and their features, row-major `[candidates × FEATURES]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidates {
    /// The valid actions, in action order.
    pub actions: Vec<ActionId>,
    /// Their features.
    pub features: Vec<f32>,
}

/// FNV-1a, for bag-of-words buckets (stable across platforms and runs).
fn bucket(word: &str) -> usize {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in word.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    (hash % BOW_BUCKETS as u64) as usize
}

/// The hashed bag of words of `text`, added into `out`.
fn bag_of_words(text: &str, out: &mut [f32]) {
    for word in text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        out[bucket(&word.to_ascii_lowercase())] += 1.0;
    }
}

fn clip(x: f64, lo: f64, hi: f64) -> f32 {
    x.clamp(lo, hi) as f32
}

/// Whether `id` removes a fact that another action requires or a goal alternative contains.
fn destructive(puzzle: &super::puzzle::Puzzle, id: ActionId) -> bool {
    let removes = puzzle.action(id).removes;
    if removes.is_empty() {
        return false;
    }
    puzzle
        .goal
        .alternatives
        .iter()
        .any(|alt| !alt.intersection(removes).is_empty())
        || puzzle.action_ids().any(|other| {
            other != id
                && !puzzle
                    .action(other)
                    .requires
                    .intersection(removes)
                    .is_empty()
        })
}

/// The features of every valid action of `env` now (empty when the episode is over).
pub fn candidates(env: &Env) -> Candidates {
    let puzzle = env.puzzle();
    let state = env.state();
    let actions = env.valid_actions();
    let all: Vec<ActionId> = puzzle.action_ids().collect();
    // The "safe" relaxation leaves out calls that remove a fact another call or the goal needs:
    // the delete relaxation cannot see what such a removal costs, so a plan through them can be
    // a mirage (the generator's trap). The network learns when to trust which.
    let safe: Vec<ActionId> = all
        .iter()
        .copied()
        .filter(|&id| !destructive(puzzle, id))
        .collect();
    let now_safe = relaxed_plan(puzzle, &safe, state);
    let now = relaxed_plan(puzzle, &all, state);
    let h0 = now.cost;
    let goal_facts = puzzle
        .goal
        .alternatives
        .iter()
        .fold(WorldState::EMPTY, |acc, alt| acc.union(*alt));
    // How many actions of the relaxed plan need each fact: a call destroys progress when it
    // removes a fact that the goal or *another* planned call needs.
    let mut needers = [0u16; 128];
    for (i, in_plan) in now.actions.iter().enumerate() {
        if *in_plan {
            for fact in puzzle.actions[i].requires.facts() {
                needers[fact.index()] += 1;
            }
        }
    }
    let last = env.history().last();
    let steps = f64::from(env.steps()) / f64::from(puzzle.step_limit.max(1));
    let mut features = Vec::with_capacity(actions.len() * FEATURES);
    for &id in &actions {
        let action = puzzle.action(id);
        let function = puzzle.function(action.function);
        let next = action.apply(state);
        let after = relaxed_plan(puzzle, &all, next);
        let h1 = after.cost;
        let h1_safe = relaxed_plan(puzzle, &safe, next).cost;
        let delta_safe = match (now_safe.cost.is_finite(), h1_safe.is_finite()) {
            (_, false) => 1.0,
            (false, true) => -1.0,
            (true, true) => (h1_safe - now_safe.cost) / 3.0,
        };
        let progress = puzzle
            .goal
            .alternatives
            .iter()
            .map(|alt| {
                (alt.intersection(next).len() as f64 - alt.intersection(state).len() as f64)
                    / alt.len().max(1) as f64
            })
            .fold(f64::NEG_INFINITY, f64::max);
        let undoes_goal = puzzle
            .goal
            .alternatives
            .iter()
            .any(|alt| !alt.intersection(state).difference(next).is_empty());
        let (delta_rel, delta_abs) = if !h1.is_finite() {
            (1.0, 1.0)
        } else if !h0.is_finite() {
            (-1.0, -1.0)
        } else {
            ((h1 - h0) / h0.max(1.0), (h1 - h0) / 3.0)
        };
        let calls = env.history().iter().filter(|c| c.action == id).count() as f64;
        let (last_failed, last_same) = match last {
            Some(c) if c.action == id => {
                (c.outcome == Outcome::Failed, c.outcome != Outcome::Failed)
            }
            _ => (false, false),
        };
        let destroys = action.removes.intersection(state).facts().any(|fact| {
            let own = u16::from(now.actions[id.index()] && action.requires.contains(fact));
            goal_facts.contains(fact) || needers[fact.index()] > own
        });
        let row = [
            1.0,
            clip(progress, -1.0, 1.0),
            f32::from(u8::from(undoes_goal)),
            clip(delta_rel, -1.0, 1.0),
            f32::from(u8::from(!h1.is_finite())),
            clip(delta_abs, -1.0, 1.0),
            f32::from(u8::from(next == state)),
            action.fail_chance as f32,
            clip((action.expected_calls() - 1.0) / 3.0, 0.0, 1.0),
            clip(calls / 3.0, 0.0, 1.0),
            f32::from(u8::from(last_failed)),
            f32::from(u8::from(last_same)),
            function.reward as f32 / 20.0,
            f32::from(u8::from(puzzle.goal.reached(next))),
            f32::from(u8::from(now.actions[id.index()])),
            f32::from(u8::from(destroys)),
            function.params.len() as f32 / 2.0,
            clip(steps, 0.0, 1.0),
            clip(if h0.is_finite() { h0 / 10.0 } else { 2.0 }, 0.0, 2.0),
            if h1.is_finite() {
                (1.0 / (1.0 + h1)) as f32
            } else {
                0.0
            },
            clip(delta_safe, -1.0, 1.0),
            f32::from(u8::from(!h1_safe.is_finite())),
            f32::from(u8::from(now_safe.actions[id.index()])),
        ];
        features.extend_from_slice(&row);
        let mut bow = [0.0f32; BOW_BUCKETS];
        bag_of_words(&function.name, &mut bow);
        bag_of_words(&function.description, &mut bow);
        bag_of_words(&function.signature(), &mut bow);
        for arg in &action.args {
            bag_of_words(arg, &mut bow);
        }
        let norm = bow.iter().map(|x| x * x).sum::<f32>().sqrt().max(1.0);
        features.extend(bow.iter().map(|x| 0.5 * x / norm));
    }
    Candidates { actions, features }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_stable() {
        assert_eq!(bucket("fridge"), bucket("fridge"));
        let mut out = [0.0; BOW_BUCKETS];
        bag_of_words("Open the fridge_door.", &mut out);
        assert_eq!(out.iter().sum::<f32>(), 4.0);
    }
}
