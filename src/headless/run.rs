//! `symphony run FILE [--resume RUN_ID]`: runs a workflow in a journaled run directory, with
//! a progress line, JSON lines or plain messages, and Ctrl-C to cancel (resumably).

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use extensions::ExtensionError;
use pit::dag::{NodeIx, NodeKind, Workflow};
use pit::exec::{
    Event, EventKind, ExecOptions, Executor, NodeState, PoolProbe, RunControl, RunReport,
    RunnerRegistry, WorkflowState,
};
use pit::runs::{RunId, run_tag};
use tokio::sync::broadcast::error::RecvError;

use super::Exit;
use super::json_lines;
use super::progress::{Progress, clock};
use crate::adapters::extension_runner::workflow_runners_with;
use crate::adapters::run_prepare::{Prepared, Refusal, RefusalKind, json_or_text, prepare};
use crate::adapters::{ExtensionPool, HostLauncher, LocalPit};
use crate::cli::RunArgs;
use crate::paths::DataPaths;
use crate::ports::PitPort;

/// How often the progress line is redrawn.
const REDRAW: Duration = Duration::from_millis(100);

/// Runs `symphony run`.
pub(super) fn run(args: &RunArgs, paths: &DataPaths) -> Exit {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("symphony-run")
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("symphony: cannot start the async runtime: {e}");
            return Exit::CannotStart;
        }
    };
    let prepared = match prepare(args, paths) {
        Ok(prepared) => prepared,
        Err(Refusal(kind, message)) => {
            eprintln!("symphony: {message}");
            return match kind {
                RefusalKind::BadWorkflow => Exit::BadWorkflow,
                RefusalKind::CannotStart => Exit::CannotStart,
            };
        }
    };
    runtime.block_on(drive(args, paths, prepared))
}

/// How the run is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Output {
    Json,
    Bar,
    Plain,
}

async fn drive(args: &RunArgs, paths: &DataPaths, prepared: Prepared) -> Exit {
    let Prepared {
        wf,
        inputs,
        dir,
        checkpointing,
        time_scale,
        resumed,
        workers,
    } = prepared;
    let output = if args.json {
        Output::Json
    } else if std::io::stderr().is_terminal() {
        Output::Bar
    } else {
        Output::Plain
    };
    let (runners, pool) = runners(paths, time_scale, &wf);
    let options = ExecOptions {
        workers,
        // Room for every event of a large run, so that --json loses none.
        event_capacity: (wf.node_count() * 4).clamp(1 << 16, 1 << 22),
        inputs,
        pool,
        ..ExecOptions::default()
    };
    let incarnation = checkpointing.incarnation;
    let executor = Executor::new(runners, options);
    let file = args.file.display().to_string();
    let id = dir.id().to_string();
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    if output == Output::Json {
        let line = serde_json::json!({
            "event": "run", "run": id, "workflow": file, "nodes": wf.node_count(),
            "workers": workers, "incarnation": incarnation, "resumed": resumed,
            "dir": dir.path(),
        });
        let _ = writeln!(stdout, "{line}");
    } else if resumed > 0 || incarnation > 1 {
        eprintln!(
            "resuming run {id} of {file}: {resumed} of {} nodes completed before; {workers} workers",
            wf.node_count()
        );
    } else {
        eprintln!(
            "run {id} of {file}: {} nodes, {workers} workers",
            wf.node_count()
        );
    }
    let (handle, mut events) = executor.start_journaled(wf.clone(), checkpointing);
    let control = handle.control();

    let wait = handle.wait();
    tokio::pin!(wait);
    let started = Instant::now();
    let mut progress = Progress::new(wf.node_count());
    let mut tick = tokio::time::interval(REDRAW);
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut cancelled = false;
    let mut bar_shown = false;
    let report = loop {
        tokio::select! {
            biased;
            result = &mut wait => break result,
            _ = &mut ctrl_c, if !cancelled => {
                cancelled = true;
                let _ = control.cancel();
            }
            received = events.recv() => match received {
                Ok(event) => {
                    show(&wf, &event, output, &mut progress, &mut stdout, &mut bar_shown);
                    if is_waiting_for_input(&event) && !cancelled {
                        if bar_shown {
                            eprint!("\r\x1b[2K");
                            bar_shown = false;
                        }
                        if !ask_for_inputs(&wf, &progress, &control, output).await {
                            cancelled = true;
                            let _ = control.cancel();
                        }
                    }
                }
                Err(RecvError::Lagged(missed)) if output == Output::Json => {
                    let _ = writeln!(stdout, "{}", json_lines::lagged(missed));
                }
                Err(_) => {}
            },
            _ = tick.tick() => {
                if output == Output::Bar {
                    draw_bar(&progress, started.elapsed(), &mut bar_shown);
                }
                let _ = stdout.flush();
            }
        }
    };
    while let Ok(event) = events.try_recv() {
        show(
            &wf,
            &event,
            output,
            &mut progress,
            &mut stdout,
            &mut bar_shown,
        );
    }
    if bar_shown {
        eprint!("\r\x1b[2K");
    }
    let report = match report {
        Ok(report) => report,
        Err(error) => {
            let _ = stdout.flush();
            eprintln!("symphony: {error}");
            return Exit::RunFailed;
        }
    };
    progress.finish(&report.nodes);
    let stored = store_outputs(paths, dir.id(), &wf, workers);
    let exit = match report.state {
        WorkflowState::Completed => Exit::Success,
        WorkflowState::Cancelled => Exit::Stopped,
        _ => Exit::RunFailed,
    };
    if output == Output::Json {
        let line = serde_json::json!({
            "event": "end", "run": id, "state": report.state.name(), "reason": report.reason,
            "completed": progress.count(NodeState::Completed),
            "failed": progress.count(NodeState::Failed),
            "skipped": progress.count(NodeState::Skipped),
            "elapsed_ms": (report.elapsed.as_secs_f64() * 1e6).round() / 1e3,
            "artifacts": stored,
            "exit": exit.number(),
        });
        let _ = writeln!(stdout, "{line}");
    } else {
        eprintln!("{}", summary(&id, &file, &report, &progress));
    }
    let _ = stdout.flush();
    exit
}

/// The built-in runners, and every installed extension under its id (an extension that
/// cannot be listed is said, and the run goes on without extensions); the hosts of the
/// extensions `wf` names start warming now, in the pool returned (whose use the run journals).
fn runners(
    paths: &DataPaths,
    time_scale: f64,
    wf: &Workflow,
) -> (RunnerRegistry, Option<PoolProbe>) {
    let (runners, registered) = workflow_runners(paths, time_scale);
    match registered {
        Ok(pool) => {
            pit::pool::Prewarm::prewarm_for(&pool, wf);
            (runners, Some(PoolProbe(Arc::new(pool))))
        }
        Err(error) => {
            eprintln!("symphony: extensions are not available to this run: {error}");
            (runners, None)
        }
    }
}

/// The built-in runners and every installed extension's (registered under its id, sharing
/// one pool of warm hosts, started by this program), with that pool or why no extension
/// could be registered.
fn workflow_runners(
    paths: &DataPaths,
    time_scale: f64,
) -> (RunnerRegistry, Result<ExtensionPool, ExtensionError>) {
    match HostLauncher::this_program() {
        Ok(launcher) => workflow_runners_with(&paths.extensions(), time_scale, &launcher),
        Err(e) => (RunnerRegistry::with_builtins(time_scale), Err(e)),
    }
}

/// Puts the outputs the run published into the Artifact Store, with their lineage; returns
/// how many files it stored. A store another process holds (or any other failure) is said
/// and leaves the outputs in the run's directory: the run's result does not depend on it,
/// and the next run or resume stores them.
fn store_outputs(paths: &DataPaths, run: &RunId, wf: &Workflow, workers: usize) -> usize {
    let pit = LocalPit::new(paths.clone(), workers as u64);
    match pit.ingest_run(run, wf) {
        Ok(stored) => {
            if !stored.is_empty() {
                eprintln!(
                    "{} output files stored as artifacts (`symphony artifact ls --tag {}`)",
                    stored.len(),
                    run_tag(run.as_str())
                );
            }
            stored.len()
        }
        Err(error) => {
            eprintln!(
                "symphony: the outputs stay in `{}` only: {error}",
                paths.runs().join(run.as_str()).join("outputs").display()
            );
            0
        }
    }
}

fn is_waiting_for_input(event: &Event) -> bool {
    matches!(
        event.kind,
        EventKind::Workflow {
            state: WorkflowState::WaitingForInput,
            ..
        }
    )
}

/// Asks for the value of every input node that waits, on a terminal; elsewhere says how to
/// give them. False when the run cannot go on.
async fn ask_for_inputs(
    wf: &Arc<Workflow>,
    progress: &Progress,
    control: &RunControl,
    output: Output,
) -> bool {
    let waiting: Vec<NodeIx> = wf
        .nodes()
        .filter(|&n| wf.kind(n) == NodeKind::Input && progress.state(n) == NodeState::Queued)
        .collect();
    if waiting.is_empty() {
        return true; // the value arrived meanwhile
    }
    let interactive = output != Output::Json && std::io::stdin().is_terminal();
    if !interactive {
        let flags: Vec<String> = waiting
            .iter()
            .map(|&n| format!("--input {}=VALUE", wf.id(n)))
            .collect();
        eprintln!(
            "symphony: the run waits for input; give it with {} (the run stops now; resume \
             it with the values)",
            flags.join(" ")
        );
        return false;
    }
    for node in waiting {
        let prompt = format!("value for input `{}` (JSON or text): ", wf.id(node));
        let line = tokio::task::spawn_blocking(move || {
            eprint!("{prompt}");
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).map(|n| (n, line))
        })
        .await;
        match line {
            Ok(Ok((n, line))) if n > 0 => {
                let _ = control.provide(node, json_or_text(line.trim_end_matches(['\r', '\n'])));
            }
            _ => return false,
        }
    }
    true
}

/// Shows one event: a JSON line, or (for failures) a line above the progress bar.
fn show(
    wf: &Workflow,
    event: &Event,
    output: Output,
    progress: &mut Progress,
    stdout: &mut impl Write,
    bar_shown: &mut bool,
) {
    if output == Output::Json {
        let _ = writeln!(stdout, "{}", json_lines::event(wf, event));
    }
    let EventKind::Node(node) = &event.kind else {
        return;
    };
    progress.apply(node);
    let cancelled = node
        .error
        .as_ref()
        .is_some_and(|e| e.message == "cancelled");
    if output == Output::Json || node.state != NodeState::Failed || cancelled {
        return;
    }
    if *bar_shown {
        eprint!("\r\x1b[2K");
        *bar_shown = false;
    }
    let id = wf.id(node.node);
    let error = node.error.as_ref().map_or("", |e| e.message.as_str());
    let error = error
        .strip_prefix(&format!("node `{id}`: "))
        .unwrap_or(error);
    eprintln!("failed: {id}: {error}");
}

fn draw_bar(progress: &Progress, elapsed: Duration, bar_shown: &mut bool) {
    let width = crossterm::terminal::size().map_or(80, |(w, _)| w as usize);
    eprint!(
        "\r\x1b[2K{}",
        progress.line(elapsed, width.saturating_sub(1))
    );
    let _ = std::io::stderr().flush();
    *bar_shown = true;
}

/// The last line of a run.
fn summary(id: &str, file: &str, report: &RunReport, progress: &Progress) -> String {
    let counts = format!(
        "{} completed, {} failed, {} skipped of {} nodes in {}",
        progress.count(NodeState::Completed),
        progress.count(NodeState::Failed),
        progress.count(NodeState::Skipped),
        progress.total(),
        clock(report.elapsed),
    );
    let resume = format!("symphony run {file} --resume {id}");
    let reason = report
        .reason
        .as_deref()
        .filter(|r| *r != "cancelled")
        .map(|r| format!(" ({r})"))
        .unwrap_or_default();
    match report.state {
        WorkflowState::Completed => format!("run {id} completed: {counts}"),
        WorkflowState::Cancelled => {
            format!("run {id} cancelled{reason}: {counts}; continue it with `{resume}`")
        }
        _ => format!(
            "run {id} failed{reason}: {counts}; fix the cause and run the failed nodes again \
             with `{resume}`"
        ),
    }
}
