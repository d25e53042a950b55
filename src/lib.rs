//! Symphony: a terminal-first AI development environment.
//!
//! The map of the code is in `docs/ARCHITECTURE.md`.

pub mod adapters;
pub mod app;
pub mod cli;
pub mod data;
pub mod error;
pub mod headless;
pub mod paths;
pub mod ports;
pub mod theme;
pub mod ui;

pub use error::SymphonyError;
