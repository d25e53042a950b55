//! What can go wrong inside the syntect plugin process.

use std::io;

use crate::syntect_plugin::protocol::{RevToken, ViewId};

/// Errors of the syntect plugin. Only [`PluginError::Io`],
/// [`PluginError::CoreDisconnected`] and [`PluginError::Syntax`] stop the plugin;
/// the others are reported on stderr and cost at most one buffer's highlighting.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    /// Reading from or writing to the core's pipes failed.
    #[error(
        "talking to xi-core over stdin/stdout failed: {0}; the plugin stops, and highlighting resumes when xi-core is restarted"
    )]
    Io(#[from] io::Error),

    /// The core closed our stdin while we waited for one of its replies.
    #[error(
        "xi-core closed the plugin's stdin while the plugin waited for `{waiting_for}`; the core has probably exited"
    )]
    CoreDisconnected {
        /// The reply we were waiting for.
        waiting_for: &'static str,
    },

    /// The core did not answer a request in time.
    #[error(
        "xi-core did not answer `{method}` within {seconds} s; is the core wedged or overloaded?"
    )]
    CoreTimeout {
        /// The request method.
        method: &'static str,
        /// How long we waited.
        seconds: u64,
    },

    /// The core answered a request with an error object.
    #[error("xi-core refused `{method}`: {error}")]
    Remote {
        /// The request method.
        method: &'static str,
        /// The error object as the core sent it.
        error: serde_json::Value,
    },

    /// The core's reply had the wrong shape.
    #[error(
        "xi-core answered `{method}` with something the plugin cannot read ({source}); core and plugin disagree on the xi 0.3 protocol"
    )]
    BadReply {
        /// The request method.
        method: &'static str,
        /// Why it could not be decoded.
        source: serde_json::Error,
    },

    /// `get_data` could not reproduce the buffer's text.
    #[error(
        "could not fetch the text of {view} at revision {rev}: {reason}; its highlighting pauses until its next edit"
    )]
    TextUnavailable {
        /// The view whose text was asked for.
        view: ViewId,
        /// The revision asked for.
        rev: RevToken,
        /// What went wrong.
        reason: String,
    },

    /// A bundled syntax definition does not load; this is a bug in the build.
    #[error(
        "the bundled syntax `{name}` does not load: {reason}; fix xi-bridge/assets/{name}.sublime-syntax"
    )]
    Syntax {
        /// Name of the syntax file.
        name: &'static str,
        /// syntect's message.
        reason: String,
    },
}

impl PluginError {
    /// Whether the plugin must stop: the pipes are gone or the build is broken.
    /// Anything else costs one buffer's highlighting until its next edit.
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            PluginError::Io(_) | PluginError::CoreDisconnected { .. } | PluginError::Syntax { .. }
        )
    }
}
