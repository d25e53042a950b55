//! Incremental syntect highlighting of one buffer.
//!
//! The parser state at the start of every line is cached. An edit makes the
//! touched lines dirty; re-highlighting walks forward from the first dirty
//! line and stops as soon as the state reaching an untouched line equals the
//! cached one, because from there on the old result is still right. So the
//! work per edit follows the edit (and what it really changes, like an opened
//! block comment), not the file.

use std::sync::Arc;

use syntect::parsing::{ParseState, ScopeStack, SyntaxReference, SyntaxSet};
use xi_rope::Rope;

use crate::syntect_plugin::dirty_lines::DirtyLines;
use crate::syntect_plugin::document::{LineEdit, line_count};
use crate::syntect_plugin::protocol::{ScopeId, ScopeSpan};
use crate::syntect_plugin::scope_ids::ScopeIds;

/// Everything needed to resume parsing at the start of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LineState {
    parse: ParseState,
    scopes: ScopeStack,
}

/// Spans for a run of consecutive lines, ready for one `update_spans`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanRun {
    /// Byte offset of the first line.
    pub start: usize,
    /// Bytes covered (whole lines, newlines included).
    pub len: usize,
    /// Spans relative to `start`, in order.
    pub spans: Vec<ScopeSpan>,
}

/// The result of one slice of highlighting work.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    /// Scope stacks to announce with `add_scopes` before the runs.
    pub new_scopes: Vec<Vec<String>>,
    /// The re-highlighted regions.
    pub runs: Vec<SpanRun>,
    /// How many lines were parsed.
    pub lines: usize,
}

/// Highlighting state of one buffer.
#[derive(Debug)]
pub struct Highlighter {
    initial: Arc<LineState>,
    /// State at the start of each line; `None` where not yet computed.
    /// Shared `Arc`s keep runs of identical states (most lines) cheap, and
    /// keep the splice on a line insertion a move of pointers.
    states: Vec<Option<Arc<LineState>>>,
    dirty: DirtyLines,
    scope_ids: ScopeIds,
}

impl Highlighter {
    /// A highlighter for a text of `line_count` lines in `syntax`, with every
    /// line still to do.
    pub fn new(syntax: &SyntaxReference, line_count: usize) -> Self {
        let mut h = Highlighter {
            initial: Arc::new(initial_state(syntax)),
            states: Vec::new(),
            dirty: DirtyLines::new(),
            scope_ids: ScopeIds::new(),
        };
        h.restart(line_count);
        h
    }

    /// Switches to another syntax and starts over. Scope ids are kept: the
    /// core still holds them for this buffer.
    pub fn set_syntax(&mut self, syntax: &SyntaxReference, line_count: usize) {
        self.initial = Arc::new(initial_state(syntax));
        self.restart(line_count);
    }

    /// Forgets every cached state (e.g. after the text was fetched again).
    pub fn restart(&mut self, line_count: usize) {
        let line_count = line_count.max(1);
        self.states = vec![None; line_count];
        self.states[0] = Some(Arc::clone(&self.initial));
        self.dirty = DirtyLines::new();
        self.dirty.insert(0..line_count);
    }

    /// Follows an edit of the text.
    pub fn edit(&mut self, edit: LineEdit) {
        let LineEdit {
            first,
            removed,
            inserted,
        } = edit;
        let replaced =
            (first + 1).min(self.states.len())..(first + 1 + removed).min(self.states.len());
        self.states
            .splice(replaced, std::iter::repeat_n(None, inserted));
        self.dirty.splice(first, removed, inserted);
        self.dirty.truncate(self.states.len());
    }

    /// Whether some lines still need highlighting.
    pub fn has_work(&self) -> bool {
        !self.dirty.is_empty()
    }

    /// Highlights up to `max_lines` dirty lines of `text`, in order.
    pub fn highlight(&mut self, text: &Rope, syntaxes: &SyntaxSet, max_lines: usize) -> Batch {
        let line_total = line_count(text);
        if line_total != self.states.len() {
            // Cannot happen if every edit was reported; starting over is
            // always correct, only slower.
            self.restart(line_total);
        }
        let mut runs: Vec<SpanRun> = Vec::new();
        let mut lines = 0;
        while lines < max_lines {
            let Some(line) = self.dirty.first() else {
                break;
            };
            let Some(start_state) = self.states[line].clone() else {
                self.resume_before(line);
                continue;
            };
            self.dirty.pop_first();
            lines += 1;

            let line_start = text.offset_of_line(line);
            let line_end = text.offset_of_line(line + 1);
            let line_text = text.slice_to_cow(line_start..line_end);
            let end_state =
                self.highlight_line(&line_text, &start_state, syntaxes, line_start, &mut runs);

            if line + 1 < self.states.len() {
                let unchanged = self.states[line + 1].as_deref() == Some(&end_state);
                if !unchanged {
                    let shared = if end_state == *start_state {
                        start_state
                    } else {
                        Arc::new(end_state)
                    };
                    self.states[line + 1] = Some(shared);
                    self.dirty.insert(line + 1..line + 2);
                }
            }
        }
        runs.retain(|run| run.len > 0);
        Batch {
            new_scopes: self.scope_ids.take_unsent(),
            runs,
            lines,
        }
    }

    /// Parses one line, appending its spans to the last run (or a new one),
    /// and returns the state at the start of the next line.
    fn highlight_line(
        &mut self,
        line: &str,
        start: &LineState,
        syntaxes: &SyntaxSet,
        line_start: usize,
        runs: &mut Vec<SpanRun>,
    ) -> LineState {
        let continues_run = matches!(runs.last(), Some(run) if run.start + run.len == line_start);
        if !continues_run {
            runs.push(SpanRun {
                start: line_start,
                len: 0,
                spans: Vec::new(),
            });
        }
        // Just ensured non-empty; the `else` only avoids a panic path.
        let Some(run) = runs.last_mut() else {
            return start.clone();
        };
        let base = run.len;
        run.len += line.len();

        let mut state = start.clone();
        let ops = match state.parse.parse_line(line, syntaxes) {
            Ok(ops) => ops,
            Err(_) => {
                // A syntax that fails on this line must not stop the rest of
                // the file: keep the line's starting scopes and state.
                push_span(
                    run,
                    &mut self.scope_ids,
                    &start.scopes,
                    base,
                    base + line.len(),
                );
                return start.clone();
            }
        };
        let mut prev = 0;
        for (cursor, op) in ops {
            let cursor = cursor.min(line.len());
            if cursor > prev {
                push_span(
                    run,
                    &mut self.scope_ids,
                    &state.scopes,
                    base + prev,
                    base + cursor,
                );
                prev = cursor;
            }
            // An unbalanced pop in a syntax leaves the stack as it was; the
            // spans stay usable.
            let _ = state.scopes.apply(&op);
        }
        push_span(
            run,
            &mut self.scope_ids,
            &state.scopes,
            base + prev,
            base + line.len(),
        );
        state
    }

    /// Recovers from a missing state at `line` by re-highlighting from the
    /// nearest line before it whose state is known.
    fn resume_before(&mut self, line: usize) {
        let known = (0..line)
            .rev()
            .find(|&l| self.states[l].is_some())
            .unwrap_or(0);
        if self.states[known].is_none() {
            self.states[known] = Some(Arc::clone(&self.initial));
        }
        self.dirty.insert(known..line + 1);
    }
}

fn initial_state(syntax: &SyntaxReference) -> LineState {
    LineState {
        parse: ParseState::new(syntax),
        scopes: ScopeStack::new(),
    }
}

/// Appends a span, merging it into the previous one when they touch and
/// share a stack. Empty stacks get no span: the core cannot take them.
fn push_span(run: &mut SpanRun, ids: &mut ScopeIds, scopes: &ScopeStack, start: usize, end: usize) {
    let stack = scopes.as_slice();
    if end <= start || stack.is_empty() {
        return;
    }
    let scope_id: ScopeId = ids.id_for(stack);
    if let Some(last) = run.spans.last_mut()
        && last.end == start
        && last.scope_id == scope_id
    {
        last.end = end;
        return;
    }
    run.spans.push(ScopeSpan {
        start,
        end,
        scope_id,
    });
}

#[cfg(test)]
#[path = "highlighter_tests.rs"]
mod tests;
