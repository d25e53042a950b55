//! The `symphony` binary: parse the command line and run the interface or a headless command.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let mut cli = symphony::cli::Cli::parse();
    match cli.command.take() {
        Some(command) => symphony::headless::run(command, cli.data_dir.as_deref()),
        None => match symphony::ui::runtime::run(cli) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("symphony: {error}");
                ExitCode::FAILURE
            }
        },
    }
}
