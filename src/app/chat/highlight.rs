//! A light highlighter for code blocks in the chat: keywords, strings, comments and numbers,
//! one line at a time. The editor has xi's syntect for real work; a chat snippet needs only
//! to be easier to read than plain text.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Anything else.
    Plain,
    /// A keyword of the language (or of common languages when it is unknown).
    Keyword,
    /// A string or character literal.
    Str,
    /// A comment to the end of the line.
    Comment,
    /// A number.
    Number,
}

const RUST: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "false",
    "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe",
    "use", "where", "while",
];
const PYTHON: &[&str] = &[
    "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif",
    "else", "except", "False", "finally", "for", "from", "if", "import", "in", "is", "lambda",
    "None", "not", "or", "pass", "raise", "return", "True", "try", "while", "with", "yield",
];
const SHELL: &[&str] = &[
    "case", "do", "done", "echo", "elif", "else", "esac", "export", "fi", "for", "function", "if",
    "in", "local", "return", "then", "while",
];
const C_LIKE: &[&str] = &[
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "default",
    "else",
    "export",
    "extends",
    "false",
    "for",
    "function",
    "if",
    "import",
    "interface",
    "let",
    "new",
    "null",
    "return",
    "static",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "var",
    "void",
    "while",
    "int",
    "char",
    "struct",
    "func",
    "package",
    "go",
    "defer",
    "type",
];
const DATA: &[&str] = &["true", "false", "null"];

/// Keywords and the line-comment marker of a language named in a fence.
fn language(name: &str) -> (&'static [&'static str], &'static [&'static str]) {
    match name.to_ascii_lowercase().as_str() {
        "rust" | "rs" => (RUST, &["//"]),
        "python" | "py" => (PYTHON, &["#"]),
        "sh" | "bash" | "shell" | "zsh" | "console" => (SHELL, &["#"]),
        "toml" | "yaml" | "yml" => (DATA, &["#"]),
        "json" => (DATA, &[]),
        "sql" => (&[], &["--"]),
        "" | "text" | "txt" | "plain" => (&[], &[]),
        _ => (C_LIKE, &["//"]),
    }
}

/// Split one line of code into tokens.
pub fn highlight(line: &str, language_name: &str) -> Vec<(TokenKind, String)> {
    let (keywords, comments) = language(language_name);
    // Plain text has no syntax: an apostrophe is not a string.
    let plain = keywords.is_empty() && comments.is_empty();
    let mut tokens: Vec<(TokenKind, String)> = Vec::new();
    let mut push = |kind: TokenKind, text: &str| match tokens.last_mut() {
        Some((last, previous)) if *last == kind => previous.push_str(text),
        _ => tokens.push((kind, text.to_owned())),
    };
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        if comments.iter().any(|m| rest.starts_with(m)) {
            push(TokenKind::Comment, rest);
            break;
        }
        let quote = c == '"' || (c == '\'' && !matches!(language_name, "rust" | "rs"));
        let len = if quote && !plain {
            // To the closing quote (escapes skipped), or the end of the line.
            let mut escaped = false;
            let end = rest[1..]
                .char_indices()
                .find(|&(_, ch)| {
                    let closes = ch == c && !escaped;
                    escaped = ch == '\\' && !escaped;
                    closes
                })
                .map_or(rest.len(), |(i, _)| i + 2);
            push(TokenKind::Str, &rest[..end]);
            end
        } else if c.is_ascii_digit() && !plain {
            let end = rest
                .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '.' || ch == '_'))
                .unwrap_or(rest.len());
            push(TokenKind::Number, &rest[..end]);
            end
        } else if c.is_alphanumeric() || c == '_' {
            let end = rest
                .find(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
                .unwrap_or(rest.len());
            let word = &rest[..end];
            let kind = if keywords.contains(&word) {
                TokenKind::Keyword
            } else {
                TokenKind::Plain
            };
            push(kind, word);
            end
        } else {
            push(TokenKind::Plain, &rest[..c.len_utf8()]);
            c.len_utf8()
        };
        rest = &rest[len..];
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;
    use TokenKind::*;

    #[test]
    fn rust_line() {
        assert_eq!(
            highlight(r#"let x = "a\"b" + 42; // sum"#, "rust"),
            [
                (Keyword, "let".into()),
                (Plain, " x = ".into()),
                (Str, r#""a\"b""#.into()),
                (Plain, " + ".into()),
                (Number, "42".into()),
                (Plain, "; ".into()),
                (Comment, "// sum".into()),
            ]
        );
    }

    #[test]
    fn python_comments_and_unknown_languages() {
        assert_eq!(highlight("# hi", "py"), [(Comment, "# hi".into())]);
        assert_eq!(highlight("let '", "text"), [(Plain, "let '".into())]);
        assert_eq!(
            highlight("return 'x", "js"),
            [
                (Keyword, "return".into()),
                (Plain, " ".into()),
                (Str, "'x".into())
            ],
            "an unclosed string runs to the end of the line"
        );
    }
}
