//! End-to-end: the UI's `update` and keymap against the real `symphony-xi` (and its syntax
//! plugin), the same flows `update_keys.rs` runs in memory.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::Harness;
use symphony::adapters::XiEditor;

const PATIENCE: Duration = Duration::from_secs(10);

fn ready(h: &mut Harness<XiEditor>) {
    assert!(
        h.wait_for(PATIENCE, |s| s
            .active_buffer()
            .is_some_and(|b| b.ready && b.cache.height() > 0)),
        "the buffer opened"
    );
}

#[test]
fn open_edit_save_compare_bytes() {
    let data = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("main.rs");
    let original = "fn main() {\n    println!(\"hello\");\n}\n";
    std::fs::write(&path, original).unwrap();
    let mut h = Harness::xi(120, 40, data.path(), vec![path.clone()]);
    ready(&mut h);
    assert_eq!(h.text(), original);
    h.keys("<C-End>");
    h.type_text("// édité\n");
    h.keys("<C-Home> <End> <BS>");
    h.type_text("{ // start");
    assert!(h.wait_for(PATIENCE, |s| s.active_buffer().unwrap().modified()));
    h.keys("<C-s>");
    let expected = "fn main() { // start\n    println!(\"hello\");\n}\n// édité\n";
    assert!(
        h.wait_for(PATIENCE, |s| !s.active_buffer().unwrap().modified()),
        "the save cleared the modified flag: {:?}",
        h.state.status
    );
    assert_eq!(std::fs::read(&path).unwrap(), expected.as_bytes());
    assert_eq!(h.text(), expected);
    h.shutdown();
}

#[test]
fn typing_undo_redo_and_selection() {
    let data = tempfile::tempdir().unwrap();
    let mut h = Harness::xi(120, 40, data.path(), vec![]);
    ready(&mut h);
    h.type_text("alpha beta");
    assert!(h.wait_for(
        PATIENCE,
        |s| s.active_buffer().unwrap().cache.text().as_deref() == Some("alpha beta")
    ));
    h.keys("<C-Left> <C-S-Right> <C-c> <End> <space> <C-v>");
    assert!(
        h.wait_for(PATIENCE, |s| s
            .active_buffer()
            .unwrap()
            .cache
            .text()
            .as_deref()
            == Some("alpha beta beta")),
        "copy and paste through xi: {:?}",
        h.text()
    );
    h.keys("<C-z>");
    assert!(
        h.wait_for(PATIENCE, |s| s
            .active_buffer()
            .unwrap()
            .cache
            .text()
            .as_deref()
            == Some("alpha beta ")),
        "{:?}",
        h.text()
    );
    h.keys("<C-y>");
    assert!(h.wait_for(
        PATIENCE,
        |s| s.active_buffer().unwrap().cache.text().as_deref() == Some("alpha beta beta")
    ));
    h.shutdown();
}

#[test]
fn find_and_replace_through_xi() {
    let data = tempfile::tempdir().unwrap();
    let mut h = Harness::xi(120, 40, data.path(), vec![]);
    ready(&mut h);
    h.type_text("cat dog cat");
    h.keys("<C-h>");
    h.type_text("cat");
    h.keys("<Enter>");
    h.type_text("cow");
    h.keys("<Enter>");
    assert!(
        h.wait_for(PATIENCE, |s| s
            .active_buffer()
            .unwrap()
            .cache
            .text()
            .as_deref()
            == Some("cow dog cow")),
        "{:?}",
        h.text()
    );
    h.shutdown();
}

#[test]
fn a_rust_file_is_highlighted_by_the_plugin() {
    let data = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lib.rs");
    std::fs::write(
        &path,
        "/// Adds one.\npub fn add_one(x: u32) -> u32 {\n    x + 1 // done\n}\n",
    )
    .unwrap();
    let mut h = Harness::xi(100, 12, data.path(), vec![path]);
    ready(&mut h);
    let styled = h.wait_for(PATIENCE, |s| {
        let b = s.active_buffer().unwrap();
        (0..b.cache.height()).all(|i| {
            b.cache
                .get(i)
                .is_some_and(|l| l.text.as_deref() == Some("") || !l.styles.is_empty())
        }) && !s.styles.is_empty()
    });
    assert!(
        styled,
        "every non-empty line got styles from the syntect plugin"
    );
    assert_eq!(h.state.active_buffer().unwrap().language, "Rust");
    insta::with_settings!({ filters => vec![(r"/tmp/\.tmp\w+", "[TMP]")] }, {
        insta::assert_snapshot!("highlighted_rust_file", h.screen());
    });
    // The colours are what make it a highlighted file: the keyword `pub` and the comment differ.
    let screen = h.styled_screen();
    let comment = screen[(4, 1)].fg;
    let keyword = screen[(4, 2)].fg;
    assert_ne!(
        comment, keyword,
        "comment and keyword have different colours"
    );
    h.shutdown();
}

#[test]
fn a_failed_save_through_xi_says_why_and_keeps_the_text() {
    let data = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let not_a_dir = dir.path().join("file");
    std::fs::write(&not_a_dir, "").unwrap();
    let mut h = Harness::xi(120, 40, data.path(), vec![]);
    ready(&mut h);
    h.type_text("precious");
    h.keys("<A-s>");
    h.type_text(&not_a_dir.join("x.txt").display().to_string());
    h.keys("<Enter>");
    assert!(
        h.wait_for(PATIENCE, |s| s
            .status
            .as_ref()
            .is_some_and(|m| m.text.contains("Could not save"))),
        "{:?}",
        h.state.status
    );
    assert!(!h.state.status.as_ref().unwrap().text.contains("Wrote"));
    assert_eq!(h.text(), "precious");
    assert!(h.state.active_buffer().unwrap().modified());
    h.shutdown();
}

#[test]
fn opening_a_new_file_creates_it_only_on_save() {
    let data = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.md");
    let mut h = Harness::xi(120, 40, data.path(), vec![path.clone()]);
    ready(&mut h);
    assert!(!path.exists(), "opening does not create the file");
    h.type_text("# Title");
    h.keys("<C-s>");
    assert!(h.wait_for(PATIENCE, |s| !s.active_buffer().unwrap().modified()));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "# Title\n");
    h.shutdown();
}
