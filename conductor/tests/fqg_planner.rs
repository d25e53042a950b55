//! The exact planner is optimal: on small puzzles (hand-written and low-level generated) its
//! cost equals a brute-force search over every call sequence (deterministic puzzles) or value
//! iteration over every reachable state (puzzles with failing calls).

use std::collections::HashMap;

use conductor::fqg::generator::{Split, generate};
use conductor::fqg::{Planner, Puzzle, WorldState, bundled_dir, load_dir};

/// Shortest number of calls by breadth-first enumeration of all sequences (no pruning).
fn brute_force_calls(puzzle: &Puzzle, limit: usize) -> Option<usize> {
    let mut frontier = vec![puzzle.start];
    for depth in 0..=limit {
        if frontier.iter().any(|s| puzzle.goal.reached(*s)) {
            return Some(depth);
        }
        let mut next = Vec::new();
        for state in &frontier {
            for action in &puzzle.actions {
                if action.applicable(*state) {
                    next.push(action.apply(*state));
                }
            }
        }
        next.sort();
        next.dedup(); // same state, same future: merging keeps every distinct sequence's outcome
        frontier = next;
    }
    None
}

/// Optimal expected calls by value iteration over all reachable states (a failed call is a
/// self-loop, so V(s) = min_a [1 + p·V(s) + (1−p)·V(s')], i.e. (1 + (1−p)V(s'))/(1−p)).
fn value_iteration(puzzle: &Puzzle) -> f64 {
    let mut states = vec![puzzle.start];
    let mut index: HashMap<WorldState, usize> = HashMap::from([(puzzle.start, 0)]);
    let mut i = 0;
    while i < states.len() {
        let s = states[i];
        if !puzzle.goal.reached(s) {
            for a in &puzzle.actions {
                if a.applicable(s) {
                    let n = a.apply(s);
                    if let std::collections::hash_map::Entry::Vacant(e) = index.entry(n) {
                        e.insert(states.len());
                        states.push(n);
                    }
                }
            }
        }
        i += 1;
    }
    let mut v = vec![1e9f64; states.len()];
    for (k, s) in states.iter().enumerate() {
        if puzzle.goal.reached(*s) {
            v[k] = 0.0;
        }
    }
    for _ in 0..10_000 {
        let mut changed = false;
        for (k, s) in states.iter().enumerate() {
            if puzzle.goal.reached(*s) {
                continue;
            }
            let mut best = v[k];
            for a in &puzzle.actions {
                if a.applicable(*s) {
                    let n = a.apply(*s);
                    if n != *s {
                        let q =
                            (1.0 + (1.0 - a.fail_chance) * v[index[&n]]) / (1.0 - a.fail_chance);
                        best = best.min(q);
                    }
                }
            }
            if best < v[k] - 1e-12 {
                v[k] = best;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    v[0]
}

fn small_puzzles() -> Vec<Puzzle> {
    let mut puzzles = load_dir(bundled_dir()).expect("bundled puzzles load");
    for level in 1..=9 {
        for index in 0..6 {
            puzzles.push(generate(level, index, Split::Train).expect("generates"));
        }
    }
    puzzles
}

#[test]
fn the_planner_matches_brute_force_on_deterministic_puzzles() {
    let mut checked = 0;
    for puzzle in small_puzzles() {
        if puzzle.actions.iter().any(|a| a.fail_chance > 0.0) {
            continue;
        }
        let plan = Planner::new(&puzzle).plan(puzzle.start).expect("solvable");
        assert_eq!(
            Some(plan.actions.len()),
            brute_force_calls(&puzzle, 16),
            "{}",
            puzzle.id
        );
        assert!((plan.cost - plan.actions.len() as f64).abs() < 1e-9);
        checked += 1;
    }
    assert!(
        checked >= 40,
        "only {checked} deterministic puzzles checked"
    );
}

#[test]
fn the_planner_matches_value_iteration_with_failing_calls() {
    let puzzles: Vec<Puzzle> = small_puzzles()
        .into_iter()
        .filter(|p| p.actions.iter().any(|a| a.fail_chance > 0.0))
        .collect();
    assert!(
        puzzles.len() >= 10,
        "only {} puzzles with failing calls",
        puzzles.len()
    );
    for puzzle in puzzles {
        let plan = Planner::new(&puzzle).plan(puzzle.start).expect("solvable");
        let exact = value_iteration(&puzzle);
        assert!(
            (plan.cost - exact).abs() < 1e-6,
            "{}: planner {} vs {exact}",
            puzzle.id,
            plan.cost
        );
    }
}

#[test]
fn plans_are_executable_and_reach_the_goal() {
    for puzzle in small_puzzles() {
        let plan = Planner::new(&puzzle).plan(puzzle.start).expect("solvable");
        let mut state = puzzle.start;
        for a in &plan.actions {
            assert!(puzzle.action(*a).applicable(state), "{}", puzzle.id);
            state = puzzle.action(*a).apply(state);
        }
        assert!(puzzle.goal.reached(state));
    }
}
