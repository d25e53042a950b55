//! Pre-validation: shape (serde), then ids, versions, names, globs, hosts and limits. Every
//! problem is collected, so a user fixes them all in one go. No business rules: OFB decides
//! whether a valid manifest may be installed or granted.

use std::collections::HashSet;

use super::file::{ConfigType, ExtensionKind, ManifestFile, PricingModel, RuntimeKind};
use super::grant::{Endpoint, check_host, parse_grant};
use super::limits::{Limits, OPEN_FILES, PROCESSES, TypeRanges};
use super::location::FieldPath;
use super::{ExtensionId, Manifest};

/// One problem, before it is located in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The field.
    pub field: FieldPath,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// Collects problems.
#[derive(Debug, Default)]
struct Problems(Vec<Problem>);

impl Problems {
    fn add(&mut self, field: FieldPath, message: impl Into<String>) {
        self.0.push(Problem {
            field,
            message: message.into(),
        });
    }
}

/// Check a deserialised manifest and resolve its defaults.
pub fn validate(file: ManifestFile) -> Result<Manifest, Vec<Problem>> {
    let mut p = Problems::default();
    let id = match ExtensionId::parse(&file.id) {
        Ok(id) => Some(id),
        Err(e) => {
            p.add(FieldPath::key("id"), e);
            None
        }
    };
    let version = match semver::Version::parse(&file.version) {
        Ok(v) => Some(v),
        Err(e) => {
            p.add(
                FieldPath::key("version"),
                format!(
                    "`{}` is not a semantic version (MAJOR.MINOR.PATCH, e.g. 1.0.0): {e}",
                    file.version
                ),
            );
            None
        }
    };
    text_field(&mut p, "name", &file.name, 64);
    text_field(&mut p, "author", &file.author, 128);
    text_field(&mut p, "license", &file.license, 64);
    if !file
        .license
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || " .-+()".contains(c))
    {
        p.add(
            FieldPath::key("license"),
            format!(
                "`{}` is not an SPDX expression (e.g. `MIT OR Apache-2.0`)",
                file.license
            ),
        );
    }
    check_capabilities(&mut p, &file);
    let (fs_read, fs_write) = check_permissions(&mut p, &file);
    let limits = check_limits(&mut p, &file);
    check_runtime(&mut p, &file);
    check_config(&mut p, &file);
    check_artifacts(&mut p, &file);
    check_look_and_price(&mut p, &file);
    match (id, version, p.0.is_empty()) {
        (Some(id), Some(version), true) => Ok(Manifest {
            id,
            version,
            limits,
            fs_read,
            fs_write,
            file,
        }),
        _ => Err(p.0),
    }
}

fn text_field(p: &mut Problems, key: &str, value: &str, max: usize) {
    if value.trim().is_empty() {
        p.add(FieldPath::key(key), "must not be empty");
    } else if value.chars().count() > max {
        p.add(
            FieldPath::key(key),
            format!("is longer than {max} characters"),
        );
    }
}

/// `[a-z][a-z0-9_-]*`, at most 64 bytes.
fn is_method_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z'))
        && s.len() <= 64
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_' | '-'))
}

fn check_capabilities(p: &mut Problems, file: &ManifestFile) {
    let base = FieldPath::key("capabilities");
    if file.capabilities.is_empty() {
        p.add(
            base.clone(),
            "list at least one `[[capabilities]]` with a `method`",
        );
    }
    let mut seen = HashSet::new();
    for (i, c) in file.capabilities.iter().enumerate() {
        let field = base.at(i).then("method");
        if !is_method_name(&c.method) {
            p.add(
                field,
                format!("`{}` is not a method name: use lowercase letters, digits, `-` and `_`, starting with a letter", c.method),
            );
        } else if !seen.insert(c.method.as_str()) {
            p.add(field, format!("method `{}` is listed twice", c.method));
        }
        if let Some(provides) = &c.provides
            && !is_capability_name(provides)
        {
            p.add(
                base.at(i).then("provides"),
                format!(
                    "`{provides}` is not a capability name: use lowercase words of letters, \
                     digits, `-` and `_` joined by dots, starting with a letter (`text.upper`)"
                ),
            );
        }
    }
}

/// Dot-joined method names (`text.upper`), at most 128 bytes.
fn is_capability_name(s: &str) -> bool {
    s.len() <= 128 && s.split('.').all(is_method_name)
}

fn check_permissions(
    p: &mut Problems,
    file: &ManifestFile,
) -> (Vec<super::FsGrant>, Vec<super::FsGrant>) {
    let base = FieldPath::key("permissions");
    let mut grants = |key: &str, globs: &[String]| {
        let mut out = Vec::with_capacity(globs.len());
        for (i, glob) in globs.iter().enumerate() {
            match parse_grant(glob) {
                Ok(g) => out.push(g),
                Err(e) => p.add(base.then(key).at(i), e),
            }
        }
        out
    };
    let read = grants("fs", &file.permissions.fs);
    let write = grants("fs_write", &file.permissions.fs_write);
    for (i, host) in file.permissions.network.iter().enumerate() {
        if let Err(e) = check_host(host) {
            p.add(base.then("network").at(i), e);
        }
    }
    for (i, model) in file.permissions.model.iter().enumerate() {
        if !is_method_name(model) && !model.contains('/') {
            p.add(
                base.then("model").at(i),
                format!("`{model}` is not a model name (lowercase, digits, `-`, `_`, `/`)"),
            );
        }
    }
    for (i, peer) in file.permissions.ipc.iter().enumerate() {
        let ok = match peer.strip_prefix("ext:") {
            Some(id) => ExtensionId::parse(id).is_ok(),
            None => matches!(peer.as_str(), "editor" | "artifacts"),
        };
        if !ok {
            p.add(
                base.then("ipc").at(i),
                format!("`{peer}` is not `editor`, `artifacts` or `ext:EXTENSION-ID`"),
            );
        }
    }
    (read, write)
}

fn check_limits(p: &mut Problems, file: &ManifestFile) -> Limits {
    let ranges = TypeRanges::of(file.kind);
    let r = &file.resources;
    let d = ranges.defaults;
    let base = FieldPath::key("resources");
    let kind = kind_name(file.kind);
    let mut within = |key: &str, value: u64, range: (u64, u64), unit: &str| {
        if value < range.0 || value > range.1 {
            p.add(
                base.then(key),
                format!(
                    "{value}{unit} is outside the {kind} range {}–{}{unit}",
                    range.0, range.1
                ),
            );
        }
    };
    let timeout = r.timeout_seconds.unwrap_or(d.timeout_seconds);
    within(
        "timeout_seconds",
        timeout,
        (
            *ranges.timeout_seconds.start(),
            *ranges.timeout_seconds.end(),
        ),
        " s",
    );
    let memory = r.memory_mb.unwrap_or(d.memory_mb);
    within(
        "memory_mb",
        memory,
        (*ranges.memory_mb.start(), *ranges.memory_mb.end()),
        " MiB",
    );
    let retries = r.retries.unwrap_or(d.retries);
    within(
        "retries",
        u64::from(retries),
        (
            u64::from(*ranges.retries.start()),
            u64::from(*ranges.retries.end()),
        ),
        "",
    );
    let cpu = r.cpu_seconds.unwrap_or(timeout);
    within(
        "cpu_seconds",
        cpu,
        (1, timeout.max(1)),
        " s (at most the timeout)",
    );
    let open_files = r.open_files.unwrap_or(d.open_files);
    within(
        "open_files",
        open_files,
        (*OPEN_FILES.start(), *OPEN_FILES.end()),
        "",
    );
    let spawn = file
        .permissions
        .system
        .contains(&super::file::SystemPermission::Spawn);
    let processes = r.processes.unwrap_or(if spawn { 16 } else { d.processes });
    within(
        "processes",
        processes,
        (*PROCESSES.start(), *PROCESSES.end()),
        "",
    );
    Limits {
        memory_mb: memory,
        cpu_seconds: cpu,
        timeout_seconds: timeout,
        retries,
        open_files,
        processes,
    }
}

fn kind_name(kind: ExtensionKind) -> &'static str {
    match kind {
        ExtensionKind::Instrument => "instrument",
        ExtensionKind::Operator => "operator",
        ExtensionKind::Motif => "motif",
    }
}

/// A path inside the extension's directory: relative, without `..`.
fn is_inner_path(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && path.split('/').all(|s| !s.is_empty() && s != "..")
}

fn check_runtime(p: &mut Problems, file: &ManifestFile) {
    let rt = &file.runtime;
    let base = FieldPath::key("runtime");
    let mut unexpected = |key: &str, present: bool| {
        if present {
            p.add(
                base.then(key),
                format!("`{key}` does not apply to a `{:?}` runtime", rt.kind).to_lowercase(),
            );
        }
    };
    match rt.kind {
        RuntimeKind::Wasm => {
            unexpected("command", rt.command.is_some());
            unexpected("args", !rt.args.is_empty());
            unexpected("endpoint", rt.endpoint.is_some());
        }
        RuntimeKind::Native => {
            unexpected("module", rt.module.is_some());
            unexpected("endpoint", rt.endpoint.is_some());
        }
        RuntimeKind::Api => {
            unexpected("module", rt.module.is_some());
            unexpected("command", rt.command.is_some());
            unexpected("args", !rt.args.is_empty());
        }
    }
    match rt.kind {
        RuntimeKind::Wasm => match &rt.module {
            None => p.add(base.then("module"), "a wasm runtime needs `module = \"NAME.wasm\"` (or `.wat`)"),
            Some(m) if !is_inner_path(m) => p.add(
                base.then("module"),
                format!("`{m}` must be a relative path inside the extension's directory"),
            ),
            Some(m) if !(m.ends_with(".wasm") || m.ends_with(".wat")) => {
                p.add(base.then("module"), format!("`{m}` is neither `.wasm` nor `.wat`"));
            }
            Some(_) => {}
        },
        RuntimeKind::Native => match &rt.command {
            None => p.add(base.then("command"), "a native runtime needs `command = \"PROGRAM\"`"),
            Some(c) if c.starts_with('/') || c.split('/').any(|s| s == "..") => p.add(
                base.then("command"),
                format!("`{c}` must be a bare program name or a relative path inside the extension's directory"),
            ),
            Some(_) => {}
        },
        RuntimeKind::Api => match rt.endpoint.as_deref().map(Endpoint::parse) {
            None => p.add(base.then("endpoint"), "an api runtime needs `endpoint = \"https://…\"`"),
            Some(Err(e)) => p.add(base.then("endpoint"), e),
            // The host calls the endpoint with the extension's network grants only.
            Some(Ok(endpoint)) if !file.permissions.network.iter().any(|g| endpoint.granted_by(g)) => p.add(
                base.then("endpoint"),
                format!(
                    "`{}:{}` is not granted: add it to `permissions.network`",
                    endpoint.host, endpoint.port
                ),
            ),
            Some(Ok(_)) => {}
        },
    }
}

fn check_config(p: &mut Problems, file: &ManifestFile) {
    for (name, field) in &file.config {
        let path = FieldPath::key("config").then(name);
        if !is_method_name(name) {
            p.add(
                path.clone(),
                format!("`{name}` is not a setting name (lowercase, digits, `-`, `_`)"),
            );
        }
        if !field.choices.is_empty() && field.kind != ConfigType::String {
            p.add(
                path.then("choices"),
                "only a `string` setting can have choices",
            );
        }
        if let Some(toml::Value::String(default)) = &field.default
            && !field.choices.is_empty()
            && !field.choices.contains(default)
        {
            p.add(
                path.then("default"),
                format!(
                    "the default `{default}` is not one of the choices: {}",
                    field.choices.join(", ")
                ),
            );
        }
        if let Some(default) = &field.default {
            let fits = matches!(
                (field.kind, default),
                (ConfigType::String, toml::Value::String(_))
                    | (ConfigType::Integer, toml::Value::Integer(_))
                    | (
                        ConfigType::Number,
                        toml::Value::Integer(_) | toml::Value::Float(_)
                    )
                    | (ConfigType::Boolean, toml::Value::Boolean(_))
            );
            if !fits {
                p.add(
                    path.then("default"),
                    format!(
                        "the default is a {}, not a {:?}",
                        default.type_str(),
                        field.kind
                    )
                    .to_lowercase(),
                );
            }
            if field.required {
                p.add(
                    path.then("required"),
                    "a required setting cannot have a default",
                );
            }
        }
    }
}

fn check_artifacts(p: &mut Problems, file: &ManifestFile) {
    for (key, specs) in [
        ("inputs", &file.artifacts.inputs),
        ("outputs", &file.artifacts.outputs),
    ] {
        let mut seen = HashSet::new();
        for (i, spec) in specs.iter().enumerate() {
            let path = FieldPath::key("artifacts").then(key).at(i);
            if !is_method_name(&spec.name) {
                p.add(
                    path.then("name"),
                    format!(
                        "`{}` is not a port name (lowercase, digits, `-`, `_`)",
                        spec.name
                    ),
                );
            } else if !seen.insert(spec.name.as_str()) {
                p.add(
                    path.then("name"),
                    format!("`{}` is listed twice", spec.name),
                );
            }
            let mt = &spec.media_type;
            let valid = mt.split_once('/').is_some_and(|(a, b)| {
                !a.is_empty() && !b.is_empty() && !mt.contains(char::is_whitespace)
            });
            if !valid {
                p.add(
                    path.then("media_type"),
                    format!("`{mt}` is not a media type such as `text/plain`"),
                );
            }
        }
    }
}

fn check_look_and_price(p: &mut Problems, file: &ManifestFile) {
    let board = FieldPath::key("board");
    if let Some(icon) = &file.board.icon
        && icon.chars().count() != 1
    {
        p.add(
            board.then("icon"),
            format!("`{icon}` must be exactly one character"),
        );
    }
    if let Some(color) = &file.board.color {
        let hex = color.strip_prefix('#').unwrap_or("");
        if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            p.add(
                board.then("color"),
                format!("`{color}` is not a colour `#rrggbb`"),
            );
        }
    }
    if let Some(label) = &file.board.label
        && (label.is_empty() || label.chars().count() > 16)
    {
        p.add(board.then("label"), "must be 1–16 characters");
    }
    let price = FieldPath::key("pricing").then("price_cents");
    match (file.pricing.model, file.pricing.price_cents) {
        (PricingModel::Free, Some(_)) => p.add(price, "a free extension has no price"),
        (PricingModel::Free, None) => {}
        (_, None | Some(0)) => p.add(price, "a paid extension needs a price above 0"),
        (_, Some(_)) => {}
    }
}
