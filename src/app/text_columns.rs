//! Conversions between xi's UTF-8 byte columns and screen columns (tabs, wide characters).

use unicode_width::UnicodeWidthChar;

/// How many columns a tab advances to (the next multiple of this).
pub const TAB_WIDTH: usize = 4;

/// The width of one character at screen column `col`.
pub fn char_width(c: char, col: usize) -> usize {
    if c == '\t' {
        TAB_WIDTH - col % TAB_WIDTH
    } else {
        c.width().unwrap_or(0)
    }
}

/// The screen column of byte offset `byte` in `text` (clamped to the text's end).
pub fn byte_to_column(text: &str, byte: usize) -> usize {
    let mut col = 0;
    for (i, c) in text.char_indices() {
        if i >= byte {
            break;
        }
        col += char_width(c, col);
    }
    col
}

/// The byte offset of the character at screen column `column` (or the text's end).
pub fn column_to_byte(text: &str, column: usize) -> usize {
    let mut col = 0;
    for (i, c) in text.char_indices() {
        let w = char_width(c, col);
        if col + w > column {
            return i;
        }
        col += w;
    }
    text.trim_end_matches(['\n', '\r']).len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_and_wide_characters() {
        assert_eq!(byte_to_column("\tx", 1), 4);
        assert_eq!(byte_to_column("a\tx", 2), 4);
        assert_eq!(byte_to_column("日本", 3), 2);
        assert_eq!(column_to_byte("日本", 2), 3);
        assert_eq!(column_to_byte("日本", 3), 3);
        assert_eq!(column_to_byte("ab\n", 10), 2);
        assert_eq!(byte_to_column("ab", 99), 2);
    }
}
