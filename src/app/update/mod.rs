//! `update(state, action) -> effects`: every behaviour of the UI, pure and testable.
//!
//! Architecture invariant: nothing here performs I/O, reads the clock or the environment.

pub(crate) mod buffers;
mod data;
mod editor_events;
mod overlays;

use crate::ports::{BufferId, EditOp, Motion};

use super::action::Action;
use super::board::{self, BoardAction, BoardKey, PathPurpose};
use super::chat;
use super::effect::Effect;
use super::layout::{editor_text_area, screen_layout};
use super::monitor;
use super::state::{AppState, Overlay, PaneId, PromptKind, Severity, StatusMessage};
use super::text_columns::column_to_byte;

pub use buffers::gutter_width;

/// Apply one action; return the effects to run.
pub fn update(state: &mut AppState, action: Action) -> Vec<Effect> {
    if is_user_input(&action) {
        state.status = None;
    }
    if state.overlay.is_some() && overlays::captures(&action) {
        return overlays::update(state, action);
    }
    let chat_focused = state.layout.focus == PaneId::Conductor;
    let board_focused = state.layout.focus == PaneId::Board;
    match action {
        Action::Chat(key) => chat::update::key(state, key),
        Action::Board(action) => {
            let loaded = matches!(action, BoardAction::Loaded { .. });
            let effects = board::update::update(state, action);
            if loaded {
                monitor::update::board_loaded(state);
            }
            effects
        }
        Action::MonitorKey(key) => monitor::update::key(state, key),
        // The global file keys act on the board's workflow while the board has focus.
        Action::Save if board_focused => board::update::save(state),
        Action::Prompt(PromptKind::SaveAs) if board_focused => {
            board::update::open_path_prompt(state, PathPurpose::SaveAs);
            Vec::new()
        }
        Action::Prompt(PromptKind::Open) if board_focused => {
            board::update::open_path_prompt(state, PathPurpose::Open);
            Vec::new()
        }
        Action::Page { direction, .. } if board_focused => {
            board::update::update(state, BoardAction::Key(BoardKey::Page(direction)))
        }
        Action::Conductor(report) => chat::conductor_update(state, report),
        Action::Data(report) => {
            data::link_changed(state, report);
            Vec::new()
        }
        Action::Monitor(view) => {
            monitor::update::run_changed(state, *view);
            Vec::new()
        }
        Action::Type(c) if chat_focused => chat::update::type_char(state, c),
        Action::Paste(Some(text)) if chat_focused => {
            chat::update::paste(state, &text);
            Vec::new()
        }
        Action::Page { direction, .. } if chat_focused => {
            chat::update::page(state, direction);
            Vec::new()
        }
        Action::Wheel(lines) if chat_focused => {
            chat::update::scroll(state, i64::from(lines));
            Vec::new()
        }
        Action::Wheel(lines) if board_focused => {
            board::update::scroll(state, lines);
            Vec::new()
        }
        Action::Edit(op) => edit_active(state, op),
        Action::Type(c) => edit_active(state, EditOp::Insert(c.to_string())),
        Action::Paste(text) => {
            let text = text.unwrap_or_else(|| state.clipboard.clone());
            if text.is_empty() {
                return Vec::new();
            }
            edit_active(state, EditOp::Paste(text))
        }
        Action::Copy => edit_active(state, EditOp::Copy),
        Action::Cut => edit_active(state, EditOp::Cut),
        Action::Page { direction, extend } => page(state, direction, extend),
        Action::Save => buffers::save(state),
        Action::Prompt(kind) => {
            overlays::open_prompt(state, kind);
            Vec::new()
        }
        Action::FindNext | Action::FindPrevious => match &state.last_find {
            None => {
                overlays::open_prompt(state, PromptKind::Find);
                Vec::new()
            }
            Some(_) if matches!(action, Action::FindNext) => edit_active(state, EditOp::FindNext),
            Some(_) => edit_active(state, EditOp::FindPrevious),
        },
        Action::OpenFiles(paths) => buffers::open_files(state, paths),
        Action::NewBuffer => buffers::open_files(state, Vec::new()),
        Action::CloseBuffer => buffers::close_active(state),
        Action::NextBuffer => buffers::cycle(state, 1),
        Action::PreviousBuffer => buffers::cycle(state, -1),
        Action::BufferList => {
            state.overlay = Some(Overlay::BufferList {
                selected: state.active,
            });
            Vec::new()
        }
        Action::Focus(pane) => {
            state.layout.focus = pane;
            Vec::new()
        }
        Action::FocusNext => {
            state.layout.focus = state.layout.focus.next();
            Vec::new()
        }
        Action::FocusPrevious => {
            state.layout.focus = state.layout.focus.previous();
            Vec::new()
        }
        Action::ToggleZoom => {
            state.layout.zoomed = !state.layout.zoomed;
            keep_cursor_visible(state);
            board::update::follow(state);
            Vec::new()
        }
        Action::Help => {
            state.overlay = Some(Overlay::Help { scroll: 0 });
            Vec::new()
        }
        Action::Quit => {
            if state.modified_buffers().next().is_some() {
                state.overlay = Some(Overlay::ConfirmQuit);
                Vec::new()
            } else if board::update::holds_quit(state) {
                Vec::new()
            } else {
                vec![Effect::Quit]
            }
        }
        Action::Click { col, row } => click(state, col, row),
        Action::Drag { col, row } => {
            board::mouse::drag(state, col, row);
            Vec::new()
        }
        Action::Release { col, row } => board::mouse::release(state, col, row),
        Action::Wheel(lines) => {
            let height = editor_height(state);
            if let Some(buffer) = state.active_buffer_mut() {
                let max_top = buffer.cache.height().saturating_sub(height.max(1));
                let top = buffer.scroll_top as i64 + lines as i64;
                buffer.scroll_top = top.clamp(0, max_top as i64) as usize;
            }
            Vec::new()
        }
        Action::Resize(width, height) => {
            state.size = (width, height);
            keep_cursor_visible(state);
            board::update::follow(state);
            Vec::new()
        }
        Action::Editor(event) => editor_events::update(state, event),
        // Overlay keys with no overlay open do nothing.
        Action::Confirm | Action::Cancel | Action::OverlayBackspace | Action::OverlayMove(_) => {
            Vec::new()
        }
    }
}

/// Keys and clicks clear the last message; events from the core do not.
fn is_user_input(action: &Action) -> bool {
    !matches!(
        action,
        Action::Editor(_)
            | Action::Resize(..)
            | Action::Conductor(_)
            | Action::Data(_)
            | Action::Monitor(_)
            | Action::Board(
                BoardAction::Loaded { .. }
                    | BoardAction::Saved { .. }
                    | BoardAction::Extensions(_)
                    | BoardAction::Show { .. }
            )
    )
}

/// Send an edit to the active buffer, if the editor has focus.
fn edit_active(state: &mut AppState, op: EditOp) -> Vec<Effect> {
    match state.active_buffer() {
        Some(buffer) => vec![Effect::Edit {
            buffer: buffer.id,
            op,
        }],
        None => Vec::new(),
    }
}

/// Rows of text the editor shows.
pub(crate) fn editor_height(state: &AppState) -> usize {
    editor_text_area(state.size.0, state.size.1, &state.layout).height as usize
}

fn page(state: &mut AppState, direction: i8, extend: bool) -> Vec<Effect> {
    let step = editor_height(state).max(2) - 1;
    let Some(buffer) = state.active_buffer_mut() else {
        return Vec::new();
    };
    let last = buffer.cache.height().saturating_sub(1);
    // Keep the view moving with the cursor, as every editor's page keys do.
    buffer.scroll_top = if direction < 0 {
        buffer.scroll_top.saturating_sub(step)
    } else {
        (buffer.scroll_top + step).min(last.saturating_sub(step))
    };
    // Relative moves, not a jump to an absolute line: the cursor this state knows may be a
    // few keys behind the core's when keys arrive faster than updates.
    let motion = if direction < 0 {
        Motion::Up
    } else {
        Motion::Down
    };
    let id = buffer.id;
    (0..step)
        .map(|_| Effect::Edit {
            buffer: id,
            op: EditOp::Move { motion, extend },
        })
        .collect()
}

fn click(state: &mut AppState, col: u16, row: u16) -> Vec<Effect> {
    let screen = screen_layout(state.size.0, state.size.1, &state.layout);
    let Some(pane) = screen
        .panes
        .iter()
        .find(|(_, area)| area.contains(col, row))
        .map(|(p, _)| *p)
    else {
        return Vec::new();
    };
    state.layout.focus = pane;
    if pane == PaneId::Board {
        return board::mouse::press(state, col, row);
    }
    if pane != PaneId::Editor {
        return Vec::new();
    }
    let text = editor_text_area(state.size.0, state.size.1, &state.layout);
    let Some(buffer) = state.active_buffer() else {
        return Vec::new();
    };
    let gutter = gutter_width(buffer.cache.height()) as u16;
    if !text.contains(col, row) || col < text.x + gutter {
        return Vec::new();
    }
    let line = buffer.scroll_top + (row - text.y) as usize;
    let last = buffer.cache.height().saturating_sub(1);
    let line = line.min(last);
    let column = buffer.scroll_left + (col - text.x - gutter) as usize;
    let byte = buffer
        .cache
        .get(line)
        .and_then(|l| l.text.as_deref())
        .map_or(0, |t| column_to_byte(t, column));
    let id: BufferId = buffer.id;
    vec![Effect::Edit {
        buffer: id,
        op: EditOp::GotoPoint {
            line,
            col: byte,
            extend: false,
        },
    }]
}

/// Scroll the active buffer so that its cursor is on screen.
pub(crate) fn keep_cursor_visible(state: &mut AppState) {
    let Some((line, col)) = state.active_buffer().and_then(|b| b.cache.cursor()) else {
        return;
    };
    editor_events::scroll_into_view(state, None, line, col);
}

/// Put a message in the status bar.
pub(crate) fn say(state: &mut AppState, severity: Severity, text: impl Into<String>) {
    state.status = Some(StatusMessage {
        severity,
        text: text.into(),
    });
}
