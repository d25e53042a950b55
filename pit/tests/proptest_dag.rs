//! Property tests of validation: random DAGs are clean, a back edge makes exactly one cycle
//! error naming a real cycle, cycle errors match a simple reference, and random mutations of
//! a file never panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::needless_range_loop)] // the reference closure reads best as matrix code

use std::collections::HashSet;

use pit::dag::{
    EdgeKind, EdgeSpec, NodeKind, NodeSpec, PortSpec, PortType, ValidationError, Workflow,
    WorkflowFile, validate,
};
use proptest::prelude::*;

fn id(i: usize) -> String {
    format!("n{i}")
}

/// A DAG: every node after the first has a parent before it, plus extra forward edges.
#[derive(Debug, Clone)]
struct Dag {
    n: usize,
    edges: Vec<(usize, usize, EdgeKind)>,
}

fn dag() -> impl Strategy<Value = Dag> {
    (2usize..60).prop_flat_map(|n| {
        let parents = (1..n).map(|j| (0..j, any::<bool>())).collect::<Vec<_>>();
        let extra = proptest::collection::vec((0..n, 0..n, any::<bool>()), 0..3 * n);
        (Just(n), parents, extra).prop_map(|(n, parents, extra)| {
            let mut seen = HashSet::new();
            let mut edges = Vec::new();
            let kind = |data: bool| {
                if data {
                    EdgeKind::Data
                } else {
                    EdgeKind::Control
                }
            };
            let pairs = parents
                .into_iter()
                .enumerate()
                .map(|(j, (p, data))| (p, j + 1, data));
            let extra = extra
                .into_iter()
                .filter(|(a, b, _)| a != b)
                .map(|(a, b, data)| (a.min(b), a.max(b), data));
            for (from, to, data) in pairs.chain(extra) {
                if seen.insert((from, to, data)) {
                    edges.push((from, to, kind(data)));
                }
            }
            Dag { n, edges }
        })
    })
}

fn file_of(n: usize, edges: &[(usize, usize, EdgeKind)]) -> WorkflowFile {
    let mut file = WorkflowFile::default();
    for i in 0..n {
        let mut node = NodeSpec::new(id(i), NodeKind::Operator);
        node.outputs.push(PortSpec::new("out", PortType::Any));
        let mut input = PortSpec::new("in", PortType::Any);
        input.required = false;
        node.inputs.push(input);
        file.nodes.push(node);
    }
    for &(from, to, kind) in edges {
        file.edges.push(EdgeSpec::new(id(from), id(to), kind));
    }
    file
}

fn assert_topological(wf: &Workflow) {
    let mut position = vec![usize::MAX; wf.node_count()];
    for (i, node) in wf.topological_order().iter().enumerate() {
        assert_eq!(
            position[node.index()],
            usize::MAX,
            "a node twice in the order"
        );
        position[node.index()] = i;
    }
    for node in wf.nodes() {
        for &next in wf.successors(node) {
            assert!(position[node.index()] < position[next.index()]);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_dags_validate_clean(dag in dag()) {
        let wf = Workflow::build(&file_of(dag.n, &dag.edges));
        let wf = wf.map_err(|report| TestCaseError::fail(report.to_string()))?;
        prop_assert_eq!(wf.edge_count(), dag.edges.len());
        assert_topological(&wf);
    }

    #[test]
    fn a_back_edge_makes_exactly_one_real_cycle(dag in dag(), pick in any::<prop::sample::Index>(), steps in 1usize..10) {
        // Walk up from a node along first parents to find an ancestor, then close the loop.
        let mut parent = vec![None; dag.n];
        for &(from, to, _) in &dag.edges {
            parent[to].get_or_insert(from);
        }
        let v = 1 + pick.index(dag.n - 1);
        let mut u = v;
        for _ in 0..steps {
            match parent[u] {
                Some(p) => u = p,
                None => break,
            }
        }
        prop_assume!(u != v);
        let mut edges = dag.edges.clone();
        edges.push((v, u, EdgeKind::Control));
        let report = validate(&file_of(dag.n, &edges));
        prop_assert_eq!(report.codes(), vec!["cycle"]);
        let ValidationError::Cycle { path, .. } = &report.errors()[0] else { unreachable!() };
        prop_assert!(path.len() >= 3);
        prop_assert_eq!(path.first(), path.last());
        let distinct: HashSet<_> = path[1..].iter().collect();
        prop_assert_eq!(distinct.len(), path.len() - 1, "a cycle visits each node once");
        let set: HashSet<(String, String)> =
            edges.iter().map(|&(a, b, _)| (id(a), id(b))).collect();
        for pair in path.windows(2) {
            let hop = (pair[0].as_str().to_owned(), pair[1].as_str().to_owned());
            prop_assert!(set.contains(&hop), "{:?} is not an edge", hop);
        }
        prop_assert!(path.iter().any(|n| n.as_str() == id(v)) && path.iter().any(|n| n.as_str() == id(u)));
    }

    #[test]
    fn cycle_errors_match_a_reference(n in 1usize..25, raw in proptest::collection::vec((0usize..25, 0usize..25), 0..60)) {
        let edges: Vec<_> = raw
            .into_iter()
            .map(|(a, b)| (a % n, b % n))
            .filter(|(a, b)| a != b)
            .collect::<HashSet<_>>()
            .into_iter()
            .map(|(a, b)| (a, b, EdgeKind::Control))
            .collect();
        // Reference: reachability by repeated relaxation; i and j share a cycle iff each reaches the other.
        let mut reach = vec![vec![false; n]; n];
        for &(a, b, _) in &edges {
            reach[a][b] = true;
        }
        for k in 0..n {
            for i in 0..n {
                if reach[i][k] {
                    for j in 0..n {
                        if reach[k][j] {
                            reach[i][j] = true;
                        }
                    }
                }
            }
        }
        let mut leaders = HashSet::new();
        for i in 0..n {
            if reach[i][i] {
                let leader = (0..n).find(|&j| reach[i][j] && reach[j][i]).unwrap();
                leaders.insert(leader);
            }
        }
        let report = validate(&file_of(n, &edges));
        let cycles = report.codes().iter().filter(|&&c| c == "cycle").count();
        prop_assert_eq!(cycles, leaders.len(), "{}", report);
    }

    #[test]
    fn random_mutations_never_panic(dag in dag(), mutations in proptest::collection::vec((0u8..10, any::<prop::sample::Index>(), "[a-z0-9 ]{0,4}"), 0..12)) {
        let mut file = file_of(dag.n, &dag.edges);
        for (what, at, text) in mutations {
            let e = at.index(file.edges.len().max(1));
            let v = at.index(file.nodes.len().max(1));
            match (what, file.edges.get_mut(e)) {
                (0, Some(edge)) => edge.from = format!("n{text}").into(),
                (1, Some(edge)) => edge.to = text.into(),
                (2, Some(edge)) => edge.from_port = Some(text.into()),
                (3, Some(edge)) => edge.to_port = Some("out".into()),
                (4, Some(edge)) => {
                    edge.kind = EdgeKind::Conditional;
                    edge.condition = (!text.is_empty()).then_some(text);
                }
                (5, Some(edge)) => std::mem::swap(&mut edge.from, &mut edge.to),
                (6, _) if !file.nodes.is_empty() => { file.nodes.remove(v); }
                (7, _) if !file.nodes.is_empty() => file.nodes[v].id = format!("n{text}").into(),
                (8, _) if !file.nodes.is_empty() => {
                    file.nodes[v].fallback = Some(format!("n{text}").into());
                }
                (9, _) if !file.nodes.is_empty() => {
                    file.nodes[v].inputs.push(PortSpec::new("in", PortType::Text));
                    file.nodes[v].kind = NodeKind::Output;
                }
                _ => {}
            }
        }
        match Workflow::build(&file) {
            Ok(wf) => assert_topological(&wf),
            Err(report) => {
                prop_assert!(!report.is_empty());
                for error in report.errors() {
                    prop_assert!(!error.to_string().is_empty());
                    prop_assert!(!error.code().is_empty());
                }
            }
        }
    }
}
