//! Reading workflow files: TOML, JSON and WfCommons JSON, plain or gzipped, recognised from
//! their content. Errors carry the parser's line and column.

use std::fmt;
use std::io::Read;
use std::path::Path;

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::file::WorkflowFile;
use super::wfcommons;
use super::workflow::Workflow;
use crate::PitError;

/// The largest input accepted, in bytes, before and after decompression.
pub const MAX_INPUT_BYTES: u64 = 512 << 20;
/// serde_json's nesting limit (it refuses deeper input rather than overflow the stack).
const JSON_DEPTH_LIMIT: usize = 128;
/// Longest parser message kept: messages quote the input, which may be megabytes.
const MAX_MESSAGE: usize = 300;

/// A workflow file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Symphony's format in TOML.
    Toml,
    /// Symphony's format in JSON.
    Json,
    /// WfCommons WfFormat JSON (schema 1.5, 1.0–1.4 or 0.x).
    WfCommons,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Toml => "TOML",
            Format::Json => "JSON",
            Format::WfCommons => "WfCommons JSON",
        })
    }
}

/// How to read files.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoadOptions {
    /// WfCommons tasks sleep for their recorded runtime times this (1 = recorded time).
    pub time_scale: f64,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions { time_scale: 1.0 }
    }
}

/// Reads, parses and validates a workflow file.
pub fn load_workflow(path: &Path, options: &LoadOptions) -> Result<Workflow, PitError> {
    let (_, file) = load_file(path, options)?;
    Workflow::build(&file).map_err(|report| PitError::Invalid {
        origin: path.display().to_string(),
        report,
    })
}

/// Reads and parses a workflow file of any supported format (not yet validated).
pub fn load_file(path: &Path, options: &LoadOptions) -> Result<(Format, WorkflowFile), PitError> {
    let read = |source| PitError::Read {
        path: path.to_owned(),
        source,
    };
    let origin = path.display().to_string();
    let file = std::fs::File::open(path).map_err(read)?;
    let mut bytes = Vec::new();
    file.take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(PitError::TooLarge {
            origin,
            limit: MAX_INPUT_BYTES,
            decompressed: false,
        });
    }
    parse_bytes(&bytes, &origin, options)
}

/// Parses bytes of any supported format: gzip is recognised by its magic bytes, JSON by its
/// opening brace (WfCommons by its top-level `workflow` key), anything else is TOML.
/// `origin` names the input in messages.
pub fn parse_bytes(
    bytes: &[u8],
    origin: &str,
    options: &LoadOptions,
) -> Result<(Format, WorkflowFile), PitError> {
    let unzipped;
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        unzipped = gunzip(bytes, origin)?;
        &unzipped[..]
    } else {
        bytes
    };
    let text = std::str::from_utf8(bytes).map_err(|e| PitError::NotUtf8 {
        origin: origin.to_owned(),
        offset: e.valid_up_to(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match text.trim_start().chars().next() {
        None => Err(PitError::Empty {
            origin: origin.to_owned(),
        }),
        Some('{') if is_wfcommons(text, origin)? => {
            let file = wfcommons::import_str(text, origin, options.time_scale)?;
            Ok((Format::WfCommons, file))
        }
        Some('{') => Ok((Format::Json, parse_json(text, origin)?)),
        Some(_) => Ok((Format::Toml, parse_toml(text, origin)?)),
    }
}

fn gunzip(bytes: &[u8], origin: &str) -> Result<Vec<u8>, PitError> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|source| PitError::Gzip {
            origin: origin.to_owned(),
            source,
        })?;
    if out.len() as u64 > MAX_INPUT_BYTES {
        return Err(PitError::TooLarge {
            origin: origin.to_owned(),
            limit: MAX_INPUT_BYTES,
            decompressed: true,
        });
    }
    Ok(out)
}

/// True if the JSON object has a top-level `workflow` key, as every WfCommons file does.
fn is_wfcommons(text: &str, origin: &str) -> Result<bool, PitError> {
    #[derive(Deserialize)]
    struct Probe {
        workflow: Option<IgnoredAny>,
    }
    let probe: Probe =
        serde_json::from_str(text).map_err(|e| json_error(&e, origin, Format::Json))?;
    Ok(probe.workflow.is_some())
}

/// Parses Symphony's TOML format.
pub fn parse_toml(text: &str, origin: &str) -> Result<WorkflowFile, PitError> {
    if text.trim().is_empty() {
        return Err(PitError::Empty {
            origin: origin.to_owned(),
        });
    }
    toml::from_str(text).map_err(|e| {
        let (line, column) = e
            .span()
            .map_or((1, 1), |span| line_column(text, span.start));
        PitError::Syntax {
            origin: origin.to_owned(),
            format: Format::Toml,
            line,
            column,
            message: clip(e.message().trim()),
        }
    })
}

/// Parses Symphony's JSON format.
pub fn parse_json(text: &str, origin: &str) -> Result<WorkflowFile, PitError> {
    if text.trim().is_empty() {
        return Err(PitError::Empty {
            origin: origin.to_owned(),
        });
    }
    serde_json::from_str(text).map_err(|e| json_error(&e, origin, Format::Json))
}

/// A serde_json error as a `PitError`, its position moved out of the message.
pub(super) fn json_error(e: &serde_json::Error, origin: &str, format: Format) -> PitError {
    let full = e.to_string();
    let message = full
        .rsplit_once(" at line ")
        .map_or(full.as_str(), |(message, _)| message);
    let (line, column) = (e.line().max(1), e.column().max(1));
    if message.starts_with("recursion limit exceeded") {
        return PitError::TooDeep {
            origin: origin.to_owned(),
            line,
            column,
            limit: JSON_DEPTH_LIMIT,
        };
    }
    PitError::Syntax {
        origin: origin.to_owned(),
        format,
        line,
        column,
        message: clip(message),
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// A message cut to a readable length.
fn clip(message: &str) -> String {
    if message.len() <= MAX_MESSAGE {
        return message.to_owned();
    }
    let mut end = MAX_MESSAGE;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes in all)", &message[..end], message.len())
}

impl WorkflowFile {
    /// BLAKE3 (hex) of the parsed workflow: the same for the same workflow however it was
    /// written (format, layout, comments), different once anything that runs changes.
    pub fn digest(&self) -> String {
        let bytes = serde_json::to_vec(self)
            .expect("a WorkflowFile serialises: its only maps have string keys");
        blake3::hash(&bytes).to_hex().to_string()
    }

    /// The file in Symphony's JSON format, pretty-printed.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self)
            .expect("a WorkflowFile serialises: its only maps have string keys")
    }
}
