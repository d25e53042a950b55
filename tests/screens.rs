//! Whole-screen snapshots (ratatui TestBackend + insta). Review changes with `cargo insta review`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Harness;

fn sample(h: &mut Harness<symphony::adapters::MemoryEditor>) {
    h.type_text("fn main() {\n    println!(\"hello, symphony\");\n}\n");
}

#[test]
fn wide_layout_shows_every_pane() {
    let mut h = Harness::memory(160, 40, vec![]);
    sample(&mut h);
    insta::assert_snapshot!(h.screen());
}

#[test]
fn narrow_terminal_shows_panes_as_tabs() {
    let mut h = Harness::memory(80, 24, vec![]);
    sample(&mut h);
    insta::assert_snapshot!(h.screen());
}

#[test]
fn narrow_terminal_other_pane() {
    let mut h = Harness::memory(80, 24, vec![]);
    h.keys("<A-4>");
    insta::assert_snapshot!(h.screen());
}

#[test]
fn help_overlay() {
    let mut h = Harness::memory(100, 40, vec![]);
    h.keys("<F1>");
    insta::assert_snapshot!(h.screen());
}

#[test]
fn help_overlay_scrolls_on_a_small_terminal() {
    let mut h = Harness::memory(80, 24, vec![]);
    h.keys("<F1> <PageDown> <PageDown>");
    insta::assert_snapshot!(h.screen());
}

#[test]
fn quit_with_unsaved_changes_prompt() {
    let mut h = Harness::memory(100, 30, vec![]);
    sample(&mut h);
    h.keys("<C-q>");
    insta::assert_snapshot!(h.screen());
}

#[test]
fn find_prompt() {
    let mut h = Harness::memory(100, 30, vec![]);
    sample(&mut h);
    h.keys("<C-f> p r i n t");
    insta::assert_snapshot!(h.screen());
}

#[test]
fn buffer_list() {
    let mut h = Harness::memory(100, 30, vec![]);
    h.keys("a <C-n> b <C-b>");
    insta::assert_snapshot!(h.screen());
}

#[test]
fn zoomed_editor_at_250_columns() {
    let mut h = Harness::memory(250, 70, vec![]);
    sample(&mut h);
    h.keys("<F11>");
    insta::assert_snapshot!(h.screen());
}

#[test]
fn help_overlay_in_two_columns_on_a_wide_terminal() {
    let mut h = Harness::memory(160, 48, vec![]);
    h.keys("<F1>");
    insta::assert_snapshot!(h.screen());
}
