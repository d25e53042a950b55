//! One open document as the supervisor tracks it: its core view, caches and edit journal.

use std::collections::VecDeque;
use std::path::PathBuf;

use crate::line_cache::LineCache;
use crate::protocol::{EditNotification, ViewId};

/// A document's id, chosen by the UI; stable across core restarts (xi's view ids are not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocId(pub u32);

/// An edit that changes the document, kept until the core confirms it.
#[derive(Debug, Clone)]
pub(crate) enum Journaled {
    /// An edit notification.
    Edit(EditNotification),
    /// A cut (a request in xi's protocol).
    Cut,
}

/// The supervisor's record of one document.
#[derive(Debug)]
pub(crate) struct Doc {
    /// Its file.
    pub path: Option<PathBuf>,
    /// The core's view, once open.
    pub view: Option<ViewId>,
    /// Lines as the core last sent them.
    pub cache: LineCache,
    /// The cache at the last barrier: everything in it is confirmed.
    pub confirmed: LineCache,
    /// `cache` changed since `confirmed` was taken (saves a clone per idle barrier).
    pub changed: bool,
    /// Edits sent since the last barrier, with their sequence numbers.
    pub journal: VecDeque<(u64, Journaled)>,
    /// The last search, replayed after a restart so that find-next keeps working.
    pub find: Option<EditNotification>,
    /// The last replacement text.
    pub replace: Option<EditNotification>,
    /// Saves waiting for a barrier to confirm them.
    pub pending_saves: Vec<(u64, PathBuf)>,
}

impl Doc {
    pub fn new(path: Option<PathBuf>) -> Doc {
        Doc {
            path,
            view: None,
            cache: LineCache::default(),
            confirmed: LineCache::default(),
            changed: false,
            journal: VecDeque::new(),
            find: None,
            replace: None,
            pending_saves: Vec::new(),
        }
    }

    /// Whether something sent for this document waits for a barrier: an edit newer than
    /// `confirmed` (the newest sequence number a barrier confirmed; the journal keeps confirmed
    /// edits until the next snapshot, so a non-empty journal is not enough) or a save.
    pub fn awaits_barrier(&self, confirmed: u64) -> bool {
        self.journal.back().is_some_and(|(seq, _)| *seq > confirmed)
            || !self.pending_saves.is_empty()
    }

    /// Whether an edit changes what must be restored (movements do: they place later edits).
    pub fn remember(&mut self, edit: &EditNotification) {
        match edit {
            EditNotification::Find { .. } => self.find = Some(edit.clone()),
            EditNotification::Replace { .. } => self.replace = Some(edit.clone()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confirmed_edits_kept_for_the_next_snapshot_do_not_ask_for_another_barrier() {
        let mut doc = Doc::new(None);
        assert!(!doc.awaits_barrier(0));
        doc.journal.push_back((1, Journaled::Cut));
        doc.journal.push_back((2, Journaled::Cut));
        assert!(doc.awaits_barrier(1), "edit 2 is not confirmed yet");
        assert!(
            !doc.awaits_barrier(2),
            "both confirmed: the journal keeps them, but nothing waits (a barrier now would be \
             answered by another, forever)"
        );
        doc.pending_saves.push((2, PathBuf::from("a.txt")));
        assert!(doc.awaits_barrier(2), "a save waits for its barrier");
    }
}
