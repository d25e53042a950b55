//! Training: CI's tiny curriculum learns to beat the random baseline by a wide margin on
//! held-out puzzles; a seed fixes the weights; a saved policy loads back the same.

use conductor::fqg::eval::{EvalConfig, EvalSplit, evaluate};
use conductor::fqg::policy::Policy;
use conductor::fqg::train::{TrainConfig, train};

/// CI's configuration: levels 1–10 (the trap appears at 9), at most 20 updates each.
fn tiny() -> TrainConfig {
    TrainConfig {
        levels: 1..=10,
        max_iterations_per_level: 20,
        ..TrainConfig::default()
    }
}

#[test]
fn a_tiny_curriculum_beats_random_and_the_untrained_net_on_heldout_puzzles() {
    let (policy, report) = train(&tiny(), &mut |_| {}).expect("trains");
    assert_eq!(report.levels.len(), 10);
    let config = EvalConfig {
        split: EvalSplit::Heldout,
        levels: 1..=12,
        episodes: 16,
        seed: 1,
    };
    let eval = evaluate(&policy, &config, &mut |_, _| {}).expect("evaluates");
    let untrained =
        evaluate(&Policy::new(0).expect("init"), &config, &mut |_, _| {}).expect("evaluates");
    let o = &eval.overall;
    assert!(o.policy.completion >= 0.9, "{:?}", o.policy);
    // The relaxed-plan rule walks into the traps of levels 9+; the policy must have learned not to.
    assert!(
        o.policy.completion >= o.relaxed_plan.completion + 0.05,
        "{:?} vs {:?}",
        o.policy,
        o.relaxed_plan
    );
    assert!(
        o.policy.completion >= o.random.completion + 0.3,
        "{:?} vs {:?}",
        o.policy,
        o.random
    );
    assert!(
        o.policy.efficiency >= o.random.efficiency + 0.4,
        "{:?} vs {:?}",
        o.policy,
        o.random
    );
    assert!(
        o.policy.efficiency > untrained.overall.policy.efficiency + 0.3,
        "training taught nothing"
    );
}

#[test]
fn a_seed_fixes_the_trained_weights() {
    let config = TrainConfig {
        levels: 1..=3,
        max_iterations_per_level: 3,
        ..TrainConfig::default()
    };
    let (a, _) = train(&config, &mut |_| {}).expect("trains");
    let (b, _) = train(&config, &mut |_| {}).expect("trains");
    let (c, _) = train(&TrainConfig { seed: 9, ..config }, &mut |_| {}).expect("trains");
    assert_eq!(a.flat().expect("reads"), b.flat().expect("reads"));
    assert_ne!(a.flat().expect("reads"), c.flat().expect("reads"));
}

#[test]
fn a_saved_policy_loads_back_identical() {
    let policy = Policy::new(42).expect("init");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("p.safetensors");
    policy.save(&path).expect("saves");
    let loaded = Policy::load(&path).expect("loads");
    assert_eq!(policy.flat().expect("reads"), loaded.flat().expect("reads"));
    std::fs::write(&path, b"not a policy").expect("writes");
    let error = Policy::load(&path)
        .expect_err("garbage is refused")
        .to_string();
    assert!(
        error.contains("p.safetensors") && error.contains("safetensors"),
        "{error}"
    );
}
