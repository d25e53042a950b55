//! The set of lines whose highlighting is stale, kept as a few ranges.

use std::ops::Range;

/// A set of line numbers, stored as sorted, disjoint, non-adjacent ranges.
///
/// Usually holds one or two ranges (the unfinished initial pass and the line
/// being typed on), so every operation is cheap regardless of file size.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirtyLines {
    ranges: Vec<Range<usize>>,
}

impl DirtyLines {
    /// The empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether no line is dirty.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The smallest dirty line.
    pub fn first(&self) -> Option<usize> {
        self.ranges.first().map(|r| r.start)
    }

    /// Whether `line` is dirty.
    pub fn contains(&self, line: usize) -> bool {
        self.ranges.iter().any(|r| r.contains(&line))
    }

    /// Adds `lines` to the set.
    pub fn insert(&mut self, lines: Range<usize>) {
        if lines.is_empty() {
            return;
        }
        self.ranges.push(lines);
        self.normalize();
    }

    /// Removes the smallest dirty line (the one just highlighted).
    pub fn pop_first(&mut self) -> Option<usize> {
        let first = self.ranges.first_mut()?;
        let line = first.start;
        first.start += 1;
        if first.start >= first.end {
            self.ranges.remove(0);
        }
        Some(line)
    }

    /// Follows an edit that replaced the `removed` lines after `first` with
    /// `inserted` new ones: later lines move, the touched ones become dirty.
    pub fn splice(&mut self, first: usize, removed: usize, inserted: usize) {
        let shift = |x: usize| {
            if x <= first {
                x
            } else if x > first + removed {
                x - removed + inserted
            } else {
                // Inside the replaced lines: absorbed by the range marked below.
                first + 1
            }
        };
        for r in &mut self.ranges {
            *r = shift(r.start)..shift(r.end);
        }
        self.ranges.retain(|r| !r.is_empty());
        self.ranges.push(first..first + inserted + 1);
        self.normalize();
    }

    /// Drops lines at or past `line_count`.
    pub fn truncate(&mut self, line_count: usize) {
        for r in &mut self.ranges {
            r.end = r.end.min(line_count);
            r.start = r.start.min(r.end);
        }
        self.ranges.retain(|r| !r.is_empty());
    }

    fn normalize(&mut self) {
        self.ranges.sort_by_key(|r| r.start);
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(self.ranges.len());
        for r in self.ranges.drain(..) {
            match merged.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        self.ranges = merged;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    #[derive(Debug, Clone)]
    enum Op {
        Insert(Range<usize>),
        Pop,
        Splice {
            first: usize,
            removed: usize,
            inserted: usize,
        },
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0usize..40, 0usize..10).prop_map(|(s, n)| Op::Insert(s..s + n)),
            Just(Op::Pop),
            (0usize..40, 0usize..6, 0usize..6).prop_map(|(first, removed, inserted)| Op::Splice {
                first,
                removed,
                inserted
            }),
        ]
    }

    fn splice_model(
        set: &BTreeSet<usize>,
        first: usize,
        removed: usize,
        inserted: usize,
    ) -> BTreeSet<usize> {
        let mut out: BTreeSet<usize> = set
            .iter()
            .filter_map(|&x| {
                if x <= first {
                    Some(x)
                } else if x > first + removed {
                    Some(x - removed + inserted)
                } else {
                    None
                }
            })
            .collect();
        out.extend(first..=first + inserted);
        out
    }

    proptest! {
        #[test]
        fn behaves_like_a_set_of_lines(ops in proptest::collection::vec(op(), 0..40)) {
            let mut dirty = DirtyLines::new();
            let mut model = BTreeSet::new();
            for op in ops {
                match op {
                    Op::Insert(r) => { model.extend(r.clone()); dirty.insert(r); }
                    Op::Pop => {
                        let expected = model.iter().next().copied();
                        if let Some(x) = expected { model.remove(&x); }
                        prop_assert_eq!(dirty.pop_first(), expected);
                    }
                    Op::Splice { first, removed, inserted } => {
                        model = splice_model(&model, first, removed, inserted);
                        dirty.splice(first, removed, inserted);
                    }
                }
                prop_assert_eq!(dirty.first(), model.iter().next().copied());
                for x in 0..60 {
                    prop_assert_eq!(dirty.contains(x), model.contains(&x), "line {}", x);
                }
                for pair in dirty.ranges.windows(2) {
                    prop_assert!(pair[0].end < pair[1].start, "ranges not normalized: {:?}", dirty.ranges);
                }
            }
        }
    }
}
