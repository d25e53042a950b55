//! Reads the board's library off the UI loop (`spawn_blocking`) and sends it as
//! `BoardAction::Library`: the Melody templates (`conductor::templates::all`: the bundled ones
//! and `DATA_DIR/templates/`), the installed extensions' catalog, and each extension's methods
//! and config schema for the node parameter form. It is read at start and again each time the
//! template browser opens (`Effect::BoardReadLibrary`), so that a template saved or an
//! extension installed since shows without a restart; the palette's node kinds come from the
//! same read (`BoardAction::Extensions`).

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use conductor::templates::Template;
use extensions::manifest::file::ConfigType;
use extensions::{Installed, Manifest};
use tokio::sync::mpsc::UnboundedSender;

use crate::app::Action;
use crate::app::board::BoardAction;
use crate::app::board::form::{FieldKind, FieldSpec};
use crate::app::board::library::{ExtensionSchema, Library};
use crate::paths::DataPaths;

/// Reads the library whenever asked, one read at a time: a request made while a read is in
/// flight gets one more read after it, so that results arrive in order and the last one
/// sent is never older than the last request.
#[derive(Clone)]
pub struct LibraryLoader {
    actions: UnboundedSender<Action>,
    data_dir: Option<PathBuf>,
    queue: Arc<Mutex<Queue>>,
}

/// Whether a read is in flight, and whether another was asked for meanwhile.
#[derive(Debug, Default)]
struct Queue {
    running: bool,
    again: bool,
}

impl std::fmt::Debug for LibraryLoader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LibraryLoader")
            .field("data_dir", &self.data_dir)
            .finish()
    }
}

impl LibraryLoader {
    /// A loader for the data directory `data_dir` (the default one when `None`), sending
    /// what it reads through `actions`.
    pub fn new(actions: UnboundedSender<Action>, data_dir: Option<PathBuf>) -> LibraryLoader {
        LibraryLoader {
            actions,
            data_dir,
            queue: Arc::default(),
        }
    }

    /// Asks for a read: the work to run off the UI loop, or `None` when a read in flight
    /// will read again once it is done.
    pub fn request(&self) -> Option<impl FnOnce() + Send + 'static> {
        {
            let mut queue = self.queue();
            if queue.running {
                queue.again = true;
                return None;
            }
            queue.running = true;
        }
        let this = self.clone();
        Some(move || this.serve())
    }

    fn serve(&self) {
        loop {
            let (library, listed) = read_with_listing(self.data_dir.clone());
            let palette = listed.then(|| super::board_tasks::palette_of(&library.catalog));
            let _ = self
                .actions
                .send(Action::Board(BoardAction::Library(Box::new(library))));
            if let Some(palette) = palette {
                let _ = self
                    .actions
                    .send(Action::Board(BoardAction::Extensions(palette)));
            }
            let mut queue = self.queue();
            if !queue.again || self.actions.is_closed() {
                queue.running = false;
                queue.again = false;
                return;
            }
            queue.again = false;
        }
    }

    fn queue(&self) -> MutexGuard<'_, Queue> {
        // The queue is two flags, consistent after any panic.
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The library for the data directory `data_dir` (the default one when `None`); what cannot
/// be read is said in `Library::problem`, and the bundled templates are there regardless.
pub fn read(data_dir: Option<PathBuf>) -> Library {
    read_with_listing(data_dir).0
}

/// The library, and whether the installed extensions could be listed (when they could
/// not, its catalog is empty for that reason, not because none is installed).
fn read_with_listing(data_dir: Option<PathBuf>) -> (Library, bool) {
    let mut library = Library {
        loaded: true,
        ..Library::default()
    };
    let mut problems = Vec::new();
    let paths = match DataPaths::resolve(data_dir.as_deref()) {
        Ok(paths) => Some(paths),
        Err(e) => {
            problems.push(format!(
                "no data directory, so only the bundled templates: {e}"
            ));
            None
        }
    };
    let templates = match &paths {
        Some(paths) => conductor::templates::all(&paths.root.join("templates")),
        None => conductor::templates::bundled(),
    };
    library.templates = match templates {
        Ok(templates) => templates,
        Err(e) => {
            problems.push(format!("your templates were left out: {e}"));
            conductor::templates::bundled().unwrap_or_default()
        }
    };
    let mut listed = false;
    if let Some(paths) = &paths {
        match paths.extensions().list() {
            Ok(installed) => {
                install(&mut library, &installed);
                listed = true;
            }
            Err(e) => problems.push(format!("cannot list the installed extensions: {e}")),
        }
    }
    library.problem = (!problems.is_empty()).then(|| problems.join("; "));
    (library, listed)
}

/// The library over `templates` and the extensions `installed`.
pub fn library_of(templates: Vec<Template>, installed: &[Installed]) -> Library {
    let mut library = Library {
        loaded: true,
        templates,
        ..Library::default()
    };
    install(&mut library, installed);
    library
}

/// Fills `library`'s catalog and schemas from the extensions `installed`.
fn install(library: &mut Library, installed: &[Installed]) {
    library.catalog = crate::adapters::conductor::catalog_of(installed);
    library.extensions = installed
        .iter()
        .map(|e| (e.manifest.id.to_string(), schema_of(&e.manifest)))
        .collect();
}

/// An extension's methods and its config schema as form fields, typed (a string setting
/// with `choices` is a choice); secrets are left out: a workflow file is no place for them.
pub fn schema_of(manifest: &Manifest) -> ExtensionSchema {
    let config = manifest
        .file
        .config
        .iter()
        .filter(|(_, field)| !field.secret)
        .map(|(name, field)| {
            let kind = match field.kind {
                ConfigType::String if !field.choices.is_empty() => {
                    FieldKind::Choice(field.choices.clone())
                }
                ConfigType::String => FieldKind::Text,
                ConfigType::Integer => FieldKind::Integer,
                ConfigType::Number => FieldKind::Number,
                ConfigType::Boolean => FieldKind::Boolean,
            };
            let mut spec = FieldSpec::new(name, kind, field.description.as_deref().unwrap_or(""));
            spec.default = field
                .default
                .as_ref()
                .and_then(|d| serde_json::to_value(d).ok());
            spec.required = field.required;
            spec
        })
        .collect();
    ExtensionSchema {
        methods: manifest
            .file
            .capabilities
            .iter()
            .map(|c| c.method.clone())
            .collect(),
        config,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_llm_sample_s_schema_has_its_settings_but_not_its_secret() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("extensions/examples/llm");
        let manifest =
            Manifest::load(&dir.join("symphony-extension.toml")).expect("the sample's manifest");
        let schema = schema_of(&manifest);
        assert_eq!(schema.methods, ["chat"]);
        let names: Vec<&str> = schema.config.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["base_url", "model"]);
    }

    #[test]
    fn setting_types_become_field_kinds_and_choices_a_choice() {
        let text = r#"
id = "t.kinds"
name = "t"
version = "1.0.0"
author = "t"
license = "MIT"
type = "operator"
[[capabilities]]
method = "go"
[runtime]
kind = "native"
command = "x"
[config.mode]
type = "string"
choices = ["fast", "accurate"]
default = "fast"
[config.limit]
type = "integer"
required = true
[config.verbose]
type = "boolean"
"#;
        let schema = schema_of(&Manifest::parse(text, "test").expect("valid"));
        let kinds: Vec<(&str, &FieldKind, bool)> = schema
            .config
            .iter()
            .map(|f| (f.name.as_str(), &f.kind, f.required))
            .collect();
        let choice = FieldKind::Choice(vec!["fast".into(), "accurate".into()]);
        assert_eq!(
            kinds,
            [
                ("limit", &FieldKind::Integer, true),
                ("mode", &choice, false),
                ("verbose", &FieldKind::Boolean, false),
            ]
        );
        assert_eq!(
            schema.config[1].default,
            Some(serde_json::Value::from("fast"))
        );
    }

    #[test]
    fn a_request_while_a_read_is_in_flight_is_served_by_one_more_read() {
        let dir = tempfile::tempdir().expect("a directory");
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let loader = LibraryLoader::new(tx, Some(dir.path().to_owned()));
        let work = loader.request().expect("the first request reads");
        assert!(loader.request().is_none(), "asked again while in flight");
        assert!(loader.request().is_none(), "and again: still one more read");
        work();
        let mut libraries = 0;
        while let Ok(action) = rx.try_recv() {
            if matches!(action, Action::Board(BoardAction::Library(_))) {
                libraries += 1;
            }
        }
        assert_eq!(
            libraries, 2,
            "the read, then one for the requests made during it"
        );
        assert!(
            loader.request().is_some(),
            "idle again: the next request reads"
        );
    }

    #[test]
    fn the_library_has_the_bundled_templates_on_an_empty_data_directory() {
        let dir = tempfile::tempdir().expect("a directory");
        let library = read(Some(dir.path().to_owned()));
        assert!(library.loaded);
        assert!(library.templates.len() >= 10);
        assert!(library.catalog.all().is_empty());
        assert_eq!(library.problem, None, "{:?}", library.problem);
    }
}
