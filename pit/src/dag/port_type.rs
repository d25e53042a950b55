//! Port types and the rule that decides which output may feed which input.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// Longest named type accepted, in bytes.
const MAX_TYPE_BYTES: usize = 64;

/// The type of the values a port carries. In files: `any`, `text`, `json`, `bytes`,
/// `number`, `bool`, `artifact`, or a named type starting with an uppercase letter
/// (`Image`, `Embedding.f32`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum PortType {
    /// Anything; matches every type in both directions.
    #[default]
    Any,
    /// UTF-8 text.
    Text,
    /// A JSON value.
    Json,
    /// Raw bytes.
    Bytes,
    /// A number.
    Number,
    /// A boolean.
    Bool,
    /// A reference to an artifact in the Artifact Store.
    Artifact,
    /// A type an extension defines; matches only itself (and `any`).
    Named(Arc<str>),
}

impl PortType {
    /// True if a value of type `from` (an output port's type) may flow into a port of this
    /// type: the types are equal, either is `any`, or this is `json` and `from` is `text`,
    /// `number` or `bool` (a JSON value can hold each of them).
    pub fn accepts(&self, from: &PortType) -> bool {
        match (self, from) {
            (PortType::Any, _) | (_, PortType::Any) => true,
            (PortType::Json, PortType::Text | PortType::Number | PortType::Bool) => true,
            (to, from) => to == from,
        }
    }

    /// The type's name as written in files.
    pub fn name(&self) -> &str {
        match self {
            PortType::Any => "any",
            PortType::Text => "text",
            PortType::Json => "json",
            PortType::Bytes => "bytes",
            PortType::Number => "number",
            PortType::Bool => "bool",
            PortType::Artifact => "artifact",
            PortType::Named(name) => name,
        }
    }
}

impl fmt::Display for PortType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a string is not a port type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown port type `{shown}`: use one of any, text, json, bytes, number, bool, artifact, \
     or a named type that starts with an uppercase letter and goes on with letters, digits, \
     `_`, `.` or `-` (at most {MAX_TYPE_BYTES} bytes)"
)]
pub struct BadPortType {
    shown: String,
}

impl FromStr for PortType {
    type Err = BadPortType;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(match text {
            "any" => PortType::Any,
            "text" => PortType::Text,
            "json" => PortType::Json,
            "bytes" => PortType::Bytes,
            "number" => PortType::Number,
            "bool" => PortType::Bool,
            "artifact" => PortType::Artifact,
            named if is_named_type(named) => PortType::Named(named.into()),
            other => {
                return Err(BadPortType {
                    shown: super::ids::PortName::new(other).short().to_string(),
                });
            }
        })
    }
}

fn is_named_type(text: &str) -> bool {
    let mut chars = text.chars();
    text.len() <= MAX_TYPE_BYTES
        && chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// Every port's type as a small integer (named types interned), so that checking 50,000
/// edges reads a compact array instead of chasing pointers; [`PortType::accepts`] stays the
/// rule, and a test holds the two together.
#[derive(Debug, Default)]
pub(super) struct TypeCodes {
    codes: Vec<u32>,
    named: HashMap<Arc<str>, u32>,
}

const ANY: u32 = 0;
const JSON: u32 = 2;
const SCALARS_IN_JSON: [u32; 3] = [1, 4, 5]; // text, number, bool
const FIRST_NAMED: u32 = 7;

impl TypeCodes {
    /// Appends the next port's type.
    pub(super) fn push(&mut self, ty: &PortType) {
        let code = match ty {
            PortType::Any => ANY,
            PortType::Text => 1,
            PortType::Json => JSON,
            PortType::Bytes => 3,
            PortType::Number => 4,
            PortType::Bool => 5,
            PortType::Artifact => 6,
            PortType::Named(name) => {
                let next = FIRST_NAMED + self.named.len() as u32;
                *self.named.entry(name.clone()).or_insert(next)
            }
        };
        self.codes.push(code);
    }

    /// [`PortType::accepts`] for the ports at these positions.
    pub(super) fn accepts(&self, to: usize, from: usize) -> bool {
        let (to, from) = (self.codes[to], self.codes[from]);
        to == ANY || from == ANY || to == from || (to == JSON && SCALARS_IN_JSON.contains(&from))
    }
}

impl TryFrom<String> for PortType {
    type Error = BadPortType;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<PortType> for String {
    fn from(ty: PortType) -> Self {
        ty.name().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_matches_everything_both_ways() {
        let named = PortType::Named("Image".into());
        for ty in [PortType::Text, PortType::Bytes, named.clone()] {
            assert!(PortType::Any.accepts(&ty));
            assert!(ty.accepts(&PortType::Any));
        }
        assert!(named.accepts(&PortType::Named("Image".into())));
        assert!(!named.accepts(&PortType::Named("Audio".into())));
    }

    #[test]
    fn json_takes_scalars_but_not_the_reverse() {
        assert!(PortType::Json.accepts(&PortType::Number));
        assert!(!PortType::Number.accepts(&PortType::Json));
        assert!(!PortType::Text.accepts(&PortType::Bytes));
    }

    #[test]
    fn the_codes_follow_the_rule() {
        let all: Vec<PortType> = [
            "any", "text", "json", "bytes", "number", "bool", "artifact", "Image", "Audio",
        ]
        .iter()
        .map(|name| name.parse().expect("a valid type"))
        .collect();
        let mut codes = TypeCodes::default();
        for ty in &all {
            codes.push(ty);
        }
        for (to, to_ty) in all.iter().enumerate() {
            for (from, from_ty) in all.iter().enumerate() {
                assert_eq!(
                    codes.accepts(to, from),
                    to_ty.accepts(from_ty),
                    "{to_ty} ← {from_ty}"
                );
            }
        }
    }

    #[test]
    fn names_round_trip_and_typos_are_refused() {
        for name in [
            "any", "text", "json", "bytes", "number", "bool", "artifact", "Img.v2",
        ] {
            let ty: PortType = name.parse().expect("a valid type");
            assert_eq!(ty.name(), name);
        }
        let error = "txet".parse::<PortType>().expect_err("a typo");
        assert!(error.to_string().contains("unknown port type `txet`"));
    }
}
