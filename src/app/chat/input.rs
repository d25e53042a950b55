//! The chat's input box: multi-line text with a cursor, and the history of what was sent.

/// Most messages the history keeps.
pub const HISTORY_LIMIT: usize = 100;

/// A cursor move inside the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputMove {
    /// One character left.
    Left,
    /// One character right.
    Right,
    /// To the start of the line.
    LineStart,
    /// To the end of the line.
    LineEnd,
}

/// The text being written, its cursor and the sent messages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InputBox {
    text: String,
    /// Byte offset, always on a character boundary.
    cursor: usize,
    history: Vec<String>,
    /// Which history entry is shown, when browsing it.
    browsing: Option<usize>,
    /// What was being written before browsing started.
    draft: String,
}

impl InputBox {
    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether nothing is written.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The cursor as (line, byte column in that line).
    pub fn cursor(&self) -> (usize, usize) {
        let before = &self.text[..self.cursor];
        let line = before.matches('\n').count();
        let col = before
            .rfind('\n')
            .map_or(self.cursor, |i| self.cursor - i - 1);
        (line, col)
    }

    /// The sent messages, oldest first.
    pub fn history(&self) -> &[String] {
        &self.history
    }

    /// Insert text at the cursor.
    pub fn insert(&mut self, text: &str) {
        // Pasted text may carry `\r\n`; one kind of line break keeps the cursor maths simple.
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        self.text.insert_str(self.cursor, &text);
        self.cursor += text.len();
        self.browsing = None;
    }

    /// Replace the whole text, cursor at its end.
    pub fn set(&mut self, text: &str) {
        self.text = text.to_owned();
        self.cursor = self.text.len();
    }

    /// Delete the character before the cursor.
    pub fn backspace(&mut self) {
        if let Some(c) = self.text[..self.cursor].chars().next_back() {
            self.cursor -= c.len_utf8();
            self.text.remove(self.cursor);
        }
    }

    /// Delete the character after the cursor.
    pub fn delete(&mut self) {
        if self.cursor < self.text.len() {
            self.text.remove(self.cursor);
        }
    }

    /// Move the cursor.
    pub fn move_cursor(&mut self, motion: InputMove) {
        self.cursor = match motion {
            InputMove::Left => self.text[..self.cursor]
                .chars()
                .next_back()
                .map_or(self.cursor, |c| self.cursor - c.len_utf8()),
            InputMove::Right => self.text[self.cursor..]
                .chars()
                .next()
                .map_or(self.cursor, |c| self.cursor + c.len_utf8()),
            InputMove::LineStart => self.line_start(self.cursor),
            InputMove::LineEnd => self.line_end(self.cursor),
        };
    }

    /// Move to the line above (`-1`) or below (`1`), keeping the column where it can; false
    /// when there is no such line.
    pub fn move_line(&mut self, direction: i8) -> bool {
        let start = self.line_start(self.cursor);
        let column = self.text[start..self.cursor].chars().count();
        let target_start = if direction < 0 {
            if start == 0 {
                return false;
            }
            self.line_start(start - 1)
        } else {
            let end = self.line_end(self.cursor);
            if end == self.text.len() {
                return false;
            }
            end + 1
        };
        let target_end = self.line_end(target_start);
        self.cursor = self.text[target_start..target_end]
            .char_indices()
            .nth(column)
            .map_or(target_end, |(i, _)| target_start + i);
        true
    }

    fn line_start(&self, at: usize) -> usize {
        self.text[..at].rfind('\n').map_or(0, |i| i + 1)
    }

    fn line_end(&self, at: usize) -> usize {
        self.text[at..]
            .find('\n')
            .map_or(self.text.len(), |i| at + i)
    }

    /// Take the text to send: it joins the history and the box empties.
    pub fn take(&mut self) -> String {
        let text = std::mem::take(&mut self.text);
        self.cursor = 0;
        self.browsing = None;
        self.draft.clear();
        if !text.trim().is_empty() && self.history.last() != Some(&text) {
            self.history.push(text.clone());
            if self.history.len() > HISTORY_LIMIT {
                self.history.remove(0);
            }
        }
        text
    }

    /// Show the previous sent message; false when there is none.
    pub fn history_previous(&mut self) -> bool {
        let index = match self.browsing {
            None if self.history.is_empty() => return false,
            None => {
                self.draft = self.text.clone();
                self.history.len() - 1
            }
            Some(0) => return false,
            Some(i) => i - 1,
        };
        self.browsing = Some(index);
        let text = self.history[index].clone();
        self.set(&text);
        true
    }

    /// Show the next sent message, or the draft after the last; false when not browsing.
    pub fn history_next(&mut self) -> bool {
        let Some(index) = self.browsing else {
            return false;
        };
        if index + 1 < self.history.len() {
            self.browsing = Some(index + 1);
            let text = self.history[index + 1].clone();
            self.set(&text);
        } else {
            self.browsing = None;
            let draft = std::mem::take(&mut self.draft);
            self.set(&draft);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(text: &str) -> InputBox {
        let mut input = InputBox::default();
        input.insert(text);
        input
    }

    #[test]
    fn editing_moves_by_characters_not_bytes() {
        let mut input = typed("héllo");
        input.move_cursor(InputMove::Left);
        input.move_cursor(InputMove::Left);
        input.move_cursor(InputMove::Left);
        input.move_cursor(InputMove::Left);
        input.backspace();
        assert_eq!(input.text(), "éllo");
        input.delete();
        assert_eq!(input.text(), "llo");
        input.move_cursor(InputMove::LineEnd);
        input.insert("!");
        assert_eq!(input.text(), "llo!");
    }

    #[test]
    fn lines_keep_the_column_and_stop_at_the_edges() {
        let mut input = typed("first line\nab\nthird line");
        assert_eq!(input.cursor(), (2, 10));
        assert!(input.move_line(-1));
        assert_eq!(input.cursor(), (1, 2), "clamped to the short line");
        assert!(input.move_line(-1));
        assert_eq!(input.cursor(), (0, 2));
        assert!(!input.move_line(-1));
        input.move_cursor(InputMove::LineEnd);
        assert!(input.move_line(1));
        assert!(input.move_line(1));
        assert!(!input.move_line(1));
    }

    #[test]
    fn history_browses_back_and_returns_to_the_draft() {
        let mut input = InputBox::default();
        for message in ["one", "two", "two", "  "] {
            input.insert(message);
            input.take();
        }
        assert_eq!(
            input.history(),
            ["one", "two"],
            "repeats and blanks are not kept"
        );
        input.insert("draft");
        assert!(input.history_previous());
        assert_eq!(input.text(), "two");
        assert!(input.history_previous());
        assert_eq!(input.text(), "one");
        assert!(!input.history_previous());
        assert!(input.history_next());
        assert!(input.history_next());
        assert_eq!(input.text(), "draft");
        assert!(!input.history_next());
    }

    #[test]
    fn pasted_line_breaks_are_normalised() {
        let input = typed("a\r\nb\rc");
        assert_eq!(input.text(), "a\nb\nc");
    }
}
