//! The domain core of the UI: state, actions, the pure update, effects and the keymap.
//!
//! Architecture invariant: no ratatui or crossterm here; the renderer lives in `ui/`.

pub mod action;
pub mod board;
pub mod chat;
pub mod effect;
pub mod keymap;
pub mod keys;
pub mod layout;
pub mod monitor;
pub mod state;
pub mod text_columns;
pub mod update;

pub use action::Action;
pub use effect::Effect;
pub use state::AppState;
pub use update::update;
