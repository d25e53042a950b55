//! Where the chat's parts go inside its pane, and how the input wraps. Pure, shared by
//! `update` (page size, scrolling limits) and the renderer.

use unicode_width::UnicodeWidthChar;

use crate::app::layout::{Area, screen_layout};
use crate::app::state::{PaneId, PaneLayout};

use super::state::ChatState;
use super::transcript;

/// Most rows the input box grows to; longer input scrolls inside it.
pub const MAX_INPUT_ROWS: usize = 6;

/// The prompt before the input's first row (and the indent of the others).
pub const PROMPT: &str = "› ";

/// The parts of the chat pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatAreas {
    /// The transcript.
    pub transcript: Area,
    /// The attachment chips, when there are any.
    pub chips: Option<Area>,
    /// The line between transcript and input (what is in flight, the keys).
    pub status: Area,
    /// The input box.
    pub input: Area,
}

/// The chat pane's content area (inside its border), if it is visible.
pub fn chat_area(width: u16, height: u16, layout: &PaneLayout) -> Option<Area> {
    let screen = screen_layout(width, height, layout);
    let area = screen.pane(PaneId::Conductor)?;
    Some(if screen.tab_bar.is_some() {
        area
    } else {
        area.inner()
    })
}

/// Split the pane's area.
pub fn areas(area: Area, chat: &ChatState) -> ChatAreas {
    let (rows, _) = input_rows(chat, area.width as usize);
    let input_height = (rows.len().clamp(1, MAX_INPUT_ROWS) as u16).min(area.height);
    let chips_height = u16::from(!chat.attachments.is_empty());
    let below = input_height + 1 + chips_height;
    let transcript_height = area.height.saturating_sub(below);
    let mut y = area.y + transcript_height;
    let transcript = Area {
        height: transcript_height,
        ..area
    };
    let end = area.y + area.height;
    let mut row = |height: u16| {
        let part = Area {
            x: area.x,
            y: y.min(end),
            width: area.width,
            height: height.min(end.saturating_sub(y)),
        };
        y += height;
        part
    };
    let status = row(1);
    let chips = (chips_height > 0).then(|| row(1));
    let input = row(input_height);
    ChatAreas {
        transcript,
        chips,
        status,
        input,
    }
}

/// The input's rows at `width` (the prompt's columns excluded) and the cursor as (row, column).
pub fn input_rows(chat: &ChatState, width: usize) -> (Vec<String>, (usize, usize)) {
    let room = width.saturating_sub(PROMPT.chars().count()).max(1);
    let (cursor_line, cursor_byte) = chat.input.cursor();
    let mut rows: Vec<String> = Vec::new();
    let mut cursor = (0, 0);
    for (n, line) in chat.input.text().split('\n').enumerate() {
        let mut row = String::new();
        let mut used = 0;
        for (byte, c) in line.char_indices() {
            let w = c.width().unwrap_or(0);
            if used + w > room {
                rows.push(std::mem::take(&mut row));
                used = 0;
            }
            if n == cursor_line && byte == cursor_byte {
                cursor = (rows.len(), used);
            }
            row.push(c);
            used += w;
        }
        if n == cursor_line && cursor_byte >= line.len() {
            if used >= room {
                rows.push(std::mem::take(&mut row));
                used = 0;
            }
            cursor = (rows.len(), used);
        }
        rows.push(row);
    }
    (rows, cursor)
}

/// The first input row shown, so that the cursor's row is visible.
pub fn input_top(cursor_row: usize, height: usize) -> usize {
    cursor_row.saturating_sub(height.saturating_sub(1))
}

/// The transcript's lines at the pane's width and how far it can scroll up.
pub fn scroll_limit(chat: &ChatState, area: Area) -> usize {
    let parts = areas(area, chat);
    transcript::lines(chat, parts.transcript.width as usize)
        .len()
        .saturating_sub(parts.transcript.height as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chat_with(text: &str) -> ChatState {
        let mut chat = ChatState::default();
        chat.input.insert(text);
        chat
    }

    #[test]
    fn input_wraps_and_places_the_cursor() {
        let chat = chat_with("abcdef\nxy");
        let (rows, cursor) = input_rows(&chat, 6); // 4 columns after the prompt
        assert_eq!(rows, ["abcd", "ef", "xy"]);
        assert_eq!(cursor, (2, 2));
        let chat = chat_with("abcd");
        let (rows, cursor) = input_rows(&chat, 6);
        assert_eq!(
            rows,
            ["abcd", ""],
            "a full row moves the cursor to the next"
        );
        assert_eq!(cursor, (1, 0));
    }

    #[test]
    fn the_input_grows_to_a_limit_and_the_transcript_takes_the_rest() {
        let area = Area {
            x: 0,
            y: 0,
            width: 40,
            height: 20,
        };
        let parts = areas(area, &chat_with("one"));
        assert_eq!(parts.input.height, 1);
        assert_eq!(parts.transcript.height, 18);
        assert_eq!(parts.status.y, 18);
        let parts = areas(area, &chat_with(&"line\n".repeat(20)));
        assert_eq!(parts.input.height, MAX_INPUT_ROWS as u16);
        assert_eq!(parts.input.y + parts.input.height, 20);
    }

    #[test]
    fn tiny_panes_do_not_underflow() {
        let area = Area {
            x: 5,
            y: 5,
            width: 3,
            height: 1,
        };
        let parts = areas(area, &chat_with("hello\nworld"));
        assert_eq!(parts.transcript.height, 0);
        assert!(parts.input.y + parts.input.height <= 6);
    }
}
