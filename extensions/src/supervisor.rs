//! The core's side of an extension: spawns its `ext-host` process, sends calls, relays
//! progress and cancellation, and restarts the host (or, through the host, the guest) per
//! the manifest's retry policy. A dead or hung host is an error for that call, never a
//! failure of the core.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use crate::config;
use crate::error::{ExtensionError, LimitKind};
use crate::manifest::Manifest;
use crate::protocol::{
    self, CancelParams, InvokeParams, InvokeRequest, InvokeResult, Message, PingResult, Progress,
    Request, Response,
};

/// How long past a call's deadline the core waits for the host's own answer before it kills
/// the host: the host enforces deadlines, this catches a hung host.
const HOST_GRACE: Duration = Duration::from_secs(2);

/// How long after a `cancel` the core waits for the host to answer before it kills the host.
const CANCEL_GRACE: Duration = Duration::from_millis(500);

/// How the core starts a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostCommand {
    /// The program: `symphony` (or `symphony-ext-host`).
    pub program: PathBuf,
    /// Arguments before the host's own: `["ext-host"]` for `symphony`.
    pub prefix: Vec<String>,
    /// The installed extension's directory.
    pub extension_dir: PathBuf,
    /// Its data directory.
    pub data_dir: PathBuf,
    /// The project, if any.
    pub project: Option<PathBuf>,
    /// The permissions OFB granted (the host narrows the manifest to them); `None` runs with
    /// the manifest's own, for hosts started outside an installation (tests, benchmarks).
    pub granted: Option<Vec<String>>,
}

/// Set to cancel a call in flight.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// Ask for the call to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// One extension, supervised.
#[derive(Debug)]
pub struct ExtensionHost {
    manifest: Manifest,
    command: HostCommand,
    process: Option<HostProcess>,
    /// The settings sent with each call, read when the host process starts.
    config: Option<Map<String, Value>>,
    next_id: u64,
    restarts: u32,
}

#[derive(Debug)]
struct HostProcess {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<Option<String>>,
}

impl Drop for HostProcess {
    fn drop(&mut self) {
        let _ = self
            .stdin
            .write_all(&protocol::encode(&Request::notify("shutdown", ())));
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ExtensionHost {
    /// Supervise `manifest`'s extension; the host starts on the first call.
    pub fn new(manifest: Manifest, command: HostCommand) -> ExtensionHost {
        ExtensionHost {
            manifest,
            command,
            process: None,
            config: None,
            next_id: 0,
            restarts: 0,
        }
    }

    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Stops the host process, if one runs; the next call starts a new one.
    pub fn stop(&mut self) {
        self.process = None;
    }

    /// How many times a failed call led to a retry on a fresh guest.
    pub fn restarts(&self) -> u32 {
        self.restarts
    }

    /// Call `params.method`, retrying per the manifest; `on_progress` sees progress.
    pub fn invoke(
        &mut self,
        params: &InvokeParams,
        on_progress: &mut dyn FnMut(&Progress),
        cancel: &CancelToken,
    ) -> Result<InvokeResult, ExtensionError> {
        let mut attempt = 0;
        loop {
            match self.invoke_once(params, on_progress, cancel) {
                Err(e) if retryable(&e) && attempt < self.manifest.limits.retries => {
                    attempt += 1;
                    self.restarts += 1;
                    tracing::warn!("{e}; retry {attempt} of {}", self.manifest.limits.retries);
                }
                other => return other,
            }
        }
    }

    /// One attempt, without retries (for measurements and callers with their own policy).
    pub fn invoke_once(
        &mut self,
        params: &InvokeParams,
        on_progress: &mut dyn FnMut(&Progress),
        cancel: &CancelToken,
    ) -> Result<InvokeResult, ExtensionError> {
        let budget = params
            .deadline_ms
            .map_or(self.manifest.limits.timeout(), Duration::from_millis)
            .min(self.manifest.limits.timeout());
        if self.process.is_none() {
            // A new host: read the settings again (`symphony ext config` may have changed
            // them since the last one started).
            self.config = None;
        }
        let config = match &self.config {
            Some(config) => config.clone(),
            None => {
                let config = config::effective(&self.manifest, &self.command.data_dir)?;
                self.config = Some(config.clone());
                config
            }
        };
        let request = InvokeRequest {
            call: params.clone(),
            config,
        };
        let id = self.send(&Request::call(0, "invoke", &request))?;
        let give_up = Instant::now() + budget + HOST_GRACE;
        let mut cancel_sent: Option<Instant> = None;
        loop {
            if cancel.is_cancelled() && cancel_sent.is_none() {
                cancel_sent = Some(Instant::now());
                self.notify(&Request::notify("cancel", CancelParams { id }))?;
            }
            if cancel_sent.is_some_and(|at| at.elapsed() > CANCEL_GRACE) {
                // The host did not stop the call in time: stop the host.
                self.process = None;
                return Err(ExtensionError::Cancelled(self.manifest.id.clone()));
            }
            let wait = give_up
                .saturating_duration_since(Instant::now())
                .min(Duration::from_millis(20));
            match self.next_message(wait)? {
                Some(Message::Response(r)) if r.id == id => return self.result(r),
                Some(Message::Request(r)) if r.method == "progress" => {
                    if let Ok(p) = serde_json::from_value::<Progress>(r.params)
                        && p.id == id
                    {
                        on_progress(&p);
                    }
                }
                Some(_) => {}
                None if Instant::now() >= give_up => {
                    self.process = None;
                    return Err(ExtensionError::LimitExceeded {
                        id: self.manifest.id.clone(),
                        limit: LimitKind::Deadline,
                        detail: format!(
                            "{} ms; its host did not answer and was killed",
                            budget.as_millis()
                        ),
                    });
                }
                None => {}
            }
        }
    }

    /// Ask the host whether it is healthy.
    pub fn ping(&mut self, timeout: Duration) -> Result<PingResult, ExtensionError> {
        let id = self.send(&Request::call(0, "ping", ()))?;
        let until = Instant::now() + timeout;
        while Instant::now() < until {
            if let Some(Message::Response(r)) = self.next_message(until - Instant::now())?
                && r.id == id
            {
                let value = self.result_value(r)?;
                return serde_json::from_value(value).map_err(|e| ExtensionError::Protocol {
                    id: self.manifest.id.clone(),
                    detail: format!("its ping answer: {e}"),
                });
            }
        }
        self.process = None;
        Err(ExtensionError::LimitExceeded {
            id: self.manifest.id.clone(),
            limit: LimitKind::Deadline,
            detail: format!("no answer to ping within {} ms", timeout.as_millis()),
        })
    }

    fn result(&self, r: Response) -> Result<InvokeResult, ExtensionError> {
        let value = self.result_value(r)?;
        serde_json::from_value(value).map_err(|e| ExtensionError::Protocol {
            id: self.manifest.id.clone(),
            detail: format!("its invoke result: {e}"),
        })
    }

    fn result_value(&self, r: Response) -> Result<Value, ExtensionError> {
        match (r.result, r.error) {
            (_, Some(error)) => Err(error.into_error(&self.manifest.id)),
            (Some(v), None) => Ok(v),
            (None, None) => Err(ExtensionError::Protocol {
                id: self.manifest.id.clone(),
                detail: "an answer with neither result nor error".into(),
            }),
        }
    }

    /// Send a request with a fresh id; returns the id.
    fn send(&mut self, request: &Request) -> Result<u64, ExtensionError> {
        self.next_id += 1;
        let mut request = request.clone();
        request.id = Some(self.next_id);
        self.notify(&request)?;
        Ok(self.next_id)
    }

    fn notify(&mut self, request: &Request) -> Result<(), ExtensionError> {
        let line = protocol::encode(request);
        for _ in 0..2 {
            let process = self.process()?;
            if process
                .stdin
                .write_all(&line)
                .and_then(|()| process.stdin.flush())
                .is_ok()
            {
                return Ok(());
            }
            // The host is gone: start a new one and send again.
            self.process = None;
        }
        Err(ExtensionError::Crashed {
            id: self.manifest.id.clone(),
            detail:
                "its host exits as soon as it starts (run `symphony ext run` to see its stderr)"
                    .into(),
        })
    }

    /// The next message, or `None` after `wait`. A closed host is an error.
    fn next_message(&mut self, wait: Duration) -> Result<Option<Message>, ExtensionError> {
        let id = self.manifest.id.clone();
        let process = self.process()?;
        match process.lines.recv_timeout(wait) {
            Ok(Some(line)) => Ok(serde_json::from_str(&line).ok()),
            Err(RecvTimeoutError::Timeout) => Ok(None),
            Ok(None) | Err(RecvTimeoutError::Disconnected) => {
                let status = process.child.wait().ok();
                self.process = None;
                Err(ExtensionError::Crashed {
                    id,
                    detail: format!(
                        "its host process ended ({})",
                        status.map_or_else(|| "no status".into(), |s| s.to_string())
                    ),
                })
            }
        }
    }

    fn process(&mut self) -> Result<&mut HostProcess, ExtensionError> {
        if self.process.is_none() {
            self.process = Some(self.spawn()?);
        }
        self.process
            .as_mut()
            .ok_or_else(|| ExtensionError::Crashed {
                id: self.manifest.id.clone(),
                detail: "its host could not be started".into(),
            })
    }

    fn spawn(&self) -> Result<HostProcess, ExtensionError> {
        let c = &self.command;
        for dir in [c.data_dir.clone(), c.data_dir.join("tmp")] {
            std::fs::create_dir_all(&dir)
                .map_err(|e| ExtensionError::io(format!("creating {}", dir.display()), e))?;
        }
        let mut command = Command::new(&c.program);
        // Its own process group: a terminal's Ctrl-C reaches only the core, which cancels the
        // call and stops the host itself (rather than every host dying mid-call and being
        // retried).
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        command
            .args(&c.prefix)
            .arg("--extension")
            .arg(&c.extension_dir)
            .arg("--data")
            .arg(&c.data_dir);
        if let Some(project) = &c.project {
            command.arg("--project").arg(project);
        }
        if let Some(granted) = &c.granted {
            command
                .arg("--granted")
                .arg(serde_json::to_string(granted).unwrap_or_else(|_| "[]".into()));
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| {
                ExtensionError::io(
                    format!("starting the extension host {}", c.program.display()),
                    e,
                )
            })?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(ExtensionError::Protocol {
                id: self.manifest.id.clone(),
                detail: "the host's pipes were not created".into(),
            });
        };
        let (tx, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(Some(line)).is_err() {
                    return;
                }
            }
            let _ = tx.send(None);
        });
        Ok(HostProcess {
            child,
            stdin,
            lines,
        })
    }
}

/// Whether a fresh start might succeed: crashes, limits of time and memory, broken hosts.
/// Not: the extension's own errors, bad requests, cancellation, sandbox denials.
pub fn retryable(e: &ExtensionError) -> bool {
    match e {
        ExtensionError::Crashed { .. }
        | ExtensionError::Protocol { .. }
        | ExtensionError::Io { .. } => true,
        ExtensionError::LimitExceeded { limit, .. } => matches!(
            limit,
            LimitKind::Deadline | LimitKind::Cpu | LimitKind::Memory | LimitKind::Stack
        ),
        _ => false,
    }
}
