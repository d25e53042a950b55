//! `LineCache`: the front-end's copy of a view's lines, kept current by applying `update`s.
//!
//! Each update builds a new cache from the old one, op by op, with a cursor into the old
//! cache: `copy` takes the next `n` old lines (renumbering them from `ln` when given), `skip`
//! drops the next `n`, `invalidate` adds `n` unknown lines, `ins` adds new lines, and `update`
//! takes the next `n` old lines keeping their text but replacing cursors and styles. Old lines
//! no op reached are dropped. Lines are shared (`Arc`), so cloning a whole cache is cheap.
//!
//! Line numbers (`ln`) live beside the lines, not in them: a newline near the top of a file
//! renumbers every line below it, and keeping numbers apart makes that a copy of integers
//! instead of a clone of every line's text and styles.

use std::sync::Arc;

use crate::error::BridgeError;
use crate::protocol::{Annotation, Line, Update, UpdateOp};

/// Most lines a cache may hold (invalid lines cost a pointer each); beyond this an update is
/// treated as malformed rather than exhausting memory.
pub const MAX_HEIGHT: usize = 50_000_000;

/// A view's lines as the core last described them.
#[derive(Debug, Clone, Default)]
pub struct LineCache {
    /// The lines, with `ln` always `None` inside (see `numbers`).
    lines: Vec<Option<Arc<Line>>>,
    /// Each line's logical number (1-based; `None` for wrapped continuations and invalid lines).
    numbers: Vec<Option<usize>>,
    annotations: Vec<Annotation>,
    pristine: bool,
}

impl LineCache {
    /// An empty cache, as before the first update.
    pub fn new() -> LineCache {
        LineCache::default()
    }

    /// Applies one update. A malformed update (one that reads past the old cache, or whose
    /// `n` disagrees with its lines) is an error and leaves the cache unchanged.
    ///
    /// The update is checked first and then applied by moving the old lines, not cloning
    /// them: a keystroke in a long file costs a copy of pointers, no reference counting.
    pub fn apply(&mut self, update: &Update) -> Result<(), BridgeError> {
        self.check(update)?;
        let old_len = self.lines.len();
        let mut old_lines = std::mem::take(&mut self.lines).into_iter();
        let mut old_numbers = std::mem::take(&mut self.numbers).into_iter();
        let mut lines: Vec<Option<Arc<Line>>> = Vec::with_capacity(old_len);
        let mut numbers: Vec<Option<usize>> = Vec::with_capacity(old_len);
        for op in &update.ops {
            match op {
                UpdateOp::Copy { n, ln: None } => {
                    lines.extend(old_lines.by_ref().take(*n));
                    numbers.extend(old_numbers.by_ref().take(*n));
                }
                UpdateOp::Copy { n, ln: Some(first) } => {
                    lines.extend(old_lines.by_ref().take(*n));
                    let mut next = *first;
                    numbers.extend(old_numbers.by_ref().take(*n).map(|number| {
                        number.map(|_| {
                            next += 1;
                            next - 1
                        })
                    }));
                }
                UpdateOp::Skip { n } => {
                    old_lines.by_ref().take(*n).for_each(drop);
                    old_numbers.by_ref().take(*n).for_each(drop);
                }
                UpdateOp::Invalidate { n } => {
                    lines.resize(lines.len() + n, None);
                    numbers.resize(numbers.len() + n, None);
                }
                UpdateOp::Ins { lines: fresh, .. } => {
                    lines.extend(fresh.iter().map(|l| {
                        Some(Arc::new(Line {
                            ln: None,
                            ..l.clone()
                        }))
                    }));
                    numbers.extend(fresh.iter().map(|l| l.ln));
                }
                UpdateOp::Update { lines: fresh, .. } => {
                    for (fresh, (old, old_number)) in fresh
                        .iter()
                        .zip(old_lines.by_ref().zip(old_numbers.by_ref()))
                    {
                        numbers.push(old.as_ref().and(fresh.ln.or(old_number)));
                        lines.push(old.map(|old| {
                            Arc::new(Line {
                                text: old.text.clone(),
                                ln: None,
                                cursor: fresh.cursor.clone(),
                                styles: fresh.styles.clone(),
                            })
                        }));
                    }
                }
            }
        }
        self.lines = lines;
        self.numbers = numbers;
        self.annotations = update.annotations.clone();
        self.pristine = update.pristine;
        Ok(())
    }

    /// Every check `apply` needs, without changing anything.
    fn check(&self, update: &Update) -> Result<(), BridgeError> {
        let mut old_ix: usize = 0;
        let mut height: usize = 0;
        for (index, op) in update.ops.iter().enumerate() {
            let malformed = |reason: String| BridgeError::MalformedUpdate {
                index,
                op: op.name(),
                reason,
            };
            let (n, consumes_old, adds) = match op {
                UpdateOp::Copy { n, .. } | UpdateOp::Update { n, .. } => (*n, true, *n),
                UpdateOp::Skip { n } => (*n, true, 0),
                UpdateOp::Invalidate { n } | UpdateOp::Ins { n, .. } => (*n, false, *n),
            };
            height = height
                .checked_add(adds)
                .filter(|&h| h <= MAX_HEIGHT)
                .ok_or_else(|| {
                    malformed(format!("would make the cache over {MAX_HEIGHT} lines"))
                })?;
            if consumes_old {
                old_ix = old_ix
                    .checked_add(n)
                    .filter(|&end| end <= self.lines.len())
                    .ok_or_else(|| {
                        malformed(format!(
                            "needs old lines {old_ix}..{old_ix}+{n}, but the cache has {}",
                            self.lines.len()
                        ))
                    })?;
            }
            match op {
                UpdateOp::Copy { n, ln: Some(first) } => {
                    let numbered = self.numbers[old_ix - n..old_ix]
                        .iter()
                        .filter(|x| x.is_some())
                        .count();
                    if first.checked_add(numbered).is_none() {
                        return Err(malformed(
                            "renumbers past the largest line number".to_owned(),
                        ));
                    }
                }
                UpdateOp::Ins { n, lines } => {
                    check_count(*n, lines).map_err(&malformed)?;
                    if let Some(i) = lines.iter().position(|l| l.text.is_none()) {
                        return Err(malformed(format!("line {i} has no text")));
                    }
                }
                UpdateOp::Update { n, lines } => check_count(*n, lines).map_err(&malformed)?,
                UpdateOp::Copy { ln: None, .. }
                | UpdateOp::Skip { .. }
                | UpdateOp::Invalidate { .. } => {}
            }
        }
        Ok(())
    }

    /// Number of visual lines, valid or not.
    pub fn height(&self) -> usize {
        self.lines.len()
    }

    /// Line `i`, if it exists and is valid. Its `ln` is always `None`: see [`Self::line_number`].
    pub fn get(&self, i: usize) -> Option<&Line> {
        self.lines.get(i)?.as_deref()
    }

    /// The logical (1-based) number of line `i`; `None` for a wrapped continuation or an
    /// invalid line.
    pub fn line_number(&self, i: usize) -> Option<usize> {
        self.numbers.get(i).copied().flatten()
    }

    /// Every line as the core would describe it, `ln` included (for rebuilding a cache).
    pub fn to_lines(&self) -> Vec<Option<Line>> {
        self.lines
            .iter()
            .zip(&self.numbers)
            .map(|(line, number)| {
                line.as_deref().map(|l| Line {
                    ln: *number,
                    ..l.clone()
                })
            })
            .collect()
    }

    /// All lines; `None` marks a line whose content the core has not sent.
    pub fn lines(&self) -> &[Option<Arc<Line>>] {
        &self.lines
    }

    /// The whole text, if every line is valid.
    pub fn text(&self) -> Option<String> {
        let mut text = String::new();
        for line in &self.lines {
            text.push_str(line.as_ref()?.text.as_deref()?);
        }
        Some(text)
    }

    /// Number of invalid lines.
    pub fn invalid_count(&self) -> usize {
        self.lines.iter().filter(|l| l.is_none()).count()
    }

    /// True when the buffer had no unsaved changes at the last update.
    pub fn pristine(&self) -> bool {
        self.pristine
    }

    /// The annotations of the last update (they cover the visible region only).
    pub fn annotations(&self) -> &[Annotation] {
        &self.annotations
    }

    /// Selections as `(start_line, start_col, end_line, end_col)`, start before end, in
    /// visual lines and byte columns; a caret is an empty selection.
    pub fn selections(&self) -> Vec<(usize, usize, usize, usize)> {
        self.annotations
            .iter()
            .filter(|a| a.kind == Annotation::SELECTION)
            .flat_map(|a| a.ranges.iter().map(|&[l1, c1, l2, c2]| (l1, c1, l2, c2)))
            .collect()
    }

    /// The caret of every selection, as (visual line, byte column).
    ///
    /// Annotations do not say which end of a selection holds the caret, so the lines' own
    /// `cursor` lists decide; without selections, every caret found in valid lines is returned.
    pub fn cursors(&self) -> Vec<(usize, usize)> {
        let selections = self.selections();
        if selections.is_empty() {
            return self.carets_in_lines().collect();
        }
        selections.into_iter().map(|s| self.caret_of(s)).collect()
    }

    /// The first selection's caret.
    pub fn cursor(&self) -> Option<(usize, usize)> {
        match self.selections().first() {
            Some(&selection) => Some(self.caret_of(selection)),
            None => self.carets_in_lines().next(),
        }
    }

    fn caret_of(&self, (l1, c1, l2, c2): (usize, usize, usize, usize)) -> (usize, usize) {
        let has_caret =
            |line: usize, col: usize| self.get(line).is_some_and(|l| l.cursor.contains(&col));
        if !has_caret(l2, c2) && has_caret(l1, c1) {
            (l1, c1)
        } else {
            (l2, c2)
        }
    }

    fn carets_in_lines(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.lines
            .iter()
            .enumerate()
            .filter_map(|(i, l)| Some((i, l.as_ref()?)))
            .flat_map(|(i, l)| l.cursor.iter().map(move |&c| (i, c)))
    }
}

fn check_count(n: usize, lines: &[Line]) -> Result<(), String> {
    if n == lines.len() {
        Ok(())
    } else {
        Err(format!("says {n} lines but carries {}", lines.len()))
    }
}

/// The line with its logical number set from `next`, sharing it when the number is unchanged.
/// Continuation pieces of wrapped lines have no number and do not advance it.
#[cfg(test)]
mod tests;
