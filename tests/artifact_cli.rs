//! `symphony artifact …` as a user runs it: put, get by prefix, ls by tag, search, a corrupted
//! blob reported by get and verify, and gc with a retention policy that spares pinned ones.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn symphony(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_symphony"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("SYMPHONY_DATA_DIR")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn put_get_ls_search_verify_and_gc() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let notes = dir.path().join("notes.md");
    let keep = dir.path().join("keep.md");
    std::fs::write(&notes, "the migration plan for the cluster").unwrap();
    std::fs::write(&keep, "signed release notes").unwrap();
    let out = symphony(
        &data,
        &["artifact", "put", notes.to_str().unwrap(), "-t", "plans"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let id = text(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 64);
    let out = symphony(
        &data,
        &["artifact", "put", keep.to_str().unwrap(), "-t", "pinned"],
    );
    assert!(out.status.success());

    let out = symphony(&data, &["artifact", "get", &id[..6]]);
    assert_eq!(text(&out.stdout), "the migration plan for the cluster");
    let out = symphony(&data, &["artifact", "ls", "--tag", "plans"]);
    assert!(
        text(&out.stdout).contains("notes.md"),
        "{}",
        text(&out.stdout)
    );
    let out = symphony(&data, &["artifact", "search", "migration"]);
    assert!(
        text(&out.stdout).contains(&id[..12]),
        "{}",
        text(&out.stdout)
    );

    // Rot one blob: get refuses it by name, verify reports it and fails.
    let blob = data.join("artifacts/objects").join(&id[..2]).join(&id[2..]);
    std::fs::write(&blob, "the migration plan for the CLUSTER").unwrap();
    let out = symphony(&data, &["artifact", "get", &id]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("corrupted"),
        "{}",
        text(&out.stderr)
    );
    let out = symphony(&data, &["artifact", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains(&id), "{}", text(&out.stdout));

    // A policy that lets everything go spares the pinned one.
    let policy = dir.path().join("retention.toml");
    std::fs::write(
        &policy,
        "[defaults]\nkeep_days = 0\nidle_days = 0\nmin_value = 9\n",
    )
    .unwrap();
    let policy = policy.to_str().unwrap();
    let out = symphony(&data, &["artifact", "gc", "--dry-run", "--policy", policy]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(
        said.contains(&format!("would delete {}", &id[..12])),
        "{said}"
    );
    assert!(said.contains("pinned"), "{said}");
    let out = symphony(&data, &["artifact", "gc", "--policy", policy]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = symphony(&data, &["artifact", "ls", "--json"]);
    let left = text(&out.stdout);
    assert_eq!(left.lines().count(), 1, "{left}");
    assert!(left.contains("keep.md"), "{left}");
}
