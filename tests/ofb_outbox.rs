//! The offline outbox against the real OFB: OFB is killed (SIGKILL) in the middle of a stream
//! of writes, the writes go on (queued), OFB restarts, and every write is there exactly once;
//! a crash of Symphony while offline loses nothing, and replaying the same outbox twice acts once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod ofb_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use symphony::data::mutation::Mutation;
use symphony::data::outbox::{OfflineQueue, Submitted};
use symphony::ports::data_access::*;

use ofb_support::{LiveOfb, spec};

fn create(name: String, me: UserId, project: ProjectId) -> Mutation {
    Mutation::CreateWorkflow {
        request: NewWorkflow {
            spec: spec(&name, &[("only", "echo")]),
            user_id: me,
            project_id: project,
            estimated_cost: 1.0,
        },
    }
}

/// Workflow names in the order OFB created them.
async fn names(ofb: &LiveOfb, project: ProjectId) -> Vec<String> {
    let mut all = ofb.admin().list_workflows(project).await.unwrap();
    all.sort_by_key(|w| w.id);
    all.into_iter().map(|w| w.spec.name).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_ofb_mid_stream_loses_no_write_and_duplicates_none() {
    let mut ofb = LiveOfb::start();
    let (me, project) = ofb.project_with_echo("outbox").await;
    let dir = tempfile::tempdir().unwrap();
    let queue = OfflineQueue::open(ofb.impatient_admin(), &dir.path().join("outbox")).unwrap();
    const WRITES: usize = 40;
    let done = Arc::new(AtomicUsize::new(0));
    let pid = ofb.process.pid().unwrap();
    let killer = {
        let done = done.clone();
        std::thread::spawn(move || {
            while done.load(Ordering::SeqCst) < 12 {
                std::thread::sleep(Duration::from_millis(1));
            }
            nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid as i32),
                nix::sys::signal::Signal::SIGKILL,
            )
            .unwrap();
        })
    };
    let mut queued = 0;
    for i in 0..WRITES {
        match queue
            .submit(create(format!("w{i:02}"), me, project))
            .await
            .unwrap()
        {
            Submitted::Applied(_) => {}
            Submitted::Queued { .. } => queued += 1,
        }
        done.fetch_add(1, Ordering::SeqCst);
    }
    killer.join().unwrap();
    assert!(queued > 0, "writes after the kill must have been queued");
    assert_eq!(queue.pending().await, queued);

    ofb.restart();
    let replay = queue.replay().await.unwrap();
    assert!(replay.refused.is_empty(), "{:?}", replay.refused);
    assert_eq!(replay.pending, 0);
    let expected: Vec<String> = (0..WRITES).map(|i| format!("w{i:02}")).collect();
    assert_eq!(
        names(&ofb, project).await,
        expected,
        "each write once, in order"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_while_offline_loses_nothing_and_a_second_replay_creates_nothing() {
    let mut ofb = LiveOfb::start();
    let (me, project) = ofb.project_with_echo("outbox").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox");
    ofb.process.kill();
    {
        let queue = OfflineQueue::open(ofb.impatient_admin(), &path).unwrap();
        for i in 0..5 {
            let submitted = queue
                .submit(create(format!("q{i}"), me, project))
                .await
                .unwrap();
            assert!(matches!(submitted, Submitted::Queued { pending, .. } if pending == i + 1));
        }
    } // Symphony "crashes": the queue is dropped with no shutdown.
    let snapshot = std::fs::read(&path).unwrap();

    ofb.restart();
    let queue = OfflineQueue::open(ofb.impatient_admin(), &path).unwrap();
    assert_eq!(
        queue.pending().await,
        5,
        "every queued write survived the crash"
    );
    assert_eq!(queue.replay().await.unwrap().applied.len(), 5);
    drop(queue);

    // As if Symphony had crashed after OFB acted but before the outbox noted it.
    std::fs::write(&path, snapshot).unwrap();
    let queue = OfflineQueue::open(ofb.impatient_admin(), &path).unwrap();
    let again = queue.replay().await.unwrap();
    assert_eq!(
        again.applied.len(),
        5,
        "OFB answers replays from their keys"
    );
    assert_eq!(
        names(&ofb, project).await,
        vec!["q0", "q1", "q2", "q3", "q4"]
    );
    // OFB audits each replay in the project it was about, with its target.
    let page = ofb
        .admin()
        .read_audit(project, &AuditQuery::default())
        .await
        .unwrap();
    let replays: Vec<_> = page
        .items
        .iter()
        .filter(|e| e.outcome == AuditOutcome::Replayed)
        .collect();
    assert_eq!(replays.len(), 5, "{:?}", page.items);
    assert!(replays.iter().all(|e| e.project_id == Some(project)
        && e.action == "workflow.create"
        && e.target_type.as_deref() == Some("workflow")));
}
