//! The JSON Schema of `symphony-extension.toml` for editors (taplo, Even Better TOML),
//! generated from [`ManifestFile`]; the checked-in copy is
//! `extensions/symphony-extension.schema.json` and a test fails when it is stale
//! (`UPDATE_SCHEMA=1 cargo nextest run -p extensions schema` rewrites it).

use super::file::ManifestFile;

/// The schema as pretty JSON, ending in a newline.
pub fn manifest_schema() -> String {
    let schema = schemars::schema_for!(ManifestFile);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checked_in_schema_is_current() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("symphony-extension.schema.json");
        let text = manifest_schema();
        assert!(
            text.contains("\"permissions\""),
            "the schema lists the fields"
        );
        if std::env::var_os("UPDATE_SCHEMA").is_some() {
            std::fs::write(&path, &text).expect("the schema can be written");
            return;
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == text,
            "{} is stale: run `UPDATE_SCHEMA=1 cargo nextest run -p extensions schema`",
            path.display()
        );
    }
}
