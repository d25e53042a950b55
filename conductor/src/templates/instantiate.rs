//! Checking a template and filling its parameters in.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::Template;
use crate::plan::{Plan, Step};

/// What is wrong with a template or its parameters; each names the file or parameter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateError {
    /// The file could not be read.
    #[error("cannot read the template {}: {message}", path.display())]
    Io {
        /// Which.
        path: PathBuf,
        /// The system's reason.
        message: String,
    },
    /// The file is not a template.
    #[error("{}: {message}", path.display())]
    Parse {
        /// Which.
        path: PathBuf,
        /// What is wrong, with its line.
        message: String,
    },
    /// A step names a parameter the template does not declare.
    #[error(
        "{}: steps[{index}] uses `{{{{{name}}}}}`, which is not in `[params]`; declare it",
        path.display()
    )]
    UndeclaredParam {
        /// Which file.
        path: PathBuf,
        /// Which step.
        index: usize,
        /// The parameter.
        name: String,
    },
    /// The template has no steps.
    #[error("{}: a template needs at least one `[[steps]]`", path.display())]
    NoSteps {
        /// Which file.
        path: PathBuf,
    },
    /// Two templates share an id.
    #[error("two templates in {} have the id `{id}`; ids must be unique", dir.display())]
    DuplicateId {
        /// The id.
        id: String,
        /// Where.
        dir: PathBuf,
    },
    /// A parameter without a default was not given.
    #[error("template `{template}` needs the parameter `{name}`: {description}")]
    Missing {
        /// The template.
        template: String,
        /// The parameter.
        name: String,
        /// What it means.
        description: String,
    },
    /// A parameter given that the template does not have.
    #[error("template `{template}` has no parameter `{name}`; it has: {known}")]
    Unknown {
        /// The template.
        template: String,
        /// The parameter given.
        name: String,
        /// Those it has.
        known: String,
    },
}

impl TemplateError {
    pub(crate) fn io(path: &Path, e: &std::io::Error) -> TemplateError {
        TemplateError::Io {
            path: path.to_owned(),
            message: e.to_string(),
        }
    }
}

impl Template {
    /// Checks that it has steps and that every placeholder is declared.
    pub(super) fn check(&self, path: &Path) -> Result<(), TemplateError> {
        if self.steps.is_empty() {
            return Err(TemplateError::NoSteps {
                path: path.to_owned(),
            });
        }
        for (index, step) in self.steps.iter().enumerate() {
            let mut used = BTreeSet::new();
            placeholders(&Value::Object(step.params.clone()), &mut used);
            if let Some(name) = used.into_iter().find(|n| !self.params.contains_key(n)) {
                return Err(TemplateError::UndeclaredParam {
                    path: path.to_owned(),
                    index,
                    name,
                });
            }
        }
        Ok(())
    }

    /// The plan for `intent` with `values` filling the parameters (defaults for the rest).
    /// A string that is exactly one placeholder takes the value as it is (a number stays a
    /// number); placeholders inside longer strings are replaced by the value's text.
    pub fn instantiate(
        &self,
        intent: &str,
        values: &Map<String, Value>,
    ) -> Result<Plan, TemplateError> {
        if let Some(name) = values.keys().find(|k| !self.params.contains_key(*k)) {
            return Err(TemplateError::Unknown {
                template: self.id.clone(),
                name: name.clone(),
                known: self.params.keys().cloned().collect::<Vec<_>>().join(", "),
            });
        }
        let mut filled = Map::new();
        for (name, param) in &self.params {
            let value = values.get(name).or(param.default.as_ref()).ok_or_else(|| {
                TemplateError::Missing {
                    template: self.id.clone(),
                    name: name.clone(),
                    description: param.description.clone(),
                }
            })?;
            filled.insert(name.clone(), value.clone());
        }
        let steps = self
            .steps
            .iter()
            .map(|step| Step {
                params: match fill(&Value::Object(step.params.clone()), &filled) {
                    Value::Object(params) => params,
                    _ => step.params.clone(),
                },
                ..step.clone()
            })
            .collect();
        Ok(Plan {
            intent: intent.to_owned(),
            steps,
            input: self.input.clone(),
        })
    }
}

/// The names of the `{{name}}` placeholders in `value`'s strings.
fn placeholders(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::String(s) => {
            let mut rest = s.as_str();
            while let Some(start) = rest.find("{{") {
                let Some(len) = rest[start + 2..].find("}}") else {
                    break;
                };
                out.insert(rest[start + 2..start + 2 + len].trim().to_owned());
                rest = &rest[start + 2 + len + 2..];
            }
        }
        Value::Array(items) => items.iter().for_each(|v| placeholders(v, out)),
        Value::Object(map) => map.values().for_each(|v| placeholders(v, out)),
        _ => {}
    }
}

fn fill(value: &Value, values: &Map<String, Value>) -> Value {
    match value {
        Value::String(s) => {
            let trimmed = s.trim();
            if let Some(name) = trimmed
                .strip_prefix("{{")
                .and_then(|t| t.strip_suffix("}}"))
                .filter(|n| !n.contains("{{"))
                && let Some(v) = values.get(name.trim())
            {
                return v.clone();
            }
            let mut text = s.clone();
            for (name, v) in values {
                let shown = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                text = text.replace(&format!("{{{{{name}}}}}"), &shown);
            }
            Value::String(text)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| fill(v, values)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), fill(v, values)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const SHOUT: &str = r#"
title = "Shout the words"
description = "One word per line, in capitals."
intents = ["shout every word"]
input = "text"

[params.limit]
description = "Most words kept"
default = 100

[[steps]]
id = "split"
capability = "text.split-words"
params = { max = "{{limit}}", note = "at most {{limit}} words" }

[[steps]]
id = "shout"
capability = "text.upper"
after = ["split"]
"#;

    fn shout() -> Template {
        Template::parse(SHOUT, Path::new("templates/shout.toml")).unwrap()
    }

    #[test]
    fn the_id_comes_from_the_file_and_defaults_fill_placeholders() {
        let t = shout();
        assert_eq!(t.id, "shout");
        let plan = t.instantiate("shout it", &Map::new()).unwrap();
        assert_eq!(
            plan.steps[0].params["max"],
            Value::from(100),
            "a number stays one"
        );
        assert_eq!(plan.steps[0].params["note"], "at most 100 words");
        assert_eq!(plan.input.as_deref(), Some("text"));
        let mut values = Map::new();
        values.insert("limit".into(), Value::from(3));
        let plan = t.instantiate("shout it", &values).unwrap();
        assert_eq!(plan.steps[0].params["max"], Value::from(3));
    }

    #[test]
    fn unknown_missing_and_undeclared_parameters_are_named() {
        let mut values = Map::new();
        values.insert("limt".into(), Value::from(3));
        let e = shout().instantiate("x", &values).unwrap_err();
        assert!(
            e.to_string().contains("no parameter `limt`; it has: limit"),
            "{e}"
        );

        let no_default = SHOUT.replace("default = 100\n", "");
        let t = Template::parse(&no_default, Path::new("s.toml")).unwrap();
        let e = t.instantiate("x", &Map::new()).unwrap_err();
        assert!(e.to_string().contains("needs the parameter `limit`"), "{e}");

        let undeclared = SHOUT.replace("{{limit}} words", "{{count}} words");
        let e = Template::parse(&undeclared, Path::new("s.toml")).unwrap_err();
        assert!(
            e.to_string()
                .contains("steps[0] uses `{{count}}`, which is not in `[params]`"),
            "{e}"
        );
    }

    #[test]
    fn a_broken_file_names_itself_and_the_line() {
        let e = Template::parse("title = ", Path::new("templates/bad.toml")).unwrap_err();
        let text = e.to_string();
        assert!(text.starts_with("templates/bad.toml: "), "{text}");
        assert!(text.contains("line 1"), "{text}");
    }
}
