//! The Conductor chat pane as a person sees it: whole screens (TestBackend + insta) in each of
//! its states, driven through the real keymap and `update` with scripted Conductor reports.
//! Review changes with `cargo insta review`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::Harness;
use conductor::plan::CapabilityId;
use symphony::adapters::MemoryEditor;
use symphony::app::Action;
use symphony::app::chat::{ConductorFailure, ConductorUpdate};
use symphony::ports::conductor::{
    ConductorError, Importance, Output, Plan, Proposal, RunReport, Step, StepId, StepState,
};

fn id(s: &str) -> StepId {
    StepId::new(s).unwrap()
}

fn proposal() -> Proposal {
    let step = |name: &str, capability: &str, after: &[&str], importance| Step {
        id: id(name),
        capability: CapabilityId::new(capability).unwrap(),
        params: Default::default(),
        after: after.iter().map(|a| id(a)).collect(),
        importance,
        undo: None,
    };
    Proposal {
        plan: Plan {
            intent: "sort the lines of notes.txt and add a summary".into(),
            steps: vec![
                step("read", "text.read", &[], Importance::Essential),
                step("sort", "text.sort", &["read"], Importance::Recommended),
                step("summary", "text.summarise", &["sort"], Importance::Optional),
            ],
            input: None,
        },
        planner: "offline".into(),
        explanation: String::new(),
        providers: vec![
            (id("read"), "symphony.text-ops".into()),
            (id("sort"), "symphony.text-ops".into()),
            (id("summary"), "acme.summariser".into()),
        ],
        attachments: Vec::new(),
        resume: None,
    }
}

const REPLY: &str = "## Plan\nI will:\n\n1. **read** the buffer\n2. sort its lines with `text.sort`\n- then *summarise* them\n\n```rust\nlet lines = text.lines().sorted(); // stable\n```\n";

fn report(h: &mut Harness<MemoryEditor>, update: ConductorUpdate) {
    h.act(Action::Conductor(update));
}

fn step(h: &mut Harness<MemoryEditor>, name: &str, state: StepState, attempt: u32, ms: u64) {
    report(
        h,
        ConductorUpdate::Step {
            step: id(name),
            state,
            attempt,
            elapsed: Duration::from_millis(ms),
            detail: (attempt > 1).then(|| "retrying with fewer lines".to_owned()),
        },
    );
}

/// A chat with the request sent, focused, on a terminal of `width`×`height`.
fn asked(width: u16, height: u16) -> Harness<MemoryEditor> {
    let mut h = Harness::memory(width, height, vec![]);
    h.keys("<A-2>");
    h.type_text("sort the lines of notes.txt and add a summary");
    h.keys("<Enter>");
    h
}

fn with_plan(width: u16, height: u16) -> Harness<MemoryEditor> {
    let mut h = asked(width, height);
    for token in REPLY.split_inclusive(' ') {
        report(&mut h, ConductorUpdate::Token(token.to_owned()));
    }
    report(&mut h, ConductorUpdate::Proposed(Box::new(proposal())));
    h
}

#[test]
fn empty() {
    let mut h = Harness::memory(160, 40, vec![]);
    h.keys("<A-2>");
    insta::assert_snapshot!(h.screen());
}

#[test]
fn conductor_not_available() {
    let mut h = Harness::memory(80, 24, vec![]);
    h.state.chat.unavailable = Some("this build does not start the Conductor engine yet".into());
    h.keys("<A-2>");
    h.type_text("sort my notes");
    h.keys("<Enter>");
    insta::assert_snapshot!(h.screen());
}

#[test]
fn streaming() {
    let mut h = asked(100, 30);
    for token in REPLY[..120].split_inclusive(' ') {
        report(&mut h, ConductorUpdate::Token(token.to_owned()));
    }
    insta::assert_snapshot!(h.screen());
}

#[test]
fn plan_awaiting_confirmation() {
    let h = with_plan(100, 36);
    insta::assert_snapshot!(h.screen());
}

#[test]
fn plan_awaiting_confirmation_at_80x24() {
    let h = with_plan(80, 24);
    insta::assert_snapshot!(h.screen());
}

#[test]
fn running() {
    let mut h = with_plan(100, 30);
    h.keys("y");
    step(&mut h, "read", StepState::Running, 1, 0);
    step(&mut h, "read", StepState::Done, 1, 210);
    step(&mut h, "sort", StepState::Failed, 1, 900);
    step(&mut h, "sort", StepState::Running, 2, 1400);
    insta::assert_snapshot!(h.screen());
}

#[test]
fn finished_with_outputs() {
    let mut h = with_plan(100, 30);
    h.keys("y");
    for name in ["read", "sort", "summary"] {
        step(&mut h, name, StepState::Done, 1, 300);
    }
    report(
        &mut h,
        ConductorUpdate::Finished(Box::new(RunReport {
            run_id: "run-7".into(),
            succeeded: true,
            outputs: vec![
                Output {
                    step: id("sort"),
                    name: "notes/sort/sorted.txt".into(),
                    path: PathBuf::from("/runs/run-7/sort/sorted.txt"),
                    preview: Some("apple\nbanana\ncherry\ndate".into()),
                },
                Output {
                    step: id("summary"),
                    name: "notes/summary/summary.md".into(),
                    path: PathBuf::from("/runs/run-7/summary/summary.md"),
                    preview: Some("Four fruits, sorted.".into()),
                },
            ],
            failures: Vec::new(),
            recoveries: vec!["sort: retried once with fewer lines".into()],
            elapsed: Duration::from_millis(2300),
            recorded: None,
        })),
    );
    h.keys("<C-Down>");
    insta::assert_snapshot!(h.screen());
}

#[test]
fn failed_with_the_recovery_offered() {
    let mut h = with_plan(100, 30);
    h.keys("y");
    step(&mut h, "read", StepState::Done, 1, 210);
    step(&mut h, "sort", StepState::Failed, 3, 2900);
    report(
        &mut h,
        ConductorUpdate::Failed(ConductorFailure::Error(ConductorError::Run(
            "step `sort`: symphony.text-ops exited with status 101 after 3 attempts".into(),
        ))),
    );
    insta::assert_snapshot!(h.screen());
}

#[test]
fn a_crash_while_planning_is_reported_and_the_editor_still_works() {
    let mut h = asked(100, 30);
    report(
        &mut h,
        ConductorUpdate::Failed(ConductorFailure::Crashed(
            "attempt to divide by zero".into(),
        )),
    );
    let screen = h.screen();
    assert!(
        screen.contains("the Conductor crashed: attempt to divide by zero; the editor keeps"),
        "{screen}"
    );
    h.keys("<A-1>");
    h.type_text("still typing");
    assert_eq!(h.text(), "still typing");
}

/// Step states are told by a symbol and a colour, never by colour alone.
#[test]
fn step_states_have_a_symbol_and_a_colour() {
    let h = {
        let mut h = with_plan(100, 30);
        h.keys("y");
        step(&mut h, "read", StepState::Done, 1, 210);
        step(&mut h, "sort", StepState::Failed, 1, 900);
        h
    };
    let buffer = h.styled_screen();
    let theme = common::theme();
    let colour_of = |symbol: &str| {
        let area = buffer.area;
        (area.y..area.y + area.height)
            .flat_map(|y| (area.x..area.x + area.width).map(move |x| (x, y)))
            .find(|&(x, y)| {
                buffer[(x, y)].symbol() == symbol && buffer[(x + 2, y)].symbol() != " " && x == 1
            })
            .map(|(x, y)| buffer[(x, y)].fg)
            .unwrap_or_else(|| panic!("no step marked {symbol}"))
    };
    assert_eq!(colour_of("✓"), symphony::ui::colors::color(theme.ui.info));
    assert_eq!(colour_of("✗"), symphony::ui::colors::color(theme.ui.error));
    assert_eq!(colour_of("○"), symphony::ui::colors::color(theme.ui.dim));
}
