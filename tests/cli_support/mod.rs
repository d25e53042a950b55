//! Running the real `symphony` binary from integration tests: one data directory per test,
//! the environment's data directory and LLM endpoint removed, OFB turned off (extensions are
//! installed with `--local-grant`; `tests/ext_approval.rs` covers OFB's decisions), standard
//! input given or closed.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// `symphony --data-dir DATA ARGS…`, with `stdin` written to its standard input (closed
/// when `None`).
pub fn symphony(data: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    symphony_with(data, args, stdin, &[])
}

/// [`symphony`] with environment variables set (after the defaults, so that they win).
pub fn symphony_with(
    data: &Path,
    args: &[&str],
    stdin: Option<&str>,
    env: &[(&str, &str)],
) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_symphony"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("SYMPHONY_DATA_DIR")
        .env_remove("SYMPHONY_LLM_BASE_URL")
        .env("SYMPHONY_OFB_URL", "none")
        .envs(env.iter().copied())
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

/// `symphony ext install --local-grant DIR` into `data`; panics with its error output when the
/// install fails.
pub fn install_local(data: &Path, dir: &Path) {
    let out = symphony(
        data,
        &["ext", "install", "--local-grant", dir.to_str().unwrap()],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// Creates the extension directory `ext` holding `manifest` (`symphony-extension.toml`) and one
/// file of code, `(file name, contents)`.
pub fn write_extension(ext: &Path, code: (&str, &str), manifest: &str) {
    std::fs::create_dir_all(ext).unwrap();
    std::fs::write(ext.join(code.0), code.1).unwrap();
    std::fs::write(ext.join("symphony-extension.toml"), manifest).unwrap();
}
