//! The command line, defined once with clap; the man pages in `man/` are generated from it.

use std::path::PathBuf;

use clap::{CommandFactory, Parser};

/// Symphony: a terminal-first AI development environment.
///
/// Opens FILEs in the editor (a scratch buffer if none), beside the Conductor chat, the Harmony
/// Board and the execution monitor. Press F1 inside for every key.
#[derive(Debug, Parser)]
#[command(name = "symphony", version, about, long_about)]
pub struct Cli {
    /// Files to open.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Where Symphony keeps its data: the editor core's config, themes, logs.
    /// [default: $XDG_DATA_HOME/symphony, usually ~/.local/share/symphony]
    #[arg(long, value_name = "DIR", env = "SYMPHONY_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    /// Colour theme: dark, light, sixteen, or NAME for DATA_DIR/themes/NAME.toml.
    /// [default: dark, or sixteen on 16-colour terminals]
    #[arg(long, value_name = "NAME", env = "SYMPHONY_THEME")]
    pub theme: Option<String>,
}

/// Man pages generated from the clap definitions: `(file name, roff text)`.
pub fn man_pages() -> Vec<(String, Vec<u8>)> {
    let command = Cli::command();
    let mut out = Vec::new();
    let name = format!("{}.1", command.get_name());
    // Rendering into a Vec cannot fail for I/O reasons.
    if clap_mangen::Man::new(command).render(&mut out).is_ok() {
        vec![(name, out)]
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_files_and_options() {
        let cli =
            Cli::try_parse_from(["symphony", "--theme", "light", "a.rs", "b.rs"]).expect("parses");
        assert_eq!(
            cli.files,
            vec![PathBuf::from("a.rs"), PathBuf::from("b.rs")]
        );
        assert_eq!(cli.theme.as_deref(), Some("light"));
    }
}
