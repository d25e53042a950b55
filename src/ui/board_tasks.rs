//! Carries out the Harmony Board's effects off the UI loop: reading a workflow file
//! (`pit::dag::load_file`: TOML, JSON or a WfCommons trace), writing the board's TOML, and
//! turning a Conductor plan sent with `/board` into a workflow (`conductor::plan::compile`
//! over the installed extensions' catalog). Results come back as `Action::Board`.

use std::path::PathBuf;
use std::sync::Arc;

use conductor::plan::{Catalog, RecoveryPolicy, compile};
use pit::dag::{LoadOptions, load_file};
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use crate::app::board::palette::NodeTemplate;
use crate::app::board::{BoardAction, RunEnd};
use crate::app::{Action, Effect};
use crate::ui::board_library::LibraryLoader;

/// Runs `symphony run PATH --json` to its end; its last JSON line says how it ended. Its own
/// process, so that a run outlives neither a crash of its runners nor of the interface
/// (a run cut short can be resumed with `symphony run PATH --resume RUN_ID`).
fn run_workflow(run_with: &RunWith, path: &std::path::Path) -> Result<RunEnd, String> {
    let mut command = std::process::Command::new(&run_with.program);
    if let Some(dir) = &run_with.data_dir {
        command.arg("--data-dir").arg(dir);
    }
    let out = command
        .arg("run")
        .arg(path)
        .arg("--json")
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("cannot start `{}`: {e}", run_with.program.display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let end = stdout
        .lines()
        .rev()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find(|v| v["event"] == "end");
    match end {
        Some(end) => Ok(RunEnd {
            completed: end["state"] == "completed",
            summary: format!(
                "run {} {} ({} completed, {} failed, {} skipped)",
                end["run"].as_str().unwrap_or("?"),
                end["state"].as_str().unwrap_or("?"),
                end["completed"],
                end["failed"],
                end["skipped"]
            ),
        }),
        None => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            Err(stderr
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("it ended without a report")
                .trim_start_matches("symphony: ")
                .to_owned())
        }
    }
}

/// Reads the installed extensions' catalog (the registry on disk), or says why it cannot.
pub type CatalogSource = Arc<dyn Fn() -> Result<Catalog, String> + Send + Sync>;

/// How a workflow is run from the board: this program's `run` subcommand, on the same data
/// directory as the interface.
#[derive(Debug, Clone)]
pub struct RunWith {
    /// The `symphony` executable.
    pub program: PathBuf,
    /// `--data-dir`, when the interface was given one.
    pub data_dir: Option<PathBuf>,
}

/// The board's file work in flight.
pub struct BoardTasks {
    actions: UnboundedSender<Action>,
    catalog: Option<CatalogSource>,
    run_with: Option<RunWith>,
    library: Option<LibraryLoader>,
    tasks: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for BoardTasks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoardTasks")
            .field("in_flight", &self.tasks.len())
            .finish()
    }
}

impl BoardTasks {
    /// Tasks reporting through `actions`; `catalog` lists the installed capabilities.
    pub fn new(actions: UnboundedSender<Action>, catalog: Option<CatalogSource>) -> BoardTasks {
        BoardTasks {
            actions,
            catalog,
            run_with: None,
            library: None,
            tasks: Vec::new(),
        }
    }

    /// Runs workflows with `run_with` (without it, the board says it cannot run them).
    pub fn with_runner(mut self, run_with: RunWith) -> BoardTasks {
        self.run_with = Some(run_with);
        self
    }

    /// Reads the board's library with `library` (without it, `Effect::BoardReadLibrary`
    /// does nothing).
    pub fn with_library(mut self, library: LibraryLoader) -> BoardTasks {
        self.library = Some(library);
        self
    }

    /// Reads the board's library (and the palette's extensions) off the UI loop, unless a
    /// read in flight will read again anyway.
    pub fn load_library(&mut self) {
        if let Some(work) = self.library.as_ref().and_then(LibraryLoader::request) {
            self.spawn(work);
        }
    }

    /// Takes the board's effects; returns the others.
    pub fn execute(&mut self, effects: Vec<Effect>) -> Vec<Effect> {
        let mut rest = Vec::with_capacity(effects.len());
        for effect in effects {
            match effect {
                Effect::BoardReadLibrary => self.load_library(),
                Effect::BoardLoad(path) => {
                    let actions = self.actions.clone();
                    self.spawn(move || {
                        let result = load_file(&path, &LoadOptions::default())
                            .map(|(_, file)| file)
                            .map_err(|e| e.to_string());
                        let _ = actions.send(Action::Board(BoardAction::Loaded { path, result }));
                    });
                }
                Effect::BoardSave { path, text } => {
                    let actions = self.actions.clone();
                    self.spawn(move || {
                        let result = write(&path, &text);
                        let _ = actions.send(Action::Board(BoardAction::Saved { path, result }));
                    });
                }
                Effect::BoardRun(path) => {
                    let actions = self.actions.clone();
                    let run_with = self.run_with.clone();
                    self.spawn(move || {
                        let result = match run_with {
                            Some(run_with) => run_workflow(&run_with, &path),
                            None => Err("this build cannot start runs".to_owned()),
                        };
                        let _ = actions.send(Action::Board(BoardAction::RunEnded { path, result }));
                    });
                }
                Effect::OpenInBoard(proposal) => {
                    let actions = self.actions.clone();
                    let catalog = self.catalog.clone();
                    self.spawn(move || {
                        let compiled = catalog
                            .ok_or_else(|| "no extension catalog in this build".to_owned())
                            .and_then(|source| source())
                            .and_then(|catalog| {
                                compile(&proposal.plan, &catalog, &RecoveryPolicy::default())
                                    .map_err(|e| e.to_string())
                            });
                        let action = match compiled {
                            Ok(file) => BoardAction::Show { file, path: None },
                            Err(reason) => BoardAction::Loaded {
                                path: PathBuf::from("the plan"),
                                result: Err(format!("cannot show the plan: {reason}")),
                            },
                        };
                        let _ = actions.send(Action::Board(action));
                    });
                }
                other => rest.push(other),
            }
        }
        rest
    }

    fn spawn(&mut self, work: impl FnOnce() + Send + 'static) {
        self.tasks.retain(|t| !t.is_finished());
        self.tasks.push(tokio::task::spawn_blocking(work));
    }
}

/// The palette's node kinds for the installed capabilities.
pub(super) fn palette_of(catalog: &Catalog) -> Vec<NodeTemplate> {
    catalog
        .all()
        .iter()
        .map(|c| {
            NodeTemplate::capability(
                c.id.as_str(),
                c.provider.as_str(),
                &c.method,
                &c.description,
                c.instrument,
            )
            .with_media_types(&c.inputs, &c.outputs)
        })
        .collect()
}

/// Writes through a temporary file and a rename, so a crash never leaves half a workflow.
fn write(path: &std::path::Path, text: &str) -> Result<(), String> {
    let name = path
        .file_name()
        .ok_or_else(|| "the path names no file".to_owned())?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(".tmp");
    let tmp = path.with_file_name(tmp_name);
    std::fs::write(&tmp, text).map_err(|e| e.to_string())?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        e.to_string()
    })
}

#[cfg(test)]
mod tests {
    use conductor::plan::{Capability, CapabilityId, Importance, Plan, ProviderId, Step, StepId};
    use pit::dag::{Workflow, parse_toml};
    use tokio::sync::mpsc::unbounded_channel;

    use super::*;
    use crate::ports::conductor::Proposal;

    const SMALL: &str = r#"
version = 1

[[nodes]]
id = "a"
kind = "operator"

[[nodes]]
id = "b"
kind = "operator"

[[edges]]
from = "a"
to = "b"
kind = "control"
"#;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
    }

    async fn next(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Action>) -> BoardAction {
        match rx.recv().await {
            Some(Action::Board(action)) => action,
            other => panic!("expected a board action, got {other:?}"),
        }
    }

    #[test]
    fn saves_then_loads_through_the_dag_tracker_s_loader() {
        runtime().block_on(async {
            let (tx, mut rx) = unbounded_channel();
            let mut tasks = BoardTasks::new(tx, None);
            let dir = tempfile::tempdir().expect("a directory");
            let path = dir.path().join("flow.toml");
            let file = parse_toml(SMALL, "small").expect("valid");
            let text = toml::to_string(&file).expect("serialises");
            let rest = tasks.execute(vec![
                Effect::BoardSave {
                    path: path.clone(),
                    text,
                },
                Effect::Quit,
            ]);
            assert_eq!(rest, [Effect::Quit]);
            assert_eq!(
                next(&mut rx).await,
                BoardAction::Saved {
                    path: path.clone(),
                    result: Ok(())
                }
            );
            tasks.execute(vec![Effect::BoardLoad(path.clone())]);
            assert_eq!(
                next(&mut rx).await,
                BoardAction::Loaded {
                    path: path.clone(),
                    result: Ok(file)
                }
            );
            // No temporary file is left behind.
            let names: Vec<_> = std::fs::read_dir(dir.path())
                .expect("listed")
                .map(|e| e.expect("an entry").file_name())
                .collect();
            assert_eq!(names, [std::ffi::OsString::from("flow.toml")]);
            tasks.execute(vec![Effect::BoardLoad(dir.path().join("missing.toml"))]);
            let BoardAction::Loaded { result, .. } = next(&mut rx).await else {
                panic!("a load report");
            };
            assert!(result.is_err());
        });
    }

    #[test]
    fn a_plan_sent_to_the_board_becomes_a_valid_workflow_over_the_catalog() {
        runtime().block_on(async {
            let (tx, mut rx) = unbounded_channel();
            let capability = |id: &str, method: &str| {
                Capability::new(
                    CapabilityId::new(id).expect("an id"),
                    ProviderId::new("text-ops").expect("an id"),
                    method,
                    "text work",
                )
            };
            let catalog = Catalog::new(vec![
                capability("text.read", "read"),
                capability("text.sort", "sort"),
            ]);
            let source: CatalogSource = Arc::new(move || Ok(catalog.clone()));
            let mut tasks = BoardTasks::new(tx, Some(source));
            let step = |id: &str, capability: &str, after: &[&str]| Step {
                id: StepId::new(id).expect("an id"),
                capability: CapabilityId::new(capability).expect("an id"),
                params: Default::default(),
                after: after
                    .iter()
                    .map(|a| StepId::new(a).expect("an id"))
                    .collect(),
                importance: Importance::Essential,
                undo: None,
            };
            let proposal = Proposal {
                plan: Plan {
                    intent: "sort the notes".into(),
                    steps: vec![
                        step("read", "text.read", &[]),
                        step("sort", "text.sort", &["read"]),
                    ],
                    input: None,
                },
                planner: "offline".into(),
                explanation: String::new(),
                providers: Vec::new(),
                attachments: Vec::new(),
                resume: None,
            };
            assert!(
                tasks
                    .execute(vec![Effect::OpenInBoard(proposal)])
                    .is_empty()
            );
            let BoardAction::Show { file, path } = next(&mut rx).await else {
                panic!("a workflow to show");
            };
            assert_eq!(path, None);
            assert!(Workflow::build(&file).is_ok());
            assert!(file.nodes.iter().any(|n| n.id.as_str() == "sort"));
        });
    }
}
