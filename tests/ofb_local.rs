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
