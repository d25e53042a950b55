//! Crossing reduction: barycenter sweeps down and up the layers, keeping the best order seen
//! (crossings counted exactly, Barth–Jünger–Mutzel's accumulator tree between each pair of
//! adjacent layers).

use super::layout::Layered;

/// Reorders every layer to reduce edge crossings; returns the crossings left.
pub(super) fn reduce_crossings(l: &mut Layered, sweeps: u32) -> u64 {
    let mut pos = l.positions();
    let mut best = count_all(l, &pos);
    let mut best_rows = l.rows.clone();
    for _ in 0..sweeps {
        if best == 0 {
            break;
        }
        for i in 1..l.rows.len() {
            sort_by_barycenter(l, i, &mut pos, true);
        }
        for i in (0..l.rows.len().saturating_sub(1)).rev() {
            sort_by_barycenter(l, i, &mut pos, false);
        }
        let now = count_all(l, &pos);
        if now < best {
            best = now;
            best_rows.clone_from(&l.rows);
        } else if l.rows == best_rows {
            // A fixed point: further sweeps would change nothing.
            break;
        }
    }
    l.rows = best_rows;
    best
}

/// Sorts layer `i` by the mean place of each item's neighbours above (`from_above`) or
/// below; items without such neighbours keep their place.
fn sort_by_barycenter(l: &mut Layered, i: usize, pos: &mut [u32], from_above: bool) {
    let neighbours = if from_above { &l.up } else { &l.down };
    let mut keyed: Vec<(f64, u32)> = l.rows[i]
        .iter()
        .map(|&item| {
            let ns = &neighbours[item as usize];
            let key = if ns.is_empty() {
                f64::from(pos[item as usize])
            } else {
                ns.iter().map(|&n| f64::from(pos[n as usize])).sum::<f64>() / ns.len() as f64
            };
            (key, item)
        })
        .collect();
    // Stable, so ties keep their order and sweeps converge.
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (p, &(_, item)) in keyed.iter().enumerate() {
        l.rows[i][p] = item;
        pos[item as usize] = p as u32;
    }
}

/// Crossings over every pair of adjacent layers.
pub(super) fn count_all(l: &Layered, pos: &[u32]) -> u64 {
    (0..l.rows.len().saturating_sub(1))
        .map(|i| count_between(l, i, pos))
        .sum()
}

/// Crossings between layer `i` and `i + 1`: the inversions of the lower ends when the edges
/// are sorted by their upper ends, counted with a Fenwick tree.
pub(super) fn count_between(l: &Layered, i: usize, pos: &[u32]) -> u64 {
    let mut lower_ends: Vec<(u32, u32)> = Vec::new();
    for &item in &l.rows[i] {
        for &below in &l.down[item as usize] {
            lower_ends.push((pos[item as usize], pos[below as usize]));
        }
    }
    lower_ends.sort_unstable();
    let size = l.rows.get(i + 1).map_or(0, Vec::len);
    let mut tree = vec![0u64; size + 1];
    let mut crossings = 0;
    for (seen, &(_, lower)) in lower_ends.iter().enumerate() {
        // Edges already seen whose lower end is strictly to the right cross this one.
        let mut at_most = 0;
        let mut k = lower as usize + 1;
        while k > 0 {
            at_most += tree[k];
            k &= k - 1;
        }
        crossings += seen as u64 - at_most;
        let mut k = lower as usize + 1;
        while k <= size {
            tree[k] += 1;
            k += k & k.wrapping_neg();
        }
    }
    crossings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_layers(top: usize, bottom: usize, edges: &[(u32, u32)]) -> Layered {
        let n = top + bottom;
        let mut l = Layered {
            layer: (0..n).map(|i| u32::from(i >= top)).collect(),
            rows: vec![(0..top as u32).collect(), (top as u32..n as u32).collect()],
            up: vec![Vec::new(); n],
            down: vec![Vec::new(); n],
            real: n,
            chains: Vec::new(),
        };
        for &(a, b) in edges {
            l.down[a as usize].push(b);
            l.up[b as usize].push(a);
        }
        l
    }

    #[test]
    fn counts_match_a_pairwise_count() {
        let edges = [(0, 4), (0, 5), (1, 3), (2, 3), (2, 6), (1, 6)];
        let l = two_layers(3, 4, &edges);
        let pos = l.positions();
        let mut naive = 0;
        for (i, &(a, b)) in edges.iter().enumerate() {
            for &(c, d) in &edges[i + 1..] {
                let (pa, pb, pc, pd) = (
                    pos[a as usize],
                    pos[b as usize],
                    pos[c as usize],
                    pos[d as usize],
                );
                if (pa < pc && pb > pd) || (pa > pc && pb < pd) {
                    naive += 1;
                }
            }
        }
        assert_eq!(count_between(&l, 0, &pos), naive);
        assert!(naive > 0);
    }

    #[test]
    fn sweeps_never_make_it_worse() {
        let mut l = two_layers(3, 3, &[(0, 5), (1, 4), (2, 3)]);
        let before = count_all(&l, &l.positions());
        assert_eq!(before, 3);
        let after = reduce_crossings(&mut l, 4);
        assert_eq!(after, 0);
    }
}
