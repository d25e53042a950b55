//! The terminal UI: the only module that imports ratatui and crossterm.

pub mod board_drag;
pub mod board_forms;
pub mod board_groups;
pub mod board_library;
pub mod board_minimap;
pub mod board_nodes;
pub mod board_overlays;
pub mod board_pane;
pub mod board_tasks;
pub mod board_zoomed;
pub mod chat_pane;
pub mod colors;
pub mod conductor_tasks;
pub mod editor_pane;
pub mod fqg_play;
pub mod input;
pub mod monitor_pane;
pub mod overlays;
pub mod render;
pub mod run_watcher;
pub mod runtime;
pub mod side_panes;
pub mod status_bar;
pub mod step_clock;

pub use render::render;
