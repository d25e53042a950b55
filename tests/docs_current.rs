//! The README's key table is generated from the keymap, so the two cannot drift apart.
//! `UPDATE_DOCS=1 cargo test --test docs_current` rewrites it.
#![allow(clippy::expect_used)]

use symphony::app::keymap::Keymap;

const START: &str = "<!-- keys:start";
const END: &str = "<!-- keys:end -->";

fn key_table() -> String {
    let mut table = String::from("| keys | what they do |\n|---|---|\n");
    let mut current = String::new();
    for (section, keys, description) in Keymap::default().help_rows() {
        if section != current {
            table.push_str(&format!("| **{section}** | |\n"));
            current = section;
        }
        table.push_str(&format!("| `{keys}` | {description} |\n"));
    }
    table
}

#[test]
fn the_readme_lists_every_key() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md is readable");
    let start = readme
        .find(START)
        .expect("README.md has the keys:start marker");
    let start = start + readme[start..].find("-->\n").expect("the marker is closed") + 4;
    let end = readme.find(END).expect("README.md has the keys:end marker");
    let wanted = key_table();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        let updated = format!("{}{wanted}{}", &readme[..start], &readme[end..]);
        std::fs::write(&path, updated).expect("README.md is writable");
        return;
    }
    assert!(
        readme[start..end] == wanted,
        "README.md's key table is stale: run `UPDATE_DOCS=1 cargo test --test docs_current`"
    );
}
