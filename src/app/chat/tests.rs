//! `update` tests of the chat: keys, slash commands and the Conductor's reports, through the
//! application's own `update` and keymap.

use std::path::PathBuf;
use std::time::Duration;

use crate::app::effect::Effect;
use crate::app::keymap::Keymap;
use crate::app::keys::parse_keys;
use crate::app::state::{AppState, PaneId};
use crate::app::{Action, update};
use conductor::plan::CapabilityId;

use crate::ports::conductor::{
    Attachment, ConductorError, Importance, Output, Plan, PlanRequest, PlannerChoice, Proposal,
    RunReport, Step, StepId, StepState,
};
use crate::theme::{BUILTIN_THEMES, ColorDepth, Theme};

use super::action::ConductorUpdate;
use super::state::{Call, ConductorFailure, Entry, PlanStatus, RunOutcome, Tone};

/// A state with the chat focused.
pub(crate) fn chat_state(width: u16, height: u16) -> AppState {
    let theme = Theme::parse(BUILTIN_THEMES[0].1, "dark", ColorDepth::TrueColor)
        .expect("the built-in theme parses");
    let mut state = AppState::new((width, height), theme);
    state.layout.focus = PaneId::Conductor;
    state
}

/// Press keys (`<Enter>`, `a`) through the keymap; return every effect.
pub(crate) fn keys(state: &mut AppState, sequence: &str) -> Vec<Effect> {
    let keymap = Keymap::default();
    let mut effects = Vec::new();
    for key in parse_keys(sequence).expect("valid keys") {
        if let Some(action) = keymap.action_for(key, state.layout.focus, state.overlay.as_ref()) {
            effects.extend(update(state, action));
        }
    }
    effects
}

/// Type text literally.
pub(crate) fn type_text(state: &mut AppState, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| update(state, Action::Type(c)))
        .collect()
}

/// Type text and press Enter.
pub(crate) fn send(state: &mut AppState, text: &str) -> Vec<Effect> {
    let mut effects = type_text(state, text);
    effects.extend(keys(state, "<Enter>"));
    effects
}

pub(crate) fn report(state: &mut AppState, report: ConductorUpdate) -> Vec<Effect> {
    update(state, Action::Conductor(report))
}

fn id(s: &str) -> StepId {
    StepId::new(s).expect("a valid step id")
}

/// A three-step plan: read, then sort (recommended), then an optional note.
pub(crate) fn proposal(intent: &str) -> Proposal {
    let step = |name: &str, capability: &str, after: &[&str], importance| Step {
        id: id(name),
        capability: CapabilityId::new(capability).expect("a valid capability"),
        params: Default::default(),
        after: after.iter().map(|a| id(a)).collect(),
        importance,
        undo: None,
    };
    Proposal {
        plan: Plan {
            intent: intent.to_owned(),
            steps: vec![
                step("read", "text.read", &[], Importance::Essential),
                step("sort", "text.sort", &["read"], Importance::Recommended),
                step("note", "text.annotate", &["sort"], Importance::Optional),
            ],
            input: None,
        },
        planner: "offline".into(),
        explanation: "Read the buffer, **sort** its lines, then add a note:\n\n```rust\nlet sorted = lines.sort(); // stable\n```".into(),
        providers: vec![
            (id("read"), "symphony.text-ops".into()),
            (id("sort"), "symphony.text-ops".into()),
            (id("note"), "acme.notes".into()),
        ],
        attachments: Vec::new(),
        resume: None,
    }
}

pub(crate) fn step(name: &str, state: StepState, attempt: u32, millis: u64) -> ConductorUpdate {
    ConductorUpdate::Step {
        step: id(name),
        state,
        attempt,
        elapsed: Duration::from_millis(millis),
        detail: None,
    }
}

pub(crate) fn finished(succeeded: bool) -> RunReport {
    RunReport {
        run_id: "run-7".into(),
        succeeded,
        outputs: vec![Output {
            step: id("sort"),
            name: "wf/sort/sorted.txt".into(),
            path: PathBuf::from("/runs/run-7/sort/sorted.txt"),
            preview: Some("apple\nbanana\ncherry\ndate".into()),
        }],
        failures: if succeeded {
            Vec::new()
        } else {
            vec![(id("note"), "acme.notes exited with status 3".into())]
        },
        recoveries: vec!["sort: retried with fewer lines (attempt 2)".into()],
        elapsed: Duration::from_millis(2300),
        recorded: None,
    }
}

fn last_note(state: &AppState) -> (Tone, String) {
    state
        .chat
        .entries
        .iter()
        .rev()
        .find_map(|e| match e {
            Entry::Note { tone, text } => Some((*tone, text.clone())),
            _ => None,
        })
        .expect("a note")
}

#[test]
fn a_message_asks_for_a_plan_with_the_planner_and_attachments() {
    let mut state = chat_state(160, 48);
    state.chat.attachments.push(Attachment::Text {
        label: "notes.txt (2 lines)".into(),
        text: "b\na\n".into(),
    });
    send(&mut state, "/planner offline");
    let effects = send(&mut state, "sort my notes");
    assert_eq!(
        effects,
        [Effect::ConductorPlan(PlanRequest {
            intent: "sort my notes".into(),
            attachments: vec![Attachment::Text {
                label: "notes.txt (2 lines)".into(),
                text: "b\na\n".into(),
            }],
            planner: PlannerChoice::Offline,
        })]
    );
    assert!(
        state.chat.attachments.is_empty(),
        "attachments go with the request"
    );
    assert!(state.chat.input.is_empty());
    assert!(matches!(&state.chat.in_flight, Some(f) if matches!(f.call, Call::Plan(_))));
    // While it is in flight, a second request is refused and kept in the input.
    assert!(send(&mut state, "another").is_empty());
    assert_eq!(state.chat.input.text(), "another");
    assert!(last_note(&state).1.contains("still planning"));
}

#[test]
fn streamed_tokens_append_to_one_reply_then_the_plan_card_waits() {
    let mut state = chat_state(160, 48);
    send(&mut state, "sort my notes");
    report(
        &mut state,
        ConductorUpdate::Token("Read the buffer, ".into()),
    );
    report(
        &mut state,
        ConductorUpdate::Token("**sort** its lines".into()),
    );
    assert!(matches!(state.chat.entries.last(),
        Some(Entry::Conductor { text, streaming: true }) if text == "Read the buffer, **sort** its lines"));
    let effects = report(
        &mut state,
        ConductorUpdate::Proposed(Box::new(proposal("sort my notes"))),
    );
    assert!(effects.is_empty(), "auto-run is off: the plan waits");
    let replies = state
        .chat
        .entries
        .iter()
        .filter(|e| matches!(e, Entry::Conductor { .. }))
        .count();
    assert_eq!(
        replies, 1,
        "the streamed reply is not repeated by the explanation"
    );
    assert!(state.chat.pending_plan().is_some());
    assert!(state.chat.in_flight.is_none());
}

#[test]
fn the_plan_card_keys_run_discard_and_open_the_board() {
    let mut state = chat_state(160, 48);
    send(&mut state, "sort");
    report(
        &mut state,
        ConductorUpdate::Proposed(Box::new(proposal("sort"))),
    );
    assert!(keys(&mut state, "n").is_empty());
    assert_eq!(state.chat.pending_plan(), None);
    assert!(
        state.chat.input.is_empty(),
        "n acted on the card, it was not typed"
    );

    send(&mut state, "sort");
    report(
        &mut state,
        ConductorUpdate::Proposed(Box::new(proposal("sort"))),
    );
    let effects = keys(&mut state, "e");
    assert_eq!(effects, [Effect::OpenInBoard(proposal("sort"))]);
    assert!(
        state
            .status
            .as_ref()
            .is_some_and(|s| s.text.contains("Harmony Board"))
    );
    assert!(state.chat.pending_plan().is_some(), "the card stays");

    let effects = keys(&mut state, "<Enter>");
    assert_eq!(effects, [Effect::ConductorRun(proposal("sort"))]);
    assert!(state.chat.entries.iter().any(|e| matches!(
        e,
        Entry::Plan {
            status: PlanStatus::Accepted,
            ..
        }
    )));
    assert!(matches!(state.chat.entries.last(), Some(Entry::Run(_))));
}

#[test]
fn typing_a_message_while_a_plan_waits_does_not_confirm_it() {
    let mut state = chat_state(160, 48);
    send(&mut state, "sort");
    report(
        &mut state,
        ConductorUpdate::Proposed(Box::new(proposal("sort"))),
    );
    type_text(&mut state, "also y");
    assert_eq!(state.chat.input.text(), "also y");
    assert!(state.chat.pending_plan().is_some());
    keys(&mut state, "<Esc>");
    assert_eq!(state.chat.pending_plan(), None, "Esc discards the plan");
    keys(&mut state, "<Esc>");
    assert_eq!(
        state.layout.focus,
        PaneId::Editor,
        "then goes back to the editor"
    );
}

#[test]
fn auto_run_runs_the_plan_as_soon_as_it_comes_but_plan_only_does_not() {
    let mut state = chat_state(160, 48);
    send(&mut state, "/auto");
    assert!(state.chat.auto_run);
    send(&mut state, "/plan sort");
    let effects = report(
        &mut state,
        ConductorUpdate::Proposed(Box::new(proposal("sort"))),
    );
    assert!(effects.is_empty(), "/plan never runs");
    send(&mut state, "n");
    assert_eq!(state.chat.pending_plan(), None);
    send(&mut state, "sort");
    let effects = report(
        &mut state,
        ConductorUpdate::Proposed(Box::new(proposal("sort"))),
    );
    assert_eq!(effects, [Effect::ConductorRun(proposal("sort"))]);
}

#[test]
fn run_progress_updates_each_step_and_the_result_lists_outputs() {
    let mut state = chat_state(160, 48);
    send(&mut state, "sort");
    report(
        &mut state,
        ConductorUpdate::Proposed(Box::new(proposal("sort"))),
    );
    send(&mut state, "/run");
    report(&mut state, step("read", StepState::Running, 1, 0));
    report(&mut state, step("read", StepState::Done, 1, 200));
    report(&mut state, step("sort", StepState::Failed, 1, 900));
    report(&mut state, step("sort", StepState::Running, 2, 1400));
    {
        let card = state.chat.latest_run().expect("a run card");
        assert_eq!(card.settled(), 1);
        assert_eq!(card.steps[1].state, Some(StepState::Running));
        assert_eq!(card.steps[1].attempt, 2);
        assert_eq!(card.steps[2].state, None, "not reported yet: waiting");
    }
    report(&mut state, step("sort", StepState::Done, 2, 1500));
    report(&mut state, step("note", StepState::Done, 1, 100));
    report(
        &mut state,
        ConductorUpdate::Finished(Box::new(finished(true))),
    );
    assert!(state.chat.in_flight.is_none());
    assert!(state.chat.last_failure.is_none());
    let card = state.chat.latest_run().expect("a run card");
    assert!(matches!(&card.outcome, RunOutcome::Finished(r) if r.outputs.len() == 1));

    // Alt-o opens the selected output in a buffer and focuses the editor.
    let effects = keys(&mut state, "<A-o>");
    assert_eq!(
        effects,
        [Effect::Open {
            buffer: crate::ports::BufferId(1),
            path: Some(PathBuf::from("/runs/run-7/sort/sorted.txt")),
        }]
    );
    assert_eq!(state.layout.focus, PaneId::Editor);
    // `/insert` reads it for the active buffer; its text is pasted when it arrives.
    state.layout.focus = PaneId::Conductor;
    let effects = send(&mut state, "/insert 1");
    assert_eq!(
        effects,
        [Effect::ReadOutput {
            buffer: crate::ports::BufferId(1),
            path: PathBuf::from("/runs/run-7/sort/sorted.txt"),
        }]
    );
    assert!(send(&mut state, "/open 2").is_empty());
    assert!(last_note(&state).1.contains("no output 2"));
}

#[test]
fn a_failed_run_offers_retry_which_runs_the_same_plan_again() {
    let mut state = chat_state(160, 48);
    send(&mut state, "sort");
    report(
        &mut state,
        ConductorUpdate::Proposed(Box::new(proposal("sort"))),
    );
    keys(&mut state, "y");
    report(&mut state, step("read", StepState::Failed, 3, 50));
    report(
        &mut state,
        ConductorUpdate::Failed(ConductorFailure::Error(ConductorError::Run(
            "text-ops crashed".into(),
        ))),
    );
    let card = state.chat.latest_run().expect("a run card");
    assert_eq!(
        card.outcome,
        RunOutcome::Failed("the run failed: text-ops crashed".into())
    );
    assert!(matches!(state.chat.last_failure, Some(Call::Run(_))));
    let effects = send(&mut state, "/retry");
    assert_eq!(effects, [Effect::ConductorRun(proposal("sort"))]);
    let runs = state
        .chat
        .entries
        .iter()
        .filter(|e| matches!(e, Entry::Run(_)))
        .count();
    assert_eq!(runs, 2, "the retry has its own card");
    // A report that did not succeed is a failure too.
    report(
        &mut state,
        ConductorUpdate::Finished(Box::new(finished(false))),
    );
    assert!(matches!(state.chat.last_failure, Some(Call::Run(_))));
}

#[test]
fn a_failed_plan_is_explained_and_retried_with_the_same_request() {
    let mut state = chat_state(160, 48);
    send(&mut state, "sort");
    report(
        &mut state,
        ConductorUpdate::Failed(ConductorFailure::Crashed("index out of bounds".into())),
    );
    let (tone, text) = last_note(&state);
    assert_eq!(tone, Tone::Error);
    assert!(text.contains("the Conductor crashed: index out of bounds; the editor keeps working"));
    assert!(text.contains("/retry"));
    let effects = send(&mut state, "/retry");
    assert!(matches!(&effects[..], [Effect::ConductorPlan(r)] if r.intent == "sort"));
}

#[test]
fn cancel_asks_once_and_the_cancelled_run_marks_waiting_steps() {
    let mut state = chat_state(160, 48);
    assert!(send(&mut state, "/cancel").is_empty());
    assert!(last_note(&state).1.contains("Nothing is in flight"));
    send(&mut state, "sort");
    report(
        &mut state,
        ConductorUpdate::Proposed(Box::new(proposal("sort"))),
    );
    keys(&mut state, "y");
    report(&mut state, step("read", StepState::Running, 1, 10));
    assert_eq!(keys(&mut state, "<C-c>"), [Effect::ConductorCancel]);
    assert!(keys(&mut state, "<C-c>").is_empty(), "one cancel is enough");
    report(&mut state, step("read", StepState::Cancelled, 1, 20));
    report(
        &mut state,
        ConductorUpdate::Failed(ConductorFailure::Error(ConductorError::Cancelled)),
    );
    let card = state.chat.latest_run().expect("a run card");
    assert!(
        card.steps
            .iter()
            .all(|s| s.state == Some(StepState::Cancelled))
    );
    assert!(matches!(&card.outcome, RunOutcome::Failed(m) if m.contains("cancelled")));
}

#[test]
fn retry_after_a_cancel_resumes_the_run_keeping_its_finished_steps() {
    let mut state = chat_state(160, 48);
    send(&mut state, "sort");
    report(
        &mut state,
        ConductorUpdate::Proposed(Box::new(proposal("sort"))),
    );
    keys(&mut state, "y");
    report(
        &mut state,
        ConductorUpdate::Started {
            run_id: "run-7".into(),
        },
    );
    report(&mut state, step("read", StepState::Done, 1, 10));
    keys(&mut state, "<C-c>");
    report(
        &mut state,
        ConductorUpdate::Failed(ConductorFailure::Error(ConductorError::Cancelled)),
    );
    let card = state.chat.latest_run().expect("a run card");
    assert!(matches!(&card.outcome, RunOutcome::Failed(m) if m.contains("resumes")));
    let effects = send(&mut state, "/retry");
    assert!(
        matches!(&effects[..], [Effect::ConductorRun(p)] if p.resume.as_deref() == Some("run-7")),
        "{effects:?}"
    );
}

#[test]
fn history_and_multi_line_editing() {
    let mut state = chat_state(160, 48);
    send(&mut state, "/auto");
    send(&mut state, "/auto");
    keys(&mut state, "? <Backspace>");
    assert!(
        state.overlay.is_none(),
        "? is typed in the chat, not the help"
    );
    type_text(&mut state, "first");
    keys(&mut state, "<A-Enter>");
    type_text(&mut state, "second");
    keys(&mut state, "<S-Enter>");
    type_text(&mut state, "third");
    assert_eq!(state.chat.input.text(), "first\nsecond\nthird");
    keys(&mut state, "<Up> <Home> <Delete>");
    assert_eq!(
        state.chat.input.text(),
        "first\necond\nthird",
        "Up moved a line"
    );
    keys(&mut state, "<Up> <Up>");
    assert_eq!(
        state.chat.input.text(),
        "/auto",
        "past the first line: history"
    );
    keys(&mut state, "<Down> <Down>");
    assert_eq!(
        state.chat.input.text(),
        "first\necond\nthird",
        "back to the draft"
    );
}

#[test]
fn slash_commands_complete_and_mistakes_are_noted() {
    let mut state = chat_state(160, 48);
    type_text(&mut state, "/he");
    keys(&mut state, "<Tab>");
    assert_eq!(state.chat.input.text(), "/help ");
    keys(&mut state, "<Enter>");
    assert!(last_note(&state).1.contains("`/retry`"));
    let effects = send(&mut state, "/bogus");
    assert!(effects.is_empty());
    let (tone, text) = last_note(&state);
    assert_eq!(tone, Tone::Warning);
    assert!(text.contains("`/bogus` is not a command"), "{text}");
    assert_eq!(state.chat.input.text(), "/bogus", "kept to be fixed");
    keys(
        &mut state,
        "<End> <Backspace> <Backspace> <Backspace> <Backspace> <Backspace> <Backspace>",
    );
    send(&mut state, "/clear");
    assert!(state.chat.entries.is_empty());
    assert!(send(&mut state, "/run").is_empty());
    assert!(last_note(&state).1.contains("No plan awaits"));
}

#[test]
fn attach_takes_the_selection_or_the_whole_buffer() {
    use std::sync::Arc;
    use xi_bridge::protocol::Update;
    let mut state = chat_state(160, 48);
    update(&mut state, Action::OpenFiles(Vec::new()));
    let buffer = state.active_buffer().expect("a scratch buffer").id;
    let lines = serde_json::json!({
        "ops": [{"op": "ins", "n": 2, "lines": [
            {"text": "alpha beta\n", "cursor": [5]},
            {"text": "gamma\n"}
        ]}],
        "pristine": true
    });
    let update_msg: Update = serde_json::from_value(lines).expect("a valid update");
    update(
        &mut state,
        Action::Editor(crate::ports::EditorEvent::Updated {
            buffer,
            update: Arc::new(update_msg),
        }),
    );
    state.layout.focus = PaneId::Conductor;
    send(&mut state, "/attach");
    assert!(matches!(&state.chat.attachments[..],
        [Attachment::Text { label, text }] if text == "alpha beta\ngamma\n" && label.contains("2 lines")));
    let selected = serde_json::json!({
        "ops": [{"op": "copy", "n": 2, "ln": 1}],
        "annotations": [{"type": "selection", "ranges": [[0, 6, 1, 3]], "n": 1}],
        "pristine": true
    });
    let update_msg: Update = serde_json::from_value(selected).expect("a valid update");
    update(
        &mut state,
        Action::Editor(crate::ports::EditorEvent::Updated {
            buffer,
            update: Arc::new(update_msg),
        }),
    );
    send(&mut state, "/attach");
    assert!(matches!(&state.chat.attachments[1],
        Attachment::Text { label, text } if text == "beta\ngam" && label.starts_with("selection of")));
    send(&mut state, "/detach");
    assert!(state.chat.attachments.is_empty());
}

#[test]
fn page_keys_and_the_wheel_scroll_within_the_transcript() {
    let mut state = chat_state(160, 48);
    for n in 0..40 {
        send(
            &mut state,
            &format!("/planner {}", ["offline", "llm"][n % 2]),
        );
    }
    keys(&mut state, "<PageUp>");
    let one_page = state.chat.scroll;
    assert!(one_page > 5, "{one_page}");
    for _ in 0..50 {
        keys(&mut state, "<PageUp>");
    }
    let top = state.chat.scroll;
    update(&mut state, Action::Wheel(3));
    assert_eq!(
        state.chat.scroll,
        top - 3,
        "clamped at the top, so down works at once"
    );
    for _ in 0..50 {
        keys(&mut state, "<PageDown>");
    }
    assert_eq!(state.chat.scroll, 0);
}

#[test]
fn conductor_reports_reach_the_chat_through_an_open_overlay() {
    let mut state = chat_state(160, 48);
    send(&mut state, "sort");
    keys(&mut state, "<F1>");
    report(&mut state, ConductorUpdate::Token("hi".into()));
    assert!(state.overlay.is_some());
    assert!(matches!(
        state.chat.entries.last(),
        Some(Entry::Conductor { .. })
    ));
}
