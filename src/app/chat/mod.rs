//! The Conductor chat: a transcript of messages, plan cards and run progress, an input box
//! with history and slash commands. State and a pure update; the renderer is
//! `ui/chat_pane.rs`, and the runtime (`ui/conductor_tasks.rs`) carries out its effects.

pub mod action;
mod calls;
pub mod commands;
mod events;
pub mod highlight;
pub mod input;
pub mod markdown;
pub mod outputs;
pub mod state;
pub mod transcript;
pub(crate) mod update;
pub mod view;
pub mod wrap;

#[cfg(test)]
pub(crate) mod tests;

pub use action::{ChatKey, ConductorUpdate};
pub use state::{ChatState, ConductorFailure};

pub(crate) use events::update as conductor_update;
