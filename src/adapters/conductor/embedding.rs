//! Matching by meaning: the embedding Instrument (any installed extension that provides
//! `text.embed`, one unit vector per line) embeds the intent and the documents, and the
//! similarity is their cosine. Documents' vectors are kept, so that a session embeds each
//! capability once.

use std::collections::HashMap;

use conductor::planning::{MatchError, Matcher};
use extensions::protocol::{Artifact, InvokeParams};
use extensions::{CancelToken, ExtensionHost};

/// The capability an embedding extension provides.
pub const EMBED_CAPABILITY: &str = "text.embed";

/// A [`Matcher`] over an embedding extension's host.
pub struct EmbeddingMatcher {
    host: ExtensionHost,
    method: String,
    cache: HashMap<String, Vec<f32>>,
}

impl std::fmt::Debug for EmbeddingMatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddingMatcher")
            .field("extension", &self.host.manifest().id)
            .field("cached", &self.cache.len())
            .finish()
    }
}

impl EmbeddingMatcher {
    /// A matcher calling `method` of `host`.
    pub fn new(host: ExtensionHost, method: impl Into<String>) -> EmbeddingMatcher {
        EmbeddingMatcher {
            host,
            method: method.into(),
            cache: HashMap::new(),
        }
    }

    /// One vector per text (each on one line), from the cache where it can.
    fn embed(&mut self, texts: &[String]) -> Result<Vec<Vec<f32>>, MatchError> {
        let one_line = |t: &String| t.replace(['\n', '\r'], " ");
        let missing: Vec<String> = texts
            .iter()
            .map(one_line)
            .filter(|t| !self.cache.contains_key(t))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        if !missing.is_empty() {
            let params = InvokeParams {
                method: self.method.clone(),
                inputs: vec![Artifact {
                    name: "text".to_owned(),
                    media_type: "text/plain".to_owned(),
                    text: missing.join("\n"),
                }],
                params: serde_json::Value::Object(serde_json::Map::new()),
                deadline_ms: None,
            };
            let id = self.host.manifest().id.clone();
            let result = self
                .host
                .invoke(&params, &mut |_| {}, &CancelToken::default())
                .map_err(|e| MatchError(format!("the embedding extension `{id}` failed: {e}")))?;
            let text = result
                .outputs
                .first()
                .map(|a| a.text.as_str())
                .unwrap_or_default();
            let vectors: Vec<Vec<f32>> = serde_json::from_str(text).map_err(|e| {
                MatchError(format!(
                    "`{id}` returned vectors that are not JSON arrays: {e}"
                ))
            })?;
            if vectors.len() != missing.len() {
                return Err(MatchError(format!(
                    "`{id}` returned {} vectors for {} lines",
                    vectors.len(),
                    missing.len()
                )));
            }
            self.cache.extend(missing.into_iter().zip(vectors));
        }
        Ok(texts
            .iter()
            .map(|t| self.cache.get(&one_line(t)).cloned().unwrap_or_default())
            .collect())
    }
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    let n = norm(a) * norm(b);
    if n == 0.0 { 0.0 } else { (dot / n).max(0.0) }
}

impl Matcher for EmbeddingMatcher {
    fn name(&self) -> String {
        format!("embedding ({})", self.host.manifest().id)
    }

    fn similarities(&mut self, query: &str, documents: &[String]) -> Result<Vec<f32>, MatchError> {
        let mut texts = Vec::with_capacity(documents.len() + 1);
        texts.push(query.to_owned());
        texts.extend_from_slice(documents);
        let vectors = self.embed(&texts)?;
        Ok(vectors[1..]
            .iter()
            .map(|v| cosine(&vectors[0], v))
            .collect())
    }

    fn accept(&self) -> f32 {
        0.35
    }
}
