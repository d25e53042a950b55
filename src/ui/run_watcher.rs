//! Watches `DATA_DIR/runs/` for the monitor pane: twice a second, the newest run's journal is
//! read again when it grew (or the run is live), folded into its history and sent as
//! `Action::Monitor`. Runs started anywhere (the Conductor, `symphony run` in another
//! terminal) show up. Troubled nodes' logs are read here too, so that the pane and its update
//! never touch the disk.

use std::path::{Path, PathBuf};
use std::time::Duration;

use pit::journal::{self, Record};
use pit::runs::{self, RunHistory, RunId};
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use crate::app::Action;
use crate::app::monitor::{RunSource, RunView};

/// How long a run without an end may write nothing before it counts as killed, not live.
const QUIET_MS: u64 = 10 * 60 * 1000;

/// How often the runs directory is looked at.
const POLL: Duration = Duration::from_millis(500);

/// Starts watching `runs`; the task ends when the receiver is gone.
pub fn watch_runs(runs: PathBuf, tx: UnboundedSender<Action>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut seen: Option<(String, u64)> = None;
        let mut live = false;
        let mut tick = tokio::time::interval(POLL);
        loop {
            tick.tick().await;
            let dir = runs.clone();
            // A live run is read again even when its journal did not grow, so that running
            // nodes' times go on (the pane's update never reads the clock).
            let last = if live { None } else { seen.clone() };
            let found = tokio::task::spawn_blocking(move || newest_changed(&dir, last.as_ref()))
                .await
                .ok()
                .flatten();
            if let Some((key, view)) = found {
                seen = Some(key);
                // A run without an end whose journal has been quiet for long was killed.
                live = view.ended.is_none() && view.now_ms < view.last_ms + QUIET_MS;
                if tx.send(Action::Monitor(Box::new(view))).is_err() {
                    break;
                }
            } else if tx.is_closed() {
                break;
            }
        }
    })
}

/// The newest run's view, if it is another run than `seen` or its journal grew.
fn newest_changed(runs: &Path, seen: Option<&(String, u64)>) -> Option<((String, u64), RunView)> {
    let newest = std::fs::read_dir(runs)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .filter(|name| RunId::parse(name).is_some())
        .max()?;
    let path = runs.join(&newest).join("journal.log");
    let len = std::fs::metadata(&path).ok()?.len();
    let key = (newest.clone(), len);
    if seen == Some(&key) {
        return None;
    }
    let contents = journal::read(&path).ok()?;
    let view = view_of_run(
        &runs.join(&newest),
        &newest,
        &contents.records,
        runs::now_ms(),
    );
    Some((key, view))
}

/// How much of a troubled node's log the monitor keeps (its end).
const LOG_TAIL: usize = 16 * 1024;

/// The monitor's view of the run in `dir` (id `run`) from its journal's `records`, read at
/// `now_ms`, with the end of each troubled node's log (`logs/<node>.log`).
pub fn view_of_run(dir: &Path, run: &str, records: &[Record], now_ms: u64) -> RunView {
    let (file, name) = records
        .iter()
        .find_map(|r| match r {
            Record::Run(run) => Some((run.workflow.clone(), run.name.clone())),
            _ => None,
        })
        .unwrap_or_default();
    let history = RunHistory::from_records(records);
    let source = RunSource {
        run: run.to_owned(),
        file: file.into(),
        name,
        dir: dir.to_owned(),
        now_ms,
    };
    let mut view = RunView::new(source, &history);
    for row in &mut view.rows {
        if row.recovery().is_some() {
            row.log = read_tail(&runs::log_path(dir, row.node.as_str()));
        }
    }
    view
}

/// The end of a file, from a line start, when it exists and is not empty.
fn read_tail(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    let mut start = bytes.len().saturating_sub(LOG_TAIL);
    if start > 0 {
        start += bytes[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
    }
    let text = String::from_utf8_lossy(&bytes[start..])
        .trim_end()
        .to_owned();
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use pit::journal::{JournalWriter, RunRecord};
    use pit::runs::NodeOutcome;

    #[test]
    fn the_newest_run_is_read_when_it_changes() {
        let dir = tempfile::tempdir().unwrap();
        assert!(newest_changed(dir.path(), None).is_none(), "no runs yet");
        let write = |id: &str, records: Vec<Record>| {
            let run = dir.path().join(id);
            std::fs::create_dir_all(&run).unwrap();
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let mut writer = JournalWriter::create(&run.join("journal.log")).unwrap();
                for r in records {
                    writer.write(r);
                }
                writer.sync().await.unwrap();
            });
        };
        let run_record = |nodes| {
            Record::Run(RunRecord {
                run: "r".into(),
                incarnation: 1,
                workflow: "w.toml".into(),
                name: Some("demo".into()),
                digest: "d".into(),
                nodes,
                workers: 1,
                time_scale: 1.0,
                at_ms: 1,
            })
        };
        write("20260101-000000-aaaa", vec![run_record(1)]);
        write(
            "20260102-000000-bbbb",
            vec![
                run_record(2),
                Record::Started {
                    node: "a".into(),
                    attempt: 1,
                    at_ms: 10,
                },
            ],
        );
        let (key, view) = newest_changed(dir.path(), None).unwrap();
        assert_eq!(view.run, "20260102-000000-bbbb", "the newest by id");
        assert_eq!(view.workflow, "demo");
        assert_eq!((view.total, view.ended.clone()), (2, None));
        assert_eq!(view.rows[0].outcome, NodeOutcome::Unfinished);
        assert!(
            newest_changed(dir.path(), Some(&key)).is_none(),
            "unchanged"
        );
    }
}
