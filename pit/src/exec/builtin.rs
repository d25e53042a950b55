//! The built-in runners: `noop`, `sleep` and `shell`.

use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::process::Command;

use super::runner::{NodeContext, NodeOutput, NodeRunner, RunError, RunFuture};

/// Does nothing and succeeds: control nodes, inputs, outputs, and scale tests.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoopRunner;

impl NodeRunner for NoopRunner {
    fn run(&self, _ctx: NodeContext) -> RunFuture {
        Box::pin(std::future::ready(Ok(NodeOutput::default())))
    }
}

/// Sleeps `params.seconds` × the time scale (WfCommons tasks become such sleeps).
#[derive(Debug, Clone, Copy)]
pub struct SleepRunner {
    scale: f64,
}

impl SleepRunner {
    /// A sleep runner whose sleeps are multiplied by `scale` (clamped to ≥ 0).
    pub fn new(scale: f64) -> Self {
        let scale = if scale.is_finite() && scale > 0.0 {
            scale
        } else {
            0.0
        };
        SleepRunner { scale }
    }
}

impl NodeRunner for SleepRunner {
    fn run(&self, ctx: NodeContext) -> RunFuture {
        let seconds = ctx.params().get("seconds").and_then(Value::as_f64);
        let scale = self.scale;
        Box::pin(async move {
            let Some(seconds) = seconds.filter(|s| s.is_finite() && *s >= 0.0) else {
                return Err(RunError::fatal(format!(
                    "node `{}`: the sleep runner needs `params.seconds`, a number ≥ 0",
                    ctx.id()
                )));
            };
            let wait = Duration::try_from_secs_f64(seconds * scale).unwrap_or(Duration::MAX);
            super::precise_sleep::sleep(wait).await;
            Ok(NodeOutput::default())
        })
    }
}

/// Runs `params.command` with `sh -c`; a non-zero exit is a retryable failure. The child is
/// killed when the attempt is dropped (timeout, skip, cancel), and when Symphony itself dies
/// (so that a resumed run never overlaps an orphan of the killed one).
///
/// A zero exit completes the node with its stdout as the value: parsed as JSON when it is
/// JSON, else as text. The command sees `SYMPHONY_NODE`, `SYMPHONY_ATTEMPT`,
/// `SYMPHONY_INPUTS` (a JSON object of its predecessors' values by node id, when any has
/// one), and in a journaled run
/// `SYMPHONY_RUN_ID` and `SYMPHONY_OUT`: the directory for its output files, published to
/// the run's `outputs/<node>/` once the completion is durable.
#[derive(Debug, Clone, Copy, Default)]
pub struct ShellRunner;

/// How much of stderr a failure message quotes.
const STDERR_TAIL: usize = 400;

impl NodeRunner for ShellRunner {
    fn run(&self, ctx: NodeContext) -> RunFuture {
        let command = ctx
            .params()
            .get("command")
            .and_then(Value::as_str)
            .map(str::to_owned);
        Box::pin(async move {
            let Some(command) = command else {
                return Err(RunError::fatal(format!(
                    "node `{}`: the shell runner needs `params.command`, a string",
                    ctx.id()
                )));
            };
            let mut sh = Command::new("sh");
            sh.arg("-c")
                .arg(&command)
                .env("SYMPHONY_NODE", ctx.id().as_str())
                .env("SYMPHONY_ATTEMPT", ctx.attempt().to_string());
            if let Some(run) = ctx.run_id() {
                sh.env("SYMPHONY_RUN_ID", run);
            }
            let inputs = ctx.inputs();
            if !inputs.is_empty() {
                let object: serde_json::Map<String, Value> = inputs
                    .iter()
                    .map(|(id, value)| (id.as_str().to_owned(), Value::clone(value)))
                    .collect();
                sh.env("SYMPHONY_INPUTS", Value::Object(object).to_string());
            }
            if let Some(dir) = ctx.output_dir() {
                std::fs::create_dir_all(dir).map_err(|e| {
                    RunError::retryable(format!(
                        "node `{}`: cannot create its output directory `{}`: {e}",
                        ctx.id(),
                        dir.display()
                    ))
                })?;
                sh.env("SYMPHONY_OUT", dir);
            }
            die_with_parent(&mut sh);
            let child = sh
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .kill_on_drop(true)
                .spawn()
                .map_err(|e| {
                    RunError::retryable(format!("node `{}`: cannot start `sh`: {e}", ctx.id()))
                })?;
            let out = child.wait_with_output().await.map_err(|e| {
                RunError::retryable(format!("node `{}`: waiting for `sh`: {e}", ctx.id()))
            })?;
            if let Some(log) = ctx.log_path() {
                let heading = format!("── attempt {}: {}", ctx.attempt(), out.status);
                append_log(log.to_owned(), heading, out.stderr.clone()).await;
            }
            if out.status.success() {
                let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
                // JSON on stdout is the value (so that conditions can read its fields);
                // anything else is the text.
                let value = serde_json::from_str(stdout.trim()).unwrap_or(Value::String(stdout));
                return Ok(NodeOutput { value: Some(value) });
            }
            let stderr = String::from_utf8_lossy(&out.stderr);
            let mut start = stderr.len().saturating_sub(STDERR_TAIL);
            while !stderr.is_char_boundary(start) {
                start += 1;
            }
            let stderr = stderr[start..].trim();
            let said = if stderr.is_empty() {
                String::new()
            } else {
                format!(": {stderr}")
            };
            Err(RunError::retryable(format!(
                "node `{}`: `{command}` failed ({}){said}",
                ctx.id(),
                out.status
            )))
        })
    }
}

/// How much of an attempt's stderr its node's log keeps (the end of it).
const LOG_TAIL: usize = 64 * 1024;

/// Appends what an attempt said (a shell's stderr, an extension's progress) under `heading`
/// to its node's log, off the async threads; runners of any kind use it, so the monitor
/// shows every node's log alike. A log that cannot be written costs only the log: the
/// attempt's outcome stands.
pub async fn append_log(path: std::path::PathBuf, heading: String, stderr: Vec<u8>) {
    let _ = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)?;
        let tail = &stderr[stderr.len().saturating_sub(LOG_TAIL)..];
        let mut text = format!("{heading}\n").into_bytes();
        text.extend_from_slice(tail);
        if !tail.ends_with(b"\n") && !tail.is_empty() {
            text.push(b'\n');
        }
        file.write_all(&text)
    })
    .await;
}

/// Makes the child get SIGKILL when its parent dies (Linux's `PR_SET_PDEATHSIG`). Grandchildren
/// are not covered: a command that starts background jobs should wait for them.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn die_with_parent(command: &mut Command) {
    let parent = std::process::id();
    // SAFETY: the closure runs in the child between fork and exec; it calls only `prctl` and
    // `getppid`, which are async-signal-safe, and touches no memory of the parent's threads.
    unsafe {
        command.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // The parent may have died before the prctl: then no signal would come.
            if libc::getppid() as u32 != parent {
                return Err(std::io::Error::other(
                    "Symphony exited while starting the command",
                ));
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent(_command: &mut Command) {}
