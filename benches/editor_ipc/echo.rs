//! Baselines: a pipe echo through `cat` of a line the size of an edit notification, once with
//! blocking std I/O and once through tokio (the same runtime as the client).

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use xi_bridge::protocol::{CoreNotification, EditCommand};
use xi_bridge::{EditNotification, ViewId};

/// The line xi receives for one keystroke, as the client encodes it.
pub fn edit_line() -> String {
    xi_bridge::encode_notification(&CoreNotification::Edit(EditCommand::new(
        ViewId::new("view-id-1"),
        EditNotification::Insert {
            chars: "a".to_owned(),
        },
    )))
    .expect("an edit encodes")
}

/// `cat` over blocking std pipes.
pub struct StdEcho {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    line: String,
    echoed: String,
}

impl StdEcho {
    /// Starts `cat`, to echo `line`.
    pub fn start(line: &str) -> StdEcho {
        let mut child = std::process::Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("cat starts");
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        StdEcho {
            child,
            stdin,
            stdout,
            line: line.to_owned(),
            echoed: String::new(),
        }
    }

    /// One line written and read back.
    pub fn round_trip(&mut self) -> Duration {
        let started = Instant::now();
        self.stdin
            .write_all(self.line.as_bytes())
            .expect("cat reads");
        self.echoed.clear();
        self.stdout.read_line(&mut self.echoed).expect("cat echoes");
        let elapsed = started.elapsed();
        assert_eq!(self.echoed.len(), self.line.len());
        elapsed
    }

    /// `n` lines written by one thread while this one reads them back.
    pub fn pipelined(&mut self, n: usize) -> Duration {
        let started = Instant::now();
        let (stdin, line) = (&mut self.stdin, &self.line);
        std::thread::scope(|scope| {
            scope.spawn(move || {
                for _ in 0..n {
                    stdin.write_all(line.as_bytes()).expect("cat reads");
                }
            });
            for _ in 0..n {
                self.echoed.clear();
                self.stdout.read_line(&mut self.echoed).expect("cat echoes");
            }
        });
        started.elapsed()
    }
}

impl Drop for StdEcho {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `cat` through tokio's pipes.
pub struct TokioEcho {
    pub child: tokio::process::Child,
    stdin: Option<tokio::process::ChildStdin>,
    stdout: tokio::io::BufReader<tokio::process::ChildStdout>,
    line: String,
    echoed: String,
}

impl TokioEcho {
    /// Starts `cat`, to echo `line`.
    pub fn start(line: &str) -> TokioEcho {
        let mut child = tokio::process::Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("cat starts");
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = tokio::io::BufReader::new(child.stdout.take().expect("piped stdout"));
        TokioEcho {
            child,
            stdin: Some(stdin),
            stdout,
            line: line.to_owned(),
            echoed: String::new(),
        }
    }

    /// One line written and read back.
    pub async fn round_trip(&mut self) -> Duration {
        let stdin = self.stdin.as_mut().expect("stdin is here between runs");
        let started = Instant::now();
        stdin
            .write_all(self.line.as_bytes())
            .await
            .expect("cat reads");
        stdin.flush().await.expect("cat reads");
        self.echoed.clear();
        self.stdout
            .read_line(&mut self.echoed)
            .await
            .expect("cat echoes");
        let elapsed = started.elapsed();
        assert_eq!(self.echoed.len(), self.line.len());
        elapsed
    }

    /// `n` lines written by a task (a line at a time, as the client's writer does) while this
    /// one reads them back.
    pub async fn pipelined(&mut self, n: usize) -> Duration {
        let mut stdin = self.stdin.take().expect("stdin is here between runs");
        let line = self.line.clone();
        let started = Instant::now();
        let writer = tokio::spawn(async move {
            for _ in 0..n {
                stdin.write_all(line.as_bytes()).await.expect("cat reads");
                stdin.flush().await.expect("cat reads");
            }
            stdin
        });
        for _ in 0..n {
            self.echoed.clear();
            self.stdout
                .read_line(&mut self.echoed)
                .await
                .expect("cat echoes");
        }
        let elapsed = started.elapsed();
        self.stdin = Some(writer.await.expect("the writer finishes"));
        elapsed
    }
}
