//! The names a plan uses: capabilities, the extensions that provide them, and steps.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// Longest id accepted, in bytes.
const MAX_ID: usize = 128;

macro_rules! plan_id {
    ($(#[$doc:meta])* $name:ident, $what:literal, $extra:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(Arc<str>);

        impl $name {
            /// The id, if `text` is one: 1 to 128 bytes of lower-case ASCII letters, digits,
            /// `-`, `_` and the characters listed in the type's docs, starting with a letter.
            pub fn new(text: &str) -> Result<Self, String> {
                let ok = !text.is_empty()
                    && text.len() <= MAX_ID
                    && text.starts_with(|c: char| c.is_ascii_lowercase())
                    && text.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'
                            || $extra.contains(c)
                    });
                if ok {
                    Ok($name(text.into()))
                } else {
                    Err(format!(
                        "`{}` is not a {}: use 1 to {MAX_ID} lower-case letters, digits, `-`, `_`{} \
                         starting with a letter",
                        text.chars().take(40).collect::<String>(),
                        $what,
                        if $extra.is_empty() { String::new() } else { format!(" or `{}`", $extra) },
                    ))
                }
            }

            /// The id as written.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), &*self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;

            fn try_from(text: String) -> Result<Self, String> {
                $name::new(&text)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0.to_string()
            }
        }
    };
}

plan_id!(
    /// A capability, dotted by domain: `text.summarise`, `json.filter`, `code.review`.
    CapabilityId, "capability id", "."
);
plan_id!(
    /// An installed extension, by its manifest id (`text-ops`, `acme.embedder`).
    ProviderId, "extension id", "."
);
plan_id!(
    /// A step of a plan; it becomes the workflow node's id.
    StepId, "step id", ""
);
