//! The board's pure update: keys, its overlays (the palette, the path prompt), and what the
//! runtime reports. Every edit goes through `BoardState::edit`, which runs the DAG Tracker's
//! validation and refuses an edit that closes a cycle.

use std::path::PathBuf;

use pit::dag::NodeId;

use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::state::{AppState, Overlay, PaneId};

use super::action::{BoardAction, BoardKey, BoardOverlay, PathPurpose, Step};
use super::document::Edit;
use super::navigate;
use super::palette::{Palette, builtins, matches};
use super::state::{BoardState, Notice, Outcome, Tone};
use super::view::{follow_selection, graph_viewport};

/// Handle a board action.
pub(crate) fn update(state: &mut AppState, action: BoardAction) -> Vec<Effect> {
    // Paging moves the view away from the selection on purpose; everything else follows it.
    let follows = !matches!(action, BoardAction::Key(BoardKey::Page(_)));
    let effects = match action {
        BoardAction::Key(key) => key_pressed(state, key),
        BoardAction::Show { file, path } => {
            let nodes = file.nodes.len();
            state.board.open(file, path);
            state.layout.focus = PaneId::Board;
            let verdict = verdict(&state.board);
            notice(
                &mut state.board,
                Tone::Info,
                format!("{nodes} nodes; {verdict}"),
            );
            Vec::new()
        }
        BoardAction::Loaded { path, result } => {
            match result {
                Ok(file) => {
                    let nodes = file.nodes.len();
                    // Saving writes TOML: only a TOML file is saved over.
                    let keep = path.extension().is_some_and(|e| e == "toml");
                    state.board.open(file, keep.then(|| path.clone()));
                    state.layout.focus = PaneId::Board;
                    let verdict = verdict(&state.board);
                    let text = format!("opened {}: {nodes} nodes; {verdict}", path.display());
                    notice(&mut state.board, Tone::Info, text);
                }
                Err(reason) => notice(&mut state.board, Tone::Error, reason),
            }
            Vec::new()
        }
        BoardAction::Saved { path, result } => {
            match result {
                Ok(()) => {
                    state.board.modified = false;
                    let text = format!("saved to {}", path.display());
                    notice(&mut state.board, Tone::Info, text);
                }
                Err(reason) => {
                    let text = format!("could not save to {}: {reason}", path.display());
                    notice(&mut state.board, Tone::Error, text);
                }
            }
            Vec::new()
        }
        BoardAction::RunEnded { path, result } => {
            let (tone, text) = match result {
                Ok(end) => (
                    if end.completed {
                        Tone::Info
                    } else {
                        Tone::Error
                    },
                    format!("{}: {}", path.display(), end.summary),
                ),
                Err(reason) => (
                    Tone::Error,
                    format!("{} did not run: {reason}", path.display()),
                ),
            };
            notice(&mut state.board, tone, text);
            Vec::new()
        }
        BoardAction::Library(library) => {
            super::browser::library_arrived(state, *library);
            Vec::new()
        }
        BoardAction::Extensions(list) => {
            state.board.templates = builtins();
            state.board.templates.extend(list);
            Vec::new()
        }
    };
    if follows {
        follow(state);
    }
    effects
}

fn key_pressed(state: &mut AppState, key: BoardKey) -> Vec<Effect> {
    let board = &mut state.board;
    board.quit_warned = false;
    match key {
        BoardKey::Select(step) => {
            if let Some(next) = navigate::step(board, step) {
                board.selected = Some(next);
            }
        }
        BoardKey::Move(by) => move_selected(board, by),
        BoardKey::Add => {
            state.overlay = Some(Overlay::Board(BoardOverlay::Palette(Palette::default())));
        }
        BoardKey::Connect if board.connecting.is_some() => connect(board),
        BoardKey::Connect => match board.selected.clone() {
            Some(source) => {
                let text = format!(
                    "connect `{source}` to…: arrows choose the target, Enter connects, Esc cancels"
                );
                board.connecting = Some(source);
                notice(board, Tone::Info, text);
            }
            None => notice(board, Tone::Warning, "select a node to connect from first"),
        },
        BoardKey::Confirm if board.connecting.is_none() => super::node_form::open(state),
        BoardKey::Confirm => connect(board),
        BoardKey::Delete if super::compose::delete_many(board) => {}
        BoardKey::Delete => match board.selected.clone() {
            Some(id) => {
                let next = navigate::step(board, Step::Up)
                    .or_else(|| navigate::step(board, Step::Left))
                    .or_else(|| navigate::step(board, Step::Right))
                    .filter(|n| *n != id);
                let outcome = board.edit(Edit::Delete(id.clone()));
                board.selected = next.or_else(|| board.first_node());
                report(board, outcome, format!("deleted `{id}`"));
            }
            None => notice(board, Tone::Warning, "nothing selected to delete"),
        },
        BoardKey::Undo => {
            if board.undo() {
                let verdict = verdict(board);
                notice(board, Tone::Info, format!("undone; {verdict}"));
            } else {
                notice(board, Tone::Warning, "nothing to undo");
            }
        }
        BoardKey::Redo => {
            if board.redo() {
                let verdict = verdict(board);
                notice(board, Tone::Info, format!("redone; {verdict}"));
            } else {
                notice(board, Tone::Warning, "nothing to redo");
            }
        }
        BoardKey::Save => return save(state),
        BoardKey::SaveAs => open_path_prompt(state, PathPurpose::SaveAs),
        BoardKey::Open => open_path_prompt(state, PathPurpose::Open),
        BoardKey::Run => return run(state),
        BoardKey::Escape => {
            if board.connecting.take().is_some() {
                notice(board, Tone::Info, "connection cancelled");
            } else if !board.marks.is_empty() {
                board.marks.clear();
                notice(board, Tone::Info, "marks cleared");
            } else {
                state.layout.focus = PaneId::Editor;
            }
        }
        BoardKey::Templates => return super::browser::open(state),
        BoardKey::Mark => super::compose::toggle_mark(board),
        BoardKey::Duplicate => super::compose::duplicate_selection(board),
        BoardKey::Group => super::compose::group_or_fold(board),
        BoardKey::Ungroup => super::compose::ungroup(board),
        BoardKey::Zoom(by) => super::compose::zoom_by(board, by),
        BoardKey::Minimap => super::compose::toggle_minimap(board),
        BoardKey::EditParams => super::node_form::open(state),
        BoardKey::Page(direction) => {
            let rows = graph_viewport(state.size, state.layout.zoomed).1.max(2) - 1;
            let board = &mut state.board;
            let rows = u32::from(rows);
            board.scroll.1 = if direction < 0 {
                board.scroll.1.saturating_sub(rows)
            } else {
                (board.scroll.1 + rows).min(board.layout.height.saturating_sub(1))
            };
            return Vec::new();
        }
    }
    Vec::new()
}

/// The first quit with unsaved board edits is held: the board says so and takes focus; a
/// second quit (with no board key in between) goes ahead.
pub(crate) fn holds_quit(state: &mut AppState) -> bool {
    let board = &mut state.board;
    if !board.modified || board.quit_warned {
        return false;
    }
    board.quit_warned = true;
    notice(
        board,
        Tone::Warning,
        "the workflow has unsaved edits: s saves it, Ctrl-Q again quits without saving",
    );
    state.layout.focus = PaneId::Board;
    true
}

/// The mouse wheel over the board: rows to scroll, negative is up.
pub(crate) fn scroll(state: &mut AppState, lines: i32) {
    let board = &mut state.board;
    let top = i64::from(board.scroll.1) + i64::from(lines);
    board.scroll.1 = top.clamp(0, i64::from(board.layout.height)) as u32;
}

/// Save the board: refused while it is invalid; asks for a path the first time.
pub(crate) fn save(state: &mut AppState) -> Vec<Effect> {
    let board = &mut state.board;
    if let Some(reason) = board.cannot_save() {
        notice(board, Tone::Error, reason);
        return Vec::new();
    }
    let Some(path) = board.path.clone() else {
        open_path_prompt(state, PathPurpose::SaveAs);
        return Vec::new();
    };
    match toml::to_string(&board.doc.file) {
        Ok(text) => vec![Effect::BoardSave { path, text }],
        Err(e) => {
            notice(
                board,
                Tone::Error,
                format!("not saved: cannot write it as TOML: {e}"),
            );
            Vec::new()
        }
    }
}

/// Run the saved workflow: refused while it is invalid or has unsaved edits (what runs is
/// the file, so that the run can be resumed and looked at like any other).
pub(crate) fn run(state: &mut AppState) -> Vec<Effect> {
    let board = &mut state.board;
    if let Some(reason) = board.cannot_save() {
        let reason = reason.replacen("not saved", "not run", 1);
        notice(board, Tone::Error, reason);
        return Vec::new();
    }
    match (&board.path, board.modified) {
        (Some(path), false) => {
            let path = path.clone();
            let text = format!(
                "running {}: the Monitor pane (Alt-4) follows it",
                path.display()
            );
            notice(board, Tone::Info, text);
            vec![Effect::BoardRun(path)]
        }
        _ => {
            let text = "save the workflow first (s), then run it (x)".to_owned();
            notice(board, Tone::Warning, text);
            Vec::new()
        }
    }
}

/// Open the path prompt (pre-filled with the board's path when saving).
pub(crate) fn open_path_prompt(state: &mut AppState, purpose: PathPurpose) {
    let input = match purpose {
        PathPurpose::SaveAs => state
            .board
            .path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        PathPurpose::Open => String::new(),
    };
    state.overlay = Some(Overlay::Board(BoardOverlay::Path { purpose, input }));
}

/// A key while one of the board's overlays is open.
pub(crate) fn overlay(state: &mut AppState, overlay: BoardOverlay, action: Action) -> Vec<Effect> {
    match overlay {
        BoardOverlay::Palette(mut palette) => {
            match action {
                Action::Type(c) => {
                    palette.query.push(c);
                    palette.selected = 0;
                }
                Action::OverlayBackspace => {
                    palette.query.pop();
                    palette.selected = 0;
                }
                Action::OverlayMove(delta) => {
                    let count = matches(&palette.query, &state.board.templates).len();
                    let last = count.saturating_sub(1) as i64;
                    palette.selected =
                        (palette.selected as i64 + i64::from(delta)).clamp(0, last) as usize;
                }
                Action::Confirm => {
                    add_from_palette(state, &palette);
                    follow(state);
                    return Vec::new();
                }
                Action::Cancel => return Vec::new(),
                _ => {}
            }
            state.overlay = Some(Overlay::Board(BoardOverlay::Palette(palette)));
            Vec::new()
        }
        BoardOverlay::Templates(browser) => super::browser::key(state, browser, action),
        BoardOverlay::Form(form) => super::form_keys::key(state, form, action),
        BoardOverlay::Path { purpose, mut input } => {
            match action {
                Action::Type(c) => input.push(c),
                Action::Paste(Some(text)) => input.push_str(text.trim_end_matches('\n')),
                Action::OverlayBackspace => {
                    input.pop();
                }
                Action::Confirm if input.trim().is_empty() => {}
                Action::Confirm => {
                    let path = PathBuf::from(input.trim());
                    return match purpose {
                        PathPurpose::Open => vec![Effect::BoardLoad(path)],
                        PathPurpose::SaveAs => {
                            state.board.path = Some(path);
                            save(state)
                        }
                    };
                }
                Action::Cancel => return Vec::new(),
                _ => {}
            }
            state.overlay = Some(Overlay::Board(BoardOverlay::Path { purpose, input }));
            Vec::new()
        }
    }
}

fn add_from_palette(state: &mut AppState, palette: &Palette) {
    let board = &mut state.board;
    let found = matches(&palette.query, &board.templates);
    let Some(template) = found
        .get(palette.selected)
        .or_else(|| found.first())
        .map(|t| (*t).clone())
    else {
        let text = format!("no node kind matches `{}`", palette.query);
        notice(board, Tone::Warning, text);
        return;
    };
    let id = board.doc.fresh_id(template.id_stem());
    let outcome = board.edit(Edit::Add(template, id.clone()));
    board.selected = Some(id.clone());
    report(board, outcome, format!("added `{id}`"));
}

pub(super) fn connect(board: &mut BoardState) {
    let (Some(source), Some(target)) = (board.connecting.clone(), board.selected.clone()) else {
        return;
    };
    // A collapsed group is connected at its exit (as a source) or its entry (as a target).
    let source = super::group::edge_end(&board.doc, &source, false);
    let target = super::group::edge_end(&board.doc, &target, true);
    // A cycle is left to the DAG Tracker's validation to find and refuse, with its reason.
    let obvious = if source == target || board.doc.reaches(&source, &target) {
        board
            .doc
            .cannot_connect(&source, &target)
            .filter(|r| !r.contains("cycle"))
    } else {
        None
    };
    let edge = match obvious {
        Some(reason) => {
            notice(board, Tone::Error, format!("refused: {reason}"));
            return;
        }
        None => board.doc.edge_between(&source, &target),
    };
    let Some(edge) = edge else {
        let reason = board
            .doc
            .cannot_connect(&source, &target)
            .unwrap_or_default();
        notice(board, Tone::Error, format!("refused: {reason}"));
        return;
    };
    let kind = edge.kind.name();
    let outcome = board.edit(Edit::Connect(edge));
    if !matches!(outcome, Outcome::Refused(_)) {
        board.connecting = None;
    }
    report(
        board,
        outcome,
        format!("connected `{source}` → `{target}` ({kind})"),
    );
}

fn move_selected(board: &mut BoardState, by: i8) {
    let Some(id) = board.selected.clone() else {
        notice(board, Tone::Warning, "nothing selected to move");
        return;
    };
    let step = if by < 0 { Step::Left } else { Step::Right };
    if navigate::step(board, step).is_none() {
        notice(
            board,
            Tone::Warning,
            format!("`{id}` is already at that end of its layer"),
        );
        return;
    }
    let outcome = board.edit(Edit::Move(id.clone(), i32::from(by)));
    report(board, outcome, format!("moved `{id}`"));
}

pub(super) fn report(board: &mut BoardState, outcome: Outcome, done: String) {
    match outcome {
        Outcome::Valid => notice(board, Tone::Info, format!("{done}; the workflow is valid")),
        Outcome::Problems(n) => {
            let s = if n == 1 { "" } else { "s" };
            notice(
                board,
                Tone::Warning,
                format!("{done}; {n} problem{s} marked"),
            );
        }
        Outcome::Refused(reason) => notice(board, Tone::Error, format!("refused: {reason}")),
    }
}

fn verdict(board: &BoardState) -> String {
    match board.report.len() {
        0 => "the workflow is valid".to_owned(),
        1 => "1 problem marked".to_owned(),
        n => format!("{n} problems marked"),
    }
}

pub(super) fn notice(board: &mut BoardState, tone: Tone, text: impl Into<String>) {
    board.notice = Some(Notice {
        tone,
        text: text.into(),
    });
}

/// Scroll the board so that its selection is in view (after a key, a zoom, a resize).
pub(crate) fn follow(state: &mut AppState) {
    let viewport = graph_viewport(state.size, state.layout.zoomed);
    follow_selection(&mut state.board, viewport);
}

/// Whether a node may be chosen as the target of the edge being made (the board dims the
/// others).
pub fn is_candidate(board: &BoardState, target: &NodeId) -> bool {
    board.connecting.as_ref().is_some_and(|source| {
        let source = super::group::edge_end(&board.doc, source, false);
        let target = super::group::edge_end(&board.doc, target, true);
        board.doc.cannot_connect(&source, &target).is_none()
    })
}
