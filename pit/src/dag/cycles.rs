//! Cycle detection with an iterative Tarjan (no recursion: a million-node chain must not
//! overflow the stack), one error per strongly connected component, and the topological
//! order that falls out of it for free.

use super::ids::NodeIx;
use super::validation_error::ValidationError;
use super::workflow::{Csr, Workflow};

const UNSEEN: u32 = u32::MAX;

/// Reports each strongly connected component of more than one node once, with one of its
/// cycles. Returns a topological order (meaningful only when nothing was reported).
pub(super) fn check(wf: &Workflow, errors: &mut Vec<ValidationError>) -> Vec<NodeIx> {
    let sccs = tarjan(wf.ids.len(), &wf.out);
    let mut parent = vec![UNSEEN; wf.ids.len()];
    for &(component, root, size) in &sccs.cyclic {
        let path = shortest_cycle(&wf.out, &sccs.component, component, root, &mut parent);
        errors.push(ValidationError::Cycle {
            path: path.iter().map(|n| wf.ids[n.index()].clone()).collect(),
            component_size: size,
        });
    }
    let mut order = sccs.finished;
    order.reverse();
    order
}

/// What Tarjan's algorithm finds.
struct Sccs {
    /// Each node's component number.
    component: Vec<u32>,
    /// Nodes in the order their components were completed: reverse topological.
    finished: Vec<NodeIx>,
    /// Components of two or more nodes: (number, a member, size).
    cyclic: Vec<(u32, NodeIx, usize)>,
}

fn tarjan(n: usize, out: &Csr) -> Sccs {
    let mut t = Tarjan {
        index: vec![UNSEEN; n],
        low: vec![0u32; n],
        stack: Vec::new(),
        calls: Vec::new(),
        next_index: 0,
    };
    let mut component = vec![UNSEEN; n];
    let mut finished = Vec::with_capacity(n);
    let mut cyclic = Vec::new();
    let mut next_component = 0u32;
    for start in 0..n as u32 {
        if t.index[start as usize] != UNSEEN {
            continue;
        }
        t.enter(start, out);
        while let Some(&(v, position)) = t.calls.last() {
            let vi = v as usize;
            if position < out.offsets[vi + 1] {
                if let Some(top) = t.calls.last_mut() {
                    top.1 += 1;
                }
                let w = out.nodes[position as usize].0;
                if t.index[w as usize] == UNSEEN {
                    t.enter(w, out);
                } else if component[w as usize] == UNSEEN {
                    // Still on the stack: part of the component being explored.
                    t.low[vi] = t.low[vi].min(t.index[w as usize]);
                }
                continue;
            }
            t.calls.pop();
            if let Some(&(caller, _)) = t.calls.last() {
                t.low[caller as usize] = t.low[caller as usize].min(t.low[vi]);
            }
            if t.low[vi] == t.index[vi] {
                let before = finished.len();
                while let Some(w) = t.stack.pop() {
                    component[w as usize] = next_component;
                    finished.push(NodeIx(w));
                    if w == v {
                        break;
                    }
                }
                let size = finished.len() - before;
                if size > 1 {
                    cyclic.push((next_component, NodeIx(v), size));
                }
                next_component += 1;
            }
        }
    }
    Sccs {
        component,
        finished,
        cyclic,
    }
}

/// Tarjan's bookkeeping, with an explicit call stack instead of recursion.
struct Tarjan {
    index: Vec<u32>,
    low: Vec<u32>,
    /// Nodes of components not yet completed.
    stack: Vec<u32>,
    /// The simulated recursion: (node, next position in its adjacency).
    calls: Vec<(u32, u32)>,
    next_index: u32,
}

impl Tarjan {
    fn enter(&mut self, v: u32, out: &Csr) {
        self.index[v as usize] = self.next_index;
        self.low[v as usize] = self.next_index;
        self.next_index += 1;
        self.stack.push(v);
        self.calls.push((v, out.offsets[v as usize]));
    }
}

/// A shortest cycle through `root` inside its component, by breadth-first search; the path
/// starts and ends at `root`. `parent` is scratch space, left clean for the next component
/// only where it matters: components are disjoint, so stale entries are never read.
fn shortest_cycle(
    out: &Csr,
    component: &[u32],
    which: u32,
    root: NodeIx,
    parent: &mut [u32],
) -> Vec<NodeIx> {
    let mut queue = vec![root.0];
    parent[root.index()] = root.0;
    let mut head = 0;
    while head < queue.len() {
        let v = queue[head];
        head += 1;
        for &NodeIx(w) in &out.nodes[out.range(NodeIx(v))] {
            if w == root.0 {
                let mut back = Vec::new();
                let mut at = v;
                while at != root.0 {
                    back.push(NodeIx(at));
                    at = parent[at as usize];
                }
                let mut path = Vec::with_capacity(back.len() + 2);
                path.push(root);
                path.extend(back.into_iter().rev());
                path.push(root);
                return path;
            }
            if component[w as usize] == which && parent[w as usize] == UNSEEN {
                parent[w as usize] = v;
                queue.push(w);
            }
        }
    }
    // Unreachable for a real component; a lone root is still a truthful answer.
    vec![root, root]
}
