//! Artifact ids: the BLAKE3 hash of the content, shown as 64 hex digits.

use std::fmt;
use std::str::FromStr;

/// An artifact's id: the BLAKE3 of its bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ArtifactId([u8; 32]);

impl ArtifactId {
    /// The id of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        ArtifactId(*blake3::hash(bytes).as_bytes())
    }

    /// From a finished hasher.
    pub fn from_hash(hash: blake3::Hash) -> Self {
        ArtifactId(*hash.as_bytes())
    }

    /// 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        blake3::Hash::from_bytes(self.0).to_hex().to_string()
    }

    /// The first 12 hex digits, for tables and messages.
    pub fn short(&self) -> String {
        self.to_hex()[..12].to_owned()
    }
}

impl fmt::Display for ArtifactId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for ArtifactId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ArtifactId({})", self.short())
    }
}

impl FromStr for ArtifactId {
    type Err = String;

    /// Parses 64 hex digits.
    fn from_str(text: &str) -> Result<Self, String> {
        blake3::Hash::from_hex(text)
            .map(Self::from_hash)
            .map_err(|_| format!("`{text}` is not an artifact id (64 hex digits)"))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_hex() {
        let id = ArtifactId::of(b"hello");
        assert_eq!(id.to_hex().len(), 64);
        assert_eq!(id.to_hex().parse::<ArtifactId>().unwrap(), id);
        assert!("xyz".parse::<ArtifactId>().is_err());
        assert_eq!(id.short().len(), 12);
    }
}
