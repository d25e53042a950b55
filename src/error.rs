//! The `symphony` crate's errors, each with what to do about it.

use std::path::PathBuf;

/// Errors of the Symphony application crate.
#[derive(Debug, thiserror::Error)]
pub enum SymphonyError {
    /// A theme file could not be used.
    #[error("theme {origin}: {message}")]
    Theme {
        /// Which theme (file path or built-in name).
        origin: String,
        /// What is wrong in it.
        message: String,
    },
    /// `--theme` named a theme that does not exist.
    #[error(
        "no theme named `{name}`: the built-in themes are {available}; or put NAME.toml in {dir}"
    )]
    UnknownTheme {
        /// The name asked for.
        name: String,
        /// Built-in names.
        available: String,
        /// Where user themes live.
        dir: PathBuf,
    },
    /// An I/O operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// No data directory could be chosen.
    #[error("no data directory: set SYMPHONY_DATA_DIR or pass --data-dir")]
    NoDataDir,
    /// The `symphony-xi` binary was not found.
    #[error(
        "cannot find the `symphony-xi` binary (looked in {looked}); build it with `cargo build --workspace --bins` or set SYMPHONY_XI_BIN"
    )]
    XiBinaryMissing {
        /// Where we looked.
        looked: String,
    },
    /// The editor core could not start.
    #[error("the editor core failed to start: {0}")]
    Core(#[from] xi_bridge::BridgeError),
}

impl SymphonyError {
    /// An I/O error with what was being done.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> SymphonyError {
        SymphonyError::Io {
            context: context.into(),
            source,
        }
    }
}
