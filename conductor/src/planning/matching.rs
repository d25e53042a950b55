//! Matching an intent to what can serve it: a [`Matcher`] scores a query against documents
//! (capabilities' and templates' descriptions and hints).
//!
//! [`LexicalMatcher`] needs nothing installed: TF-IDF cosine over stemmed words, with a
//! small table of synonyms so that "capitalise" finds "upper case". The embedding matcher
//! (in the `symphony` crate) asks the embedding Instrument and so matches by meaning; the
//! offline planner takes whichever it is given.

use std::collections::HashMap;

/// Why matching failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MatchError(pub String);

/// Scores a query against documents.
pub trait Matcher {
    /// Its name in explanations (`lexical`, `embedding all-MiniLM-L6-v2`).
    fn name(&self) -> String;

    /// How similar `query` is to each of `documents`: higher is closer, and [`accept`]
    /// (Matcher::accept) is where "asked for" starts (cosines, for the two here).
    fn similarities(&mut self, query: &str, documents: &[String]) -> Result<Vec<f32>, MatchError>;

    /// The least similarity at which a capability counts as asked for.
    fn accept(&self) -> f32;
}

/// Words that carry no meaning for matching.
const STOP_WORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "this",
    "that",
    "these",
    "those",
    "it",
    "its",
    "them",
    "they",
    "of",
    "to",
    "in",
    "into",
    "on",
    "for",
    "by",
    "with",
    "and",
    "or",
    "then",
    "please",
    "me",
    "my",
    "i",
    "you",
    "your",
    "we",
    "our",
    "is",
    "are",
    "be",
    "all",
    "each",
    "every",
    "some",
    "can",
    "could",
    "would",
    "should",
    "do",
    "make",
    "get",
    "give",
    "from",
    "as",
    "at",
    "so",
    "up",
    "text",
    "file",
    "buffer",
    "selection",
];

/// Words people use for the same thing, mapped to the word the capabilities use.
const SYNONYMS: &[(&str, &str)] = &[
    ("uppercase", "upper"),
    ("uppercasing", "upper"),
    ("capital", "upper"),
    ("capitalise", "upper"),
    ("caps", "upper"),
    ("shout", "upper"),
    ("allcap", "upper"),
    ("lowercase", "lower"),
    ("lowercasing", "lower"),
    ("downcase", "lower"),
    ("small", "lower"),
    ("quiet", "lower"),
    ("tokenise", "split"),
    ("separate", "split"),
    ("break", "split"),
    ("token", "word"),
    ("merge", "join"),
    ("concatenate", "join"),
    ("combine", "join"),
    ("glue", "join"),
    ("tally", "count"),
    ("number", "count"),
    ("many", "count"),
    ("length", "measure"),
    ("statistic", "measure"),
    ("stat", "measure"),
    ("summarise", "summary"),
    ("summarize", "summary"),
    ("tldr", "summary"),
    ("condense", "summary"),
    ("vector", "embed"),
    ("embedding", "embed"),
    ("similar", "similarity"),
    ("closest", "similarity"),
    ("nearest", "similarity"),
    ("relevant", "similarity"),
    ("sort", "rank"),
    ("order", "rank"),
    ("llm", "language"),
    ("gpt", "language"),
    ("chat", "language"),
    ("prompt", "ask"),
    ("write", "draft"),
    ("compose", "draft"),
];

/// A word's stem without synonyms: lower-case, common English suffixes and a final `e`
/// off, a doubled last letter single ("splitting" → "split", "lowercase" → "lowercas").
fn stem_raw(word: &str) -> String {
    let mut w = word.to_lowercase();
    for suffix in [
        "ings", "ing", "ised", "ized", "ises", "izes", "ise", "ize", "ed", "es", "s",
    ] {
        if w.len() > suffix.len() + 2 && w.ends_with(suffix) {
            w.truncate(w.len() - suffix.len());
            break;
        }
    }
    if w.len() > 4 && w.ends_with('e') {
        w.pop();
    }
    let bytes = w.as_bytes();
    if bytes.len() > 3 && bytes[bytes.len() - 1] == bytes[bytes.len() - 2] {
        w.pop();
    }
    w
}

/// A word's stem: [`stem_raw`], then mapped through the synonyms (both sides stemmed).
pub(crate) fn stem(word: &str) -> String {
    let w = stem_raw(word);
    SYNONYMS
        .iter()
        .find(|(from, _)| stem_raw(from) == w)
        .map_or(w, |(_, to)| stem_raw(to))
}

/// The meaningful stems of `text`, in order.
pub(crate) fn terms(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .map(|w| stem(&w))
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .collect()
}

/// TF-IDF cosine similarity over stemmed words.
#[derive(Debug, Clone, Default)]
pub struct LexicalMatcher;

impl LexicalMatcher {
    /// The matcher.
    pub fn new() -> LexicalMatcher {
        LexicalMatcher
    }
}

impl Matcher for LexicalMatcher {
    fn name(&self) -> String {
        "lexical".to_owned()
    }

    fn similarities(&mut self, query: &str, documents: &[String]) -> Result<Vec<f32>, MatchError> {
        let docs: Vec<Vec<String>> = documents.iter().map(|d| terms(d)).collect();
        let mut df: HashMap<&str, usize> = HashMap::new();
        for doc in &docs {
            let mut seen: Vec<&str> = doc.iter().map(String::as_str).collect();
            seen.sort_unstable();
            seen.dedup();
            for t in seen {
                *df.entry(t).or_default() += 1;
            }
        }
        let n = docs.len().max(1) as f32;
        let idf = |t: &str| (1.0 + n / (1.0 + *df.get(t).unwrap_or(&0) as f32)).ln();
        fn counts(words: &[String]) -> HashMap<&str, f32> {
            let mut v: HashMap<&str, f32> = HashMap::new();
            for w in words {
                *v.entry(w.as_str()).or_default() += 1.0;
            }
            v
        }
        let vector = |words| {
            let mut v = counts(words);
            for (t, x) in &mut v {
                *x = (1.0 + x.ln()) * idf(t);
            }
            v
        };
        let query_terms = terms(query);
        let q = vector(&query_terms);
        let q_norm = q.values().map(|x| x * x).sum::<f32>().sqrt();
        Ok(docs
            .iter()
            .map(|doc| {
                let d = vector(doc);
                let d_norm = d.values().map(|x| x * x).sum::<f32>().sqrt();
                if q_norm == 0.0 || d_norm == 0.0 {
                    return 0.0;
                }
                let dot: f32 = q.iter().map(|(t, x)| x * d.get(t).unwrap_or(&0.0)).sum();
                dot / (q_norm * d_norm)
            })
            .collect())
    }

    fn accept(&self) -> f32 {
        0.2
    }
}

/// Two matchers at once: each similarity is the larger of the two, each measured against
/// its own acceptance threshold (so `accept` is 1). Meaning from embeddings, and the words
/// embeddings miss ("shout" for upper case) from the lexical table.
pub struct Hybrid {
    first: Box<dyn Matcher + Send>,
    second: Box<dyn Matcher + Send>,
}

impl std::fmt::Debug for Hybrid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hybrid")
            .field("name", &self.name())
            .finish()
    }
}

impl Hybrid {
    /// Both `first` and `second`.
    pub fn new(first: Box<dyn Matcher + Send>, second: Box<dyn Matcher + Send>) -> Hybrid {
        Hybrid { first, second }
    }
}

impl Matcher for Hybrid {
    fn name(&self) -> String {
        format!("{} + {}", self.first.name(), self.second.name())
    }

    fn similarities(&mut self, query: &str, documents: &[String]) -> Result<Vec<f32>, MatchError> {
        let (a, b) = (self.first.accept(), self.second.accept());
        let first = self.first.similarities(query, documents)?;
        let second = self.second.similarities(query, documents)?;
        Ok(first
            .iter()
            .zip(&second)
            .map(|(x, y)| (x / a).max(y / b))
            .collect())
    }

    fn accept(&self) -> f32 {
        1.0
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn stems_and_synonyms_meet() {
        assert_eq!(stem("Capitalise"), "upper");
        assert_eq!(stem("splitting"), "split");
        assert_eq!(stem("words"), "word");
        assert_eq!(stem("summarize"), stem("summary"));
        assert_eq!(stem("lowercasing"), "lower");
        assert_eq!(terms("Split the text into words"), vec!["split", "word"]);
    }

    #[test]
    fn the_closest_document_scores_highest() {
        let docs = vec![
            "text upper. ASCII letters to upper case. uppercase text".to_owned(),
            "text count words. Words, lines and characters. count words".to_owned(),
            "text split words. One word per line. split text into words".to_owned(),
        ];
        let s = LexicalMatcher::new()
            .similarities("how many words are there", &docs)
            .unwrap();
        assert!(s[1] > s[0] && s[1] > s[2], "{s:?}");
        let s = LexicalMatcher::new()
            .similarities("capitalise it", &docs)
            .unwrap();
        assert!(s[0] > 0.2 && s[0] > s[1] && s[0] > s[2], "{s:?}");
        let s = LexicalMatcher::new()
            .similarities("bake a cake", &docs)
            .unwrap();
        assert!(s.iter().all(|x| *x == 0.0), "{s:?}");
    }
}
