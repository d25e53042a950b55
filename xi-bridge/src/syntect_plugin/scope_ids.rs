//! Numbering of scope stacks, so spans carry a small id instead of names.

use std::collections::HashMap;

use syntect::parsing::Scope;

use crate::syntect_plugin::protocol::ScopeId;

/// The scope stacks of one buffer, numbered in the order the core learns them.
///
/// The core keeps the matching list per buffer and indexes it blindly, so
/// this table lives as long as the buffer (even across a change of language
/// or a re-fetch of the text) and stacks are only ever appended.
#[derive(Debug, Default)]
pub struct ScopeIds {
    ids: HashMap<Vec<Scope>, ScopeId>,
    /// Stacks numbered but not yet sent with `add_scopes`.
    unsent: Vec<Vec<String>>,
}

impl ScopeIds {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// The id of `stack`, numbering it if it is new. `stack` must not be empty:
    /// the core underflows on an empty stack.
    ///
    /// A new stack's prefixes are numbered (and sent) first. xi-core 0.3
    /// styles a stack by extending the cached style of its longest prefix
    /// already known (`layers.rs`, `styles_for_stacks`), and when none is
    /// known it applies no theme rule at all: `fn` opening a Rust file would
    /// stay unstyled. With every prefix announced before it, each stack finds
    /// its parent and gets the style syntect's own highlighter would give it.
    pub fn id_for(&mut self, stack: &[Scope]) -> ScopeId {
        if let Some(&id) = self.ids.get(stack) {
            return id;
        }
        for len in 1..stack.len() {
            if !self.ids.contains_key(&stack[..len]) {
                self.number(&stack[..len]);
            }
        }
        self.number(stack)
    }

    fn number(&mut self, stack: &[Scope]) -> ScopeId {
        // More than u32::MAX distinct stacks cannot happen with real syntaxes;
        // saturating keeps the arithmetic total without a panic path.
        let id = ScopeId(u32::try_from(self.ids.len()).unwrap_or(u32::MAX));
        self.ids.insert(stack.to_vec(), id);
        self.unsent
            .push(stack.iter().map(|s| s.build_string()).collect());
        id
    }

    /// The stacks numbered since the last call, to send with `add_scopes`
    /// before any span that uses them.
    pub fn take_unsent(&mut self) -> Vec<Vec<String>> {
        std::mem::take(&mut self.unsent)
    }

    /// Number of stacks numbered so far.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether no stack has been numbered.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn prefixes_are_numbered_before_the_stack() {
        let deep: Vec<Scope> = [
            "source.rust",
            "meta.function.rust",
            "storage.type.function.rust",
        ]
        .iter()
        .map(|s| Scope::new(s).unwrap())
        .collect();
        let mut ids = ScopeIds::new();
        assert_eq!(ids.id_for(&deep), ScopeId(2));
        assert_eq!(ids.id_for(&deep[..1]), ScopeId(0));
        assert_eq!(ids.id_for(&deep[..2]), ScopeId(1));
        let sent = ids.take_unsent();
        assert_eq!(sent.iter().map(Vec::len).collect::<Vec<_>>(), vec![1, 2, 3]);
    }

    #[test]
    fn ids_are_dense_and_new_stacks_are_reported_once() {
        let a = [Scope::new("source.rust").unwrap()];
        let b = [
            Scope::new("source.rust").unwrap(),
            Scope::new("comment.line").unwrap(),
        ];
        let mut ids = ScopeIds::new();
        assert_eq!(ids.id_for(&a), ScopeId(0));
        assert_eq!(ids.id_for(&b), ScopeId(1));
        assert_eq!(ids.id_for(&a), ScopeId(0));
        assert_eq!(
            ids.take_unsent(),
            vec![
                vec!["source.rust".to_string()],
                vec!["source.rust".into(), "comment.line".into()]
            ]
        );
        assert!(ids.take_unsent().is_empty());
        assert_eq!(ids.len(), 2);
    }
}
