//! The run's progress: node counts folded from events, and the one-line bar drawn on a
//! terminal.

use std::time::Duration;

use pit::dag::NodeIx;
use pit::exec::{NodeEvent, NodeState};

/// Node counts of a run, kept from its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    states: Vec<NodeState>,
    /// Nodes in each state, indexed like [`state_index`].
    counts: [usize; 6],
}

fn state_index(state: NodeState) -> usize {
    match state {
        NodeState::Pending => 0,
        NodeState::Queued => 1,
        NodeState::Running => 2,
        NodeState::Completed => 3,
        NodeState::Failed => 4,
        NodeState::Skipped => 5,
    }
}

impl Progress {
    /// `nodes` nodes, all pending.
    pub fn new(nodes: usize) -> Self {
        Progress {
            states: vec![NodeState::Pending; nodes],
            counts: [nodes, 0, 0, 0, 0, 0],
        }
    }

    /// Applies a node's state change.
    pub fn apply(&mut self, event: &NodeEvent) {
        let Some(state) = self.states.get_mut(event.node.index()) else {
            return;
        };
        self.counts[state_index(*state)] -= 1;
        self.counts[state_index(event.state)] += 1;
        *state = event.state;
    }

    /// Replaces every count with a run's final states (events may have been dropped).
    pub fn finish(&mut self, states: &[NodeState]) {
        *self = Progress::new(0);
        self.states = states.to_vec();
        for state in states {
            self.counts[state_index(*state)] += 1;
        }
    }

    /// A node's state.
    pub fn state(&self, node: NodeIx) -> NodeState {
        self.states
            .get(node.index())
            .copied()
            .unwrap_or(NodeState::Pending)
    }

    /// Nodes in `state`.
    pub fn count(&self, state: NodeState) -> usize {
        self.counts[state_index(state)]
    }

    /// Nodes in the run.
    pub fn total(&self) -> usize {
        self.states.len()
    }

    /// Nodes in a final state.
    pub fn settled(&self) -> usize {
        self.count(NodeState::Completed)
            + self.count(NodeState::Failed)
            + self.count(NodeState::Skipped)
    }

    /// The progress line, at most `width` columns: counts, a bar, the time and an estimate.
    pub fn line(&self, elapsed: Duration, width: usize) -> String {
        let (total, settled) = (self.total(), self.settled());
        let percent = (settled * 100).checked_div(total).unwrap_or(100);
        let head = format!("{settled}/{total}");
        let mut tail = format!(" {percent:>3}%  {} running", self.count(NodeState::Running));
        for (state, label) in [
            (NodeState::Failed, "failed"),
            (NodeState::Skipped, "skipped"),
        ] {
            let n = self.count(state);
            if n > 0 {
                tail.push_str(&format!("  {n} {label}"));
            }
        }
        tail.push_str(&format!("  {}", clock(elapsed)));
        if settled > 0 && settled < total {
            let left = elapsed.mul_f64((total - settled) as f64 / settled as f64);
            tail.push_str(&format!(" · eta {}", clock(left)));
        }
        let used = head.chars().count() + tail.chars().count() + 3;
        let bar_width = width.saturating_sub(used).min(40);
        if bar_width < 5 {
            return truncate(&format!("{head}{tail}"), width);
        }
        format!("{head} ▕{}▏{tail}", bar(settled, total, bar_width))
    }
}

/// A bar of `width` cells, in eighths.
fn bar(done: usize, total: usize, width: usize) -> String {
    const PARTIAL: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    let eighths = (done * width * 8).checked_div(total).unwrap_or(width * 8);
    let mut out = "█".repeat(eighths / 8);
    if eighths / 8 < width {
        out.push(PARTIAL[eighths % 8]);
        out.push_str(&" ".repeat(width - eighths / 8 - 1));
    }
    out
}

/// `m:ss`, or `h:mm:ss` from an hour on.
pub fn clock(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

fn truncate(text: &str, width: usize) -> String {
    text.chars().take(width).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(node: u32, state: NodeState) -> NodeEvent {
        NodeEvent {
            node: NodeIx(node),
            state,
            attempt: 1,
            error: None,
            retry_in: None,
            via: None,
        }
    }

    #[test]
    fn counts_follow_state_changes() {
        let mut p = Progress::new(4);
        p.apply(&event(0, NodeState::Running));
        p.apply(&event(1, NodeState::Running));
        p.apply(&event(0, NodeState::Completed));
        p.apply(&event(2, NodeState::Skipped));
        assert_eq!(p.count(NodeState::Running), 1);
        assert_eq!(p.settled(), 2);
        assert_eq!(p.count(NodeState::Pending), 1);
        p.apply(&event(99, NodeState::Running));
        assert_eq!(p.total(), 4);
    }

    #[test]
    fn the_line_fits_and_estimates() {
        let mut p = Progress::new(8);
        for node in 0..2 {
            p.apply(&event(node, NodeState::Completed));
        }
        p.apply(&event(2, NodeState::Failed));
        let line = p.line(Duration::from_secs(30), 80);
        assert_eq!(
            line,
            "3/8 ▕███████████▋                   ▏  37%  0 running  1 failed  0:30 · eta 0:50"
        );
        assert!(p.line(Duration::from_secs(30), 20).chars().count() <= 20);
        assert_eq!(clock(Duration::from_secs(3725)), "1:02:05");
    }
}
