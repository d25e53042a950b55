//! `symphony ext …` as a user runs it, with the real binary: validate (with a located error),
//! install, list, run the sample Operator and Motif (wasm), run a native extension in another
//! language (POSIX sh) through the sandbox launcher of the `symphony` binary itself, refuse a
//! method the manifest does not offer, and remove.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_support;

use cli_support::{sample, symphony, text};

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

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
        let out = symphony(
            &data,
            &[
                "ext",
                "install",
                "--local-grant",
                sample(name).to_str().unwrap(),
            ],
            None,
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
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
    std::fs::create_dir_all(&ext).unwrap();
    let script = SH_GUEST
        .replace(
            "$GRANTED",
            &project.join("docs/readme.txt").display().to_string(),
        )
        .replace("$SECRET", &project.join("secret.txt").display().to_string());
    std::fs::write(ext.join("guest.sh"), script).unwrap();
    std::fs::write(
        ext.join("symphony-extension.toml"),
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
    )
    .unwrap();
    let out = symphony(
        &data,
        &["ext", "install", "--local-grant", ext.to_str().unwrap()],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
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

#[test]
fn a_workflow_node_runs_an_installed_extension_and_its_output_becomes_an_artifact() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = symphony(
        &data,
        &[
            "ext",
            "install",
            "--local-grant",
            sample("text-ops").to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let workflow = dir.path().join("shout.toml");
    std::fs::write(
        &workflow,
        r#"name = "shout"
[[nodes]]
id = "say"
kind = "operator"
runner = "shell"
params = { command = "printf 'hello from a workflow'" }
[[nodes]]
id = "shout"
kind = "operator"
runner = "symphony.text-ops"
params = { method = "upper" }
[[nodes]]
id = "nameless"
kind = "operator"
runner = "symphony.text-ops"
[[edges]]
from = "say"
to = "shout"
kind = "control"
[[edges]]
from = "shout"
to = "nameless"
kind = "control"
dependency = "soft"
"#,
    )
    .unwrap();
    let out = symphony(&data, &["run", workflow.to_str().unwrap(), "--json"], None);
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let failed = lines
        .iter()
        .find(|l| l["node"] == "nameless" && l["state"] == "failed")
        .unwrap_or_else(|| panic!("no failure of `nameless` in {lines:?}"));
    assert!(
        failed["error"]
            .as_str()
            .unwrap()
            .contains("names no method"),
        "{failed}"
    );
    let end = lines.last().unwrap();
    let run = end["run"].as_str().unwrap();
    let published = data.join("runs").join(run).join("outputs/shout");
    let files: Vec<_> = std::fs::read_dir(&published)
        .unwrap_or_else(|e| panic!("{}: {e}; {lines:?}", published.display()))
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(
        std::fs::read_to_string(&files[0]).unwrap(),
        "HELLO FROM A WORKFLOW"
    );
    assert!(end["artifacts"].as_u64().unwrap() >= 1, "{end}");
    // The extension node's log, as the monitor shows it.
    let log = std::fs::read_to_string(pit::runs::log_path(&data.join("runs").join(run), "shout"))
        .unwrap();
    assert!(log.contains("attempt 1: completed, 1 output(s)"), "{log}");
    // The journal tells how full the pool of warm hosts was: text-ops' host, warm.
    let records = pit::journal::read(&data.join("runs").join(run).join("journal.log"))
        .unwrap()
        .records;
    let history = pit::runs::RunHistory::from_records(&records);
    let (_, last) = history.pool.last().expect("pool records in the journal");
    assert_eq!(last.hot, 1, "{:?}", history.pool);
    assert!(last.used > 0 && last.used <= last.budget, "{last:?}");
}

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
    std::fs::create_dir_all(&ext).unwrap();
    std::fs::write(ext.join("guest.sh"), CONFIG_ECHO).unwrap();
    std::fs::write(
        ext.join("symphony-extension.toml"),
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
    )
    .unwrap();
    let ok = |out: &Output| assert!(out.status.success(), "{}", text(&out.stderr));
    ok(&symphony(
        &data,
        &["ext", "install", "--local-grant", ext.to_str().unwrap()],
        None,
    ));

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
    std::fs::create_dir_all(&ext).unwrap();
    std::fs::write(ext.join("spin.wat"), SPIN).unwrap();
    std::fs::write(
        ext.join("symphony-extension.toml"),
        "id = \"test.spin\"\nname = \"spin\"\nversion = \"0.1.0\"\nauthor = \"t\"\nlicense = \"MIT\"\ntype = \"instrument\"\n[[capabilities]]\nmethod = \"spin\"\n[resources]\ntimeout_seconds = 120\n[runtime]\nkind = \"wasm\"\nmodule = \"spin.wat\"\n",
    )
    .unwrap();
    let out = symphony(
        &data,
        &["ext", "install", "--local-grant", ext.to_str().unwrap()],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_workflows_extension_host_is_prewarmed_and_reused_by_every_node() {
    use pit::dag::{RunnerName, Workflow, parse_toml};
    use pit::exec::{ExecOptions, Executor, RunnerRegistry, WorkflowState};
    use pit::pool::Prewarm;
    use symphony::adapters::{HostLauncher, register_extension_pool};

    let dir = tempfile::tempdir().unwrap();
    let registry = extensions::Registry::new(dir.path().join("extensions"));
    let installed = registry.install(&sample("text-ops")).unwrap();
    let grant = extensions::Approval::local(&installed.manifest);
    registry
        .set_approval(&installed.manifest.id, &grant)
        .unwrap();
    let launcher = HostLauncher {
        program: PathBuf::from(env!("CARGO_BIN_EXE_symphony")),
        prefix: symphony::headless::ext::HOST_PREFIX
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
        project: None,
    };
    let mut runners = RunnerRegistry::with_builtins(1.0);
    let pool = register_extension_pool(&mut runners, &registry, &launcher).unwrap();
    let file = parse_toml(
        r#"
[[nodes]]
id = "say"
kind = "operator"
runner = "shell"
params = { command = "printf 'three calls'" }
[[nodes]]
id = "up"
kind = "operator"
runner = "symphony.text-ops"
params = { method = "upper" }
[[nodes]]
id = "down"
kind = "operator"
runner = "symphony.text-ops"
params = { method = "lower" }
[[nodes]]
id = "words"
kind = "operator"
runner = "symphony.text-ops"
params = { method = "words" }
[[edges]]
from = "say"
to = "up"
kind = "control"
[[edges]]
from = "up"
to = "down"
kind = "control"
[[edges]]
from = "down"
to = "words"
kind = "control"
"#,
        "pooled.toml",
    )
    .unwrap();
    let wf = std::sync::Arc::new(Workflow::build(&file).unwrap());
    // Only the installed extension is warmed (not the `shell` built-in), before any node runs.
    assert_eq!(pool.prewarm_for(&wf), 1);
    let key = RunnerName::new("symphony.text-ops");
    let started = std::time::Instant::now();
    while pool.pool().get(&key).is_none() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "never warmed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(
        pool.entry_states(),
        [("symphony.text-ops".to_owned(), "hot")]
    );
    let (handle, _events) = Executor::new(runners, ExecOptions::default()).start(wf);
    let report = handle.wait().await.unwrap();
    assert_eq!(report.state, WorkflowState::Completed, "{report:?}");
    // The three nodes' calls all went to the one host the pool warmed.
    let host = (*pool.pool().get(&key).unwrap()).clone();
    let ping = tokio::task::spawn_blocking(move || {
        host.lock()
            .unwrap()
            .ping(std::time::Duration::from_secs(5))
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(ping.calls, 3, "{ping:?}");
}
