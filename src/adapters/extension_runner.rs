//! Installed extensions as DAG Tracker runners: a workflow node whose `runner` is an
//! extension's id calls that extension in its sandboxed host.
//!
//! - The node's `method` parameter names the method; the other parameters go to the
//!   extension, scaled for retries as the Conductor's plan asked (`reduce_on_retry`).
//! - The values of the node's predecessors are its input artifacts: each input the manifest
//!   declares takes the value of the predecessor of the same name, else the next one in
//!   order, with the declared media type; values left over go by their node's id.
//! - Its output artifacts are written to the attempt's output directory (so that they are
//!   published with the run and stored in the Artifact Store), and the node's value is the
//!   single output (parsed as JSON when it is JSON) or an object of all of them by name.
//! - The hosts are a Pool Manager resource ([`ExtensionHosts`] in a `pit::pool::Pool`): one
//!   host process per extension, warmed on first use (or ahead of time: [`ExtensionPool`]
//!   prewarms every extension a workflow about to run names, in topological order) and
//!   reused by every node that names it; calls to one extension queue, calls to different ones
//!   run in parallel; the pool's memory budget (each host counted at its manifest's memory
//!   limit) cools the least recently used. The DAG Tracker owns
//!   retries: a call is one attempt, and a crashed guest is restarted by the next one. What
//!   is retryable: crashes and limits of time and memory; with `reduce_on_retry`, also the
//!   extension's own refusals, since the next attempt asks for less.
//! - When the executor abandons an attempt (timeout, cancel, skip), the call is cancelled.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use conductor::plan::{REDUCE_PARAM, params_for_attempt};
use extensions::ExtensionError;
use extensions::manifest::file::ArtifactSpec;
use extensions::protocol::{Artifact, InvokeParams, InvokeResult};
use extensions::registry::Registry;
use extensions::supervisor::{CancelToken, ExtensionHost, retryable};
use pit::dag::{NodeId, RunnerName, Workflow};
use pit::exec::{
    NodeContext, NodeOutput, NodeRunner, RunError, RunFuture, RunnerRegistry, append_log,
};
use pit::pool::{BoxFuture, Pool, PoolPolicy, Prewarm, Resource};
use serde_json::{Map, Value};

/// How long a host has to answer its first ping when it is warmed.
const WARM_PING: Duration = Duration::from_secs(30);

/// Arguments that start the host from this binary: `symphony ext-host -- …` (the `--` keeps
/// clap away from the host's own options).
pub const HOST_PREFIX: [&str; 2] = ["ext-host", "--"];

/// How a host process is started: this binary's `ext-host` subcommand, usually.
#[derive(Debug, Clone)]
pub struct HostLauncher {
    /// The program.
    pub program: PathBuf,
    /// Its arguments before the host's own.
    pub prefix: Vec<String>,
    /// The project directory extensions may be granted.
    pub project: Option<PathBuf>,
}

impl HostLauncher {
    /// This program's `ext-host`, the current directory as the project.
    pub fn this_program() -> Result<HostLauncher, ExtensionError> {
        let program = std::env::current_exe()
            .map_err(|e| ExtensionError::io("finding the symphony executable", e))?;
        Ok(HostLauncher {
            program,
            prefix: HOST_PREFIX.iter().map(|s| (*s).to_owned()).collect(),
            project: std::env::current_dir().ok(),
        })
    }
}

/// A warm extension host, shared by the nodes that call it (one call at a time).
pub type WarmHost = Arc<Mutex<ExtensionHost>>;

/// The Pool Manager resource: an installed extension's supervised host, keyed by its id.
#[derive(Debug)]
pub struct ExtensionHosts {
    registry: Registry,
    launcher: HostLauncher,
}

impl ExtensionHosts {
    /// Hosts of the extensions in `registry`, started with `launcher`.
    pub fn new(registry: Registry, launcher: HostLauncher) -> ExtensionHosts {
        ExtensionHosts { registry, launcher }
    }
}

impl Resource for ExtensionHosts {
    type Key = RunnerName;
    type Value = WarmHost;

    /// Starts the host process (a wasm host loads its module) and waits for its first ping.
    fn warm(&self, key: &RunnerName) -> BoxFuture<'_, Result<WarmHost, String>> {
        let (registry, launcher) = (self.registry.clone(), self.launcher.clone());
        let id = key.as_str().to_owned();
        Box::pin(async move {
            let warmed = tokio::task::spawn_blocking(move || {
                let mut host =
                    registry.host(&id, launcher.program, launcher.prefix, launcher.project)?;
                host.ping(WARM_PING)?;
                Ok::<_, ExtensionError>(host)
            })
            .await
            .map_err(|e| format!("warming panicked: {e}"))?;
            warmed
                .map(|host| Arc::new(Mutex::new(host)))
                .map_err(|e| e.to_string())
        })
    }

    /// Its manifest's memory limit: what it may come to hold.
    fn size(&self, host: &WarmHost) -> u64 {
        host.lock()
            .unwrap_or_else(|e| e.into_inner())
            .manifest()
            .limits
            .memory_bytes()
    }

    fn check<'a>(
        &'a self,
        _key: &'a RunnerName,
        host: &'a WarmHost,
    ) -> BoxFuture<'a, Result<(), String>> {
        let host = host.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                let mut host = host.lock().unwrap_or_else(|e| e.into_inner());
                host.ping(Duration::from_secs(5))
                    .map(drop)
                    .map_err(|e| e.to_string())
            })
            .await
            .map_err(|e| format!("the health check panicked: {e}"))?
        })
    }

    /// Stops the host now when no call holds it; otherwise the call in flight keeps it, and
    /// it stops when the last node lets go of it.
    fn cool<'a>(&'a self, _key: &'a RunnerName, host: &'a WarmHost) -> BoxFuture<'a, ()> {
        if let Ok(mut host) = host.try_lock() {
            host.stop();
        }
        Box::pin(async {})
    }
}

/// The pool of extension hosts a run's extension runners share.
#[derive(Debug, Clone)]
pub struct ExtensionPool {
    pool: Arc<Pool<ExtensionHosts>>,
    ids: Arc<HashSet<RunnerName>>,
}

impl ExtensionPool {
    /// An empty pool of the extensions in `registry`, `ids` being those installed.
    pub fn new(registry: Registry, launcher: HostLauncher, ids: HashSet<RunnerName>) -> Self {
        ExtensionPool {
            pool: Pool::new(
                ExtensionHosts::new(registry, launcher),
                PoolPolicy::default(),
            ),
            ids: Arc::new(ids),
        }
    }

    /// How many extensions it serves.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether it serves none.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The pool itself.
    pub fn pool(&self) -> &Arc<Pool<ExtensionHosts>> {
        &self.pool
    }
}

impl Prewarm for ExtensionPool {
    /// Every installed extension a node of `wf` runs (whatever the node's kind), in
    /// topological order, each once.
    fn prewarm_for(&self, wf: &Workflow) -> usize {
        let mut seen = HashSet::new();
        let keys: Vec<RunnerName> = wf
            .topological_order()
            .iter()
            .filter_map(|&n| wf.settings(n).runner.clone())
            .filter(|r| self.ids.contains(r) && seen.insert(r.clone()))
            .collect();
        let count = keys.len();
        if count == 0 || tokio::runtime::Handle::try_current().is_err() {
            return 0;
        }
        drop(self.pool.prewarm(keys));
        count
    }

    fn entry_states(&self) -> Vec<(String, &'static str)> {
        self.pool.entry_states()
    }

    fn usage(&self) -> pit::pool::PoolUse {
        self.pool.usage()
    }
}

/// One installed extension, as a runner.
#[derive(Debug)]
pub struct ExtensionRunner {
    key: RunnerName,
    inputs: Vec<ArtifactSpec>,
    hosts: ExtensionPool,
}

/// The built-in runners and every extension installed in `registry` (under its id, sharing
/// one pool of warm hosts started by `launcher`), with that pool or why no extension could be
/// registered: what a workflow runs with.
pub fn workflow_runners_with(
    registry: &Registry,
    time_scale: f64,
    launcher: &HostLauncher,
) -> (RunnerRegistry, Result<ExtensionPool, ExtensionError>) {
    let mut runners = RunnerRegistry::with_builtins(time_scale);
    let registered = register_extension_pool(&mut runners, registry, launcher);
    (runners, registered)
}

/// Registers every extension installed in `registry` under its id; returns how many.
pub fn register_extensions(
    runners: &mut RunnerRegistry,
    registry: &Registry,
    launcher: &HostLauncher,
) -> Result<usize, ExtensionError> {
    register_extension_pool(runners, registry, launcher).map(|pool| pool.len())
}

/// Registers every extension installed in `registry` under its id, all sharing one pool of
/// warm hosts; returns the pool (to prewarm a workflow's extensions with).
pub fn register_extension_pool(
    runners: &mut RunnerRegistry,
    registry: &Registry,
    launcher: &HostLauncher,
) -> Result<ExtensionPool, ExtensionError> {
    let installed = registry.list()?;
    let ids = installed
        .iter()
        .map(|e| RunnerName::new(e.manifest.id.as_str()))
        .collect();
    let pool = ExtensionPool::new(registry.clone(), launcher.clone(), ids);
    for extension in &installed {
        let key = RunnerName::new(extension.manifest.id.as_str());
        let runner = ExtensionRunner {
            key: key.clone(),
            inputs: extension.manifest.file.artifacts.inputs.clone(),
            hosts: pool.clone(),
        };
        runners.register(key.as_str(), runner);
    }
    Ok(pool)
}

impl NodeRunner for ExtensionRunner {
    fn run(&self, ctx: NodeContext) -> RunFuture {
        // With parameters to reduce, the extension's own refusals ("too large") are worth
        // another attempt too: the next one asks for less.
        let reducing = ctx.params().contains_key(REDUCE_PARAM);
        let mut params = params_for_attempt(ctx.params(), ctx.attempt());
        let method = match params.remove("method") {
            Some(Value::String(method)) => method,
            _ => {
                let message = format!(
                    "node `{}` runs extension `{}` but names no method: add \
                     `params.method = \"…\"`",
                    ctx.id(),
                    self.key
                );
                return Box::pin(async move { Err(RunError::fatal(message)) });
            }
        };
        let invoke = InvokeParams {
            method,
            inputs: input_artifacts(&self.inputs, ctx.inputs()),
            params: Value::Object(params),
            deadline_ms: ctx
                .settings()
                .timeout
                .map(|t| u64::try_from(t.as_millis()).unwrap_or(u64::MAX)),
        };
        let output_dir = ctx.output_dir().map(Path::to_owned);
        let log = ctx.log_path().map(Path::to_owned);
        let attempt = ctx.attempt();
        let (key, pool) = (self.key.clone(), self.hosts.pool.clone());
        let cancel = CancelToken::default();
        let guard = CancelOnDrop(Some(cancel.clone()));
        Box::pin(async move {
            // The warm host, cloned out of the pool's hit: the hit is a snapshot guard, not
            // something to hold across a call.
            let host: WarmHost = match pool.acquire(&key).await {
                Ok(hit) => (*hit).clone(),
                Err(e) => return Err(RunError::retryable(e.to_string())),
            };
            let call = tokio::task::spawn_blocking(move || {
                let mut host = host.lock().unwrap_or_else(|e| e.into_inner());
                let mut said = Vec::new();
                let result =
                    host.invoke_once(&invoke, &mut |p| said.push(progress_line(p)), &cancel);
                (result, said)
            });
            let (result, said) = call
                .await
                .map_err(|e| RunError::retryable(format!("the extension call panicked: {e}")))?;
            guard.disarm();
            if let Some(log) = log {
                let outcome = match &result {
                    Ok(r) => format!("completed, {} output(s)", r.outputs.len()),
                    Err(e) => e.to_string(),
                };
                let heading = format!("── attempt {attempt}: {outcome}");
                append_log(log, heading, said.join("\n").into_bytes()).await;
            }
            let result = result.map_err(|e| {
                let refused = matches!(e, ExtensionError::NotInstalled(_));
                if retryable(&e) || (reducing && !refused) {
                    RunError::retryable(e.to_string())
                } else {
                    RunError::fatal(e.to_string())
                }
            })?;
            if let Some(dir) = output_dir {
                write_outputs(&dir, &result).map_err(|e| {
                    RunError::retryable(format!(
                        "cannot write the extension's outputs to `{}`: {e}",
                        dir.display()
                    ))
                })?;
            }
            Ok(NodeOutput {
                value: node_value(result),
            })
        })
    }
}

/// A progress notification as a log line: `[ 40%] parsing`.
fn progress_line(p: &extensions::protocol::Progress) -> String {
    let percent = (p.fraction.clamp(0.0, 1.0) * 100.0).round();
    match &p.message {
        Some(message) => format!("[{percent:>3}%] {message}"),
        None => format!("[{percent:>3}%]"),
    }
}

/// Cancels the extension call when the attempt's future is dropped before it finished.
struct CancelOnDrop(Option<CancelToken>);

impl CancelOnDrop {
    /// The call finished: nothing to cancel.
    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(token) = &self.0 {
            token.cancel();
        }
    }
}

/// The predecessors' values as the extension's inputs: each declared input takes the value
/// of the predecessor named like it, else the next unclaimed one, with the declared media
/// type; values left over go under their node's id, text as text and the rest as JSON.
fn input_artifacts(declared: &[ArtifactSpec], values: &[(NodeId, Arc<Value>)]) -> Vec<Artifact> {
    let text = |value: &Value| match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    let mut claimed = vec![false; values.len()];
    let mut artifacts = Vec::with_capacity(values.len());
    for port in declared {
        let chosen = values
            .iter()
            .position(|(node, _)| node.as_str() == port.name)
            .filter(|&i| !claimed[i])
            .or_else(|| claimed.iter().position(|c| !c));
        if let Some(i) = chosen {
            claimed[i] = true;
            artifacts.push(Artifact {
                name: port.name.clone(),
                media_type: port.media_type.clone(),
                text: text(&values[i].1),
            });
        }
    }
    let left = values.iter().zip(&claimed).filter(|(_, c)| !**c);
    for ((node, value), _) in left {
        let media_type = if value.is_string() {
            "text/plain"
        } else {
            "application/json"
        };
        artifacts.push(Artifact {
            name: node.to_string(),
            media_type: media_type.to_owned(),
            text: text(value),
        });
    }
    artifacts
}

/// The node's value: its one output (JSON when it parses), or every output by name.
fn node_value(result: InvokeResult) -> Option<Value> {
    let parse = |text: String| serde_json::from_str(&text).unwrap_or(Value::String(text));
    let mut outputs = result.outputs;
    match outputs.len() {
        0 => None,
        1 => outputs.pop().map(|a| parse(a.text)),
        _ => Some(Value::Object(
            outputs
                .into_iter()
                .map(|a| (a.name, parse(a.text)))
                .collect::<Map<_, _>>(),
        )),
    }
}

/// Writes each output artifact to `dir` under its name (a safe file name; anything else is
/// replaced by `_`), so that the run publishes it and the Artifact Store keeps it.
fn write_outputs(dir: &Path, result: &InvokeResult) -> std::io::Result<()> {
    if result.outputs.is_empty() {
        return Ok(());
    }
    std::fs::create_dir_all(dir)?;
    for (i, output) in result.outputs.iter().enumerate() {
        let mut name: String = output
            .name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                    c
                } else {
                    '_'
                }
            })
            .take(100)
            .collect();
        if name.is_empty() || name.starts_with('.') {
            name = format!("output-{i}");
        }
        std::fs::write(dir.join(name), &output.text)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn port(name: &str, media_type: &str) -> ArtifactSpec {
        ArtifactSpec {
            name: name.to_owned(),
            media_type: media_type.to_owned(),
            required: true,
        }
    }

    #[test]
    fn declared_inputs_take_their_namesake_then_the_next_value_and_the_rest_go_by_node() {
        let values = vec![
            (NodeId::new("fetch"), Arc::new(json!("raw text"))),
            (NodeId::new("style"), Arc::new(json!({"tone": "dry"}))),
            (NodeId::new("extra"), Arc::new(json!(3))),
        ];
        let declared = [
            port("style", "application/json"),
            port("text", "text/plain"),
        ];
        let got = input_artifacts(&declared, &values);
        let summary: Vec<_> = got
            .iter()
            .map(|a| (a.name.as_str(), a.media_type.as_str(), a.text.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                ("style", "application/json", r#"{"tone":"dry"}"#),
                ("text", "text/plain", "raw text"),
                ("extra", "application/json", "3"),
            ]
        );
    }

    #[test]
    fn one_output_is_the_value_and_several_are_an_object() {
        let out = |name: &str, text: &str| Artifact {
            name: name.to_owned(),
            media_type: "text/plain".to_owned(),
            text: text.to_owned(),
        };
        let one = InvokeResult {
            outputs: vec![out("n", "[1,2]")],
        };
        assert_eq!(node_value(one), Some(json!([1, 2])));
        let two = InvokeResult {
            outputs: vec![out("a", "x"), out("b", "2")],
        };
        assert_eq!(node_value(two), Some(json!({"a": "x", "b": 2})));
        assert_eq!(node_value(InvokeResult { outputs: vec![] }), None);
    }
}
