//! `symphony ext validate | install | approve | revoke | list | remove | run | config | schema`:
//! the Orchestra Kit from the command line; and the hidden `symphony ext-host`, the
//! per-extension host process the core starts (see the `extensions` crate's `host` module).

use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use extensions::manifest::schema::manifest_schema;
use extensions::protocol::{Artifact, InvokeParams, InvokeResult};
use extensions::{CancelToken, ExtensionError, HostedExtensions, Manifest, Registry};

use crate::ports::ExtensionPort;
use serde_json::json;

use super::Exit;
use super::ext_approval::{self, InstallGrant};
use crate::adapters::ofb::governance::GrantChoice;
use crate::cli::ExtCommand;
use crate::paths::DataPaths;

pub use crate::adapters::extension_runner::HOST_PREFIX;

/// The media type of a Motif's styled lines.
const STYLED_LINES: &str = "application/vnd.symphony.styled-lines+json";

/// Where installed extensions live.
pub fn registry(paths: &DataPaths) -> Registry {
    paths.extensions()
}

/// Runs `symphony ext …`.
pub(super) fn run(command: ExtCommand, paths: &DataPaths) -> Exit {
    match execute(command, paths) {
        Ok(exit) => exit,
        Err(error) => {
            eprintln!("symphony: {error}");
            match error {
                ExtensionError::InvalidManifest { .. } | ExtensionError::Config { .. } => {
                    Exit::BadWorkflow
                }
                ExtensionError::Cancelled(_) => Exit::Stopped,
                ExtensionError::NotInstalled(_)
                | ExtensionError::NotApproved { .. }
                | ExtensionError::AlreadyInstalled { .. }
                | ExtensionError::Incomplete { .. }
                | ExtensionError::Io { .. }
                | ExtensionError::Sandbox { .. } => Exit::CannotStart,
                _ => Exit::RunFailed,
            }
        }
    }
}

/// Runs `symphony ext validate` (it needs no data directory).
pub(super) fn validate(path: &Path, json_output: bool) -> Exit {
    match Manifest::load(path) {
        Ok(m) => {
            if json_output {
                println!(
                    "{}",
                    json!({"valid": true, "id": m.id, "version": m.version.to_string(), "limits": m.limits})
                );
            } else {
                println!(
                    "{} {} ({:?}, {:?} runtime) is valid: {} MiB, {} s per call, {} retries",
                    m.id,
                    m.version,
                    m.file.kind,
                    m.file.runtime.kind,
                    m.limits.memory_mb,
                    m.limits.timeout_seconds,
                    m.limits.retries
                );
            }
            Exit::Success
        }
        Err(error) => {
            if json_output {
                let issues: Vec<_> = match &error {
                    ExtensionError::InvalidManifest { issues, .. } => issues
                        .iter()
                        .map(|i| json!({"field": i.field, "line": i.at.map(|a| a.line), "column": i.at.map(|a| a.column), "message": i.message}))
                        .collect(),
                    other => vec![json!({"message": other.to_string()})],
                };
                println!("{}", json!({"valid": false, "issues": issues}));
            } else {
                eprintln!("symphony: {error}");
            }
            Exit::BadWorkflow
        }
    }
}

fn execute(command: ExtCommand, paths: &DataPaths) -> Result<Exit, ExtensionError> {
    let registry = registry(paths);
    match command {
        ExtCommand::Validate { path, json } => return Ok(validate(&path, json)),
        ExtCommand::Schema => print!("{}", manifest_schema()),
        ExtCommand::Install {
            path,
            grant,
            local_grant,
        } => {
            if let Some(refusal) = local_grant
                .then(ext_approval::local_grant_refusal)
                .flatten()
            {
                eprintln!("symphony: {refusal}");
                return Ok(Exit::CannotStart);
            }
            let installed = registry.install(&path)?;
            println!(
                "installed {} {} in {}",
                installed.manifest.id,
                installed.manifest.version,
                installed.dir.display()
            );
            let grant = match (local_grant, grant) {
                (true, _) => InstallGrant::Local,
                (false, Some(text)) => InstallGrant::Grant(GrantChoice::parse(&text)),
                (false, None) => InstallGrant::Ask,
            };
            return Ok(ext_approval::after_install(
                &registry, &installed, grant, paths,
            ));
        }
        ExtCommand::Approve { id, grant } => {
            return Ok(ext_approval::approve(&registry, &id, grant, paths));
        }
        ExtCommand::Revoke { id } => return Ok(ext_approval::revoke(&registry, &id, paths)),
        ExtCommand::List { json } => {
            for i in registry.list()? {
                let m = &i.manifest;
                let approval = registry.approval(&i)?;
                if json {
                    let methods: Vec<&str> = m
                        .file
                        .capabilities
                        .iter()
                        .map(|c| c.method.as_str())
                        .collect();
                    println!(
                        "{}",
                        json!({"id": m.id, "version": m.version.to_string(), "type": m.file.kind, "runtime": m.file.runtime.kind, "methods": methods, "dir": i.dir, "approval": approval})
                    );
                } else {
                    let kind = format!("{:?}", m.file.kind).to_lowercase();
                    let runtime = format!("{:?}", m.file.runtime.kind).to_lowercase();
                    println!(
                        "{:<28} {:<10} {:<11} {:<7} {:<14} {}",
                        m.id,
                        m.version,
                        kind,
                        runtime,
                        ext_approval::status_label(&approval),
                        m.file.name
                    );
                }
            }
        }
        ExtCommand::Config {
            id,
            key,
            value,
            json,
        } => {
            let manifest = registry.get(&id)?.manifest;
            let data = registry.data_of(&manifest.id);
            if let (Some(key), Some(value)) = (key, value) {
                let stored = extensions::config::set(&manifest, &data, &key, &value)?;
                let secret = manifest.file.config.get(&key).is_some_and(|f| f.secret);
                let shown = if secret {
                    extensions::config::MASK.to_owned()
                } else {
                    stored.to_string()
                };
                println!("{} {key} = {shown}", manifest.id);
                return Ok(Exit::Success);
            }
            print_settings(&extensions::config::settings(&manifest, &data)?, json);
        }
        ExtCommand::Remove { id } => {
            let removed = registry.remove(&id)?;
            println!(
                "removed {} {}",
                removed.manifest.id, removed.manifest.version
            );
        }
        ExtCommand::Run {
            id,
            method,
            input,
            params,
            deadline_ms,
            project,
            json,
        } => {
            let launcher = crate::adapters::HostLauncher::this_program()?;
            let manifest = registry.get(&id)?.manifest;
            let params = call_params(
                &manifest,
                method,
                input.as_deref(),
                params.as_deref(),
                deadline_ms,
            )?;
            let mut hosted =
                HostedExtensions::new(registry, launcher.program, launcher.prefix, project);
            let port: &mut dyn ExtensionPort = &mut hosted;
            let terminal = std::io::stderr().is_terminal();
            let mut progress = |p: &extensions::protocol::Progress| {
                if terminal {
                    eprintln!(
                        "{:>3.0}% {}",
                        p.fraction * 100.0,
                        p.message.as_deref().unwrap_or("")
                    );
                }
            };
            // Ctrl-C cancels the call: the host stops it (or is killed) and is shut down
            // when `hosted` is dropped, so nothing is left running.
            let cancel = CancelToken::default();
            let on_ctrl_c = cancel.clone();
            if let Err(e) = ctrlc_hook(move || on_ctrl_c.cancel()) {
                eprintln!("symphony: Ctrl-C will not cancel the call cleanly: {e}");
            }
            let result = port.invoke(&manifest.id, &params, &mut progress, &cancel);
            drop(hosted);
            print_result(&result?, json);
        }
    }
    Ok(Exit::Success)
}

fn print_settings(settings: &[extensions::config::Setting], json_output: bool) {
    use extensions::config::Source;
    if json_output {
        let object: serde_json::Map<String, serde_json::Value> = settings
            .iter()
            .map(|s| {
                let value = match &s.value {
                    Some(_) if s.field.secret => json!(extensions::config::MASK),
                    Some(v) => v.clone(),
                    None => serde_json::Value::Null,
                };
                (s.name.clone(), value)
            })
            .collect();
        println!("{}", serde_json::Value::Object(object));
        return;
    }
    if settings.is_empty() {
        println!("(this extension declares no settings)");
    }
    for s in settings {
        let source = match (s.source, s.field.required) {
            (Source::Set, _) => "set",
            (Source::Default, _) => "default",
            (Source::Unset, true) => "REQUIRED, unset",
            (Source::Unset, false) => "unset",
        };
        let kind = format!("{:?}", s.field.kind).to_lowercase();
        println!("{:<20} {:<8} {:<32} ({source})", s.name, kind, s.shown());
    }
}

fn call_params(
    manifest: &Manifest,
    method: String,
    input: Option<&Path>,
    params: Option<&str>,
    deadline_ms: Option<u64>,
) -> Result<InvokeParams, ExtensionError> {
    let bad = |detail: String| ExtensionError::BadRequest {
        id: manifest.id.clone(),
        detail,
    };
    let params = match params {
        Some(text) => {
            serde_json::from_str(text).map_err(|e| bad(format!("--params is not JSON: {e}")))?
        }
        None => serde_json::Value::Object(Default::default()),
    };
    let mut inputs = Vec::new();
    if let Some(path) = input {
        let text = if path == Path::new("-") {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| ExtensionError::io("reading the input from stdin", e))?;
            s
        } else {
            std::fs::read_to_string(path).map_err(|e| {
                ExtensionError::io(format!("reading the input {}", path.display()), e)
            })?
        };
        let spec = manifest.file.artifacts.inputs.first();
        inputs.push(Artifact {
            name: spec.map_or_else(|| "input".into(), |s| s.name.clone()),
            media_type: spec.map_or_else(|| "text/plain".into(), |s| s.media_type.clone()),
            text,
        });
    }
    Ok(InvokeParams {
        method,
        inputs,
        params,
        deadline_ms,
    })
}

fn print_result(result: &InvokeResult, json_output: bool) {
    let mut out = std::io::stdout().lock();
    if json_output {
        let _ = writeln!(out, "{}", serde_json::to_string(result).unwrap_or_default());
        return;
    }
    let colour = std::io::stdout().is_terminal();
    for artifact in &result.outputs {
        if artifact.media_type == STYLED_LINES
            && let Ok(lines) = serde_json::from_str::<Vec<StyledLine>>(&artifact.text)
        {
            for line in lines {
                let _ = writeln!(out, "{}", line.render(colour));
            }
            continue;
        }
        let _ = write!(out, "{}", artifact.text);
        if !artifact.text.ends_with('\n') {
            let _ = writeln!(out);
        }
    }
}

/// One line of a Motif's output.
#[derive(Debug, serde::Deserialize)]
struct StyledLine {
    text: String,
    #[serde(default)]
    style: String,
}

impl StyledLine {
    /// The line, with ANSI attributes on a terminal.
    fn render(&self, colour: bool) -> String {
        let code = match self.style.as_str() {
            "bold" => "1",
            "dim" => "2",
            "italic" => "3",
            "underline" => "4",
            "error" => "31",
            "ok" => "32",
            "warn" => "33",
            _ => "",
        };
        if !colour || code.is_empty() {
            return self.text.clone();
        }
        format!("\x1b[{code}m{}\x1b[0m", self.text)
    }
}

/// Calls `on_interrupt` on the first Ctrl-C (SIGINT) instead of letting it kill the process.
fn ctrlc_hook(on_interrupt: impl Fn() + Send + 'static) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (ready_tx, ready) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("ext-ctrl-c".to_owned())
        .spawn(move || {
            runtime.block_on(async {
                let signal = tokio::signal::ctrl_c();
                tokio::pin!(signal);
                // Poll once so that the handler is installed before the call starts.
                let outcome = match poll_once(&mut signal).await {
                    Some(outcome) => {
                        let _ = ready_tx.send(());
                        outcome
                    }
                    None => {
                        let _ = ready_tx.send(());
                        signal.await
                    }
                };
                if outcome.is_ok() {
                    on_interrupt();
                }
            });
        })?;
    let _ = ready.recv();
    Ok(())
}

/// Polls `future` once: `Some` if it finished.
async fn poll_once<F: Future + Unpin>(future: &mut F) -> Option<F::Output> {
    std::future::poll_fn(|cx| {
        std::task::Poll::Ready(match std::pin::Pin::new(&mut *future).poll(cx) {
            std::task::Poll::Ready(v) => Some(v),
            std::task::Poll::Pending => None,
        })
    })
    .await
}

/// Runs the hidden `symphony ext-host`: the process one extension lives in.
pub fn host(args: &[String]) -> Exit {
    let program = match std::env::current_exe() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("symphony ext-host: finding the symphony executable: {e}");
            return Exit::CannotStart;
        }
    };
    let launcher = extensions::host::Launcher {
        program,
        prefix: HOST_PREFIX.iter().map(|s| s.to_string()).collect(),
    };
    match extensions::host::main(args, launcher) {
        0 => Exit::Success,
        2 => Exit::BadWorkflow,
        _ => Exit::RunFailed,
    }
}
