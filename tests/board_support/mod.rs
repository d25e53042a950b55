//! Driving the Harmony Board in tests: an app state on the board, keys through the real keymap
//! and `update`, and the effects its updates asked for (a save's TOML among them); or a whole
//! harness (screens, the mouse) with the helpers at the end.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use crossterm::event::{Event, KeyModifiers, MouseEvent, MouseEventKind};
use pit::dag::{EdgeKind, EdgeSpec, NodeKind, NodeSpec, WorkflowFile};
use symphony::adapters::MemoryEditor;
use symphony::app::board::state::Tone;
use symphony::app::board::view::HEADER_ROWS;
use symphony::app::keymap::Keymap;
use symphony::app::keys::parse_keys;
use symphony::app::layout::screen_layout;
use symphony::app::state::PaneId;
use symphony::app::{Action, AppState, Effect, update};
use symphony::ui::input::action_for_event;

use super::common;
use super::common::Harness;

/// An app state focused on the board, and the effects its updates asked for.
pub struct Board {
    pub state: AppState,
    pub keymap: Keymap,
    pub effects: Vec<Effect>,
}

impl Board {
    /// A 160×48 app, the board focused.
    pub fn new() -> Board {
        let mut b = Board {
            state: AppState::new((160, 48), common::theme()),
            keymap: Keymap::default(),
            effects: Vec::new(),
        };
        b.keys("<A-3>");
        assert_eq!(b.state.layout.focus, PaneId::Board);
        b
    }

    pub fn act(&mut self, action: Action) {
        self.effects.extend(update(&mut self.state, action));
    }

    /// Keys (`"a<Enter>"`) through the keymap, as the runtime sends them.
    pub fn keys(&mut self, sequence: &str) {
        for key in parse_keys(sequence).unwrap() {
            let action =
                self.keymap
                    .action_for(key, self.state.layout.focus, self.state.overlay.as_ref());
            if let Some(action) = action {
                self.act(action);
            }
        }
    }

    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.act(Action::Type(c));
        }
    }

    /// Adds a node through the palette.
    pub fn add(&mut self, query: &str) {
        self.keys("a");
        self.type_text(query);
        self.keys("<Enter>");
    }

    pub fn file(&self) -> &WorkflowFile {
        &self.state.board.doc.file
    }

    pub fn selected(&self) -> &str {
        self.state.board.selected.as_ref().unwrap().as_str()
    }

    pub fn notice(&self) -> (Tone, String) {
        let n = self.state.board.notice.clone().unwrap();
        (n.tone, n.text)
    }

    /// The path and TOML of the last save effect, if any was asked for.
    pub fn saved(&self) -> Option<(PathBuf, String)> {
        self.effects.iter().rev().find_map(|e| match e {
            Effect::BoardSave { path, text } => Some((path.clone(), text.clone())),
            _ => None,
        })
    }
}

/// The harness the screen tests drive.
pub type H = Harness<MemoryEditor>;

/// A harness on the in-memory editor, `width` × `height`, the board focused.
pub fn board(width: u16, height: u16) -> H {
    let mut h = Harness::memory(width, height, vec![]);
    h.keys("<A-3>");
    assert_eq!(h.state.layout.focus, PaneId::Board);
    h
}

/// Adds a node through the palette.
pub fn add(h: &mut H, query: &str) {
    h.keys("a");
    h.type_text(query);
    h.keys("<Enter>");
}

/// Selects the node `id` (which must exist).
pub fn select(h: &mut H, id: &str) {
    assert!(h.state.board.doc.node(&id.into()).is_some(), "no node {id}");
    h.state.board.selected = Some(id.into());
}

/// Whether `file` has an edge `from` → `to`.
pub fn has_edge(file: &WorkflowFile, from: &str, to: &str) -> bool {
    file.edges
        .iter()
        .any(|e| e.from.as_str() == from && e.to.as_str() == to)
}

/// `layers` layers of `width` noop nodes, each fed by the node above it and some by the one
/// above and to the left: 1,000 nodes at 10 × 100 or 25 × 40.
pub fn grid(layers: usize, width: usize) -> WorkflowFile {
    let mut file = WorkflowFile {
        name: Some("grid".into()),
        ..WorkflowFile::default()
    };
    for i in 0..layers * width {
        file.nodes
            .push(NodeSpec::new(format!("n{i}").as_str(), NodeKind::Operator));
    }
    for i in width..layers * width {
        let edge = |from: usize| {
            EdgeSpec::new(
                format!("n{from}").as_str(),
                format!("n{i}").as_str(),
                EdgeKind::Control,
            )
        };
        file.edges.push(edge(i - width));
        if i % width > 0 && i % 7 == 0 {
            file.edges.push(edge(i - width - 1));
        }
    }
    file
}

/// The screen cell at the middle of a node's box, where the pane shows it now.
pub fn screen_cell(state: &AppState, id: &str) -> (u16, u16) {
    let board = &state.board;
    let place = board.layout.nodes[board.doc.position(&id.into()).unwrap().index()];
    let screen = screen_layout(state.size.0, state.size.1, &state.layout);
    let area = screen.pane(PaneId::Board).unwrap();
    let inner = if screen.tab_bar.is_some() {
        area
    } else {
        area.inner()
    };
    let graph_rows = inner.height - HEADER_ROWS - 2;
    let scroll = symphony::app::board::view::effective_scroll(board, (inner.width, graph_rows));
    let x = place.x + board.options.node_width / 2 - scroll.0;
    let y = place.y + board.options.node_height / 2 - scroll.1;
    (inner.x + x as u16, inner.y + HEADER_ROWS + y as u16)
}

/// A mouse event through the runtime's own `action_for_event`.
pub fn mouse(h: &mut H, kind: MouseEventKind, (column, row): (u16, u16)) {
    let event = Event::Mouse(MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    });
    if let Some(action) = action_for_event(event, &h.state, &h.keymap) {
        h.act(action);
    }
}
