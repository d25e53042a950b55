//! Generator properties: every generated puzzle compiles, is solvable, and the exact planner's
//! optimum is the one the generator built; splits use disjoint vocabularies; a seed fixes the
//! puzzle.

use conductor::fqg::generator::{
    LevelConfig, MAX_LEVEL, Split, TRAIN, generate, parse_levels, puzzle_seed,
};
use conductor::fqg::{FqgError, Planner};

#[test]
fn the_planner_finds_the_intended_optimum_on_every_level() {
    for level in 1..=MAX_LEVEL {
        for index in 0..12 {
            for split in [Split::Train, Split::Heldout] {
                let puzzle = generate(level, index, split).expect("generates");
                let intended = puzzle.intended_optimum.expect("generated puzzles know it");
                let plan = Planner::new(&puzzle).plan(puzzle.start).unwrap_or_else(|| {
                    panic!("{} is unsolvable", puzzle.id);
                });
                assert!(
                    (plan.cost - intended).abs() < 1e-9,
                    "{}: planner {} vs intended {intended}",
                    puzzle.id,
                    plan.cost
                );
                assert!(f64::from(puzzle.step_limit) >= 2.0 * intended);
            }
        }
    }
}

#[test]
fn levels_grow_harder() {
    let first = LevelConfig::for_level(1).expect("level 1");
    let last = LevelConfig::for_level(20).expect("level 20");
    assert!(last.chain > first.chain && last.distractors > first.distractors);
    assert!(last.branch && !first.branch && last.flaky > 0 && last.detours > 0);
    assert!(matches!(
        LevelConfig::for_level(21),
        Err(FqgError::Level(21))
    ));
    let easy = generate(1, 0, Split::Train).expect("generates");
    let hard = generate(20, 0, Split::Train).expect("generates");
    assert!(hard.actions.len() > 3 * easy.actions.len());
}

#[test]
fn a_seed_fixes_the_puzzle_and_splits_never_share_one() {
    assert_eq!(
        generate(9, 3, Split::Train).expect("ok"),
        generate(9, 3, Split::Train).expect("ok")
    );
    assert_ne!(
        generate(9, 3, Split::Train).expect("ok"),
        generate(9, 4, Split::Train).expect("ok")
    );
    let mut seen = std::collections::HashSet::new();
    for split in [Split::Train, Split::Heldout] {
        for level in 1..=MAX_LEVEL {
            for index in 0..200 {
                assert!(
                    seen.insert(puzzle_seed(split, level, index)),
                    "seed repeated"
                );
            }
        }
    }
}

#[test]
fn heldout_puzzles_use_no_training_word() {
    for level in [1, 10, 20] {
        let puzzle = generate(level, 5, Split::Heldout).expect("generates");
        for function in &puzzle.functions {
            for word in function.name.split('_') {
                assert!(
                    !TRAIN.verbs.contains(&word) && !TRAIN.nouns.contains(&word),
                    "{word} of {} is a training word",
                    function.name
                );
            }
        }
    }
}

#[test]
fn level_ranges_parse() {
    assert_eq!(parse_levels("1-20").expect("ok"), 1..=20);
    assert_eq!(parse_levels("7").expect("ok"), 7..=7);
    assert!(
        parse_levels("0-3").is_err() && parse_levels("5-2").is_err() && parse_levels("x").is_err()
    );
}
