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

/// The templates that ship with Symphony, built into the binary: `templates/*.toml` at the
/// repository's root (a test checks that none is missing here).
const BUNDLED: &[(&str, &str)] = &[
    (
        "draft-reply",
        include_str!("../../../templates/draft-reply.toml"),
    ),
    (
        "embed-lines",
        include_str!("../../../templates/embed-lines.toml"),
    ),
    ("one-line", include_str!("../../../templates/one-line.toml")),
    (
        "rank-lines",
        include_str!("../../../templates/rank-lines.toml"),
    ),
    (
        "review-diff",
        include_str!("../../../templates/review-diff.toml"),
    ),
    (
        "shout-and-count",
        include_str!("../../../templates/shout-and-count.toml"),
    ),
    (
        "shout-words",
        include_str!("../../../templates/shout-words.toml"),
    ),
    (
        "summarise",
        include_str!("../../../templates/summarise.toml"),
    ),
    (
        "text-stats",
        include_str!("../../../templates/text-stats.toml"),
    ),
    (
        "vocabulary",
        include_str!("../../../templates/vocabulary.toml"),
    ),
];

/// The bundled templates, parsed.
pub fn bundled() -> Result<Vec<Template>, TemplateError> {
    BUNDLED
        .iter()
        .map(|(name, text)| {
            Template::parse(text, &Path::new("templates").join(format!("{name}.toml")))
        })
        .collect()
}

/// The bundled templates and those in `user_dir` (a user's template replaces a bundled one
/// with the same id), sorted by id.
pub fn all(user_dir: &Path) -> Result<Vec<Template>, TemplateError> {
    let mut templates = bundled()?;
    for own in Template::load_dir(user_dir)? {
        templates.retain(|t| t.id != own.id);
        templates.push(own);
    }
    templates.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(templates)
}

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
    /// The texts a planner matches an intent against, each on its own (a template is as close
    /// as its closest one): title with description, then each intent.
    pub fn documents(&self) -> Vec<String> {
        std::iter::once(format!("{}. {}", self.title, self.description))
            .chain(self.intents.iter().cloned())
            .collect()
    }

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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn every_template_file_is_bundled_and_parses() {
        let on_disk = Template::load_dir(&Template::bundled_dir()).expect("the templates parse");
        let bundled = bundled().expect("the bundled templates parse");
        let ids = |ts: &[Template]| ts.iter().map(|t| t.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&on_disk), ids(&bundled), "add new files to BUNDLED");
        assert_eq!(on_disk, bundled);
        assert!(
            bundled.len() >= 10,
            "the library has at least ten templates"
        );
    }
}
