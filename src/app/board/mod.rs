//! The Harmony Board: a workflow file shown as a layered graph and composed from the
//! keyboard — a palette of node kinds, connections chosen with the arrows, delete, move,
//! undo/redo — validated by the DAG Tracker after every edit.
//!
//! State (`state.rs`, `document.rs`) and a pure update (`update.rs`); the layout
//! (`layout.rs` with `ordering.rs`, `placement.rs`, `routes.rs`) is a pure function of the
//! graph; the renderer is `ui/board_pane.rs`, and the runtime (`ui/board_tasks.rs`) reads and
//! writes the files.

pub mod action;
pub mod document;
pub mod layout;
pub mod navigate;
mod ordering;
pub mod palette;
mod placement;
mod routes;
pub mod state;
pub(crate) mod update;
pub mod view;

#[cfg(test)]
mod tests;

pub use action::{BoardAction, BoardKey, BoardOverlay, PathPurpose, Step};
pub use layout::{Layout, LayoutGraph, LayoutOptions, NodePos, Placement, Route, layout};
pub use state::BoardState;
