//! Overlays: prompts, the help, the buffer list and the confirmations. Keys go here first.

use std::path::PathBuf;

use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::keymap::Keymap;
use crate::app::state::{AppState, Overlay, Prompt, PromptKind, Severity};
use crate::ports::EditOp;

use super::{buffers, edit_active, say};

/// Whether an action is a key meant for the open overlay (everything but core events).
pub(crate) fn captures(action: &Action) -> bool {
    !matches!(
        action,
        Action::Editor(_)
            | Action::Resize(..)
            | Action::Quit
            | Action::Conductor(_)
            | Action::Board(
                crate::app::board::BoardAction::Loaded { .. }
                    | crate::app::board::BoardAction::Saved { .. }
                    | crate::app::board::BoardAction::Extensions(_)
                    | crate::app::board::BoardAction::Library(_)
                    | crate::app::board::BoardAction::Show { .. }
            )
    )
}

/// Open a prompt, pre-filled where that helps.
pub(crate) fn open_prompt(state: &mut AppState, kind: PromptKind) {
    let input = match kind {
        PromptKind::Find | PromptKind::ReplaceFind => state.last_find.clone().unwrap_or_default(),
        PromptKind::SaveAs => state
            .active_buffer()
            .and_then(|b| b.path.as_ref())
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        PromptKind::Open | PromptKind::ReplaceWith | PromptKind::GotoLine => String::new(),
    };
    let cursor = input.chars().count();
    state.overlay = Some(Overlay::Prompt(Prompt {
        kind,
        input,
        cursor,
    }));
}

/// Handle a key while an overlay is open.
pub(crate) fn update(state: &mut AppState, action: Action) -> Vec<Effect> {
    let Some(overlay) = state.overlay.take() else {
        return Vec::new();
    };
    match overlay {
        Overlay::Prompt(prompt) => prompt_key(state, prompt, action),
        Overlay::Board(overlay) => crate::app::board::update::overlay(state, overlay, action),
        Overlay::Help { scroll } => {
            let rows = Keymap::default().bindings().len();
            match action {
                Action::OverlayMove(delta) => {
                    let scroll = (scroll as i64 + delta as i64).clamp(0, rows as i64) as usize;
                    state.overlay = Some(Overlay::Help { scroll });
                }
                Action::Cancel | Action::Confirm | Action::Type('q' | '?') | Action::Help => {}
                _ => state.overlay = Some(Overlay::Help { scroll }),
            }
            Vec::new()
        }
        Overlay::BufferList { selected } => match action {
            Action::OverlayMove(delta) => {
                let last = state.buffers.len().saturating_sub(1) as i64;
                let selected = (selected as i64 + delta as i64).clamp(0, last) as usize;
                state.overlay = Some(Overlay::BufferList { selected });
                Vec::new()
            }
            Action::Confirm => {
                state.active = selected.min(state.buffers.len().saturating_sub(1));
                Vec::new()
            }
            Action::Cancel => Vec::new(),
            _ => {
                state.overlay = Some(Overlay::BufferList { selected });
                Vec::new()
            }
        },
        Overlay::ConfirmQuit => match action {
            Action::Type('s' | 'S' | 'y' | 'Y') | Action::Confirm => save_all_and_quit(state),
            Action::Type('d' | 'D' | 'n' | 'N') => {
                vec![Effect::Quit]
            }
            Action::Cancel | Action::Type('c' | 'C') => Vec::new(),
            _ => {
                state.overlay = Some(Overlay::ConfirmQuit);
                Vec::new()
            }
        },
        Overlay::ConfirmClose(id) => match action {
            Action::Type('s' | 'S' | 'y' | 'Y') | Action::Confirm => {
                let Some(path) = state
                    .buffers
                    .iter()
                    .find(|b| b.id == id)
                    .and_then(|b| b.path.clone())
                else {
                    say(
                        state,
                        Severity::Warning,
                        "This buffer has no file yet: save it with Alt-S first",
                    );
                    return Vec::new();
                };
                let mut effects = vec![Effect::Save { buffer: id, path }];
                effects.extend(buffers::close(state, id));
                effects
            }
            Action::Type('d' | 'D' | 'n' | 'N') => buffers::close(state, id),
            Action::Cancel | Action::Type('c' | 'C') => Vec::new(),
            _ => {
                state.overlay = Some(Overlay::ConfirmClose(id));
                Vec::new()
            }
        },
    }
}

fn save_all_and_quit(state: &mut AppState) -> Vec<Effect> {
    let unnamed: Vec<String> = state
        .modified_buffers()
        .filter(|b| b.path.is_none())
        .map(|b| b.display_name())
        .collect();
    if !unnamed.is_empty() {
        say(
            state,
            Severity::Warning,
            format!(
                "{} has no file: save it with Alt-S, or quit and discard with Ctrl-Q then d",
                unnamed.join(", ")
            ),
        );
        return Vec::new();
    }
    let mut effects: Vec<Effect> = state
        .modified_buffers()
        .filter_map(|b| {
            b.path
                .clone()
                .map(|path| Effect::Save { buffer: b.id, path })
        })
        .collect();
    effects.push(Effect::Quit);
    effects
}

fn prompt_key(state: &mut AppState, mut prompt: Prompt, action: Action) -> Vec<Effect> {
    match action {
        Action::Type(c) => {
            insert_at_cursor(&mut prompt, &c.to_string());
        }
        Action::Paste(Some(text)) => {
            let first_line = text.lines().next().unwrap_or_default().to_owned();
            insert_at_cursor(&mut prompt, &first_line);
        }
        Action::OverlayBackspace if prompt.cursor > 0 => {
            let at = byte_index(&prompt.input, prompt.cursor - 1);
            prompt.input.remove(at);
            prompt.cursor -= 1;
        }
        Action::OverlayMove(delta) => {
            let len = prompt.input.chars().count() as i64;
            prompt.cursor = (prompt.cursor as i64)
                .saturating_add(delta as i64)
                .clamp(0, len) as usize;
        }
        Action::Cancel => return Vec::new(),
        Action::Confirm => return submit(state, prompt),
        _ => {}
    }
    state.overlay = Some(Overlay::Prompt(prompt));
    Vec::new()
}

fn byte_index(text: &str, char_index: usize) -> usize {
    text.char_indices()
        .nth(char_index)
        .map_or(text.len(), |(i, _)| i)
}

fn insert_at_cursor(prompt: &mut Prompt, text: &str) {
    let at = byte_index(&prompt.input, prompt.cursor);
    prompt.input.insert_str(at, text);
    prompt.cursor += text.chars().count();
}

fn expand_home(input: &str) -> PathBuf {
    match input.strip_prefix("~/") {
        Some(rest) => dirs::home_dir().map_or_else(|| PathBuf::from(input), |home| home.join(rest)),
        None => PathBuf::from(input),
    }
}

fn submit(state: &mut AppState, prompt: Prompt) -> Vec<Effect> {
    let input = prompt.input.trim().to_owned();
    if input.is_empty() && prompt.kind != PromptKind::ReplaceWith {
        return Vec::new();
    }
    match prompt.kind {
        PromptKind::Open => buffers::open_files(state, vec![expand_home(&input)]),
        PromptKind::SaveAs => {
            let path = expand_home(&input);
            let Some(buffer) = state.active_buffer_mut() else {
                return Vec::new();
            };
            buffer.path = Some(path.clone());
            vec![Effect::Save {
                buffer: buffer.id,
                path,
            }]
        }
        PromptKind::Find => {
            state.last_find = Some(prompt.input.clone());
            let mut effects = edit_active(
                state,
                EditOp::Find {
                    query: prompt.input,
                    case_sensitive: false,
                },
            );
            effects.extend(edit_active(state, EditOp::FindNext));
            effects
        }
        PromptKind::ReplaceFind => {
            state.last_find = Some(prompt.input);
            open_prompt(state, PromptKind::ReplaceWith);
            Vec::new()
        }
        PromptKind::ReplaceWith => {
            let Some(query) = state.last_find.clone() else {
                return Vec::new();
            };
            let mut effects = edit_active(
                state,
                EditOp::Find {
                    query: query.clone(),
                    case_sensitive: false,
                },
            );
            effects.extend(edit_active(
                state,
                EditOp::SetReplacement(prompt.input.clone()),
            ));
            effects.extend(edit_active(state, EditOp::ReplaceAll));
            say(
                state,
                Severity::Info,
                format!("Replaced every `{query}` with `{}`", prompt.input),
            );
            effects
        }
        PromptKind::GotoLine => match input.parse::<usize>() {
            Ok(line) if line > 0 => edit_active(
                state,
                EditOp::GotoPoint {
                    line: line - 1,
                    col: 0,
                    extend: false,
                },
            ),
            _ => {
                say(
                    state,
                    Severity::Error,
                    format!("`{input}` is not a line number (lines start at 1)"),
                );
                Vec::new()
            }
        },
    }
}
