//! The keymap: one table from keys to actions. The help overlay is generated from it, so every
//! key that works is listed and every key listed works.

use std::collections::HashMap;

use crate::ports::{EditOp, Motion};

use super::action::Action;
use super::board::{BoardAction, BoardKey, Step};
use super::chat::ChatKey;
use super::chat::input::InputMove;
use super::keys::{Key, KeyCode, Mods};
use super::monitor::MonitorKey;
use super::state::{Overlay, PaneId, PromptKind};

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Everywhere, unless an overlay is open.
    Global,
    /// When the editor pane has focus.
    Editor,
    /// When the Conductor chat has focus.
    Conductor,
    /// When the Harmony Board has focus.
    Board,
    /// When the execution monitor has focus (then the other panes' keys).
    Monitor,
    /// When any other pane has focus.
    OtherPane,
}

/// One row of the keymap.
#[derive(Debug, Clone)]
pub struct Binding {
    /// The key, in `<C-s>` notation.
    pub key: Key,
    /// Where it applies.
    pub scope: Scope,
    /// Heading in the help overlay.
    pub section: &'static str,
    /// What it does, for the help overlay.
    pub description: &'static str,
    /// The action it sends.
    pub action: Action,
}

/// The keymap with its lookup index.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<Binding>,
    index: HashMap<(Scope, Key), usize>,
}

fn mv(motion: Motion, extend: bool) -> Action {
    Action::Edit(EditOp::Move { motion, extend })
}

/// The default bindings, in the order the help overlay lists them.
#[rustfmt::skip]
fn default_bindings() -> Vec<(&'static str, Scope, &'static str, &'static str, Action)> {
    use Scope::{Board, Conductor, Editor, Global, Monitor, OtherPane};
    let board = |key| Action::Board(BoardAction::Key(key));
    let b = "Harmony Board";
    let edit = Action::Edit;
    let chat = Action::Chat;
    let chat_move = |m| Action::Chat(ChatKey::Move(m));
    let c = "Conductor chat";
    let monitor = Action::MonitorKey;
    let m = "Execution monitor";
    vec![
        ("<F1>", Global, "General", "Show this help", Action::Help),
        ("<C-q>", Global, "General", "Quit (asks if anything is unsaved)", Action::Quit),
        ("<F2>", Global, "Panes", "Focus the next pane", Action::FocusNext),
        ("<S-F2>", Global, "Panes", "Focus the previous pane", Action::FocusPrevious),
        ("<A-1>", Global, "Panes", "Focus the editor", Action::Focus(PaneId::Editor)),
        ("<A-2>", Global, "Panes", "Focus the Conductor", Action::Focus(PaneId::Conductor)),
        ("<A-3>", Global, "Panes", "Focus the Harmony Board", Action::Focus(PaneId::Board)),
        ("<A-4>", Global, "Panes", "Focus the monitor", Action::Focus(PaneId::Monitor)),
        ("<F11>", Global, "Panes", "Zoom the focused pane", Action::ToggleZoom),
        ("<A-z>", Global, "Panes", "Zoom the focused pane", Action::ToggleZoom),
        ("<C-o>", Global, "Buffers", "Open a file", Action::Prompt(PromptKind::Open)),
        ("<C-n>", Global, "Buffers", "New scratch buffer", Action::NewBuffer),
        ("<C-s>", Global, "Buffers", "Save", Action::Save),
        ("<A-s>", Global, "Buffers", "Save as", Action::Prompt(PromptKind::SaveAs)),
        ("<C-w>", Global, "Buffers", "Close the buffer", Action::CloseBuffer),
        ("<C-b>", Global, "Buffers", "List buffers", Action::BufferList),
        ("<C-PageDown>", Global, "Buffers", "Next buffer", Action::NextBuffer),
        ("<C-PageUp>", Global, "Buffers", "Previous buffer", Action::PreviousBuffer),
        ("<A-.>", Global, "Buffers", "Next buffer", Action::NextBuffer),
        ("<A-,>", Global, "Buffers", "Previous buffer", Action::PreviousBuffer),
        ("<Left>", Editor, "Moving", "Character left", mv(Motion::Left, false)),
        ("<Right>", Editor, "Moving", "Character right", mv(Motion::Right, false)),
        ("<Up>", Editor, "Moving", "Line up", mv(Motion::Up, false)),
        ("<Down>", Editor, "Moving", "Line down", mv(Motion::Down, false)),
        ("<C-Left>", Editor, "Moving", "Word left", mv(Motion::WordLeft, false)),
        ("<C-Right>", Editor, "Moving", "Word right", mv(Motion::WordRight, false)),
        ("<Home>", Editor, "Moving", "Start of line", mv(Motion::LineStart, false)),
        ("<End>", Editor, "Moving", "End of line", mv(Motion::LineEnd, false)),
        ("<C-Home>", Editor, "Moving", "Start of buffer", mv(Motion::DocumentStart, false)),
        ("<C-End>", Editor, "Moving", "End of buffer", mv(Motion::DocumentEnd, false)),
        ("<PageUp>", Editor, "Moving", "Page up", Action::Page { direction: -1, extend: false }),
        ("<PageDown>", Editor, "Moving", "Page down", Action::Page { direction: 1, extend: false }),
        ("<C-g>", Editor, "Moving", "Go to line", Action::Prompt(PromptKind::GotoLine)),
        ("<S-Left>", Editor, "Selecting", "Extend left", mv(Motion::Left, true)),
        ("<S-Right>", Editor, "Selecting", "Extend right", mv(Motion::Right, true)),
        ("<S-Up>", Editor, "Selecting", "Extend up", mv(Motion::Up, true)),
        ("<S-Down>", Editor, "Selecting", "Extend down", mv(Motion::Down, true)),
        ("<C-S-Left>", Editor, "Selecting", "Extend a word left", mv(Motion::WordLeft, true)),
        ("<C-S-Right>", Editor, "Selecting", "Extend a word right", mv(Motion::WordRight, true)),
        ("<S-Home>", Editor, "Selecting", "Extend to line start", mv(Motion::LineStart, true)),
        ("<S-End>", Editor, "Selecting", "Extend to line end", mv(Motion::LineEnd, true)),
        ("<S-PageUp>", Editor, "Selecting", "Extend a page up", Action::Page { direction: -1, extend: true }),
        ("<S-PageDown>", Editor, "Selecting", "Extend a page down", Action::Page { direction: 1, extend: true }),
        ("<C-a>", Editor, "Selecting", "Select all", edit(EditOp::SelectAll)),
        ("<Esc>", Editor, "Selecting", "Collapse the selection", edit(EditOp::CollapseSelections)),
        ("<Enter>", Editor, "Editing", "New line", edit(EditOp::Newline)),
        ("<Tab>", Editor, "Editing", "Indent / tab", edit(EditOp::Tab)),
        ("<Backspace>", Editor, "Editing", "Delete backward", edit(EditOp::DeleteBackward)),
        ("<Delete>", Editor, "Editing", "Delete forward", edit(EditOp::DeleteForward)),
        ("<C-Backspace>", Editor, "Editing", "Delete word backward", edit(EditOp::DeleteWordBackward)),
        ("<A-Backspace>", Editor, "Editing", "Delete word backward", edit(EditOp::DeleteWordBackward)),
        ("<C-Delete>", Editor, "Editing", "Delete word forward", edit(EditOp::DeleteWordForward)),
        ("<C-z>", Editor, "Editing", "Undo", edit(EditOp::Undo)),
        ("<C-y>", Editor, "Editing", "Redo", edit(EditOp::Redo)),
        ("<C-S-z>", Editor, "Editing", "Redo", edit(EditOp::Redo)),
        ("<C-c>", Editor, "Editing", "Copy", Action::Copy),
        ("<C-x>", Editor, "Editing", "Cut", Action::Cut),
        ("<C-v>", Editor, "Editing", "Paste", Action::Paste(None)),
        ("<C-f>", Editor, "Find", "Find", Action::Prompt(PromptKind::Find)),
        ("<F3>", Editor, "Find", "Next match", Action::FindNext),
        ("<S-F3>", Editor, "Find", "Previous match", Action::FindPrevious),
        ("<C-h>", Editor, "Find", "Replace all", Action::Prompt(PromptKind::ReplaceFind)),
        ("<Enter>", Conductor, c, "Send, or run the plan (input empty)", chat(ChatKey::Submit)),
        ("<A-Enter>", Conductor, c, "New line in the message", chat(ChatKey::Newline)),
        ("<S-Enter>", Conductor, c, "New line in the message", chat(ChatKey::Newline)),
        ("<Up>", Conductor, c, "Line up/down, at the edges: history", chat(ChatKey::Up)),
        ("<Down>", Conductor, c, "Line up/down, at the edges: history", chat(ChatKey::Down)),
        ("<Left>", Conductor, c, "Move in the message", chat_move(InputMove::Left)),
        ("<Right>", Conductor, c, "Move in the message", chat_move(InputMove::Right)),
        ("<Home>", Conductor, c, "Move in the message", chat_move(InputMove::LineStart)),
        ("<End>", Conductor, c, "Move in the message", chat_move(InputMove::LineEnd)),
        ("<Backspace>", Conductor, c, "Delete backward, forward", chat(ChatKey::Backspace)),
        ("<Delete>", Conductor, c, "Delete backward, forward", chat(ChatKey::Delete)),
        ("<Tab>", Conductor, c, "Complete a slash command", chat(ChatKey::Complete)),
        ("<PageUp>", Conductor, c, "Scroll the conversation", Action::Page { direction: -1, extend: false }),
        ("<PageDown>", Conductor, c, "Scroll the conversation", Action::Page { direction: 1, extend: false }),
        ("<C-c>", Conductor, c, "Cancel the call in flight", chat(ChatKey::CancelCall)),
        ("<C-Up>", Conductor, c, "Select an output", chat(ChatKey::SelectOutput(-1))),
        ("<C-Down>", Conductor, c, "Select an output", chat(ChatKey::SelectOutput(1))),
        ("<A-o>", Conductor, c, "Open the output, insert it at cursor", chat(ChatKey::OpenOutput)),
        ("<A-i>", Conductor, c, "Open the output, insert it at cursor", chat(ChatKey::InsertOutput)),
        ("<Esc>", Conductor, c, "Discard the plan, else to the editor", chat(ChatKey::Escape)),
        ("<Left>", Board, b, "Select the node left/right in its layer", board(BoardKey::Select(Step::Left))),
        ("<Right>", Board, b, "Select the node left/right in its layer", board(BoardKey::Select(Step::Right))),
        ("<Up>", Board, b, "Select a node in the layer above/below", board(BoardKey::Select(Step::Up))),
        ("<Down>", Board, b, "Select a node in the layer above/below", board(BoardKey::Select(Step::Down))),
        ("<S-Left>", Board, b, "Move the node left/right in its layer", board(BoardKey::Move(-1))),
        ("<S-Right>", Board, b, "Move the node left/right in its layer", board(BoardKey::Move(1))),
        ("a", Board, b, "Add a node from the palette of node kinds", board(BoardKey::Add)),
        ("t", Board, b, "Add a workflow from the template browser", board(BoardKey::Templates)),
        ("e", Board, b, "Edit the node's parameters in a form", board(BoardKey::EditParams)),
        ("c", Board, b, "Connect from the node; arrows choose the target", board(BoardKey::Connect)),
        ("<Enter>", Board, b, "Make the connection, else edit the node's parameters", board(BoardKey::Confirm)),
        ("d", Board, b, "Delete the node (or marks, or collapsed group) and its edges", board(BoardKey::Delete)),
        ("<Delete>", Board, b, "Delete the node (or marks, or collapsed group) and its edges", board(BoardKey::Delete)),
        ("v", Board, b, "Mark/unmark the node (delete, duplicate, group apply to marks)", board(BoardKey::Mark)),
        ("D", Board, b, "Duplicate the node or marks (same inputs, fresh ids)", board(BoardKey::Duplicate)),
        ("g", Board, b, "Group the marked nodes, else collapse/expand the group", board(BoardKey::Group)),
        ("G", Board, b, "Dissolve the node's group", board(BoardKey::Ungroup)),
        ("+", Board, b, "Zoom in/out: boxes, one line per node, dots", board(BoardKey::Zoom(-1))),
        ("=", Board, b, "Zoom in/out: boxes, one line per node, dots", board(BoardKey::Zoom(-1))),
        ("-", Board, b, "Zoom in/out: boxes, one line per node, dots", board(BoardKey::Zoom(1))),
        ("m", Board, b, "Show/hide the minimap of a large workflow", board(BoardKey::Minimap)),
        ("u", Board, b, "Undo the last board edit", board(BoardKey::Undo)),
        ("<C-z>", Board, b, "Undo the last board edit", board(BoardKey::Undo)),
        ("r", Board, b, "Redo", board(BoardKey::Redo)),
        ("<C-y>", Board, b, "Redo", board(BoardKey::Redo)),
        ("s", Board, b, "Save the workflow as TOML (refused while invalid)", board(BoardKey::Save)),
        ("w", Board, b, "Save the workflow as", board(BoardKey::SaveAs)),
        ("o", Board, b, "Open a workflow file", board(BoardKey::Open)),
        ("x", Board, b, "Run the saved workflow (the Monitor follows it)", board(BoardKey::Run)),
        ("<PageUp>", Board, b, "Scroll the board", board(BoardKey::Page(-1))),
        ("<PageDown>", Board, b, "Scroll the board", board(BoardKey::Page(1))),
        ("<Esc>", Board, b, "Cancel the connection, else clear the marks, else to the editor", board(BoardKey::Escape)),
        ("?", Board, b, "Show this help", Action::Help),
        ("<Tab>", Board, b, "Focus the next pane", Action::FocusNext),
        ("<Up>", Monitor, m, "Highlight an error (a node that needed a recovery)", monitor(MonitorKey::Select(-1))),
        ("<Down>", Monitor, m, "Highlight an error (a node that needed a recovery)", monitor(MonitorKey::Select(1))),
        ("k", Monitor, m, "Highlight an error (a node that needed a recovery)", monitor(MonitorKey::Select(-1))),
        ("j", Monitor, m, "Highlight an error (a node that needed a recovery)", monitor(MonitorKey::Select(1))),
        ("<Enter>", Monitor, m, "Jump to its node on the board; show its log and recovery", monitor(MonitorKey::Open)),
        ("<Esc>", Monitor, m, "Close the error's detail, else to the editor", monitor(MonitorKey::Back)),
        ("?", OtherPane, "In the other panes", "Show this help", Action::Help),
        ("<Tab>", OtherPane, "In the other panes", "Focus the next pane", Action::FocusNext),
        ("<Esc>", OtherPane, "In the other panes", "Back to the editor", Action::Focus(PaneId::Editor)),
    ]
}

impl Default for Keymap {
    fn default() -> Keymap {
        let bindings: Vec<Binding> = default_bindings()
            .into_iter()
            .filter_map(|(notation, scope, section, description, action)| {
                // The table is ours and tested; a typo would be caught by `every_binding_parses`.
                let key = Key::parse(notation).ok()?;
                Some(Binding {
                    key,
                    scope,
                    section,
                    description,
                    action,
                })
            })
            .collect();
        let index = bindings
            .iter()
            .enumerate()
            .map(|(i, b)| ((b.scope, b.key), i))
            .collect();
        Keymap { bindings, index }
    }
}

impl Keymap {
    /// Every binding, in help order.
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// The help rows, `(section, keys, description)`: one per action, with all its keys.
    pub fn help_rows(&self) -> Vec<(String, String, String)> {
        let mut rows: Vec<(String, String, String)> = Vec::new();
        for b in &self.bindings {
            let description = b.description.to_owned();
            match rows
                .iter_mut()
                .find(|(s, _, d)| s == b.section && *d == description)
            {
                Some(row) => row.1 = format!("{}, {}", row.1, b.key),
                None => rows.push((b.section.to_owned(), b.key.to_string(), description)),
            }
        }
        rows
    }

    /// The action for a key in the current context, if any.
    pub fn action_for(&self, key: Key, focus: PaneId, overlay: Option<&Overlay>) -> Option<Action> {
        if let Some(overlay) = overlay {
            return overlay_action(key, overlay);
        }
        let scope = match focus {
            PaneId::Editor => Scope::Editor,
            PaneId::Conductor => Scope::Conductor,
            PaneId::Board => Scope::Board,
            PaneId::Monitor => Scope::Monitor,
        };
        let bound = self
            .index
            .get(&(Scope::Global, key))
            .or_else(|| self.index.get(&(scope, key)))
            .or_else(|| {
                (scope == Scope::Monitor)
                    .then(|| self.index.get(&(Scope::OtherPane, key)))
                    .flatten()
            })
            .map(|&i| self.bindings[i].action.clone());
        if bound.is_some() {
            return bound;
        }
        match key.code {
            KeyCode::Char(c)
                if matches!(scope, Scope::Editor | Scope::Conductor)
                    && !key.mods.without(Mods::SHIFT).contains(Mods::CTRL)
                    && !key.mods.contains(Mods::ALT) =>
            {
                Some(Action::Type(c))
            }
            _ => None,
        }
    }
}

/// Keys inside an overlay: a small fixed set, so nothing leaks to the buffer underneath.
fn overlay_action(key: Key, overlay: &Overlay) -> Option<Action> {
    let ctrl = key.mods.contains(Mods::CTRL);
    match (key.code, overlay) {
        (KeyCode::Esc, _) => Some(Action::Cancel),
        (KeyCode::Char('c' | 'q'), _) if ctrl => Some(Action::Cancel),
        (KeyCode::F(1), Overlay::Help { .. }) => Some(Action::Cancel),
        (KeyCode::Enter, _) => Some(Action::Confirm),
        (KeyCode::Backspace, Overlay::Prompt(_) | Overlay::Board(_)) => {
            Some(Action::OverlayBackspace)
        }
        (KeyCode::Tab, Overlay::Board(_)) => Some(Action::OverlayMove(1)),
        (KeyCode::BackTab, Overlay::Board(_)) => Some(Action::OverlayMove(-1)),
        (KeyCode::Left, Overlay::Prompt(_)) => Some(Action::OverlayMove(-1)),
        (KeyCode::Right, Overlay::Prompt(_)) => Some(Action::OverlayMove(1)),
        (KeyCode::Home, Overlay::Prompt(_)) => Some(Action::OverlayMove(i32::MIN)),
        (KeyCode::End, Overlay::Prompt(_)) => Some(Action::OverlayMove(i32::MAX)),
        (KeyCode::Up, _) => Some(Action::OverlayMove(-1)),
        (KeyCode::Down, _) => Some(Action::OverlayMove(1)),
        (KeyCode::PageUp, _) => Some(Action::OverlayMove(-10)),
        (KeyCode::PageDown, _) => Some(Action::OverlayMove(10)),
        (KeyCode::Char(c), _) if !ctrl => Some(Action::Type(c)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_binding_parses() {
        assert_eq!(Keymap::default().bindings().len(), default_bindings().len());
    }

    #[test]
    fn no_key_is_bound_twice_in_one_scope() {
        let map = Keymap::default();
        assert_eq!(map.index.len(), map.bindings().len());
    }

    #[test]
    fn typing_goes_to_the_editor_and_ctrl_keys_do_not() {
        let map = Keymap::default();
        let key = |s| Key::parse(s).expect("valid key");
        assert!(matches!(
            map.action_for(key("a"), PaneId::Editor, None),
            Some(Action::Type('a'))
        ));
        assert!(matches!(
            map.action_for(key("A"), PaneId::Editor, None),
            Some(Action::Type('A'))
        ));
        assert!(map.action_for(key("<C-e>"), PaneId::Editor, None).is_none());
        assert!(matches!(
            map.action_for(key("?"), PaneId::Board, None),
            Some(Action::Help)
        ));
        assert!(matches!(
            map.action_for(key("<C-s>"), PaneId::Board, None),
            Some(Action::Save)
        ));
    }

    #[test]
    fn overlays_capture_keys() {
        let map = Keymap::default();
        let key = |s| Key::parse(s).expect("valid key");
        let help = Overlay::Help { scroll: 0 };
        assert!(
            map.action_for(key("<C-s>"), PaneId::Editor, Some(&help))
                .is_none()
        );
        assert!(matches!(
            map.action_for(key("<Esc>"), PaneId::Editor, Some(&help)),
            Some(Action::Cancel)
        ));
    }
}
