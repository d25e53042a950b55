//! `symphony artifact …` as a user runs it: put, get by prefix, ls by tag, search, a corrupted
//! blob reported by get and verify, gc with a retention policy that spares pinned ones and
//! archives idle ones, a run's outputs stored as artifacts with their lineage, and kill -9
//! in the middle of puts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

mod seeded;
use seeded::Rng;

fn symphony(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_symphony"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("SYMPHONY_DATA_DIR")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn put_get_ls_search_verify_and_gc() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let notes = dir.path().join("notes.md");
    let keep = dir.path().join("keep.md");
    std::fs::write(&notes, "the migration plan for the cluster").unwrap();
    std::fs::write(&keep, "signed release notes").unwrap();
    let out = symphony(
        &data,
        &["artifact", "put", notes.to_str().unwrap(), "-t", "plans"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let id = text(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 64);
    let out = symphony(
        &data,
        &["artifact", "put", keep.to_str().unwrap(), "-t", "pinned"],
    );
    assert!(out.status.success());

    let out = symphony(&data, &["artifact", "get", &id[..6]]);
    assert_eq!(text(&out.stdout), "the migration plan for the cluster");
    let out = symphony(&data, &["artifact", "ls", "--tag", "plans"]);
    assert!(
        text(&out.stdout).contains("notes.md"),
        "{}",
        text(&out.stdout)
    );
    let out = symphony(&data, &["artifact", "search", "migration"]);
    assert!(
        text(&out.stdout).contains(&id[..12]),
        "{}",
        text(&out.stdout)
    );

    // Rot one blob: get refuses it by name, verify reports it and fails.
    let blob = data.join("artifacts/objects").join(&id[..2]).join(&id[2..]);
    std::fs::write(&blob, "the migration plan for the CLUSTER").unwrap();
    let out = symphony(&data, &["artifact", "get", &id]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("corrupted"),
        "{}",
        text(&out.stderr)
    );
    let out = symphony(&data, &["artifact", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains(&id), "{}", text(&out.stdout));

    // A policy that lets everything go spares the pinned one.
    let policy = dir.path().join("retention.toml");
    std::fs::write(
        &policy,
        "[defaults]\nkeep_days = 0\nidle_days = 0\nmin_value = 9\n",
    )
    .unwrap();
    let policy = policy.to_str().unwrap();
    let out = symphony(&data, &["artifact", "gc", "--dry-run", "--policy", policy]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(
        said.lines()
            .any(|l| l.starts_with("would delete") && l.contains(&id[..12])),
        "{said}"
    );
    assert!(said.contains("pinned"), "{said}");
    let out = symphony(&data, &["artifact", "gc", "--policy", policy]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = symphony(&data, &["artifact", "ls", "--json"]);
    let left = text(&out.stdout);
    assert_eq!(left.lines().count(), 1, "{left}");
    assert!(left.contains("keep.md"), "{left}");
}

#[test]
fn a_runs_outputs_become_artifacts_with_lineage_and_idle_ones_are_archived_not_lost() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let workflow = dir.path().join("report.toml");
    std::fs::write(
        &workflow,
        r#"name = "report"
[[nodes]]
id = "fetch"
kind = "operator"
runner = "shell"
params = { command = "echo raw numbers > $SYMPHONY_OUT/raw.txt" }
[[nodes]]
id = "summarise"
kind = "operator"
runner = "shell"
params = { command = "mkdir $SYMPHONY_OUT/out && echo the summary > $SYMPHONY_OUT/out/summary.md" }
[[edges]]
from = "fetch"
to = "summarise"
kind = "control"
"#,
    )
    .unwrap();
    let out = symphony(&data, &["run", workflow.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let end: serde_json::Value =
        serde_json::from_str(text(&out.stdout).lines().last().unwrap()).unwrap();
    assert_eq!(end["artifacts"], 2, "{end}");
    let run = end["run"].as_str().unwrap().to_owned();

    let out = symphony(
        &data,
        &["artifact", "ls", "--tag", &format!("run:{run}"), "--json"],
    );
    let records: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let by_name = |name: &str| {
        records
            .iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("no {name} in {records:?}"))
    };
    let raw = by_name("report/fetch/raw.txt");
    let summary = by_name("report/summarise/out/summary.md");
    assert_eq!(summary["lineage"]["run"], run.as_str());
    assert_eq!(summary["lineage"]["node"], "summarise");
    assert_eq!(summary["lineage"]["inputs"], serde_json::json!([raw["id"]]));
    let raw_id = raw["id"].as_str().unwrap().to_owned();

    // Idle past `archive_after_days` and not expired: archived, listed, still retrievable.
    let policy = dir.path().join("retention.toml");
    std::fs::write(
        &policy,
        "[defaults]\nkeep_days = 0\nidle_days = 10000\narchive_after_days = 0\n",
    )
    .unwrap();
    let out = symphony(
        &data,
        &["artifact", "gc", "--policy", policy.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(
        said.lines()
            .any(|l| l.starts_with("archive ") && l.contains(&raw_id[..12])),
        "{said}"
    );
    let out = symphony(&data, &["artifact", "ls"]);
    assert!(
        text(&out.stdout).contains("(archived)"),
        "{}",
        text(&out.stdout)
    );
    let out = symphony(&data, &["artifact", "get", &raw_id[..10]]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "raw numbers\n");
    let out = symphony(&data, &["artifact", "verify"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn kill_9_during_puts_loses_no_acknowledged_artifact_and_shows_no_torn_one() {
    let mut rng = Rng::from_env();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let files = dir.path().join("files");
    std::fs::create_dir_all(&files).unwrap();
    for i in 0..400 {
        let body = format!("note {i}: the word marker{i} and some text\n").repeat(1 + i % 50);
        std::fs::write(files.join(format!("f{i:03}.md")), body).unwrap();
    }
    let acknowledged = dir.path().join("acknowledged");
    let script = format!(
        "for f in {files}/*.md; do {bin} --data-dir {data} artifact put \"$f\" >> {ack} || exit 1; done",
        files = files.display(),
        bin = env!("CARGO_BIN_EXE_symphony"),
        data = data.display(),
        ack = acknowledged.display(),
    );
    let mut kills = 0;
    for _ in 0..20 {
        let mut child = Command::new("sh")
            .args(["-c", &script])
            .env_remove("SYMPHONY_DATA_DIR")
            .process_group(0)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(30 + rng.next() % 300));
        // SIGKILL the loop and its current `symphony` at once: the whole process group.
        let group = format!("-{}", child.id());
        let killed = Command::new("kill").args(["-9", "--", &group]).status();
        assert!(killed.unwrap().success());
        child.wait().unwrap();
        kills += 1;
        // The killed `symphony` is reaped by init, not us: wait until its lock is free.
        let mut out = symphony(&data, &["artifact", "verify"]);
        for _ in 0..100 {
            if !text(&out.stderr).contains("open in another process") {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
            out = symphony(&data, &["artifact", "verify"]);
        }

        // Every acknowledged put is there and reads back whole; nothing recorded is torn.
        let said = std::fs::read_to_string(&acknowledged).unwrap_or_default();
        let ids: HashSet<&str> = said
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .filter(|id| id.len() == 64)
            .collect();
        if !data.join("artifacts").exists() {
            continue;
        }
        assert!(
            out.status.success(),
            "after {kills} kills: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        let out = symphony(&data, &["artifact", "ls", "--json"]);
        let listed: HashSet<String> = text(&out.stdout)
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["id"].as_str().unwrap().to_owned()
            })
            .collect();
        for id in &ids {
            assert!(
                listed.contains(*id),
                "acknowledged {id} is gone after {kills} kills"
            );
        }
    }
    // Every recorded artifact is found by its own word once the index is rebuilt; none is
    // found that is not recorded.
    let out = symphony(&data, &["artifact", "verify", "--reindex"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = symphony(&data, &["artifact", "ls", "--json"]);
    let listed: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!listed.is_empty(), "no put was acknowledged in 20 rounds");
    for record in listed.iter().take(30) {
        let name = record["name"].as_str().unwrap();
        let n: u32 = name[1..4].parse().unwrap();
        let word = format!("marker{n}");
        let out = symphony(&data, &["artifact", "search", &word, "--json"]);
        let found: Vec<serde_json::Value> = text(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert!(
            found.iter().any(|f| f["artifact"]["id"] == record["id"]),
            "{word} does not find {name}: {found:?}"
        );
    }
    let out = symphony(&data, &["artifact", "gc"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}
