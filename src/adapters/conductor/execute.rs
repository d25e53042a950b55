//! Running a confirmed proposal: compile, write the workflow file, run it journaled like
//! `symphony run` does, turn the executor's events into step events, store the outputs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use conductor::plan::{Catalog, INPUT_NODE, RecoveryPolicy, StepId, compile, step_of_node};
use extensions::Authority;
use pit::dag::{NodeIx, Workflow};
use pit::exec::{Event, EventKind, ExecOptions, Executor, NodeState, PoolProbe, WorkflowState};
use serde_json::Value;
use tokio::sync::broadcast::error::RecvError;

use crate::adapters::HostLauncher;
use crate::adapters::LocalPit;
use crate::adapters::extension_runner::workflow_runners_with;
use crate::adapters::run_prepare::{Refusal, prepare};
use crate::cli::RunArgs;
use crate::data::requests::{NodeResult, NodeState as RecordedState, RunState};
use crate::paths::DataPaths;
use crate::ports::PitPort;
use crate::ports::conductor::{
    Attachment, CancelFlag, ConductorError, ConductorEvent, Output, Proposal, RunReport, StepState,
};
use crate::ports::run_record::RecordedStep;

use super::Recorder;

/// How often a run checks for a cancel.
const CANCEL_POLL: Duration = Duration::from_millis(50);
/// Most bytes of an output shown as its preview.
const PREVIEW_BYTES: usize = 4096;

/// Runs `proposal` to its end (or its cancel); see the module docs.
pub(super) fn run_proposal(
    paths: &DataPaths,
    launcher: &HostLauncher,
    catalog: &Catalog,
    proposal: &Proposal,
    record: Recorder,
    events: &mut dyn FnMut(ConductorEvent),
    cancel: &CancelFlag,
) -> Result<RunReport, ConductorError> {
    let file = compile(&proposal.plan, catalog, &RecoveryPolicy::default())
        .map_err(|e| ConductorError::Run(e.to_string()))?;
    let path = write_workflow(paths, &file)?;
    let args = RunArgs {
        file: path,
        workers: None,
        resume: proposal.resume.clone(),
        json: false,
        time_scale: None,
        inputs: Vec::new(),
    };
    let mut prepared =
        prepare(&args, paths).map_err(|Refusal(_, message)| ConductorError::Run(message))?;
    if let Some(node) = prepared.wf.lookup(INPUT_NODE) {
        let text = input_text(paths, &proposal.attachments)?;
        prepared.inputs.push((node, Value::String(text)));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name("conductor-run")
        .build()
        .map_err(|e| ConductorError::Run(format!("cannot start the async runtime: {e}")))?;
    let (runners, registered) =
        workflow_runners_with(&paths.extensions(), prepared.time_scale, launcher);
    let pool = match registered {
        Ok(pool) => {
            // Warming starts on the run's runtime (outside one it would not start at all).
            let _inside = runtime.enter();
            pit::pool::Prewarm::prewarm_for(&pool, &prepared.wf);
            PoolProbe(std::sync::Arc::new(pool))
        }
        Err(e) => {
            return Err(ConductorError::Run(format!(
                "the installed extensions cannot run: {e}"
            )));
        }
    };
    let wf = prepared.wf.clone();
    let run_id = prepared.dir.id().clone();
    events(ConductorEvent::Started {
        run_id: run_id.to_string(),
        workflow: args.file.clone(),
    });
    let options = ExecOptions {
        workers: prepared.workers,
        inputs: std::mem::take(&mut prepared.inputs),
        pool: Some(pool),
        ..ExecOptions::default()
    };
    let started = Instant::now();
    let mut tracker = Tracker::new(&wf);
    for step in &proposal.plan.steps {
        let mut providers = catalog.providers(&step.capability);
        if let (Some(first), Some(other)) = (providers.next(), providers.next()) {
            tracker.fallbacks.insert(
                step.id.clone(),
                (first.provider.to_string(), other.provider.to_string()),
            );
        }
    }
    // `None`: nothing records runs; `Err`: why this one is not recorded.
    let recording = match record {
        Recorder::Off => None,
        Recorder::Unavailable(reason) => Some(Err(reason)),
        Recorder::Ready(port) => {
            let name = wf.name().unwrap_or("conductor plan").to_owned();
            let started = recorded_steps(paths, &wf).and_then(|steps| port.started(&name, &steps));
            Some(started.map(|run| (port, run)))
        }
    };
    let report = runtime.block_on(async {
        let executor = Executor::new(runners, options);
        let (handle, mut stream) = executor.start_journaled(wf.clone(), prepared.checkpointing);
        let control = handle.control();
        let wait = handle.wait();
        tokio::pin!(wait);
        let mut poll = tokio::time::interval(CANCEL_POLL);
        let mut cancelled = false;
        loop {
            tokio::select! {
                biased;
                report = &mut wait => {
                    while let Ok(event) = stream.try_recv() {
                        tracker.see(&event, events);
                    }
                    break report;
                }
                received = stream.recv() => match received {
                    Ok(event) => tracker.see(&event, events),
                    Err(RecvError::Lagged(_) | RecvError::Closed) => {}
                },
                _ = poll.tick() => {
                    if cancel.is_cancelled() && !cancelled {
                        cancelled = true;
                        let _ = control.cancel();
                    }
                }
            }
        }
    });
    let report = report.map_err(|e| ConductorError::Run(e.to_string()))?;
    let pit = LocalPit::new(paths.clone(), prepared.workers as u64);
    let stored = pit.ingest_run(&run_id, &wf).map_err(|e| {
        ConductorError::Run(format!(
            "the run finished but its outputs stay in `{}` only: {e}",
            paths.runs().join(run_id.as_str()).display()
        ))
    })?;
    let outputs_dir = paths.runs().join(run_id.as_str()).join("outputs");
    let outputs = stored
        .iter()
        .filter_map(|meta| output_of(meta.name.as_deref()?, &outputs_dir))
        .collect();
    let recorded = recording.map(|started| match started {
        Ok((port, run)) => port.ended(run, run_state(report.state), node_results(&wf, &report)),
        Err(reason) => format!("not recorded in OFB: {reason}"),
    });
    if report.state == WorkflowState::Cancelled {
        return Err(ConductorError::Cancelled);
    }
    Ok(RunReport {
        run_id: run_id.to_string(),
        succeeded: report.state == WorkflowState::Completed,
        outputs,
        failures: tracker.failures,
        recoveries: tracker.recoveries,
        elapsed: started.elapsed(),
        recorded,
    })
}

/// The steps OFB checks: the nodes run by installed extensions (built-in runners are not
/// OFB's business). An extension granted locally is unknown to OFB, so such a run is not
/// recorded, and this says why.
fn recorded_steps(paths: &DataPaths, wf: &Workflow) -> Result<Vec<RecordedStep>, String> {
    let registry = paths.extensions();
    let mut steps = Vec::new();
    for node in wf.nodes() {
        let Some(runner) = &wf.settings(node).runner else {
            continue;
        };
        let Ok(installed) = registry.get(runner.as_str()) else {
            continue;
        };
        if registry
            .approval(&installed)
            .is_ok_and(|a| a.authority == Authority::Local)
        {
            return Err(format!(
                "extension `{runner}` was granted locally (--local-grant), so OFB does not know it"
            ));
        }
        steps.push(RecordedStep {
            name: wf.id(node).to_string(),
            command: runner.to_string(),
        });
    }
    Ok(steps)
}

fn run_state(state: WorkflowState) -> RunState {
    match state {
        WorkflowState::Completed => RunState::Completed,
        WorkflowState::Cancelled => RunState::Cancelled,
        _ => RunState::Failed,
    }
}

/// Each extension step's final state, for OFB.
fn node_results(wf: &Workflow, report: &pit::exec::RunReport) -> Vec<NodeResult> {
    wf.nodes()
        .filter(|&node| wf.settings(node).runner.is_some())
        .map(|node| NodeResult {
            name: wf.id(node).to_string(),
            state: match report.node(node) {
                NodeState::Pending => RecordedState::Pending,
                NodeState::Queued => RecordedState::Queued,
                NodeState::Running => RecordedState::Running,
                NodeState::Completed => RecordedState::Completed,
                NodeState::Failed => RecordedState::Failed,
                NodeState::Skipped => RecordedState::Skipped,
            },
            duration_ms: None,
            message: None,
        })
        .collect()
}

/// Writes the compiled workflow under `DATA_DIR/conductor/plans/`, so that the run can be
/// resumed and inspected like any other.
fn write_workflow(
    paths: &DataPaths,
    file: &pit::dag::WorkflowFile,
) -> Result<PathBuf, ConductorError> {
    let dir = paths.root.join("conductor").join("plans");
    std::fs::create_dir_all(&dir)
        .map_err(|e| ConductorError::Run(format!("cannot create `{}`: {e}", dir.display())))?;
    let text = toml::to_string(file)
        .map_err(|e| ConductorError::Run(format!("cannot write the workflow: {e}")))?;
    let name = file.name.clone().unwrap_or_else(|| "plan".to_owned());
    let ms = pit::runs::now_ms();
    let path = dir.join(format!("{ms}-{name}.toml"));
    std::fs::write(&path, text)
        .map_err(|e| ConductorError::Run(format!("cannot write `{}`: {e}", path.display())))?;
    Ok(path)
}

/// The text the plan reads: the attachments, one after the other.
fn input_text(paths: &DataPaths, attachments: &[Attachment]) -> Result<String, ConductorError> {
    let mut text = String::new();
    for attachment in attachments {
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        match attachment {
            Attachment::Text { text: t, .. } => text.push_str(t),
            Attachment::Artifact(id) => {
                let pit = LocalPit::new(paths.clone(), 1);
                let (_, bytes) = pit.get_artifact(id).map_err(|e| {
                    ConductorError::Run(format!("cannot read the attached artifact `{id}`: {e}"))
                })?;
                text.push_str(&String::from_utf8_lossy(&bytes));
            }
        }
    }
    Ok(text)
}

/// A stored output's step, file and preview, from its artifact name `WORKFLOW/NODE/PATH`.
fn output_of(name: &str, outputs_dir: &Path) -> Option<Output> {
    let mut parts = name.splitn(3, '/');
    let (_, node, file) = (parts.next()?, parts.next()?, parts.next()?);
    let (step, _) = step_of_node(node)?;
    let path = outputs_dir.join(node).join(file);
    let preview = std::fs::read(&path).ok().and_then(|bytes| {
        let cut = &bytes[..bytes.len().min(PREVIEW_BYTES)];
        match std::str::from_utf8(cut) {
            Ok(text) => Some(text.to_owned()),
            // Cut inside a character: keep the whole ones.
            Err(e) if e.error_len().is_none() => {
                Some(String::from_utf8_lossy(&cut[..e.valid_up_to()]).into_owned())
            }
            Err(_) => None,
        }
    });
    Some(Output {
        step,
        name: name.to_owned(),
        path,
        preview,
    })
}

/// A wait as people read it: `135 ms`, `1.1 s`.
fn short(wait: Duration) -> String {
    if wait < Duration::from_secs(1) {
        format!("{} ms", wait.as_millis())
    } else {
        format!("{:.1} s", wait.as_secs_f64())
    }
}

/// Turns node events into step events and remembers failures and recoveries.
struct Tracker {
    steps: HashMap<NodeIx, (StepId, bool)>,
    /// Per step with a fallback: the preferred extension and the one that stands in.
    fallbacks: HashMap<StepId, (String, String)>,
    started: HashMap<NodeIx, Instant>,
    failures: Vec<(StepId, String)>,
    recoveries: Vec<String>,
}

impl Tracker {
    fn new(wf: &Workflow) -> Tracker {
        let steps = wf
            .nodes()
            .filter_map(|n| Some((n, step_of_node(wf.id(n).as_str())?)))
            .collect();
        Tracker {
            steps,
            fallbacks: HashMap::new(),
            started: HashMap::new(),
            failures: Vec::new(),
            recoveries: Vec::new(),
        }
    }

    fn see(&mut self, event: &Event, events: &mut dyn FnMut(ConductorEvent)) {
        let EventKind::Node(node) = &event.kind else {
            return;
        };
        let Some((step, fallback)) = self.steps.get(&node.node).cloned() else {
            return; // plan.input, plan.start
        };
        let started = *self.started.entry(node.node).or_insert_with(Instant::now);
        let error = node.error.as_ref().map(|e| e.message.clone());
        let (state, detail) = match node.state {
            NodeState::Pending | NodeState::Queued if node.retry_in.is_some() => {
                let wait = short(node.retry_in.unwrap_or_default());
                let why = error.clone().unwrap_or_default();
                self.recoveries.push(format!(
                    "`{step}` attempt {} failed ({why}); retried after {wait}",
                    node.attempt
                ));
                (
                    StepState::Failed,
                    Some(format!("retrying in {wait}: {why}")),
                )
            }
            NodeState::Pending | NodeState::Queued => (StepState::Waiting, None),
            NodeState::Running if fallback => {
                let said = match self.fallbacks.get(&step) {
                    Some((first, other)) => format!("`{first}` gave up; `{other}` stands in"),
                    None => "another extension stands in".to_owned(),
                };
                self.recoveries.push(format!("`{step}` fell back: {said}"));
                (StepState::Running, Some(said))
            }
            NodeState::Running => (StepState::Running, None),
            NodeState::Completed => (
                StepState::Done,
                node.via.map(|_| "via its fallback".to_owned()),
            ),
            NodeState::Failed => {
                let why = error.clone().unwrap_or_else(|| "failed".to_owned());
                self.failures.push((step.clone(), why.clone()));
                (StepState::Failed, Some(why))
            }
            NodeState::Skipped => {
                if let Some(why) = &error {
                    self.recoveries
                        .push(format!("`{step}` is optional and was skipped: {why}"));
                }
                (StepState::Skipped, error)
            }
        };
        events(ConductorEvent::Step {
            step,
            state,
            attempt: node.attempt.max(1),
            elapsed: started.elapsed(),
            detail,
        });
    }
}
