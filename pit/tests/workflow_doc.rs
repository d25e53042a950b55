//! `docs/WORKFLOW_FORMAT.md` and `docs/workflow.schema.json` stay true: every example in the
//! doc parses, validates and satisfies the schema; the schema names exactly the fields the
//! parser knows; and what the parser refuses, the schema refuses too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use pit::dag::{
    Dependency, EdgeKind, EdgeSpec, HumanDuration, NodeKind, NodeSpec, OnFailure, PortSpec,
    PortType, Workflow, WorkflowFile, parse_json, parse_toml,
};
use serde_json::{Value, json};

fn docs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs")
}

fn schema() -> Value {
    let text = std::fs::read_to_string(docs().join("workflow.schema.json")).unwrap();
    serde_json::from_str(&text).expect("the schema is JSON")
}

/// The doc's ```toml and ```json blocks.
fn examples() -> Vec<(String, String)> {
    let doc = std::fs::read_to_string(docs().join("WORKFLOW_FORMAT.md")).unwrap();
    let mut blocks = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in doc.lines() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(lang)) => current = Some((lang.trim().to_owned(), String::new())),
            (Some(_), Some(_)) => blocks.extend(current.take()),
            (Some((_, body)), None) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    blocks
        .into_iter()
        .filter(|(lang, _)| lang == "toml" || lang == "json")
        .collect()
}

/// A small JSON Schema checker: the keywords `workflow.schema.json` uses, and a panic on any
/// other so that a new keyword cannot be silently ignored.
fn violations(root: &Value, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    const KNOWN: [&str; 17] = [
        "$schema",
        "$id",
        "title",
        "description",
        "type",
        "additionalProperties",
        "properties",
        "$defs",
        "$ref",
        "enum",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "required",
        "items",
    ];
    let schema = schema.as_object().expect("a schema is an object");
    for key in schema.keys() {
        assert!(
            KNOWN.contains(&key.as_str()),
            "the test's checker does not know `{key}`"
        );
    }
    if let Some(Value::String(reference)) = schema.get("$ref") {
        let name = reference.strip_prefix("#/$defs/").expect("a local $ref");
        violations(root, &root["$defs"][name], value, at, out);
    }
    if let Some(Value::String(ty)) = schema.get("type") {
        let ok = match ty.as_str() {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "boolean" => value.is_boolean(),
            other => panic!("type {other}"),
        };
        if !ok {
            out.push(format!("{at}: not of type {ty}"));
            return;
        }
    }
    if let Some(Value::Array(allowed)) = schema.get("enum")
        && !allowed.contains(value)
    {
        out.push(format!("{at}: {value} is not one of {allowed:?}"));
    }
    if let Some(text) = value.as_str() {
        let chars = text.chars().count() as u64;
        if let Some(Value::String(pattern)) = schema.get("pattern")
            && !regex::Regex::new(pattern).unwrap().is_match(text)
        {
            out.push(format!("{at}: {text:?} does not match {pattern}"));
        }
        if schema
            .get("minLength")
            .and_then(Value::as_u64)
            .is_some_and(|min| chars < min)
            || schema
                .get("maxLength")
                .and_then(Value::as_u64)
                .is_some_and(|max| chars > max)
        {
            out.push(format!("{at}: length {chars} out of bounds"));
        }
    }
    if let Some(n) = value.as_f64() {
        let below = schema
            .get("minimum")
            .and_then(Value::as_f64)
            .is_some_and(|m| n < m);
        let above = schema
            .get("maximum")
            .and_then(Value::as_f64)
            .is_some_and(|m| n > m);
        if below || above {
            out.push(format!("{at}: {n} out of range"));
        }
    }
    if let Some(object) = value.as_object() {
        let properties = schema.get("properties").and_then(Value::as_object);
        for name in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if !object.contains_key(name.as_str().unwrap()) {
                out.push(format!("{at}: missing {name}"));
            }
        }
        for (key, item) in object {
            match properties.and_then(|p| p.get(key)) {
                Some(sub) => violations(root, sub, item, &format!("{at}.{key}"), out),
                None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    out.push(format!("{at}: unknown property {key}"));
                }
                None => {}
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (i, item) in array.iter().enumerate() {
            violations(root, items, item, &format!("{at}[{i}]"), out);
        }
    }
}

fn schema_errors(value: &Value) -> Vec<String> {
    let root = schema();
    let mut out = Vec::new();
    violations(&root, &root, value, "$", &mut out);
    out
}

fn as_json(lang: &str, body: &str) -> Value {
    match lang {
        "toml" => toml::from_str(body).unwrap(),
        _ => serde_json::from_str(body).unwrap(),
    }
}

fn parses(value: &Value) -> bool {
    parse_json(&value.to_string(), "mutated").is_ok()
}

#[test]
fn every_example_parses_validates_and_fits_the_schema() {
    let examples = examples();
    assert!(examples.len() >= 3, "the doc lost its examples");
    for (i, (lang, body)) in examples.iter().enumerate() {
        let file = match lang.as_str() {
            "toml" => parse_toml(body, "example"),
            _ => parse_json(body, "example"),
        }
        .unwrap_or_else(|e| panic!("example {i}: {e}"));
        Workflow::build(&file).unwrap_or_else(|report| panic!("example {i}: {report}"));
        let errors = schema_errors(&as_json(lang, body));
        assert!(errors.is_empty(), "example {i}: {errors:?}");
    }
}

/// Every key of a value's objects, as `path.key`, with array indices dropped.
fn keys(value: &Value, at: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            for (key, item) in object {
                let path = format!("{at}.{key}");
                out.push(path.clone());
                if key != "params" {
                    keys(item, &path, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| keys(item, at, out)),
        _ => {}
    }
}

/// The same list from the schema.
fn schema_keys(root: &Value, schema: &Value, at: &str, out: &mut Vec<String>) {
    if let Some(Value::String(reference)) = schema.get("$ref") {
        let name = reference.trim_start_matches("#/$defs/");
        return schema_keys(root, &root["$defs"][name], at, out);
    }
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for (key, sub) in properties {
            let path = format!("{at}.{key}");
            out.push(path.clone());
            if key != "params" {
                schema_keys(root, sub, &path, out);
            }
        }
    }
    if let Some(items) = schema.get("items") {
        schema_keys(root, items, at, out);
    }
}

#[test]
fn the_schema_names_exactly_the_parsers_fields() {
    let mut node = NodeSpec::new("a", NodeKind::Operator);
    node.name = Some("A".into());
    node.group = Some("prep".into());
    let mut optional = PortSpec::new("in", PortType::Text);
    optional.required = false;
    node.inputs.push(optional.clone());
    node.outputs.push(optional);
    node.runner = Some("shell".into());
    node.params.insert("command".into(), json!("true"));
    node.timeout = Some("1s".parse::<HumanDuration>().unwrap());
    node.retries = 1;
    node.backoff = node.timeout;
    node.fallback = Some("b".into());
    node.on_failure = Some(OnFailure::Fallback);
    let mut edge = EdgeSpec::new("a", "b", EdgeKind::Conditional);
    edge.id = Some("e".into());
    edge.from_port = Some("out".into());
    edge.to_port = Some("in".into());
    edge.dependency = Dependency::Soft;
    edge.condition = Some("x".into());
    let file = WorkflowFile {
        name: Some("full".into()),
        description: Some("every field".into()),
        timeout: node.timeout,
        nodes: vec![node],
        edges: vec![edge],
        ..WorkflowFile::default()
    };
    let value: Value = serde_json::from_str(&file.to_json()).unwrap();
    let (mut from_types, mut from_schema) = (Vec::new(), Vec::new());
    keys(&value, "$", &mut from_types);
    let root = schema();
    schema_keys(&root, &root, "$", &mut from_schema);
    for list in [&mut from_types, &mut from_schema] {
        list.sort();
        list.dedup();
    }
    assert_eq!(from_types, from_schema);
    assert!(
        schema_errors(&value).is_empty(),
        "{:?}",
        schema_errors(&value)
    );
}

#[test]
fn what_the_parser_refuses_the_schema_refuses() {
    let (lang, body) = examples().into_iter().find(|(l, _)| l == "json").unwrap();
    let good = as_json(&lang, &body);
    assert!(parses(&good) && schema_errors(&good).is_empty());
    type Mutation = (&'static str, fn(&mut Value));
    let mutations: [Mutation; 9] = [
        ("unknown top-level field", |v| v["colour"] = json!("red")),
        ("unknown node field", |v| {
            v["nodes"][0]["tmeout"] = json!("1s")
        }),
        ("unknown edge field", |v| v["edges"][0]["weight"] = json!(1)),
        ("unknown port field", |v| {
            v["nodes"][0]["outputs"][0]["size"] = json!(1)
        }),
        ("bad kind", |v| v["nodes"][0]["kind"] = json!("robot")),
        ("bad port type", |v| {
            v["nodes"][0]["outputs"][0]["type"] = json!("txet")
        }),
        ("bad duration", |v| v["nodes"][0]["timeout"] = json!("soon")),
        ("bad version", |v| v["version"] = json!(2)),
        ("missing kind", |v| {
            v["nodes"][0].as_object_mut().unwrap().remove("kind");
        }),
    ];
    for (what, mutate) in mutations {
        let mut value = good.clone();
        mutate(&mut value);
        assert!(!parses(&value), "the parser accepts: {what}");
        assert!(
            !schema_errors(&value).is_empty(),
            "the schema accepts: {what}"
        );
    }
}
