//! Every validation error kind, with its message, and all of them reported at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use pit::dag::{ValidationError, ValidationReport, Workflow, parse_toml, validate};

fn report(toml: &str) -> ValidationReport {
    validate(&parse_toml(toml, "test.toml").expect("the test's TOML parses"))
}

/// The one error of a file that has exactly one, with its code checked.
fn only_error(toml: &str, code: &str) -> ValidationError {
    let report = report(toml);
    assert_eq!(report.codes(), [code], "{report}");
    report.into_errors().remove(0)
}

const PIPELINE: &str = r#"
[[nodes]]
id = "repo"
kind = "input"
outputs = [{ name = "path", type = "text" }]

[[nodes]]
id = "summarise"
kind = "instrument"
runner = "llm.summarise"
inputs = [{ name = "text", type = "text" }]
outputs = [{ name = "summary", type = "text" }]

[[nodes]]
id = "result"
kind = "output"
inputs = [{ name = "summary", type = "text" }]

[[edges]]
from = "repo"
to = "summarise"

[[edges]]
from = "summarise"
to = "result"
"#;

#[test]
fn a_valid_pipeline_builds_in_topological_order() {
    let wf = Workflow::build(&parse_toml(PIPELINE, "t").unwrap()).unwrap();
    let order: Vec<&str> = wf
        .topological_order()
        .iter()
        .map(|&n| wf.id(n).as_str())
        .collect();
    assert_eq!(order, ["repo", "summarise", "result"]);
    let summarise = wf.lookup("summarise").unwrap();
    assert_eq!(
        wf.settings(summarise).runner.as_ref().unwrap().as_str(),
        "llm.summarise"
    );
    assert_eq!(wf.inputs(summarise).len(), 1);
}

#[test]
fn a_single_node_is_not_an_orphan() {
    assert!(report("[[nodes]]\nid = \"only\"\nkind = \"operator\"\n").is_ok());
}

#[test]
fn a_single_node_with_its_fallback_is_not_an_orphan() {
    let toml = "[[nodes]]\nid = \"only\"\nkind = \"operator\"\nfallback = \"spare\"\n\
                [[nodes]]\nid = \"spare\"\nkind = \"operator\"\n";
    assert!(report(toml).is_ok());
}

#[test]
fn no_nodes() {
    let error = only_error("name = \"nothing\"\n", "empty-workflow");
    assert!(error.to_string().contains("no nodes"));
}

#[test]
fn cycles_are_reported_once_per_component_with_their_path() {
    let mut toml = String::new();
    for id in ["a", "b", "c", "d", "e"] {
        toml += &format!("[[nodes]]\nid = \"{id}\"\nkind = \"operator\"\n");
    }
    for (from, to) in [
        ("a", "b"),
        ("b", "c"),
        ("c", "a"),
        ("b", "a"),
        ("d", "e"),
        ("e", "d"),
    ] {
        toml += &format!("[[edges]]\nfrom = \"{from}\"\nto = \"{to}\"\nkind = \"control\"\n");
    }
    let report = report(&toml);
    assert_eq!(report.codes(), ["cycle", "cycle"], "{report}");
    let messages: Vec<String> = report.errors().iter().map(ToString::to_string).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("`d` → `e` → `d`") || m.contains("`e` → `d` → `e`"))
    );
    assert!(
        messages.iter().any(|m| m.contains("3 nodes")),
        "{messages:?}"
    );
    assert!(messages[0].contains("remove or reverse one of these edges"));
}

#[test]
fn orphan_node() {
    let toml = format!("{PIPELINE}\n[[nodes]]\nid = \"lonely\"\nkind = \"operator\"\n");
    let error = only_error(&toml, "orphan-node");
    assert_eq!(
        error.to_string(),
        "orphan node `lonely`: it has no edges; connect it to the workflow or remove it"
    );
}

#[test]
fn disconnected_input() {
    let toml = PIPELINE
        .replace(
            r#"inputs = [{ name = "text", type = "text" }]"#,
            r#"inputs = [{ name = "text", type = "text" }, { name = "style", type = "text" }, { name = "hint", required = false }]"#,
        )
        .replace("to = \"summarise\"\n", "to = \"summarise\"\nto_port = \"text\"\n");
    let error = only_error(&toml, "disconnected-input");
    assert!(error.to_string().starts_with(
        "disconnected input `summarise.style` (text): it is required but no data edge feeds it"
    ));
}

#[test]
fn type_mismatch_names_both_ports_and_types() {
    let toml = PIPELINE.replace(
        r#"inputs = [{ name = "text", type = "text" }]"#,
        r#"inputs = [{ name = "text", type = "Image" }]"#,
    );
    let error = only_error(&toml, "type-mismatch");
    assert_eq!(
        error.to_string(),
        "type mismatch on edges[0] (`repo` → `summarise`): output `repo.path` is `text` but \
         input `summarise.text` takes `Image`; change one of the types, or convert in between \
         with an operator"
    );
    // `any` matches, and json takes text.
    for ty in ["any", "json"] {
        let ok = PIPELINE.replace(
            r#"inputs = [{ name = "text", type = "text" }]"#,
            &format!(r#"inputs = [{{ name = "text", type = "{ty}" }}]"#),
        );
        assert!(report(&ok).is_ok(), "{ty}");
    }
}

#[test]
fn missing_input_of_output_and_join_nodes() {
    let toml = r#"
[[nodes]]
id = "start"
kind = "operator"
[[nodes]]
id = "publish"
kind = "output"
[[nodes]]
id = "together"
kind = "join"
[[edges]]
from = "start"
to = "publish"
kind = "control"
[[edges]]
from = "start"
to = "together"
kind = "control"
"#;
    let report = report(toml);
    assert_eq!(
        report.codes(),
        ["missing-input", "missing-input"],
        "{report}"
    );
    let text = report.to_string();
    assert!(text.contains("output node `publish` receives 0 data edges but needs at least 1"));
    assert!(text.contains("join node `together` has 1 incoming edges but needs at least 2"));
}

#[test]
fn duplicate_ids_ports_and_edges() {
    let toml = r#"
[[nodes]]
id = "a"
kind = "operator"
outputs = [{ name = "out" }, { name = "out" }]
[[nodes]]
id = "b"
kind = "operator"
inputs = [{ name = "in" }]
[[nodes]]
id = "a"
kind = "input"
[[edges]]
id = "e"
from = "a"
from_port = "out"
to = "b"
[[edges]]
id = "e"
from = "a"
from_port = "out"
to = "b"
"#;
    let report = report(toml);
    assert_eq!(
        report.codes(),
        [
            "duplicate-id",
            "duplicate-id",
            "duplicate-id",
            "duplicate-edge"
        ],
        "{report}"
    );
    let text = report.to_string();
    assert!(text.contains("duplicate node id `a`: nodes[2] has the same id as nodes[0]"));
    assert!(text.contains("duplicate port `a.out`: two output ports have this name"));
    assert!(text.contains("duplicate edge id `e`: edges[1] has the same id as edges[0]"));
    assert!(text.contains("duplicate edge: edges[1] `e` (`a` → `b`) repeats edges[0]"));
}

#[test]
fn invalid_edges_say_what_to_change() {
    let toml = r#"
[[nodes]]
id = "a"
kind = "operator"
outputs = [{ name = "x" }, { name = "y" }]
inputs = [{ name = "in", required = false }]
[[nodes]]
id = "b"
kind = "operator"
inputs = [{ name = "in", required = false }]
outputs = [{ name = "out" }]
[[nodes]]
id = "plain"
kind = "operator"
[[edges]]
from = "a"
to = "ghost"
[[edges]]
from = "a"
from_port = "x"
to = "a"
to_port = "in"
[[edges]]
from = "a"
from_port = "nope"
to = "b"
[[edges]]
from = "a"
from_port = "x"
to = "b"
to_port = "out"
[[edges]]
from = "a"
to = "b"
[[edges]]
from = "plain"
to = "b"
[[edges]]
from = "a"
from_port = "x"
to = "plain"
kind = "control"
[[edges]]
from = "b"
to = "plain"
kind = "conditional"
[[edges]]
from = "plain"
to = "b"
kind = "control"
condition = "true"
"#;
    let report = report(toml);
    let expected = [
        "its `to` node does not exist",
        "it goes from a node to itself",
        "`from_port = \"nope\"`: its `from` node has no output port of that name (it has: `x`, `y`)",
        "`to_port = \"out\"` is not an input port of its `to` node",
        "its `from` node has 2 output ports (`x`, `y`); say which with `from_port`",
        "its `from` node has no output ports, so a data edge cannot attach there",
        "a control edge carries no data; remove `from_port`",
        "a conditional edge needs a non-empty `condition`",
        "only conditional edges take a `condition`, and this one is control",
    ];
    assert!(
        report.codes().iter().all(|&c| c == "invalid-edge"),
        "{report}"
    );
    assert_eq!(report.len(), expected.len(), "{report}");
    for (error, text) in report.errors().iter().zip(expected) {
        assert!(error.to_string().contains(text), "{error} lacks {text:?}");
    }
    assert_eq!(report.errors()[0].edge_index(), Some(0));
}

#[test]
fn invalid_ids_and_port_names() {
    let toml = r#"
[[nodes]]
id = "has space"
kind = "operator"
inputs = [{ name = "9lives", required = false }]
"#;
    let report = report(toml);
    assert_eq!(report.codes(), ["invalid-id", "invalid-id"], "{report}");
    let text = report.to_string();
    assert!(text.contains("invalid node id `has space` at `nodes[0].id`: it contains ' '"));
    assert!(text.contains("invalid port name `9lives` at `nodes[0].inputs[0].name`"));
}

#[test]
fn fallback_settings() {
    let toml = r#"
[[nodes]]
id = "start"
kind = "operator"
outputs = [{ name = "out", type = "text" }]
fallback = "start"
[[nodes]]
id = "work"
kind = "instrument"
inputs = [{ name = "in", type = "text" }]
outputs = [{ name = "out", type = "text" }]
fallback = "cheap"
[[nodes]]
id = "cheap"
kind = "operator"
inputs = [{ name = "in", type = "text" }, { name = "extra" }]
fallback = "cheaper"
[[nodes]]
id = "cheaper"
kind = "operator"
fallback = "cheap"
[[nodes]]
id = "end"
kind = "output"
inputs = [{ name = "in", type = "text" }]
on_failure = "fallback"
[[nodes]]
id = "ghostly"
kind = "operator"
fallback = "ghost"
on_failure = "skip"
[[edges]]
from = "start"
to = "work"
[[edges]]
from = "work"
to = "end"
[[edges]]
from = "start"
to = "ghostly"
kind = "control"
"#;
    let report = report(toml);
    assert!(
        report.codes().iter().all(|&c| c == "invalid-setting"),
        "{report}"
    );
    let text = report.to_string();
    for expected in [
        "node `start`: it names itself as its fallback",
        "node `work`: its fallback `cheap` has no output `out` of a type compatible with `text`",
        "node `work`: its fallback `cheap` requires input `extra`, which this node lacks",
        "its fallbacks go round in a loop: `cheap` → `cheaper` → `cheap`",
        "node `end`: `on_failure = \"fallback\"` needs a `fallback` node",
        "node `ghostly`: its fallback `ghost` does not exist",
        "node `ghostly`: it names a `fallback` but `on_failure = \"skip\"` never uses it",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
}

#[test]
fn a_fallback_with_its_own_edges_is_refused() {
    let toml = r#"
[[nodes]]
id = "a"
kind = "operator"
fallback = "b"
[[nodes]]
id = "b"
kind = "operator"
[[edges]]
from = "a"
to = "b"
kind = "control"
"#;
    let error = only_error(toml, "invalid-setting");
    assert!(
        error
            .to_string()
            .contains("its fallback `b` has edges of its own")
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let toml = r#"
[[nodes]]
id = "a"
kind = "operator"
outputs = [{ name = "out", type = "text" }]
[[nodes]]
id = "b"
kind = "operator"
inputs = [{ name = "in", type = "number" }, { name = "more" }]
[[nodes]]
id = "a"
kind = "operator"
[[nodes]]
id = "c"
kind = "operator"
[[nodes]]
id = "d"
kind = "operator"
[[nodes]]
id = "lonely"
kind = "operator"
[[nodes]]
id = "sink"
kind = "merge"
[[edges]]
from = "a"
to = "b"
to_port = "in"
[[edges]]
from = "c"
to = "d"
kind = "control"
[[edges]]
from = "d"
to = "c"
kind = "control"
[[edges]]
from = "d"
to = "nowhere"
kind = "control"
[[edges]]
from = "c"
to = "sink"
kind = "control"
"#;
    let report = report(toml);
    let mut codes = report.codes();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(
        codes,
        [
            "cycle",
            "disconnected-input",
            "duplicate-id",
            "invalid-edge",
            "missing-input",
            "orphan-node",
            "type-mismatch"
        ],
        "{report}"
    );
    assert!(
        report
            .to_string()
            .starts_with("the workflow has 7 problems:"),
        "{report}"
    );
}

#[test]
fn repeats_are_found_at_small_and_large_fan_outs() {
    // A run of three, and a repeat among 20 out-edges (found by sorting, not by scanning).
    let mut toml = String::from("[[nodes]]\nid = \"hub\"\nkind = \"operator\"\n");
    for i in 0..20 {
        toml += &format!("[[nodes]]\nid = \"t{i}\"\nkind = \"operator\"\n");
    }
    toml +=
        "[[nodes]]\nid = \"x\"\nkind = \"operator\"\n[[nodes]]\nid = \"y\"\nkind = \"operator\"\n";
    let edge = |from: &str, to: &str| {
        format!("[[edges]]\nfrom = \"{from}\"\nto = \"{to}\"\nkind = \"control\"\n")
    };
    for _ in 0..3 {
        toml += &edge("x", "y"); // edges[0..3]
    }
    for i in 0..20 {
        toml += &edge("hub", &format!("t{i}")); // edges[3..23]
    }
    toml += &edge("hub", "t7"); // edges[23]
    let report = report(&toml);
    let found: Vec<(Option<usize>, String)> = report
        .errors()
        .iter()
        .map(|e| (e.edge_index(), e.to_string()))
        .collect();
    assert_eq!(report.codes(), ["duplicate-edge"; 3], "{report}");
    assert_eq!(found[0].0, Some(1));
    assert!(found[0].1.ends_with("repeats edges[0]; remove one of them"));
    assert_eq!(found[1].0, Some(2));
    assert!(found[1].1.ends_with("repeats edges[0]; remove one of them"));
    assert_eq!(found[2].0, Some(23));
    assert!(found[2].1.contains("repeats edges[10]"), "{}", found[2].1);
    // A data and a control edge between the same nodes are different connections.
    let both = PIPELINE.to_owned()
        + "[[edges]]\nfrom = \"repo\"\nto = \"summarise\"\nkind = \"control\"\n";
    assert!(report_ok(&both));
}

fn report_ok(toml: &str) -> bool {
    report(toml).is_ok()
}
