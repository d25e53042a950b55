//! `symphony ext …` as a user runs it, with the real binary: validate (with a located error),
//! install, list, run the sample Operator and Motif (wasm), run a native extension in another
//! language (POSIX sh) through the sandbox launcher of the `symphony` binary itself, refuse a
//! method the manifest does not offer, cancel a call with Ctrl-C, and remove.
//! Settings are in `tests/ext_config.rs`; extensions in workflows in `tests/ext_workflow.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_support;

use cli_support::{install_local, sample, symphony, text, write_extension};

use std::path::Path;
use std::process::{Command, Stdio};

#[test]
fn validate_points_at_the_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = std::fs::read_to_string(sample("text-ops").join("symphony-extension.toml"))
        .unwrap()
        .replace(
            "[resources]",
            "[permissions]\nfs = [\"$PROJECT/a\", \"/**\"]\n\n[resources]",
        );
    std::fs::write(dir.path().join("symphony-extension.toml"), &manifest).unwrap();
    let line = manifest.lines().position(|l| l.contains("/**")).unwrap() + 1;
    let out = symphony(
        dir.path(),
        &["ext", "validate", dir.path().to_str().unwrap()],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("symphony-extension.toml:{line}:"))
            && err.contains("`permissions.fs[1]`: `/**` would grant the whole disk"),
        "{err}"
    );
    let ok = symphony(
        dir.path(),
        &["ext", "validate", sample("word-count").to_str().unwrap()],
        None,
    );
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    assert!(
        text(&ok.stdout).contains("symphony.word-count 0.1.0"),
        "{}",
        text(&ok.stdout)
    );
}

#[test]
fn install_list_run_and_remove_the_samples() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    for name in ["text-ops", "word-count"] {
        install_local(&data, &sample(name));
    }
    let incomplete = dir.path().join("incomplete");
    std::fs::create_dir_all(&incomplete).unwrap();
    std::fs::copy(
        sample("embedding").join("symphony-extension.toml"),
        incomplete.join("symphony-extension.toml"),
    )
    .unwrap();
    std::fs::write(incomplete.join("setup.sh"), "").unwrap();
    let out = symphony(
        &data,
        &[
            "ext",
            "install",
            "--local-grant",
            incomplete.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(4));
    assert!(
        text(&out.stderr).contains("bin/symphony-embedding is missing (run its setup.sh first)"),
        "{}",
        text(&out.stderr)
    );
    let again = symphony(
        &data,
        &[
            "ext",
            "install",
            "--local-grant",
            sample("text-ops").to_str().unwrap(),
        ],
        None,
    );
    assert!(
        text(&again.stderr).contains("already installed"),
        "{}",
        text(&again.stderr)
    );
    let list = text(&symphony(&data, &["ext", "list"], None).stdout);
    assert!(
        list.contains("symphony.text-ops") && list.contains("symphony.word-count"),
        "{list}"
    );

    let out = symphony(
        &data,
        &["ext", "run", "symphony.text-ops", "words", "--input", "-"],
        Some("to be  or\nnot"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "to\nbe\nor\nnot\n");

    let input = dir.path().join("in.txt");
    std::fs::write(&input, "three small words\n").unwrap();
    let out = symphony(
        &data,
        &[
            "ext",
            "run",
            "symphony.word-count",
            "count",
            "--input",
            input.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "3 words\n1 lines · 18 chars\n",
        "styled lines, plain when not a terminal"
    );
    let out = symphony(
        &data,
        &[
            "ext",
            "run",
            "symphony.word-count",
            "count",
            "--json",
            "--input",
            input.to_str().unwrap(),
        ],
        None,
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["outputs"][0]["media_type"],
        "application/vnd.symphony.styled-lines+json"
    );

    let out = symphony(&data, &["ext", "run", "symphony.word-count", "nope"], None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr).trim(),
        "symphony: extension `symphony.word-count` offers no method `nope` (it offers: count)"
    );

    let out = symphony(&data, &["ext", "remove", "symphony.word-count"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let list = text(&symphony(&data, &["ext", "list"], None).stdout);
    assert!(!list.contains("word-count"), "{list}");
    let out = symphony(&data, &["ext", "run", "symphony.word-count", "count"], None);
    assert!(
        text(&out.stderr).contains("no extension `symphony.word-count` is installed"),
        "{}",
        text(&out.stderr)
    );
}

/// A native extension in POSIX sh: answers every call with a greeting and the file it was
/// asked to read, so the test sees both the protocol and the Landlock grants at work.
const SH_GUEST: &str = r#"#!/bin/sh
while IFS= read -r line; do
  id=$(printf '%s' "$line" | sed -n 's/.*"id":\([0-9]*\).*/\1/p')
  if content=$(cat "$GRANTED" 2>&1); then :; fi
  if secret=$(cat "$SECRET" 2>&1); then :; fi
  printf '{"jsonrpc":"2.0","id":%s,"result":{"outputs":[{"name":"text","media_type":"text/plain","text":"hi from sh; granted: %s; secret: %s"}]}}\n' "$id" "$content" "$secret"
done
"#;

#[test]
fn a_native_sh_extension_runs_confined_through_the_symphony_binary() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let project = dir.path().join("project");
    std::fs::create_dir_all(project.join("docs")).unwrap();
    std::fs::write(project.join("docs/readme.txt"), "public").unwrap();
    std::fs::write(project.join("secret.txt"), "private").unwrap();
    let ext = dir.path().join("sh-ext");
    let script = SH_GUEST
        .replace(
            "$GRANTED",
            &project.join("docs/readme.txt").display().to_string(),
        )
        .replace("$SECRET", &project.join("secret.txt").display().to_string());
    write_extension(
        &ext,
        ("guest.sh", &script),
        r#"
id = "test.sh-guest"
name = "sh guest"
version = "0.1.0"
author = "tests"
license = "MIT"
type = "operator"
sandbox = "strict"
[[capabilities]]
method = "hello"
[permissions]
fs = ["$PROJECT/docs/**"]
system = ["spawn"]
[runtime]
kind = "native"
command = "sh"
args = ["guest.sh"]
"#,
    );
    install_local(&data, &ext);
    let out = symphony(
        &data,
        &[
            "ext",
            "run",
            "test.sh-guest",
            "hello",
            "--project",
            project.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("hi from sh; granted: public; secret: "),
        "{stdout}"
    );
    assert!(
        stdout.contains("Permission denied") && !stdout.contains("private"),
        "Landlock keeps the ungranted file out: {stdout}"
    );
}

const SPIN: &str = r#"(module
  (memory (export "memory") 1)
  (func (export "alloc") (param i32) (result i32) (i32.const 0))
  (func (export "spin") (param i32 i32) (result i64) (loop $l (br $l)) (i64.const 0)))"#;

/// The processes whose parent is `pid`.
fn children_of(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state ppid …`: comm may hold spaces, so split after its `)`.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(pid) {
            out.push(child);
        }
    }
    out
}

#[test]
fn ctrl_c_during_ext_run_cancels_the_call_and_leaves_nothing_running() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let ext = dir.path().join("spin-ext");
    write_extension(
        &ext,
        ("spin.wat", SPIN),
        "id = \"test.spin\"\nname = \"spin\"\nversion = \"0.1.0\"\nauthor = \"t\"\nlicense = \"MIT\"\ntype = \"instrument\"\n[[capabilities]]\nmethod = \"spin\"\n[resources]\ntimeout_seconds = 120\n[runtime]\nkind = \"wasm\"\nmodule = \"spin.wat\"\n",
    );
    install_local(&data, &ext);
    let mut child = Command::new(env!("CARGO_BIN_EXE_symphony"))
        .arg("--data-dir")
        .arg(&data)
        .args(["ext", "run", "test.spin", "spin"])
        .env_remove("SYMPHONY_DATA_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let host = loop {
        if let Some(&host) = children_of(child.id()).first() {
            break host;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "no host process started"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    // Let the host load the module and start spinning.
    std::thread::sleep(std::time::Duration::from_millis(800));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the call is still running"
    );
    let signalled = std::time::Instant::now();
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            signalled.elapsed() < std::time::Duration::from_secs(10),
            "Ctrl-C did not end `ext run`"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let out = child.wait_with_output().unwrap();
    assert_eq!(status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("extension `test.spin`: the call was cancelled"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        !Path::new(&format!("/proc/{host}")).exists(),
        "the host process {host} is still there"
    );
}
