//! The offline planner over a catalog like the sample extensions': clauses become steps in
//! the order said, a template stands in only when it covers what was asked, a step that
//! cannot read what the one before makes gets a conversion chosen by the FQG policy, and an
//! intent nothing serves is refused naming the closest capabilities.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use conductor::plan::{Capability, CapabilityId, Catalog, ProviderId};
use conductor::planning::{LexicalMatcher, OfflinePlanner, PlanContext, Planner, PlannerError};
use conductor::templates::{self, Template};

fn capability(id: &str, provider: &str, description: &str, io: (&str, &str)) -> Capability {
    let mut c = Capability::new(
        CapabilityId::new(id).unwrap(),
        ProviderId::new(provider).unwrap(),
        id.rsplit('.').next().unwrap(),
        description,
    );
    c.inputs = vec![io.0.to_owned()];
    c.outputs = vec![io.1.to_owned()];
    c
}

fn catalog() -> Catalog {
    let text = ("text/plain", "text/plain");
    Catalog::new(vec![
        capability(
            "text.upper",
            "text-ops",
            "ASCII letters to upper case",
            text,
        ),
        capability(
            "text.lower",
            "text-ops",
            "ASCII letters to lower case",
            text,
        ),
        capability("text.split-words", "text-ops", "One word per line", text),
        capability(
            "text.join-lines",
            "text-ops",
            "Lines joined by single spaces",
            text,
        ),
        capability(
            "text.count-words",
            "word-count",
            "Words, lines and characters",
            ("text/plain", "application/vnd.symphony.styled-lines+json"),
        ),
        capability(
            "csv.to-table",
            "tables",
            "A CSV file as an aligned text table",
            ("text/csv", "text/plain"),
        ),
        capability(
            "json.to-csv",
            "tables",
            "JSON records as CSV rows",
            ("application/json", "text/csv"),
        ),
        capability(
            "data.fetch-records",
            "fetcher",
            "Fetch the records of the project as JSON",
            ("text/plain", "application/json"),
        ),
    ])
}

fn planner() -> OfflinePlanner {
    OfflinePlanner::new(
        Box::new(LexicalMatcher::new()),
        conductor::fqg::policy::checked_in().ok(),
    )
}

fn plan(intent: &str, templates: &[Template]) -> Result<Vec<String>, PlannerError> {
    let catalog = catalog();
    let context = PlanContext {
        catalog: &catalog,
        templates,
        input: Some("notes.txt"),
    };
    let drafted = planner().plan(intent, &context, &mut |_| {}, &|| false)?;
    assert_eq!(drafted.plan.input.as_deref(), Some("notes.txt"));
    Ok(drafted
        .plan
        .order()
        .unwrap()
        .into_iter()
        .map(|id| {
            let step = drafted.plan.steps.iter().find(|s| &s.id == id).unwrap();
            step.capability.to_string()
        })
        .collect())
}

#[test]
fn clauses_become_steps_in_the_order_said() {
    assert_eq!(plan("uppercase it", &[]).unwrap(), ["text.upper"]);
    assert_eq!(
        plan(
            "lowercase the text, then split it into words and count them",
            &[]
        )
        .unwrap(),
        ["text.lower", "text.split-words", "text.count-words"]
    );
    assert_eq!(
        plan("count the words after joining the lines", &[]).unwrap(),
        ["text.join-lines", "text.count-words"]
    );
}

#[test]
fn a_clause_that_forbids_something_gets_no_step() {
    assert_eq!(
        plan("lowercase the text but no capital letters", &[]).unwrap(),
        ["text.lower"]
    );
    assert_eq!(
        plan("split it into words, don't count them", &[]).unwrap(),
        ["text.split-words"]
    );
}

#[test]
fn a_template_stands_in_only_when_it_covers_what_was_asked() {
    let bundled = templates::bundled().unwrap();
    // The template says it best, and does what was asked (and splits too).
    assert_eq!(
        plan("make a vocabulary list", &bundled).unwrap(),
        ["text.lower", "text.split-words"]
    );
    // The same capabilities in another order: what the user said wins.
    assert_eq!(
        plan("split it into words and then lowercase them", &bundled).unwrap(),
        ["text.split-words", "text.lower"]
    );
}

#[test]
fn a_step_that_cannot_read_the_last_output_gets_a_conversion() {
    let catalog = catalog();
    let context = PlanContext {
        catalog: &catalog,
        templates: &[],
        input: None,
    };
    let drafted = planner()
        .plan(
            "fetch the records then show the CSV as an aligned table",
            &context,
            &mut |_| {},
            &|| false,
        )
        .unwrap();
    let capabilities: Vec<&str> = drafted
        .plan
        .steps
        .iter()
        .map(|s| s.capability.as_str())
        .collect();
    assert_eq!(
        capabilities,
        ["data.fetch-records", "json.to-csv", "csv.to-table"],
        "{}",
        drafted.explanation
    );
    assert!(
        drafted
            .explanation
            .contains("converting with `json.to-csv`")
    );
    drafted.plan.check(&catalog).unwrap();
}

#[test]
fn an_intent_nothing_serves_is_refused_with_the_closest() {
    let e = plan("bake a chocolate cake", &[]).unwrap_err();
    assert!(matches!(e, PlannerError::NoMatch { .. }), "{e}");
    assert!(e.to_string().contains("symphony ext install"), "{e}");

    let catalog = catalog();
    let context = PlanContext {
        catalog: &catalog,
        templates: &[],
        input: None,
    };
    let e = planner()
        .plan("uppercase it", &context, &mut |_| {}, &|| true)
        .unwrap_err();
    assert_eq!(e, PlannerError::Cancelled);
}
