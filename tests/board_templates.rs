//! The board's template browser and parameter forms, driven through the real keymap and
//! `update`, over the bundled templates and the real sample extensions' manifests: search,
//! instantiate with a parameter, save a file equal to a hand-written one, undo; a node's
//! parameters edited in a form generated from its extension's config schema, a bad value
//! refused at its field; whole screens of the browser with a preview and of a form.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod board_support;
mod common;

use std::path::Path;

use board_support::Board;
use common::Harness;
use extensions::{Installed, Manifest};
use pit::dag::{LoadOptions, Workflow, load_file, parse_toml};
use serde_json::Value;
use symphony::adapters::MemoryEditor;
use symphony::app::Action;
use symphony::app::Effect;
use symphony::app::board::browser;
use symphony::app::board::form::Form;
use symphony::app::board::library::Library;
use symphony::app::board::state::Tone;
use symphony::app::board::{BoardAction, BoardOverlay};
use symphony::app::state::Overlay;
use symphony::ui::board_library::{LibraryLoader, library_of};
use symphony::ui::board_tasks::BoardTasks;

/// The sample extensions, installed as they are in the repository.
fn samples() -> Vec<Installed> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("extensions/examples");
    ["llm", "text-ops", "word-count", "embedding"]
        .iter()
        .map(|name| {
            let dir = root.join(name);
            Installed {
                manifest: Manifest::load(&dir).unwrap(),
                dir,
            }
        })
        .collect()
}

fn library_action() -> Action {
    let templates = conductor::templates::bundled().unwrap();
    Action::Board(BoardAction::Library(Box::new(library_of(
        templates,
        &samples(),
    ))))
}

/// The board with the library loaded.
fn board() -> Board {
    let mut b = Board::new();
    b.act(library_action());
    b
}

/// The form open on the board.
fn open_form(b: &Board) -> &Form {
    match &b.state.overlay {
        Some(Overlay::Board(BoardOverlay::Form(form))) => form,
        other => panic!("expected a form, got {other:?}"),
    }
}

/// `review-diff` with `focus = "security"`, compiled over the samples: the `plan.input`
/// node for the diff, then the LLM call with the recovery policy's retries and handling.
const REVIEW_SECURITY: &str = r#"
version = 1
name = "review-diff"
description = "Asks the configured language model to review a diff: bugs, risks and style, most serious first."

[[nodes]]
id = "plan.input"
kind = "input"
name = "diff"

[[nodes]]
id = "review"
kind = "instrument"
name = "llm.chat"
runner = "symphony.llm"
params = { method = "chat", temperature = 0.1, system = "You review code changes. Focus on security first. List problems most serious first, each with the line it concerns." }
retries = 4
backoff = "200ms"
on_failure = "fail"

[[edges]]
from = "plan.input"
to = "review"
kind = "control"
"#;

#[test]
fn a_template_found_by_search_and_given_a_parameter_saves_as_the_hand_written_file() {
    let mut b = board();
    b.keys("t");
    assert!(matches!(
        b.state.overlay,
        Some(Overlay::Board(BoardOverlay::Templates(_)))
    ));
    // A typo, rubbed out: Backspace works in the browser.
    b.type_text("revx");
    b.keys("<Backspace>");
    b.type_text("iew");
    b.keys("<Enter>");
    let form = open_form(&b);
    assert_eq!(form.fields.len(), 1);
    assert_eq!(form.fields[0].spec.name, "focus");
    assert_eq!(
        form.fields[0].input, "correctness",
        "the default is filled in"
    );
    // Replace the default.
    for _ in 0.."correctness".len() {
        b.keys("<Backspace>");
    }
    b.type_text("security");
    b.keys("<Enter>");
    assert_eq!(b.state.overlay, None);
    assert!(
        b.state.board.modified,
        "an instantiated template is unsaved"
    );
    assert!(b.state.board.is_valid(), "{:?}", b.state.board.report);
    assert_eq!(b.state.board.path, None);
    let (tone, text) = b.notice();
    assert_eq!(tone, Tone::Info);
    assert!(text.contains("added template `review-diff`"), "{text}");

    // Saving asks for a path the first time.
    b.keys("s");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("review.toml");
    b.type_text(path.to_str().unwrap());
    b.keys("<Enter>");
    let (saved_to, text) = b.saved().expect("a save");
    assert_eq!(saved_to, path);
    std::fs::write(&path, &text).unwrap();
    let (_, loaded) = load_file(&path, &LoadOptions::default()).unwrap();
    let expected = parse_toml(REVIEW_SECURITY, "expected").unwrap();
    assert_eq!(loaded, expected);
    assert!(Workflow::build(&loaded).is_ok());

    // One undo takes the whole template away, name and all; redo brings it back.
    b.keys("u");
    assert!(b.state.board.is_empty());
    assert_eq!(b.file().name, None);
    b.keys("r");
    assert_eq!(b.file(), &expected);
}

#[test]
fn a_template_added_to_a_workflow_gets_fresh_ids_where_they_clash() {
    let mut b = board();
    b.keys("t");
    b.type_text("shout-words");
    b.keys("<Enter>");
    assert_eq!(b.state.overlay, None, "no parameters: added at once");
    b.keys("t");
    b.type_text("vocabulary");
    b.keys("<Enter>");
    let ids: Vec<&str> = b.file().nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "plan.input",
            "split",
            "shout",
            "plan.input-2",
            "lower",
            "split-2"
        ]
    );
    assert_eq!(b.file().name.as_deref(), Some("shout-words"));
    assert!(b.state.board.is_valid(), "{:?}", b.state.board.report);
}

#[test]
fn a_template_whose_extension_is_not_installed_stays_in_the_browser_with_the_reason() {
    let mut b = board();
    let mut library = library_of(conductor::templates::bundled().unwrap(), &samples()[1..]);
    library.problem = None;
    b.act(Action::Board(BoardAction::Library(Box::new(library))));
    b.keys("t");
    b.type_text("summarise");
    b.keys("<Enter>");
    let Some(Overlay::Board(BoardOverlay::Templates(browser))) = &b.state.overlay else {
        panic!("the browser stays open");
    };
    let problem = browser.problem.clone().unwrap();
    assert!(
        problem.contains("needs llm.chat, which no installed extension provides"),
        "{problem}"
    );
    assert!(b.state.board.is_empty());
}

#[test]
fn a_node_form_from_the_config_schema_refuses_a_bad_value_at_its_field_then_saves() {
    let mut b = board();
    b.keys("t");
    b.type_text("review-diff");
    b.keys("<Enter> <Enter>");
    // Down to the LLM call, and its form (Enter on a node, outside connect mode).
    b.keys("<Down>");
    assert_eq!(b.state.board.selected.as_ref().unwrap().as_str(), "review");
    b.keys("<Enter>");
    let names: Vec<String> = open_form(&b)
        .fields
        .iter()
        .map(|f| f.spec.name.clone())
        .collect();
    // The method, the manifest's settings (the secret api_key left out), the node's others.
    assert_eq!(
        names,
        ["method", "base_url", "model", "system", "temperature"]
    );
    // temperature: not a number.
    b.keys("<Up>");
    assert_eq!(open_form(&b).selected, 4);
    b.keys("<Backspace> <Backspace> <Backspace>");
    b.type_text("hot");
    b.keys("<Enter>");
    let form = open_form(&b);
    assert_eq!(
        form.fields[4].error.as_deref(),
        Some("`hot` is not a number")
    );
    assert_eq!(form.selected, 4, "the refused field is selected");
    let before = b.file().clone();
    // Fix it, and set the model (a string setting from the schema).
    b.keys("<Backspace> <Backspace> <Backspace>");
    b.type_text("0.7");
    b.keys("<Tab> <Tab> <Tab>");
    assert_eq!(open_form(&b).selected, 2);
    b.type_text("qwen");
    b.keys("<Enter>");
    assert_eq!(b.state.overlay, None);
    let node = b
        .file()
        .nodes
        .iter()
        .find(|n| n.id.as_str() == "review")
        .unwrap();
    assert_eq!(node.params["temperature"], Value::from(0.7));
    assert_eq!(node.params["model"], Value::from("qwen"));
    assert_eq!(node.params["method"], Value::from("chat"));
    assert!(
        !node.params.contains_key("base_url"),
        "an empty setting is left to the extension"
    );
    assert!(b.state.board.is_valid());
    // Undoable like any edit.
    b.keys("u");
    assert_eq!(b.file(), &before);
}

#[test]
fn a_method_the_extension_does_not_offer_is_refused_and_space_picks_one_it_does() {
    let mut b = board();
    let file = parse_toml(
        &REVIEW_SECURITY.replace("method = \"chat\"", "method = \"chatt\""),
        "typo",
    )
    .unwrap();
    b.act(Action::Board(BoardAction::Show {
        file,
        path: Some("review.toml".into()),
    }));
    b.keys("<Down> e");
    assert_eq!(open_form(&b).fields[0].input, "chatt");
    b.keys("<Enter>");
    assert_eq!(
        open_form(&b).fields[0].error.as_deref(),
        Some("`chatt` is not one of: chat")
    );
    // The method is a choice: Backspace clears it (then it is required), Space picks one.
    b.keys("<Backspace> <Enter>");
    assert_eq!(
        open_form(&b).fields[0].error.as_deref(),
        Some("required: give a value")
    );
    b.keys("<Space>");
    assert_eq!(open_form(&b).fields[0].input, "chat");
    b.keys("<Enter>");
    assert_eq!(b.state.overlay, None);
    assert_eq!(
        b.file().nodes[1].params["method"],
        Value::from("chat"),
        "saved in the node's params"
    );
    assert!(b.state.board.modified);
    // Esc leaves a form without a change.
    b.keys("e <Space> <Esc>");
    assert_eq!(b.state.overlay, None);
    assert_eq!(b.file().nodes[1].params["method"], Value::from("chat"));
}

/// A template of the user's: a parameter with a number default, and a small diamond.
const TIDY: &str = r#"
title = "Tidy and count"
description = "Lower-cases the text, then splits it into words and counts them side by side."
input = "text"

[params.limit]
description = "Most words kept"
default = 100

[params.note]
description = "A line for the log"

[[steps]]
id = "lower"
capability = "text.lower"

[[steps]]
id = "split"
capability = "text.split-words"
params = { max = "{{limit}}", note = "{{note}}" }
after = ["lower"]

[[steps]]
id = "count"
capability = "text.count-words"
after = ["lower"]
importance = "optional"
"#;

#[test]
fn the_template_browser_with_a_preview() {
    let mut templates = conductor::templates::bundled().unwrap();
    templates.push(conductor::templates::Template::parse(TIDY, Path::new("tidy.toml")).unwrap());
    let library = library_of(templates, &samples());
    let mut h = Harness::memory(120, 40, vec![]);
    h.act(Action::Board(BoardAction::Library(Box::new(library))));
    h.keys("<A-3> <A-z> t");
    h.type_text("t");
    insta::assert_snapshot!(h.screen());
}

#[test]
fn a_node_s_parameter_form_with_a_refused_field() {
    let mut h: Harness<MemoryEditor> = Harness::memory(120, 40, vec![]);
    h.act(library_action());
    h.keys("<A-3> <A-z> t");
    h.type_text("summarise");
    h.keys("<Enter> <Enter> <Down> e");
    h.keys("<Up> <Backspace> <Backspace> <Backspace>");
    h.type_text("warm");
    h.keys("<Enter>");
    insta::assert_snapshot!(h.screen());
}

/// The id of the template highlighted in the open browser.
fn highlighted(b: &Board) -> String {
    let Some(Overlay::Board(BoardOverlay::Templates(open))) = &b.state.overlay else {
        panic!("the browser is open");
    };
    let found = browser::matches(&open.query, &b.state.board.library.templates);
    found[open.selected].id.clone()
}

#[test]
fn opening_the_browser_reads_the_library_again_and_the_highlight_stays_when_it_comes() {
    let mut b = board();
    b.keys("t");
    assert_eq!(b.effects, [Effect::BoardReadLibrary]);
    b.keys("<Down> <Down>");
    let before = highlighted(&b);
    // Until the new library comes, the browser shows the old one.
    assert!(b.state.board.library.template("a-tidy").is_none());
    // A template saved since sorts first: the rows move, the highlight stays on its template.
    let mut templates = conductor::templates::bundled().unwrap();
    templates.push(conductor::templates::Template::parse(TIDY, Path::new("a-tidy.toml")).unwrap());
    templates.sort_by(|a, c| a.id.cmp(&c.id));
    b.act(Action::Board(BoardAction::Library(Box::new(library_of(
        templates,
        &samples(),
    )))));
    assert_eq!(highlighted(&b), before);
    assert!(b.state.board.library.template("a-tidy").is_some());
    b.keys("<Up> <Up> <Up>");
    assert_eq!(highlighted(&b), "a-tidy");
    // Each opening asks again.
    b.keys("<Esc> t");
    assert_eq!(
        b.effects,
        [Effect::BoardReadLibrary, Effect::BoardReadLibrary]
    );
}

async fn next_library(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Action>) -> Library {
    loop {
        let action = tokio::time::timeout(std::time::Duration::from_secs(30), rx.recv())
            .await
            .expect("the library comes")
            .expect("an action");
        match action {
            Action::Board(BoardAction::Library(library)) => return *library,
            Action::Board(BoardAction::Extensions(_)) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[test]
fn the_runtime_reads_a_template_saved_since_the_last_read() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let loader = LibraryLoader::new(tx.clone(), Some(dir.path().to_owned()));
        let mut tasks = BoardTasks::new(tx, None).with_library(loader);
        tasks.load_library();
        let first = next_library(&mut rx).await;
        assert!(first.loaded);
        assert!(first.template("tidy").is_none());
        let own = dir.path().join("templates");
        std::fs::create_dir_all(&own).unwrap();
        std::fs::write(own.join("tidy.toml"), TIDY).unwrap();
        let rest = tasks.execute(vec![Effect::BoardReadLibrary]);
        assert!(rest.is_empty(), "the board takes its own effect");
        let second = next_library(&mut rx).await;
        assert_eq!(second.template("tidy").unwrap().title, "Tidy and count");
        assert_eq!(second.problem, None, "{:?}", second.problem);
    });
}
