//! The argument types that `edit` commands carry, serialised exactly as xi 0.3 parses them.

use serde::de::{self, Deserializer};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

/// The smallest unit a [`GestureType::Select`] gesture selects: `"point"`, `"word"` or `"line"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SelectionGranularity {
    /// Any point or character range.
    Point,
    /// Whole words.
    Word,
    /// Whole lines.
    Line,
}

/// A mouse or touch gesture, the `ty` of an `edit`/`gesture` command.
///
/// xi 0.3 marks the unit variants as deprecated in favour of `select`, `select_extend` and
/// `drag`, but still handles both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GestureType {
    /// `{"select":{"granularity":"word","multi":false}}`: a new selection (`multi` adds one).
    Select {
        /// What one click selects.
        granularity: SelectionGranularity,
        /// Add a selection instead of replacing the existing ones.
        multi: bool,
    },
    /// `{"select_extend":{"granularity":"point"}}`: extend the last selection to here.
    SelectExtend {
        /// What the extension snaps to.
        granularity: SelectionGranularity,
    },
    /// `"drag"`: continue the current selection gesture to here.
    Drag,
    /// `"point_select"`: place a caret (deprecated by xi).
    PointSelect,
    /// `"toggle_sel"`: add or remove a caret (deprecated by xi).
    ToggleSel,
    /// `"range_select"`: extend the selection (deprecated by xi).
    RangeSelect,
    /// `"line_select"`: select the line (deprecated by xi).
    LineSelect,
    /// `"word_select"`: select the word (deprecated by xi).
    WordSelect,
    /// `"multi_line_select"`: add the line as a selection (deprecated by xi).
    MultiLineSelect,
    /// `"multi_word_select"`: add the word as a selection (deprecated by xi).
    MultiWordSelect,
}

/// How find commands change the selection: `"none"`, `"set"` (xi's default), `"add"` or
/// `"add_removing_current"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SelectionModifier {
    /// Leave the selection alone.
    None,
    /// Replace the selection with the match.
    #[default]
    Set,
    /// Add the match to the selection.
    Add,
    /// Add the match and drop the current selection region.
    AddRemovingCurrent,
}

/// An inclusive range of visual lines, sent as the array `[first, last]`.
///
/// The fields are private because xi 0.3 computes `last - first` in `usize` without a check:
/// a reversed range panics the core in debug builds, so [`LineRange::new`] orders them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineRange {
    first: u64,
    last: u64,
}

impl LineRange {
    /// A range covering `a..=b` whichever way round they are given.
    pub fn new(a: u64, b: u64) -> LineRange {
        LineRange {
            first: a.min(b),
            last: a.max(b),
        }
    }

    /// The first line.
    pub fn first(&self) -> u64 {
        self.first
    }

    /// The last line (for `scroll`, one past the last visible line).
    pub fn last(&self) -> u64 {
        self.last
    }
}

impl Serialize for LineRange {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (self.first, self.last).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for LineRange {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (first, last) = <(u64, u64)>::deserialize(deserializer)?;
        if last < first {
            return Err(de::Error::custom(format!(
                "line range [{first}, {last}] is reversed"
            )));
        }
        Ok(LineRange { first, last })
    }
}

/// A mouse event for the older `click` and `drag` commands: `[line, column, flags]` or
/// `[line, column, flags, click_count]`.
///
/// xi's own serialiser writes `null` for a missing click count, which xi's own parser then
/// rejects (and an unparseable notification ends xi's main loop), so the count is omitted
/// instead when absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MouseAction {
    /// Visual line.
    pub line: u64,
    /// Byte column.
    pub column: u64,
    /// Modifier flags, as the macOS front-end sends them.
    pub flags: u64,
    /// 1 for a single click, 2 for a double click…
    pub click_count: Option<u64>,
}

impl Serialize for MouseAction {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.click_count {
            Some(count) => [self.line, self.column, self.flags, count].serialize(serializer),
            None => [self.line, self.column, self.flags].serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for MouseAction {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let v = Vec::<u64>::deserialize(deserializer)?;
        match v[..] {
            [line, column, flags] => Ok(MouseAction {
                line,
                column,
                flags,
                click_count: None,
            }),
            [line, column, flags, count] => Ok(MouseAction {
                line,
                column,
                flags,
                click_count: Some(count),
            }),
            _ => Err(de::Error::invalid_length(v.len(), &"3 or 4 numbers")),
        }
    }
}

/// A position for `request_hover`: `{"line":0,"column":3}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// Visual line.
    pub line: usize,
    /// Byte column.
    pub column: usize,
}

/// The size of the view in pixels, for `resize`: `{"width":800.0,"height":600.0}`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Size {
    /// Width in pixels (xi uses it for word wrap when `wrap_width` is 0).
    pub width: f64,
    /// Height in pixels.
    pub height: f64,
}

/// One query of a `multi_find`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindQuery {
    /// The id of an existing query to change, or `None` for a new one.
    pub id: Option<usize>,
    /// What to search for.
    pub chars: String,
    /// Match case exactly.
    pub case_sensitive: bool,
    /// Treat `chars` as a regular expression.
    #[serde(default)]
    pub regex: bool,
    /// Only match whole words.
    #[serde(default)]
    pub whole_words: bool,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::*;

    #[test]
    fn gesture_types_serialise_like_xi() {
        let select = GestureType::Select {
            granularity: SelectionGranularity::Word,
            multi: true,
        };
        assert_eq!(
            serde_json::to_value(select).unwrap(),
            json!({"select": {"granularity": "word", "multi": true}})
        );
        assert_eq!(
            serde_json::to_value(GestureType::MultiWordSelect).unwrap(),
            json!("multi_word_select")
        );
    }

    #[test]
    fn line_ranges_are_ordered_and_reversed_input_is_refused() {
        assert_eq!(
            serde_json::to_value(LineRange::new(9, 2)).unwrap(),
            json!([2, 9])
        );
        assert!(serde_json::from_value::<LineRange>(json!([5, 1])).is_err());
        assert!(serde_json::from_value::<LineRange>(json!([-1, 1])).is_err());
    }

    #[test]
    fn mouse_actions_omit_a_missing_click_count() {
        let action = MouseAction {
            line: 1,
            column: 2,
            flags: 0,
            click_count: None,
        };
        assert_eq!(serde_json::to_value(action).unwrap(), json!([1, 2, 0]));
        let twice = MouseAction {
            click_count: Some(2),
            ..action
        };
        assert_eq!(
            serde_json::from_value::<MouseAction>(json!([1, 2, 0, 2])).unwrap(),
            twice
        );
        assert!(serde_json::from_value::<MouseAction>(json!([1, 2])).is_err());
    }
}
