//! TOML and JSON workflow files: the same model from both, errors with line and column.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use pit::PitError;
use pit::dag::{
    Dependency, EdgeKind, Format, LoadOptions, NodeKind, OnFailure, PortType, Workflow,
    parse_bytes, parse_json, parse_toml,
};

const TOML: &str = r#"
version = 1
name = "demo"
timeout = "10m"

[[nodes]]
id = "in"
kind = "input"
outputs = [{ name = "n", type = "number" }]

[[nodes]]
id = "check"
kind = "branch"
inputs = [{ name = "n", type = "json" }]

[[nodes]]
id = "work"
kind = "operator"
runner = "shell"
params = { command = "echo hi", env = { A = "1" } }
timeout = "1.5s"
retries = 2
backoff = "250ms"
on_failure = "skip"

[[edges]]
from = "in"
to = "check"

[[edges]]
id = "big"
from = "check"
to = "work"
kind = "conditional"
condition = "n > 10"
dependency = "soft"
"#;

#[test]
fn toml_and_json_give_the_same_model() {
    let from_toml = parse_toml(TOML, "demo.toml").unwrap();
    let json = from_toml.to_json();
    let from_json = parse_json(&json, "demo.json").unwrap();
    assert_eq!(from_toml, from_json);
    let (format, again) =
        parse_bytes(json.as_bytes(), "demo.json", &LoadOptions::default()).unwrap();
    assert_eq!((format, &again), (Format::Json, &from_toml));

    let wf = Workflow::build(&from_toml).unwrap();
    assert_eq!(wf.name(), Some("demo"));
    assert_eq!(wf.timeout().unwrap().as_secs(), 600);
    let work = wf.lookup("work").unwrap();
    let settings = wf.settings(work);
    assert_eq!(settings.timeout.unwrap().as_millis(), 1500);
    assert_eq!(settings.backoff.unwrap().as_millis(), 250);
    assert_eq!(
        (settings.retries, settings.on_failure),
        (2, OnFailure::Skip)
    );
    assert_eq!(settings.params["env"]["A"], "1");
    let check = wf.lookup("check").unwrap();
    assert_eq!(
        wf.kind(check),
        NodeKind::Control(pit::dag::ControlKind::Branch)
    );
    let edge = wf.out_edges(check)[0];
    assert_eq!(wf.edge(edge).kind(), EdgeKind::Conditional);
    assert_eq!(wf.edge(edge).dependency(), Dependency::Soft);
    assert_eq!(wf.condition(edge), Some("n > 10"));
    assert_eq!(wf.edge_origin(edge), 1);
    let (_, port) = wf.inputs(check).next().unwrap();
    assert_eq!(port.ty, PortType::Json);
}

fn syntax(result: Result<impl std::fmt::Debug, PitError>) -> (usize, usize, String) {
    match result {
        Err(PitError::Syntax {
            line,
            column,
            message,
            ..
        }) => (line, column, message),
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

#[test]
fn unknown_fields_are_refused_with_their_position() {
    let toml = "[[nodes]]\nid = \"a\"\nkind = \"operator\"\ntmeout = \"1s\"\n";
    let (line, column, message) = syntax(parse_toml(toml, "t.toml"));
    assert_eq!((line, column), (4, 1), "{message}");
    assert!(message.contains("unknown field `tmeout`"), "{message}");
    assert!(message.contains("`timeout`"), "{message}");

    let json = "{\"nodes\": [{\"id\": \"a\", \"kind\": \"operator\",\n \"colour\": 1}]}";
    let (line, _, message) = syntax(parse_json(json, "t.json"));
    assert_eq!(line, 2);
    assert!(message.starts_with("unknown field `colour`"), "{message}");
    for extra in [
        "\"x\": 1",
        "\"nodes\": [], \"edges\": [{\"from\": \"a\", \"to\": \"b\", \"weight\": 2}]",
    ] {
        let json = format!("{{{extra}}}");
        assert!(
            matches!(parse_json(&json, "t"), Err(PitError::Syntax { .. })),
            "{json}"
        );
    }
}

#[test]
fn bad_values_say_what_is_allowed() {
    let cases = [
        (
            "[[nodes]]\nid = \"a\"\nkind = \"robot\"\n",
            "unknown variant `robot`",
        ),
        (
            "[[nodes]]\nid = \"a\"\nkind = \"operator\"\ninputs = [{ name = \"x\", type = \"txet\" }]\n",
            "unknown port type `txet`",
        ),
        (
            "[[nodes]]\nid = \"a\"\nkind = \"operator\"\ntimeout = \"soon\"\n",
            "is not a duration",
        ),
        (
            "version = 2\n",
            "workflow format version 2 is not supported",
        ),
        ("[[nodes]]\nid = \"a\"\n", "missing field `kind`"),
    ];
    for (toml, expected) in cases {
        let (_, _, message) = syntax(parse_toml(toml, "t.toml"));
        assert!(message.contains(expected), "{message:?} lacks {expected:?}");
    }
}

#[test]
fn the_error_message_names_the_file_and_position() {
    let error = parse_toml("name = \n", "flows/a.toml").unwrap_err();
    let text = error.to_string();
    assert!(text.starts_with("flows/a.toml:1:"), "{text}");
    assert!(text.contains("TOML error"), "{text}");
}
