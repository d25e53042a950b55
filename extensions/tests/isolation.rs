//! Crash isolation, one test per attack, against the real host binary and a real misbehaving
//! guest (`symphony-fault-guest` for native, hand-written WAT for wasm). Each checks that the
//! caller gets an error naming the extension and the limit, that the attack had no effect,
//! that the extension was restarted per its retry policy, and that it then works again.

use std::net::TcpListener;
use std::path::PathBuf;

use extensions::protocol::{Artifact, InvokeParams};
use extensions::{CancelToken, ExtensionError, ExtensionHost, HostCommand, LimitKind, Manifest};
use serde_json::json;
use tempfile::TempDir;

/// A native extension around the fault guest, with extra manifest lines.
struct Guest {
    _dir: TempDir,
    host: ExtensionHost,
    data: PathBuf,
}

fn native(extra: &str, resources: &str) -> Guest {
    let dir = tempfile::tempdir().expect("tempdir");
    let ext = dir.path().join("ext");
    std::fs::create_dir_all(&ext).expect("ext dir");
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_symphony-fault-guest"),
        ext.join("guest"),
    )
    .expect("symlink");
    let manifest = format!(
        r#"
id = "test.fault-guest"
name = "Fault guest"
version = "1.0.0"
author = "tests"
license = "MIT"
type = "motif"
{extra}
[[capabilities]]
method = "echo"
[[capabilities]]
method = "progress"
[[capabilities]]
method = "panic"
[[capabilities]]
method = "spin"
[[capabilities]]
method = "alloc"
[[capabilities]]
method = "stack"
[[capabilities]]
method = "write"
[[capabilities]]
method = "connect"
[[capabilities]]
method = "exit"
[resources]
{resources}
[runtime]
kind = "native"
command = "./guest"
"#
    );
    std::fs::write(ext.join("symphony-extension.toml"), manifest).expect("manifest");
    let manifest = Manifest::load(&ext).expect("valid manifest");
    let data = dir.path().join("data");
    let host = ExtensionHost::new(
        manifest,
        HostCommand {
            program: PathBuf::from(env!("CARGO_BIN_EXE_symphony-ext-host")),
            prefix: Vec::new(),
            extension_dir: ext,
            data_dir: data.clone(),
            project: None,
            granted: None,
        },
    );
    Guest {
        _dir: dir,
        host,
        data,
    }
}

fn call(
    host: &mut ExtensionHost,
    method: &str,
    params: serde_json::Value,
    deadline_ms: Option<u64>,
) -> Result<String, ExtensionError> {
    let params = InvokeParams {
        method: method.into(),
        inputs: vec![Artifact {
            name: "text".into(),
            media_type: "text/plain".into(),
            text: "still alive".into(),
        }],
        params,
        deadline_ms,
    };
    host.invoke(&params, &mut |_| {}, &CancelToken::default())
        .map(|r| {
            r.outputs
                .first()
                .map(|a| a.text.clone())
                .unwrap_or_default()
        })
}

fn limit_of(e: &ExtensionError) -> Option<LimitKind> {
    match e {
        ExtensionError::LimitExceeded { limit, .. } => Some(*limit),
        _ => None,
    }
}

/// The extension answers normally after an attack.
fn still_works(host: &mut ExtensionHost) {
    assert_eq!(
        call(host, "echo", json!({}), None).expect("echo after the attack"),
        "still alive"
    );
}

const DEFAULT: &str = "memory_mb = 64\ntimeout_seconds = 5\nretries = 1";

#[test]
fn echo_and_progress_round_trip() {
    let mut g = native("", DEFAULT);
    still_works(&mut g.host);
    let mut seen = Vec::new();
    let params = InvokeParams {
        method: "progress".into(),
        inputs: vec![Artifact {
            name: "text".into(),
            media_type: "text/plain".into(),
            text: String::new(),
        }],
        params: json!({}),
        deadline_ms: None,
    };
    let out = g
        .host
        .invoke(
            &params,
            &mut |p| seen.push(p.fraction),
            &CancelToken::default(),
        )
        .expect("runs");
    assert_eq!(out.outputs[0].text, "done");
    assert_eq!(
        seen.len(),
        3,
        "every progress notification arrives: {seen:?}"
    );
    let ping = g
        .host
        .ping(std::time::Duration::from_secs(5))
        .expect("ping");
    assert_eq!(ping.extension.as_str(), "test.fault-guest");
    assert!(
        ping.sandbox.contains(&"rlimits".to_string()),
        "{:?}",
        ping.sandbox
    );
}

#[test]
fn a_panicking_guest_is_a_crash_and_is_restarted() {
    let mut g = native("", DEFAULT);
    let e = call(&mut g.host, "panic", json!({}), None).expect_err("panics");
    let text = e.to_string();
    assert!(matches!(e, ExtensionError::Crashed { .. }), "{e}");
    assert!(
        text.contains("`test.fault-guest` crashed mid-call") && text.contains("panics on purpose"),
        "{text}"
    );
    assert_eq!(g.host.restarts(), 1, "retried once, as `retries = 1` says");
    still_works(&mut g.host);
}

#[test]
fn a_guest_that_loops_forever_is_killed_at_its_deadline() {
    let mut g = native("", DEFAULT);
    let started = std::time::Instant::now();
    let e = call(&mut g.host, "spin", json!({}), Some(200)).expect_err("spins");
    assert_eq!(limit_of(&e), Some(LimitKind::Deadline), "{e}");
    assert!(
        e.to_string().contains("`test.fault-guest`") && e.to_string().contains("200 ms"),
        "{e}"
    );
    // Two attempts of 200 ms; far below the 5 s timeout, so the deadline came from the call.
    assert!(
        started.elapsed() < std::time::Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    still_works(&mut g.host);
}

#[test]
fn a_guest_over_its_cpu_seconds_is_stopped_by_rlimit_cpu() {
    let mut g = native(
        "",
        "memory_mb = 64\ntimeout_seconds = 4\ncpu_seconds = 1\nretries = 1",
    );
    let e = call(&mut g.host, "spin", json!({}), None).expect_err("spins");
    assert_eq!(limit_of(&e), Some(LimitKind::Cpu), "{e}");
    assert!(e.to_string().contains("1 CPU seconds"), "{e}");
    still_works(&mut g.host);
}

#[test]
fn a_guest_allocating_10_gb_hits_its_memory_limit() {
    let mut g = native("", DEFAULT);
    let e = call(&mut g.host, "alloc", json!({}), None).expect_err("allocates");
    assert_eq!(limit_of(&e), Some(LimitKind::Memory), "{e}");
    assert!(e.to_string().contains("64 MiB"), "{e}");
    still_works(&mut g.host);
}

#[test]
fn a_guest_overflowing_its_stack_is_named() {
    let mut g = native("", DEFAULT);
    let e = call(&mut g.host, "stack", json!({}), None).expect_err("overflows");
    assert_eq!(limit_of(&e), Some(LimitKind::Stack), "{e}");
    still_works(&mut g.host);
}

#[test]
fn a_guest_writing_outside_its_grant_is_denied_and_inside_allowed() {
    let mut g = native("[permissions]\nfs_write = [\"$DATA/**\"]\n", DEFAULT);
    let outside = tempfile::tempdir().expect("tempdir");
    let target = outside.path().join("escaped.txt");
    let e = call(&mut g.host, "write", json!({"path": target}), None).expect_err("denied");
    assert_eq!(limit_of(&e), Some(LimitKind::Filesystem), "{e}");
    assert!(
        !target.exists(),
        "the write outside the grant must not happen"
    );
    assert_eq!(g.host.restarts(), 0, "a denial is not retried");
    let inside = g.data.join("inside.txt");
    call(&mut g.host, "write", json!({"path": inside}), None).expect("writes inside its grant");
    assert_eq!(std::fs::read(&inside).expect("written"), b"escaped");
}

#[test]
fn a_guest_without_network_permission_cannot_connect() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("listener");
    listener.set_nonblocking(true).expect("nonblocking");
    let addr = listener.local_addr().expect("addr").to_string();
    let mut g = native("", DEFAULT);
    let e = call(&mut g.host, "connect", json!({"addr": addr}), None).expect_err("denied");
    assert_eq!(limit_of(&e), Some(LimitKind::Network), "{e}");
    assert!(listener.accept().is_err(), "no connection may arrive");
    // A grant for another port only: Landlock refuses this one.
    let mut other_port = native("[permissions]\nnetwork = [\"127.0.0.1:1\"]\n", DEFAULT);

    let e =
        call(&mut other_port.host, "connect", json!({"addr": addr}), None).expect_err("wrong port");
    assert_eq!(limit_of(&e), Some(LimitKind::Network), "{e}");
    assert!(listener.accept().is_err(), "no connection may arrive");
    // The same guest with the permission connects: the denial came from the sandbox.
    let mut granted = native("[permissions]\nnetwork = [\"127.0.0.1\"]\n", DEFAULT);
    call(&mut granted.host, "connect", json!({"addr": addr}), None).expect("connects when granted");
    let port = addr.rsplit_once(':').expect("port").1;
    let mut this_port = native(
        &format!("[permissions]\nnetwork = [\"127.0.0.1:{port}\"]\n"),
        DEFAULT,
    );
    call(&mut this_port.host, "connect", json!({"addr": addr}), None)
        .expect("connects to its granted port");
}

#[test]
fn a_guest_exiting_mid_call_is_a_crash_with_its_status() {
    let mut g = native("", DEFAULT);
    let e = call(&mut g.host, "exit", json!({}), None).expect_err("exits");
    assert!(e.to_string().contains("exited with status 3"), "{e}");
    assert_eq!(g.host.restarts(), 1);
    still_works(&mut g.host);
}

#[test]
fn unknown_methods_and_bad_inputs_are_refused_before_running() {
    let mut g = native(
        "[[artifacts.inputs]]\nname = \"text\"\nmedia_type = \"text/plain\"\n",
        DEFAULT,
    );
    let e = call(&mut g.host, "nope", json!({}), None).expect_err("unknown");
    assert!(e.to_string().contains("offers no method `nope`"), "{e}");
    let params = InvokeParams {
        method: "echo".into(),
        inputs: vec![],
        params: json!({}),
        deadline_ms: None,
    };
    let e = g
        .host
        .invoke(&params, &mut |_| {}, &CancelToken::default())
        .expect_err("missing input");
    assert!(e.to_string().contains("required input `text`"), "{e}");
}

#[test]
fn a_call_can_be_cancelled() {
    let mut g = native("", DEFAULT);
    let cancel = CancelToken::default();
    let c = cancel.clone();
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(150));
        c.cancel();
    });
    let params = InvokeParams {
        method: "spin".into(),
        inputs: vec![],
        params: json!({}),
        deadline_ms: None,
    };
    let e = g
        .host
        .invoke(&params, &mut |_| {}, &cancel)
        .expect_err("cancelled");
    assert!(matches!(e, ExtensionError::Cancelled(_)), "{e}");
    still_works(&mut g.host);
}
