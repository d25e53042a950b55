//! The `symphony` binary: parse the command line and run.

use clap::Parser;

fn main() -> anyhow::Result<()> {
    let cli = symphony::cli::Cli::parse();
    symphony::ui::runtime::run(cli)?;
    Ok(())
}
