//! Identifiers that cross the xi protocol, as newtypes so they cannot be mixed up.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A view in the xi core, as xi spells it on the wire: `"view-id-1"`.
///
/// xi hands these out from `new_view`; they are not stable across core restarts, and
/// xi 0.3 shares one counter between views and buffers, so the second view is
/// `"view-id-3"`, not `"view-id-2"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ViewId(String);

impl ViewId {
    /// Wraps a view id as received from the core.
    pub fn new(id: impl Into<String>) -> ViewId {
        ViewId(id.into())
    }

    /// The id as it appears on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ViewId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for ViewId {
    fn from(id: &str) -> ViewId {
        ViewId::new(id)
    }
}

/// A style defined by `def_style` and referred to by the third number of each style triple
/// in [`Line::styles`](crate::protocol::Line::styles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StyleId(pub u32);

impl StyleId {
    /// xi reserves style 0 for selections; it is never sent with `def_style`.
    pub const SELECTION: StyleId = StyleId(0);
    /// Styles 1..=7 are reserved for find highlights (query index + 1); 8 is the first `def_style`.
    pub const FIRST_DEFINED: StyleId = StyleId(8);

    /// The find-highlight style for the `index`-th (0-based) active find query, if xi reserves one.
    pub fn find_highlight(index: u32) -> Option<StyleId> {
        let id = index.checked_add(1)?;
        (id < Self::FIRST_DEFINED.0).then_some(StyleId(id))
    }
}

impl fmt::Display for StyleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "style {}", self.0)
    }
}

/// The id of a JSON-RPC request; xi uses plain unsigned integers, in both directions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RequestId(pub u64);

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "request {}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_serialise_as_bare_values() {
        assert_eq!(
            serde_json::to_string(&ViewId::new("view-id-1"))
                .ok()
                .as_deref(),
            Some("\"view-id-1\"")
        );
        assert_eq!(
            serde_json::to_string(&StyleId(9)).ok().as_deref(),
            Some("9")
        );
        assert_eq!(
            serde_json::to_string(&RequestId(3)).ok().as_deref(),
            Some("3")
        );
    }

    #[test]
    fn find_highlight_styles_stop_before_the_first_defined_style() {
        assert_eq!(StyleId::find_highlight(0), Some(StyleId(1)));
        assert_eq!(StyleId::find_highlight(6), Some(StyleId(7)));
        assert_eq!(StyleId::find_highlight(7), None);
        assert_eq!(StyleId::find_highlight(u32::MAX), None);
    }
}
