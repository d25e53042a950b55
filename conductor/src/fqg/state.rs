//! The symbolic world state: a set of at most 128 facts, one bit each.

use super::ids::FactId;

/// The facts that hold: a set over a puzzle's [`FactId`]s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct WorldState(pub u128);

impl WorldState {
    /// The empty state.
    pub const EMPTY: WorldState = WorldState(0);

    /// A state holding exactly `facts`.
    pub fn from_facts(facts: impl IntoIterator<Item = FactId>) -> WorldState {
        let mut state = WorldState::EMPTY;
        for fact in facts {
            state.insert(fact);
        }
        state
    }

    /// Whether `fact` holds.
    pub fn contains(self, fact: FactId) -> bool {
        self.0 & (1u128 << fact.0) != 0
    }

    /// Makes `fact` hold.
    pub fn insert(&mut self, fact: FactId) {
        self.0 |= 1u128 << fact.0;
    }

    /// Makes `fact` not hold.
    pub fn remove(&mut self, fact: FactId) {
        self.0 &= !(1u128 << fact.0);
    }

    /// Whether every fact of `other` holds here.
    pub fn contains_all(self, other: WorldState) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether no fact of `other` holds here.
    pub fn contains_none(self, other: WorldState) -> bool {
        self.0 & other.0 == 0
    }

    /// The facts in both.
    pub fn intersection(self, other: WorldState) -> WorldState {
        WorldState(self.0 & other.0)
    }

    /// The facts in either.
    pub fn union(self, other: WorldState) -> WorldState {
        WorldState(self.0 | other.0)
    }

    /// The facts here but not in `other`.
    pub fn difference(self, other: WorldState) -> WorldState {
        WorldState(self.0 & !other.0)
    }

    /// How many facts hold.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether no fact holds.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The facts that hold, in index order.
    pub fn facts(self) -> impl Iterator<Item = FactId> {
        let bits = self.0;
        (0u8..128)
            .filter(move |i| bits & (1u128 << i) != 0)
            .map(FactId)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_operations() {
        let mut s = WorldState::from_facts([FactId(0), FactId(127)]);
        assert!(s.contains(FactId(127)) && !s.contains(FactId(5)));
        s.insert(FactId(5));
        s.remove(FactId(0));
        assert_eq!(s.facts().collect::<Vec<_>>(), vec![FactId(5), FactId(127)]);
        assert_eq!(s.len(), 2);
        assert!(s.contains_all(WorldState::from_facts([FactId(5)])));
        assert!(s.contains_none(WorldState::from_facts([FactId(6)])));
    }
}
