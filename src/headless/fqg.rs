//! `symphony fqg train | eval | play`: the Function Quest Game from the command line.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;

use conductor::fqg::eval::{EvalConfig, EvalReport, EvalSplit, evaluate};
use conductor::fqg::generator::{Split, generate, parse_levels};
use conductor::fqg::metrics::Metrics;
use conductor::fqg::policy::{Policy, checked_in};
use conductor::fqg::train::{Progress, TrainConfig, train};
use conductor::fqg::{FqgError, load_puzzle};

use super::Exit;
use crate::cli::{FqgCommand, FqgSplit};

/// Runs `symphony fqg …`.
pub fn run(command: FqgCommand) -> Exit {
    let result = match command {
        FqgCommand::Train {
            levels,
            seed,
            out,
            max_iterations,
        } => train_command(&levels, seed, &out, max_iterations),
        FqgCommand::Eval {
            policy,
            split,
            levels,
            episodes,
            seed,
            json,
        } => eval_command(policy.as_deref(), split, &levels, episodes, seed, json),
        FqgCommand::Play {
            puzzle,
            level,
            seed,
        } => play_command(puzzle.as_deref(), level, seed),
    };
    match result {
        Ok(exit) => exit,
        Err(error) => {
            eprintln!("symphony fqg: {error}");
            match error {
                FqgError::PolicyFile { .. } | FqgError::Network(_) => Exit::CannotStart,
                _ => Exit::BadWorkflow,
            }
        }
    }
}

/// Draws the training progress bar on stderr (a line every 50 updates when not a terminal).
fn draw_progress(p: &Progress, terminal: bool) {
    if terminal {
        let width = 30;
        // Filled by levels passed: most levels take a few updates, far fewer than allowed.
        let (first, last) = p.curriculum;
        let done = (p.level - first) as usize;
        let filled = (done * width / (last - first + 1) as usize).min(width);
        eprint!(
            "\r[{}{}] level {:>2}  update {:>4}  batch success {:>5.1}% ",
            "#".repeat(filled),
            ".".repeat(width - filled),
            p.level,
            p.iteration,
            100.0 * p.batch_success
        );
        let _ = std::io::stderr().flush();
    } else if p.iteration.is_multiple_of(50) {
        eprintln!(
            "update {} level {} batch success {:.2}",
            p.iteration, p.level, p.batch_success
        );
    }
}

fn train_command(
    levels: &str,
    seed: u64,
    out: &Path,
    max_iterations: usize,
) -> Result<Exit, FqgError> {
    let config = TrainConfig {
        levels: parse_levels(levels)?,
        seed,
        max_iterations_per_level: max_iterations.max(1),
        ..TrainConfig::default()
    };
    let terminal = std::io::stderr().is_terminal();
    let started = std::time::Instant::now();
    let (policy, report) = train(&config, &mut |p| draw_progress(p, terminal))?;
    if terminal {
        eprintln!();
    }
    policy.save(out)?;
    for level in &report.levels {
        println!(
            "level {:>2}: {} after {:>2} updates (success {:.0}%, efficiency {:.2})",
            level.level,
            if level.passed { "passed" } else { "NOT passed" },
            level.iterations,
            100.0 * level.success,
            level.efficiency
        );
    }
    println!(
        "{} updates, {} episodes in {:.1} s; policy written to {}",
        report.iterations,
        report.episodes,
        started.elapsed().as_secs_f64(),
        out.display()
    );
    Ok(Exit::Success)
}

fn metrics_cells(m: &Metrics) -> String {
    format!(
        "{:>5.1}% {:>5.2} {:>5.2}",
        100.0 * m.completion,
        m.efficiency,
        m.calls_ratio
    )
}

/// The evaluation as a table, one row per level.
fn report_table(report: &EvalReport) -> String {
    let mut out = String::new();
    let names = ["policy", "random", "greedy", "relaxed-plan", "planner"];
    let mut header = format!("{:<7}", "level");
    for name in names {
        header.push_str(&format!(" {name:^19}"));
    }
    out.push_str(header.trim_end());
    out.push('\n');
    out.push_str(&format!(
        "{:<7} {}\n",
        "",
        "success  eff ratio  ".repeat(names.len()).trim_end()
    ));
    let rows = report
        .rows
        .iter()
        .map(|r| (r.level.map_or("all".to_owned(), |l| l.to_string()), r));
    for (label, row) in rows.chain(std::iter::once(("overall".to_owned(), &report.overall))) {
        let cells = [
            &row.policy,
            &row.random,
            &row.greedy,
            &row.relaxed_plan,
            &row.planner,
        ]
        .map(metrics_cells)
        .join("  ");
        out.push_str(&format!("{label:<7} {cells}\n"));
    }
    let o = &report.overall.policy;
    if let Some(recovery) = o.recovery {
        out.push_str(&format!(
            "policy recovery rate (episodes with a failed call that still won): {:.1}%\n",
            100.0 * recovery
        ));
    }
    out.push_str(&format!(
        "target (>=95% success at <=1.1x optimal calls): {}\n",
        if o.completion >= 0.95 && o.calls_ratio <= 1.1 {
            "met"
        } else {
            "NOT met"
        }
    ));
    out
}

/// Writes `text` to stdout; a closed pipe (`| head`) is not an error worth a panic.
fn print_out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}

fn eval_command(
    policy: Option<&Path>,
    split: FqgSplit,
    levels: &str,
    episodes: usize,
    seed: u64,
    json: bool,
) -> Result<Exit, FqgError> {
    let policy = match policy {
        Some(path) => Policy::load(path)?,
        None => checked_in()?,
    };
    let config = EvalConfig {
        split: match split {
            FqgSplit::Train => EvalSplit::Train,
            FqgSplit::Heldout => EvalSplit::Heldout,
            FqgSplit::Handwritten => EvalSplit::Handwritten,
        },
        levels: parse_levels(levels)?,
        episodes: episodes.max(1),
        seed,
    };
    let terminal = !json && std::io::stderr().is_terminal();
    let report = evaluate(&policy, &config, &mut |done, total| {
        if terminal {
            eprint!("\revaluating {done}/{total}");
        }
    })?;
    if terminal {
        eprintln!();
    }
    if json {
        match serde_json::to_string_pretty(&report) {
            Ok(text) => print_out(&format!("{text}\n")),
            Err(e) => eprintln!("symphony fqg: cannot write JSON: {e}"),
        }
    } else {
        print_out(&report_table(&report));
    }
    Ok(Exit::Success)
}

fn play_command(puzzle: Option<&Path>, level: u32, seed: u64) -> Result<Exit, FqgError> {
    let puzzle = match puzzle {
        Some(path) => load_puzzle(path)?,
        None => generate(level, seed, Split::Train)?,
    };
    match crate::ui::fqg_play::run(Arc::new(puzzle), seed) {
        Ok(outcome) => {
            println!("{outcome}");
            Ok(Exit::Success)
        }
        Err(error) => {
            eprintln!("symphony fqg play: the terminal failed: {error}");
            Ok(Exit::CannotStart)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checked_in_policy_meets_the_target_on_a_sample_of_heldout_levels() {
        let policy = checked_in().expect("the checked-in policy loads");
        let config = EvalConfig {
            split: EvalSplit::Heldout,
            levels: 15..=20,
            episodes: 8,
            seed: 3,
        };
        let report = evaluate(&policy, &config, &mut |_, _| {}).expect("evaluates");
        let o = &report.overall;
        assert!(
            o.policy.completion >= 0.95 && o.policy.calls_ratio <= 1.1,
            "{:?}",
            o.policy
        );
        assert!(
            o.policy.completion > o.greedy.completion && o.policy.completion > o.random.completion
        );
    }

    #[test]
    fn eval_and_train_report_bad_input_with_exit_codes() {
        let missing = run(FqgCommand::Eval {
            policy: Some("/nonexistent/p.safetensors".into()),
            split: FqgSplit::Heldout,
            levels: "1".to_owned(),
            episodes: 1,
            seed: 0,
            json: true,
        });
        assert_eq!(missing, Exit::CannotStart);
        let bad_levels = run(FqgCommand::Train {
            levels: "3-30".to_owned(),
            seed: 0,
            out: "/nonexistent/p.safetensors".into(),
            max_iterations: 1,
        });
        assert_eq!(bad_levels, Exit::BadWorkflow);
    }

    #[test]
    fn train_writes_a_policy_that_eval_reads() {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("p.safetensors");
        let trained = run(FqgCommand::Train {
            levels: "1-2".to_owned(),
            seed: 4,
            out: out.clone(),
            max_iterations: 2,
        });
        assert_eq!(trained, Exit::Success);
        let policy = Policy::load(&out).expect("the written policy loads");
        assert_eq!(
            policy.flat().expect("reads").len(),
            checked_in().expect("loads").flat().expect("reads").len()
        );
    }
}
