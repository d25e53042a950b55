//! Newtype identifiers of OFB's resources, and the two strings every call carries: the bearer
//! token and the `Idempotency-Key`.
//!
//! OFB's ids are JSON integers in `1..=2^53-1` (so that JavaScript clients read them exactly);
//! the constructors here refuse anything else, so an id held by Rust is always one OFB accepts.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The largest id OFB issues or accepts (`Number.MAX_SAFE_INTEGER`).
pub const MAX_ID: u64 = (1 << 53) - 1;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $label:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl $name {
            /// What the id names, for messages (`workflow 7`).
            pub const LABEL: &'static str = $label;

            /// Whether OFB could have issued this id (`1..=2^53-1`).
            pub fn is_valid(self) -> bool {
                (1..=MAX_ID).contains(&self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{} {}", $label, self.0)
            }
        }
    };
}

id_type!(
    /// A user account.
    UserId,
    "user"
);
id_type!(
    /// A project (the unit of membership, roles and budget).
    ProjectId,
    "project"
);
id_type!(
    /// A workflow, across all its versions.
    WorkflowId,
    "workflow"
);
id_type!(
    /// A run of one workflow version.
    RunId,
    "run"
);
id_type!(
    /// A registered extension.
    ExtensionId,
    "extension"
);
id_type!(
    /// An entry of a project's audit log (also the paging cursor).
    AuditEntryId,
    "audit entry"
);

/// A workflow's version number, checked by OFB for optimistic concurrency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WorkflowVersion(pub u64);

impl fmt::Display for WorkflowVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "version {}", self.0)
    }
}

/// A bearer token from `POST /auth/token`. Its `Debug` hides the secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BearerToken(pub String);

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BearerToken(…)")
    }
}

/// The `Idempotency-Key` of one mutating operation: the same key makes a retried or replayed
/// call return the first result instead of acting twice. Visible ASCII, at most 255 bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IdempotencyKey(String);

/// The longest key OFB accepts.
pub const MAX_IDEMPOTENCY_KEY: usize = 255;

impl IdempotencyKey {
    /// A fresh random key (a v4 UUID).
    pub fn generate() -> IdempotencyKey {
        IdempotencyKey(uuid::Uuid::new_v4().to_string())
    }

    /// A key from a string, refused unless it is 1 to 255 visible ASCII characters.
    pub fn parse(key: &str) -> Result<IdempotencyKey, String> {
        if key.is_empty() || key.len() > MAX_IDEMPOTENCY_KEY {
            return Err(format!(
                "must be 1 to {MAX_IDEMPOTENCY_KEY} characters, not {}",
                key.len()
            ));
        }
        if let Some(bad) = key.bytes().position(|b| !b.is_ascii_graphic()) {
            return Err(format!(
                "character {} is not visible ASCII (no spaces or control characters)",
                bad + 1
            ));
        }
        Ok(IdempotencyKey(key.to_owned()))
    }

    /// The key as sent in the header.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn ids_outside_what_ofb_issues_are_invalid() {
        assert!(!WorkflowId(0).is_valid());
        assert!(WorkflowId(1).is_valid());
        assert!(WorkflowId(MAX_ID).is_valid());
        assert!(!WorkflowId(MAX_ID + 1).is_valid());
        assert_eq!(WorkflowId(7).to_string(), "workflow 7");
    }

    #[test]
    fn idempotency_keys_are_visible_ascii() {
        assert!(IdempotencyKey::parse("abc-123").is_ok());
        assert!(IdempotencyKey::parse("").is_err());
        assert!(IdempotencyKey::parse("a b").is_err());
        assert!(IdempotencyKey::parse("é").is_err());
        assert!(IdempotencyKey::parse(&"k".repeat(256)).is_err());
        let fresh = IdempotencyKey::generate();
        assert_eq!(IdempotencyKey::parse(fresh.as_str()).unwrap(), fresh);
    }

    #[test]
    fn tokens_do_not_leak_through_debug() {
        let token = BearerToken("secret".into());
        assert!(!format!("{token:?}").contains("secret"));
    }
}
