//! The syntaxes the plugin knows, and which one a buffer gets.

use std::path::Path;

use syntect::parsing::{SyntaxDefinition, SyntaxReference, SyntaxSet};

use crate::syntect_plugin::error::PluginError;
use crate::syntect_plugin::protocol::LanguageId;

/// syntect's defaults have no TOML, which Symphony's own files are written in.
const TOML_SYNTAX: &str = include_str!("../../assets/TOML.sublime-syntax");

/// syntect's default syntaxes (the "newlines" flavour: lines are parsed with
/// their `\n`) plus the bundled TOML syntax.
pub fn load_syntax_set() -> Result<SyntaxSet, PluginError> {
    let toml = SyntaxDefinition::load_from_str(TOML_SYNTAX, true, Some("TOML")).map_err(|e| {
        PluginError::Syntax {
            name: "TOML",
            reason: e.to_string(),
        }
    })?;
    let mut builder = SyntaxSet::load_defaults_newlines().into_builder();
    builder.add(toml);
    Ok(builder.build())
}

/// The syntax for a buffer: by the language the core chose, else by the
/// file's extension, else plain text (which still replaces stale spans).
pub fn syntax_for<'a>(
    syntaxes: &'a SyntaxSet,
    language: &LanguageId,
    path: Option<&str>,
) -> &'a SyntaxReference {
    syntaxes
        .find_syntax_by_name(&language.0)
        .or_else(|| {
            let path = Path::new(path?);
            let ext = path.extension().or_else(|| path.file_name())?.to_str()?;
            syntaxes.find_syntax_by_extension(ext)
        })
        .unwrap_or_else(|| syntaxes.find_syntax_plain_text())
}

#[cfg(test)]
#[path = "syntaxes_tests.rs"]
mod tests;
