//! An extension's settings: the manifest's `[config.*]` schema (type, default, `required`,
//! `secret`), the user's values set with `symphony ext config ID KEY VALUE`, and the merge
//! the extension receives with every call.
//!
//! The values live in the extension's data directory: `config.json` for ordinary settings,
//! `secrets.json` (mode 0600) for the ones the manifest marks `secret`; both are JSON objects
//! by setting name. Every value is checked against the schema when it is set and again when
//! it is read (the manifest may have changed since). The supervisor reads them when it starts
//! a host and sends the merge (defaults, overridden by the user's values) in each `invoke`'s
//! `config` member (see [`crate::protocol::InvokeRequest`]).

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use serde_json::{Map, Value};

use crate::error::ExtensionError;
use crate::manifest::Manifest;
use crate::manifest::file::{ConfigField, ConfigType};

/// Ordinary settings, in the data directory.
pub const SETTINGS_FILE: &str = "config.json";
/// Secret settings, in the data directory, readable by the user only.
pub const SECRETS_FILE: &str = "secrets.json";
/// How a secret is shown.
pub const MASK: &str = "********";

/// Where a setting's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The user set it.
    Set,
    /// The manifest's default.
    Default,
    /// Neither.
    Unset,
}

/// One setting, as `symphony ext config ID` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    /// Its name.
    pub name: String,
    /// Its schema.
    pub field: ConfigField,
    /// Its value (not masked: mask with [`Setting::shown`]).
    pub value: Option<Value>,
    /// Where the value comes from.
    pub source: Source,
}

impl Setting {
    /// The value for display: secrets masked, strings bare.
    pub fn shown(&self) -> String {
        match &self.value {
            None => "(unset)".to_owned(),
            Some(_) if self.field.secret => MASK.to_owned(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        }
    }
}

fn error(manifest: &Manifest, key: &str, detail: impl Into<String>) -> ExtensionError {
    ExtensionError::Config {
        id: manifest.id.clone(),
        key: key.to_owned(),
        detail: detail.into(),
    }
}

fn field<'m>(manifest: &'m Manifest, key: &str) -> Result<&'m ConfigField, ExtensionError> {
    manifest.file.config.get(key).ok_or_else(|| {
        let names: Vec<&str> = manifest.file.config.keys().map(String::as_str).collect();
        let known = if names.is_empty() {
            "it declares no settings".to_owned()
        } else {
            format!("its settings: {}", names.join(", "))
        };
        error(
            manifest,
            key,
            format!("is not declared in its manifest ({known})"),
        )
    })
}

/// Parse `raw` (as typed on the command line) as setting `key`'s type.
pub fn parse_value(manifest: &Manifest, key: &str, raw: &str) -> Result<Value, ExtensionError> {
    let field = field(manifest, key)?;
    let bad = |what: &str| error(manifest, key, format!("must be {what}, not `{raw}`"));
    Ok(match field.kind {
        ConfigType::String
            if !field.choices.is_empty() && !field.choices.iter().any(|c| c == raw) =>
        {
            return Err(bad(&format!("one of {}", field.choices.join(", "))));
        }
        ConfigType::String => Value::String(raw.to_owned()),
        ConfigType::Integer => {
            Value::from(raw.trim().parse::<i64>().map_err(|_| bad("an integer"))?)
        }
        ConfigType::Number => {
            let n = raw.trim().parse::<f64>().map_err(|_| bad("a number"))?;
            serde_json::Number::from_f64(n)
                .map(Value::Number)
                .ok_or_else(|| bad("a finite number"))?
        }
        ConfigType::Boolean => match raw.trim() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(bad("`true` or `false`")),
        },
    })
}

/// Whether `value` has `kind`'s type.
fn fits(kind: ConfigType, value: &Value) -> bool {
    match kind {
        ConfigType::String => value.is_string(),
        ConfigType::Integer => value.is_i64() || value.is_u64(),
        ConfigType::Number => value.is_number(),
        ConfigType::Boolean => value.is_boolean(),
    }
}

fn toml_to_json(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => {
            serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
        }
        toml::Value::Boolean(b) => Value::Bool(*b),
        other => serde_json::to_value(other).unwrap_or(Value::Null),
    }
}

fn read_file(path: &Path) -> Result<Map<String, Value>, ExtensionError> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
            ExtensionError::io(
                format!("reading the settings {}", path.display()),
                std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Map::new()),
        Err(e) => Err(ExtensionError::io(
            format!("reading the settings {}", path.display()),
            e,
        )),
    }
}

/// Write `values` to `path` through a temporary file; `secret` files are created 0600.
fn write_file(
    path: &Path,
    values: &Map<String, Value>,
    secret: bool,
) -> Result<(), ExtensionError> {
    let tmp = path.with_extension("json.tmp");
    let io = |e| ExtensionError::io(format!("writing the settings {}", path.display()), e);
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    if secret {
        options.mode(0o600);
    }
    let mut file = options.open(&tmp).map_err(io)?;
    let text = serde_json::to_vec_pretty(values).unwrap_or_default();
    file.write_all(&text)
        .and_then(|()| file.sync_all())
        .map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)?;
    if secret {
        // An older file may have been looser; the rename kept the new one's mode, but make
        // sure whatever is there now is the user's alone.
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
    }
    Ok(())
}

/// The user's stored values (ordinary and secret), each checked against the schema; values
/// of settings the manifest no longer declares are ignored.
fn stored(manifest: &Manifest, data_dir: &Path) -> Result<Map<String, Value>, ExtensionError> {
    let mut values = read_file(&data_dir.join(SETTINGS_FILE))?;
    values.extend(read_file(&data_dir.join(SECRETS_FILE))?);
    values.retain(|key, _| manifest.file.config.contains_key(key));
    for (key, value) in &values {
        let field = field(manifest, key)?;
        if !fits(field.kind, value) {
            return Err(error(
                manifest,
                key,
                format!(
                    "has the stored value {value}, which is not a {:?} as the manifest now says: set it again with `symphony ext config {} {key} VALUE`",
                    field.kind, manifest.id
                )
                .to_lowercase(),
            ));
        }
        if let Value::String(text) = value
            && !field.choices.is_empty()
            && !field.choices.contains(text)
        {
            return Err(error(
                manifest,
                key,
                format!(
                    "has the stored value `{text}`, which is not one of {} as the manifest now \
                     says: set it again with `symphony ext config {} {key} VALUE`",
                    field.choices.join(", "),
                    manifest.id
                ),
            ));
        }
    }
    Ok(values)
}

/// Set `key` to `raw` (checked against its type) and store it; returns the parsed value.
pub fn set(
    manifest: &Manifest,
    data_dir: &Path,
    key: &str,
    raw: &str,
) -> Result<Value, ExtensionError> {
    let value = parse_value(manifest, key, raw)?;
    let secret = field(manifest, key)?.secret;
    std::fs::create_dir_all(data_dir)
        .map_err(|e| ExtensionError::io(format!("creating {}", data_dir.display()), e))?;
    let path = data_dir.join(if secret { SECRETS_FILE } else { SETTINGS_FILE });
    let mut values = read_file(&path)?;
    values.insert(key.to_owned(), value.clone());
    write_file(&path, &values, secret)?;
    Ok(value)
}

/// Every declared setting with its value and where it comes from, by name.
pub fn settings(manifest: &Manifest, data_dir: &Path) -> Result<Vec<Setting>, ExtensionError> {
    let mut user = stored(manifest, data_dir)?;
    Ok(manifest
        .file
        .config
        .iter()
        .map(|(name, field)| {
            let (value, source) = match (user.remove(name), &field.default) {
                (Some(v), _) => (Some(v), Source::Set),
                (None, Some(d)) => (Some(toml_to_json(d)), Source::Default),
                (None, None) => (None, Source::Unset),
            };
            Setting {
                name: name.clone(),
                field: field.clone(),
                value,
                source,
            }
        })
        .collect())
}

/// What the extension receives: the defaults overridden by the user's values. A required
/// setting without a value is an error saying how to set it.
pub fn effective(
    manifest: &Manifest,
    data_dir: &Path,
) -> Result<Map<String, Value>, ExtensionError> {
    if manifest.file.config.is_empty() {
        return Ok(Map::new());
    }
    let mut out = Map::new();
    for setting in settings(manifest, data_dir)? {
        match setting.value {
            Some(value) => {
                out.insert(setting.name, value);
            }
            None if setting.field.required => {
                return Err(error(
                    manifest,
                    &setting.name,
                    format!(
                        "is required: set it with `symphony ext config {} {} VALUE`",
                        manifest.id, setting.name
                    ),
                ));
            }
            None => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"
id = "t.cfg"
name = "t"
version = "1.0.0"
author = "t"
license = "MIT"
type = "instrument"
[[capabilities]]
method = "go"
[runtime]
kind = "native"
command = "x"
[config.base_url]
type = "string"
default = "http://127.0.0.1:8080/v1"
[config.api_key]
type = "string"
secret = true
[config.tokens]
type = "integer"
required = true
[config.temperature]
type = "number"
default = 0.5
[config.stream]
type = "boolean"
default = false
"#;

    fn manifest() -> Manifest {
        Manifest::parse(MANIFEST, "test").expect("valid")
    }

    #[test]
    fn values_are_checked_against_their_type_and_the_error_names_the_key() {
        let m = manifest();
        assert_eq!(
            parse_value(&m, "tokens", "12").expect("int"),
            Value::from(12)
        );
        assert_eq!(
            parse_value(&m, "temperature", "0.25").expect("num"),
            serde_json::json!(0.25)
        );
        assert_eq!(
            parse_value(&m, "stream", "true").expect("bool"),
            Value::Bool(true)
        );
        let e = parse_value(&m, "tokens", "many").expect_err("not an int");
        assert_eq!(
            e.to_string(),
            "extension `t.cfg`: setting `tokens` must be an integer, not `many`"
        );
        let e = parse_value(&m, "stream", "yes").expect_err("not a bool");
        assert!(
            e.to_string().contains("`stream` must be `true` or `false`"),
            "{e}"
        );
        let with_choices = format!(
            "{MANIFEST}[config.mode]\ntype = \"string\"\nchoices = [\"fast\", \"accurate\"]\n"
        );
        let c = Manifest::parse(&with_choices, "test").expect("valid");
        assert_eq!(
            parse_value(&c, "mode", "accurate").expect("a choice"),
            Value::from("accurate")
        );
        let e = parse_value(&c, "mode", "slow").expect_err("not a choice");
        assert!(
            e.to_string()
                .contains("`mode` must be one of fast, accurate, not `slow`"),
            "{e}"
        );
        let e = parse_value(&m, "modle", "x").expect_err("undeclared");
        assert!(
            e.to_string().contains("`modle` is not declared") && e.to_string().contains("base_url"),
            "{e}"
        );
    }

    #[test]
    fn set_values_override_defaults_secrets_are_0600_and_masked() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let m = manifest();
        let e = effective(&m, tmp.path()).expect_err("tokens is required");
        assert!(
            e.to_string()
                .contains("symphony ext config t.cfg tokens VALUE"),
            "{e}"
        );
        set(&m, tmp.path(), "tokens", "64").expect("set");
        set(&m, tmp.path(), "base_url", "http://10.0.0.2/v1").expect("set");
        set(&m, tmp.path(), "api_key", "sk-secret").expect("set");
        let merged = effective(&m, tmp.path()).expect("complete");
        assert_eq!(
            Value::Object(merged),
            serde_json::json!({"base_url": "http://10.0.0.2/v1", "api_key": "sk-secret", "tokens": 64, "temperature": 0.5, "stream": false})
        );
        let secrets = tmp.path().join(SECRETS_FILE);
        let mode = std::fs::metadata(&secrets)
            .expect("secrets")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let plain = std::fs::read_to_string(tmp.path().join(SETTINGS_FILE)).expect("settings");
        assert!(!plain.contains("sk-secret"), "{plain}");
        let shown: Vec<(String, String, Source)> = settings(&m, tmp.path())
            .expect("settings")
            .into_iter()
            .map(|s| (s.name.clone(), s.shown(), s.source))
            .collect();
        assert!(
            shown.contains(&("api_key".into(), MASK.into(), Source::Set)),
            "{shown:?}"
        );
        assert!(
            shown.contains(&("stream".into(), "false".into(), Source::Default)),
            "{shown:?}"
        );
    }

    #[test]
    fn a_stored_value_that_no_longer_fits_the_schema_is_named() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let m = manifest();
        std::fs::write(
            tmp.path().join(SETTINGS_FILE),
            r#"{"tokens": "lots", "gone": 1}"#,
        )
        .expect("write");
        let e = effective(&m, tmp.path()).expect_err("wrong type");
        assert!(
            e.to_string()
                .contains("setting `tokens` has the stored value \"lots\""),
            "{e}"
        );
    }
}
