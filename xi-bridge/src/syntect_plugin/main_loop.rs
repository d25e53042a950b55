//! The plugin process's loop: read the core's messages, highlight between them.

use std::io::{BufRead, Write};

use syntect::parsing::SyntaxSet;

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
    run_with(input, output, diagnostics, load_syntax_set)
}

/// [`run`], with the syntax set that `load` returns.
///
/// Architecture invariant: the plugin reads its input from the first instant.
/// xi-core writes to plugins from its main thread and a pipe holds 64 KiB, so
/// an `update` carrying a large insert (a restored document) would stall the
/// whole core until the plugin read it. The connection's reader thread
/// therefore starts before the syntax set loads (~170 ms) and buffers whatever
/// arrives meanwhile.
fn run_with<R, W, D, L>(input: R, output: W, diagnostics: D, load: L) -> Result<(), PluginError>
where
    R: BufRead + Send + 'static,
    W: Write,
    D: Write,
    L: FnOnce() -> Result<SyntaxSet, PluginError>,
{
    let mut conn = Connection::new(input, output, diagnostics)?;
    let syntaxes = load()?;
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::io::{self, BufReader};
    use std::sync::mpsc;
    use std::sync::{Arc, Mutex};
    use std::thread;
    use std::time::Duration;

    use serde_json::{Value, json};

    use super::*;

    /// Far longer than a megabyte takes through a pipe that is being read; reached
    /// only when nothing reads.
    const TIMEOUT: Duration = Duration::from_secs(30);

    /// A `Write` the test can look into while the plugin thread owns it.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// xi-core's side of the pipe must never block while the plugin loads its
    /// syntaxes: with the load held until the test has written 1 MiB (16 times
    /// what a pipe buffers), the write completes only if the plugin reads during
    /// the load; what it read is then handled once the syntaxes are there.
    #[test]
    fn input_is_read_while_the_syntaxes_load() {
        let (reader, mut writer) = io::pipe().unwrap();
        let (loading_tx, loading) = mpsc::channel();
        let (release, release_rx) = mpsc::channel::<()>();
        let (output, diagnostics) = (Shared::default(), Shared::default());
        let plugin = {
            let (output, diagnostics) = (output.clone(), diagnostics.clone());
            thread::spawn(move || {
                run_with(BufReader::new(reader), output, diagnostics, move || {
                    loading_tx.send(()).unwrap();
                    // Held until the test has written everything (or given up).
                    let _ = release_rx.recv();
                    load_syntax_set()
                })
            })
        };
        loading.recv_timeout(TIMEOUT).unwrap();

        let text: String = (0..60_000).map(|i| format!("let x{i} = {i};\n")).collect();
        assert!(text.len() > 16 * 64 * 1024);
        let init = json!({"method": "initialize", "params": {"plugin_id": 1, "buffer_info": [{
            "buffer_id": 1, "views": ["view-id-1"], "rev": 1, "buf_size": 0, "nb_lines": 1,
            "path": "/tmp/big.rs", "syntax": "Rust", "config": {}
        }]}});
        let update = json!({"id": 0, "method": "update", "params": {
            "view_id": "view-id-1", "new_len": text.len(), "new_line_count": 60_001, "rev": 2,
            "delta": {"base_len": 0, "els": [{"insert": text}]},
            "undo_group": 1, "edit_type": "insert", "author": "core"
        }});
        let (written_tx, written) = mpsc::channel();
        thread::spawn(move || {
            let result = writeln!(writer, "{init}\n{update}");
            // Dropping `writer` closes the plugin's input: it stops after the update.
            let _ = written_tx.send(result);
        });
        let wrote = written.recv_timeout(TIMEOUT);
        release.send(()).unwrap();
        assert!(
            matches!(wrote, Ok(Ok(()))),
            "writing 1 MiB to the plugin blocked while its syntaxes loaded: it must read its \
             input from the start ({wrote:?})"
        );

        plugin.join().unwrap().unwrap();
        let sent = String::from_utf8(output.0.lock().unwrap().clone()).unwrap();
        let replies: Vec<Value> = sent
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert!(
            replies.contains(&json!({"id": 0, "result": 0})),
            "the buffered update is handled after the load: {sent}"
        );
        let warnings = diagnostics.0.lock().unwrap();
        assert!(
            warnings.is_empty(),
            "{}",
            String::from_utf8_lossy(&warnings)
        );
    }
}
