#![allow(clippy::unwrap_used)]

use super::*;
use syntect::parsing::{ParseState, ScopeStack};

/// The scope stack (as a space-separated string) at the first byte of
/// `needle` in `text`, parsed with the syntax called `syntax`.
fn scopes_at(syntaxes: &SyntaxSet, syntax: &str, text: &str, needle: &str) -> String {
    let target = text.find(needle).unwrap();
    let mut parse = ParseState::new(syntaxes.find_syntax_by_name(syntax).unwrap());
    let mut stack = ScopeStack::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let ops = parse.parse_line(line, syntaxes).unwrap();
        let mut ops = ops.into_iter().peekable();
        for col in 0..line.len() {
            while let Some((_, op)) = ops.next_if(|(c, _)| *c <= col) {
                stack.apply(&op).unwrap();
            }
            if line_start + col == target {
                return stack
                    .as_slice()
                    .iter()
                    .map(|s| s.build_string())
                    .collect::<Vec<_>>()
                    .join(" ");
            }
        }
        for (_, op) in ops {
            stack.apply(&op).unwrap();
        }
        line_start += line.len();
    }
    panic!("{needle:?} not reached")
}

const SAMPLE_TOML: &str = r#"# a comment
title = "TOML \"Example\"" # trailing
[owner]
name = 'Tom'
dob = 1979-05-27T07:32:00-08:00
[database.servers]
enabled = true
ports = [ 8000, 8_001, 0x1F ]
ratio = 6.626e-34
temp = { cpu = 79.5, case = false }
lunch = 07:32:00
text = """
multi "line" \n
still string"""
raw = '''
literal \n'''
[[products]]
"quoted key" = -inf
after = 1
"#;

#[test]
fn the_bundled_toml_syntax_scopes_every_construct() {
    let ss = load_syntax_set().unwrap();
    let at = |needle: &str| scopes_at(&ss, "TOML", SAMPLE_TOML, needle);
    let cases = [
        ("# a comment", "comment.line.number-sign.toml"),
        ("title", "entity.name.tag.toml"),
        ("\"TOML", "string.quoted.double.toml"),
        ("\\\"Example", "constant.character.escape.toml"),
        ("# trailing", "comment.line.number-sign.toml"),
        ("[owner]", "punctuation.definition.table.begin.toml"),
        ("owner", "entity.name.table.toml"),
        ("'Tom'", "string.quoted.single.toml"),
        ("1979", "constant.other.datetime.toml"),
        ("servers", "entity.name.table.toml"),
        ("true", "constant.language.boolean.toml"),
        ("8000", "constant.numeric.integer.decimal.toml"),
        ("8_001", "constant.numeric.integer.decimal.toml"),
        ("0x1F", "constant.numeric.integer.hexadecimal.toml"),
        ("6.626e-34", "constant.numeric.float.toml"),
        ("cpu", "entity.name.tag.toml"),
        ("79.5", "constant.numeric.float.toml"),
        ("false", "constant.language.boolean.toml"),
        ("07:32:00\n", "constant.other.time.toml"),
        ("multi", "string.quoted.triple.double.toml"),
        ("\\n\nstill", "constant.character.escape.toml"),
        ("still", "string.quoted.triple.double.toml"),
        ("literal", "string.quoted.triple.single.toml"),
        ("products", "entity.name.table.toml"),
        ("quoted key", "entity.name.tag.toml"),
        ("-inf", "constant.numeric.float.toml"),
        ("after", "entity.name.tag.toml"),
    ];
    for (needle, scope) in cases {
        let stack = at(needle);
        assert!(stack.starts_with("source.toml"), "{needle:?}: {stack}");
        assert!(
            stack.contains(scope),
            "{needle:?}: expected {scope}, got {stack}"
        );
    }
    // The multi-line strings ended: `after` is a key again, not string content.
    assert!(!at("after").contains("string"));
    assert!(!at("[[products]]").contains("string"));
}

#[test]
fn buffers_find_their_syntax_by_language_then_by_path() {
    let ss = load_syntax_set().unwrap();
    assert_eq!(
        syntax_for(&ss, &LanguageId("Python".into()), None).name,
        "Python"
    );
    assert_eq!(
        syntax_for(&ss, &LanguageId(String::new()), Some("/x/Cargo.toml")).name,
        "TOML"
    );
    assert_eq!(
        syntax_for(&ss, &LanguageId(String::new()), Some("/x/Makefile")).name,
        "Makefile"
    );
    assert_eq!(
        syntax_for(&ss, &LanguageId("Nope".into()), Some("/x/a.unknown")).name,
        "Plain Text"
    );
    assert_eq!(
        syntax_for(&ss, &LanguageId(String::new()), None).name,
        "Plain Text"
    );
}
