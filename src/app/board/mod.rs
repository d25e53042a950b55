//! The Harmony Board: a workflow file shown as a layered graph and composed from the
//! keyboard — a palette of node kinds, connections chosen with the arrows, delete, move,
//! undo/redo, Melody templates from a browser, node parameters in a form generated from the
//! extension's config schema — validated by the DAG Tracker after every edit.
//!
//! State (`state.rs`, `document.rs`) and a pure update (`update.rs`); the layout
//! (`layout.rs` with `ordering.rs`, `placement.rs`, `routes.rs`) is a pure function of the
//! graph; the renderer is `ui/board_pane.rs`, and the runtime (`ui/board_tasks.rs`) reads and
//! writes the files.

pub mod action;
pub mod browser;
mod compose;
pub mod document;
mod duplicate;
pub mod form;
mod form_keys;
pub mod group;
pub mod group_frame;
mod insert;
pub mod layout;
pub mod library;
pub mod minimap;
pub mod mouse;
pub mod navigate;
pub mod node_form;
mod ordering;
pub mod palette;
mod placement;
pub mod ports;
mod routes;
pub mod run_state;
pub mod state;
pub(crate) mod update;
pub mod view;
pub mod zoom;

#[cfg(test)]
mod tests;

pub use action::{BoardAction, BoardKey, BoardOverlay, PathPurpose, RunEnd, Step};
pub use layout::{Layout, LayoutGraph, LayoutOptions, NodePos, Placement, Route, layout};
pub use state::BoardState;
