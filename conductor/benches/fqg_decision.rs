//! The cost of one decision in the Function Quest Game, on level-20 held-out puzzles at their
//! start state: the learned policy (features for every valid call + the MLP) against, in the
//! same run, the two things it replaces — the exact planner's search for an optimal plan, and
//! the bare `h_FF` rule — and against one environment step (the floor).
//!
//! Run: `cargo bench -p conductor --bench fqg_decision`.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::hint::black_box;
use std::sync::Arc;

use conductor::fqg::agent::{Agent, RelaxedPlanAgent};
use conductor::fqg::generator::{Split, generate};
use conductor::fqg::policy::{PolicyAgent, checked_in};
use conductor::fqg::{Env, Planner};
use criterion::{Criterion, criterion_group, criterion_main};

fn envs() -> Vec<Env> {
    (0..16)
        .map(|i| {
            Env::new(Arc::new(
                generate(20, i, Split::Heldout).expect("generates"),
            ))
        })
        .collect()
}

fn decision(c: &mut Criterion) {
    let envs = envs();
    let policy = checked_in().expect("the checked-in policy loads");
    let mut group = c.benchmark_group("fqg_decision_level20");
    group.sample_size(20);
    group.bench_function("policy (features + MLP)", |b| {
        let mut agent = PolicyAgent::greedy(&policy);
        b.iter(|| {
            for env in &envs {
                black_box(agent.act(env));
            }
        });
    });
    group.bench_function("baseline: exact planner (A*)", |b| {
        b.iter(|| {
            for env in &envs {
                black_box(Planner::new(env.puzzle()).plan(env.state()));
            }
        });
    });
    group.bench_function("baseline: h_FF rule", |b| {
        let mut agent = RelaxedPlanAgent;
        b.iter(|| {
            for env in &envs {
                black_box(agent.act(env));
            }
        });
    });
    group.bench_function("floor: one env step", |b| {
        b.iter(|| {
            for env in &envs {
                let mut env = env.clone();
                let action = env.valid_actions()[0];
                black_box(env.step(action));
            }
        });
    });
    group.finish();
}

criterion_group!(benches, decision);
criterion_main!(benches);
