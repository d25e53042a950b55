//! Getting a journaled run ready in `DATA_DIR/runs` (for `symphony run` and the Conductor):
//! validate the workflow first, then create its run directory (or lock and read the one being
//! resumed), check that a resumed workflow did not change, and republish the outputs of the
//! nodes done before.

use std::sync::Arc;

use pit::PitError;
use pit::dag::{LoadOptions, NodeIx, NodeKind, Workflow, load_file};
use pit::exec::{Checkpointing, ExecOptions, restore};
use pit::journal::{Checkpoint, JournalWriter, Record, RunRecord, Tail};
use pit::runs::{RunDir, RunStore, now_ms};
use serde_json::Value;

use crate::cli::RunArgs;
use crate::paths::DataPaths;

/// A run ready to start.
pub(crate) struct Prepared {
    pub(crate) wf: Arc<Workflow>,
    pub(crate) inputs: Vec<(NodeIx, Value)>,
    pub(crate) dir: RunDir,
    pub(crate) checkpointing: Checkpointing,
    pub(crate) time_scale: f64,
    pub(crate) resumed: usize,
    /// `--workers`, or the executor's default (the core count).
    pub(crate) workers: usize,
}

/// What kept a run from starting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefusalKind {
    /// The workflow file cannot be read or is not valid (or an input does not fit it).
    BadWorkflow,
    /// The run cannot start or resume (locked, unknown, changed, unwritable).
    CannotStart,
}

/// Why a run could not start, and what kind of reason it is.
pub(crate) struct Refusal(pub(crate) RefusalKind, pub(crate) String);

impl From<PitError> for Refusal {
    fn from(error: PitError) -> Self {
        Refusal(RefusalKind::BadWorkflow, error.to_string())
    }
}

pub(crate) fn prepare(args: &RunArgs, paths: &DataPaths) -> Result<Prepared, Refusal> {
    let store = RunStore::new(paths.runs());
    let cannot = |e: &dyn std::fmt::Display| Refusal(RefusalKind::CannotStart, e.to_string());
    let resumed = match &args.resume {
        None => None,
        Some(id) => Some(store.open(id).map_err(|e| cannot(&e))?),
    };
    let checkpoint = resumed
        .as_ref()
        .map_or_else(Checkpoint::default, |(_, contents)| {
            Checkpoint::from_records(contents.records.iter().cloned())
        });
    let time_scale = args
        .time_scale
        .or(checkpoint.run.as_ref().map(|r| r.time_scale))
        .unwrap_or(1.0);
    if !time_scale.is_finite() || time_scale < 0.0 {
        return Err(PitError::BadTimeScale { scale: time_scale }.into());
    }
    // Sleeps are scaled by the runner, so the workflow (and its digest) is the recorded one.
    let (_, file) = load_file(&args.file, &LoadOptions { time_scale: 1.0 })?;
    let origin = args.file.display().to_string();
    let wf = Workflow::build(&file).map_err(|report| PitError::Invalid {
        origin: origin.clone(),
        report,
    })?;
    let inputs = parse_inputs(&args.inputs, &wf)?;
    let digest = file.digest();
    if let Some(before) = &checkpoint.run
        && before.digest != digest
    {
        return Err(Refusal(
            RefusalKind::CannotStart,
            format!(
                "`{origin}` is not the workflow run `{}` started with (`{}`): it changed \
                 since; resume with the same workflow, or start a new run without --resume",
                args.resume.as_deref().unwrap_or_default(),
                before.workflow
            ),
        ));
    }
    // Only a valid workflow gets a run directory.
    let (dir, writer, tail) = match resumed {
        None => {
            let (dir, writer) = store.create().map_err(|e| cannot(&e))?;
            (dir, writer, Tail::Clean)
        }
        Some((dir, contents)) => {
            let writer = JournalWriter::reopen(&dir.journal_path(), contents.valid_len)
                .map_err(|e| cannot(&e))?;
            (dir, writer, contents.tail)
        }
    };
    if matches!(tail, Tail::Torn { .. } | Tail::Corrupt { .. }) {
        eprintln!(
            "symphony: the journal of run `{}` ended in a record cut short by the crash; \
             it was dropped (that node runs again)",
            dir.id()
        );
    }
    let (done, problems) = restore(&wf, &dir, checkpoint.completed.into_values());
    for problem in problems {
        eprintln!("symphony: {problem}");
    }
    let incarnation = checkpoint.run.as_ref().map_or(1, |r| r.incarnation + 1);
    let workers = args
        .workers
        .map_or_else(|| ExecOptions::default().workers, |w| w as usize);
    let mut writer = writer;
    writer.write(Record::Run(RunRecord {
        run: dir.id().to_string(),
        incarnation,
        workflow: origin,
        name: wf.name().map(str::to_owned),
        digest,
        nodes: wf.node_count() as u32,
        workers: workers as u32,
        time_scale,
        at_ms: now_ms(),
    }));
    let resumed = done.len();
    let checkpointing = Checkpointing {
        writer,
        dir: dir.path().to_owned(),
        run_id: Arc::from(dir.id().as_str()),
        incarnation,
        done,
    };
    Ok(Prepared {
        wf: Arc::new(wf),
        inputs,
        dir,
        checkpointing,
        time_scale,
        resumed,
        workers,
    })
}

/// `--input ID=VALUE`s, checked against the workflow's input nodes.
fn parse_inputs(given: &[String], wf: &Workflow) -> Result<Vec<(NodeIx, Value)>, Refusal> {
    let bad = |message: String| Refusal(RefusalKind::BadWorkflow, message);
    given
        .iter()
        .map(|arg| {
            let Some((id, text)) = arg.split_once('=') else {
                return Err(bad(format!("--input `{arg}`: write it as ID=VALUE")));
            };
            let node = wf
                .lookup(id)
                .ok_or_else(|| bad(format!("--input `{arg}`: the workflow has no node `{id}`")))?;
            if wf.kind(node) != NodeKind::Input {
                return Err(bad(format!(
                    "--input `{arg}`: node `{id}` is a {} node, not an input",
                    wf.kind(node)
                )));
            }
            Ok((node, json_or_text(text)))
        })
        .collect()
}

/// A value typed by a person: JSON when it parses, else the text itself.
pub(crate) fn json_or_text(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
}
