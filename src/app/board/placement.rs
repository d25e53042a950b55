//! x positions within the layers: each item is pulled towards the mean of its neighbours'
//! centres, alternately above and below, and the layer is then placed as close to those
//! wishes as its order and spacing allow (least squares under "no overlap": isotonic
//! regression by pool-adjacent-violators, exact and linear).

use super::layout::{Layered, LayoutOptions};

/// Passes of pulling (each one down and one up).
const PASSES: usize = 4;

/// Each item's left column (real nodes are `node_width` wide, dummies one column).
pub(super) fn x_positions(l: &Layered, o: &LayoutOptions) -> Vec<u32> {
    let width = |item: u32| {
        if (item as usize) < l.real {
            i64::from(o.node_width)
        } else {
            1
        }
    };
    let mut x = vec![0i64; l.layer.len()];
    for row in &l.rows {
        let mut at = 0;
        for &item in row {
            x[item as usize] = at;
            at += width(item) + i64::from(o.gap);
        }
    }
    let centre = |x: &[i64], item: u32| x[item as usize] as f64 + (width(item) / 2) as f64;
    for _ in 0..PASSES {
        for (rows, neighbours) in [
            (l.rows.iter().collect::<Vec<_>>(), &l.up),
            (l.rows.iter().rev().collect::<Vec<_>>(), &l.down),
        ] {
            for row in rows {
                let wish: Vec<f64> = row
                    .iter()
                    .map(|&item| {
                        let ns = &neighbours[item as usize];
                        let c = if ns.is_empty() {
                            centre(&x, item)
                        } else {
                            ns.iter().map(|&n| centre(&x, n)).sum::<f64>() / ns.len() as f64
                        };
                        c - (width(item) / 2) as f64
                    })
                    .collect();
                let seps: Vec<i64> = row
                    .iter()
                    .map(|&item| width(item) + i64::from(o.gap))
                    .collect();
                for (&item, left) in row.iter().zip(place(&wish, &seps)) {
                    x[item as usize] = left;
                }
            }
        }
    }
    let min = x.iter().copied().min().unwrap_or(0);
    x.iter().map(|&v| (v - min) as u32).collect()
}

/// Lefts as close as possible (least squares) to `wish`, with item `i + 1` at least
/// `seps[i]` to the right of item `i`.
fn place(wish: &[f64], seps: &[i64]) -> Vec<i64> {
    let mut offset = Vec::with_capacity(wish.len());
    let mut at = 0i64;
    for (i, _) in wish.iter().enumerate() {
        offset.push(at);
        at += seps[i];
    }
    // Blocks of (sum, count): the fitted value of a block is its mean.
    let mut blocks: Vec<(f64, usize)> = Vec::with_capacity(wish.len());
    for (w, &off) in wish.iter().zip(&offset) {
        let mut block = (w - off as f64, 1usize);
        while let Some(&(sum, count)) = blocks.last() {
            if sum / count as f64 > block.0 / block.1 as f64 {
                blocks.pop();
                block = (block.0 + sum, block.1 + count);
            } else {
                break;
            }
        }
        blocks.push(block);
    }
    let mut out = Vec::with_capacity(wish.len());
    for (sum, count) in blocks {
        // Rounding is monotone, so the spacing survives it.
        let z = (sum / count as f64).round() as i64;
        for _ in 0..count {
            out.push(z + offset[out.len()]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::place;

    #[test]
    fn wishes_that_fit_are_granted() {
        assert_eq!(place(&[0.0, 10.0, 30.0], &[5, 5, 5]), [0, 10, 30]);
    }

    #[test]
    fn colliding_wishes_are_spread_around_their_mean() {
        // Both want 10; 4 apart at least: 8 and 12.
        assert_eq!(place(&[10.0, 10.0], &[4, 4]), [8, 12]);
        let placed = place(&[5.0, 1.0, 3.0], &[2, 2, 2]);
        assert!(placed.windows(2).all(|w| w[1] - w[0] >= 2));
    }
}
