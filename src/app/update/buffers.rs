//! Opening, saving, closing and switching buffers.

use std::path::PathBuf;

use crate::app::effect::Effect;
use crate::app::state::{AppState, BufferState, Overlay, PromptKind, Severity};
use crate::ports::BufferId;

use super::{overlays, say};

/// Columns taken by line numbers and the space after them.
pub fn gutter_width(line_count: usize) -> usize {
    let digits = line_count.max(1).ilog10() as usize + 1;
    digits.max(3) + 1
}

/// Open each path (switching to it if already open), or a scratch buffer for none.
pub(crate) fn open_files(state: &mut AppState, paths: Vec<PathBuf>) -> Vec<Effect> {
    if paths.is_empty() {
        return vec![new_buffer(state, None)];
    }
    let mut effects = Vec::new();
    for path in paths {
        if let Some(i) = state
            .buffers
            .iter()
            .position(|b| b.path.as_ref() == Some(&path))
        {
            state.active = i;
            continue;
        }
        effects.push(new_buffer(state, Some(path)));
    }
    effects
}

fn new_buffer(state: &mut AppState, path: Option<PathBuf>) -> Effect {
    let id = BufferId(state.next_buffer);
    state.next_buffer += 1;
    state.buffers.push(BufferState::new(id, path.clone()));
    state.active = state.buffers.len() - 1;
    Effect::Open { buffer: id, path }
}

/// Save the active buffer, or ask where if it has no file yet.
pub(crate) fn save(state: &mut AppState) -> Vec<Effect> {
    let Some(buffer) = state.active_buffer() else {
        return Vec::new();
    };
    match &buffer.path {
        Some(path) => vec![Effect::Save {
            buffer: buffer.id,
            path: path.clone(),
        }],
        None => {
            overlays::open_prompt(state, PromptKind::SaveAs);
            Vec::new()
        }
    }
}

/// Close the active buffer, asking first if it has unsaved changes.
pub(crate) fn close_active(state: &mut AppState) -> Vec<Effect> {
    let Some(buffer) = state.active_buffer() else {
        return Vec::new();
    };
    if buffer.modified() {
        state.overlay = Some(Overlay::ConfirmClose(buffer.id));
        return Vec::new();
    }
    let id = buffer.id;
    close(state, id)
}

/// Close a buffer without asking, in the UI and in the core.
pub(crate) fn close(state: &mut AppState, id: BufferId) -> Vec<Effect> {
    let Some((closed, mut effects)) = forget(state, id) else {
        return Vec::new();
    };
    effects.insert(0, Effect::Close(id));
    say(
        state,
        Severity::Info,
        format!("Closed {}", closed.display_name()),
    );
    effects
}

/// Drop a buffer from the UI only (the core has none to close, e.g. after a failed open). The
/// editor always keeps one buffer open: the effects open a scratch buffer if none is left.
pub(crate) fn forget(state: &mut AppState, id: BufferId) -> Option<(BufferState, Vec<Effect>)> {
    let index = state.buffers.iter().position(|b| b.id == id)?;
    let removed = state.buffers.remove(index);
    if state.active >= state.buffers.len() {
        state.active = state.buffers.len().saturating_sub(1);
    }
    let effects = if state.buffers.is_empty() {
        vec![new_buffer(state, None)]
    } else {
        Vec::new()
    };
    Some((removed, effects))
}

/// Show the buffer `step` places further in the list, wrapping around.
pub(crate) fn cycle(state: &mut AppState, step: i64) -> Vec<Effect> {
    let count = state.buffers.len() as i64;
    if count > 0 {
        state.active = (state.active as i64 + step).rem_euclid(count) as usize;
    }
    Vec::new()
}
