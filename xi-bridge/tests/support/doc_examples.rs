//! Reads the JSON examples out of the protocol's doc comments, so tests can hold the
//! documentation to the types and to the real core.

/// The example documented on one enum variant.
#[derive(Debug, Clone)]
pub struct Example {
    /// The enum.
    pub enum_name: String,
    /// The variant, e.g. `MoveUpAndModifySelection`.
    pub variant: String,
    /// The JSON in its ```` ```json ```` block, if it has one.
    pub json: Option<String>,
}

impl Example {
    /// The variant's name as serde's `rename_all = "snake_case"` spells it.
    pub fn snake_name(&self) -> String {
        let mut out = String::new();
        for (i, c) in self.variant.chars().enumerate() {
            if c.is_ascii_uppercase() {
                if i > 0 {
                    out.push('_');
                }
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
        }
        out
    }
}

/// Every variant of every `pub enum` in `source` not marked `#[serde(skip)]`, with the JSON
/// block from its doc comment.
///
/// Relies on rustfmt's layout: enums start at column 0, variants and their docs are indented
/// by four spaces.
pub fn variant_examples(source: &str) -> Vec<Example> {
    let mut examples = Vec::new();
    let mut current_enum: Option<String> = None;
    let mut json: Option<String> = None;
    let mut in_json = false;
    let mut skip = false;
    for line in source.lines() {
        if let Some(rest) = line.strip_prefix("pub enum ") {
            current_enum = rest
                .split(|c: char| !c.is_alphanumeric() && c != '_')
                .next()
                .map(str::to_owned);
            continue;
        }
        if line == "}" {
            current_enum = None;
            continue;
        }
        let Some(enum_name) = &current_enum else {
            continue;
        };
        let Some(inner) = line.strip_prefix("    ") else {
            continue;
        };
        if let Some(doc) = inner.strip_prefix("///") {
            let doc = doc.trim();
            if doc == "```json" {
                in_json = true;
                json = Some(String::new());
            } else if doc == "```" {
                in_json = false;
            } else if in_json && let Some(text) = json.as_mut() {
                text.push_str(doc);
            }
            continue;
        }
        if inner.starts_with("#[serde(skip)]") {
            skip = true;
            continue;
        }
        if inner.starts_with(|c: char| c.is_ascii_uppercase()) {
            let variant: String = inner.chars().take_while(|c| c.is_alphanumeric()).collect();
            if !skip {
                examples.push(Example {
                    enum_name: enum_name.clone(),
                    variant,
                    json: json.take(),
                });
            }
            json = None;
            skip = false;
        }
    }
    examples
}

/// The examples of one enum, failing the test if any variant lacks one.
pub fn examples_of(source: &str, enum_name: &str) -> Vec<(Example, serde_json::Value)> {
    let examples: Vec<Example> = variant_examples(source)
        .into_iter()
        .filter(|e| e.enum_name == enum_name)
        .collect();
    assert!(
        !examples.is_empty(),
        "no variants of `{enum_name}` found; has the file layout changed?"
    );
    examples
        .into_iter()
        .map(|e| {
            let json = e
                .json
                .clone()
                .unwrap_or_else(|| panic!("{enum_name}::{} has no ```json example", e.variant));
            let value = serde_json::from_str(&json).unwrap_or_else(|err| {
                panic!(
                    "{enum_name}::{}: example is not JSON ({err}): {json}",
                    e.variant
                )
            });
            (e, value)
        })
        .collect()
}
