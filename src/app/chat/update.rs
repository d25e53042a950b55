//! The chat's keys and commands: the input box, sending, the plan card's keys, scrolling.

use crate::app::effect::Effect;
use crate::app::state::{AppState, PaneId, Severity};
use crate::app::update::say;

use super::action::ChatKey;
use super::calls;
use super::commands::{self, Command, Completion, Input};
use super::outputs;
use super::state::{Call, Tone};
use super::view::{areas, chat_area, scroll_limit};

/// A key in the chat pane.
pub(crate) fn key(state: &mut AppState, key: ChatKey) -> Vec<Effect> {
    let chat = &mut state.chat;
    match key {
        ChatKey::Submit => return submit(state),
        ChatKey::Newline => chat.input.insert("\n"),
        ChatKey::Backspace => chat.input.backspace(),
        ChatKey::Delete => chat.input.delete(),
        ChatKey::Move(motion) => chat.input.move_cursor(motion),
        ChatKey::Up => {
            if !chat.input.move_line(-1) {
                chat.input.history_previous();
            }
        }
        ChatKey::Down => {
            if !chat.input.move_line(1) {
                chat.input.history_next();
            }
        }
        ChatKey::Complete => complete(state),
        ChatKey::Escape => {
            if chat.pending_plan().is_some() {
                calls::discard(chat);
            } else {
                state.layout.focus = PaneId::Editor;
            }
        }
        ChatKey::CancelCall => return calls::cancel(chat),
        ChatKey::SelectOutput(step) => outputs::select(state, step),
        ChatKey::OpenOutput => return outputs::open(state, None),
        ChatKey::InsertOutput => return outputs::insert(state, None),
    }
    Vec::new()
}

/// A typed character: the plan card's keys when a plan awaits and nothing is typed, else text.
pub(crate) fn type_char(state: &mut AppState, c: char) -> Vec<Effect> {
    let chat = &mut state.chat;
    if chat.input.is_empty() && chat.pending_plan().is_some() {
        match c {
            'y' | 'Y' => return calls::run_pending(state),
            'n' | 'N' => {
                calls::discard(chat);
                return Vec::new();
            }
            'e' | 'E' => return calls::board(state),
            _ => {}
        }
    }
    chat.input.insert(&c.to_string());
    Vec::new()
}

/// Pasted text goes into the input.
pub(crate) fn paste(state: &mut AppState, text: &str) {
    state.chat.input.insert(text);
}

/// Scroll the transcript by `lines` (negative is up, towards older entries).
pub(crate) fn scroll(state: &mut AppState, lines: i64) {
    let Some(area) = chat_area(state.size.0, state.size.1, &state.layout) else {
        return;
    };
    let limit = scroll_limit(&state.chat, area) as i64;
    state.chat.scroll = (state.chat.scroll as i64 - lines).clamp(0, limit) as usize;
}

/// Scroll by pages (negative is up).
pub(crate) fn page(state: &mut AppState, direction: i8) {
    let Some(area) = chat_area(state.size.0, state.size.1, &state.layout) else {
        return;
    };
    let page = areas(area, &state.chat).transcript.height.max(2) as i64 - 1;
    scroll(state, page * i64::from(direction));
}

fn submit(state: &mut AppState) -> Vec<Effect> {
    let chat = &mut state.chat;
    if chat.input.text().trim().is_empty() {
        if chat.pending_plan().is_some() {
            return calls::run_pending(state);
        }
        return Vec::new();
    }
    let text = chat.input.take();
    let parsed = commands::parse(&text);
    if (chat.in_flight.is_some() || chat.unavailable.is_some())
        && matches!(parsed, Input::Message(_) | Input::Command(Command::Plan(_)))
    {
        // Keep the request typed while it cannot be sent: it can be sent later.
        chat.input.set(&text);
    }
    match parsed {
        Input::Message(message) => {
            let run_now = chat.auto_run;
            calls::plan(state, message, run_now)
        }
        Input::Command(command) => run_command(state, command),
        Input::Invalid(message) => {
            // Keep the text so that the mistake can be fixed rather than retyped.
            chat.input.set(&text);
            chat.note(Tone::Warning, message);
            Vec::new()
        }
    }
}

fn run_command(state: &mut AppState, command: Command) -> Vec<Effect> {
    let chat = &mut state.chat;
    match command {
        Command::Plan(text) => return calls::plan(state, text, false),
        Command::Run => return calls::run_pending(state),
        Command::Cancel => return calls::cancel(chat),
        Command::Retry => return calls::retry(state),
        Command::Board => return calls::board(state),
        Command::Attach => outputs::attach(state),
        Command::Detach => {
            let count = chat.attachments.len();
            chat.attachments.clear();
            chat.note(Tone::Info, format!("Dropped {count} attachment(s)"));
        }
        Command::Planner(choice) => {
            chat.planner = choice;
            let name = match choice {
                crate::ports::conductor::PlannerChoice::Auto => {
                    "auto (the LLM when one is configured, else offline)"
                }
                crate::ports::conductor::PlannerChoice::Offline => "offline",
                crate::ports::conductor::PlannerChoice::Llm => "LLM",
            };
            chat.note(Tone::Info, format!("Planner: {name}"));
        }
        Command::Auto => {
            chat.auto_run = !chat.auto_run;
            let text = if chat.auto_run {
                "Auto-run on: plans run as soon as they are made"
            } else {
                "Auto-run off: plans wait for your confirmation"
            };
            chat.note(Tone::Info, text);
        }
        Command::Open(index) => return outputs::open(state, index),
        Command::Insert(index) => return outputs::insert(state, index),
        Command::Clear => {
            chat.entries.clear();
            chat.scroll = 0;
            chat.selected_output = 0;
            if let Some(flight) = &chat.in_flight {
                let doing = match flight.call {
                    Call::Plan(_) => "planning",
                    Call::Run(_) => "running",
                };
                chat.note(Tone::Info, format!("Still {doing} in the background"));
            }
        }
        Command::Help => chat.note(Tone::Info, commands::help_markdown()),
    }
    Vec::new()
}

fn complete(state: &mut AppState) {
    match commands::complete(state.chat.input.text()) {
        Completion::None => {}
        Completion::Complete(text) => state.chat.input.set(&text),
        Completion::Several(text, names) => {
            state.chat.input.set(&text);
            let list: Vec<String> = names.iter().map(|n| format!("/{n}")).collect();
            say(state, Severity::Info, list.join("  "));
        }
    }
}
