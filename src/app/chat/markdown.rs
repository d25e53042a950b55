//! A small Markdown reader for the chat: the subset planners and notes write (headings, bullet
//! and numbered lists, quotes, rules, fenced code, bold, italic, inline code, links).
//!
//! It reads line by line and never fails, because replies are shown while they stream: an
//! unclosed fence or `**` is text until the rest arrives. A full CommonMark parser would be
//! a dependency for little gain here.

use super::highlight::{TokenKind, highlight};

/// Inline emphasis of a run of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Inline {
    /// `**bold**`.
    pub bold: bool,
    /// `*italic*`.
    pub italic: bool,
    /// `` `code` ``.
    pub code: bool,
    /// `[text](url)`: the text.
    pub link: bool,
}

/// A run of text with one style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Span {
    /// Prose.
    Text(Inline, String),
    /// A token of a code block.
    Code(TokenKind, String),
}

/// What a block is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockKind {
    /// A paragraph (soft line breaks joined).
    Paragraph,
    /// `#` to `######`.
    Heading(u8),
    /// `- item`, nested by `depth`.
    Bullet {
        /// 0 for the outer list.
        depth: usize,
    },
    /// `1. item`.
    Numbered {
        /// 0 for the outer list.
        depth: usize,
        /// The number as written.
        number: String,
    },
    /// `> quote`.
    Quote,
    /// `---`.
    Rule,
    /// One line of a fenced code block.
    Code {
        /// The fence's language (`rust`), may be empty.
        language: String,
    },
    /// An empty line between blocks.
    Blank,
}

/// One block: a paragraph, a list item, a heading, a line of code…
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// What it is.
    pub kind: BlockKind,
    /// Its content.
    pub spans: Vec<Span>,
}

/// Read Markdown into blocks.
pub fn parse(text: &str) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    // The raw text of the block being gathered (paragraphs and items span lines).
    let mut open: Option<(BlockKind, String)> = None;
    let mut fence: Option<(String, String)> = None; // (marker, language)
    let flush = |open: &mut Option<(BlockKind, String)>, blocks: &mut Vec<Block>| {
        if let Some((kind, raw)) = open.take() {
            blocks.push(Block {
                kind,
                spans: inline(raw.trim()),
            });
        }
    };
    for line in text.lines() {
        if let Some((marker, language)) = &fence {
            if line.trim_start().starts_with(marker.as_str()) && line.trim() == marker {
                fence = None;
            } else {
                blocks.push(Block {
                    kind: BlockKind::Code {
                        language: language.clone(),
                    },
                    spans: highlight(line, language)
                        .into_iter()
                        .map(|(kind, text)| Span::Code(kind, text))
                        .collect(),
                });
            }
            continue;
        }
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if let Some(marker) = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m)) {
            flush(&mut open, &mut blocks);
            let language = trimmed.trim_start_matches(marker).trim().to_owned();
            fence = Some((marker.to_owned(), language));
            continue;
        }
        if trimmed.is_empty() {
            flush(&mut open, &mut blocks);
            if blocks.last().is_some_and(|b| b.kind != BlockKind::Blank) {
                blocks.push(Block {
                    kind: BlockKind::Blank,
                    spans: Vec::new(),
                });
            }
            continue;
        }
        if let Some(kind) = line_start(trimmed, indent) {
            flush(&mut open, &mut blocks);
            match kind {
                (BlockKind::Rule, _) => blocks.push(Block {
                    kind: BlockKind::Rule,
                    spans: Vec::new(),
                }),
                (kind @ BlockKind::Heading(_), rest) => blocks.push(Block {
                    kind,
                    spans: inline(rest.trim()),
                }),
                (kind, rest) => open = Some((kind, rest.to_owned())),
            }
            continue;
        }
        match &mut open {
            // A soft line break: the line continues the paragraph, item or quote.
            Some((_, raw)) => {
                raw.push(' ');
                raw.push_str(trimmed);
            }
            None => open = Some((BlockKind::Paragraph, trimmed.to_owned())),
        }
    }
    flush(&mut open, &mut blocks);
    while blocks.last().is_some_and(|b| b.kind == BlockKind::Blank) {
        blocks.pop();
    }
    blocks
}

/// The block a line starts, with the rest of the line, if it starts one.
fn line_start(trimmed: &str, indent: usize) -> Option<(BlockKind, &str)> {
    let depth = indent / 2;
    let hashes = trimmed.chars().take_while(|c| *c == '#').count();
    if (1..=6).contains(&hashes) && trimmed[hashes..].starts_with(' ') {
        return Some((BlockKind::Heading(hashes as u8), &trimmed[hashes + 1..]));
    }
    let compact: String = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() >= 3
        && ["-", "*", "_"]
            .iter()
            .any(|m| compact.chars().all(|c| c.to_string() == *m))
    {
        return Some((BlockKind::Rule, ""));
    }
    for bullet in ["- ", "* ", "+ "] {
        if let Some(rest) = trimmed.strip_prefix(bullet) {
            return Some((BlockKind::Bullet { depth }, rest));
        }
    }
    if let Some(rest) = trimmed.strip_prefix("> ").or(trimmed.strip_prefix('>')) {
        return Some((BlockKind::Quote, rest));
    }
    let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
    if (1..=9).contains(&digits) {
        let after = &trimmed[digits..];
        if let Some(rest) = after.strip_prefix(". ").or(after.strip_prefix(") ")) {
            return Some((
                BlockKind::Numbered {
                    depth,
                    number: trimmed[..digits].to_owned(),
                },
                rest,
            ));
        }
    }
    None
}

/// Read inline emphasis. Markers without a partner stay as text.
pub fn inline(text: &str) -> Vec<Span> {
    let mut spans: Vec<Span> = Vec::new();
    let mut style = Inline::default();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    let closes = |from: usize, marker: &[char]| -> bool {
        chars[from..].windows(marker.len()).any(|w| w == marker)
    };
    let push = |spans: &mut Vec<Span>, current: &mut String, style: Inline| {
        if !current.is_empty() {
            spans.push(Span::Text(style, std::mem::take(current)));
        }
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            '\\' if next.is_some_and(|n| n.is_ascii_punctuation()) => {
                current.extend(next);
                i += 2;
                continue;
            }
            '`' => {
                if let Some(len) = chars[i + 1..].iter().position(|&c| c == '`') {
                    push(&mut spans, &mut current, style);
                    let code: String = chars[i + 1..i + 1 + len].iter().collect();
                    spans.push(Span::Text(
                        Inline {
                            code: true,
                            ..style
                        },
                        code,
                    ));
                    i += len + 2;
                    continue;
                }
            }
            '*' | '_' if next == Some(c) => {
                let marker = [c, c];
                let opens =
                    chars.get(i + 2).is_some_and(|n| !n.is_whitespace()) && closes(i + 2, &marker);
                let ends = i > 0 && !chars[i - 1].is_whitespace();
                if (style.bold && ends) || (!style.bold && opens) {
                    push(&mut spans, &mut current, style);
                    style.bold = !style.bold;
                    i += 2;
                    continue;
                }
            }
            '*' | '_' => {
                let word_inside = c == '_'
                    && i > 0
                    && chars[i - 1].is_alphanumeric()
                    && next.is_some_and(char::is_alphanumeric);
                let opens = next.is_some_and(|n| !n.is_whitespace()) && closes(i + 1, &[c]);
                let ends = i > 0 && !chars[i - 1].is_whitespace();
                if !word_inside && ((style.italic && ends) || (!style.italic && opens)) {
                    push(&mut spans, &mut current, style);
                    style.italic = !style.italic;
                    i += 1;
                    continue;
                }
            }
            '[' => {
                let rest: String = chars[i..].iter().collect();
                if let Some(close) = rest.find("](")
                    && let Some(end) = rest[close..].find(')')
                {
                    push(&mut spans, &mut current, style);
                    let label = &rest[1..close];
                    spans.push(Span::Text(
                        Inline {
                            link: true,
                            ..style
                        },
                        label.to_owned(),
                    ));
                    i += rest[..close + end + 1].chars().count();
                    continue;
                }
            }
            _ => {}
        }
        current.push(c);
        i += 1;
    }
    push(&mut spans, &mut current, style);
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Span {
        Span::Text(Inline::default(), s.to_owned())
    }

    #[test]
    fn blocks_of_a_reply() {
        let blocks = parse(
            "# Plan\nI will\nsort the lines.\n\n- read\n  - nested\n2. write\n> note\n---\n```rust\nfn main() {}\n```",
        );
        let kinds: Vec<&BlockKind> = blocks.iter().map(|b| &b.kind).collect();
        assert_eq!(
            kinds,
            [
                &BlockKind::Heading(1),
                &BlockKind::Paragraph,
                &BlockKind::Blank,
                &BlockKind::Bullet { depth: 0 },
                &BlockKind::Bullet { depth: 1 },
                &BlockKind::Numbered {
                    depth: 0,
                    number: "2".into()
                },
                &BlockKind::Quote,
                &BlockKind::Rule,
                &BlockKind::Code {
                    language: "rust".into()
                },
            ]
        );
        assert_eq!(blocks[1].spans, [text("I will sort the lines.")]);
        assert!(
            blocks[8]
                .spans
                .contains(&Span::Code(TokenKind::Keyword, "fn".into()))
        );
    }

    #[test]
    fn emphasis_code_and_links() {
        let bold = Inline {
            bold: true,
            ..Inline::default()
        };
        let italic = Inline {
            italic: true,
            ..Inline::default()
        };
        let code = Inline {
            code: true,
            ..Inline::default()
        };
        assert_eq!(
            inline("a **b** *c* `d*e` [f](g) snake_case_name"),
            [
                text("a "),
                Span::Text(bold, "b".into()),
                text(" "),
                Span::Text(italic, "c".into()),
                text(" "),
                Span::Text(code, "d*e".into()),
                text(" "),
                Span::Text(
                    Inline {
                        link: true,
                        ..Inline::default()
                    },
                    "f".into()
                ),
                text(" snake_case_name"),
            ]
        );
    }

    #[test]
    fn half_streamed_markup_is_text() {
        assert_eq!(inline("so **bo"), [text("so **bo")]);
        assert_eq!(inline("2 * 3 `x"), [text("2 * 3 `x")]);
        let blocks = parse("```py\nprint(1)");
        assert_eq!(
            blocks[0].kind,
            BlockKind::Code {
                language: "py".into()
            },
            "an unclosed fence is code until it closes"
        );
    }

    proptest::proptest! {
        /// Whatever arrives, the reader neither panics nor loses the words of prose.
        #[test]
        fn never_panics_and_keeps_words(input in "[a-z *_`#>\\-\\[\\]\\\\0-9.\n]{0,120}") {
            let blocks = parse(&input);
            let shown: String = blocks
                .iter()
                .flat_map(|b| b.spans.iter())
                .map(|s| match s {
                    Span::Text(_, t) | Span::Code(_, t) => t.as_str(),
                })
                .collect();
            // A fence's info string (its language) is not shown.
            let prose = input.lines().filter(|l| !l.trim_start().starts_with("```"));
            for word in prose
                .flat_map(|l| l.split(|c: char| !c.is_ascii_lowercase()))
                .filter(|w| w.len() > 1)
            {
                proptest::prop_assert!(shown.contains(word), "{word:?} lost from {input:?}");
            }
        }
    }
}
