//! The headless commands: `symphony validate`, `symphony run` and `symphony runs`. They share
//! the Pit with the interface but draw no screen: a progress line on a terminal, JSON lines
//! with `--json`, plain lines otherwise.

mod artifact;
mod ask;
mod eval;
mod exit;
pub mod ext;
mod ext_approval;
mod fqg;
mod json_lines;
mod ofb_session;
mod outbox;
pub(crate) mod progress;
pub(crate) mod run;
mod runs_list;
mod runs_show;
mod validate;

use std::path::Path;
use std::process::ExitCode;

pub use exit::Exit;

use crate::cli::{Command, EvalCommand, ExtCommand, RunsArgs, RunsCommand};
use crate::paths::DataPaths;

/// Runs a headless command; returns the process's exit code (see [`Exit`]).
pub fn run(command: Command, data_dir: Option<&Path>) -> ExitCode {
    let exit = match command {
        Command::Validate(args) => validate::validate(&args),
        Command::Run(args) => with_paths(data_dir, |paths| run::run(&args, paths)),
        Command::Runs(RunsArgs {
            command: Some(RunsCommand::Show { run, json }),
            ..
        }) => with_paths(data_dir, |paths| runs_show::show(&run, json, paths)),
        Command::Runs(args) => with_paths(data_dir, |paths| runs_list::list(&args, paths)),
        Command::Artifact(command) => with_paths(data_dir, |paths| artifact::run(command, paths)),
        Command::Ext(ExtCommand::Validate { path, json }) => ext::validate(&path, json),
        Command::Ext(command) => with_paths(data_dir, |paths| ext::run(command, paths)),
        Command::ExtHost(args) => ext::host(&args.args),
        Command::Fqg(command) => fqg::run(command),
        Command::Ask(args) => with_paths(data_dir, |paths| ask::run(&args, paths)),
        Command::Eval(EvalCommand::Conductor(args)) => {
            with_paths(data_dir, |paths| eval::conductor(&args, paths))
        }
        Command::Outbox(args) => with_paths(data_dir, |paths| outbox::run(&args, paths)),
    };
    exit.code()
}

fn with_paths(data_dir: Option<&Path>, f: impl FnOnce(&DataPaths) -> Exit) -> Exit {
    match DataPaths::resolve(data_dir) {
        Ok(paths) => f(&paths),
        Err(error) => {
            eprintln!("symphony: {error}");
            Exit::CannotStart
        }
    }
}
