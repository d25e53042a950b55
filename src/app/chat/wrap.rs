//! Word wrapping of styled text to a width, with a prefix on the first line and another on
//! the following ones (list bullets, indents). Pure, so that `update` (scrolling) and the
//! renderer count the same lines.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::transcript::{Role, Segment};

/// One screen line of the transcript.
pub type VisualLine = Vec<Segment>;

/// The width of a line's text.
pub fn line_width(line: &[Segment]) -> usize {
    line.iter().map(|s| s.text.width()).sum()
}

/// Wrap `content` to `width` columns. Words longer than a line are split; spaces at a break
/// are dropped. Always returns at least one line.
pub fn wrap(
    content: &[Segment],
    width: usize,
    first: &[Segment],
    rest: &[Segment],
) -> Vec<VisualLine> {
    let mut lines: Vec<VisualLine> = Vec::new();
    let mut line: VisualLine = first.to_vec();
    // Width of the current line's prefix, and of the line so far.
    let mut prefix = line_width(first);
    let mut used = prefix;
    let rest_width = line_width(rest);
    for segment in content {
        for piece in pieces(&segment.text) {
            let piece_width = piece.width();
            if piece.starts_with(' ') {
                // Spaces that do not fit end the line (or vanish at its start).
                if used + piece_width > width {
                    if used > prefix {
                        lines.push(trim_end(std::mem::replace(&mut line, rest.to_vec())));
                        prefix = rest_width;
                        used = prefix;
                    }
                } else {
                    push(&mut line, segment.role, piece);
                    used += piece_width;
                }
                continue;
            }
            if used + piece_width > width && used > prefix {
                lines.push(trim_end(std::mem::replace(&mut line, rest.to_vec())));
                prefix = rest_width;
                used = prefix;
            }
            if used + piece_width <= width {
                push(&mut line, segment.role, piece);
                used += piece_width;
                continue;
            }
            // A word longer than a whole line: split it where the line ends.
            let mut chunk = String::new();
            for c in piece.chars() {
                let w = UnicodeWidthChar::width(c).unwrap_or(0);
                if used + w > width && used > prefix {
                    push(&mut line, segment.role, &chunk);
                    chunk.clear();
                    lines.push(trim_end(std::mem::replace(&mut line, rest.to_vec())));
                    prefix = rest_width;
                    used = prefix;
                }
                chunk.push(c);
                used += w;
            }
            push(&mut line, segment.role, &chunk);
        }
    }
    lines.push(line);
    lines
}

/// A line without the spaces it ended with before a break.
fn trim_end(mut line: VisualLine) -> VisualLine {
    while let Some(last) = line.last_mut() {
        let kept = last.text.trim_end_matches(' ').len();
        if kept > 0 {
            last.text.truncate(kept);
            break;
        }
        line.pop();
    }
    line
}

fn push(line: &mut VisualLine, role: Role, text: &str) {
    if text.is_empty() {
        return;
    }
    match line.last_mut() {
        Some(last) if last.role == role => last.text.push_str(text),
        _ => line.push(Segment {
            role,
            text: text.to_owned(),
        }),
    }
}

/// Split text into runs of spaces and runs of anything else.
fn pieces(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_space = None;
    for (i, c) in text.char_indices() {
        let space = c == ' ';
        if in_space.is_some_and(|s| s != space) {
            out.push(&text[start..i]);
            start = i;
        }
        in_space = Some(space);
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(text: &str) -> Segment {
        Segment {
            role: Role::Text,
            text: text.to_owned(),
        }
    }

    fn plain(lines: &[VisualLine]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.iter().map(|s| s.text.as_str()).collect())
            .collect()
    }

    #[test]
    fn wraps_words_with_a_hanging_indent() {
        let lines = wrap(
            &[seg("the quick brown fox jumps")],
            12,
            &[seg("• ")],
            &[seg("  ")],
        );
        assert_eq!(plain(&lines), ["• the quick", "  brown fox", "  jumps"]);
    }

    #[test]
    fn splits_words_longer_than_a_line() {
        let lines = wrap(&[seg("abcdefghij")], 4, &[], &[]);
        assert_eq!(plain(&lines), ["abcd", "efgh", "ij"]);
        assert!(lines.iter().all(|l| line_width(l) <= 4));
    }

    #[test]
    fn empty_content_is_one_line() {
        assert_eq!(plain(&wrap(&[], 10, &[seg("> ")], &[])), ["> "]);
    }

    proptest::proptest! {
        /// No line is wider than asked (when the prefixes fit), and no word is lost.
        #[test]
        fn lines_fit_and_keep_the_words(text in "[a-zé ]{0,80}", width in 4usize..30) {
            let lines = wrap(&[seg(&text)], width, &[seg("- ")], &[seg("  ")]);
            for line in &lines {
                proptest::prop_assert!(line_width(line) <= width, "{line:?}");
            }
            let joined: String = plain(&lines).concat();
            let letters = |s: &str| s.chars().filter(|c| *c != ' ').collect::<String>();
            let shown = letters(&joined);
            proptest::prop_assert_eq!(shown.trim_start_matches('-'), letters(&text));
        }
    }
}
