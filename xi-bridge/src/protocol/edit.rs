//! `EditNotification`: the view-level editing commands xi 0.3 accepts, in the exact JSON it parses.
//!
//! Each command travels inside the `edit` envelope shown in its example; see
//! [`EditCommand`](crate::protocol::EditCommand). Commands without parameters carry no
//! `params` member at all. A command xi cannot parse ends xi's main loop, so these
//! shapes matter; `tests/protocol_examples.rs` checks every example against these types, and
//! `tests/real_core.rs` sends every one to the real core.

use serde::{Deserialize, Serialize};

use crate::protocol::edit_args::{
    FindQuery, GestureType, LineRange, MouseAction, Position, SelectionModifier, Size,
};

/// An editing command for one view (a notification: xi sends no reply).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "method", content = "params")]
pub enum EditNotification {
    /// Inserts `chars` at every cursor, replacing any selection.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"insert","params":{"chars":"a"}}}
    /// ```
    Insert {
        /// The text to insert.
        chars: String,
    },
    /// Pastes `chars`: like `insert`, but one undo group and no auto-indent.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"paste","params":{"chars":"two\nlines"}}}
    /// ```
    Paste {
        /// The text to paste.
        chars: String,
    },
    /// Deletes the character after each cursor, or the selection.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"delete_forward"}}
    /// ```
    DeleteForward,
    /// Deletes the character before each cursor, or the selection.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"delete_backward"}}
    /// ```
    DeleteBackward,
    /// Deletes to the end of the word after each cursor.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"delete_word_forward"}}
    /// ```
    DeleteWordForward,
    /// Deletes to the start of the word before each cursor.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"delete_word_backward"}}
    /// ```
    DeleteWordBackward,
    /// Deletes to the end of the paragraph (emacs `C-k`), into the kill ring.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"delete_to_end_of_paragraph"}}
    /// ```
    DeleteToEndOfParagraph,
    /// Deletes to the start of the line.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"delete_to_beginning_of_line"}}
    /// ```
    DeleteToBeginningOfLine,
    /// Inserts a line break (auto-indenting if configured).
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"insert_newline"}}
    /// ```
    InsertNewline,
    /// Inserts a tab, or spaces if `translate_tabs_to_spaces` is set.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"insert_tab"}}
    /// ```
    InsertTab,
    /// Moves each cursor up one visual line.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"move_up"}}
    /// ```
    MoveUp,
    /// Extends each selection up one visual line.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"move_up_and_modify_selection"}}
    /// ```
    MoveUpAndModifySelection,
    /// Moves each cursor down one visual line.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"move_down"}}
    /// ```
    MoveDown,
    /// Extends each selection down one visual line.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"move_down_and_modify_selection"}}
    /// ```
    MoveDownAndModifySelection,
    /// Moves each cursor one grapheme left.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"move_left"}}
    /// ```
    MoveLeft,
    /// A synonym of `move_left`.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"move_backward"}}
    /// ```
    MoveBackward,
    /// Extends each selection one grapheme left.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"move_left_and_modify_selection"}}
    /// ```
    MoveLeftAndModifySelection,
    /// Moves each cursor one grapheme right.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"move_right"}}
    /// ```
    MoveRight,
    /// A synonym of `move_right`.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"move_forward"}}
    /// ```
    MoveForward,
    /// Extends each selection one grapheme right.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"move_right_and_modify_selection"}}
    /// ```
    MoveRightAndModifySelection,
    /// Moves each cursor to the previous word start.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"move_word_left"}}
    /// ```
    MoveWordLeft,
    /// Extends each selection to the previous word start.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"move_word_left_and_modify_selection"}}
    /// ```
    MoveWordLeftAndModifySelection,
    /// Moves each cursor to the next word end.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"move_word_right"}}
    /// ```
    MoveWordRight,
    /// Extends each selection to the next word end.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"move_word_right_and_modify_selection"}}
    /// ```
    MoveWordRightAndModifySelection,
    /// Moves each cursor to the start of its paragraph.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"move_to_beginning_of_paragraph"}}
    /// ```
    MoveToBeginningOfParagraph,
    /// Extends each selection to the start of its paragraph.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"move_to_beginning_of_paragraph_and_modify_selection"}}
    /// ```
    MoveToBeginningOfParagraphAndModifySelection,
    /// Moves each cursor to the end of its paragraph.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"move_to_end_of_paragraph"}}
    /// ```
    MoveToEndOfParagraph,
    /// Extends each selection to the end of its paragraph.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"move_to_end_of_paragraph_and_modify_selection"}}
    /// ```
    MoveToEndOfParagraphAndModifySelection,
    /// Moves each cursor to the start of its visual line.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"move_to_left_end_of_line"}}
    /// ```
    MoveToLeftEndOfLine,
    /// Extends each selection to the start of its visual line.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"move_to_left_end_of_line_and_modify_selection"}}
    /// ```
    MoveToLeftEndOfLineAndModifySelection,
    /// Moves each cursor to the end of its visual line.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"move_to_right_end_of_line"}}
    /// ```
    MoveToRightEndOfLine,
    /// Extends each selection to the end of its visual line.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"move_to_right_end_of_line_and_modify_selection"}}
    /// ```
    MoveToRightEndOfLineAndModifySelection,
    /// Moves the cursor to the start of the document.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"move_to_beginning_of_document"}}
    /// ```
    MoveToBeginningOfDocument,
    /// Extends the selection to the start of the document.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"move_to_beginning_of_document_and_modify_selection"}}
    /// ```
    MoveToBeginningOfDocumentAndModifySelection,
    /// Moves the cursor to the end of the document.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"move_to_end_of_document"}}
    /// ```
    MoveToEndOfDocument,
    /// Extends the selection to the end of the document.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"move_to_end_of_document_and_modify_selection"}}
    /// ```
    MoveToEndOfDocumentAndModifySelection,
    /// Moves the cursor up one page (the height set by `scroll`).
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"scroll_page_up"}}
    /// ```
    ScrollPageUp,
    /// Extends the selection up one page.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"page_up_and_modify_selection"}}
    /// ```
    PageUpAndModifySelection,
    /// Moves the cursor down one page.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"scroll_page_down"}}
    /// ```
    ScrollPageDown,
    /// Extends the selection down one page.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"page_down_and_modify_selection"}}
    /// ```
    PageDownAndModifySelection,
    /// Selects the whole document.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"select_all"}}
    /// ```
    SelectAll,
    /// Adds a caret on the line above each cursor.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"add_selection_above"}}
    /// ```
    AddSelectionAbove,
    /// Adds a caret on the line below each cursor.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"add_selection_below"}}
    /// ```
    AddSelectionBelow,
    /// Tells xi which lines are visible: `[first, last)`; xi only sends text for lines near them.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"scroll","params":[0,40]}}
    /// ```
    Scroll(LineRange),
    /// Tells xi the view's size in pixels (used for word wrap).
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"resize","params":{"width":800.0,"height":600.0}}}
    /// ```
    Resize(Size),
    /// Puts a caret at the start of `line` (0-based).
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"goto_line","params":{"line":3}}}
    /// ```
    GotoLine {
        /// The visual line.
        line: u64,
    },
    /// Asks xi to send these lines even if they are outside the scrolled region.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"request_lines","params":[0,100]}}
    /// ```
    RequestLines(LineRange),
    /// Pastes the kill ring (emacs `C-y`).
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"yank"}}
    /// ```
    Yank,
    /// Swaps the characters around each caret.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"transpose"}}
    /// ```
    Transpose,
    /// An older mouse click: `[line, column, flags, click_count]`.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"click","params":[0,1,0,1]}}
    /// ```
    Click(MouseAction),
    /// An older mouse drag: `[line, column, flags]`.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"drag","params":[0,2,0]}}
    /// ```
    Drag(MouseAction),
    /// A mouse or touch gesture at a visual line and byte column.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"gesture","params":{"line":0,"col":1,"ty":{"select":{"granularity":"point","multi":false}}}}}
    /// ```
    Gesture {
        /// The visual line.
        line: u64,
        /// The byte column.
        col: u64,
        /// What kind of gesture.
        ty: GestureType,
    },
    /// Undoes the last undo group.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"undo"}}
    /// ```
    Undo,
    /// Redoes the last undone group.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"redo"}}
    /// ```
    Redo,
    /// Sets the (single) search query; matches arrive as `find_status` and `find` annotations.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"find","params":{"chars":"fn","case_sensitive":false,"regex":false,"whole_words":false}}}
    /// ```
    Find {
        /// What to search for.
        chars: String,
        /// Match case exactly.
        case_sensitive: bool,
        /// Treat `chars` as a regular expression.
        #[serde(default)]
        regex: bool,
        /// Only match whole words.
        #[serde(default)]
        whole_words: bool,
    },
    /// Sets several search queries at once.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"multi_find","params":{"queries":[{"id":null,"chars":"fn","case_sensitive":true,"regex":false,"whole_words":false}]}}}
    /// ```
    MultiFind {
        /// The queries; each gets its own highlight style.
        queries: Vec<FindQuery>,
    },
    /// Selects the next match.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"find_next","params":{"wrap_around":true,"allow_same":false,"modify_selection":"set"}}}
    /// ```
    FindNext {
        /// Continue from the start after the last match.
        #[serde(default)]
        wrap_around: bool,
        /// Accept a match at the current selection.
        #[serde(default)]
        allow_same: bool,
        /// How the selection changes.
        #[serde(default)]
        modify_selection: SelectionModifier,
    },
    /// Selects the previous match.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"find_previous","params":{"wrap_around":true,"allow_same":false,"modify_selection":"set"}}}
    /// ```
    FindPrevious {
        /// Continue from the end before the first match.
        #[serde(default)]
        wrap_around: bool,
        /// Accept a match at the current selection.
        #[serde(default)]
        allow_same: bool,
        /// How the selection changes.
        #[serde(default)]
        modify_selection: SelectionModifier,
    },
    /// Selects every match.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"find_all"}}
    /// ```
    FindAll,
    /// Debugging: re-wraps the whole document.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"debug_rewrap"}}
    /// ```
    DebugRewrap,
    /// Debugging: toggles wrapping at a fixed width.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"debug_wrap_width"}}
    /// ```
    DebugWrapWidth,
    /// Debugging: prints the style spans in the selection to xi's log.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"debug_print_spans"}}
    /// ```
    DebugPrintSpans,
    /// Debugging: toggles line comments (experimental in xi 0.3).
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"debug_toggle_comment"}}
    /// ```
    DebugToggleComment,
    /// Upper-cases the selections.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"uppercase"}}
    /// ```
    Uppercase,
    /// Lower-cases the selections.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"lowercase"}}
    /// ```
    Lowercase,
    /// Capitalises the words in the selections.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"capitalize"}}
    /// ```
    Capitalize,
    /// Re-indents the selected lines.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"reindent"}}
    /// ```
    Reindent,
    /// Indents the selected lines.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"indent"}}
    /// ```
    Indent,
    /// Outdents the selected lines.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"outdent"}}
    /// ```
    Outdent,
    /// Shows or hides find highlights (styles 1..=7) in rendered lines.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"highlight_find","params":{"visible":true}}}
    /// ```
    HighlightFind {
        /// Whether highlights are drawn.
        visible: bool,
    },
    /// Uses the selection (or the word at the caret) as the search query.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"selection_for_find","params":{"case_sensitive":false}}}
    /// ```
    SelectionForFind {
        /// Match case exactly.
        #[serde(default)]
        case_sensitive: bool,
    },
    /// Sets the replacement text for `replace_next` and `replace_all`.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"replace","params":{"chars":"bar","preserve_case":false}}}
    /// ```
    Replace {
        /// The replacement.
        chars: String,
        /// Keep the case pattern of each match.
        #[serde(default)]
        preserve_case: bool,
    },
    /// Replaces the current match and selects the next.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"replace_next"}}
    /// ```
    ReplaceNext,
    /// Replaces every match.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"replace_all"}}
    /// ```
    ReplaceAll,
    /// Uses the selection as the replacement text.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"selection_for_replace"}}
    /// ```
    SelectionForReplace,
    /// Asks plugins for hover information; the answer is a `show_hover` notification.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"request_hover","params":{"request_id":1,"position":{"line":0,"column":2}}}}
    /// ```
    RequestHover {
        /// Echoed back in `show_hover`.
        request_id: usize,
        /// Where; `None` means the caret.
        position: Option<Position>,
    },
    /// Splits multi-line selections into one selection per line.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"selection_into_lines"}}
    /// ```
    SelectionIntoLines,
    /// Duplicates the lines holding a cursor.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"duplicate_line"}}
    /// ```
    DuplicateLine,
    /// Adds one to the number at each caret.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"increase_number"}}
    /// ```
    IncreaseNumber,
    /// Subtracts one from the number at each caret.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"decrease_number"}}
    /// ```
    DecreaseNumber,
    /// Starts or stops recording edits under a name.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"toggle_recording","params":{"recording_name":"macro"}}}
    /// ```
    ToggleRecording {
        /// The recording; `None` for the default one.
        recording_name: Option<String>,
    },
    /// Replays a recording.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"play_recording","params":{"recording_name":"macro"}}}
    /// ```
    PlayRecording {
        /// The recording.
        recording_name: String,
    },
    /// Forgets a recording.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"clear_recording","params":{"recording_name":"macro"}}}
    /// ```
    ClearRecording {
        /// The recording.
        recording_name: String,
    },
    /// Collapses multiple selections into the first one.
    /// ```json
    /// {"method":"edit","params":{"view_id":"view-id-1","method":"collapse_selections"}}
    /// ```
    CollapseSelections,
}
