//! The syntaxes the plugin knows, and the language list the core gets from them.

use std::collections::HashSet;
use std::path::Path;

use syntect::parsing::{SyntaxDefinition, SyntaxReference, SyntaxSet};

use crate::syntect_plugin::error::PluginError;
use crate::syntect_plugin::protocol::LanguageId;

/// syntect's defaults have no TOML, which Symphony's own files are written in.
const TOML_SYNTAX: &str = include_str!("../../assets/TOML.sublime-syntax");

/// A language as the core's manifest parser (`LanguageDefinition`) reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanguageDefinition {
    /// The name the core reports and sends back as the buffer's `syntax`;
    /// equal to the syntect syntax name so the plugin can find it again.
    pub name: String,
    /// File extensions, or whole file names such as `Makefile`.
    pub extensions: Vec<String>,
    /// A regex for the first line, if the syntax has one.
    pub first_line_match: Option<String>,
    /// The syntax's top-level scope, e.g. `source.rust`.
    pub scope: String,
}

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

/// The languages to declare in the manifest: every syntax with a file extension.
///
/// An extension claimed by several syntaxes (`h`: C++, C, Objective-C…) is
/// kept for the first only; the core would otherwise pick whichever comes
/// last in the manifest, and C headers would open as Objective-C.
pub fn language_definitions(syntaxes: &SyntaxSet) -> Vec<LanguageDefinition> {
    let mut claimed = HashSet::new();
    syntaxes
        .syntaxes()
        .iter()
        .filter_map(|s| {
            let extensions: Vec<String> = s
                .file_extensions
                .iter()
                .filter(|e| claimed.insert(e.as_str()))
                .cloned()
                .collect();
            (!extensions.is_empty()).then(|| LanguageDefinition {
                name: s.name.clone(),
                extensions,
                first_line_match: s.first_line_match.clone(),
                scope: s.scope.build_string(),
            })
        })
        .collect()
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
