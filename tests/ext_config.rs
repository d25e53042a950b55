//! `symphony ext config` with the real binary: settings checked against the manifest, stored
//! (secrets apart, owner-only, masked when shown), and delivered with each call.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_support;

use cli_support::{install_local, symphony, text, write_extension};

use std::process::Output;

/// Answers each call with the `config` member of its request, as JSON text.
const CONFIG_ECHO: &str = r#"#!/bin/sh
while IFS= read -r line; do
  id=$(printf '%s' "$line" | sed -n 's/.*"id":\([0-9]*\).*/\1/p')
  config=$(printf '%s' "$line" | sed -n 's/.*"config":\({[^}]*}\).*/\1/p' | sed 's/"/\\"/g')
  printf '{"jsonrpc":"2.0","id":%s,"result":{"outputs":[{"name":"config","media_type":"application/json","text":"%s"}]}}\n' "$id" "$config"
done
"#;

#[test]
fn ext_config_checks_stores_masks_and_delivers_settings() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let ext = dir.path().join("cfg-ext");
    write_extension(
        &ext,
        ("guest.sh", CONFIG_ECHO),
        r#"
id = "test.cfg"
name = "config echo"
version = "0.1.0"
author = "tests"
license = "MIT"
type = "operator"
[[capabilities]]
method = "echo"
[permissions]
system = ["spawn"]
[runtime]
kind = "native"
command = "sh"
args = ["guest.sh"]
[config.model]
type = "string"
default = "small"
[config.retries]
type = "integer"
default = 1
[config.token]
type = "string"
secret = true
required = true
"#,
    );
    let ok = |out: &Output| assert!(out.status.success(), "{}", text(&out.stderr));
    install_local(&data, &ext);

    let out = symphony(
        &data,
        &["ext", "config", "test.cfg", "retries", "lots"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr)
            .contains("extension `test.cfg`: setting `retries` must be an integer, not `lots`"),
        "{}",
        text(&out.stderr)
    );
    let out = symphony(&data, &["ext", "config", "test.cfg", "colour", "red"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("setting `colour` is not declared"),
        "{}",
        text(&out.stderr)
    );
    let out = symphony(&data, &["ext", "run", "test.cfg", "echo"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains(
            "`token` is required: set it with `symphony ext config test.cfg token VALUE`"
        ),
        "{}",
        text(&out.stderr)
    );

    ok(&symphony(
        &data,
        &["ext", "config", "test.cfg", "retries", "3"],
        None,
    ));
    let out = symphony(
        &data,
        &["ext", "config", "test.cfg", "token", "s3cret"],
        None,
    );
    ok(&out);
    assert!(
        !text(&out.stdout).contains("s3cret"),
        "{}",
        text(&out.stdout)
    );
    let secrets = data.join("extensions/data/test.cfg/secrets.json");
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&secrets).unwrap().permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);

    let out = symphony(&data, &["ext", "config", "test.cfg", "--json"], None);
    ok(&out);
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        shown,
        serde_json::json!({"model": "small", "retries": 3, "token": "********"})
    );
    let out = symphony(&data, &["ext", "config", "test.cfg"], None);
    ok(&out);
    let listing = text(&out.stdout);
    assert!(
        listing.contains("(default)") && listing.contains("(set)") && !listing.contains("s3cret"),
        "{listing}"
    );

    let out = symphony(&data, &["ext", "run", "test.cfg", "echo"], None);
    ok(&out);
    let delivered: serde_json::Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    assert_eq!(
        delivered,
        serde_json::json!({"model": "small", "retries": 3, "token": "s3cret"})
    );
}
