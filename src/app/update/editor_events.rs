//! Events from the editor core: updates to the line cache, scrolling, styles, health.

use crate::app::effect::Effect;
use crate::app::state::{AppState, Severity};
use crate::app::text_columns::byte_to_column;
use crate::ports::{BufferId, EditorEvent};

use super::{buffers, editor_height, gutter_width, say};
use crate::app::layout::editor_text_area;

pub(crate) fn update(state: &mut AppState, event: EditorEvent) -> Vec<Effect> {
    match event {
        EditorEvent::Opened { buffer, path } => {
            if let Some(b) = state.buffer_mut(buffer) {
                b.ready = true;
            }
            if let Some(path) = path {
                say(state, Severity::Info, format!("Opened {}", path.display()));
            }
        }
        EditorEvent::OpenFailed { buffer, message } => {
            let effects = buffers::forget(state, buffer)
                .map(|(_, e)| e)
                .unwrap_or_default();
            say(state, Severity::Error, message);
            return effects;
        }
        EditorEvent::Updated { buffer, update } => {
            let Some(b) = state.buffer_mut(buffer) else {
                return Vec::new();
            };
            if let Err(err) = b.cache.apply(&update) {
                state.core.bad_messages += 1;
                say(
                    state,
                    Severity::Error,
                    format!("The editor core sent a bad update for {buffer}: {err}"),
                );
            }
        }
        EditorEvent::ScrollTo { buffer, line, col } => {
            scroll_into_view(state, Some(buffer), line, col)
        }
        EditorEvent::StyleDefined(style) => {
            state.styles.insert(style.id, style);
        }
        EditorEvent::LanguageChanged { buffer, language } => {
            if let Some(b) = state.buffer_mut(buffer) {
                b.language = language;
            }
        }
        EditorEvent::Saved { buffer: _, path } => {
            say(state, Severity::Info, format!("Wrote {}", path.display()));
        }
        EditorEvent::Copied(text) => {
            let chars = text.chars().count();
            if chars > 0 {
                state.clipboard = text;
                say(state, Severity::Info, format!("Copied {chars} characters"));
            }
        }
        EditorEvent::FindStatus { buffer, matches } => {
            if let Some(b) = state.buffer_mut(buffer) {
                b.find_matches = matches;
            }
        }
        EditorEvent::CoreDown(reason) => {
            state.core.down = Some(reason.clone());
            say(
                state,
                Severity::Warning,
                format!("The editor core stopped ({reason}); restarting it"),
            );
        }
        EditorEvent::Restored { elapsed, reason } => {
            state.core.down = None;
            state.core.restarts += 1;
            state.core.last_restore = Some(elapsed);
            say(
                state,
                Severity::Warning,
                format!(
                    "The editor core stopped ({reason}) and was restored in {} ms; nothing was lost",
                    elapsed.as_millis()
                ),
            );
        }
        EditorEvent::SaveFailed {
            buffer: _,
            path,
            message,
        } => {
            say(
                state,
                Severity::Error,
                format!(
                    "Could not save {}: {message}. Your text is still here: fix the cause, or Save as (Alt-S)",
                    path.display()
                ),
            );
        }
        EditorEvent::Notice(text) => say(state, Severity::Warning, text),
        // The client has logged it; the monitor shows the count.
        EditorEvent::BadMessage(_) => state.core.bad_messages += 1,
    }
    Vec::new()
}

/// Scroll `buffer` (the active one for `None`) so that line and byte column are visible.
pub(crate) fn scroll_into_view(
    state: &mut AppState,
    buffer: Option<BufferId>,
    line: usize,
    col: usize,
) {
    let height = editor_height(state).max(1);
    let text_width = editor_text_area(state.size.0, state.size.1, &state.layout).width as usize;
    let index = match buffer {
        Some(id) => state.buffers.iter().position(|b| b.id == id),
        None => Some(state.active),
    };
    let Some(b) = index.and_then(|i| state.buffers.get_mut(i)) else {
        return;
    };
    if line < b.scroll_top {
        b.scroll_top = line;
    } else if line >= b.scroll_top + height {
        b.scroll_top = line + 1 - height;
    }
    let width = text_width
        .saturating_sub(gutter_width(b.cache.height()))
        .max(1);
    let column = b
        .cache
        .get(line)
        .and_then(|l| l.text.as_deref())
        .map_or(0, |t| byte_to_column(t, col));
    if column < b.scroll_left {
        b.scroll_left = column;
    } else if column >= b.scroll_left + width {
        b.scroll_left = column + 1 - width;
    }
}
