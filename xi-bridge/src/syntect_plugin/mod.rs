//! A syntax-highlighting plugin for xi-core 0.3, built on syntect.
//!
//! xi-core starts the `symphony-xi-syntect` binary (found through the
//! manifest that [`install_manifest`] writes) and talks to it over its
//! stdin/stdout. The plugin keeps its own copy of every buffer, applies each
//! `update`'s delta to it, re-highlights from the edited line until the
//! parser state converges, and sends `add_scopes` and `update_spans`; the
//! core maps the scopes to styles with its current theme.
//!
//! Layers, outside in: [`main_loop`] drives [`transport`] (stdio JSON-RPC)
//! and [`plugin`] (message handling), which uses [`document`] (the text),
//! [`highlighter`] (syntect, incremental) and [`syntaxes`] (which syntax).
//! Apart from the process, [`manifest`] writes the manifest from
//! [`languages`], a table generated from the syntax set and compiled in, so
//! that installing the plugin loads no syntax.

pub mod dirty_lines;
pub mod document;
pub mod error;
pub mod highlighter;
pub mod languages;
pub mod link;
pub mod main_loop;
pub mod manifest;
pub mod plugin;
pub mod protocol;
pub mod scope_ids;
pub mod syntaxes;
pub mod transport;

pub use error::PluginError;
pub use main_loop::run;
pub use manifest::install_manifest;
