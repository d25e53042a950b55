//! The core alone, over blocking std pipes: no tokio, no decoding beyond finding `"update"`.
//! Not a baseline to beat but the decomposition: what xi itself costs per keystroke.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;
use xi_bridge::ViewId;
use xi_bridge::protocol::{CoreNotification, CoreRequest, EditCommand};

use crate::keys::insert;

/// `symphony-xi` over blocking std pipes, speaking the protocol by hand.
pub struct RawXi {
    pub child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    view: ViewId,
    typed: usize,
    line: String,
    /// The last `update` line xi sent, for timing the client's decoding of one.
    pub last_update: String,
    _config: TempDir,
}

impl RawXi {
    /// Starts the core and opens a view, ready for the first key.
    pub fn start(program: &Path) -> RawXi {
        let config = tempfile::tempdir().expect("a temporary directory");
        let mut child = std::process::Command::new(program)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("symphony-xi starts");
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut raw = RawXi {
            child,
            stdin,
            stdout,
            view: ViewId::new(""),
            typed: 0,
            line: String::new(),
            last_update: String::new(),
            _config: config,
        };
        let hello = xi_bridge::encode_notification(&CoreNotification::ClientStarted {
            config_dir: Some(raw._config.path().to_path_buf()),
            client_extras_dir: None,
        })
        .expect("client_started encodes");
        let open = xi_bridge::encode_request(
            xi_bridge::RequestId(0),
            &CoreRequest::NewView { file_path: None },
        )
        .expect("new_view encodes");
        raw.stdin
            .write_all(format!("{hello}{open}").as_bytes())
            .expect("symphony-xi reads");
        loop {
            raw.read_line();
            if raw.line.contains("\"id\":0") {
                let reply: serde_json::Value =
                    serde_json::from_str(&raw.line).expect("the reply is JSON");
                raw.view = ViewId::new(reply["result"].as_str().expect("a view id"));
                break;
            }
        }
        raw.wait_update();
        raw
    }

    fn read_line(&mut self) {
        self.line.clear();
        let n = self
            .stdout
            .read_line(&mut self.line)
            .expect("symphony-xi writes");
        assert!(n > 0, "symphony-xi closed its output");
    }

    fn wait_update(&mut self) {
        loop {
            self.read_line();
            if self.line.contains("\"method\":\"update\"") {
                self.last_update.clone_from(&self.line);
                return;
            }
        }
    }

    /// One keystroke and its update.
    pub fn round_trip(&mut self) -> Duration {
        let edit = xi_bridge::encode_notification(&CoreNotification::Edit(EditCommand::new(
            self.view.clone(),
            insert(self.typed),
        )))
        .expect("an edit encodes");
        self.typed += 1;
        let started = Instant::now();
        self.stdin
            .write_all(edit.as_bytes())
            .expect("symphony-xi reads");
        self.wait_update();
        started.elapsed()
    }
}

impl Drop for RawXi {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
