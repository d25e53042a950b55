//! Reads the board's library off the UI loop (`spawn_blocking`) and sends it as
//! `BoardAction::Library`: the Melody templates (`conductor::templates::all`: the bundled ones
//! and `DATA_DIR/templates/`), the installed extensions' catalog, and each extension's methods
//! and config schema for the node parameter form.

use std::path::PathBuf;

use conductor::templates::Template;
use extensions::manifest::file::ConfigType;
use extensions::{Installed, Manifest};
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use crate::app::Action;
use crate::app::board::BoardAction;
use crate::app::board::form::{FieldKind, FieldSpec};
use crate::app::board::library::{ExtensionSchema, Library};
use crate::paths::DataPaths;

/// Reads the library in the background; the handle ends when it has been sent.
pub fn spawn_load(actions: UnboundedSender<Action>, data_dir: Option<PathBuf>) -> JoinHandle<()> {
    tokio::task::spawn_blocking(move || {
        let library = read(data_dir);
        let _ = actions.send(Action::Board(BoardAction::Library(Box::new(library))));
    })
}

/// The library for the data directory `data_dir` (the default one when `None`); what cannot
/// be read is said in `Library::problem`, and the bundled templates are there regardless.
pub fn read(data_dir: Option<PathBuf>) -> Library {
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
    if let Some(paths) = &paths {
        match crate::headless::ext::registry(paths).list() {
            Ok(installed) => install(&mut library, &installed),
            Err(e) => problems.push(format!("cannot list the installed extensions: {e}")),
        }
    }
    library.problem = (!problems.is_empty()).then(|| problems.join("; "));
    library
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
    fn the_library_has_the_bundled_templates_on_an_empty_data_directory() {
        let dir = tempfile::tempdir().expect("a directory");
        let library = read(Some(dir.path().to_owned()));
        assert!(library.loaded);
        assert!(library.templates.len() >= 10);
        assert!(library.catalog.all().is_empty());
        assert_eq!(library.problem, None, "{:?}", library.problem);
    }
}
