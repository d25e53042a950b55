//! Driving the Harmony Board in tests: an app state on the board, keys through the real keymap
//! and `update`, and the effects its updates asked for (a save's TOML among them).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use pit::dag::WorkflowFile;
use symphony::app::board::state::Tone;
use symphony::app::keymap::Keymap;
use symphony::app::keys::parse_keys;
use symphony::app::state::PaneId;
use symphony::app::{Action, AppState, Effect, update};

use super::common;

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
