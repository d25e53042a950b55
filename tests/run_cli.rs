//! `symphony validate`, `run` and `runs` as a user runs them: the real binary, real files,
//! real child processes, kill -9.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use pit::journal::{self, Checkpoint};

mod seeded;
use seeded::Rng;

fn symphony(data: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_symphony"));
    command.arg("--data-dir").arg(data);
    command.env_remove("SYMPHONY_DATA_DIR");
    command
}

fn run_to_end(command: &mut Command) -> Output {
    command
        .stdin(Stdio::null())
        .output()
        .expect("symphony runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The id of the only (or newest) run.
fn newest_run(data: &Path) -> String {
    let out = run_to_end(symphony(data).args(["runs", "--json"]));
    let first = text(&out.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    let value: serde_json::Value = serde_json::from_str(&first).expect("runs --json prints JSON");
    value["run"].as_str().expect("a run id").to_owned()
}

fn run_dir(data: &Path, id: &str) -> PathBuf {
    data.join("runs").join(id)
}

fn write(path: &Path, content: &str) {
    std::fs::write(path, content).unwrap();
}

#[test]
fn validate_reports_a_valid_workflow_and_every_problem_of_an_invalid_one() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.toml");
    write(
        &good,
        "[[nodes]]\nid = \"a\"\nkind = \"operator\"\nrunner = \"sleep\"\nparams = { seconds = 2 }\n",
    );
    let out = run_to_end(symphony(dir.path()).arg("validate").arg(&good));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("valid TOML workflow: 1 nodes"),
        "{}",
        text(&out.stdout)
    );

    let bad = dir.path().join("bad.json");
    write(
        &bad,
        r#"{"nodes":[{"id":"a","kind":"operator"},{"id":"b","kind":"operator"}],
            "edges":[{"from":"a","to":"b","kind":"control"},{"from":"b","to":"a","kind":"control"}]}"#,
    );
    let out = run_to_end(symphony(dir.path()).arg("validate").arg(&bad));
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("cycle"), "{stderr}");
    assert!(stderr.contains("bad.json"), "{stderr}");

    let out = run_to_end(symphony(dir.path()).args(["validate", "--json"]).arg(&bad));
    assert_eq!(out.status.code(), Some(2));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value["valid"], false);
    assert_eq!(value["problems"][0]["code"], "cycle");

    let out = run_to_end(
        symphony(dir.path())
            .arg("validate")
            .arg(dir.path().join("none.toml")),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("cannot read"),
        "{}",
        text(&out.stderr)
    );
}

/// A chain `a → b → c` where `c` fails until a marker file exists.
fn flaky_chain(dir: &Path) -> PathBuf {
    let file = dir.join("chain.toml");
    let marker = dir.join("fixed");
    let log = dir.join("ran.log");
    let content = format!(
        r#"name = "chain"
[[nodes]]
id = "a"
kind = "operator"
runner = "shell"
params = {{ command = "echo a >> {log}; echo hello > $SYMPHONY_OUT/greeting.txt" }}
[[nodes]]
id = "b"
kind = "operator"
runner = "shell"
params = {{ command = "echo b >> {log}" }}
[[nodes]]
id = "c"
kind = "operator"
runner = "shell"
params = {{ command = "echo c >> {log}; test -e {marker}" }}
[[edges]]
from = "a"
to = "b"
kind = "control"
[[edges]]
from = "b"
to = "c"
kind = "control"
"#,
        log = log.display(),
        marker = marker.display()
    );
    write(&file, &content);
    file
}

#[test]
fn a_failed_run_resumes_without_running_its_completed_nodes_again() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = flaky_chain(dir.path());
    let out = run_to_end(symphony(&data).arg("run").arg(&file));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("failed: c:"), "{stderr}");
    assert!(stderr.contains("--resume"), "{stderr}");
    let id = newest_run(&data);
    let published = run_dir(&data, &id).join("outputs/a/greeting.txt");
    assert_eq!(std::fs::read_to_string(&published).unwrap(), "hello\n");

    write(&dir.path().join("fixed"), "");
    let out = run_to_end(
        symphony(&data)
            .arg("run")
            .arg(&file)
            .args(["--resume", &id, "--json"]),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["event"], "run");
    assert_eq!(lines[0]["resumed"], 2);
    assert_eq!(lines[0]["incarnation"], 2);
    let last = lines.last().unwrap();
    assert_eq!(
        (last["event"].as_str(), last["state"].as_str()),
        (Some("end"), Some("completed"))
    );
    let ran = std::fs::read_to_string(dir.path().join("ran.log")).unwrap();
    assert_eq!(ran, "a\nb\nc\nc\n", "only `c` ran again");
    assert_eq!(std::fs::read_to_string(&published).unwrap(), "hello\n");

    let out = run_to_end(symphony(&data).arg("runs"));
    let listing = text(&out.stdout);
    assert!(
        listing.contains(&id) && listing.contains("completed"),
        "{listing}"
    );
    assert!(listing.contains("3/3"), "{listing}");
}

#[test]
fn a_resume_refuses_a_changed_workflow_a_running_run_and_an_unknown_id() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = sleeper(dir.path(), 30);
    let mut running = symphony(&data)
        .arg("run")
        .arg(&file)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let id = wait_for_run(&data);
    let out = run_to_end(
        symphony(&data)
            .arg("run")
            .arg(&file)
            .args(["--resume", &id]),
    );
    assert_eq!(out.status.code(), Some(4));
    assert!(
        text(&out.stderr).contains("running in another process"),
        "{}",
        text(&out.stderr)
    );
    running.kill().unwrap();
    running.wait().unwrap();

    // The same file, changed.
    sleeper(dir.path(), 0);
    let out = run_to_end(
        symphony(&data)
            .arg("run")
            .arg(&file)
            .args(["--resume", &id]),
    );
    assert_eq!(out.status.code(), Some(4));
    assert!(
        text(&out.stderr).contains("changed since"),
        "{}",
        text(&out.stderr)
    );

    let out = run_to_end(
        symphony(&data)
            .arg("run")
            .arg(&file)
            .args(["--resume", "20000101-000000-0000"]),
    );
    assert_eq!(out.status.code(), Some(4));
    assert!(
        text(&out.stderr).contains("symphony runs"),
        "{}",
        text(&out.stderr)
    );
}

/// `slow.toml`: one node that sleeps `seconds`.
fn sleeper(dir: &Path, seconds: u32) -> PathBuf {
    let file = dir.join("slow.toml");
    write(
        &file,
        &format!(
            "[[nodes]]\nid = \"a\"\nkind = \"operator\"\nrunner = \"sleep\"\nparams = {{ seconds = {seconds} }}\n"
        ),
    );
    file
}

/// The journal's magic header, before its first record.
const MAGIC_LEN: u64 = 8;

/// Waits until a run directory's journal holds its first record (the run's start, with the
/// workflow's digest that a resume checks); returns its id.
fn wait_for_run(data: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(entries) = std::fs::read_dir(data.join("runs")) {
            for entry in entries.flatten() {
                let journal = entry.path().join("journal.log");
                if std::fs::metadata(&journal).is_ok_and(|m| m.len() > MAGIC_LEN) {
                    return entry.file_name().to_string_lossy().into_owned();
                }
            }
        }
        assert!(Instant::now() < deadline, "no run started");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn ctrl_c_cancels_resumably() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = sleeper(dir.path(), 30);
    let running = symphony(&data)
        .arg("run")
        .arg(&file)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let id = wait_for_run(&data);
    // The journal's first record is written once the run starts.
    std::thread::sleep(Duration::from_millis(300));
    signal(&running, "INT");
    let out = running.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains(&format!("--resume {id}")),
        "{}",
        text(&out.stderr)
    );
    let out = run_to_end(symphony(&data).arg("runs"));
    assert!(
        text(&out.stdout).contains("cancelled"),
        "{}",
        text(&out.stdout)
    );
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn a_journal_that_cannot_be_written_stops_the_run_and_the_resume_finishes_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("wide.toml");
    let mut content = String::new();
    for i in 0..2000 {
        writeln!(
            content,
            "[[nodes]]\nid = \"node-number-{i:05}\"\nkind = \"operator\""
        )
        .unwrap();
    }
    for i in 1..2000 {
        let edge = format!("from = \"node-number-00000\"\nto = \"node-number-{i:05}\"");
        writeln!(content, "[[edges]]\n{edge}\nkind = \"control\"").unwrap();
    }
    write(&file, &content);
    // A file size limit of 64 KiB (SIGXFSZ ignored, so writes fail with EFBIG): the journal
    // fills up partway, as on a full disk.
    let script = format!(
        "trap '' XFSZ; ulimit -f 128; exec '{}' --data-dir '{}' run '{}'",
        env!("CARGO_BIN_EXE_symphony"),
        data.display(),
        file.display()
    );
    let out = run_to_end(Command::new("sh").arg("-c").arg(&script));
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("journal"), "{stderr}");
    assert!(stderr.contains("resume"), "{stderr}");
    let id = newest_run(&data);
    let out = run_to_end(
        symphony(&data)
            .arg("run")
            .arg(&file)
            .args(["--resume", &id]),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let checkpoint = read_checkpoint(&data, &id);
    assert_eq!(checkpoint.completed.len(), 2000);
}

fn read_checkpoint(data: &Path, id: &str) -> Checkpoint {
    let contents = journal::read(&run_dir(data, id).join("journal.log")).unwrap();
    Checkpoint::from_records(contents.records)
}

/// 2,000 shell nodes in layers of 100; each takes a lock directory (failing loudly if another
/// attempt of the same node holds it), logs its attempt, writes its effect to its output
/// directory and releases the lock.
fn counting_workflow(dir: &Path) -> PathBuf {
    let locks = dir.join("locks");
    std::fs::create_dir_all(&locks).unwrap();
    let log = dir.join("attempts.log");
    let violations = dir.join("violations.log");
    let mut content = String::from("name = \"count\"\n");
    for i in 0..2000 {
        let lock = locks.join(format!("n{i}"));
        let command = format!(
            "mkdir {lock} 2>/dev/null || echo \"overlap n{i}\" >> {violations}; \
             echo n{i} >> {log}; \
             echo \"n{i} $SYMPHONY_RUN_ID\" > $SYMPHONY_OUT/effect; \
             rmdir {lock} 2>/dev/null || echo \"lock lost n{i}\" >> {violations}",
            lock = lock.display(),
            log = log.display(),
            violations = violations.display(),
        );
        writeln!(
            content,
            "[[nodes]]\nid = \"n{i}\"\nkind = \"operator\"\nrunner = \"shell\"\nparams = {{ command = '{command}' }}"
        )
        .unwrap();
    }
    for i in 100..2000 {
        let below = i - 100;
        let other = i - i % 100 - 100 + (i * 7 + 3) % 100;
        let mut sources = vec![below];
        if other != below {
            sources.push(other);
        }
        for from in sources {
            writeln!(
                content,
                "[[edges]]\nfrom = \"n{from}\"\nto = \"n{i}\"\nkind = \"control\""
            )
            .unwrap();
        }
    }
    let file = dir.join("count.toml");
    write(&file, &content);
    file
}

#[test]
fn kill_9_at_twenty_random_moments_repeats_no_recorded_node_and_publishes_every_effect_once() {
    let mut rng = Rng::from_env();
    let seed = rng.seed();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = counting_workflow(dir.path());
    let log = dir.path().join("attempts.log");
    let mut id: Option<String> = None;
    let mut kills = 0;
    let mut check_later_attempts = Vec::new();
    for round in 0..20 {
        let mut command = symphony(&data);
        command.arg("run").arg(&file).args(["--workers", "4"]);
        if let Some(id) = &id {
            command.args(["--resume", id]);
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(20 + rng.next() % 400));
        if child.try_wait().unwrap().is_some() {
            break;
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        kills += 1;
        // PR_SET_PDEATHSIG kills the children with their parent; give the kernel a moment.
        std::thread::sleep(Duration::from_millis(20));
        clear_dir(&dir.path().join("locks"));
        let Some(current) = id.clone().or_else(|| try_newest_run(&data)) else {
            continue; // killed before the run directory existed
        };
        id = Some(current.clone());
        let durable: HashSet<String> = read_checkpoint(&data, &current)
            .completed
            .keys()
            .map(|n| n.as_str().to_owned())
            .collect();
        let offset = std::fs::metadata(&log).map_or(0, |m| m.len());
        check_later_attempts.push((round, offset, durable));
    }
    // Finish the run.
    let mut command = symphony(&data);
    command.arg("run").arg(&file).args(["--workers", "4"]);
    if let Some(id) = &id {
        command.args(["--resume", id]);
    }
    let out = run_to_end(&mut command);
    assert_eq!(
        out.status.code(),
        Some(0),
        "seed {seed}: {}",
        text(&out.stderr)
    );
    let id = id.unwrap_or_else(|| newest_run(&data));
    assert!(
        kills >= 5,
        "seed {seed}: only {kills} kills landed during the run"
    );

    let violations = std::fs::read_to_string(dir.path().join("violations.log")).unwrap_or_default();
    assert!(
        violations.is_empty(),
        "seed {seed}: attempts overlapped:\n{violations}"
    );
    let attempts = std::fs::read(&log).unwrap();
    for (round, offset, durable) in &check_later_attempts {
        let later = text(&attempts[*offset as usize..]);
        let again: Vec<&str> = later.lines().filter(|n| durable.contains(*n)).collect();
        assert!(
            again.is_empty(),
            "seed {seed}: after kill {round}, nodes recorded as completed ran again: {again:?}"
        );
    }
    let mut counts: HashMap<&str, usize> = HashMap::new();
    let attempts_text = text(&attempts);
    for node in attempts_text.lines() {
        *counts.entry(node).or_default() += 1;
    }
    let outputs = run_dir(&data, &id).join("outputs");
    for i in 0..2000 {
        let node = format!("n{i}");
        assert!(
            counts.get(node.as_str()).copied().unwrap_or(0) >= 1,
            "seed {seed}: {node} never ran"
        );
        let effect = std::fs::read_to_string(outputs.join(&node).join("effect"))
            .unwrap_or_else(|e| panic!("seed {seed}: {node}'s effect is not published: {e}"));
        assert_eq!(effect, format!("{node} {id}\n"));
        let published = std::fs::read_dir(outputs.join(&node)).unwrap().count();
        assert_eq!(
            published, 1,
            "seed {seed}: {node} published {published} files"
        );
    }
    assert!(
        !run_dir(&data, &id).join("stage").exists(),
        "a completed run leaves no stage"
    );
    let checkpoint = read_checkpoint(&data, &id);
    assert_eq!(checkpoint.completed.len(), 2000);
}

fn try_newest_run(data: &Path) -> Option<String> {
    let mut ids: Vec<String> = std::fs::read_dir(data.join("runs"))
        .ok()?
        .flatten()
        .filter(|e| e.path().join("journal.log").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    ids.sort();
    ids.pop()
}

fn clear_dir(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let _ = std::fs::remove_dir(entry.path());
    }
}

#[test]
fn an_input_without_a_value_stops_the_run_until_one_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("input.toml");
    write(
        &file,
        r#"[[nodes]]
id = "limit"
kind = "input"
outputs = [{ name = "n", type = "number" }]
[[nodes]]
id = "check"
kind = "branch"
[[nodes]]
id = "big"
kind = "operator"
runner = "shell"
params = { command = "echo \"$SYMPHONY_INPUTS\" > $SYMPHONY_OUT/seen" }
[[edges]]
from = "limit"
to = "check"
kind = "control"
[[edges]]
from = "check"
to = "big"
kind = "conditional"
condition = "value > 10"
"#,
    );
    let out = run_to_end(symphony(&data).arg("run").arg(&file));
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("--input limit=VALUE"),
        "{}",
        text(&out.stderr)
    );
    let id = newest_run(&data);
    let out = run_to_end(
        symphony(&data)
            .arg("run")
            .arg(&file)
            .args(["--resume", &id, "--input", "limit=42"]),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let seen = std::fs::read_to_string(run_dir(&data, &id).join("outputs/big/seen")).unwrap();
    assert_eq!(seen.trim(), r#"{"check":42}"#);

    let out = run_to_end(
        symphony(&data)
            .arg("run")
            .arg(&file)
            .args(["--input", "big=1"]),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("not an input"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn an_invalid_workflow_gets_no_run_directory() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("bad.toml");
    write(&file, "[[nodes]]\nid = \"a\"\nkind = \"nonsense\"\n");
    let out = run_to_end(symphony(&data).arg("run").arg(&file));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("bad.toml:3"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        !data.join("runs").exists() || std::fs::read_dir(data.join("runs")).unwrap().count() == 0
    );
}
