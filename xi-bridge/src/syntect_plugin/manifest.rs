//! The plugin's `manifest.toml`, which is how xi-core finds and starts it.
//!
//! xi-core 0.3, on `client_started {config_dir}`, reads
//! `{config_dir}/plugins/*/manifest.toml` (`plugins/catalog.rs`), builds its
//! language table from every manifest's `languages` (`syntax.rs`: a buffer's
//! language is the one listing its file extension, or its whole file name),
//! and launches every plugin it found (`tabs.rs`, `finish_setup`).

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::syntect_plugin::languages::{LANGUAGES, LanguageDefinition};

/// The plugin's name in the manifest and in the core's `plugin_started`.
pub const PLUGIN_NAME: &str = "syntect";

/// Writes `{plugins_dir}/syntect/manifest.toml` for the plugin binary `exec`
/// and returns the manifest's path.
///
/// `plugins_dir` is the core's `{config_dir}/plugins`. The languages come from
/// the compiled-in [`LANGUAGES`] table, so this loads no syntax and takes
/// microseconds. The file is replaced atomically, so a core starting meanwhile
/// never reads half of it.
pub fn install_manifest(plugins_dir: &Path, exec: &Path) -> io::Result<PathBuf> {
    let exec = std::path::absolute(exec)?;
    let exec = exec.to_str().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "the plugin path {} is not valid UTF-8, which a TOML manifest cannot hold; \
                 install symphony-xi-syntect under a UTF-8 path",
                exec.display()
            ),
        )
    })?;
    let dir = plugins_dir.join(PLUGIN_NAME);
    let path = dir.join("manifest.toml");
    let manifest = render_manifest(exec, LANGUAGES);
    // Every start calls this: leave an identical manifest alone, so that instances starting
    // together do not write it at once.
    if fs::read_to_string(&path).is_ok_and(|existing| existing == manifest) {
        return Ok(path);
    }
    fs::create_dir_all(&dir)?;
    // One temporary file per process, so a concurrent start never renames our half-written one.
    let tmp = dir.join(format!(".manifest.toml.{}.tmp", std::process::id()));
    fs::write(&tmp, manifest)?;
    fs::rename(&tmp, &path)?;
    Ok(path)
}

/// The manifest text, in the shape of xi-core 0.3's `PluginDescription`.
pub fn render_manifest(exec: &str, languages: &[LanguageDefinition]) -> String {
    let mut out = String::new();
    out.push_str(
        "# Written by Symphony (xi-bridge syntect_plugin::install_manifest); edits are replaced.\n",
    );
    // `writeln!` into a String cannot fail.
    let _ = writeln!(out, "name = {}", toml_string(PLUGIN_NAME));
    let _ = writeln!(out, "version = {}", toml_string(env!("CARGO_PKG_VERSION")));
    // One process serves every buffer.
    out.push_str("scope = \"global\"\n");
    let _ = writeln!(out, "exec_path = {}", toml_string(exec));
    // xi 0.3 starts every plugin it finds regardless; `autorun` says so explicitly.
    out.push_str("activations = [\"autorun\"]\n");
    for lang in languages {
        out.push_str("\n[[languages]]\n");
        let _ = writeln!(out, "name = {}", toml_string(lang.name));
        let exts: Vec<String> = lang.extensions.iter().map(|e| toml_string(e)).collect();
        let _ = writeln!(out, "extensions = [{}]", exts.join(", "));
        let _ = writeln!(out, "scope = {}", toml_string(lang.scope));
        if let Some(first_line) = lang.first_line_match {
            let _ = writeln!(out, "first_line_match = {}", toml_string(first_line));
        }
    }
    out
}

/// A TOML basic string holding `s` exactly.
fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn strings_are_escaped_for_toml() {
        assert_eq!(toml_string("a\"b\\c\nd\u{1}"), "\"a\\\"b\\\\c\\nd\\u0001\"");
    }

    #[test]
    fn the_manifest_has_the_fields_xi_core_reads() {
        let langs = [LanguageDefinition {
            name: "Shell",
            extensions: &["sh", ".bashrc"],
            first_line_match: Some("^#!.*\\b(bash)\\b"),
            scope: "source.shell",
        }];
        let text = render_manifest("/opt/symphony/symphony-xi-syntect", &langs);
        assert!(text.contains("name = \"syntect\"\n"));
        assert!(text.contains("exec_path = \"/opt/symphony/symphony-xi-syntect\"\n"));
        assert!(text.contains("activations = [\"autorun\"]\n"));
        assert!(
            text.contains("[[languages]]\nname = \"Shell\"\nextensions = [\"sh\", \".bashrc\"]\n")
        );
        assert!(text.contains("first_line_match = \"^#!.*\\\\b(bash)\\\\b\"\n"));
    }

    #[test]
    fn install_writes_the_manifest_under_plugins_syntect() {
        let dir = tempfile::tempdir().unwrap();
        let path = install_manifest(dir.path(), Path::new("relative/bin")).unwrap();
        assert_eq!(path, dir.path().join("syntect").join("manifest.toml"));
        let text = fs::read_to_string(&path).unwrap();
        let exec = std::path::absolute("relative/bin").unwrap();
        assert!(text.contains(&format!(
            "exec_path = {}",
            toml_string(exec.to_str().unwrap())
        )));
        assert!(text.contains("name = \"TOML\""));
        let files: Vec<_> = fs::read_dir(dir.path().join("syntect"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(files, ["manifest.toml"], "no temporary file is left behind");
    }

    #[test]
    fn install_leaves_an_identical_manifest_alone_and_replaces_a_different_one() {
        let dir = tempfile::tempdir().unwrap();
        let exec = dir.path().join("plugin");
        let path = install_manifest(dir.path(), &exec).unwrap();
        let long_ago = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1 << 30);
        let set_old = || {
            fs::File::options()
                .write(true)
                .open(&path)
                .unwrap()
                .set_modified(long_ago)
                .unwrap();
        };
        set_old();
        install_manifest(dir.path(), &exec).unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().modified().unwrap(),
            long_ago,
            "identical: not written again"
        );
        fs::write(&path, "# fingerprint: an older Symphony\n").unwrap();
        set_old();
        install_manifest(dir.path(), &exec).unwrap();
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            render_manifest(exec.to_str().unwrap(), LANGUAGES),
            "different: replaced"
        );
    }
}
