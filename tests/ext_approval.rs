//! OFB decides what extensions may do, end to end: the real `symphony` binary against a real
//! OFB. `ext install` registers the extension and it may not run; an Admin's `ext approve`
//! lets it run, `ext revoke` stops it; installed while OFB is away, it waits unregistered and
//! is registered when OFB is back.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_support;
mod ofb_support;

use std::path::Path;

use cli_support::{sample, symphony_with, text};
use ofb_support::LiveOfb;
use symphony::adapters::ofb::governance::LocalProject;
use symphony::data::responses::ExtensionStatus;
use symphony::ports::data_access::DataAccessPort;

const TEXT_OPS: &str = "symphony.text-ops";

fn env(ofb: &LiveOfb) -> [(&'static str, String); 2] {
    [
        ("SYMPHONY_OFB_URL", ofb.url()),
        ("SYMPHONY_OFB_TOKEN", ofb.admin_token().0),
    ]
}

fn with(data: &Path, args: &[&str], stdin: Option<&str>, env: &[(&str, String)]) -> Output {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let out = symphony_with(data, args, stdin, &env);
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: text(&out.stdout),
        stderr: text(&out.stderr),
    }
}

#[derive(Debug)]
struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

fn upper(data: &Path, env: &[(&str, String)]) -> Output {
    with(
        data,
        &["ext", "run", TEXT_OPS, "upper", "--input", "-"],
        Some("quiet"),
        env,
    )
}

#[test]
fn an_installed_extension_runs_once_an_admin_approves_it_and_stops_when_revoked() {
    let ofb = LiveOfb::start();
    let env = env(&ofb);
    let data = tempfile::tempdir().unwrap();
    let data = data.path();
    let out = with(
        data,
        &["ext", "install", sample_path("text-ops").as_str()],
        None,
        &env,
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("waits for an Admin"), "{out:?}");
    let refused = upper(data, &env);
    assert_eq!(refused.code, 4, "{refused:?}");
    assert!(
        refused.stderr.contains("waits for an Admin's approval"),
        "{refused:?}"
    );
    let list = with(data, &["ext", "list"], None, &env);
    assert!(list.stdout.contains("pending"), "{list:?}");

    let wrong = with(
        data,
        &["ext", "approve", TEXT_OPS, "--grant", "fs:/etc/**"],
        None,
        &env,
    );
    assert_eq!(wrong.code, 2, "{wrong:?}");
    assert!(
        wrong.stderr.contains("did not request `fs:/etc/**`"),
        "{wrong:?}"
    );

    let approved = with(
        data,
        &["ext", "approve", TEXT_OPS, "--grant", "all"],
        None,
        &env,
    );
    assert_eq!(approved.code, 0, "{approved:?}");
    assert!(approved.stdout.contains("approved by OFB"), "{approved:?}");
    let ran = upper(data, &env);
    assert_eq!(ran.code, 0, "{ran:?}");
    assert!(ran.stdout.contains("QUIET"), "{ran:?}");

    // OFB holds the decision.
    let local = LocalProject::recorded(&data.join("ofb"), &ofb.url())
        .unwrap()
        .expect("the project made in that OFB");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let registered = runtime
        .block_on(ofb.admin().list_extensions(local.project))
        .unwrap();
    assert_eq!(registered.len(), 1);
    assert_eq!(registered[0].name, TEXT_OPS);
    assert_eq!(registered[0].status, ExtensionStatus::Approved);

    let revoked = with(data, &["ext", "revoke", TEXT_OPS], None, &env);
    assert_eq!(revoked.code, 0, "{revoked:?}");
    let refused = upper(data, &env);
    assert_eq!(refused.code, 4, "{refused:?}");
    assert!(refused.stderr.contains("revoked"), "{refused:?}");

    let local_grant = with(
        data,
        &[
            "ext",
            "install",
            "--local-grant",
            sample_path("word-count").as_str(),
        ],
        None,
        &env,
    );
    assert_eq!(local_grant.code, 4, "{local_grant:?}");
    assert!(
        local_grant.stderr.contains("--local-grant is refused"),
        "{local_grant:?}"
    );
    let list = with(data, &["ext", "list"], None, &env);
    assert!(
        !list.stdout.contains("word-count"),
        "nothing was installed: {list:?}"
    );
}

#[test]
fn installed_while_ofb_is_away_it_waits_and_is_registered_when_ofb_is_back() {
    let data = tempfile::tempdir().unwrap();
    let data = data.path();
    let away = [
        ("SYMPHONY_OFB_URL", "http://127.0.0.1:9".to_owned()),
        ("SYMPHONY_OFB_TOKEN", "nobody".to_owned()),
    ];
    let out = with(
        data,
        &["ext", "install", sample_path("text-ops").as_str()],
        None,
        &away,
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("OFB is out of reach"), "{out:?}");
    let refused = upper(data, &away);
    assert_eq!(refused.code, 4, "{refused:?}");
    assert!(refused.stderr.contains("not approved yet"), "{refused:?}");
    let list = with(data, &["ext", "list"], None, &away);
    assert!(list.stdout.contains("unregistered"), "{list:?}");

    let ofb = LiveOfb::start();
    let env = env(&ofb);
    let approved = with(
        data,
        &["ext", "approve", TEXT_OPS, "--grant", "none"],
        None,
        &env,
    );
    assert_eq!(approved.code, 0, "{approved:?}");
    let ran = upper(data, &env);
    assert_eq!(ran.code, 0, "{ran:?}");
    assert!(ran.stdout.contains("QUIET"), "{ran:?}");
}

fn sample_path(name: &str) -> String {
    sample(name).to_str().unwrap().to_owned()
}

#[test]
fn with_no_ofb_configured_symphony_starts_its_own_and_the_admin_grants_at_install() {
    ofb_support::python();
    let data = tempfile::tempdir().unwrap();
    let data = data.path();
    let local = [("SYMPHONY_OFB_URL", String::new())];
    let out = with(
        data,
        &[
            "ext",
            "install",
            "--grant",
            "all",
            sample_path("text-ops").as_str(),
        ],
        None,
        &local,
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("approved by OFB"), "{out:?}");
    assert!(data.join("ofb/ofb.db").exists(), "the local OFB's database");
    let ran = upper(data, &local);
    assert_eq!(ran.code, 0, "{ran:?}");
    assert!(ran.stdout.contains("QUIET"), "{ran:?}");
}
