//! What is typed: the keys every session sends, and how long the document grows.

use xi_bridge::EditNotification;

/// What is typed, one key per edit: Rust source without indentation (xi keeps the previous
/// line's indentation on its own), so lines stay as short as real ones.
const TYPED: &str = "fn main() {\nlet answer = compute(6, 7);\nprintln!(\"{answer}\");\n}\n\n\
                     fn compute(a: u32, b: u32) -> u32 {\na * b\n}\n\n";

/// The edit for the n-th key, as the UI sends it: a character is an `insert`, Enter is
/// `insert_newline`. (This matters: xi merges consecutive inserts into one undo group and keeps
/// every revision of the groups it has not collected, and only a change of edit type starts a
/// new group. Typing 20,000 characters without a newline makes each edit cost time in
/// proportion to the history — see docs/PERFORMANCE.md.)
pub fn insert(i: usize) -> EditNotification {
    let bytes = TYPED.as_bytes();
    match bytes[i % bytes.len()] {
        b'\n' => EditNotification::InsertNewline,
        c => EditNotification::Insert {
            chars: (c as char).to_string(),
        },
    }
}

/// Lines in a document after `keys` keys of [`TYPED`].
pub fn lines_after(keys: usize) -> usize {
    let per_round = TYPED.matches('\n').count();
    keys / TYPED.len() * per_round + 1
}
