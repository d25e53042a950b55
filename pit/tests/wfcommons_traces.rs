//! The four real WfCommons traces in `../shared/data/wfcommons/` import with the task and edge
//! counts of its README, validate clean, and give its critical path C and total work W.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use pit::dag::{
    Format, LoadOptions, Workflow, critical_path, load_file, parse_bytes, sleep_seconds, total_work,
};

/// (file, tasks, edges, C, W) from the README's table.
const TRACES: [(&str, usize, usize, f64, f64); 4] = [
    (
        "srasearch-chameleon-10a-001.json",
        22,
        30,
        1005.858,
        6996.779,
    ),
    (
        "soykb-chameleon-10fastq-20ch-001.json",
        156,
        354,
        7869.049,
        24451.265,
    ),
    (
        "seismology-chameleon-1000p-001.json.gz",
        1001,
        1000,
        5.437,
        538.433,
    ),
    (
        "montage-chameleon-dss-15d-001.json.gz",
        2122,
        6114,
        989.458,
        78087.502,
    ),
];

/// The shared traces, or `None` (with a message) where this checkout has no `shared/`.
fn traces_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/wfcommons");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipped: {} is absent (the traces live in the workplace's shared/)",
            dir.display()
        );
        None
    }
}

#[test]
fn each_trace_imports_validates_and_matches_the_readme() {
    let Some(dir) = traces_dir() else { return };
    for (name, tasks, edges, c, w) in TRACES {
        let path = dir.join(name);
        let (format, file) = load_file(&path, &LoadOptions::default()).expect(name);
        assert_eq!(format, Format::WfCommons, "{name}");
        let wf = Workflow::build(&file).unwrap_or_else(|report| panic!("{name}: {report}"));
        assert_eq!(wf.node_count(), tasks, "{name}: tasks");
        assert_eq!(wf.edge_count(), edges, "{name}: edges");
        let weight = |n| sleep_seconds(&wf, n);
        let path_c = critical_path(&wf, weight);
        assert!(
            (path_c.length - c).abs() < 0.01,
            "{name}: C = {} (README {c})",
            path_c.length
        );
        let work = total_work(&wf, weight);
        assert!((work - w).abs() < 0.01, "{name}: W = {work} (README {w})");
        // The reported path is a real path whose weights add up to C.
        for pair in path_c.nodes.windows(2) {
            assert!(
                wf.successors(pair[0]).contains(&pair[1]),
                "{name}: not a path"
            );
        }
        let sum: f64 = path_c.nodes.iter().map(|&n| weight(n)).sum();
        assert!((sum - path_c.length).abs() < 1e-6);
    }
}

#[test]
fn time_scale_multiplies_every_sleep() {
    let Some(dir) = traces_dir() else { return };
    let bytes = std::fs::read(dir.join(TRACES[0].0)).unwrap();
    let options = LoadOptions { time_scale: 0.001 };
    let (_, file) = parse_bytes(&bytes, "srasearch", &options).unwrap();
    let wf = Workflow::build(&file).unwrap();
    let work = total_work(&wf, |n| sleep_seconds(&wf, n));
    assert!((work - TRACES[0].4 * 0.001).abs() < 1e-5, "{work}");
}

/// A hand-written trace in the old schema 0.1 layout: `workflow.jobs[]`, parents by name,
/// runtimes inline. Diamond a → {b, c} → d: C = 1 + 5 + 2 = 8, W = 1 + 5 + 3 + 2 = 11.
const SCHEMA_0_1: &str = r#"{
  "name": "diamond",
  "schemaVersion": "0.1",
  "workflow": {
    "makespan": 9.5,
    "executedAt": "20170101T000000+0000",
    "machines": [{"nodeName": "worker-1", "cpu": {"count": 4}}],
    "jobs": [
      {"name": "a_ID01", "type": "compute", "runtime": 1.0, "parents": [], "files": []},
      {"name": "b_ID02", "type": "compute", "runtime": 5.0, "parents": ["a_ID01"]},
      {"name": "c_ID03", "type": "compute", "runtime": 3.0, "parents": ["a_ID01"]},
      {"name": "d_ID04", "type": "compute", "runtime": 2.0, "parents": ["b_ID02", "c_ID03"]}
    ]
  }
}"#;

#[test]
fn a_schema_0_1_trace_imports() {
    let (format, file) = parse_bytes(
        SCHEMA_0_1.as_bytes(),
        "diamond.json",
        &LoadOptions::default(),
    )
    .expect("schema 0.1 imports");
    assert_eq!(format, Format::WfCommons);
    let wf = Workflow::build(&file).unwrap_or_else(|report| panic!("{report}"));
    assert_eq!((wf.node_count(), wf.edge_count()), (4, 4));
    let weight = |n| sleep_seconds(&wf, n);
    let path = critical_path(&wf, weight);
    assert!((path.length - 8.0).abs() < 1e-9);
    let names: Vec<&str> = path.nodes.iter().map(|&n| wf.id(n).as_str()).collect();
    assert_eq!(names, ["a_ID01", "b_ID02", "d_ID04"]);
    assert!((total_work(&wf, weight) - 11.0).abs() < 1e-9);
    assert_eq!(
        file.description.as_deref(),
        Some("imported from WfCommons (schema 0.1)")
    );
}

/// Schema 1.0–1.4 keeps tasks in `workflow.tasks[]` with inline runtimes; ids may differ from
/// names, and parents/children name ids. Children alone are enough to make an edge.
#[test]
fn a_flat_tasks_trace_imports() {
    let json = r#"{"schemaVersion": "1.3", "workflow": {"tasks": [
        {"name": "split", "id": "t1", "runtimeInSeconds": 2, "children": ["t2"]},
        {"name": "work", "id": "t2", "runtimeInSeconds": 4, "parents": []}]}}"#;
    let (_, file) = parse_bytes(json.as_bytes(), "flat", &LoadOptions::default()).unwrap();
    let wf = Workflow::build(&file).unwrap();
    assert_eq!(wf.edge_count(), 1);
    let t1 = wf.lookup("t1").unwrap();
    assert_eq!(wf.settings(t1).label.as_deref(), Some("split"));
    assert_eq!(wf.successors(t1), [wf.lookup("t2").unwrap()]);
    assert!((critical_path(&wf, |n| sleep_seconds(&wf, n)).length - 6.0).abs() < 1e-9);
}
