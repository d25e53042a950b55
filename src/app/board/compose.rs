//! The board's composition keys beyond add/connect/delete: marking nodes (a visual
//! selection), duplicating, grouping (form, collapse/expand, dissolve), deleting what is
//! marked, zooming and the minimap. Each edit goes through `BoardState::edit`, so it is
//! validated and undoable like any other.

use super::document::Edit;
use super::duplicate::duplicate;
use super::group::{self, GroupEdit};
use super::state::{BoardState, Tone};
use super::update::{notice, report};
use super::zoom;

/// Marks the selected node (or its collapsed group), or unmarks it.
pub fn toggle_mark(board: &mut BoardState) {
    let Some(id) = board.selected.clone() else {
        notice(board, Tone::Warning, "select a node to mark first");
        return;
    };
    if let Some(at) = board.marks.iter().position(|m| *m == id) {
        board.marks.remove(at);
    } else {
        board.marks.push(id);
    }
    let n = board.marks.len();
    let text = match n {
        0 => "no node marked".to_owned(),
        1 => "1 node marked: v marks more, g groups, D duplicates, d deletes".to_owned(),
        n => format!("{n} nodes marked: g groups them, D duplicates, d deletes, Esc unmarks"),
    };
    notice(board, Tone::Info, text);
}

/// Duplicates the marked nodes, else the selection (a collapsed group whole).
pub fn duplicate_selection(board: &mut BoardState) {
    let originals = group::targets(board);
    if originals.is_empty() {
        notice(board, Tone::Warning, "nothing selected to duplicate");
        return;
    }
    let (edit, pairs) = duplicate(&board.doc, &originals);
    let selected = board.selected.clone();
    let copy_of_selected = pairs
        .iter()
        .find(|(old, _)| Some(old) == selected.as_ref())
        .or_else(|| pairs.first())
        .map(|(_, new)| new.clone());
    let outcome = board.edit(edit);
    board.marks.clear();
    if let Some(copy) = copy_of_selected {
        board.selected = Some(group::shown_for(&board.doc, copy));
    }
    let done = match pairs.as_slice() {
        [(old, new)] => format!("duplicated `{old}` as `{new}`"),
        _ => format!("duplicated {} nodes", pairs.len()),
    };
    report(board, outcome, done);
}

/// With marks: groups the marked nodes (collapsed). Without: collapses or expands the
/// selected node's group.
pub fn group_or_fold(board: &mut BoardState) {
    if !board.marks.is_empty() {
        let members = group::targets(board);
        let name = group::fresh_name(&board.doc);
        let outcome = board.edit(Edit::Group(GroupEdit::Form(members.clone(), name.clone())));
        board.marks.clear();
        board.selected = board
            .selected
            .clone()
            .or_else(|| members.first().cloned())
            .map(|id| group::shown_for(&board.doc, id));
        let done = format!(
            "grouped {} nodes as `{name}` (collapsed; g expands it, G dissolves it)",
            members.len()
        );
        report(board, outcome, done);
        return;
    }
    let Some(id) = board.selected.clone() else {
        notice(board, Tone::Warning, "mark nodes with v to group them");
        return;
    };
    let Some(name) = board.doc.node(&id).and_then(|n| n.group.clone()) else {
        notice(
            board,
            Tone::Warning,
            format!("`{id}` is in no group: mark nodes with v, then g groups them"),
        );
        return;
    };
    let collapse = !board.doc.collapsed.contains(&name);
    // Folding changes the drawing, not the file: it is undoable but leaves nothing to save.
    let modified = board.modified;
    let outcome = board.edit(Edit::Group(GroupEdit::Fold(name.clone(), collapse)));
    board.modified = modified;
    board.selected = Some(group::shown_for(&board.doc, id));
    let done = if collapse {
        format!("collapsed `{name}`")
    } else {
        format!("expanded `{name}`")
    };
    report(board, outcome, done);
}

/// Dissolves the selected node's group (its nodes stay).
pub fn ungroup(board: &mut BoardState) {
    let Some(name) = board
        .selected
        .as_ref()
        .and_then(|id| board.doc.node(id))
        .and_then(|n| n.group.clone())
    else {
        notice(board, Tone::Warning, "the selected node is in no group");
        return;
    };
    let outcome = board.edit(Edit::Group(GroupEdit::Dissolve(name.clone())));
    report(board, outcome, format!("dissolved `{name}`"));
}

/// Deletes the marked nodes, or the selected collapsed group; false when the selection is
/// one plain node (the single-node delete handles it).
pub fn delete_many(board: &mut BoardState) -> bool {
    let targets = group::targets(board);
    if targets.len() < 2 {
        return false;
    }
    let outcome = board.edit(Edit::Remove(targets.clone()));
    board.marks.clear();
    report(board, outcome, format!("deleted {} nodes", targets.len()));
    true
}

/// Zooms in (`by < 0`) or out one level.
pub fn zoom_by(board: &mut BoardState, by: i8) {
    if zoom::zoom(board, by) {
        let text = format!("zoom: {}", board.zoom.name());
        notice(board, Tone::Info, text);
    } else {
        let end = if by < 0 { "in" } else { "out" };
        notice(
            board,
            Tone::Warning,
            format!("already zoomed all the way {end}"),
        );
    }
}

/// Shows or hides the minimap.
pub fn toggle_minimap(board: &mut BoardState) {
    board.minimap = !board.minimap;
    let text = if board.minimap {
        "minimap shown (when the drawing is twice the view or more)"
    } else {
        "minimap hidden"
    };
    notice(board, Tone::Info, text);
}
