//! Environment invariants by proptest on generated puzzles: a seed fixes the episode, the mask
//! offers exactly the calls whose preconditions hold, and the score adds up from the calls.

use std::sync::Arc;

use conductor::fqg::generator::{Split, generate};
use conductor::fqg::{ActionId, Env, GOAL_SCORE, INVALID_SCORE, Outcome, REDUNDANT_SCORE, Role};
use proptest::prelude::*;

/// Plays `choices` (indices into the valid actions, or into all actions when `any` is set).
fn play(env: &mut Env, choices: &[usize], any: bool) -> Vec<(ActionId, f64)> {
    let mut out = Vec::new();
    for &c in choices {
        if env.done() {
            break;
        }
        let action = if any {
            ActionId((c % env.puzzle().actions.len()) as u16)
        } else {
            let valid = env.valid_actions();
            valid[c % valid.len()]
        };
        let step = env.step(action);
        out.push((action, step.reward));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn same_seed_same_episode(level in 1u32..=20, index in 0u64..1000, seed in any::<u64>(),
                              choices in prop::collection::vec(0usize..64, 1..40)) {
        let puzzle = Arc::new(generate(level, index, Split::Train).expect("generates"));
        let mut a = Env::new(Arc::clone(&puzzle));
        let mut b = Env::new(Arc::clone(&puzzle));
        a.reset(seed);
        b.reset(seed);
        prop_assert_eq!(play(&mut a, &choices, false), play(&mut b, &choices, false));
        prop_assert_eq!(a.history(), b.history());
        prop_assert_eq!(a.state(), b.state());
        // And a reset replays it exactly.
        let first = a.history().to_vec();
        a.reset(seed);
        play(&mut a, &choices, false);
        prop_assert_eq!(a.history(), &first[..]);
    }

    #[test]
    fn the_mask_offers_exactly_the_valid_calls(level in 1u32..=20, index in 0u64..1000,
                                               choices in prop::collection::vec(0usize..64, 1..40)) {
        let puzzle = Arc::new(generate(level, index, Split::Heldout).expect("generates"));
        let mut env = Env::new(Arc::clone(&puzzle));
        for &c in &choices {
            let mask = env.action_mask();
            for (i, allowed) in mask.iter().enumerate() {
                let valid = !env.done() && puzzle.actions[i].applicable(env.state());
                prop_assert_eq!(*allowed, valid);
            }
            if env.done() {
                break;
            }
            let valid = env.valid_actions();
            let step = env.step(valid[c % valid.len()]);
            prop_assert_ne!(step.observation.last.map(|l| l.outcome), Some(Outcome::Invalid));
        }
    }

    #[test]
    fn the_score_is_the_sum_of_the_documented_parts(level in 1u32..=20, index in 0u64..1000,
                                                    seed in any::<u64>(), any_call in any::<bool>(),
                                                    choices in prop::collection::vec(0usize..512, 1..40)) {
        let puzzle = Arc::new(generate(level, index, Split::Train).expect("generates"));
        let mut env = Env::new(Arc::clone(&puzzle));
        env.reset(seed);
        play(&mut env, &choices, any_call);
        let mut total = 0;
        let mut rewarded = std::collections::HashSet::new();
        let calls = env.history().len();
        for (i, call) in env.history().iter().enumerate() {
            let function = puzzle.function(puzzle.action(call.action).function);
            let mut score = match call.outcome {
                Outcome::Invalid => INVALID_SCORE,
                Outcome::Redundant => REDUNDANT_SCORE,
                Outcome::Failed | Outcome::Success => 0,
            };
            if matches!(call.outcome, Outcome::Success | Outcome::Redundant) {
                if function.role == Role::Harmful {
                    score += function.penalty;
                }
                if function.role == Role::Optional && rewarded.insert(call.action) {
                    score += function.reward;
                }
            }
            if i + 1 == calls && env.goal_reached() {
                score += GOAL_SCORE;
            }
            prop_assert_eq!(call.score, score);
            total += score;
        }
        prop_assert_eq!(env.score(), total);
        prop_assert!(env.steps() <= puzzle.step_limit);
    }
}
