//! The Harmony Board as a person sees it: whole screens (TestBackend + insta) — the empty
//! board, a 12-node workflow with a validation error shown at its node, the palette, and an
//! edge being connected. Review changes with `cargo insta review`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Harness;
use pit::dag::{Workflow, parse_toml};
use symphony::adapters::MemoryEditor;
use symphony::app::Action;
use symphony::app::board::BoardAction;

/// Fetch three sources in parallel, clean, summarise and tag, report — and a `log` output
/// fed only by a control edge, which validation refuses (missing input).
const TWELVE: &str = r#"
version = 1
name = "fetch-and-summarise"

[[nodes]]
id = "urls"
kind = "input"
outputs = [{ name = "value", type = "text" }]

[[nodes]]
id = "fan-out"
kind = "parallel"

[[nodes]]
id = "fetch-a"
kind = "operator"
runner = "shell"
params = { command = "curl -s https://a.example" }
outputs = [{ name = "out", type = "text" }]

[[nodes]]
id = "fetch-b"
kind = "operator"
runner = "shell"
params = { command = "curl -s https://b.example" }
outputs = [{ name = "out", type = "text" }]

[[nodes]]
id = "fetch-c"
kind = "operator"
runner = "shell"
params = { command = "curl -s https://c.example" }
outputs = [{ name = "out", type = "text" }]

[[nodes]]
id = "gather"
kind = "join"

[[nodes]]
id = "clean"
kind = "operator"
name = "clean the pages"
runner = "shell"
params = { command = "sed -e 's/<[^>]*>//g'" }
outputs = [{ name = "out", type = "text" }]

[[nodes]]
id = "summarise"
kind = "instrument"
runner = "acme.summariser"
inputs = [{ name = "in", type = "text" }]
outputs = [{ name = "out", type = "text" }]

[[nodes]]
id = "keywords"
kind = "instrument"
runner = "acme.tagger"
inputs = [{ name = "in", type = "text" }]
outputs = [{ name = "out", type = "json" }]

[[nodes]]
id = "combine"
kind = "operator"
inputs = [{ name = "in", type = "text" }]
outputs = [{ name = "out", type = "text" }]

[[nodes]]
id = "report"
kind = "output"
inputs = [{ name = "value", type = "text" }]

[[nodes]]
id = "log"
kind = "output"
inputs = [{ name = "value", type = "any", required = false }]

[[edges]]
from = "urls"
to = "fan-out"
kind = "control"

[[edges]]
from = "fan-out"
to = "fetch-a"
kind = "control"

[[edges]]
from = "fan-out"
to = "fetch-b"
kind = "control"

[[edges]]
from = "fan-out"
to = "fetch-c"
kind = "control"

[[edges]]
from = "fetch-a"
to = "gather"
kind = "control"

[[edges]]
from = "fetch-b"
to = "gather"
kind = "control"

[[edges]]
from = "fetch-c"
to = "gather"
kind = "control"

[[edges]]
from = "gather"
to = "clean"
kind = "control"

[[edges]]
from = "clean"
to = "summarise"

[[edges]]
from = "clean"
to = "keywords"

[[edges]]
from = "summarise"
to = "combine"

[[edges]]
from = "keywords"
to = "combine"
kind = "control"

[[edges]]
from = "combine"
to = "report"

[[edges]]
from = "clean"
to = "log"
kind = "control"
"#;

fn shown(width: u16, height: u16) -> Harness<MemoryEditor> {
    let file = parse_toml(TWELVE, "twelve").unwrap();
    assert_eq!(file.nodes.len(), 12);
    let report = Workflow::build(&file).expect_err("one problem");
    assert_eq!(report.codes(), ["missing-input"]);
    let mut h = Harness::memory(width, height, vec![]);
    h.act(Action::Board(BoardAction::Show {
        file,
        path: Some("fetch.toml".into()),
    }));
    h
}

#[test]
fn empty_board() {
    let mut h = Harness::memory(160, 48, vec![]);
    h.keys("<A-3>");
    insta::assert_snapshot!(h.screen());
}

#[test]
fn twelve_nodes_with_a_validation_error_at_its_node() {
    let mut h = shown(120, 44);
    h.keys("<A-z>");
    // Down the layers to `clean`, then to its `log` output.
    h.keys("<Down> <Down> <Down> <Down>");
    assert_eq!(h.state.board.selected.as_ref().unwrap().as_str(), "clean");
    h.keys("<Down>");
    while h.state.board.selected.as_ref().unwrap().as_str() != "log" {
        h.keys("<Right>");
    }
    insta::assert_snapshot!(h.screen());
}

#[test]
fn twelve_nodes_in_the_side_pane() {
    let mut h = shown(160, 48);
    h.keys("<A-3>");
    insta::assert_snapshot!(h.screen());
}

#[test]
fn the_palette() {
    let mut h = shown(120, 40);
    h.keys("<A-z> a");
    h.type_text("s");
    insta::assert_snapshot!(h.screen());
}

#[test]
fn connecting_dims_the_targets_that_would_close_a_cycle() {
    let mut h = shown(120, 44);
    h.keys("<A-z> <Down> <Down> c");
    assert_eq!(
        h.state.board.connecting.as_ref().unwrap().as_str(),
        "fetch-b"
    );
    insta::assert_snapshot!(h.screen());
}
