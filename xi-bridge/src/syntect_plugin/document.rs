//! The plugin's own copy of a buffer's text, kept in step with the core.

use xi_rope::{DeltaElement, LinesMetric, Rope, RopeDelta};

use crate::syntect_plugin::error::PluginError;
use crate::syntect_plugin::link::CoreLink;
use crate::syntect_plugin::protocol::{GetDataParams, PluginId, RevToken, TextUnit, ViewId};

/// The largest chunk the core returns from `get_data` (its `MAX_SIZE_LIMIT`).
pub const MAX_CHUNK: usize = 1024 * 1024;

/// Which lines an edit touched, in line numbers of the text before and after.
///
/// Line `first` was edited in place; the `removed` old lines after it were
/// replaced by `inserted` new ones; later lines only moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineEdit {
    /// The first line whose text changed (same number before and after).
    pub first: usize,
    /// How many old lines after `first` the edit replaced.
    pub removed: usize,
    /// How many new lines after `first` replaced them.
    pub inserted: usize,
}

/// Why an `update` could not be applied to the local copy; the text must be
/// fetched again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NeedsText {
    /// An earlier fetch failed, so there is nothing to apply a delta to.
    #[error("the local copy is out of date since an earlier failure")]
    Stale,
    /// The core left the delta out (it does so for large edits).
    #[error("the core sent no delta (large edit)")]
    DeltaOmitted,
    /// The delta does not describe an edit of the text we hold.
    #[error("the delta does not fit the local copy: {0}")]
    DeltaDoesNotFit(String),
}

/// A buffer's text at a known revision.
#[derive(Debug, Clone)]
pub struct Document {
    text: Rope,
    rev: RevToken,
    stale: bool,
}

impl Document {
    /// A copy of `text` at `rev`.
    pub fn new(text: Rope, rev: RevToken) -> Self {
        Document {
            text,
            rev,
            stale: false,
        }
    }

    /// A placeholder for a buffer whose text could not be fetched; the next
    /// `update` fetches it again.
    pub fn unavailable(rev: RevToken) -> Self {
        Document {
            text: Rope::from(""),
            rev,
            stale: true,
        }
    }

    /// The text.
    pub fn text(&self) -> &Rope {
        &self.text
    }

    /// The revision of the text.
    pub fn rev(&self) -> RevToken {
        self.rev
    }

    /// Whether the text is a placeholder waiting for a fetch.
    pub fn is_stale(&self) -> bool {
        self.stale
    }

    /// Number of lines, counted the way the core counts them (newlines + 1).
    pub fn line_count(&self) -> usize {
        line_count(&self.text)
    }

    /// Applies the core's `update` and says which lines it touched.
    pub fn apply(
        &mut self,
        delta: Option<&RopeDelta>,
        rev: RevToken,
        new_len: usize,
    ) -> Result<LineEdit, NeedsText> {
        if self.stale {
            return Err(NeedsText::Stale);
        }
        let delta = delta.ok_or(NeedsText::DeltaOmitted)?;
        check_fits(delta, &self.text).map_err(NeedsText::DeltaDoesNotFit)?;

        let (changed, inserted_len) = delta.summary();
        let new_text = delta.apply(&self.text);
        if new_text.len() != new_len {
            return Err(NeedsText::DeltaDoesNotFit(format!(
                "it yields {} bytes, the core says {new_len}",
                new_text.len()
            )));
        }
        let first = self.text.line_of_offset(changed.start());
        let old_last = self.text.line_of_offset(changed.end());
        let new_last = new_text.line_of_offset(changed.start() + inserted_len);
        self.text = new_text;
        self.rev = rev;
        Ok(LineEdit {
            first,
            removed: old_last - first,
            inserted: new_last - first,
        })
    }

    /// Replaces the text with a freshly fetched copy.
    pub fn replace(&mut self, text: Rope, rev: RevToken) {
        *self = Document::new(text, rev);
    }

    /// Forgets the text until the next successful fetch.
    pub fn mark_stale(&mut self, rev: RevToken) {
        *self = Document::unavailable(rev);
    }
}

/// Number of lines of `text`, the way the core counts them (newlines + 1).
pub fn line_count(text: &Rope) -> usize {
    text.measure::<LinesMetric>() + 1
}

/// Checks that `delta` is a well-formed edit of `text`; `Delta::apply` would
/// panic or produce garbage otherwise.
fn check_fits(delta: &RopeDelta, text: &Rope) -> Result<(), String> {
    if delta.base_len != text.len() {
        return Err(format!(
            "it edits a {}-byte text, the local copy has {} bytes",
            delta.base_len,
            text.len()
        ));
    }
    let mut copied_up_to = 0;
    for el in &delta.els {
        if let DeltaElement::Copy(beg, end) = *el {
            if beg < copied_up_to || end < beg || end > text.len() {
                return Err(format!(
                    "it copies {beg}..{end} out of order or out of bounds"
                ));
            }
            if !text.is_codepoint_boundary(beg) || !text.is_codepoint_boundary(end) {
                return Err(format!("it copies {beg}..{end}, which splits a character"));
            }
            copied_up_to = end;
        }
    }
    Ok(())
}

/// Fetches the whole text of a buffer at `rev` with `get_data`, in chunks.
pub fn fetch_text(
    link: &mut dyn CoreLink,
    view_id: ViewId,
    plugin_id: PluginId,
    rev: RevToken,
    expected_len: usize,
) -> Result<Rope, PluginError> {
    let unavailable = |reason: String| PluginError::TextUnavailable {
        view: view_id,
        rev,
        reason,
    };
    let mut text = Rope::from("");
    while text.len() < expected_len {
        let params = GetDataParams {
            view_id,
            plugin_id,
            start: text.len(),
            unit: TextUnit::Utf8,
            max_size: MAX_CHUNK,
            rev,
        };
        let reply = link
            .get_data(&params)?
            .ok_or_else(|| unavailable("the core no longer has that revision".into()))?;
        if reply.offset != text.len() {
            return Err(unavailable(format!(
                "asked for byte {}, got a chunk at byte {}",
                text.len(),
                reply.offset
            )));
        }
        if reply.chunk.is_empty() {
            return Err(unavailable(format!(
                "the text ended after {} of {expected_len} bytes",
                text.len()
            )));
        }
        let end = text.len();
        text.edit(end..end, reply.chunk);
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use xi_rope::DeltaBuilder;

    fn replace(text: &Rope, range: std::ops::Range<usize>, with: &str) -> RopeDelta {
        let mut b = DeltaBuilder::new(text.len());
        b.replace(range, Rope::from(with));
        b.build()
    }

    #[test]
    fn an_edit_reports_the_lines_it_touched() {
        let mut doc = Document::new(Rope::from("a\nb\nc\nd\n"), RevToken(1));
        // Replace "b\nc" with "x\ny\nz": line 1 edited, one old line after it
        // replaced by two new ones.
        let delta = replace(doc.text(), 2..5, "x\ny\nz");
        let edit = doc.apply(Some(&delta), RevToken(2), 10).unwrap();
        assert_eq!(
            edit,
            LineEdit {
                first: 1,
                removed: 1,
                inserted: 2
            }
        );
        assert_eq!(String::from(doc.text()), "a\nx\ny\nz\nd\n");
        assert_eq!(doc.rev(), RevToken(2));
        assert_eq!(doc.line_count(), 6);
    }

    #[test]
    fn a_delta_for_another_text_is_refused_without_touching_the_copy() {
        let mut doc = Document::new(Rope::from("abc"), RevToken(1));
        let delta = replace(&Rope::from("abcd"), 0..1, "x");
        assert!(matches!(
            doc.apply(Some(&delta), RevToken(2), 4),
            Err(NeedsText::DeltaDoesNotFit(_))
        ));
        assert!(matches!(
            doc.apply(None, RevToken(2), 4),
            Err(NeedsText::DeltaOmitted)
        ));
        assert_eq!(String::from(doc.text()), "abc");
        assert_eq!(doc.rev(), RevToken(1));
    }

    #[test]
    fn a_delta_splitting_a_character_is_refused() {
        let mut doc = Document::new(Rope::from("é"), RevToken(1));
        let mut delta = replace(doc.text(), 0..0, "x");
        delta.els = vec![DeltaElement::Copy(0, 1)];
        assert!(matches!(
            doc.apply(Some(&delta), RevToken(2), 1),
            Err(NeedsText::DeltaDoesNotFit(_))
        ));
    }

    #[test]
    fn a_stale_copy_refuses_deltas() {
        let mut doc = Document::unavailable(RevToken(1));
        let delta = replace(doc.text(), 0..0, "x");
        assert_eq!(
            doc.apply(Some(&delta), RevToken(2), 1),
            Err(NeedsText::Stale)
        );
    }
}
