//! Model-based test of the executor: random DAGs with random dependency kinds, retries,
//! failure policies, fallbacks and injected faults, run with a random number of workers,
//! against a simple sequential reference executor. Same final states, every dependency
//! respected, no node running twice at once, never more attempts at once than workers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pit::dag::{
    Dependency, EdgeKind, EdgeSpec, NodeIx, NodeKind, NodeSpec, OnFailure, RunnerName, Workflow,
    WorkflowFile,
};
use pit::exec::{
    ExecOptions, Executor, NodeContext, NodeRunner, NodeState, RunError, RunFuture, RunnerRegistry,
    WorkflowState,
};
use proptest::prelude::*;

/// What one attempt does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Ok,
    Retryable,
    Fatal,
}

#[derive(Debug, Clone)]
struct Behaviour {
    retries: u32,
    on_failure: OnFailure,
    /// Attempt `a` does `faults[a - 1]`; attempts past the end succeed.
    faults: Vec<Fault>,
    ms: u64,
}

#[derive(Debug, Clone)]
struct Case {
    /// Owners `0..n`; `fallbacks[i]` is owner i's fallback, if any (nodes `n..`).
    n: usize,
    owners: Vec<Behaviour>,
    fallbacks: Vec<Option<Behaviour>>,
    edges: Vec<(usize, usize, Dependency)>,
    workers: usize,
    /// Pause (odd positions resume) after these many milliseconds each; outcomes must not
    /// change.
    pauses: Vec<u64>,
}

fn behaviour(can_fallback: bool) -> impl Strategy<Value = Behaviour> {
    let fault = prop_oneof![
        3 => Just(Fault::Ok),
        2 => Just(Fault::Retryable),
        1 => Just(Fault::Fatal),
    ];
    let policies: usize = if can_fallback { 3 } else { 2 };
    (
        0u32..3,
        0..policies,
        proptest::collection::vec(fault, 0..4),
        0u64..5,
    )
        .prop_map(|(retries, policy, faults, ms)| Behaviour {
            retries,
            on_failure: [OnFailure::Fail, OnFailure::Skip, OnFailure::Fallback][policy],
            faults,
            ms,
        })
}

fn dependency() -> impl Strategy<Value = Dependency> {
    prop_oneof![
        2 => Just(Dependency::Hard),
        1 => Just(Dependency::Soft),
        1 => Just(Dependency::Optional),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    (2usize..30).prop_flat_map(|n| {
        let owners = proptest::collection::vec(behaviour(true), n);
        let fallbacks = proptest::collection::vec(behaviour(false), n);
        let parents = (1..n).map(|j| (0..j, dependency())).collect::<Vec<_>>();
        let extra = proptest::collection::vec((0..n, 0..n, dependency()), 0..2 * n);
        let pauses = proptest::collection::vec(0u64..20, 0..6);
        (
            Just(n),
            owners,
            fallbacks,
            parents,
            extra,
            1usize..6,
            pauses,
        )
            .prop_map(|(n, owners, fallbacks, parents, extra, workers, pauses)| {
                let mut seen = std::collections::HashSet::new();
                let mut edges = Vec::new();
                let parents = parents
                    .into_iter()
                    .enumerate()
                    .map(|(j, (p, d))| (p, j + 1, d));
                let extra = extra
                    .into_iter()
                    .filter(|(a, b, _)| a != b)
                    .map(|(a, b, d)| (a.min(b), a.max(b), d));
                for (from, to, d) in parents.chain(extra) {
                    if seen.insert((from, to)) {
                        edges.push((from, to, d));
                    }
                }
                let fallbacks = owners
                    .iter()
                    .zip(fallbacks)
                    .map(|(o, f)| (o.on_failure == OnFailure::Fallback).then_some(f))
                    .collect();
                Case {
                    n,
                    owners,
                    fallbacks,
                    edges,
                    workers,
                    pauses,
                }
            })
    })
}

impl Case {
    /// Every node's behaviour by index: owners, then fallbacks in owner order.
    fn behaviours(&self) -> Vec<Behaviour> {
        let fallbacks = self.fallbacks.iter().flatten().cloned();
        self.owners.iter().cloned().chain(fallbacks).collect()
    }

    /// Owner i's fallback's node index.
    fn fallback_ix(&self) -> Vec<Option<usize>> {
        let mut next = self.n;
        self.fallbacks
            .iter()
            .map(|f| {
                f.as_ref().map(|_| {
                    next += 1;
                    next - 1
                })
            })
            .collect()
    }

    fn file(&self) -> WorkflowFile {
        let mut file = WorkflowFile::default();
        let fallback_ix = self.fallback_ix();
        for (i, b) in self.behaviours().iter().enumerate() {
            let mut node = NodeSpec::new(format!("n{i}"), NodeKind::Operator);
            node.runner = Some(RunnerName::new("fault"));
            node.retries = b.retries;
            node.backoff = Some(pit::dag::HumanDuration(Duration::from_millis(7)));
            node.on_failure = Some(b.on_failure);
            if let Some(Some(f)) = fallback_ix.get(i) {
                node.fallback = Some(format!("n{f}").into());
            }
            file.nodes.push(node);
        }
        for &(from, to, d) in &self.edges {
            let mut edge = EdgeSpec::new(format!("n{from}"), format!("n{to}"), EdgeKind::Control);
            edge.dependency = d;
            file.edges.push(edge);
        }
        file
    }

    /// The sequential reference: nodes in index order (a topological order here).
    fn reference(&self) -> Vec<NodeState> {
        let behaviours = self.behaviours();
        let fallback_ix = self.fallback_ix();
        let mut state = vec![NodeState::Skipped; behaviours.len()];
        let succeeds = |b: &Behaviour| {
            for attempt in 0..=b.retries as usize {
                match b.faults.get(attempt).copied().unwrap_or(Fault::Ok) {
                    Fault::Ok => return true,
                    Fault::Fatal => return false,
                    Fault::Retryable => {}
                }
            }
            false
        };
        for node in 0..self.n {
            let blocked = self.edges.iter().any(|&(from, to, d)| {
                to == node && d == Dependency::Hard && state[from] != NodeState::Completed
            });
            if blocked {
                continue;
            }
            let mut at = node;
            state[node] = loop {
                let b = &behaviours[at];
                if succeeds(b) {
                    state[at] = NodeState::Completed;
                    break NodeState::Completed;
                }
                match b.on_failure {
                    OnFailure::Fail => {
                        state[at] = NodeState::Failed;
                        break NodeState::Failed;
                    }
                    OnFailure::Skip => break NodeState::Skipped,
                    OnFailure::Fallback => at = fallback_ix[at].unwrap(),
                }
            };
        }
        state
    }
}

/// Runs the attempts the case prescribes and logs starts and ends as (owner, start?).
#[derive(Debug)]
struct FaultRunner {
    behaviours: Vec<Behaviour>,
    log: Arc<Mutex<Vec<(NodeIx, bool)>>>,
}

impl NodeRunner for FaultRunner {
    fn run(&self, ctx: NodeContext) -> RunFuture {
        let b = &self.behaviours[ctx.node().index()];
        let fault = b
            .faults
            .get(ctx.attempt() as usize - 1)
            .copied()
            .unwrap_or(Fault::Ok);
        let (ms, owner, log) = (b.ms, ctx.owner(), self.log.clone());
        Box::pin(async move {
            log.lock().unwrap().push((owner, true));
            tokio::time::sleep(Duration::from_millis(ms)).await;
            log.lock().unwrap().push((owner, false));
            match fault {
                Fault::Ok => Ok(Default::default()),
                Fault::Retryable => Err(RunError::retryable("injected")),
                Fault::Fatal => Err(RunError::fatal("injected")),
            }
        })
    }
}

fn check(case: &Case) -> Result<(), TestCaseError> {
    let wf = Arc::new(Workflow::build(&case.file()).expect("the generated file is valid"));
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut registry = RunnerRegistry::empty();
    let runner = FaultRunner {
        behaviours: case.behaviours(),
        log: log.clone(),
    };
    registry.register("fault", runner);
    let options = ExecOptions {
        workers: case.workers,
        ..ExecOptions::default()
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    let report = runtime.block_on(async {
        let (handle, _events) = Executor::new(registry, options).start(wf.clone());
        let control = handle.control();
        let pauses = case.pauses.clone();
        let commands = tokio::spawn(async move {
            for (i, ms) in pauses.into_iter().enumerate() {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                let sent = if i % 2 == 0 {
                    control.pause()
                } else {
                    control.resume()
                };
                if sent.is_err() {
                    return;
                }
            }
            let _ = control.resume();
        });
        let report = handle.wait().await.unwrap();
        commands.await.unwrap();
        report
    });
    let expected = case.reference();
    prop_assert_eq!(&report.nodes, &expected);
    let failed = expected.contains(&NodeState::Failed);
    let state = if failed {
        WorkflowState::Failed
    } else {
        WorkflowState::Completed
    };
    prop_assert_eq!(report.state, state);

    // Replay the log: positions of each owner's first start and last end.
    let log = log.lock().unwrap();
    let (mut first_start, mut last_end) = (HashMap::new(), HashMap::new());
    let mut running: HashMap<NodeIx, bool> = HashMap::new();
    let (mut now, mut most) = (0usize, 0usize);
    for (position, &(owner, start)) in log.iter().enumerate() {
        if start {
            first_start.entry(owner).or_insert(position);
            let was = running.insert(owner, true).unwrap_or(false);
            prop_assert!(!was, "{:?} runs twice at once", owner);
            now += 1;
            most = most.max(now);
        } else {
            last_end.insert(owner, position);
            running.insert(owner, false);
            now -= 1;
        }
    }
    prop_assert!(
        most <= case.workers,
        "{} at once with {} workers",
        most,
        case.workers
    );
    for &(from, to, _) in &case.edges {
        let (from, to) = (NodeIx(from as u32), NodeIx(to as u32));
        if let (Some(end), Some(start)) = (last_end.get(&from), first_start.get(&to)) {
            prop_assert!(end < start, "{:?} started before {:?} ended", to, from);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_executor_agrees_with_the_sequential_reference(case in case()) {
        check(&case)?;
    }
}
