#!/usr/bin/env python3
"""The no-op DAG of benches/exec_scale.rs, run on Dask's local threaded scheduler.

The graph is the one the Rust benchmark builds, edge for edge: the same generator
(splitmix64 from the same seed, the same draws in the same order). Every task is a
function that returns None. Timed: `dask.threaded.get(graph, sinks)`, which includes
Dask's own ordering and bookkeeping of the graph, not building the dict (as the Rust
side times the executor, not `Workflow::build`).

Prints one JSON line: nodes, edges, seconds (the fastest run), µs per node.

    python3 benches/dask_noop.py [N] [--shape layered|wide] [--runs R] [--workers W]

N defaults to 100,000 (Dask takes tens of µs per task; 1,000,000 works but is slow).
Install Dask with `scripts/bench-venv.sh` (into target/bench-venv) or `pip install dask`.
"""

import argparse
import json
import platform
import sys
import time

MASK = (1 << 64) - 1
WIDTH = 1000
SEED = 0x5EED


class Rng:
    """splitmix64, as in the Rust benchmarks: the same seed gives the same graph."""

    def __init__(self, seed):
        self.state = seed & MASK

    def below(self, n):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return (z ^ (z >> 31)) % n


def layered(n, width=WIDTH, seed=SEED):
    """Layers of `width` nodes; a node waits for the node at its position in the previous
    layer and, half the time, for one more node of that layer drawn at random."""
    width = min(width, max(1, n // 2))
    rng = Rng(seed)
    deps = []
    for i in range(n):
        if i < width:
            deps.append(())
            continue
        same = i - width
        if rng.below(2) == 0:
            other = (i // width - 1) * width + rng.below(width)
            if other != same:
                deps.append((same, other))
                continue
        deps.append((same,))
    return deps


def wide(n):
    """One root that every other node waits for: all but one node ready at once."""
    return [()] + [(0,)] * (n - 1)


def noop(*_inputs):
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("nodes", nargs="?", type=int, default=100_000)
    parser.add_argument("--shape", choices=["layered", "wide"], default="layered")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--workers", type=int, default=None, help="Dask's thread pool size (default: cores)"
    )
    args = parser.parse_args()
    try:
        import dask
        import dask.threaded
    except ImportError:
        print(
            "dask is not installed: run scripts/bench-venv.sh (creates target/bench-venv) "
            "or `pip install dask`",
            file=sys.stderr,
        )
        return 3
    if args.nodes < 2:
        parser.error("N must be at least 2")

    deps = layered(args.nodes) if args.shape == "layered" else wide(args.nodes)
    keys = [f"n{i}" for i in range(args.nodes)]
    has_successor = [False] * args.nodes
    graph = {}
    for i, ds in enumerate(deps):
        for d in ds:
            has_successor[d] = True
        graph[keys[i]] = (noop, *(keys[d] for d in ds))
    sinks = [keys[i] for i in range(args.nodes) if not has_successor[i]]
    edges = sum(len(ds) for ds in deps)

    seconds = []
    for _ in range(max(1, args.runs)):
        start = time.perf_counter()
        dask.threaded.get(graph, sinks, num_workers=args.workers)
        seconds.append(time.perf_counter() - start)
    best = min(seconds)
    print(
        json.dumps(
            {
                "scheduler": "dask.threaded.get",
                "dask": dask.__version__,
                "python": platform.python_version(),
                "shape": args.shape,
                "nodes": args.nodes,
                "edges": edges,
                "workers": args.workers,
                "runs": len(seconds),
                "seconds": best,
                "seconds_all": seconds,
                "us_per_node": best / args.nodes * 1e6,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
