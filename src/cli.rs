//! The command line, defined once with clap; the man pages in `man/` are generated from it.

use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand};

/// Symphony: a terminal-first AI development environment.
///
/// Opens FILEs in the editor (a scratch buffer if none), beside the Conductor chat, the Harmony
/// Board and the execution monitor. Press F1 inside for every key.
///
/// The subcommands work without the interface: validate and run workflows, list runs.
#[derive(Debug, Parser)]
#[command(
    name = "symphony",
    version,
    about,
    long_about,
    subcommand_precedence_over_arg = true
)]
pub struct Cli {
    /// Files to open.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Where Symphony keeps its data: the editor core's config, themes, runs, logs.
    /// [default: $XDG_DATA_HOME/symphony, usually ~/.local/share/symphony]
    #[arg(long, value_name = "DIR", env = "SYMPHONY_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,

    /// Colour theme: dark, light, sixteen, or NAME for DATA_DIR/themes/NAME.toml.
    /// [default: dark, or sixteen on 16-colour terminals]
    #[arg(long, value_name = "NAME", env = "SYMPHONY_THEME")]
    pub theme: Option<String>,

    /// A command to run instead of the interface.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The headless commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a workflow file (TOML, JSON, or WfCommons JSON, plain or gzipped) and report
    /// every problem.
    Validate(ValidateArgs),
    /// Run a workflow with live progress, recording it in a journal so that it can be resumed
    /// after a crash or kill. The files its nodes publish become artifacts, tagged run:RUN_ID.
    Run(RunArgs),
    /// List runs, newest first, with their state.
    Runs(RunsArgs),
    /// Store, fetch, list, search and check artifacts (content-addressed files).
    #[command(subcommand)]
    Artifact(ArtifactCommand),
    /// Validate, install, configure, list, remove and run extensions (the Orchestra Kit), each in its
    /// own sandboxed host process.
    #[command(subcommand)]
    Ext(ExtCommand),
    /// The extension host: one process per extension, started by Symphony itself.
    #[command(name = "ext-host", hide = true)]
    ExtHost(ExtHostArgs),
    /// The Function Quest Game: train and evaluate the policy that orchestrates function
    /// calls, or play a puzzle.
    #[command(subcommand)]
    Fqg(FqgCommand),
    /// Ask the Conductor: plan a workflow of extension calls for what you say, show it, and
    /// run it after you confirm (or at once with --yes). Text to work on comes from --input
    /// or standard input.
    Ask(AskArgs),
    /// Measure the Conductor's planners on a suite of intents.
    #[command(subcommand)]
    Eval(EvalCommand),
    /// List the changes waiting for OFB in the offline outbox, and those OFB refused when
    /// they were replayed (with OFB's reason).
    Outbox(OutboxArgs),
}

/// Which planner the Conductor uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum PlannerArg {
    /// The LLM planner when SYMPHONY_LLM_BASE_URL is set, else offline.
    #[default]
    Auto,
    /// Templates and installed capabilities matched by meaning; no network.
    Offline,
    /// An OpenAI-compatible endpoint (SYMPHONY_LLM_BASE_URL, _MODEL, _API_KEY).
    Llm,
}

/// `symphony ask`.
#[derive(Debug, Args)]
pub struct AskArgs {
    /// What you want done, in your words.
    #[arg(value_name = "REQUEST")]
    pub intent: String,
    /// Run the plan without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Print the plan and the results as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Which planner.
    #[arg(long, value_enum, default_value_t)]
    pub planner: PlannerArg,
    /// A file whose text the plan works on (`-` for standard input). [default: standard
    /// input when it is not a terminal]
    #[arg(long, short = 'i', value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Plan only: show the plan and do not run it.
    #[arg(long, conflicts_with = "yes")]
    pub dry_run: bool,
}

/// `symphony eval …`.
#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Plan every intent of a suite and check the plans' properties (capabilities, order);
    /// with --run, run the plans whose extensions are installed.
    Conductor(EvalConductorArgs),
}

/// `symphony eval conductor`.
#[derive(Debug, Args)]
pub struct EvalConductorArgs {
    /// Which planner.
    #[arg(long, value_enum, default_value_t)]
    pub planner: PlannerArg,
    /// The suite (TOML). [default: the bundled suite of the sample extensions' intents]
    #[arg(long, value_name = "FILE")]
    pub suite: Option<PathBuf>,
    /// Also run each valid plan on its sample input and count completions.
    #[arg(long)]
    pub run: bool,
    /// Match lexically even when the embedding extension is installed.
    #[arg(long)]
    pub lexical: bool,
    /// One JSON object with every case and the totals.
    #[arg(long)]
    pub json: bool,
}

/// Which puzzles `symphony fqg eval` plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FqgSplit {
    /// Generated puzzles from the training vocabulary (seeds training never draws).
    Train,
    /// Generated puzzles from other seeds and a vocabulary never seen in training.
    Heldout,
    /// The hand-written puzzles of conductor/puzzles/.
    Handwritten,
}

/// `symphony fqg …`.
#[derive(Debug, Subcommand)]
pub enum FqgCommand {
    /// Train the policy through the curriculum of levels (REINFORCE with a baseline), with a
    /// progress bar; the same seed gives the same weights.
    Train {
        /// The curriculum: N or A-B within 1-20.
        #[arg(long, default_value = "1-20", value_name = "A-B")]
        levels: String,
        /// The seed.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Where to write the policy (safetensors).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Most updates per level before moving on without passing it.
        #[arg(long, default_value_t = 40, value_name = "N")]
        max_iterations: usize,
    },
    /// Evaluate a policy per level against the random, greedy and exact-planner baselines.
    Eval {
        /// The policy. [default: the checked-in one]
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
        /// Which puzzles.
        #[arg(long, value_enum, default_value = "heldout")]
        split: FqgSplit,
        /// Levels: N or A-B within 1-20 (generated splits).
        #[arg(long, default_value = "1-20", value_name = "A-B")]
        levels: String,
        /// Puzzles per level (episodes per puzzle for handwritten).
        #[arg(long, default_value_t = 50, value_name = "N")]
        episodes: usize,
        /// Seed of the baselines and of failing calls.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Play a puzzle with the keyboard (arrows choose a call, Enter makes it, h hints, r
    /// restarts, q quits).
    Play {
        /// A puzzle file. [default: a generated puzzle of --level]
        #[arg(value_name = "PUZZLE")]
        puzzle: Option<PathBuf>,
        /// The level of the generated puzzle.
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=20))]
        level: u32,
        /// The seed (which puzzle is generated, which calls fail).
        #[arg(long, default_value_t = 0)]
        seed: u64,
    },
}

/// `symphony ext …`.
#[derive(Debug, Subcommand)]
pub enum ExtCommand {
    /// Check an extension manifest (a directory or its symphony-extension.toml) and report
    /// every problem with its line and field.
    Validate {
        /// The extension directory or manifest file.
        #[arg(value_name = "PATH")]
        path: PathBuf,
        /// Print the result as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Validate an extension, copy it into DATA_DIR/extensions/installed/ID and register it
    /// with OFB, which decides what it may do: an Admin grants a subset of the permissions it
    /// requests (asked here on a terminal, or with --grant); until then it may not run.
    Install {
        /// The extension directory (with symphony-extension.toml).
        #[arg(value_name = "PATH")]
        path: PathBuf,
        /// Grant at once (as an Admin): `all`, `none`, or a comma-separated list of the
        /// permissions it requests (`fs:$PROJECT/**,system:env`).
        #[arg(long, value_name = "PERMS", conflicts_with = "local_grant")]
        grant: Option<String>,
        /// Development only: grant everything it requests without OFB (refused when
        /// SYMPHONY_OFB_URL names an OFB).
        #[arg(long)]
        local_grant: bool,
    },
    /// An Admin's decision in OFB: grant an installed extension a subset of the permissions
    /// it requests (asked on a terminal when --grant is not given).
    Approve {
        /// Its id.
        #[arg(value_name = "ID")]
        id: String,
        /// `all`, `none`, or a comma-separated list of requested permissions.
        #[arg(long, value_name = "PERMS")]
        grant: Option<String>,
    },
    /// Revoke an extension's approval in OFB: it may not run until approved again.
    Revoke {
        /// Its id.
        #[arg(value_name = "ID")]
        id: String,
    },
    /// List the installed extensions.
    List {
        /// One JSON object per extension.
        #[arg(long)]
        json: bool,
    },
    /// Remove an installed extension and its data.
    Remove {
        /// Its id.
        #[arg(value_name = "ID")]
        id: String,
    },
    /// Call one method of an installed extension in its sandbox and print its outputs.
    Run {
        /// The extension's id.
        #[arg(value_name = "ID")]
        id: String,
        /// The method (one of its capabilities).
        #[arg(value_name = "METHOD")]
        method: String,
        /// The input artifact's content (`-` for stdin).
        #[arg(long, value_name = "FILE")]
        input: Option<PathBuf>,
        /// Method parameters as JSON.
        #[arg(long, value_name = "JSON")]
        params: Option<String>,
        /// Stop the call after this many milliseconds (at most the manifest's timeout).
        #[arg(long, value_name = "MS")]
        deadline_ms: Option<u64>,
        /// The project directory that `$PROJECT` grants refer to.
        #[arg(long, value_name = "DIR")]
        project: Option<PathBuf>,
        /// Print the outputs as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Show an installed extension's settings (secrets masked), or set one: the value is
    /// checked against the manifest's `[config.*]` type and sent to the extension with each
    /// call.
    Config {
        /// The extension's id.
        #[arg(value_name = "ID")]
        id: String,
        /// The setting to set.
        #[arg(value_name = "KEY", requires = "value")]
        key: Option<String>,
        /// Its new value.
        #[arg(value_name = "VALUE")]
        value: Option<String>,
        /// Print the settings as one JSON object (secrets masked).
        #[arg(long)]
        json: bool,
    },
    /// Print the JSON Schema of symphony-extension.toml, for editors.
    Schema,
}

/// `symphony ext-host -- …`: the host's own arguments, passed through untouched.
#[derive(Debug, Args)]
pub struct ExtHostArgs {
    /// The host's arguments.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

/// `symphony artifact …`.
#[derive(Debug, Subcommand)]
pub enum ArtifactCommand {
    /// Store files (deduplicated by content); prints each one's id.
    Put {
        /// The files.
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
        /// Add a tag (repeat for several).
        #[arg(long = "tag", short = 't', value_name = "TAG")]
        tags: Vec<String>,
        /// The name to version it under. [default: the file's name]
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
    },
    /// Write an artifact's bytes (checked against its id) to stdout or a file.
    Get {
        /// Its id, or a unique prefix of at least 4 hex digits.
        #[arg(value_name = "ID")]
        id: String,
        /// Write to FILE instead of stdout.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// List artifacts, newest first.
    Ls {
        /// Only those with this tag.
        #[arg(long = "tag", short = 't', value_name = "TAG")]
        tag: Option<String>,
        /// One JSON object per artifact.
        #[arg(long)]
        json: bool,
    },
    /// Full-text search over text artifacts, names and tags (words, "phrases", name:x,
    /// tags:y, AND, OR, -word).
    Search {
        /// The query.
        #[arg(value_name = "QUERY")]
        query: String,
        /// Most results.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// One JSON object per result.
        #[arg(long)]
        json: bool,
    },
    /// Read every artifact back and check it against its id; list blobs without a record.
    Verify {
        /// Also rebuild the search index from the store.
        #[arg(long)]
        reindex: bool,
    },
    /// Remove blobs without a record and leftover temporary files; with a retention policy
    /// (DATA_DIR/retention.toml, or --policy), also archive (compressed, still retrievable) or
    /// delete the artifacts it lets go, each with its reason. Never deleted: artifacts tagged
    /// `pinned`, those a running or resumable run made or names, and lineage inputs of kept ones.
    Gc {
        /// Only say what would be removed, and why.
        #[arg(long)]
        dry_run: bool,
        /// The retention policy. [default: DATA_DIR/retention.toml, if it exists]
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
    },
}

/// `symphony validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The workflow file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Print the result as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// `symphony run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The workflow file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Most nodes running at once. [default: the number of cores]
    #[arg(long, short = 'w', value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub workers: Option<u32>,
    /// Continue run RUN_ID (after a kill, crash, failure or cancel): nodes whose completion
    /// is recorded do not run again.
    #[arg(long, value_name = "RUN_ID")]
    pub resume: Option<String>,
    /// Print every event as a JSON line on stdout instead of the progress bar.
    #[arg(long)]
    pub json: bool,
    /// Multiply every sleep (WfCommons task runtimes) by X: 0.001 runs a thousand times
    /// faster. [default: 1, or the resumed run's]
    #[arg(long, value_name = "X")]
    pub time_scale: Option<f64>,
    /// Give input node ID its value (JSON, or else text); repeat for several. An input left
    /// without one is asked for on a terminal; elsewhere the run stops, resumably.
    #[arg(long = "input", short = 'i', value_name = "ID=VALUE")]
    pub inputs: Vec<String>,
}

/// `symphony outbox`.
#[derive(Debug, Args)]
pub struct OutboxArgs {
    /// Print one JSON object: `pending` and `refused`, each a list.
    #[arg(long)]
    pub json: bool,
    /// Forget the refused changes (after dealing with them); waiting ones are kept.
    #[arg(long)]
    pub clear_refused: bool,
}

/// `symphony runs`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct RunsArgs {
    /// Print one JSON object per run.
    #[arg(long)]
    pub json: bool,
    /// Look at one run.
    #[command(subcommand)]
    pub command: Option<RunsCommand>,
}

/// `symphony runs …`.
#[derive(Debug, Subcommand)]
pub enum RunsCommand {
    /// What the run's journal says, node by node: outcome, attempts, time, errors and the
    /// fallback that stood in; also while the run is going on.
    Show {
        /// The run (`symphony runs` lists them).
        #[arg(value_name = "RUN_ID")]
        run: String,
        /// One JSON object.
        #[arg(long)]
        json: bool,
    },
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
        ".TP\n\\fIDATA_DIR/runs/RUN_ID/\\fR\nA workflow run: \\fIjournal.log\\fR (its checkpoint), \\fIoutputs/NODE/\\fR (each node's published output files), \\fIstage/\\fR (outputs not yet published).\n",
    ));
    extra.push_str(&exit_status());
    out.extend_from_slice(extra.as_bytes());
    let mut pages = vec![(name, out)];
    for sub in Cli::command()
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
    {
        let name = format!("symphony-{}", sub.get_name());
        let mut page = Vec::new();
        if clap_mangen::Man::new(
            sub.clone()
                .display_name(&name)
                .bin_name(format!("symphony {}", sub.get_name())),
        )
        .render(&mut page)
        .is_err()
        {
            continue;
        }
        if matches!(sub.get_name(), "run" | "validate") {
            page.extend_from_slice(exit_status().as_bytes());
        }
        pages.push((format!("{name}.1"), page));
    }
    pages
}

/// The EXIT STATUS section, from [`Exit`](crate::headless::Exit).
fn exit_status() -> String {
    let mut text = String::from(".SH \"EXIT STATUS\"\n");
    for (exit, meaning) in crate::headless::Exit::all() {
        text.push_str(&format!(
            ".TP\n\\fB{}\\fR\n{}\n",
            exit.number(),
            roff(meaning)
        ));
    }
    text
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
