//! Where a field is in the manifest text: field paths (`permissions.fs[2]`) and the line and
//! column they start at, found through toml's spanned document. Only used once validation has
//! found a problem, so the fast path parses the text once.

use std::fmt;
use std::ops::Range;

use toml::de::{DeTable, DeValue};

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A table key.
    Key(String),
    /// An array index.
    Index(usize),
}

/// A field path such as `permissions.fs[2]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldPath(pub Vec<Segment>);

impl FieldPath {
    /// The path of a top-level key.
    pub fn key(key: &str) -> FieldPath {
        FieldPath(vec![Segment::Key(key.to_owned())])
    }

    /// This path with a key appended.
    pub fn then(&self, key: &str) -> FieldPath {
        let mut p = self.clone();
        p.0.push(Segment::Key(key.to_owned()));
        p
    }

    /// This path with an index appended.
    pub fn at(&self, index: usize) -> FieldPath {
        let mut p = self.clone();
        p.0.push(Segment::Index(index));
        p
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Segment::Key(k) if i == 0 => write!(f, "{k}")?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineColumn {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

impl fmt::Display for LineColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// The line and column of a byte offset.
pub fn line_column(text: &str, offset: usize) -> LineColumn {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    LineColumn { line, column }
}

/// The byte span of a field's value (or of its key, for a missing child: the closest
/// existing ancestor). `None` when the text does not parse.
pub fn span_of(text: &str, path: &FieldPath) -> Option<Range<usize>> {
    let doc = DeTable::parse(text).ok()?;
    let mut best = None;
    let mut table: Option<&DeTable<'_>> = Some(doc.get_ref());
    let mut array: Option<&[toml::Spanned<DeValue<'_>>]> = None;
    for segment in &path.0 {
        let found = match segment {
            Segment::Key(k) => table
                .and_then(|t| t.get_key_value(k.as_str()))
                .map(|(_, v)| v),
            Segment::Index(i) => array.and_then(|a| a.get(*i)),
        };
        let Some(value) = found else { break };
        best = Some(value.span());
        table = None;
        array = None;
        match value.get_ref() {
            DeValue::Table(t) => table = Some(t),
            DeValue::Array(a) => array = Some(a.as_ref()),
            _ => {}
        }
    }
    best
}

/// The field path of the innermost key or value whose span contains `offset`.
pub fn path_at(text: &str, offset: usize) -> FieldPath {
    let mut path = FieldPath::default();
    let Ok(doc) = DeTable::parse(text) else {
        return path;
    };
    descend_table(doc.get_ref(), offset, &mut path);
    path
}

fn descend_table(table: &DeTable<'_>, offset: usize, path: &mut FieldPath) {
    for (key, value) in table {
        if key.span().contains(&offset) || value.span().contains(&offset) {
            path.0.push(Segment::Key(key.get_ref().to_string()));
            descend_value(value.get_ref(), offset, path);
            return;
        }
    }
    // Tables written as `[section]` have spans covering only their header; search them all.
    for (key, value) in table {
        if let DeValue::Table(t) = value.get_ref() {
            let mut inner = FieldPath::default();
            descend_table(t, offset, &mut inner);
            if !inner.0.is_empty() {
                path.0.push(Segment::Key(key.get_ref().to_string()));
                path.0.extend(inner.0);
                return;
            }
        }
    }
}

fn descend_value(value: &DeValue<'_>, offset: usize, path: &mut FieldPath) {
    match value {
        DeValue::Table(t) => descend_table(t, offset, path),
        DeValue::Array(a) => {
            for (i, item) in a.iter().enumerate() {
                if item.span().contains(&offset) {
                    path.0.push(Segment::Index(i));
                    descend_value(item.get_ref(), offset, path);
                    return;
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "id = \"a.b\"\n[permissions]\nfs = [\"/a\", \"/b\", \"/**\"]\n";

    #[test]
    fn spans_point_at_the_value() {
        let path = FieldPath::key("permissions").then("fs").at(2);
        assert_eq!(path.to_string(), "permissions.fs[2]");
        let span = span_of(TEXT, &path).expect("found");
        assert_eq!(&TEXT[span.clone()], "\"/**\"");
        assert_eq!(
            line_column(TEXT, span.start),
            LineColumn {
                line: 3,
                column: 19
            }
        );
    }

    #[test]
    fn a_missing_field_points_at_its_closest_ancestor() {
        let span = span_of(TEXT, &FieldPath::key("permissions").then("network")).expect("found");
        assert_eq!(line_column(TEXT, span.start).line, 2);
        assert_eq!(span_of(TEXT, &FieldPath::key("nothing")), None);
    }

    #[test]
    fn offsets_map_back_to_paths() {
        let offset = TEXT.find("/b").expect("present");
        assert_eq!(path_at(TEXT, offset).to_string(), "permissions.fs[1]");
    }
}
