//! A native extension: a child process speaking JSON-RPC over stdio, started through the
//! sandbox launcher. Its stdout lines and its exit arrive as [`Event`]s on the host's one
//! channel; the last few KiB of its stderr are kept to explain a crash.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::thread;

use super::Event;
use super::sandbox::{SandboxReport, SandboxSpec};
use crate::error::ExtensionError;
use crate::manifest::ExtensionId;

/// Bytes of stderr kept.
const STDERR_TAIL: usize = 4096;

/// How to start the sandbox launcher: this host's own program and leading arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launcher {
    /// The program (`symphony` or `symphony-ext-host`).
    pub program: PathBuf,
    /// Arguments before the host's own (`["ext-host"]` for `symphony`).
    pub prefix: Vec<String>,
}

/// The guest program and where it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestCommand {
    /// The program: a path, or a bare name looked up on `PATH`.
    pub program: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// Its working directory (the extension's directory).
    pub workdir: PathBuf,
}

/// A running native guest.
#[derive(Debug)]
pub struct NativeGuest {
    child: Child,
    stdin: ChildStdin,
    stderr: Arc<Mutex<Vec<u8>>>,
    stderr_reader: Option<thread::JoinHandle<()>>,
    /// What the sandbox put in force.
    pub report: SandboxReport,
}

impl NativeGuest {
    /// Start `program args` confined by `spec`; its messages go to `events` tagged with
    /// `generation` (so that lines from a killed guest are ignored).
    pub fn start(
        id: &ExtensionId,
        launcher: &Launcher,
        spec: &SandboxSpec,
        command: &GuestCommand,
        events: Sender<Event>,
        generation: u64,
    ) -> Result<NativeGuest, ExtensionError> {
        let spec_json = serde_json::to_string(spec).unwrap_or_default();
        let mut child = Command::new(&launcher.program)
            .args(&launcher.prefix)
            .arg("--sandbox-exec")
            .arg(spec_json)
            .arg("--")
            .arg(&command.program)
            .args(&command.args)
            .current_dir(&command.workdir)
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("LANG", "C.UTF-8")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                ExtensionError::io(
                    format!(
                        "starting the sandbox launcher {}",
                        launcher.program.display()
                    ),
                    e,
                )
            })?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(ExtensionError::Protocol {
                id: id.clone(),
                detail: "the guest's pipes were not created".into(),
            });
        };
        let tail = Arc::new(Mutex::new(Vec::new()));
        let tail_writer = Arc::clone(&tail);
        let stderr_reader = thread::spawn(move || keep_tail(stderr, &tail_writer));
        let mut reader = BufReader::new(stdout);
        let mut first = String::new();
        let read = reader.read_line(&mut first);
        let report: SandboxReport = match read {
            Ok(n) if n > 0 => {
                serde_json::from_str(&first).map_err(|e| ExtensionError::Protocol {
                    id: id.clone(),
                    detail: format!(
                        "the sandbox launcher's report `{}` is not JSON: {e}",
                        first.trim()
                    ),
                })?
            }
            _ => {
                let status = child.wait().ok();
                let stderr = tail_text(&tail);
                return Err(ExtensionError::Sandbox {
                    id: id.clone(),
                    detail: format!(
                        "{} ({})",
                        stderr.trim(),
                        status.map_or_else(|| "no exit status".into(), |s| s.to_string())
                    ),
                });
            }
        };
        thread::spawn(move || {
            for line in reader.lines() {
                let Ok(line) = line else { break };
                if events.send(Event::Guest { generation, line }).is_err() {
                    return;
                }
            }
            let _ = events.send(Event::GuestClosed { generation });
        });
        Ok(NativeGuest {
            child,
            stdin,
            stderr: tail,
            stderr_reader: Some(stderr_reader),
            report,
        })
    }

    /// Send one line.
    pub fn send(&mut self, line: &[u8]) -> std::io::Result<()> {
        self.stdin.write_all(line)?;
        self.stdin.flush()
    }

    /// Kill it (SIGKILL) and reap it.
    pub fn kill(&mut self) -> Option<ExitStatus> {
        let _ = self.child.kill();
        self.child.wait().ok()
    }

    /// Wait for its exit after its stdout closed.
    pub fn wait(&mut self) -> Option<ExitStatus> {
        self.child.wait().ok()
    }

    /// The end of its stderr, once it has been read to its end (or after 200 ms, should a
    /// stray descendant keep it open).
    pub fn stderr_tail(&mut self) -> String {
        if let Some(reader) = self.stderr_reader.take() {
            let until = std::time::Instant::now() + std::time::Duration::from_millis(200);
            while !reader.is_finished() && std::time::Instant::now() < until {
                thread::sleep(std::time::Duration::from_millis(2));
            }
        }
        tail_text(&self.stderr)
    }
}

impl Drop for NativeGuest {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn keep_tail(mut stderr: impl Read, tail: &Mutex<Vec<u8>>) {
    let mut buf = [0u8; 1024];
    loop {
        match stderr.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                let Ok(mut t) = tail.lock() else { return };
                t.extend_from_slice(&buf[..n]);
                if t.len() > STDERR_TAIL {
                    let cut = t.len() - STDERR_TAIL;
                    t.drain(..cut);
                }
            }
        }
    }
}

fn tail_text(tail: &Mutex<Vec<u8>>) -> String {
    tail.lock()
        .map(|t| String::from_utf8_lossy(&t).into_owned())
        .unwrap_or_default()
}
