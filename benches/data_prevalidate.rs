//! Pre-validation of OFB requests (`symphony::data::prevalidate`) against a plain serde_json
//! parse of the same payload into the same type, the least any client must do with a request
//! it reads. Target ≤5 µs per typical request (the issue; the seed asked for under 1 ms).
//!
//! Requests: the seed's one-step `POST /workflows`, a typical ten-step workflow, a 100-step one,
//! and a run update with 20 node results.
//!
//! Run: `cargo bench --bench data_prevalidate`.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use serde::de::DeserializeOwned;
use symphony::data::prevalidate::Prevalidate;
use symphony::ports::data_access::*;

use support::{Stats, Table, Target, Value, count};

const TARGET: Duration = Duration::from_micros(5);

fn workflow(steps: usize) -> NewWorkflow {
    NewWorkflow {
        spec: WorkflowSpec {
            name: "release pipeline".into(),
            steps: (0..steps)
                .map(|i| Step {
                    name: format!("step-{i:03} compile and test"),
                    command: "cargo".into(),
                })
                .collect(),
        },
        user_id: UserId(2),
        project_id: ProjectId(1),
        estimated_cost: 12.5,
    }
}

fn run_update(nodes: usize) -> RunStatusUpdate {
    RunStatusUpdate {
        state: Some(RunState::Running),
        nodes: (0..nodes)
            .map(|i| NodeResult {
                name: format!("step-{i:03}"),
                state: NodeState::Completed,
                duration_ms: Some(1200 + i as u64),
                message: Some("ok: 214 tests passed".into()),
            })
            .collect(),
    }
}

/// Time per call of `f`, in `samples` samples of `batch` calls each.
fn per_call(samples: usize, batch: usize, mut f: impl FnMut()) -> Stats {
    let mut out = Vec::with_capacity(samples);
    for _ in 0..samples {
        let start = Instant::now();
        for _ in 0..batch {
            f();
        }
        out.push(start.elapsed() / batch as u32);
    }
    Stats::of(&out)
}

struct Measured {
    validate: Stats,
    parse: Stats,
}

fn measure<T: Prevalidate + serde::Serialize + DeserializeOwned>(
    what: &str,
    request: &T,
) -> Measured {
    let json = serde_json::to_string(request).unwrap();
    request
        .prevalidate()
        .expect("the benchmark's requests are valid");
    let (samples, batch) = (count(200, 3), count(2000, 10));
    let validate = per_call(samples, batch, || {
        black_box(black_box(request).prevalidate()).unwrap();
    });
    let parse = per_call(samples, batch, || {
        black_box(serde_json::from_str::<T>(black_box(&json)).unwrap());
    });
    validate.line(&format!("{what}: prevalidate ({} bytes)", json.len()));
    parse.line(&format!("{what}: serde_json parse (baseline)"));
    Measured { validate, parse }
}

fn main() {
    let seed = workflow(1);
    let typical = workflow(10);
    let large = workflow(100);
    let update = run_update(20);

    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    {
        let json = serde_json::to_string(&typical).unwrap();
        let mut group = criterion.benchmark_group("prevalidate_workflow_10_steps");
        group.bench_function("prevalidate", |b| {
            b.iter(|| black_box(&typical).prevalidate())
        });
        group.bench_function("baseline_serde_json_parse", |b| {
            b.iter(|| serde_json::from_str::<NewWorkflow>(black_box(&json)).unwrap())
        });
        group.finish();
    }
    criterion.final_summary();

    println!();
    let rows = [
        (
            "seed workflow (1 step)",
            measure("seed", &seed),
            Target::AtMost(TARGET),
        ),
        (
            "typical workflow (10 steps)",
            measure("typical", &typical),
            Target::AtMost(TARGET),
        ),
        (
            "large workflow (100 steps)",
            measure("large", &large),
            Target::None,
        ),
        (
            "run update (20 nodes)",
            measure("run update", &update),
            Target::AtMost(TARGET),
        ),
    ];
    let mut table = Table::default();
    for (what, m, target) in rows {
        table.row(
            &format!("prevalidate {what}, p50"),
            Value::Time(m.validate.p50),
            "serde_json parse of the same JSON",
            Value::Time(m.parse.p50),
            target,
        );
        table.row(
            &format!("prevalidate {what}, p99"),
            Value::Time(m.validate.p99),
            "serde_json parse of the same JSON",
            Value::Time(m.parse.p99),
            target,
        );
    }
    table.print("Pre-validation of OFB requests");
}
