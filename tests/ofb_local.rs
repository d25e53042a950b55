//! Symphony's own OFB: started in the data directory with a local admin whose token is stored
//! 0600, reused on the next start, stopped on exit; and when it cannot start, Symphony carries
//! on offline and says why.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod ofb_support;

use std::os::unix::fs::PermissionsExt;

use symphony::adapters::ofb::DataConnection;
use symphony::adapters::ofb::local::{OfbFiles, URL_ENV};
use symphony::data::mutation::Mutation;
use symphony::data::outbox::Submitted;
use symphony::paths::DataPaths;
use symphony::ports::data_access::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn symphony_starts_its_own_ofb_in_the_data_dir_and_stops_it() {
    assert!(
        std::env::var_os(URL_ENV).is_none(),
        "unset {URL_ENV} to run this test: it checks the local OFB"
    );
    ofb_support::python();
    let dir = tempfile::tempdir().unwrap();
    let paths = DataPaths {
        root: dir.path().to_path_buf(),
    };
    let files = OfbFiles::new(&paths);
    let mut connection = DataConnection::start(&paths).await;
    assert_eq!(connection.offline, None);
    let pid = connection.process.as_ref().unwrap().pid().unwrap();
    let mode = std::fs::metadata(files.admin_token())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "the admin token is private");
    let token = std::fs::read_to_string(files.admin_token()).unwrap();

    let queue = connection.queue.as_ref().unwrap();
    let project = Mutation::CreateProject {
        request: NewProject {
            name: "mine".into(),
            cost_budget: 10.0,
        },
    };
    assert!(matches!(
        queue.submit(project).await.unwrap(),
        Submitted::Applied(_)
    ));
    connection.stop();
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}")).exists()
            || std::fs::read_to_string(format!("/proc/{pid}/status"))
                .unwrap_or_default()
                .contains("\nState:\tZ"),
        "OFB is stopped with Symphony"
    );

    // The next start finds the same database and the same admin.
    let connection = DataConnection::start(&paths).await;
    assert_eq!(connection.offline, None);
    assert_eq!(std::fs::read_to_string(files.admin_token()).unwrap(), token);
    let projects_owned = connection
        .queue
        .as_ref()
        .unwrap()
        .port()
        .current_user()
        .await
        .unwrap();
    assert_eq!(projects_owned.username, "admin");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_ofb_cannot_start_symphony_runs_offline_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    // A file where OFB's directory should be: nothing can be started there.
    std::fs::write(dir.path().join("ofb"), b"in the way").unwrap();
    let paths = DataPaths {
        root: dir.path().to_path_buf(),
    };
    let connection = DataConnection::start(&paths).await;
    let reason = connection.offline.expect("offline");
    assert!(reason.contains("cannot create"), "{reason}");
    assert!(connection.process.is_none());
}

/// The local OFB dies (SIGKILL) while Symphony runs: the watch notices, starts it again on its
/// port, and the link comes back; ending the watch stops the OFB it started.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_local_ofb_that_dies_is_started_again_by_the_watch() {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;
    use symphony::adapters::ofb::reconnect::Timing;
    use symphony::data::link::{Backoff, LinkReport};

    ofb_support::python();
    let dir = tempfile::tempdir().unwrap();
    let paths = DataPaths {
        root: dir.path().to_path_buf(),
    };
    let connection = DataConnection::start(&paths).await;
    assert_eq!(connection.offline, None);
    let first = connection.process.as_ref().unwrap().pid().unwrap();
    let url = connection.process.as_ref().unwrap().url().to_owned();
    let reports = Arc::new(Mutex::new(Vec::<LinkReport>::new()));
    let timing = Timing {
        backoff: Backoff::new(Duration::from_millis(50), Duration::from_millis(200)),
        online_every: Duration::from_millis(100),
    };
    let watch = {
        let reports = reports.clone();
        tokio::spawn(connection.watch(timing, move |r| reports.lock().unwrap().push(r)))
    };
    let online = || {
        reports
            .lock()
            .unwrap()
            .last()
            .is_some_and(|r| r.offline.is_none())
    };
    let wait = |what: &str, done: &dyn Fn() -> bool| {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while !done() {
            assert!(
                std::time::Instant::now() < deadline,
                "{what}: {:?}",
                reports.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    wait("online at first", &online);
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(first as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    let client = symphony::adapters::ofb::OfbClient::new(symphony::adapters::ofb::OfbConfig::new(
        url.clone(),
    ))
    .unwrap();
    // Back on the same address, answered by a new process.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        if client.health().await.is_ok() && !alive(first) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "OFB was not started again"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    wait("online again", &online);
    watch.abort();
    let _ = watch.await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(client.health().await.is_err(), "ending the watch stops OFB");
}

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .is_ok_and(|status| !status.contains("\nState:\tZ"))
}
