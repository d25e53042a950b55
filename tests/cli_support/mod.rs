//! Running the real `symphony` binary from integration tests: one data directory per test,
//! the environment's data directory and LLM endpoint removed, standard input given or closed.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// `symphony --data-dir DATA ARGS…`, with `stdin` written to its standard input (closed
/// when `None`).
pub fn symphony(data: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_symphony"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("SYMPHONY_DATA_DIR")
        .env_remove("SYMPHONY_LLM_BASE_URL")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

/// Bytes as text, for messages.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A sample extension's directory (`extensions/examples/NAME`).
pub fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("extensions/examples")
        .join(name)
}
