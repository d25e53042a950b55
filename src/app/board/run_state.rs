//! A node's state in the followed run as the board draws it: the node's own, or, for a
//! collapsed group, its members' taken together (the monitor's view is the one truth:
//! `monitor::board_states` gives the map, this only reads it).

use std::collections::HashMap;

use pit::dag::NodeId;
use pit::runs::NodeOutcome;

use super::document::Document;
use super::group;

/// The run state of the node drawn for `id` (a collapsed group's for its stand-in); `None`
/// when it has not started, or when `run` is empty (no run of this workflow is followed).
pub fn shown(
    doc: &Document,
    run: &HashMap<&NodeId, NodeOutcome>,
    id: &NodeId,
) -> Option<NodeOutcome> {
    if run.is_empty() {
        return None;
    }
    match group::collapsed_group_of(doc, id) {
        None => run.get(id).copied(),
        Some(g) => together(
            &group::members(doc, g)
                .iter()
                .map(|m| run.get(m).copied())
                .collect::<Vec<_>>(),
        ),
    }
}

/// Members' states together: failed when one failed; unfinished while one runs or while
/// some have started and others not; else completed when one completed, skipped when all
/// were; `None` when none has started.
fn together(states: &[Option<NodeOutcome>]) -> Option<NodeOutcome> {
    if states.iter().all(Option::is_none) {
        return None;
    }
    if states.contains(&Some(NodeOutcome::Failed)) {
        return Some(NodeOutcome::Failed);
    }
    if states
        .iter()
        .any(|s| matches!(s, None | Some(NodeOutcome::Unfinished)))
    {
        return Some(NodeOutcome::Unfinished);
    }
    if states.contains(&Some(NodeOutcome::Completed)) {
        Some(NodeOutcome::Completed)
    } else {
        Some(NodeOutcome::Skipped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use NodeOutcome::{Completed, Failed, Skipped, Unfinished};

    #[test]
    fn a_group_s_members_together() {
        assert_eq!(together(&[None, None]), None);
        assert_eq!(together(&[Some(Completed), Some(Failed)]), Some(Failed));
        assert_eq!(together(&[Some(Completed), None]), Some(Unfinished));
        assert_eq!(
            together(&[Some(Completed), Some(Unfinished)]),
            Some(Unfinished)
        );
        assert_eq!(together(&[Some(Completed), Some(Skipped)]), Some(Completed));
        assert_eq!(together(&[Some(Skipped), Some(Skipped)]), Some(Skipped));
    }
}
