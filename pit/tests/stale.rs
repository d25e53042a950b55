//! The Stale Manager: policies parse (and refuse nonsense with a reason), each rule of the
//! judgement applies, and on random stores nothing protected is ever deleted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, HashSet};

use pit::stale::{Action, Candidate, Policy, Reason, decide};
use proptest::prelude::*;

const DAY: u64 = 86_400_000;
const NOW: u64 = 1_000 * DAY;

fn artifact(id: &str, age_days: u64) -> Candidate {
    Candidate {
        id: id.to_owned(),
        size: 1_000,
        tags: Vec::new(),
        created_ms: NOW - age_days * DAY,
        last_access_ms: None,
        uses: 0,
        pinned: false,
        live: false,
        inputs: Vec::new(),
    }
}

fn verdicts(policy: &Policy, candidates: &[Candidate]) -> HashMap<String, (Action, Reason)> {
    decide(policy, candidates, NOW)
        .into_iter()
        .map(|v| (v.id, (v.action, v.reason)))
        .collect()
}

#[test]
fn policies_parse_with_rules_and_refuse_nonsense() {
    let policy = Policy::parse(
        r#"
max_total_bytes = 5000
[defaults]
keep_days = 10
[[rules]]
tag = "release"
forever = true
[[rules]]
tag = "nightly"
keep_days = 2
"#,
    )
    .unwrap();
    assert_eq!(policy.defaults.keep_days, 10.0);
    assert!(policy.for_tags([&"release".to_owned()]).forever);
    assert_eq!(policy.for_tags([&"nightly".to_owned()]).keep_days, 2.0);
    // Two rules: the more protective value of each setting.
    let both = policy.for_tags([&"nightly".to_owned(), &"release".to_owned()]);
    assert!(both.forever);
    let error = Policy::parse("[defaults]\nkeep_days = -1\n").unwrap_err();
    assert!(error.contains("keep_days"), "{error}");
    let error = Policy::parse("[defaults]\nkeepdays = 1\n").unwrap_err();
    assert!(error.contains("unknown field"), "{error}");
}

#[test]
fn each_rule_of_the_judgement_applies_with_its_reason() {
    let policy = Policy::default(); // keep 30 days, idle 14, archive after 7, min value 2
    let mut pinned = artifact("pinned", 400);
    pinned.pinned = true;
    let mut live = artifact("live", 400);
    live.live = true;
    let young = artifact("young", 3);
    let mut used = artifact("used", 400);
    used.last_access_ms = Some(NOW - 2 * DAY);
    let old = artifact("old", 400);
    let mut valuable = artifact("valuable", 400);
    valuable.uses = 7; // log2(8) = 3 ≥ 2
    let v = verdicts(&policy, &[pinned, live, young, used, old, valuable]);
    assert_eq!(v["pinned"], (Action::Keep, Reason::Pinned));
    assert_eq!(v["live"], (Action::Keep, Reason::Live));
    assert!(matches!(v["young"], (Action::Keep, Reason::Young { .. })));
    assert!(matches!(
        v["used"],
        (Action::Keep, Reason::RecentlyUsed { .. })
    ));
    assert!(matches!(v["old"], (Action::Delete, Reason::Expired { .. })));
    assert!(matches!(
        v["valuable"],
        (Action::Archive, Reason::Idle { .. })
    ));
    assert!(v["old"].1.to_string().contains("days old"));
}

#[test]
fn an_input_of_a_surviving_artifact_is_archived_not_deleted() {
    let policy = Policy::default();
    let source = artifact("source", 400);
    let mut report = artifact("report", 3);
    report.inputs = vec!["source".into()];
    let v = verdicts(&policy, &[source, report]);
    assert_eq!(
        v["source"],
        (
            Action::Archive,
            Reason::NeededBy {
                id: "report".into()
            }
        )
    );
}

#[test]
fn over_budget_the_least_valuable_unprotected_go_first() {
    let policy = Policy {
        max_total_bytes: Some(2_500),
        ..Policy::default()
    };
    let mut a = artifact("a", 3);
    a.uses = 100;
    let b = artifact("b", 3);
    let mut c = artifact("c", 3);
    c.uses = 10;
    let mut d = artifact("d", 3);
    d.pinned = true;
    let v = verdicts(&policy, &[a, b, c, d]);
    assert!(matches!(
        v["b"],
        (Action::Delete, Reason::OverBudget { .. })
    ));
    assert!(matches!(
        v["c"],
        (Action::Delete, Reason::OverBudget { .. })
    ));
    assert_eq!(v["a"].0, Action::Keep);
    assert_eq!(v["d"].0, Action::Keep);
}

/// A random store: lineage only points to earlier artifacts (a DAG), as in a real store.
fn store() -> impl Strategy<Value = (Policy, Vec<Candidate>)> {
    let artifact = (
        0u64..5_000_000,
        0u64..400,
        proptest::option::of(0u64..400),
        0u64..20,
        proptest::bool::weighted(0.1),
        proptest::bool::weighted(0.1),
        proptest::collection::vec(0usize..1000, 0..3),
        proptest::bool::weighted(0.2),
    );
    let policy = (
        0.0f64..60.0,
        0.0f64..60.0,
        0.0f64..60.0,
        -2.0f64..6.0,
        proptest::option::of(0u64..20_000_000),
    );
    (policy, proptest::collection::vec(artifact, 1..60)).prop_map(|(p, raw)| {
        let policy = Policy {
            defaults: pit::stale::Settings {
                keep_days: p.0,
                idle_days: p.1,
                archive_after_days: p.2,
                min_value: p.3,
                forever: false,
            },
            max_total_bytes: p.4,
            rules: vec![pit::stale::Rule {
                tag: "keep".into(),
                settings: pit::stale::Overrides {
                    forever: Some(true),
                    ..Default::default()
                },
            }],
        };
        let candidates = raw
            .into_iter()
            .enumerate()
            .map(
                |(i, (size, age, idle, uses, pinned, live, inputs, keep))| Candidate {
                    id: format!("a{i}"),
                    size,
                    tags: if keep {
                        vec!["keep".into()]
                    } else {
                        Vec::new()
                    },
                    created_ms: NOW - age * DAY,
                    last_access_ms: idle.map(|d| NOW - d.min(age) * DAY),
                    uses,
                    pinned,
                    live,
                    inputs: if i == 0 {
                        Vec::new()
                    } else {
                        inputs.into_iter().map(|j| format!("a{}", j % i)).collect()
                    },
                },
            )
            .collect();
        (policy, candidates)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn nothing_protected_is_ever_deleted((policy, candidates) in store()) {
        let verdicts = decide(&policy, &candidates, NOW);
        prop_assert_eq!(verdicts.len(), candidates.len());
        let deleted: HashSet<&str> = verdicts
            .iter()
            .filter(|v| v.action == Action::Delete)
            .map(|v| v.id.as_str())
            .collect();
        for c in &candidates {
            if c.pinned || c.live || c.tags.contains(&"keep".to_owned()) {
                prop_assert!(!deleted.contains(c.id.as_str()), "{} is protected", c.id);
            }
            if !deleted.contains(c.id.as_str()) {
                for input in &c.inputs {
                    prop_assert!(
                        !deleted.contains(input.as_str()),
                        "{input} was deleted though {} was made from it and stays", c.id
                    );
                }
            }
        }
    }
}

/// A run of `workflow` that started and was never ended (killed): resumable, so live. Its
/// lock is released when the returned directory is dropped.
fn interrupted_run(runs: &pit::runs::RunStore, workflow: &std::path::Path) -> String {
    use pit::journal::{Record, RunRecord};
    let (dir, mut writer) = runs.create().unwrap();
    writer.write(Record::Run(RunRecord {
        run: dir.id().to_string(),
        incarnation: 1,
        workflow: workflow.display().to_string(),
        name: None,
        digest: "0".repeat(64),
        nodes: 1,
        workers: 1,
        time_scale: 1.0,
        at_ms: NOW,
    }));
    writer.close().unwrap();
    dir.id().to_string()
}

#[test]
fn a_sweep_spares_what_live_runs_made_or_name_archives_idle_ones_and_deletes_the_rest() {
    use pit::artifacts::{ArtifactStore, Lineage, PutOptions};
    use pit::stale::{LiveRefs, sweep};

    let tmp = tempfile::tempdir().unwrap();
    let runs = pit::runs::RunStore::new(tmp.path().join("runs"));
    let store = ArtifactStore::open(&tmp.path().join("artifacts")).unwrap();
    let named = store
        .put(b"a reference dataset", PutOptions::default())
        .unwrap();
    let workflow = tmp.path().join("wf.toml");
    std::fs::write(&workflow, format!("# reads {}\n", named.id)).unwrap();
    let live_run = interrupted_run(&runs, &workflow);
    let made = |run: &str, bytes: &[u8]| {
        let lineage = Lineage {
            run: run.to_owned(),
            node: "n".to_owned(),
            inputs: Vec::new(),
        };
        let options = PutOptions {
            lineage: Some(lineage),
            ..PutOptions::default()
        };
        store.put(bytes, options).unwrap()
    };
    let by_live = made(&live_run, b"half a result");
    let by_old = made("20200101-000000-dead", b"an old result");
    let pinned = store
        .put(
            b"signed",
            PutOptions {
                tags: vec!["pinned".to_owned()],
                ..PutOptions::default()
            },
        )
        .unwrap();

    let live = LiveRefs::of_runs(&runs).unwrap();
    assert!(live.runs.contains(&live_run), "{live:?}");
    let later = pit::runs::now_ms() + 100 * DAY;
    let delete_all =
        Policy::parse("[defaults]\nkeep_days = 0\nidle_days = 0\nmin_value = 99\n").unwrap();
    let report = sweep(&store, &delete_all, &live, later, true).unwrap();
    let fate = |id: &str| {
        let v = report.verdicts.iter().find(|v| v.id == id).unwrap();
        (v.action, v.reason.clone())
    };
    assert_eq!(fate(&named.id), (Action::Keep, Reason::Live));
    assert_eq!(fate(&by_live.id), (Action::Keep, Reason::Live));
    assert_eq!(fate(&pinned.id), (Action::Keep, Reason::Pinned));
    assert_eq!(fate(&by_old.id).0, Action::Delete);
    assert_eq!(
        store.list(None).unwrap().len(),
        4,
        "a dry run changes nothing"
    );

    let report = sweep(&store, &delete_all, &live, later, false).unwrap();
    assert_eq!((report.deleted, report.archived), (1, 0));
    assert_eq!(store.list(None).unwrap().len(), 3);

    let archive_idle =
        Policy::parse("[defaults]\nkeep_days = 0\nidle_days = 10000\narchive_after_days = 1\n")
            .unwrap();
    let report = sweep(&store, &archive_idle, &LiveRefs::default(), later, false).unwrap();
    assert_eq!(report.archived, 2, "{:?}", report.verdicts);
    for meta in store.list(None).unwrap() {
        assert_eq!(meta.archived, meta.id != pinned.id, "{meta:?}");
        let bytes = store.get(&meta.id.parse().unwrap()).unwrap();
        assert_eq!(meta.size, bytes.len() as u64);
    }
}
