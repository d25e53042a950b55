//! The `update` payload: line-cache operations, the pristine flag and annotations.
//!
//! The core keeps a shadow of what the front-end holds and sends only the difference as a
//! list of ops that build the new cache from the old one; see
//! [`LineCache`](crate::line_cache::LineCache) for how they apply. Every offset is in UTF-8
//! bytes.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::protocol::ids::StyleId;

/// One `update` for a view.
/// ```json
/// {"ops":[{"op":"copy","n":1,"ln":1},{"op":"ins","n":1,"lines":[{"text":"world","ln":2,"cursor":[4],"styles":[4,1,0]}]}],
///  "pristine":false,"annotations":[{"type":"selection","ranges":[[1,4,1,5]],"payloads":null,"n":1}]}
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Update {
    /// How to build the new line cache from the old one, in order.
    pub ops: Vec<UpdateOp>,
    /// True when the buffer has no unsaved changes.
    #[serde(default)]
    pub pristine: bool,
    /// Selections, find matches and plugin annotations for the visible region (xi sends them
    /// all in every update; they replace the previous ones).
    #[serde(default)]
    pub annotations: Vec<Annotation>,
}

/// One line-cache operation, tagged by `"op"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum UpdateOp {
    /// Keeps the next `n` old lines; if `ln` is given, renumbers them from `ln` (1-based).
    /// ```json
    /// {"op":"copy","n":3,"ln":12}
    /// ```
    Copy {
        /// How many lines.
        n: usize,
        /// The new logical number of the first copied line that has one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ln: Option<usize>,
    },
    /// Drops the next `n` old lines.
    /// ```json
    /// {"op":"skip","n":2}
    /// ```
    Skip {
        /// How many lines.
        n: usize,
    },
    /// Adds `n` lines whose content is not known (outside the region xi renders).
    /// ```json
    /// {"op":"invalidate","n":400}
    /// ```
    Invalidate {
        /// How many lines.
        n: usize,
    },
    /// Adds new lines.
    /// ```json
    /// {"op":"ins","n":1,"lines":[{"text":"hello\n","ln":1,"cursor":[5],"styles":[]}]}
    /// ```
    Ins {
        /// How many lines; must equal `lines.len()`.
        n: usize,
        /// The lines.
        lines: Vec<Line>,
    },
    /// Keeps the text of the next `n` old lines but replaces their cursors and styles.
    /// xi 0.3's core never sends it (it re-sends whole lines with `ins`), but the protocol has it.
    /// ```json
    /// {"op":"update","n":1,"lines":[{"cursor":[0],"styles":[]}]}
    /// ```
    Update {
        /// How many lines; must equal `lines.len()`.
        n: usize,
        /// The new cursors and styles, one per line.
        lines: Vec<Line>,
    },
}

impl UpdateOp {
    /// The op's name on the wire (`"copy"`, `"ins"`…), for error messages.
    pub fn name(&self) -> &'static str {
        match self {
            UpdateOp::Copy { .. } => "copy",
            UpdateOp::Skip { .. } => "skip",
            UpdateOp::Invalidate { .. } => "invalidate",
            UpdateOp::Ins { .. } => "ins",
            UpdateOp::Update { .. } => "update",
        }
    }
}

/// One visual line (a logical line, or a piece of one when word wrap is on).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Line {
    /// The text, with its line ending; absent in `update` ops, which keep the old text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The 1-based logical line number; absent on the continuation pieces of a wrapped line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ln: Option<usize>,
    /// Byte offsets of carets within `text`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cursor: Vec<usize>,
    /// Style triples `(start delta, length, style id)`; the start is relative to the end of the
    /// previous span (so it can be negative: xi lists selection, find and syntax spans in
    /// separate runs). See [`Line::style_spans`].
    #[serde(default)]
    pub styles: Vec<i64>,
}

/// A styled byte range of a line, decoded from [`Line::styles`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StyleSpan {
    /// First byte.
    pub start: usize,
    /// Length in bytes.
    pub len: usize,
    /// The style; [`StyleId::SELECTION`] and find highlights are reserved ids.
    pub style: StyleId,
}

impl Line {
    /// Decodes the style triples into absolute byte ranges, in the order xi sent them.
    ///
    /// Stops at the first malformed triple (negative start or length, a style id that does not
    /// fit in `u32`, or a trailing partial triple) rather than guess.
    pub fn style_spans(&self) -> Vec<StyleSpan> {
        let mut spans = Vec::with_capacity(self.styles.len() / 3);
        let mut end: i64 = 0;
        for triple in self.styles.chunks_exact(3) {
            let (Some(start), Ok(len), Ok(style)) = (
                end.checked_add(triple[0]),
                usize::try_from(triple[1]),
                u32::try_from(triple[2]),
            ) else {
                break;
            };
            let Ok(start_usize) = usize::try_from(start) else {
                break;
            };
            let Some(next_end) = start.checked_add(triple[1]) else {
                break;
            };
            spans.push(StyleSpan {
                start: start_usize,
                len,
                style: StyleId(style),
            });
            end = next_end;
        }
        spans
    }
}

/// A set of annotations of one kind over the visible region.
/// ```json
/// {"type":"find","ranges":[[1,0,1,1]],"payloads":[{"id":1}],"n":1}
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Annotation {
    /// `"selection"`, `"find"`, or a plugin-defined kind.
    #[serde(rename = "type")]
    pub kind: String,
    /// `[start_line, start_col, end_line, end_col]` (visual lines, byte columns), ordered start
    /// before end: a selection's direction is not kept here (use [`Line::cursor`] for carets).
    pub ranges: Vec<[usize; 4]>,
    /// One payload per range, when the kind has any (find: `{"id": query id}`).
    #[serde(default)]
    pub payloads: Option<Value>,
    /// The number of ranges.
    #[serde(default)]
    pub n: usize,
}

impl Annotation {
    /// The kind xi uses for selections.
    pub const SELECTION: &'static str = "selection";
    /// The kind xi uses for find matches.
    pub const FIND: &'static str = "find";
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::*;

    fn line_with_styles(styles: Vec<i64>) -> Line {
        Line {
            text: Some("hello world".into()),
            styles,
            ..Line::default()
        }
    }

    #[test]
    fn style_starts_are_relative_to_the_previous_span_end() {
        // Selection 6..11 (style 0), then a syntax span 0..5 whose start goes back by 11.
        let spans = line_with_styles(vec![6, 5, 0, -11, 5, 9]).style_spans();
        assert_eq!(
            spans,
            vec![
                StyleSpan {
                    start: 6,
                    len: 5,
                    style: StyleId(0)
                },
                StyleSpan {
                    start: 0,
                    len: 5,
                    style: StyleId(9)
                }
            ]
        );
    }

    #[test]
    fn malformed_style_triples_stop_decoding_without_panicking() {
        assert_eq!(line_with_styles(vec![-1, 2, 3]).style_spans(), vec![]);
        assert_eq!(line_with_styles(vec![0, 2, 3, 1]).style_spans().len(), 1);
        assert_eq!(
            line_with_styles(vec![i64::MAX, i64::MAX, 1]).style_spans(),
            vec![]
        );
        assert_eq!(line_with_styles(vec![0, 1, -4]).style_spans(), vec![]);
    }

    #[test]
    fn updates_parse_from_real_xi_output() {
        let wire = json!({"annotations":[{"n":1,"payloads":null,"ranges":[[1,4,1,5]],"type":"selection"}],
            "ops":[{"ln":1,"n":1,"op":"copy"},{"lines":[{"cursor":[4],"ln":2,"styles":[4,1,0],"text":"world"}],"n":1,"op":"ins"}],
            "pristine":false});
        let update: Update = serde_json::from_value(wire).unwrap();
        assert_eq!(update.ops[0], UpdateOp::Copy { n: 1, ln: Some(1) });
        let UpdateOp::Ins { lines, .. } = &update.ops[1] else {
            panic!("expected ins, got {:?}", update.ops[1])
        };
        assert_eq!(lines[0].cursor, vec![4]);
        assert_eq!(update.annotations[0].kind, Annotation::SELECTION);
        assert_eq!(update.annotations[0].ranges, vec![[1, 4, 1, 5]]);
    }
}
