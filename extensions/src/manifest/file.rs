//! `symphony-extension.toml` exactly as written: the serde types the file deserialises into and
//! the JSON Schema for editors is generated from. Nothing here is checked beyond its shape;
//! [`super::validate`] turns a [`ManifestFile`] into a checked [`super::Manifest`].

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The whole manifest file.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManifestFile {
    /// Unique id: lowercase dot-separated segments, e.g. `symphony.word-count`.
    pub id: String,
    /// Human-readable name, at most 64 characters.
    pub name: String,
    /// Semantic version, e.g. `1.2.0`.
    pub version: String,
    /// Who wrote it.
    pub author: String,
    /// SPDX licence expression, e.g. `Apache-2.0`.
    pub license: String,
    /// One-paragraph description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Instrument (AI/ML), Operator (workflow utility) or Motif (UI add-on).
    #[serde(rename = "type")]
    pub kind: ExtensionKind,
    /// Essential, Recommended or Optional. [default: optional]
    #[serde(default)]
    pub class: ExtensionClass,
    /// How strictly the host confines it. [default: standard]
    #[serde(default)]
    pub sandbox: SandboxLevel,
    /// The methods it offers; `invoke` accepts only these.
    pub capabilities: Vec<Capability>,
    /// What it may touch; everything else is denied.
    #[serde(default)]
    pub permissions: Permissions,
    /// Resource limits; each defaults per type and must lie in the type's range.
    #[serde(default)]
    pub resources: Resources,
    /// How it runs.
    pub runtime: Runtime,
    /// Its settings, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub config: BTreeMap<String, ConfigField>,
    /// Hints for the Conductor's planner.
    #[serde(default)]
    pub conductor: ConductorHints,
    /// The artifacts it takes and makes.
    #[serde(default)]
    pub artifacts: Artifacts,
    /// How it looks on the Harmony Board.
    #[serde(default)]
    pub board: BoardLook,
    /// What it costs.
    #[serde(default)]
    pub pricing: Pricing,
}

/// The three kinds of extension, each with its own resource ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExtensionKind {
    /// AI/ML: models, embeddings, LLM calls.
    Instrument,
    /// Workflow utilities: transforms, filters, conversions.
    Operator,
    /// UI add-ons: styled lines for a pane or the status bar.
    Motif,
}

/// How much an installation depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExtensionClass {
    /// Symphony needs it.
    Essential,
    /// Most users want it.
    Recommended,
    /// Everything else.
    #[default]
    Optional,
}

/// How strictly the host confines the extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SandboxLevel {
    /// Every confinement must be available (Landlock, a private network namespace); otherwise
    /// the extension does not start.
    Strict,
    /// Confine with whatever the kernel supports and report what was missing.
    #[default]
    Standard,
}

/// One method the extension offers.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Capability {
    /// The method name used in `invoke`: `[a-z][a-z0-9_-]*`.
    pub method: String,
    /// The capability it provides, dotted by domain (`text.upper`, `llm.chat`): extensions
    /// that provide the same capability can stand in for each other in a Conductor plan.
    /// [default: `EXTENSION-ID.METHOD`]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provides: Option<String>,
    /// What it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Grants. Anything not granted is denied.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Permissions {
    /// Globs it may read: absolute, `~/…`, `$PROJECT/…`, `$DATA/…` (its own data directory) or
    /// `$TMP/…`. The host grants the directory before the first wildcard.
    #[serde(default)]
    pub fs: Vec<String>,
    /// Globs it may read and write, in the same syntax as `fs`.
    #[serde(default)]
    pub fs_write: Vec<String>,
    /// Hosts it may reach: `host`, `host:port` or `*.domain`; none means no network at all.
    #[serde(default)]
    pub network: Vec<String>,
    /// System facilities.
    #[serde(default)]
    pub system: Vec<SystemPermission>,
    /// Models it may ask the Pool Manager for, by name.
    #[serde(default)]
    pub model: Vec<String>,
    /// Whom it may talk to: `editor`, `artifacts`, or `ext:ID` for another extension.
    #[serde(default)]
    pub ipc: Vec<String>,
}

/// A system facility an extension can be granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SystemPermission {
    /// Read the environment beyond `PATH`, `HOME` and `LANG`.
    Env,
    /// Start child processes (otherwise the process limit is 1 for native extensions).
    Spawn,
    /// Read and write the clipboard.
    Clipboard,
    /// Show desktop notifications.
    Notify,
}

/// Resource limits; `None` takes the type's default.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Resources {
    /// Memory (address space for native, linear memory for wasm), in MiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_mb: Option<u64>,
    /// CPU time per call, in seconds. [default: the timeout]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_seconds: Option<u64>,
    /// Wall-clock time per call, in seconds; the host kills it at this deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u64>,
    /// How many times a failed call is retried (after a restart of the extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<u32>,
    /// Open file descriptors (native only). [default: 64]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_files: Option<u64>,
    /// Processes and threads it may start (native only; `RLIMIT_NPROC`, which the kernel
    /// counts per user, is set to the user's current count plus this). [default: 1, or 16
    /// with `spawn`]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processes: Option<u64>,
}

/// Where the code runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RuntimeKind {
    /// A WebAssembly module run by wasmtime inside the host.
    Wasm,
    /// A program in any language speaking JSON-RPC 2.0 over stdio.
    Native,
    /// A remote HTTP API, called by the host.
    Api,
}

/// How the extension runs.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Runtime {
    /// wasm, native or api.
    pub kind: RuntimeKind,
    /// wasm: the module (`.wasm` or `.wat`), relative to the manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    /// native: the program, relative to the manifest, or a bare name looked up on `PATH`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// native: its arguments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// api: the base URL (`http://` or `https://`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
}

/// One setting the user can give.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigField {
    /// Its type.
    #[serde(rename = "type")]
    pub kind: ConfigType,
    /// What it means.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its default, of its type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<serde_json::Value>")]
    pub default: Option<toml::Value>,
    /// The user must give it.
    #[serde(default)]
    pub required: bool,
    /// Never shown or logged (API keys).
    #[serde(default)]
    pub secret: bool,
    /// The only values allowed (a `string` setting only), e.g. `["fast", "accurate"]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
}

/// The type of a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ConfigType {
    /// Text.
    String,
    /// A whole number.
    Integer,
    /// A number.
    Number,
    /// true or false.
    Boolean,
}

/// What the Conductor's planner should know.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConductorHints {
    /// Intents it serves, in plain words ("count words", "embed text").
    #[serde(default)]
    pub intents: Vec<String>,
    /// Relative cost of a call.
    #[serde(default)]
    pub cost: CostHint,
    /// Calling it twice with the same input gives the same output.
    #[serde(default)]
    pub idempotent: bool,
}

/// Relative cost of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CostHint {
    /// Cheap enough to call freely.
    #[default]
    Low,
    /// Worth batching.
    Medium,
    /// Call only when needed.
    High,
}

/// The artifacts an extension takes and makes.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Artifacts {
    /// Inputs.
    #[serde(default)]
    pub inputs: Vec<ArtifactSpec>,
    /// Outputs.
    #[serde(default)]
    pub outputs: Vec<ArtifactSpec>,
}

/// One artifact port.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ArtifactSpec {
    /// Port name, unique among the inputs (or outputs).
    pub name: String,
    /// Media type, e.g. `text/plain`.
    pub media_type: String,
    /// The call fails without it (inputs only). [default: true]
    #[serde(default = "yes")]
    pub required: bool,
}

fn yes() -> bool {
    true
}

/// How the extension looks on the Harmony Board.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BoardLook {
    /// One character shown on its nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// `#rrggbb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// Short label, at most 16 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// What the extension costs.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pricing {
    /// The model.
    #[serde(default)]
    pub model: PricingModel,
    /// Price in US cents (per purchase, month or 1,000 calls); not with `free`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_cents: Option<u64>,
}

/// How an extension is paid for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PricingModel {
    /// No charge.
    #[default]
    Free,
    /// Paid once.
    OneTime,
    /// Paid monthly.
    Subscription,
    /// Paid per 1,000 calls.
    Usage,
}
