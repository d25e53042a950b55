//! Running the board's workflow: the real `symphony run` in its own process on the board's
//! data directory, its end reported back to the board, and a file that cannot run says why.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::Duration;

use symphony::app::board::{BoardAction, RunEnd};
use symphony::app::{Action, Effect};
use symphony::ui::board_tasks::{BoardTasks, RunWith};

const WORKFLOW: &str = r#"
name = "from-the-board"
[[nodes]]
id = "hello"
kind = "operator"
runner = "shell"
params = { command = "echo hello" }
"#;

async fn ended(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Action>) -> Result<RunEnd, String> {
    let action = tokio::time::timeout(Duration::from_secs(60), rx.recv())
        .await
        .expect("the run ends")
        .expect("an action");
    match action {
        Action::Board(BoardAction::RunEnded { result, .. }) => result,
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_workflow_runs_and_its_end_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("w.toml");
    std::fs::write(&file, WORKFLOW).unwrap();
    let data = dir.path().join("data");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut tasks = BoardTasks::new(tx, None).with_runner(RunWith {
        program: PathBuf::from(env!("CARGO_BIN_EXE_symphony")),
        data_dir: Some(data.clone()),
    });
    let rest = tasks.execute(vec![Effect::BoardRun(file.clone())]);
    assert!(rest.is_empty(), "the board takes its own effect");
    let end = ended(&mut rx).await.unwrap();
    assert!(end.completed, "{end:?}");
    assert!(
        end.summary.contains("completed (1 completed, 0 failed"),
        "{end:?}"
    );
    let runs: Vec<_> = std::fs::read_dir(data.join("runs")).unwrap().collect();
    assert_eq!(runs.len(), 1, "the run is recorded where the monitor looks");

    std::fs::write(&file, "name = \"broken\"\n[[nodes]]\nid = \"x\"\n").unwrap();
    tasks.execute(vec![Effect::BoardRun(file)]);
    let why = ended(&mut rx).await.unwrap_err();
    assert!(!why.is_empty(), "a file that cannot run says why");
}
