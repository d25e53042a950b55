use proptest::prelude::*;

use super::*;

/// A typical manifest, with every section.
pub(crate) const TYPICAL: &str = r##"
id = "symphony.word-count"
name = "Word count"
version = "0.1.0"
author = "Symphony authors"
license = "Apache-2.0"
description = "Counts the words of a text, as styled lines for the status bar."
type = "motif"
class = "recommended"
sandbox = "strict"

[[capabilities]]
method = "count"
description = "Words, lines and characters"

[permissions]
fs = ["$PROJECT/**/*.md"]
fs_write = ["$DATA/**"]
network = []
system = []
model = []
ipc = ["editor"]

[resources]
memory_mb = 64
timeout_seconds = 2
retries = 1

[runtime]
kind = "native"
command = "word-count"

[config.style]
type = "string"
default = "bold"
description = "How the count is shown"

[conductor]
intents = ["count words", "measure text"]
cost = "low"
idempotent = true

[[artifacts.inputs]]
name = "text"
media_type = "text/plain"

[[artifacts.outputs]]
name = "lines"
media_type = "application/vnd.symphony.styled-lines+json"

[board]
icon = "#"
color = "#88c0d0"
label = "Words"

[pricing]
model = "free"
"##;

fn issues(text: &str) -> Vec<ManifestIssue> {
    match Manifest::parse(text, "m.toml") {
        Err(ExtensionError::InvalidManifest { issues, .. }) => issues,
        other => panic!("expected an invalid manifest, got {other:?}"),
    }
}

#[test]
fn a_typical_manifest_validates_with_its_values() {
    let m = Manifest::parse(TYPICAL, "m.toml").expect("valid");
    assert_eq!(m.id.as_str(), "symphony.word-count");
    assert_eq!(m.version, semver::Version::new(0, 1, 0));
    assert_eq!(m.limits.memory_mb, 64);
    assert_eq!(m.limits.cpu_seconds, 2, "cpu defaults to the timeout");
    assert_eq!(m.limits.open_files, 32, "the motif default");
    assert!(m.offers("count") && !m.offers("nope"));
    assert_eq!(m.fs_read[0].base, "");
}

#[test]
fn a_capability_is_named_by_provides_or_by_id_and_method() {
    let m = Manifest::parse(TYPICAL, "m.toml").expect("valid");
    let count = &m.file.capabilities[0];
    assert_eq!(m.capability_name(count), "symphony.word-count.count");
    let text = TYPICAL.replace(
        "method = \"count\"\n",
        "method = \"count\"\nprovides = \"text.count-words\"\n",
    );
    let m = Manifest::parse(&text, "m.toml").expect("valid");
    assert_eq!(
        m.capability_name(&m.file.capabilities[0]),
        "text.count-words"
    );
    let bad = TYPICAL.replace(
        "method = \"count\"\n",
        "method = \"count\"\nprovides = \"Text..count\"\n",
    );
    let all = issues(&bad);
    assert_eq!(all[0].field, "capabilities[0].provides", "{all:?}");
    assert!(all[0].message.contains("not a capability name"), "{all:?}");
}

#[test]
fn defaults_come_from_the_type() {
    let text = TYPICAL
        .replace("memory_mb = 64\ntimeout_seconds = 2\nretries = 1\n", "")
        .replace("type = \"motif\"", "type = \"instrument\"");
    let m = Manifest::parse(&text, "m.toml").expect("valid");
    assert_eq!(
        (
            m.limits.memory_mb,
            m.limits.timeout_seconds,
            m.limits.retries
        ),
        (1024, 60, 3)
    );
}

#[test]
fn the_whole_disk_is_refused_at_its_line_and_field() {
    let text = TYPICAL.replace(
        "fs = [\"$PROJECT/**/*.md\"]",
        "fs = [\"$PROJECT/a\", \"$PROJECT/b\", \"/**\"]",
    );
    let all = issues(&text);
    assert_eq!(all.len(), 1, "{all:?}");
    let line = text
        .lines()
        .position(|l| l.contains("\"/**\""))
        .expect("there")
        + 1;
    assert_eq!(all[0].field, "permissions.fs[2]");
    assert_eq!(all[0].at.map(|a| a.line), Some(line));
    let error = Manifest::parse(&text, "m.toml")
        .expect_err("invalid")
        .to_string();
    assert!(
        error.contains(&format!("m.toml:{line}:")) && error.contains("would grant the whole disk"),
        "{error}"
    );
}

#[test]
fn limits_outside_the_types_range_name_the_range() {
    let text = TYPICAL.replace("memory_mb = 64", "memory_mb = 4096");
    let all = issues(&text);
    assert_eq!(all[0].field, "resources.memory_mb");
    assert!(
        all[0].message.contains("motif range 32–128"),
        "{}",
        all[0].message
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = TYPICAL
        .replace("id = \"symphony.word-count\"", "id = \"Word Count\"")
        .replace("version = \"0.1.0\"", "version = \"1.0\"")
        .replace("color = \"#88c0d0\"", "color = \"blue\"")
        .replace("network = []", "network = [\"*\"]");
    let fields: Vec<String> = issues(&text).into_iter().map(|i| i.field).collect();
    assert_eq!(
        fields,
        ["id", "version", "permissions.network[0]", "board.color"]
    );
}

#[test]
fn shape_errors_point_at_the_field() {
    let text = TYPICAL.replace("retries = 1", "retries = \"one\"");
    let all = issues(&text);
    assert_eq!(all[0].field, "resources.retries", "{all:?}");
    assert!(all[0].at.is_some());
    let text = TYPICAL.replace("[board]", "[board]\nshape = \"round\"");
    let all = issues(&text);
    assert!(all[0].message.contains("unknown field `shape`"), "{all:?}");
    assert_eq!(all[0].field, "board.shape");
}

#[test]
fn runtime_fields_must_fit_the_kind() {
    let text = TYPICAL.replace("command = \"word-count\"", "module = \"x.wasm\"");
    let all = issues(&text);
    assert_eq!(all.len(), 2, "{all:?}");
    assert_eq!(all[0].field, "runtime.module");
    assert_eq!(all[1].field, "runtime.command");
    let text = TYPICAL.replace("command = \"word-count\"", "command = \"../../bin/sh\"");
    assert_eq!(issues(&text)[0].field, "runtime.command");
}

#[test]
fn config_defaults_must_have_their_type() {
    let text = TYPICAL.replace("default = \"bold\"", "default = 3");
    let all = issues(&text);
    assert_eq!(all[0].field, "config.style.default");
    assert!(all[0].message.contains("integer"), "{}", all[0].message);
}

#[test]
fn config_choices_are_for_strings_and_hold_the_default() {
    let text = TYPICAL.replace(
        "default = \"bold\"",
        "default = \"loud\"\nchoices = [\"bold\", \"plain\"]",
    );
    let all = issues(&text);
    assert_eq!(all[0].field, "config.style.default");
    assert!(
        all[0]
            .message
            .contains("not one of the choices: bold, plain"),
        "{}",
        all[0].message
    );
    let text = TYPICAL.replace(
        "type = \"string\"\ndefault = \"bold\"",
        "type = \"integer\"\nchoices = [\"1\"]",
    );
    let all = issues(&text);
    assert_eq!(all[0].field, "config.style.choices");
}

/// The reference for ids: the rule written the slow, obvious way.
fn id_is_valid(s: &str) -> bool {
    (3..=64).contains(&s.len())
        && s.split('.').all(|seg| {
            let b = seg.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_lowercase()
                && b[b.len() - 1] != b'-'
                && b.iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        })
}

proptest! {
    #[test]
    fn ids_match_the_reference(s in "[a-z0-9.A-Z_-]{0,70}") {
        prop_assert_eq!(ExtensionId::parse(&s).is_ok(), id_is_valid(&s));
    }

    #[test]
    fn any_text_gives_a_manifest_or_located_issues(s in "\\PC{0,200}") {
        if let Err(e) = Manifest::parse(&s, "m.toml") {
            let invalid_manifest = matches!(e, ExtensionError::InvalidManifest { .. });
            prop_assert!(invalid_manifest, "{}", e);
        }
    }

    #[test]
    fn any_version_string_is_accepted_iff_semver_parses(v in "[0-9a-z.+-]{0,16}") {
        let text = TYPICAL.replace("version = \"0.1.0\"", &format!("version = \"{v}\""));
        let ok = Manifest::parse(&text, "m.toml").is_ok();
        prop_assert_eq!(ok, semver::Version::parse(&v).is_ok());
    }

    #[test]
    fn memory_is_accepted_iff_within_the_motif_range(mb in 0u64..300) {
        let text = TYPICAL.replace("memory_mb = 64", &format!("memory_mb = {mb}"));
        prop_assert_eq!(Manifest::parse(&text, "m.toml").is_ok(), (32..=128).contains(&mb));
    }
}
