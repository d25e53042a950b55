//! Between the chat and the editor: attach a buffer (or its selection) to a request, open a
//! run's output in a buffer, insert it at the cursor.

use std::path::PathBuf;

use xi_bridge::line_cache::LineCache;

use crate::app::effect::Effect;
use crate::app::state::{AppState, PaneId, Severity};
use crate::app::update::{buffers, say};
use crate::ports::conductor::{Attachment, Output};
use crate::ports::{BufferId, EditOp};

use super::state::{RunOutcome, Tone};

/// Largest output inserted into a buffer; larger ones are opened instead.
pub const MAX_INSERT_BYTES: usize = 1 << 20;

/// The text of the first non-empty selection, if the buffer has one and its lines are known.
pub fn selection_text(cache: &LineCache) -> Option<String> {
    let (l1, c1, l2, c2) = cache
        .selections()
        .into_iter()
        .find(|&(l1, c1, l2, c2)| (l1, c1) != (l2, c2))?;
    let mut text = String::new();
    for line in l1..=l2 {
        let content = cache.get(line)?.text.as_deref()?;
        let start = if line == l1 { c1.min(content.len()) } else { 0 };
        let end = if line == l2 {
            c2.min(content.len())
        } else {
            content.len()
        };
        text.push_str(content.get(start..end.max(start))?);
    }
    Some(text)
}

/// Attach the active buffer's selection, or its whole text.
pub(crate) fn attach(state: &mut AppState) {
    let Some(buffer) = state.active_buffer() else {
        state
            .chat
            .note(Tone::Warning, "No buffer is open: nothing to attach");
        return;
    };
    let name = buffer.display_name();
    let (label, text) = match selection_text(&buffer.cache) {
        Some(text) => (format!("selection of {name}"), text),
        None => match buffer.cache.text() {
            Some(text) => (name, text),
            None => {
                state.chat.note(
                    Tone::Warning,
                    format!("{name} is still loading: attach it in a moment"),
                );
                return;
            }
        },
    };
    let lines = text.lines().count().max(1);
    let label = format!(
        "{label} ({lines} line{})",
        if lines == 1 { "" } else { "s" }
    );
    say(
        state,
        Severity::Info,
        format!("Attached {label} to the next request"),
    );
    state
        .chat
        .attachments
        .push(Attachment::Text { label, text });
}

/// The output `index` (default: the selected one) of the latest finished run.
fn output(state: &mut AppState, index: Option<usize>) -> Option<Output> {
    let chat = &mut state.chat;
    let outputs = match chat.latest_run().map(|card| &card.outcome) {
        Some(RunOutcome::Finished(report)) => report.outputs.clone(),
        _ => Vec::new(),
    };
    if outputs.is_empty() {
        chat.note(Tone::Warning, "No run has outputs yet");
        return None;
    }
    let index = index.unwrap_or(chat.selected_output);
    match outputs.get(index) {
        Some(output) => Some(output.clone()),
        None => {
            let text = format!(
                "There is no output {}: the latest run has {}",
                index + 1,
                outputs.len()
            );
            chat.note(Tone::Warning, text);
            None
        }
    }
}

/// Move the output selection.
pub(crate) fn select(state: &mut AppState, step: i8) {
    let count = match state.chat.latest_run().map(|card| &card.outcome) {
        Some(RunOutcome::Finished(report)) => report.outputs.len(),
        _ => 0,
    };
    if count > 0 {
        let next = state.chat.selected_output as i64 + i64::from(step);
        state.chat.selected_output = next.clamp(0, count as i64 - 1) as usize;
    }
}

/// Open an output in an editor buffer and focus the editor.
pub(crate) fn open(state: &mut AppState, index: Option<usize>) -> Vec<Effect> {
    let Some(output) = output(state, index) else {
        return Vec::new();
    };
    let effects = buffers::open_files(state, vec![output.path.clone()]);
    state.layout.focus = PaneId::Editor;
    say(
        state,
        Severity::Info,
        format!("Opened {} ({})", output.path.display(), output.name),
    );
    effects
}

/// Insert an output at the cursor of the active buffer: its file is read first.
pub(crate) fn insert(state: &mut AppState, index: Option<usize>) -> Vec<Effect> {
    let Some(buffer) = state.active_buffer().map(|b| b.id) else {
        state.chat.note(
            Tone::Warning,
            "No buffer is open to insert into: `/open` the output",
        );
        return Vec::new();
    };
    let Some(output) = output(state, index) else {
        return Vec::new();
    };
    vec![Effect::ReadOutput {
        buffer,
        path: output.path,
    }]
}

/// The output's text arrived: paste it into the buffer.
pub(crate) fn read(
    state: &mut AppState,
    buffer: BufferId,
    path: PathBuf,
    text: Result<String, String>,
) -> Vec<Effect> {
    let name = path.display().to_string();
    let text = match text {
        Ok(text) if text.len() > MAX_INSERT_BYTES => Err(format!(
            "it has {} bytes, more than the {MAX_INSERT_BYTES} inserted at once: `/open` it",
            text.len()
        )),
        other => other,
    };
    match text {
        Ok(text) if state.buffers.iter().any(|b| b.id == buffer) => {
            say(
                state,
                Severity::Info,
                format!("Inserted {name} at the cursor"),
            );
            vec![Effect::Edit {
                buffer,
                op: EditOp::Paste(text),
            }]
        }
        Ok(_) => {
            state.chat.note(
                Tone::Warning,
                format!("The buffer was closed before {name} could be inserted"),
            );
            Vec::new()
        }
        Err(why) => {
            state
                .chat
                .note(Tone::Error, format!("Could not insert {name}: {why}"));
            Vec::new()
        }
    }
}
