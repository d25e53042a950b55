//! `LocalConductor`: the Conductor in-process, on this machine's extensions and Pit.
//!
//! - **plan**: the catalog is read from the installed extensions' manifests, the templates
//!   are the bundled ones plus `DATA_DIR/templates/`; the planner is the LLM planner when one
//!   is configured and chosen, else the offline planner (matching by meaning through the
//!   embedding extension when it is installed, else lexically; FQG-policy type bridging).
//! - **run**: the plan is compiled with the recovery policy into a workflow file, written
//!   under `DATA_DIR/conductor/`, and run like `symphony run` runs one (journaled, extension
//!   runners, outputs stored as artifacts), its events turned into step events; the
//!   workflow and the run are recorded in OFB through the [`RecordSlot`]'s port, when set.

mod catalog;
mod embedding;
mod execute;
mod record_slot;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use conductor::planning::{
    Hybrid, LexicalMatcher, Matcher, OfflinePlanner, PlanContext, Planner, PlannerError,
};
use conductor::templates::{self, Template};
use extensions::registry::{Installed, Registry};

pub use catalog::catalog_of;
pub use embedding::{EMBED_CAPABILITY, EmbeddingMatcher};
pub use record_slot::{CONNECT_WAIT, RecordSlot, Recorder};

use crate::adapters::HostLauncher;
use crate::adapters::llm_planner::{LlmConfig, LlmPlanner};
use crate::paths::DataPaths;
use crate::ports::conductor::{
    Attachment, CancelFlag, ConductorError, ConductorEvent, ConductorPort, PlanRequest,
    PlannerChoice, Proposal, RunReport,
};

/// Makes an LLM planner for each request (so that a request's settings are fresh).
pub type LlmPlannerFactory = Arc<dyn Fn() -> Box<dyn Planner + Send> + Send + Sync>;

/// The Conductor on this machine.
pub struct LocalConductor {
    paths: DataPaths,
    launcher: HostLauncher,
    llm: Option<LlmPlannerFactory>,
    /// Kept between requests: the embedding matcher's host stays warm and its vectors cached.
    offline: Mutex<Option<OfflinePlanner>>,
    /// Match lexically even when the embedding extension is installed.
    lexical_only: bool,
    /// Where runs are recorded (OFB), once known.
    record: RecordSlot,
}

impl std::fmt::Debug for LocalConductor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalConductor")
            .field("data", &self.paths.root)
            .field("llm", &self.llm.is_some())
            .finish_non_exhaustive()
    }
}

impl LocalConductor {
    /// The Conductor over `paths`' extensions, templates and runs; extension hosts are
    /// started by `launcher`.
    pub fn new(paths: DataPaths, launcher: HostLauncher) -> LocalConductor {
        LocalConductor {
            paths,
            launcher,
            llm: None,
            offline: Mutex::new(None),
            lexical_only: false,
            record: RecordSlot::default(),
        }
    }

    /// This program as the extension host launcher, the current directory as the project.
    pub fn for_this_program(paths: DataPaths) -> Result<LocalConductor, ConductorError> {
        let launcher = HostLauncher::this_program()
            .map_err(|e| ConductorError::Run(format!("cannot start extension hosts: {e}")))?;
        Ok(LocalConductor::new(paths, launcher))
    }

    /// The Conductor as Symphony runs it: this program's extension hosts, and the LLM
    /// planner when `SYMPHONY_LLM_BASE_URL` is set.
    pub fn configured(paths: DataPaths) -> Result<LocalConductor, ConductorError> {
        let conductor = LocalConductor::for_this_program(paths)?;
        let config = LlmConfig::from_env()
            .map_err(|e| ConductorError::Planner(format!("the LLM planner's settings: {e}")))?;
        Ok(match config {
            None => conductor,
            Some(config) => conductor.with_llm_planner(Arc::new(move || {
                match LlmPlanner::new(config.clone()) {
                    Ok(planner) => Box::new(planner) as Box<dyn Planner + Send>,
                    Err(e) => Box::new(Unavailable(e.to_string())),
                }
            })),
        })
    }

    /// With an LLM planner, used for `PlannerChoice::Llm` and `Auto`.
    pub fn with_llm_planner(mut self, factory: LlmPlannerFactory) -> LocalConductor {
        self.llm = Some(factory);
        self
    }

    /// Records runs in whatever `slot` holds when each run starts (the runtime fills it once
    /// OFB is reachable; a run waits for it while the connection is being made).
    pub fn recording_into(mut self, slot: RecordSlot) -> LocalConductor {
        self.record = slot;
        self
    }

    /// Match lexically even when an embedding extension is installed (for comparisons).
    pub fn lexical_only(mut self) -> LocalConductor {
        self.lexical_only = true;
        self
    }

    fn registry(&self) -> Registry {
        self.paths.extensions()
    }

    /// The catalog of what is installed and approved now (an extension OFB has not approved
    /// cannot run, so plans do not use it).
    pub fn catalog(&self) -> Result<conductor::plan::Catalog, ConductorError> {
        Ok(catalog_of(&self.installed()?.0))
    }

    /// The installed extensions that may run, and the ids of those that may not yet.
    fn installed(&self) -> Result<(Vec<Installed>, Vec<String>), ConductorError> {
        let registry = self.registry();
        let installed = registry.list().map_err(|e| {
            ConductorError::NoPlan(format!("cannot list the installed extensions: {e}"))
        })?;
        let (runnable, waiting): (Vec<Installed>, Vec<Installed>) =
            installed.into_iter().partition(|i| {
                registry
                    .approval(i)
                    .is_ok_and(|a| a.refusal(&i.manifest.id).is_none())
            });
        let waiting = waiting.iter().map(|i| i.manifest.id.to_string()).collect();
        Ok((runnable, waiting))
    }

    /// The bundled templates and the user's.
    pub fn templates(&self) -> Result<Vec<Template>, ConductorError> {
        templates::all(&self.user_templates()).map_err(|e| ConductorError::NoPlan(e.to_string()))
    }

    /// Where the user's own templates go.
    pub fn user_templates(&self) -> PathBuf {
        self.paths.root.join("templates")
    }

    /// The matcher for the offline planner: the embedding extension's when installed.
    fn matcher(&self) -> Box<dyn Matcher + Send> {
        if self.lexical_only {
            return Box::new(LexicalMatcher::new());
        }
        let registry = self.registry();
        let installed = registry.list().unwrap_or_default();
        let embedder = installed.iter().find_map(|i| {
            i.manifest
                .file
                .capabilities
                .iter()
                .find(|c| i.manifest.capability_name(c) == EMBED_CAPABILITY)
                .map(|c| (i.manifest.id.to_string(), c.method.clone()))
        });
        let host = embedder.and_then(|(id, method)| {
            let launcher = self.launcher.clone();
            registry
                .host(&id, launcher.program, launcher.prefix, launcher.project)
                .map(|host| (host, method))
                .map_err(|e| tracing::warn!("matching lexically: {e}"))
                .ok()
        });
        match host {
            Some((host, method)) => Box::new(Hybrid::new(
                Box::new(EmbeddingMatcher::new(host, method)),
                Box::new(LexicalMatcher::new()),
            )),
            None => Box::new(LexicalMatcher::new()),
        }
    }

    fn plan_with(
        &self,
        planner: &mut dyn Planner,
        request: &PlanRequest,
        events: &mut dyn FnMut(ConductorEvent),
        cancel: &CancelFlag,
    ) -> Result<Proposal, ConductorError> {
        let (installed, waiting) = self.installed()?;
        let catalog = catalog_of(&installed);
        let templates = self.templates()?;
        let label = input_label(&request.attachments);
        let context = PlanContext {
            catalog: &catalog,
            templates: &templates,
            input: label.as_deref(),
        };
        let drafted = planner
            .plan(
                &request.intent,
                &context,
                &mut |token| events(ConductorEvent::Token(token.to_owned())),
                &|| cancel.is_cancelled(),
            )
            .map_err(|e| match e {
                PlannerError::Cancelled => ConductorError::Cancelled,
                PlannerError::Endpoint(_)
                | PlannerError::Timeout(_)
                | PlannerError::Malformed(_)
                | PlannerError::Matching(_) => ConductorError::Planner(e.to_string()),
                other if waiting.is_empty() => ConductorError::NoPlan(other.to_string()),
                other => ConductorError::NoPlan(format!(
                    "{other} (installed but not approved by OFB, so not planned with: {}; \
                     `symphony ext list` says why)",
                    waiting.join(", ")
                )),
            })?;
        let providers = drafted
            .plan
            .steps
            .iter()
            .filter_map(|s| {
                let provider = catalog.providers(&s.capability).next()?;
                Some((s.id.clone(), provider.provider.to_string()))
            })
            .collect();
        Ok(Proposal {
            plan: drafted.plan,
            planner: planner.name(),
            explanation: drafted.explanation,
            providers,
            attachments: request.attachments.clone(),
            resume: None,
        })
    }
}

/// A planner that could not be set up: every request says why.
struct Unavailable(String);

impl Planner for Unavailable {
    fn name(&self) -> String {
        "llm (unavailable)".to_owned()
    }

    fn plan(
        &mut self,
        _intent: &str,
        _context: &PlanContext<'_>,
        _on_token: &mut dyn FnMut(&str),
        _cancelled: &dyn Fn() -> bool,
    ) -> Result<conductor::planning::Drafted, PlannerError> {
        Err(PlannerError::Endpoint(format!(
            "the LLM planner could not start: {}",
            self.0
        )))
    }
}

/// What the plan reads, named for people: the attachments' labels.
fn input_label(attachments: &[Attachment]) -> Option<String> {
    let labels: Vec<&str> = attachments
        .iter()
        .map(|a| match a {
            Attachment::Text { label, .. } => label.as_str(),
            Attachment::Artifact(name) => name.as_str(),
        })
        .collect();
    (!labels.is_empty()).then(|| labels.join(", "))
}

impl ConductorPort for LocalConductor {
    fn plan(
        &self,
        request: &PlanRequest,
        events: &mut dyn FnMut(ConductorEvent),
        cancel: &CancelFlag,
    ) -> Result<Proposal, ConductorError> {
        let use_llm = match request.planner {
            PlannerChoice::Offline => false,
            PlannerChoice::Auto => self.llm.is_some(),
            PlannerChoice::Llm => true,
        };
        if use_llm {
            let Some(factory) = &self.llm else {
                return Err(ConductorError::Planner(
                    "no LLM endpoint is configured: set SYMPHONY_LLM_BASE_URL (and \
                     SYMPHONY_LLM_MODEL, SYMPHONY_LLM_API_KEY), or use the offline planner"
                        .to_owned(),
                ));
            };
            let mut planner = factory();
            return self.plan_with(planner.as_mut(), request, events, cancel);
        }
        let mut slot = self.offline.lock().unwrap_or_else(|e| e.into_inner());
        let planner = slot.get_or_insert_with(|| {
            let policy = conductor::fqg::policy::checked_in()
                .map_err(|e| tracing::warn!("bridging without the FQG policy: {e}"))
                .ok();
            OfflinePlanner::new(self.matcher(), policy)
        });
        let result = self.plan_with(planner, request, events, cancel);
        if matches!(&result, Err(ConductorError::Planner(_))) {
            // Matching broke (the embedding host died): the next request starts afresh.
            *slot = None;
        }
        result
    }

    fn run(
        &self,
        proposal: &Proposal,
        events: &mut dyn FnMut(ConductorEvent),
        cancel: &CancelFlag,
    ) -> Result<RunReport, ConductorError> {
        let catalog = self.catalog()?;
        execute::run_proposal(
            &self.paths,
            &self.launcher,
            &catalog,
            proposal,
            self.record.recorder(CONNECT_WAIT),
            events,
            cancel,
        )
    }
}
