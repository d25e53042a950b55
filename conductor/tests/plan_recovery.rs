//! Plans compiled and run on the real DAG Tracker: checks refuse bad plans by name, the
//! recovery of each importance (retries with reduced parameters, fallback to another
//! provider, skip, halt, compensation), and the reliability target: 3–5-step plans over an
//! Operator that fails transiently 20% of the time complete at least 99% of 200 runs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use conductor::plan::{
    Capability, CapabilityId, Catalog, Importance, Plan, PlanError, ProviderId, RecoveryPolicy,
    Step, StepId, Undo, compensation, compile, params_for_attempt,
};
use pit::dag::Workflow;
use pit::exec::{
    ExecOptions, Executor, NodeContext, NodeOutput, NodeRunner, NodeState, RunError, RunFuture,
    RunReport, RunnerRegistry, WorkflowState,
};
use serde_json::{Map, Value, json};

fn capability(id: &str, provider: &str) -> Capability {
    Capability::new(
        CapabilityId::new(id).unwrap(),
        ProviderId::new(provider).unwrap(),
        id.rsplit('.').next().unwrap(),
        format!("{id} by {provider}"),
    )
}

fn step(id: &str, capability: &str, after: &[&str], importance: Importance) -> Step {
    Step {
        id: StepId::new(id).unwrap(),
        capability: CapabilityId::new(capability).unwrap(),
        params: Map::new(),
        after: after.iter().map(|a| StepId::new(a).unwrap()).collect(),
        importance,
        undo: None,
    }
}

fn catalog() -> Catalog {
    Catalog::new(vec![
        capability("text.fetch", "flaky-ops"),
        capability("text.clean", "flaky-ops"),
        capability("text.summarise", "flaky-ops"),
        capability("text.summarise", "steady-ops"),
        capability("text.tag", "flaky-ops"),
        capability("text.publish", "flaky-ops"),
        capability("text.unpublish", "steady-ops"),
    ])
}

/// A fast policy for tests: the same tactics, backoffs of 1 ms.
fn policy() -> RecoveryPolicy {
    let mut policy = RecoveryPolicy::default();
    for tactics in [
        &mut policy.essential,
        &mut policy.recommended,
        &mut policy.optional,
    ] {
        tactics.backoff_ms = 1;
    }
    policy
}

/// One call an operator received: node, attempt, parameters.
type Call = (String, u32, Map<String, Value>);

/// An extension runner that fails (retryably) as a deterministic function of the call, or
/// as told per method; it records every call with its parameters.
#[derive(Debug, Default)]
struct Operator {
    /// The percentage of calls that fail, chosen by a hash of (seed, node, attempt).
    fail_percent: u64,
    seed: u64,
    /// Methods that always fail.
    broken: Vec<String>,
    calls: Mutex<Vec<Call>>,
}

impl NodeRunner for Operator {
    fn run(&self, ctx: NodeContext) -> RunFuture {
        let params = params_for_attempt(ctx.params(), ctx.attempt());
        let method = params["method"].as_str().unwrap_or_default().to_owned();
        self.calls
            .lock()
            .unwrap()
            .push((ctx.id().to_string(), ctx.attempt(), params.clone()));
        let roll = splitmix(self.seed ^ hash(ctx.id().as_str()) ^ u64::from(ctx.attempt()) << 40);
        let fails = self.broken.contains(&method) || roll % 100 < self.fail_percent;
        Box::pin(async move {
            if fails {
                Err(RunError::retryable(format!("{method}: transient failure")))
            } else {
                Ok(NodeOutput {
                    value: Some(json!(method)),
                })
            }
        })
    }
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

async fn run(
    plan: &Plan,
    flaky: Arc<Operator>,
    steady: Arc<Operator>,
) -> (Arc<Workflow>, RunReport) {
    let file = compile(plan, &catalog(), &policy()).unwrap();
    let wf = Arc::new(Workflow::build(&file).unwrap());
    let mut registry = RunnerRegistry::with_builtins(1.0);
    registry.register_arc("flaky-ops", flaky);
    registry.register_arc("steady-ops", steady);
    let executor = Executor::new(registry, ExecOptions::default());
    let (handle, _events) = executor.start(wf.clone());
    (wf, handle.wait().await.unwrap())
}

fn state_of(wf: &Workflow, report: &RunReport, id: &str) -> NodeState {
    report.node(wf.lookup(id).unwrap())
}

#[test]
fn bad_plans_are_refused_naming_the_step() {
    let catalog = catalog();
    let plan = |steps| Plan {
        intent: "t".to_owned(),
        steps,
        input: None,
    };
    let e = plan(vec![]).check(&catalog).unwrap_err();
    assert_eq!(e, PlanError::Empty);
    let e = plan(vec![
        step("a", "text.fetch", &[], Importance::Essential),
        step("a", "text.clean", &[], Importance::Essential),
    ])
    .check(&catalog)
    .unwrap_err();
    assert!(e.to_string().starts_with("steps[1]: the id `a`"), "{e}");
    let e = plan(vec![step(
        "a",
        "text.fetch",
        &["zz"],
        Importance::Essential,
    )])
    .check(&catalog)
    .unwrap_err();
    assert!(e.to_string().contains("`zz`, which is not a step"), "{e}");
    let e = plan(vec![step("a", "image.render", &[], Importance::Essential)])
        .check(&catalog)
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("no installed extension provides `image.render`"),
        "{e}"
    );
    let e = plan(vec![
        step("a", "text.fetch", &["c"], Importance::Essential),
        step("b", "text.clean", &["a"], Importance::Essential),
        step("c", "text.tag", &["b"], Importance::Essential),
        step("d", "text.tag", &[], Importance::Essential),
    ])
    .check(&catalog)
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "the steps wait for each other in a cycle: a → b → c → a"
    );
    assert!(StepId::new("Has Space").unwrap_err().contains("lower-case"));
    let json = r#"{"intent":"x","steps":[{"id":"a","capability":"Bad Cap"}]}"#;
    let e = serde_json::from_str::<Plan>(json).unwrap_err();
    assert!(e.to_string().contains("not a capability id"), "{e}");
}

#[test]
fn retries_scale_the_named_parameters_down() {
    let mut params = Map::new();
    params.insert("max_tokens".into(), json!(1000));
    params.insert("temperature".into(), json!(0.8));
    params.insert(
        "reduce_on_retry".into(),
        json!({"max_tokens": 0.5, "temperature": 0.5}),
    );
    assert_eq!(params_for_attempt(&params, 1)["max_tokens"], json!(1000));
    let third = params_for_attempt(&params, 3);
    assert_eq!(third["max_tokens"], json!(250));
    assert_eq!(third["temperature"], json!(0.2));
    assert!(!third.contains_key("reduce_on_retry"));
    assert_eq!(
        params_for_attempt(&params, 40)["max_tokens"],
        json!(1),
        "never below 1"
    );
}

#[tokio::test]
async fn essential_steps_retry_with_reduced_parameters_then_fall_back_to_another_provider() {
    let mut policy_reduce = policy();
    policy_reduce
        .essential
        .reduce
        .insert("max_words".into(), json!(0.5));
    let mut summarise = step("summarise", "text.summarise", &[], Importance::Essential);
    summarise.params.insert("max_words".into(), json!(400));
    let plan = Plan {
        intent: "Summarise the notes".to_owned(),
        steps: vec![summarise],
        input: None,
    };
    let file = compile(&plan, &catalog(), &policy_reduce).unwrap();
    assert_eq!(file.name.as_deref(), Some("summarise-the-notes"));
    let wf = Arc::new(Workflow::build(&file).unwrap());
    let flaky = Arc::new(Operator {
        broken: vec!["summarise".into()],
        ..Operator::default()
    });
    let steady = Arc::new(Operator::default());
    let mut registry = RunnerRegistry::with_builtins(1.0);
    registry.register_arc("flaky-ops", flaky.clone());
    registry.register_arc("steady-ops", steady.clone());
    let (handle, _) = Executor::new(registry, ExecOptions::default()).start(wf.clone());
    let report = handle.wait().await.unwrap();
    assert_eq!(report.state, WorkflowState::Completed, "{report:?}");
    let calls = flaky.calls.lock().unwrap();
    let sizes: Vec<_> = calls
        .iter()
        .map(|(_, _, p)| p["max_words"].clone())
        .collect();
    assert_eq!(
        sizes,
        [json!(400), json!(200), json!(100), json!(50), json!(25)]
    );
    let fallback = steady.calls.lock().unwrap();
    assert_eq!(
        fallback.len(),
        1,
        "the other provider ran once: {fallback:?}"
    );
    assert_eq!(fallback[0].0, "summarise-fallback");
}

#[tokio::test]
async fn independent_steps_start_from_one_start_node_and_all_run() {
    let plan = Plan {
        intent: "tag and clean, separately".to_owned(),
        steps: vec![
            step("tag", "text.tag", &[], Importance::Essential),
            step("clean", "text.clean", &[], Importance::Essential),
        ],
        input: None,
    };
    let file = compile(&plan, &catalog(), &policy()).unwrap();
    assert_eq!(file.nodes[0].id.as_str(), conductor::plan::START_NODE);
    let flaky = Arc::new(Operator::default());
    let (wf, report) = run(&plan, flaky.clone(), Arc::default()).await;
    assert_eq!(report.state, WorkflowState::Completed, "{report:?}");
    assert_eq!(state_of(&wf, &report, "tag"), NodeState::Completed);
    assert_eq!(flaky.calls.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn an_optional_step_that_fails_is_skipped_and_what_follows_still_runs() {
    let plan = Plan {
        intent: "fetch, tag, publish".to_owned(),
        steps: vec![
            step("fetch", "text.fetch", &[], Importance::Essential),
            step("tag", "text.tag", &["fetch"], Importance::Optional),
            step("publish", "text.publish", &["tag"], Importance::Essential),
        ],
        input: None,
    };
    let flaky = Arc::new(Operator {
        broken: vec!["tag".into()],
        ..Operator::default()
    });
    let (wf, report) = run(&plan, flaky.clone(), Arc::default()).await;
    assert_eq!(report.state, WorkflowState::Completed, "{report:?}");
    assert_eq!(state_of(&wf, &report, "tag"), NodeState::Skipped);
    assert_eq!(state_of(&wf, &report, "publish"), NodeState::Completed);
    let tag_attempts = flaky
        .calls
        .lock()
        .unwrap()
        .iter()
        .filter(|c| c.0 == "tag")
        .count();
    assert_eq!(tag_attempts, 2, "one retry for an Optional step");
}

#[tokio::test]
async fn an_essential_step_that_fails_for_good_halts_and_completed_steps_are_compensated() {
    let mut publish = step("publish", "text.publish", &[], Importance::Essential);
    publish.undo = Some(Undo {
        capability: CapabilityId::new("text.unpublish").unwrap(),
        params: Map::new(),
    });
    let plan = Plan {
        intent: "publish then clean".to_owned(),
        steps: vec![
            publish,
            step("clean", "text.clean", &["publish"], Importance::Essential),
        ],
        input: None,
    };
    let flaky = Arc::new(Operator {
        broken: vec!["clean".into()],
        ..Operator::default()
    });
    let (wf, report) = run(&plan, flaky, Arc::default()).await;
    assert_eq!(report.state, WorkflowState::Failed);
    let completed: Vec<StepId> = plan
        .steps
        .iter()
        .filter(|s| state_of(&wf, &report, s.id.as_str()) == NodeState::Completed)
        .map(|s| s.id.clone())
        .collect();
    let undo = compensation(&plan, &completed).unwrap();
    assert_eq!(undo.steps.len(), 1);
    assert_eq!(undo.steps[0].id.as_str(), "undo-publish");
    let steady = Arc::new(Operator::default());
    let (_, report) = run(&undo, Arc::default(), steady.clone()).await;
    assert_eq!(report.state, WorkflowState::Completed);
    assert_eq!(
        steady.calls.lock().unwrap()[0].2["method"],
        json!("unpublish")
    );
    assert!(
        compensation(&plan, &[]).is_none(),
        "nothing done, nothing to undo"
    );
}

#[tokio::test]
async fn plans_of_three_to_five_steps_over_a_20_percent_flaky_operator_complete_99_percent() {
    let chain = [
        "text.fetch",
        "text.clean",
        "text.summarise",
        "text.tag",
        "text.publish",
    ];
    let mut completed = 0;
    let mut failures: HashMap<String, usize> = HashMap::new();
    for run_no in 0..200_u64 {
        let len = 3 + (run_no % 3) as usize;
        let steps = (0..len)
            .map(|i| {
                let after: Vec<String> =
                    (i > 0).then(|| format!("s{}", i - 1)).into_iter().collect();
                let after: Vec<&str> = after.iter().map(String::as_str).collect();
                step(&format!("s{i}"), chain[i], &after, Importance::Essential)
            })
            .collect();
        let plan = Plan {
            intent: format!("run {run_no}"),
            steps,
            input: None,
        };
        let flaky = Arc::new(Operator {
            fail_percent: 20,
            seed: splitmix(run_no),
            ..Operator::default()
        });
        let (_, report) = run(&plan, flaky, Arc::new(Operator::default())).await;
        if report.state == WorkflowState::Completed {
            completed += 1;
        } else {
            *failures.entry(format!("{:?}", report.reason)).or_default() += 1;
        }
    }
    assert!(
        completed >= 198,
        "{completed} of 200 completed; failures: {failures:?}"
    );
}
