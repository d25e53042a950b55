//! Live reconnection against the real OFB: OFB is killed (SIGKILL) while Symphony runs, the
//! user's changes queue (a workflow, a run of that workflow by its provisional id, and an edit
//! OFB will refuse), OFB comes back on its port, and the reconnection task replays them in
//! order: the reports go `offline · 3 pending`, count down entry by entry, and end with one
//! refusal kept (with OFB's problem) beside the outbox.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod ofb_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use symphony::adapters::ofb::reconnect::{self, Timing};
use symphony::data::link::{Backoff, LinkReport};
use symphony::data::mutation::{Applied, Mutation};
use symphony::data::outbox::{OfflineQueue, Submitted};
use symphony::ports::data_access::*;

use ofb_support::{LiveOfb, spec};

fn create(name: &str, me: UserId, project: ProjectId) -> Mutation {
    Mutation::CreateWorkflow {
        request: NewWorkflow {
            spec: spec(name, &[("only", "echo")]),
            user_id: me,
            project_id: project,
            estimated_cost: 1.0,
        },
    }
}

fn edit(workflow: &Workflow, name: &str) -> Mutation {
    Mutation::UpdateWorkflow {
        workflow: workflow.id,
        request: WorkflowEdit {
            spec: spec(name, &[("only", "echo")]),
            estimated_cost: 1.0,
            version: WorkflowVersion(1),
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_ofb_comes_back_and_the_outbox_drains_with_live_reports() {
    let mut ofb = LiveOfb::start();
    let (me, project) = ofb.project_with_echo("reconnect").await;
    let dir = tempfile::tempdir().unwrap();
    let client = ofb.impatient_admin();
    let queue = Arc::new(OfflineQueue::open(client.clone(), &dir.path().join("outbox")).unwrap());
    let Submitted::Applied(Applied::Workflow(existing)) =
        queue.submit(create("existing", me, project)).await.unwrap()
    else {
        panic!("OFB is up");
    };

    // OFB dies; the reconnection task is running meanwhile.
    ofb.process.kill();
    let reports = Arc::new(Mutex::new(Vec::<LinkReport>::new()));
    let watcher = {
        let (queue, reports, client) = (queue.clone(), reports.clone(), client.clone());
        tokio::spawn(async move {
            let timing = Timing {
                backoff: Backoff::new(Duration::from_millis(50), Duration::from_millis(200)),
                online_every: Duration::from_millis(200),
            };
            let probe = move || {
                let client = client.clone();
                async move { client.health().await.map_err(|e| e.to_string()) }
            };
            reconnect::watch(&queue, probe, timing, |r| reports.lock().unwrap().push(r)).await;
        })
    };

    // Offline: a new workflow, a run of it by its provisional id, and two edits of the same
    // version of `existing` (the second is stale once the first lands: OFB answers 409).
    let Submitted::Queued {
        provisional: Some(provisional),
        ..
    } = queue.submit(create("offline", me, project)).await.unwrap()
    else {
        panic!("queued while OFB is dead");
    };
    let start = Mutation::StartRun {
        workflow: WorkflowId(provisional),
    };
    for mutation in [start, edit(&existing, "first"), edit(&existing, "second")] {
        let queued = queue.submit(mutation).await.unwrap();
        assert!(matches!(queued, Submitted::Queued { .. }), "{queued:?}");
    }
    wait_for(&reports, |r| r.offline.is_some() && r.pending == 4).await;

    ofb.restart();
    wait_for(&reports, |r| {
        r.offline.is_none() && r.pending == 0 && r.refused == 1
    })
    .await;
    watcher.abort();

    let seen = reports.lock().unwrap().clone();
    let counts: Vec<usize> = seen
        .iter()
        .skip_while(|r| r.offline.is_some())
        .map(|r| r.pending)
        .collect();
    assert_eq!(
        counts[..4],
        [3, 2, 1, 0],
        "the count goes down entry by entry: {seen:?}"
    );
    // The workflow created offline exists, and the run started on it under its real id.
    let admin = ofb.admin();
    let workflows = admin.list_workflows(project).await.unwrap();
    let created = workflows.iter().find(|w| w.spec.name == "offline").unwrap();
    assert!(created.id.0 < provisional);
    let page = admin
        .read_audit(project, &AuditQuery::default())
        .await
        .unwrap();
    let run = page
        .items
        .iter()
        .find(|e| e.action == "run.start")
        .expect("the queued run was started");
    assert_eq!(run.status, 201);
    let run = admin.get_run(RunId(run.target_id.unwrap())).await.unwrap();
    assert_eq!(run.workflow_id, created.id);
    // The stale edit is kept, with OFB's problem, for `symphony outbox` to show.
    let refused = queue.refused_log().read().unwrap();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].mutation, edit(&existing, "second"));
    let problem = refused[0].problem.as_ref().unwrap();
    assert_eq!((problem.status, problem.slug()), (409, "version-conflict"));
    assert_eq!(
        admin.get_workflow(existing.id).await.unwrap().spec.name,
        "first"
    );
}

async fn wait_for(reports: &Mutex<Vec<LinkReport>>, done: impl Fn(&LinkReport) -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        if reports.lock().unwrap().last().is_some_and(&done) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no such report: {:?}",
            reports.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
