//! Melody templates: ready-made plans with parameters, in `templates/*.toml`.
//!
//! A template is a [`Plan`] with a title, a description and intents (what people say when
//! they want it: the offline planner matches these by meaning) and parameters that fill
//! `{{name}}` placeholders in the steps' string parameters. See `templates/README.md`.

mod instantiate;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::plan::Step;

pub use instantiate::TemplateError;

/// One parameter of a template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateParam {
    /// What it means.
    pub description: String,
    /// Its value when none is given; a parameter without one must be given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
}

/// A template as written in its file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// Its id. [default: the file's stem]
    #[serde(default)]
    pub id: String,
    /// A short title.
    pub title: String,
    /// What it does, for the template browser and the planner.
    pub description: String,
    /// What people say when they want it.
    #[serde(default)]
    pub intents: Vec<String>,
    /// What it reads, if it reads the user's text (`text`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// Its parameters, by name.
    #[serde(default)]
    pub params: BTreeMap<String, TemplateParam>,
    /// The plan's steps.
    pub steps: Vec<Step>,
}

impl Template {
    /// Everything a planner matches an intent against: title, description and intents.
    pub fn document(&self) -> String {
        let mut text = format!("{}. {}", self.title, self.description);
        for intent in &self.intents {
            text.push_str(". ");
            text.push_str(intent);
        }
        text
    }

    /// Parse a template's TOML; `source` names it in errors, and gives the id when the file
    /// has none.
    pub fn parse(text: &str, source: &Path) -> Result<Template, TemplateError> {
        let mut template: Template = toml::from_str(text).map_err(|e| TemplateError::Parse {
            path: source.to_owned(),
            message: e.to_string(),
        })?;
        if template.id.is_empty() {
            template.id = source
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
        }
        template.check(source)?;
        Ok(template)
    }

    /// Every `*.toml` template in `dir`, sorted by id; a directory that does not exist has
    /// none.
    pub fn load_dir(dir: &Path) -> Result<Vec<Template>, TemplateError> {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(TemplateError::io(dir, &e)),
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        let mut templates = Vec::with_capacity(paths.len());
        for path in paths {
            let text = std::fs::read_to_string(&path).map_err(|e| TemplateError::io(&path, &e))?;
            templates.push(Template::parse(&text, &path)?);
        }
        if let Some(twice) = templates.windows(2).find(|w| w[0].id == w[1].id) {
            return Err(TemplateError::DuplicateId {
                id: twice[0].id.clone(),
                dir: dir.to_owned(),
            });
        }
        Ok(templates)
    }

    /// The templates that ship with Symphony (`templates/` at the repository's root).
    pub fn bundled_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates")
    }
}
