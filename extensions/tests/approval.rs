//! OFB's decision binds: an installed extension does not start until approved, and runs with
//! the granted permissions only — the real host and the fault guest, which writes where it is
//! told, under a manifest that requests a write grant.

use std::path::{Path, PathBuf};

use extensions::protocol::{Artifact, InvokeParams};
use extensions::{
    Approval, ApprovalStatus, Authority, CancelToken, ExtensionError, ExtensionHost, LimitKind,
    Registry,
};
use serde_json::json;

const MANIFEST: &str = r#"
id = "test.writer"
name = "Writer"
version = "1.0.0"
author = "tests"
license = "MIT"
type = "operator"
[[capabilities]]
method = "write"
[permissions]
fs_write = ["$PROJECT/out/**"]
[runtime]
kind = "native"
command = "./guest"
"#;

fn installed(dir: &Path) -> Registry {
    let source = dir.join("source");
    std::fs::create_dir_all(&source).expect("source dir");
    std::fs::copy(
        env!("CARGO_BIN_EXE_symphony-fault-guest"),
        source.join("guest"),
    )
    .expect("guest");
    std::fs::write(source.join("symphony-extension.toml"), MANIFEST).expect("manifest");
    let registry = Registry::new(dir.join("extensions"));
    registry.install(&source).expect("installs");
    registry
}

fn host(registry: &Registry, project: &Path) -> Result<ExtensionHost, ExtensionError> {
    registry.host(
        "test.writer",
        PathBuf::from(env!("CARGO_BIN_EXE_symphony-ext-host")),
        Vec::new(),
        Some(project.to_path_buf()),
    )
}

fn write(host: &mut ExtensionHost, path: &Path) -> Result<(), ExtensionError> {
    let params = InvokeParams {
        method: "write".into(),
        inputs: vec![Artifact {
            name: "text".into(),
            media_type: "text/plain".into(),
            text: String::new(),
        }],
        params: json!({"path": path}),
        deadline_ms: None,
    };
    host.invoke(&params, &mut |_| {}, &CancelToken::default())
        .map(|_| ())
}

fn decide(registry: &Registry, status: ApprovalStatus, granted: &[&str]) {
    let installed = registry.get("test.writer").expect("installed");
    let mut record = registry.approval(&installed).expect("record");
    record.status = status;
    record.authority = Authority::Ofb;
    record.granted = granted.iter().map(|g| (*g).to_owned()).collect();
    registry
        .set_approval(&installed.manifest.id, &record)
        .expect("saved");
}

#[test]
fn an_extension_runs_only_once_approved_and_only_with_what_was_granted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let registry = installed(dir.path());
    let project = dir.path().join("project");
    std::fs::create_dir_all(project.join("out")).expect("out");
    let target = project.join("out/written.txt");

    let refused = host(&registry, &project).expect_err("not approved yet");
    assert!(
        matches!(refused, ExtensionError::NotApproved { .. }),
        "{refused}"
    );
    assert!(
        refused.to_string().contains("not approved yet"),
        "{refused}"
    );

    decide(&registry, ApprovalStatus::Pending, &[]);
    let refused = host(&registry, &project).expect_err("pending");
    assert!(
        refused
            .to_string()
            .contains("symphony ext approve test.writer"),
        "{refused}"
    );

    // Approved with nothing granted: the write its manifest asks for is denied.
    decide(&registry, ApprovalStatus::Approved, &[]);
    let mut narrowed = host(&registry, &project).expect("approved");
    let denied = write(&mut narrowed, &target).expect_err("no write grant");
    assert!(
        matches!(
            denied,
            ExtensionError::LimitExceeded {
                limit: LimitKind::Filesystem,
                ..
            }
        ),
        "{denied}"
    );
    assert!(!target.exists(), "the write must not happen");
    drop(narrowed);

    decide(
        &registry,
        ApprovalStatus::Approved,
        &["fs-write:$PROJECT/out/**"],
    );
    let mut granted = host(&registry, &project).expect("approved");
    write(&mut granted, &target).expect("writes inside its grant");
    assert!(target.exists());
    drop(granted);

    decide(&registry, ApprovalStatus::Revoked, &[]);
    let refused = host(&registry, &project).expect_err("revoked");
    assert!(refused.to_string().contains("revoked"), "{refused}");
}

#[test]
fn a_local_grant_gives_what_the_manifest_requests_and_remove_forgets_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let registry = installed(dir.path());
    let installed = registry.get("test.writer").expect("installed");
    registry
        .set_approval(
            &installed.manifest.id,
            &Approval::local(&installed.manifest),
        )
        .expect("saved");
    let project = dir.path().join("project");
    std::fs::create_dir_all(project.join("out")).expect("out");
    let mut local = host(&registry, &project).expect("granted locally");
    write(&mut local, &project.join("out/x")).expect("writes");
    drop(local);
    registry.remove("test.writer").expect("removed");
    assert!(!registry.approval_path(&installed.manifest.id).exists());
}
