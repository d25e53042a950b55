//! `symphony ask "…"`: plan with the Conductor, show the plan, run it once confirmed (or
//! at once with `--yes`), print the results.

use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use serde_json::json;

use super::Exit;
use super::ofb_session::OfbSession;
use crate::adapters::LocalConductor;
use crate::adapters::conductor::RecordSlot;
use crate::cli::{AskArgs, PlannerArg};
use crate::paths::DataPaths;
use crate::ports::conductor::{
    Attachment, CancelFlag, ConductorError, ConductorEvent, ConductorPort, Output, PlanRequest,
    PlannerChoice, Proposal, RunReport, StepId, StepState,
};

pub(super) fn run(args: &AskArgs, paths: &DataPaths) -> Exit {
    let record = RecordSlot::connecting();
    let conductor = match LocalConductor::configured(paths.clone()) {
        Ok(conductor) => conductor.recording_into(record.clone()),
        Err(error) => {
            eprintln!("symphony: {error}");
            return Exit::CannotStart;
        }
    };
    let attachments = match attachments(args.input.as_deref()) {
        Ok(attachments) => attachments,
        Err(message) => {
            eprintln!("symphony: {message}");
            return Exit::CannotStart;
        }
    };
    let request = PlanRequest {
        intent: args.intent.clone(),
        attachments,
        planner: choice(args.planner),
    };
    let cancel = CancelFlag::new();
    let on_ctrl_c = cancel.clone();
    let _ = ctrlc_hook(move || on_ctrl_c.cancel());
    let mut streamed = false;
    let proposal = conductor.plan(
        &request,
        &mut |event| {
            if let ConductorEvent::Token(token) = event
                && !args.json
            {
                streamed = true;
                eprint!("{token}");
            }
        },
        &cancel,
    );
    if streamed {
        eprintln!();
    }
    let proposal = match proposal {
        Ok(proposal) => proposal,
        Err(error) => return refused(&error, args.json),
    };
    if !args.json {
        eprintln!("{}", describe(&proposal));
    }
    let confirmed = args.yes || (!args.dry_run && !args.json && confirm());
    if !confirmed {
        if args.json {
            println!("{}", json!({ "plan": plan_json(&proposal), "ran": false }));
        } else if !args.dry_run {
            eprintln!("not run (confirm at the prompt, or pass --yes)");
        }
        return Exit::Success;
    }
    // The workflow and its run are recorded in OFB (or queued for it).
    let _ofb = OfbSession::start(paths, &record);
    let mut started = None;
    let report = conductor.run(
        &proposal,
        &mut |event| {
            if let ConductorEvent::Started { run_id, workflow } = &event {
                started = Some((run_id.clone(), workflow.clone()));
            }
            if !args.json {
                show_step(&event);
            }
        },
        &cancel,
    );
    match report {
        Ok(report) => {
            if args.json {
                println!("{}", report_json(&proposal, &report));
            } else {
                print_report(&proposal, &report);
            }
            if report.succeeded {
                Exit::Success
            } else {
                Exit::RunFailed
            }
        }
        Err(ConductorError::Cancelled) => {
            match started {
                Some((run_id, workflow)) => eprintln!(
                    "symphony: cancelled; resume it with `symphony run {} --resume {run_id}`",
                    workflow.display()
                ),
                None => eprintln!("symphony: cancelled before the run started"),
            }
            Exit::Stopped
        }
        Err(error) => {
            eprintln!("symphony: {error}");
            Exit::RunFailed
        }
    }
}

fn choice(planner: PlannerArg) -> PlannerChoice {
    match planner {
        PlannerArg::Auto => PlannerChoice::Auto,
        PlannerArg::Offline => PlannerChoice::Offline,
        PlannerArg::Llm => PlannerChoice::Llm,
    }
}

/// Raises the flag on Ctrl-C instead of killing the process, so that a run stops resumably.
fn ctrlc_hook(on_interrupt: impl Fn() + Send + 'static) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    std::thread::Builder::new()
        .name("ask-ctrl-c".to_owned())
        .spawn(move || {
            runtime.block_on(async {
                if tokio::signal::ctrl_c().await.is_ok() {
                    on_interrupt();
                }
            });
        })?;
    Ok(())
}

/// The text to work on: `--input FILE` (`-` for standard input), else standard input when
/// it is piped.
fn attachments(input: Option<&Path>) -> Result<Vec<Attachment>, String> {
    let read_stdin = || {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        Ok::<_, String>(text)
    };
    let (label, text) = match input {
        Some(path) if path == Path::new("-") => ("standard input".to_owned(), read_stdin()?),
        Some(path) => (
            path.display().to_string(),
            std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read --input `{}`: {e}", path.display()))?,
        ),
        None if !std::io::stdin().is_terminal() => ("standard input".to_owned(), read_stdin()?),
        None => return Ok(Vec::new()),
    };
    Ok(vec![Attachment::Text { label, text }])
}

fn refused(error: &ConductorError, json: bool) -> Exit {
    if json {
        println!("{}", json!({ "error": error.to_string() }));
    } else {
        eprintln!("symphony: {error}");
    }
    match error {
        ConductorError::Cancelled => Exit::Stopped,
        _ => Exit::BadWorkflow,
    }
}

/// The plan as people read it: numbered steps with capability, extension, importance and
/// what each waits for, then why.
pub(crate) fn describe(proposal: &Proposal) -> String {
    let mut out = format!(
        "Plan for “{}” ({}):\n",
        proposal.plan.intent, proposal.planner
    );
    if let Some(input) = &proposal.plan.input {
        out.push_str(&format!("  reads: {input}\n"));
    }
    for (i, step) in proposal.plan.steps.iter().enumerate() {
        let provider = proposal
            .providers
            .iter()
            .find(|(s, _)| s == &step.id)
            .map_or("?", |(_, p)| p.as_str());
        let after = if step.after.is_empty() {
            String::new()
        } else {
            let names: Vec<&str> = step.after.iter().map(|a| a.as_str()).collect();
            format!(", after {}", names.join(", "))
        };
        let importance = format!("{:?}", step.importance).to_lowercase();
        out.push_str(&format!(
            "  {}. {:<12} {} via {} [{importance}{after}]\n",
            i + 1,
            step.id.as_str(),
            step.capability,
            provider
        ));
    }
    if !proposal.explanation.trim().is_empty() {
        out.push_str(proposal.explanation.trim_end());
    }
    out
}

fn confirm() -> bool {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return false;
    }
    eprint!("Run it? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).is_ok()
        && matches!(line.trim().to_lowercase().as_str(), "y" | "yes")
}

fn show_step(event: &ConductorEvent) {
    let ConductorEvent::Step {
        step,
        state,
        attempt,
        elapsed,
        detail,
    } = event
    else {
        return;
    };
    let (symbol, word) = match state {
        StepState::Waiting => return,
        StepState::Running => ("▶", "running"),
        StepState::Done => ("✓", "done"),
        StepState::Failed => ("✗", "failed"),
        StepState::Skipped => ("↷", "skipped"),
        StepState::Cancelled => ("■", "cancelled"),
    };
    let attempt = if *attempt > 1 {
        format!(" (attempt {attempt})")
    } else {
        String::new()
    };
    let detail = detail
        .as_deref()
        .map(|d| format!(": {d}"))
        .unwrap_or_default();
    eprintln!(
        "{symbol} {step} {word}{attempt} {:.1}s{detail}",
        elapsed.as_secs_f64()
    );
}

/// The final steps' outputs in full, the others by path.
fn print_report(proposal: &Proposal, report: &RunReport) {
    let steps = &proposal.plan.steps;
    let is_final = |step: &StepId| !steps.iter().any(|s| s.after.contains(step));
    let mut stdout = std::io::stdout().lock();
    let mut outputs: Vec<&Output> = report.outputs.iter().collect();
    outputs.sort_by_key(|o| steps.iter().position(|s| s.id == o.step));
    for output in outputs.iter().filter(|o| !is_final(&o.step)) {
        eprintln!("{} wrote {}", output.step, output.path.display());
    }
    for output in outputs.iter().filter(|o| is_final(&o.step)) {
        let _ = writeln!(stdout, "── {} ({})", output.step, output.path.display());
        match &output.preview {
            Some(text) => {
                let _ = writeln!(stdout, "{}", text.trim_end());
            }
            None => {
                let _ = writeln!(stdout, "(binary)");
            }
        }
    }
    for recovery in &report.recoveries {
        eprintln!("recovered: {recovery}");
    }
    for (step, why) in &report.failures {
        eprintln!("failed: {step}: {why}");
    }
    eprintln!(
        "run {} {} in {:.1}s (`symphony runs`, `symphony artifact ls --tag run:{}`)",
        report.run_id,
        if report.succeeded {
            "completed"
        } else {
            "failed"
        },
        report.elapsed.as_secs_f64(),
        report.run_id
    );
    if let Some(recorded) = &report.recorded {
        eprintln!("{recorded}");
    }
}

fn plan_json(proposal: &Proposal) -> serde_json::Value {
    json!({
        "intent": proposal.plan.intent,
        "planner": proposal.planner,
        "input": proposal.plan.input,
        "steps": proposal.plan.steps,
        "providers": proposal.providers.iter().map(|(s, p)| json!({"step": s, "extension": p})).collect::<Vec<_>>(),
        "explanation": proposal.explanation,
    })
}

fn report_json(proposal: &Proposal, report: &RunReport) -> serde_json::Value {
    json!({
        "plan": plan_json(proposal),
        "ran": true,
        "run": report.run_id,
        "succeeded": report.succeeded,
        "elapsed_ms": report.elapsed.as_millis() as u64,
        "outputs": report.outputs.iter().map(|o| json!({
            "step": o.step, "name": o.name, "path": o.path, "text": o.preview,
        })).collect::<Vec<_>>(),
        "failures": report.failures.iter().map(|(s, why)| json!({"step": s, "error": why})).collect::<Vec<_>>(),
        "recoveries": report.recoveries,
        "recorded": report.recorded,
    })
}
