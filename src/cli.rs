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

/// Escape text for roff.
fn roff(text: &str) -> String {
    text.replace('\\', "\\e").replace('-', "\\-")
}

/// Man pages generated from the clap definitions: `(file name, roff text)`. Besides clap's
/// sections they list every key (from the keymap), the environment and the files.
pub fn man_pages() -> Vec<(String, Vec<u8>)> {
    let command = Cli::command();
    let mut out = Vec::new();
    let name = format!("{}.1", command.get_name());
    // Rendering into a Vec cannot fail for I/O reasons.
    if clap_mangen::Man::new(command).render(&mut out).is_err() {
        return Vec::new();
    }
    let mut extra = String::from(".SH KEYS\n");
    let mut section = String::new();
    for (s, keys, description) in crate::app::keymap::Keymap::default().help_rows() {
        if s != section {
            extra.push_str(&format!(".SS {}\n", roff(&s)));
            section = s;
        }
        extra.push_str(&format!(
            ".TP\n\\fB{}\\fR\n{}\n",
            roff(&keys),
            roff(&description)
        ));
    }
    extra.push_str(concat!(
        ".SH ENVIRONMENT\n",
        ".TP\n\\fBSYMPHONY_DATA_DIR\\fR\nThe data directory, as \\fB\\-\\-data\\-dir\\fR.\n",
        ".TP\n\\fBSYMPHONY_THEME\\fR\nThe theme, as \\fB\\-\\-theme\\fR.\n",
        ".TP\n\\fBCOLORTERM\\fR, \\fBTERM\\fR\nChoose the colour depth: truecolor, 256 or 16 colours.\n",
        ".TP\n\\fBSYMPHONY_XI_BIN\\fR\nThe \\fBsymphony\\-xi\\fR editor core to run (default: next to \\fBsymphony\\fR).\n",
        ".SH FILES\n",
        ".TP\n\\fIDATA_DIR/xi/\\fR\nThe editor core's configuration; \\fIplugins/syntect/\\fR holds the syntax plugin's manifest.\n",
        ".TP\n\\fIDATA_DIR/themes/NAME.toml\\fR\nUser themes, in the format of the built\\-in ones.\n",
        ".TP\n\\fIDATA_DIR/logs/symphony.log\\fR\nThe log.\n",
    ));
    out.extend_from_slice(extra.as_bytes());
    vec![(name, out)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// The checked-in man pages match the CLI; `make docs` (UPDATE_MAN=1) rewrites them.
    #[test]
    fn man_pages_are_current() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
        for (name, text) in man_pages() {
            let path = dir.join(&name);
            if std::env::var_os("UPDATE_MAN").is_some() {
                std::fs::create_dir_all(&dir).expect("man/ can be created");
                std::fs::write(&path, &text).expect("the man page can be written");
                continue;
            }
            let on_disk = std::fs::read(&path).unwrap_or_default();
            assert!(
                on_disk == text,
                "man/{name} is stale: run `make docs` and commit the result"
            );
        }
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
