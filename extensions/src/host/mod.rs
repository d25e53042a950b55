//! The extension host: `symphony ext-host`, one process per extension, spawned and
//! supervised by the core ([`crate::supervisor`]). It reads the manifest, runs the extension
//! (wasm in-process under wasmtime, native as a confined child, see [`sandbox`]; an `api`
//! extension is an HTTP endpoint it calls, see [`api`]), enforces
//! each call's deadline and answers the core in the protocol of [`crate::protocol`].
//!
//! One call runs at a time; `ping` and `cancel` are answered while it runs. Every input —
//! the core's lines, the guest's lines, the guest's exit, a wasm call's end — arrives on one
//! channel, so the loop owns all state and never blocks on a pipe.

pub mod api;
pub mod classify;
mod entry;
mod grants;
pub mod native;
pub mod sandbox;
pub mod wasi;
pub mod wasm;

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::{Duration, Instant};

use crate::error::{ExtensionError, LimitKind};
use crate::manifest::{Manifest, RuntimeKind};
use crate::protocol::{
    self, Artifact, CoreLine, InvokeParams, InvokeRequest, InvokeResult, Message, PingResult,
    Progress, Request, Response, RpcError, code,
};
pub use entry::main;
pub use grants::{sandbox_spec, wasi_grants};
pub use native::Launcher;
use native::NativeGuest;

/// What the host's loop waits for.
#[derive(Debug)]
pub enum Event {
    /// A line from the core.
    Core(String),
    /// The core closed our stdin.
    CoreClosed,
    /// A line from the native guest started as `generation`.
    Guest {
        /// Which start of the guest.
        generation: u64,
        /// The line.
        line: String,
    },
    /// The native guest's stdout closed.
    GuestClosed {
        /// Which start of the guest.
        generation: u64,
    },
    /// An api call ended.
    ApiDone {
        /// The core's request id.
        call: u64,
        /// Its result or error.
        result: Result<InvokeResult, ExtensionError>,
    },
    /// A wasm call ended.
    WasmDone {
        /// The core's request id.
        call: u64,
        /// Its output or error.
        result: Result<Vec<u8>, ExtensionError>,
    },
}

/// The host's options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostOptions {
    /// The installed extension's directory (with its manifest).
    pub extension: PathBuf,
    /// Its data directory (`$DATA`).
    pub data: PathBuf,
    /// The project (`$PROJECT`), if any.
    pub project: Option<PathBuf>,
    /// The permissions OFB granted; `None` keeps the manifest's own.
    pub granted: Option<Vec<String>>,
    /// How to start the sandbox launcher.
    pub launcher: Launcher,
}

/// The running extension.
enum Runtime {
    Native {
        guest: Option<NativeGuest>,
        generation: u64,
    },
    Wasm {
        jobs: Sender<WasmJob>,
        interrupter: wasm::Interrupter,
    },
    Api {
        jobs: Sender<ApiJob>,
    },
}

struct ApiJob {
    call: u64,
    request: InvokeRequest,
    deadline: Instant,
}

struct WasmJob {
    call: u64,
    method: String,
    input: Vec<u8>,
    deadline: Instant,
    environ: Vec<Vec<u8>>,
}

/// The call in flight.
struct Call {
    id: u64,
    deadline: Instant,
    budget: Duration,
}

struct Host<'a> {
    options: &'a HostOptions,
    manifest: Manifest,
    runtime: Runtime,
    events: Sender<Event>,
    current: Option<Call>,
    calls: u64,
    sandbox: Vec<String>,
}

/// Run the host until the core closes stdin or says `shutdown`.
pub fn run(options: &HostOptions) -> Result<(), ExtensionError> {
    let manifest = Manifest::load(&options.extension)?;
    // The core checked the approval; the host confines the guest to the grant all the same.
    let manifest = match &options.granted {
        Some(granted) => crate::approval::restrict(&manifest, granted)?,
        None => manifest,
    };
    // A wasm or api host confines itself before its first thread starts (see
    // `confine_host`); an api host may connect to its endpoint's port only.
    let api = match (&manifest.file.runtime.kind, &manifest.file.runtime.endpoint) {
        (RuntimeKind::Api, Some(url)) => Some(api::ApiExtension::new(&manifest.id, url)?),
        _ => None,
    };
    let host_sandbox = if manifest.file.runtime.kind != RuntimeKind::Native {
        let grants = wasi_grants(&manifest, options);
        let mut read = vec![options.extension.clone()];
        let mut write = vec![options.data.clone()];
        for grant in grants {
            if grant.writable {
                write.push(grant.path);
            } else {
                read.push(grant.path);
            }
        }
        sandbox::confine_host(
            &read,
            &write,
            api.as_ref().map(api::ApiExtension::port),
            manifest.file.sandbox,
        )
        .map_err(|detail| ExtensionError::Sandbox {
            id: manifest.id.clone(),
            detail,
        })?
    } else {
        sandbox::SandboxReport::default()
    };
    for missing in &host_sandbox.missing {
        eprintln!("ext-host: `{}` runs without {missing}", manifest.id);
    }
    let (events, inbox) = mpsc::channel();
    let core_events = events.clone();
    thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if core_events.send(Event::Core(line)).is_err() {
                return;
            }
        }
        let _ = core_events.send(Event::CoreClosed);
    });
    let (runtime, sandbox) = match manifest.file.runtime.kind {
        RuntimeKind::Native => (
            Runtime::Native {
                guest: None,
                generation: 0,
            },
            Vec::new(),
        ),
        RuntimeKind::Wasm => start_wasm(options, &manifest, events.clone())?,
        RuntimeKind::Api => match api {
            Some(api) => start_api(api, events.clone()),
            None => {
                return Err(ExtensionError::Sandbox {
                    id: manifest.id.clone(),
                    detail: "an api runtime needs `endpoint`".into(),
                });
            }
        },
    };
    let mut sandbox = sandbox;
    sandbox.extend(host_sandbox.sandbox.iter().map(|s| format!("host-{s}")));
    let mut host = Host {
        options,
        manifest,
        runtime,
        events,
        current: None,
        calls: 0,
        sandbox,
    };
    host.serve(&inbox);
    Ok(())
}

fn start_wasm(
    options: &HostOptions,
    manifest: &Manifest,
    events: Sender<Event>,
) -> Result<(Runtime, Vec<String>), ExtensionError> {
    let module = manifest.file.runtime.module.clone().unwrap_or_default();
    let extension = wasm::WasmExtension::load(
        &manifest.id,
        manifest.limits,
        &options.extension.join(module),
        &options.data.join("cache"),
        &wasi_grants(manifest, options),
    )?;
    for note in extension.notes() {
        eprintln!("ext-host: `{}`: {note}", manifest.id);
    }
    let interrupter = extension.interrupter();
    let (jobs, queue) = mpsc::channel::<WasmJob>();
    thread::spawn(move || {
        for job in queue {
            let result =
                extension.call_with_env(&job.method, &job.input, job.deadline, job.environ);
            if events
                .send(Event::WasmDone {
                    call: job.call,
                    result,
                })
                .is_err()
            {
                return;
            }
        }
    });
    Ok((
        Runtime::Wasm { jobs, interrupter },
        vec![
            "wasm".into(),
            "epoch-deadline".into(),
            "memory-limit".into(),
            "wasi-preopens".into(),
        ],
    ))
}

/// Calls the endpoint on a worker thread, one call at a time.
fn start_api(api: api::ApiExtension, events: Sender<Event>) -> (Runtime, Vec<String>) {
    let (jobs, queue) = mpsc::channel::<ApiJob>();
    thread::spawn(move || {
        for job in queue {
            let result = api.call(&job.request, job.deadline);
            let done = Event::ApiDone {
                call: job.call,
                result,
            };
            if events.send(done).is_err() {
                return;
            }
        }
    });
    (Runtime::Api { jobs }, vec!["api".into()])
}

impl Host<'_> {
    fn serve(&mut self, inbox: &Receiver<Event>) {
        loop {
            let event = match &self.current {
                None => inbox.recv().map_err(|_| RecvTimeoutError::Disconnected),
                Some(call) => {
                    inbox.recv_timeout(call.deadline.saturating_duration_since(Instant::now()))
                }
            };
            match event {
                Ok(Event::Core(line)) => {
                    if !self.on_core_line(&line) {
                        return;
                    }
                }
                Ok(Event::CoreClosed) | Err(RecvTimeoutError::Disconnected) => return,
                Ok(Event::Guest { generation, line }) => self.on_guest_line(generation, &line),
                Ok(Event::GuestClosed { generation }) => self.guest_closed(generation),
                Ok(Event::WasmDone { call, result }) => self.wasm_done(call, result),
                Ok(Event::ApiDone { call, result }) => self.api_done(call, result),
                Err(RecvTimeoutError::Timeout) => self.deadline_passed(),
            }
        }
    }

    fn send(&self, message: &impl serde::Serialize) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(&protocol::encode(message));
        let _ = out.flush();
    }

    fn answer(&mut self, id: u64, result: Result<InvokeResult, ExtensionError>) {
        self.calls += 1;
        match result {
            Ok(r) => self.send(&Response::ok(id, r)),
            Err(e) => self.send(&Response::err(id, RpcError::from_error(&e))),
        }
    }

    /// Handle a core line; false to exit.
    fn on_core_line(&mut self, line: &str) -> bool {
        match protocol::decode_core_line(line) {
            CoreLine::Invoke { id, request } => self.invoke(id, request),
            CoreLine::Ping { id } => self.send(&Response::ok(
                id,
                PingResult {
                    extension: self.manifest.id.clone(),
                    calls: self.calls,
                    sandbox: self.sandbox.clone(),
                },
            )),
            CoreLine::Cancel(p) => self.cancel(p.id),
            CoreLine::Shutdown => return false,
            CoreLine::Unknown { id, method } => self.send(&Response::err(
                id,
                RpcError::new(
                    code::METHOD_NOT_FOUND,
                    format!("the host has no method `{method}`"),
                ),
            )),
            CoreLine::Ignored => {}
            CoreLine::Invalid(e) => {
                eprintln!("ext-host: ignoring a line that is not JSON-RPC 2.0: {e}");
            }
        }
        true
    }

    fn invoke(&mut self, id: u64, request: Result<InvokeRequest, String>) {
        let ext = self.manifest.id.clone();
        if self.current.is_some() {
            self.send(&Response::err(
                id,
                RpcError::new(
                    code::BUSY,
                    format!("extension `{ext}` is busy with another call"),
                ),
            ));
            return;
        }
        let request = match request {
            Ok(request) => request,
            Err(e) => {
                let error = ExtensionError::BadRequest {
                    id: ext,
                    detail: format!("invoke's params: {e}"),
                };
                return self.answer(id, Err(error));
            }
        };
        let params = &request.call;
        if let Err(e) = self.check_request(params) {
            return self.answer(id, Err(e));
        }
        let budget = params
            .deadline_ms
            .map_or(self.manifest.limits.timeout(), Duration::from_millis)
            .min(self.manifest.limits.timeout());
        let deadline = Instant::now() + budget;
        match &mut self.runtime {
            Runtime::Wasm { jobs, .. } => {
                let input = match params.inputs.first() {
                    Some(a) => a.text.clone().into_bytes(),
                    None => params.params.to_string().into_bytes(),
                };
                // The wasm call stops itself at the deadline; the loop's own timer is a
                // backstop one second later.
                let job = WasmJob {
                    call: id,
                    method: params.method.clone(),
                    input,
                    deadline,
                    environ: wasi::environ(&request.config),
                };
                if jobs.send(job).is_err() {
                    let error = ExtensionError::Crashed {
                        id: ext,
                        detail: "the wasm worker is gone".into(),
                    };
                    return self.answer(id, Err(error));
                }
                self.current = Some(Call {
                    id,
                    deadline: deadline + Duration::from_secs(1),
                    budget,
                });
            }
            Runtime::Api { jobs } => {
                // The call stops itself at the deadline (socket timeouts); the loop's own timer
                // is a backstop one second later.
                let job = ApiJob {
                    call: id,
                    request: request.clone(),
                    deadline,
                };
                if jobs.send(job).is_err() {
                    let error = ExtensionError::Crashed {
                        id: ext,
                        detail: "the api worker is gone".into(),
                    };
                    return self.answer(id, Err(error));
                }
                self.current = Some(Call {
                    id,
                    deadline: deadline + Duration::from_secs(1),
                    budget,
                });
            }
            Runtime::Native { .. } => {
                if let Err(e) = self.ensure_guest() {
                    return self.answer(id, Err(e));
                }
                let line = protocol::encode(&Request::call(id, "invoke", &request));
                if let Runtime::Native {
                    guest: Some(guest), ..
                } = &mut self.runtime
                    && guest.send(&line).is_err()
                {
                    // It died before reading: its exit arrives as GuestClosed.
                }
                self.current = Some(Call {
                    id,
                    deadline,
                    budget,
                });
            }
        }
    }

    fn check_request(&self, params: &InvokeParams) -> Result<(), ExtensionError> {
        let m = &self.manifest;
        if !m.offers(&params.method) {
            return Err(ExtensionError::UnknownMethod {
                id: m.id.clone(),
                method: params.method.clone(),
                offered: m
                    .file
                    .capabilities
                    .iter()
                    .map(|c| c.method.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        for spec in m.file.artifacts.inputs.iter().filter(|s| s.required) {
            if !params.inputs.iter().any(|a| a.name == spec.name) {
                return Err(ExtensionError::BadRequest {
                    id: m.id.clone(),
                    detail: format!(
                        "the required input `{}` ({}) is missing",
                        spec.name, spec.media_type
                    ),
                });
            }
        }
        Ok(())
    }

    fn ensure_guest(&mut self) -> Result<(), ExtensionError> {
        let Runtime::Native { guest, generation } = &mut self.runtime else {
            return Ok(());
        };
        if guest.is_some() {
            return Ok(());
        }
        *generation += 1;
        let m = &self.manifest;
        let spec = sandbox_spec(m, self.options);
        let rt = &m.file.runtime;
        let command = rt.command.clone().unwrap_or_default();
        let program = if command.contains('/') {
            self.options.extension.join(&command).display().to_string()
        } else {
            command
        };
        let command = native::GuestCommand {
            program,
            args: rt.args.clone(),
            workdir: self.options.extension.clone(),
        };
        let started = NativeGuest::start(
            &m.id,
            &self.options.launcher,
            &spec,
            &command,
            self.events.clone(),
            *generation,
        )?;
        self.sandbox = started.report.sandbox.clone();
        for missing in &started.report.missing {
            eprintln!("ext-host: `{}` runs without {missing}", m.id);
        }
        *guest = Some(started);
        Ok(())
    }

    fn on_guest_line(&mut self, from: u64, line: &str) {
        let Runtime::Native { generation, .. } = &self.runtime else {
            return;
        };
        if from != *generation {
            return;
        }
        let ext = self.manifest.id.clone();
        match serde_json::from_str::<Message>(line) {
            Ok(Message::Request(r)) if r.method == "progress" => {
                if let (Some(call), Ok(mut p)) =
                    (&self.current, serde_json::from_value::<Progress>(r.params))
                {
                    p.id = call.id;
                    self.send(&Request::notify("progress", p));
                }
            }
            Ok(Message::Response(r)) => {
                let Some(call) = self.current.take_if(|c| c.id == r.id) else {
                    return;
                };
                let result =
                    match (r.result, r.error) {
                        (_, Some(error)) => {
                            let message = error.message.clone();
                            Err(classify::denial(&ext, &message)
                                .unwrap_or_else(|| error.into_error(&ext)))
                        }
                        (Some(result), None) => serde_json::from_value::<InvokeResult>(result)
                            .map_err(|e| ExtensionError::Protocol {
                                id: ext.clone(),
                                detail: format!("its invoke result: {e}"),
                            }),
                        (None, None) => Err(ExtensionError::Protocol {
                            id: ext.clone(),
                            detail: "an answer with neither result nor error".into(),
                        }),
                    };
                self.answer(call.id, result);
            }
            Ok(Message::Request(r)) => eprintln!(
                "ext-host: `{ext}` sent `{}`, which the host ignores",
                r.method
            ),
            Err(_) => eprintln!(
                "ext-host: `{ext}` wrote a line that is not JSON-RPC: {}",
                line.chars().take(200).collect::<String>()
            ),
        }
    }

    fn guest_closed(&mut self, from: u64) {
        let Runtime::Native { guest, generation } = &mut self.runtime else {
            return;
        };
        if from != *generation {
            return;
        }
        let Some(mut dead) = guest.take() else { return };
        let status = dead.wait();
        let stderr = dead.stderr_tail();
        if let Some(call) = self.current.take() {
            let error =
                classify::classify_exit(&self.manifest.id, &self.manifest.limits, status, &stderr);
            self.answer(call.id, Err(error));
        }
    }

    fn api_done(&mut self, call: u64, result: Result<InvokeResult, ExtensionError>) {
        if self.current.as_ref().is_none_or(|c| c.id != call) {
            return;
        }
        self.current = None;
        self.answer(call, result);
    }

    fn wasm_done(&mut self, call: u64, result: Result<Vec<u8>, ExtensionError>) {
        if self.current.as_ref().is_none_or(|c| c.id != call) {
            return;
        }
        self.current = None;
        let spec = self.manifest.file.artifacts.outputs.first();
        let result = result.map(|bytes| InvokeResult {
            outputs: vec![Artifact {
                name: spec.map_or_else(|| "output".into(), |s| s.name.clone()),
                media_type: spec.map_or_else(|| "text/plain".into(), |s| s.media_type.clone()),
                text: String::from_utf8_lossy(&bytes).into_owned(),
            }],
        });
        self.answer(call, result);
    }

    fn deadline_passed(&mut self) {
        let Some(call) = self.current.take() else {
            return;
        };
        if let Runtime::Native { guest, .. } = &mut self.runtime
            && let Some(mut g) = guest.take()
        {
            g.kill();
        }
        let error = ExtensionError::LimitExceeded {
            id: self.manifest.id.clone(),
            limit: LimitKind::Deadline,
            detail: format!("{} ms; killed at its deadline", call.budget.as_millis()),
        };
        self.answer(call.id, Err(error));
    }

    fn cancel(&mut self, id: u64) {
        if self.current.as_ref().is_none_or(|c| c.id != id) {
            return;
        }
        match &mut self.runtime {
            Runtime::Wasm { interrupter, .. } => interrupter.cancel(),
            // The request in flight runs out on its own; its answer is then ignored.
            Runtime::Api { .. } => {
                self.current = None;
                self.answer(id, Err(ExtensionError::Cancelled(self.manifest.id.clone())));
            }
            Runtime::Native { guest, .. } => {
                if let Some(mut g) = guest.take() {
                    g.kill();
                }
                self.current = None;
                self.answer(id, Err(ExtensionError::Cancelled(self.manifest.id.clone())));
            }
        }
    }
}
