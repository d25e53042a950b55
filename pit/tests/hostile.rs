//! Malformed and hostile input: clear errors, never a panic, never a message of megabytes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;

use pit::PitError;
use pit::dag::{LoadOptions, Workflow, import_wfcommons, parse_bytes, parse_json, parse_toml};

const MB10: usize = 10 << 20;

fn parse(bytes: &[u8]) -> Result<pit::dag::WorkflowFile, PitError> {
    parse_bytes(bytes, "hostile", &LoadOptions::default()).map(|(_, file)| file)
}

#[test]
fn a_ten_megabyte_id_is_refused_briefly() {
    let id = "x".repeat(MB10);
    let json = format!(
        r#"{{"nodes": [{{"id": "{id}", "kind": "operator"}}, {{"id": "b", "kind": "operator"}}],
            "edges": [{{"from": "{id}", "to": "b", "kind": "control"}},
                      {{"from": "b", "to": "{id}y", "kind": "control"}}]}}"#
    );
    let file = parse(json.as_bytes()).unwrap();
    let report = Workflow::build(&file).unwrap_err();
    assert_eq!(report.codes(), ["invalid-id", "invalid-edge"], "{report}");
    let text = report.to_string();
    assert!(text.len() < 2_000, "a message of {} bytes", text.len());
    assert!(text.contains(&format!("it is {MB10} bytes long; the limit is 256 bytes")));
    assert!(text.contains("(10485760 bytes)"), "{text}");
    // The same in TOML, and as a port type, where the parser itself complains.
    let toml = format!("[[nodes]]\nid = \"{id}\"\nkind = \"operator\"\n");
    assert!(parse_toml(&toml, "t").is_ok());
    let toml = format!("[[nodes]]\nid = \"a\"\nkind = \"{id}\"\n");
    let message = parse_toml(&toml, "t").unwrap_err().to_string();
    assert!(
        message.len() < 1_000,
        "a message of {} bytes",
        message.len()
    );
}

#[test]
fn deeply_nested_json_is_a_clear_error() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    // Where the model takes any JSON (a node's `params`), the parser's depth limit speaks.
    let json =
        format!(r#"{{"nodes": [{{"id": "a", "kind": "operator", "params": {{"p": {deep}}}}}]}}"#);
    let error = parse(json.as_bytes()).unwrap_err();
    assert!(
        matches!(error, PitError::TooDeep { limit: 128, .. }),
        "{error}"
    );
    assert!(error.to_string().starts_with("hostile:1:"), "{error}");
    assert!(error.to_string().contains("nests deeper than 128 levels"));
    // Elsewhere the structure is refused before the depth matters.
    for json in [
        format!("{{\"a\": {deep}}}"),
        format!("{{\"nodes\": {deep}}}"),
        "{\"a\":".repeat(100_000),
        "{\"nodes\": [{\"id\": \"a\", \"kind\": \"operator\", \"params\": ".repeat(50_000),
    ] {
        let error = parse(json.as_bytes()).unwrap_err();
        assert!(
            matches!(error, PitError::TooDeep { .. } | PitError::Syntax { .. }),
            "{error}"
        );
    }
    let error = import_wfcommons(&format!("{{\"workflow\": {deep}}}"), "w", 1.0).unwrap_err();
    assert!(matches!(error, PitError::Syntax { .. }), "{error}");
    // Fields the importer ignores are skipped without recursion, however deep.
    let json = format!("{{\"workflow\": {{\"jobs\": [], \"x\": {deep}}}}}");
    assert!(import_wfcommons(&json, "w", 1.0).unwrap().nodes.is_empty());
}

#[test]
fn deeply_nested_toml_is_a_clear_error() {
    let toml = format!(
        "[[nodes]]\nid = \"a\"\nkind = \"operator\"\nparams = {{ p = {}1{} }}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(matches!(
        parse_toml(&toml, "t"),
        Err(PitError::Syntax { .. })
    ));
}

#[test]
fn empty_inputs() {
    for bytes in [&b""[..], b"   \n\t\n", b"\xef\xbb\xbf"] {
        assert!(
            matches!(parse(bytes), Err(PitError::Empty { .. })),
            "{bytes:?}"
        );
    }
    assert!(matches!(parse_json("", "t"), Err(PitError::Empty { .. })));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(b"").unwrap();
    assert!(matches!(
        parse(&gz.finish().unwrap()),
        Err(PitError::Empty { .. })
    ));
    // A file of only comments parses to a workflow with no nodes, which validation refuses.
    let file = parse(b"# nothing yet\n").unwrap();
    assert_eq!(
        Workflow::build(&file).unwrap_err().codes(),
        ["empty-workflow"]
    );
}

#[test]
fn broken_bytes() {
    let error = parse(b"\x1f\x8b\x08\x00garbage").unwrap_err();
    assert!(matches!(error, PitError::Gzip { .. }), "{error}");
    let error = parse(b"name = \"\xff\"").unwrap_err();
    assert!(
        matches!(error, PitError::NotUtf8 { offset: 8, .. }),
        "{error}"
    );
    for json in ["{", "{\"nodes\": [", "{\"nodes\": 3}", "{} {}"] {
        assert!(
            matches!(parse(json.as_bytes()), Err(PitError::Syntax { .. })),
            "{json}"
        );
    }
}

#[test]
fn gzipped_workflows_are_read() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(b"[[nodes]]\nid = \"a\"\nkind = \"operator\"\n")
        .unwrap();
    let file = parse(&gz.finish().unwrap()).unwrap();
    assert_eq!(file.nodes.len(), 1);
}

#[test]
fn hostile_wfcommons_files() {
    let cases = [
        (r#"{"workflow": {}}"#, "is it a WfCommons trace?"),
        (
            r#"{"workflow": {"jobs": [{"name": "a", "runtime": 1, "parents": ["ghost"]}]}}"#,
            "task `a` lists parent `ghost`, which is not a task",
        ),
        (
            r#"{"workflow": {"jobs": [{"name": "a", "runtime": -1}]}}"#,
            "task `a` has runtime -1",
        ),
        (
            r#"{"workflow": {"specification": {"tasks": [{"id": "a"}]}}}"#,
            "task `a` has no runtime",
        ),
        (
            r#"{"workflow": {"jobs": [{"name": "a", "runtime": 1}, {"name": "a", "runtime": 2}]}}"#,
            "task id `a` appears twice",
        ),
    ];
    for (json, expected) in cases {
        let error = parse(json.as_bytes()).unwrap_err().to_string();
        assert!(error.contains(expected), "{error:?} lacks {expected:?}");
    }
    let error = import_wfcommons("{\"workflow\": {\"jobs\": []}}", "w", f64::NAN).unwrap_err();
    assert!(matches!(error, PitError::BadTimeScale { .. }));
    // A cyclic trace imports, and validation names the cycle.
    let json = r#"{"workflow": {"jobs": [
        {"name": "a", "runtime": 1, "parents": ["b"]},
        {"name": "b", "runtime": 1, "parents": ["a"]}]}}"#;
    let report = Workflow::build(&parse(json.as_bytes()).unwrap()).unwrap_err();
    assert_eq!(report.codes(), ["cycle"]);
}

#[test]
fn a_million_node_chain_and_cycle_do_not_overflow_the_stack() {
    let n = 1_000_000;
    let mut file = pit::dag::WorkflowFile::default();
    for i in 0..n {
        file.nodes.push(pit::dag::NodeSpec::new(
            format!("n{i}"),
            pit::dag::NodeKind::Operator,
        ));
    }
    for i in 1..n {
        file.edges.push(pit::dag::EdgeSpec::new(
            format!("n{}", i - 1),
            format!("n{i}"),
            pit::dag::EdgeKind::Control,
        ));
    }
    let wf = Workflow::build(&file).unwrap();
    assert_eq!(wf.topological_order().first(), wf.lookup("n0").as_ref());
    file.edges.push(pit::dag::EdgeSpec::new(
        format!("n{}", n - 1),
        "n0",
        pit::dag::EdgeKind::Control,
    ));
    let report = Workflow::build(&file).unwrap_err();
    assert_eq!(report.codes(), ["cycle"]);
    let text = report.to_string();
    assert!(
        text.contains("… 999981 more …"),
        "{}",
        &text[..text.len().min(600)]
    );
    assert!(text.len() < 1_000);
}
