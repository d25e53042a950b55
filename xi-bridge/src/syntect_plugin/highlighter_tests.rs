#![allow(clippy::unwrap_used)]

use std::sync::LazyLock;

use proptest::prelude::*;
use xi_rope::spans::{Spans, SpansBuilder};
use xi_rope::{DeltaBuilder, Interval, RopeDelta};

use super::*;
use crate::syntect_plugin::document::Document;
use crate::syntect_plugin::protocol::RevToken;
use crate::syntect_plugin::syntaxes::load_syntax_set;

/// Loading the set takes a while; the tests only read it.
static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(|| load_syntax_set().unwrap());

/// What the core holds for our layer: scope spans it moves over edits
/// (`apply_shape`) and that `update_spans` overwrite (`edit`), as in
/// xi-core-lib's `layers.rs`.
struct CoreModel {
    spans: Spans<ScopeId>,
    stacks: Vec<Vec<String>>,
}

impl CoreModel {
    fn new(len: usize) -> Self {
        CoreModel {
            spans: SpansBuilder::new(len).build(),
            stacks: Vec::new(),
        }
    }

    fn edit(&mut self, delta: &RopeDelta) {
        self.spans.apply_shape(delta);
    }

    fn receive(&mut self, batch: Batch) {
        self.stacks.extend(batch.new_scopes);
        for run in batch.runs {
            let mut sb = SpansBuilder::new(run.len);
            let mut prev_end = 0;
            for s in &run.spans {
                assert!(
                    prev_end <= s.start && s.start < s.end && s.end <= run.len,
                    "bad span {s:?}"
                );
                assert!(
                    (s.scope_id.0 as usize) < self.stacks.len(),
                    "scope id sent before add_scopes"
                );
                sb.add_span(Interval::new(s.start, s.end), s.scope_id);
                prev_end = s.end;
            }
            self.spans
                .edit(Interval::new(run.start, run.start + run.len), sb.build());
        }
    }

    /// The scope stack of every byte, by name (ids differ between runs).
    fn per_byte(&self) -> Vec<Option<String>> {
        let mut out = vec![None; self.spans.len()];
        for (iv, id) in self.spans.iter() {
            let name = self.stacks[id.0 as usize].join(" ");
            for slot in &mut out[iv.start()..iv.end()] {
                *slot = Some(name.clone());
            }
        }
        out
    }
}

fn syntax(name: &str) -> &'static SyntaxReference {
    SYNTAXES.find_syntax_by_name(name).unwrap()
}

fn full_highlight(text: &str, syntax_name: &str) -> Vec<Option<String>> {
    let rope = Rope::from(text);
    let mut h = Highlighter::new(syntax(syntax_name), line_count(&rope));
    let mut core = CoreModel::new(rope.len());
    core.receive(h.highlight(&rope, &SYNTAXES, usize::MAX));
    assert!(!h.has_work());
    core.per_byte()
}

fn replace(text: &Rope, range: std::ops::Range<usize>, with: &str) -> RopeDelta {
    let mut b = DeltaBuilder::new(text.len());
    b.replace(range, Rope::from(with));
    b.build()
}

/// Highlights `text` completely, returning the highlighter, the document and
/// the core's view of the spans.
fn highlighted(text: &str, syntax_name: &str) -> (Highlighter, Document, CoreModel) {
    let doc = Document::new(Rope::from(text), RevToken(0));
    let mut h = Highlighter::new(syntax(syntax_name), doc.line_count());
    let mut core = CoreModel::new(doc.text().len());
    core.receive(h.highlight(doc.text(), &SYNTAXES, usize::MAX));
    (h, doc, core)
}

fn edit(
    h: &mut Highlighter,
    doc: &mut Document,
    core: &mut CoreModel,
    range: std::ops::Range<usize>,
    with: &str,
) {
    let delta = replace(doc.text(), range, with);
    core.edit(&delta);
    let rev = RevToken(doc.rev().0 + 1);
    let line_edit = doc
        .apply(Some(&delta), rev, delta.new_document_len())
        .unwrap();
    h.edit(line_edit);
}

#[test]
fn a_rust_line_gets_comment_and_keyword_scopes() {
    let (_, doc, core) = highlighted("// hi\nfn main() {}\n", "Rust");
    let bytes = core.per_byte();
    assert_eq!(bytes.len(), doc.text().len());
    assert!(
        bytes[0].as_deref().unwrap().contains("comment.line"),
        "{:?}",
        bytes[0]
    );
    assert!(
        bytes[6]
            .as_deref()
            .unwrap()
            .contains("storage.type.function")
            || bytes[6].as_deref().unwrap().contains("keyword"),
        "{:?}",
        bytes[6]
    );
    assert!(
        bytes
            .iter()
            .all(|b| b.as_deref().is_some_and(|s| s.starts_with("source.rust")))
    );
}

#[test]
fn an_edit_inside_a_line_reparses_only_that_line() {
    let text: String = (0..2000)
        .map(|i| format!("let x{i} = \"s\"; // c\n"))
        .collect();
    let (mut h, mut doc, mut core) = highlighted(&text, "Rust");
    let at = doc.text().offset_of_line(1000) + 4;
    edit(&mut h, &mut doc, &mut core, at..at, "y");
    let batch = h.highlight(doc.text(), &SYNTAXES, usize::MAX);
    assert!(
        batch.lines <= 2,
        "re-parsed {} lines for a one-character edit",
        batch.lines
    );
    assert_eq!(batch.runs.len(), 1);
    assert_eq!(batch.runs[0].start, doc.text().offset_of_line(1000));
    core.receive(batch);
    assert_eq!(
        core.per_byte(),
        full_highlight(&String::from(doc.text()), "Rust")
    );
}

#[test]
fn opening_a_block_comment_reparses_until_the_state_converges() {
    let text: String = (0..200).map(|i| format!("let x{i} = 1;\n")).collect();
    let (mut h, mut doc, mut core) = highlighted(&text, "Rust");
    let at = doc.text().offset_of_line(50);
    edit(&mut h, &mut doc, &mut core, at..at, "/*");
    let batch = h.highlight(doc.text(), &SYNTAXES, usize::MAX);
    assert_eq!(
        batch.lines, 151,
        "everything after the opened comment changes"
    );
    core.receive(batch);
    let at = doc.text().offset_of_line(100) + 3;
    edit(&mut h, &mut doc, &mut core, at..at, "zz");
    let batch = h.highlight(doc.text(), &SYNTAXES, usize::MAX);
    assert!(
        batch.lines <= 2,
        "an edit inside the comment converges at once: {} lines",
        batch.lines
    );
    core.receive(batch);
    let at = doc.text().offset_of_line(60);
    edit(&mut h, &mut doc, &mut core, at..at, "*/");
    let batch = h.highlight(doc.text(), &SYNTAXES, usize::MAX);
    assert_eq!(
        batch.lines, 141,
        "closing it turns every later line back into code"
    );
    core.receive(batch);
    assert_eq!(
        core.per_byte(),
        full_highlight(&String::from(doc.text()), "Rust")
    );
}

#[test]
fn the_budget_bounds_each_batch_and_work_resumes() {
    let text: String = (0..100).map(|i| format!("x = {i}\n")).collect();
    let doc = Document::new(Rope::from(text.as_str()), RevToken(0));
    let mut h = Highlighter::new(syntax("TOML"), doc.line_count());
    let mut core = CoreModel::new(doc.text().len());
    let mut batches = 0;
    while h.has_work() {
        let batch = h.highlight(doc.text(), &SYNTAXES, 10);
        assert!(batch.lines <= 10);
        core.receive(batch);
        batches += 1;
    }
    assert_eq!(
        batches, 11,
        "100 lines and the empty last line, 10 per batch"
    );
    assert_eq!(core.per_byte(), full_highlight(&text, "TOML"));
}

#[test]
fn a_new_syntax_restarts_but_keeps_scope_ids() {
    let (mut h, doc, mut core) = highlighted("a = 1\n", "TOML");
    h.set_syntax(syntax("Python"), doc.line_count());
    let toml_stacks = core.stacks.len();
    let batch = h.highlight(doc.text(), &SYNTAXES, usize::MAX);
    assert!(
        batch
            .new_scopes
            .iter()
            .all(|stack| stack[0] == "source.python")
    );
    let ids = batch
        .runs
        .iter()
        .flat_map(|r| &r.spans)
        .map(|s| s.scope_id.0 as usize);
    assert!(ids.clone().count() > 0);
    assert!(
        ids.into_iter().all(|id| id >= toml_stacks),
        "Python stacks continue the numbering"
    );
    core.receive(batch);
    assert_eq!(core.per_byte(), full_highlight("a = 1\n", "Python"));
}

const FRAGMENTS: &[&str] = &[
    "\n",
    " ",
    "x",
    "é",
    "/*",
    "*/",
    "//",
    "\"",
    "'",
    "\"\"\"",
    "'''",
    "#",
    "[",
    "]",
    "=",
    "{",
    "}",
    "fn f() {\n",
    "let s = \"a\\\"b\";\n",
    "/// doc\n",
    "[table]\n",
    "k = \"\"\"\nv\n\"\"\"\n",
    "def f():\n    return 1\n",
    "1979-05-27",
    "0x1F",
    "true",
];

fn text_from(parts: &[usize]) -> String {
    parts
        .iter()
        .map(|&i| FRAGMENTS[i % FRAGMENTS.len()])
        .collect()
}

#[derive(Debug, Clone)]
struct RandomEdit {
    at: u16,
    delete: usize,
    insert: Vec<usize>,
    budget: usize,
}

fn random_edit() -> impl Strategy<Value = RandomEdit> {
    (
        any::<u16>(),
        0usize..12,
        proptest::collection::vec(0usize..64, 0..4),
        0usize..5,
    )
        .prop_map(|(at, delete, insert, budget)| RandomEdit {
            at,
            delete,
            insert,
            budget,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// After any edits, with highlighting interrupted at any point, the core
    /// ends up with exactly the spans of a fresh highlight of the final text.
    #[test]
    fn incremental_highlighting_equals_a_full_rehighlight(
        syntax_name in prop::sample::select(vec!["Rust", "TOML", "Python", "Markdown"]),
        initial in proptest::collection::vec(0usize..64, 0..30),
        edits in proptest::collection::vec(random_edit(), 1..12),
        initial_budget in 0usize..8,
    ) {
        let initial = text_from(&initial);
        let mut doc = Document::new(Rope::from(initial.as_str()), RevToken(0));
        let mut h = Highlighter::new(syntax(syntax_name), doc.line_count());
        let mut core = CoreModel::new(doc.text().len());
        core.receive(h.highlight(doc.text(), &SYNTAXES, initial_budget));

        for e in edits {
            // Not xi-rope's `at_or_next_codepoint_boundary`: from inside a character it
            // can land inside the next one ("éé", 1 → 3), and the core never splits one.
            let text = String::from(doc.text());
            let mut start = usize::from(e.at) * text.len() / usize::from(u16::MAX);
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = (start + e.delete).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            edit(&mut h, &mut doc, &mut core, start..end, &text_from(&e.insert));
            core.receive(h.highlight(doc.text(), &SYNTAXES, e.budget));
        }
        while h.has_work() {
            core.receive(h.highlight(doc.text(), &SYNTAXES, 3));
        }
        let final_text = String::from(doc.text());
        prop_assert_eq!(core.per_byte(), full_highlight(&final_text, syntax_name), "text: {:?}", final_text);
    }
}
