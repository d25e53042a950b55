//! The plugin process's loop: read the core's messages, highlight between them.

use std::io::{BufRead, Write};

use crate::syntect_plugin::error::PluginError;
use crate::syntect_plugin::link::CoreLink;
use crate::syntect_plugin::plugin::{Flow, LINES_PER_BATCH, SyntectPlugin};
use crate::syntect_plugin::syntaxes::load_syntax_set;
use crate::syntect_plugin::transport::{Connection, Event};

/// Runs the plugin until the core closes `input` or sends `shutdown`.
///
/// Messages always go first; highlighting runs in slices of
/// [`LINES_PER_BATCH`] lines while no message waits, so an edit is applied
/// (and its line re-highlighted) even during a long first pass.
pub fn run<R, W, D>(input: R, output: W, diagnostics: D) -> Result<(), PluginError>
where
    R: BufRead + Send + 'static,
    W: Write,
    D: Write,
{
    let syntaxes = load_syntax_set()?;
    let mut conn = Connection::new(input, output, diagnostics)?;
    let mut plugin = SyntectPlugin::new(&syntaxes);
    loop {
        let event = if plugin.has_work() {
            conn.poll_event()
        } else {
            Some(conn.next_event())
        };
        let Some(event) = event else {
            plugin.work(&mut conn, LINES_PER_BATCH)?;
            continue;
        };
        match event {
            Event::Message(msg) => {
                if plugin.handle(msg, &mut conn)? == Flow::Stop {
                    return Ok(());
                }
            }
            Event::Malformed { line, reason } => {
                conn.warn(&format_args!(
                    "skipping a line from xi-core that is not JSON-RPC ({reason}): {line}"
                ));
            }
            Event::Closed => return Ok(()),
            Event::Failed(e) => return Err(PluginError::Io(e)),
        }
    }
}
