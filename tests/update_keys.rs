//! `update()` driven by key sequences against the in-memory editor: the behaviour of the UI.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Harness;
use symphony::app::state::{Overlay, PaneId, PromptKind};

#[test]
fn typing_and_editing() {
    let mut h = Harness::memory(100, 30, vec![]);
    h.keys("h e l l o <space> w o r l d");
    assert_eq!(h.text(), "hello world");
    h.keys("<BS> <BS> <C-BS>");
    assert_eq!(h.text(), "hello ");
    h.keys("<Enter> x <Home> y <End> z");
    assert_eq!(h.text(), "hello \nyxz");
}

#[test]
fn undo_and_redo() {
    let mut h = Harness::memory(100, 30, vec![]);
    h.keys("a b c");
    h.keys("<C-z>");
    assert_eq!(h.text(), "ab");
    h.keys("<C-y>");
    assert_eq!(h.text(), "abc");
}

#[test]
fn selection_copy_paste() {
    let mut h = Harness::memory(100, 30, vec![]);
    h.type_text("one two");
    h.keys("<S-Home> <C-c> <End> <Enter> <C-v>");
    assert_eq!(h.text(), "one two\none two");
    assert_eq!(h.state.clipboard, "one two");
    h.keys("<C-a> <C-x>");
    assert_eq!(h.text(), "");
}

#[test]
fn word_motions() {
    let mut h = Harness::memory(100, 30, vec![]);
    h.type_text("alpha beta gamma");
    h.keys("<C-Left> <C-Left> X");
    assert_eq!(h.text(), "alpha Xbeta gamma");
}

#[test]
fn save_writes_the_file_and_clears_the_modified_flag() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "first\n").unwrap();
    let mut h = Harness::memory(100, 30, vec![path.clone()]);
    assert!(!h.state.active_buffer().unwrap().modified());
    h.keys("<C-End> x");
    assert!(h.state.active_buffer().unwrap().modified());
    h.keys("<C-s>");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "first\nx");
    assert!(!h.state.active_buffer().unwrap().modified());
    assert!(h.state.status.as_ref().unwrap().text.contains("Wrote"));
}

#[test]
fn saving_a_scratch_buffer_asks_for_a_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.txt");
    let mut h = Harness::memory(100, 30, vec![]);
    h.keys("h i <C-s>");
    assert!(matches!(&h.state.overlay, Some(Overlay::Prompt(p)) if p.kind == PromptKind::SaveAs));
    h.type_text(&path.display().to_string());
    h.keys("<Enter>");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "hi");
    assert_eq!(
        h.state.active_buffer().unwrap().path.as_deref(),
        Some(path.as_path())
    );
}

#[test]
fn quitting_with_unsaved_changes_asks_first() {
    let mut h = Harness::memory(100, 30, vec![]);
    h.keys("x <C-q>");
    assert_eq!(h.state.overlay, Some(Overlay::ConfirmQuit));
    assert!(!h.quit);
    h.keys("c");
    assert_eq!(h.state.overlay, None);
    assert!(!h.quit);
    h.keys("<C-q> d");
    assert!(h.quit);
}

#[test]
fn quitting_a_clean_editor_is_immediate() {
    let mut h = Harness::memory(100, 30, vec![]);
    h.keys("<C-q>");
    assert!(h.quit);
}

#[test]
fn save_all_and_quit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.txt");
    let mut h = Harness::memory(100, 30, vec![path.clone()]);
    h.keys("a <C-q> s");
    assert!(h.quit);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "a");
}

#[test]
fn find_and_replace() {
    let mut h = Harness::memory(100, 30, vec![]);
    h.type_text("cat dog cat");
    h.keys("<C-Home> <C-f>");
    h.type_text("cat");
    h.keys("<Enter>");
    h.keys("<F3> X");
    assert_eq!(h.text(), "cat dog X");
    h.keys("<C-h>");
    // The replace prompt starts with the last query.
    h.keys("<Enter>");
    h.type_text("cow");
    h.keys("<Enter>");
    assert_eq!(h.text(), "cow dog X");
}

#[test]
fn goto_line_and_bad_input() {
    let mut h = Harness::memory(100, 30, vec![]);
    h.type_text("1\n2\n3\n4");
    h.keys("<C-g> 2 <Enter>");
    assert_eq!(
        h.state.active_buffer().unwrap().cache.cursor(),
        Some((1, 0))
    );
    h.keys("<C-g> x <Enter>");
    assert!(
        h.state
            .status
            .as_ref()
            .unwrap()
            .text
            .contains("not a line number")
    );
}

#[test]
fn several_buffers() {
    let mut h = Harness::memory(100, 30, vec![]);
    h.keys("a <C-n> b <C-n> c");
    assert_eq!(h.state.buffers.len(), 3);
    assert_eq!(h.text(), "c");
    h.keys("<C-PageUp>");
    assert_eq!(h.text(), "b");
    h.keys("<C-b> <Up> <Enter>");
    assert_eq!(h.text(), "a");
    // Closing a modified buffer asks; discarding closes it.
    h.keys("<C-w>");
    assert_eq!(
        h.state.overlay,
        Some(Overlay::ConfirmClose(h.state.active_buffer().unwrap().id))
    );
    h.keys("d");
    assert_eq!(h.state.buffers.len(), 2);
}

#[test]
fn closing_the_last_buffer_leaves_a_scratch_buffer() {
    let mut h = Harness::memory(100, 30, vec![]);
    h.keys("<C-w>");
    assert_eq!(h.state.buffers.len(), 1);
    assert!(h.state.active_buffer().unwrap().path.is_none());
}

#[test]
fn pane_focus_and_zoom() {
    let mut h = Harness::memory(200, 60, vec![]);
    h.keys("<F2>");
    assert_eq!(h.state.layout.focus, PaneId::Conductor);
    // Typing in another pane does not reach the buffer.
    h.keys("x");
    assert_eq!(h.text(), "");
    h.keys("<A-4>");
    assert_eq!(h.state.layout.focus, PaneId::Monitor);
    h.keys("<F11>");
    assert!(h.state.layout.zoomed);
    h.keys("<Esc>");
    assert_eq!(h.state.layout.focus, PaneId::Editor);
    h.keys("<S-F2>");
    assert_eq!(h.state.layout.focus, PaneId::Monitor);
}

#[test]
fn help_opens_and_closes_and_captures_keys() {
    let mut h = Harness::memory(100, 30, vec![]);
    h.keys("<F1>");
    assert!(matches!(h.state.overlay, Some(Overlay::Help { .. })));
    h.keys("x <Down>");
    assert_eq!(h.text(), "", "keys go to the overlay, not the buffer");
    h.keys("<Esc>");
    assert_eq!(h.state.overlay, None);
}

#[test]
fn page_keys_move_by_a_screen() {
    let mut h = Harness::memory(100, 12, vec![]);
    let text: String = (1..=100).map(|i| format!("line {i}\n")).collect();
    h.act(symphony::app::Action::Paste(Some(text)));
    h.keys("<C-Home> <PageDown>");
    let (line, _) = h.state.active_buffer().unwrap().cache.cursor().unwrap();
    assert!(line > 5 && line < 12, "moved about a page: {line}");
    h.keys("<PageUp>");
    assert_eq!(
        h.state.active_buffer().unwrap().cache.cursor().unwrap().0,
        0
    );
}

#[test]
fn the_view_follows_the_cursor() {
    let mut h = Harness::memory(100, 12, vec![]);
    let text: String = (1..=100).map(|i| format!("line {i}\n")).collect();
    h.act(symphony::app::Action::Paste(Some(text)));
    let top = h.state.active_buffer().unwrap().scroll_top;
    assert!(top > 80, "scrolled to the end after pasting: {top}");
    h.keys("<C-Home>");
    assert_eq!(h.state.active_buffer().unwrap().scroll_top, 0);
}

#[test]
fn opening_a_missing_file_gives_an_empty_buffer_with_that_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("later.txt");
    let mut h = Harness::memory(100, 30, vec![]);
    h.keys("<C-o>");
    h.type_text(&path.display().to_string());
    h.keys("<Enter>");
    assert_eq!(h.state.buffers.len(), 2);
    assert_eq!(
        h.state.active_buffer().unwrap().path.as_deref(),
        Some(path.as_path())
    );
}

#[test]
fn opening_an_unreadable_path_reports_it() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::memory(100, 30, vec![dir.path().to_path_buf()]);
    assert!(
        h.state
            .status
            .as_ref()
            .unwrap()
            .text
            .contains("cannot open"),
        "{:?}",
        h.state.status
    );
    assert_eq!(h.state.buffers.len(), 1, "a scratch buffer remains");
}

#[test]
fn a_failed_save_says_why_and_keeps_the_text() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_dir = dir.path().join("file");
    std::fs::write(&not_a_dir, "").unwrap();
    let mut h = Harness::memory(100, 30, vec![]);
    h.keys("h i <A-s>");
    h.type_text(&not_a_dir.join("x.txt").display().to_string());
    h.keys("<Enter>");
    let status = h.state.status.clone().unwrap();
    assert!(status.text.contains("Could not save"), "{status:?}");
    assert_eq!(h.text(), "hi");
    assert!(h.state.active_buffer().unwrap().modified());
}
