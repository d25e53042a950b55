//! The hand-written puzzles load, are solvable, and play as written; malformed files get
//! errors naming the line and field.

use std::sync::Arc;

use conductor::fqg::{Env, FqgError, Outcome, Planner, bundled_dir, load_dir, parse_puzzle};
use proptest::prelude::*;

#[test]
fn at_least_thirty_bundled_puzzles_load_and_are_solvable() {
    let puzzles = load_dir(bundled_dir()).expect("bundled puzzles load");
    assert!(puzzles.len() >= 30, "only {} puzzles", puzzles.len());
    for puzzle in &puzzles {
        let plan = Planner::new(puzzle).plan(puzzle.start).expect("solvable");
        assert!(plan.cost >= 2.0, "{} is trivial", puzzle.id);
    }
}

#[test]
fn the_milk_puzzle_plays_as_the_story_says() {
    let puzzle = Arc::new(
        load_dir(bundled_dir())
            .expect("loads")
            .into_iter()
            .find(|p| p.id == "01_glass_of_milk")
            .expect("the milk puzzle exists"),
    );
    let plan = Planner::new(&puzzle).plan(puzzle.start).expect("solvable");
    let labels: Vec<String> = plan
        .actions
        .iter()
        .map(|a| puzzle.action_label(*a))
        .collect();
    assert_eq!(
        labels,
        [
            "open_fridge()",
            "grab_item(milk)",
            "pour_into_glass()",
            "drink_from_glass()"
        ]
    );
    let mut env = Env::new(Arc::clone(&puzzle));
    env.reset(7);
    for (i, action) in plan.actions.iter().enumerate() {
        let step = env.step(*action);
        assert_eq!(step.terminated, i + 1 == plan.actions.len());
    }
    assert_eq!(env.score(), 100);
    assert!(
        env.action_mask().iter().all(|m| !m),
        "nothing is valid after the goal"
    );
}

#[test]
fn redundant_optional_and_invalid_calls_score_as_documented() {
    let text = std::fs::read_to_string(bundled_dir().join("01_glass_of_milk.toml")).expect("reads");
    let puzzle = Arc::new(parse_puzzle(&text, "milk", "milk").expect("parses"));
    let id = |label: &str| {
        puzzle
            .action_ids()
            .find(|a| puzzle.action_label(*a) == label)
            .expect("label exists")
    };
    let mut env = Env::new(Arc::clone(&puzzle));
    let step = env.step(id("drink_from_glass()"));
    assert_eq!(
        step.observation.last.as_ref().map(|c| c.outcome),
        Some(Outcome::Invalid)
    );
    assert_eq!(env.score(), -10);
    env.step(id("turn_on_radio()"));
    env.step(id("turn_on_radio()"));
    assert_eq!(env.history()[2].outcome, Outcome::Redundant);
    assert_eq!(env.score(), -15);
    env.step(id("open_fridge()"));
    env.step(id("close_fridge()"));
    assert_eq!(env.score(), -5, "the optional step earns its +10");
}

fn error(text: &str) -> String {
    match parse_puzzle(text, "bad.toml", "bad") {
        Ok(_) => panic!("accepted a malformed puzzle"),
        Err(e) => e.to_string(),
    }
}

const HEAD: &str = "title = \"t\"\nstory = \"s\"\ngoal = [\"done\"]\n";

#[test]
fn toml_syntax_errors_name_line_and_column() {
    let message = error(&format!(
        "{HEAD}[[function]]\nname = \"go\nadds = [\"done\"]\n"
    ));
    assert!(message.starts_with("bad.toml:5:"), "{message}");
}

#[test]
fn unknown_fields_are_errors_with_their_line() {
    let message = error(&format!(
        "{HEAD}[[function]]\nname = \"go\"\ndescription = \"d\"\nadd = [\"done\"]\n"
    ));
    assert!(message.starts_with("bad.toml:7:"), "{message}");
    assert!(message.contains("add"), "{message}");
}

#[test]
fn unknown_parameter_types_name_the_field_and_line() {
    let message = error(&format!(
        "{HEAD}[objects]\nitem = [\"a\"]\n\n[[function]]\nname = \"go\"\ndescription = \"d\"\n\
         params = [\"x: thing\"]\nadds = [\"done\"]\n"
    ));
    assert!(
        message.starts_with("bad.toml:10: field `function[0].params[0]`"),
        "{message}"
    );
    assert!(
        message.contains("thing") && message.contains("types: item"),
        "{message}"
    );
}

#[test]
fn unknown_placeholders_and_bad_scores_are_reported() {
    let message = error(&format!(
        "{HEAD}[[function]]\nname = \"go\"\ndescription = \"d\"\nadds = [\"done({{who}})\"]\n"
    ));
    assert!(
        message.contains("function[0].adds[0]") && message.contains("{who}"),
        "{message}"
    );
    assert!(message.starts_with("bad.toml:7:"), "{message}");
    let message = error(&format!(
        "{HEAD}[[function]]\nname = \"go\"\ndescription = \"d\"\nreward = 50\nadds = [\"done\"]\n"
    ));
    assert!(message.contains("function[0].reward"), "{message}");
    let message = error(&format!(
        "{HEAD}[[function]]\nname = \"go\"\ndescription = \"d\"\nfail_chance = 1.5\nadds = [\"done\"]\n"
    ));
    assert!(
        message.contains("fail_chance") && message.starts_with("bad.toml:7:"),
        "{message}"
    );
}

#[test]
fn duplicate_functions_and_missing_goals_are_reported() {
    let message = error(&format!(
        "{HEAD}[[function]]\nname = \"go\"\ndescription = \"d\"\nadds = [\"done\"]\n\n\
         [[function]]\nname = \"go\"\ndescription = \"e\"\n"
    ));
    assert!(
        message.contains("declared twice") && message.starts_with("bad.toml:10:"),
        "{message}"
    );
    let message =
        error("title = \"t\"\nstory = \"s\"\n[[function]]\nname = \"go\"\ndescription = \"d\"\n");
    assert!(message.contains("no goal"), "{message}");
}

#[test]
fn unsolvable_puzzles_are_rejected() {
    let result = parse_puzzle(
        &format!("{HEAD}[[function]]\nname = \"go\"\ndescription = \"d\"\nadds = [\"dome\"]\n"),
        "bad.toml",
        "bad",
    );
    assert!(
        matches!(result, Err(FqgError::Unsolvable { .. })),
        "{result:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Damaged puzzle files (bytes cut, characters inserted) are accepted or refused with an
    /// error, never a panic.
    #[test]
    fn damaged_files_never_panic(cut in 0usize..2000, len in 0usize..40, insert in "[\\[\\]{}\"=!,a-zé\n ]{0,6}") {
        let text = std::fs::read_to_string(bundled_dir().join("08_feed_cat.toml")).expect("reads");
        let at = text.char_indices().map(|(i, _)| i).find(|i| *i >= cut.min(text.len())).unwrap_or(text.len());
        let end = text[at..].char_indices().map(|(i, _)| at + i).nth(len).unwrap_or(text.len());
        let damaged = format!("{}{insert}{}", &text[..at], &text[end..]);
        if let Err(error) = parse_puzzle(&damaged, "cat.toml", "cat") {
            prop_assert!(error.to_string().starts_with("cat.toml"), "{error}");
        }
    }
}
