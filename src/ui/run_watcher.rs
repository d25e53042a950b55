//! Watches `DATA_DIR/runs/` for the monitor pane: twice a second, the newest run's journal is
//! read again when it grew, folded into its history and sent as `Action::Monitor`. Runs
//! started anywhere (the Conductor, `symphony run` in another terminal) show up.

use std::path::{Path, PathBuf};
use std::time::Duration;

use pit::journal::{self, Record};
use pit::runs::{RunHistory, RunId};
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use crate::app::Action;
use crate::app::monitor::RunView;

/// How often the runs directory is looked at.
const POLL: Duration = Duration::from_millis(500);

/// Starts watching `runs`; the task ends when the receiver is gone.
pub fn watch_runs(runs: PathBuf, tx: UnboundedSender<Action>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut seen: Option<(String, u64)> = None;
        let mut tick = tokio::time::interval(POLL);
        loop {
            tick.tick().await;
            let dir = runs.clone();
            let last = seen.clone();
            let found = tokio::task::spawn_blocking(move || newest_changed(&dir, last.as_ref()))
                .await
                .ok()
                .flatten();
            if let Some((key, view)) = found {
                seen = Some(key);
                if tx.send(Action::Monitor(view)).is_err() {
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
    let workflow = contents
        .records
        .iter()
        .find_map(|r| match r {
            Record::Run(run) => Some(run.name.clone().unwrap_or_else(|| run.workflow.clone())),
            _ => None,
        })
        .unwrap_or_default();
    let history = RunHistory::from_records(&contents.records);
    Some((key, RunView::new(newest, workflow, &history)))
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
