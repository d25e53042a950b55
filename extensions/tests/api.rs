//! `api` extensions: the host calls an HTTP endpoint (wiremock here) with the call and the
//! extension's settings, over the network grant only, and turns its answers and failures into
//! results and errors naming the extension.

use std::path::{Path, PathBuf};

use extensions::protocol::{Artifact, InvokeParams};
use extensions::{CancelToken, ExtensionError, ExtensionHost, HostCommand, Manifest};
use serde_json::json;
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn manifest(endpoint: &str, grant: &str) -> String {
    format!(
        r#"id = "test.api"
name = "t"
version = "1.0.0"
author = "t"
license = "MIT"
type = "instrument"
[[capabilities]]
method = "greet"
[[capabilities]]
method = "broken"
[permissions]
network = ["{grant}"]
[runtime]
kind = "api"
endpoint = "{endpoint}"
[config.greeting]
type = "string"
default = "hi"
"#
    )
}

fn host(dir: &Path, text: &str) -> ExtensionHost {
    std::fs::create_dir_all(dir).expect("dir");
    std::fs::write(dir.join("symphony-extension.toml"), text).expect("manifest");
    ExtensionHost::new(
        Manifest::load(dir).expect("valid"),
        HostCommand {
            program: PathBuf::from(env!("CARGO_BIN_EXE_symphony-ext-host")),
            prefix: Vec::new(),
            extension_dir: dir.to_path_buf(),
            data_dir: dir.join("data"),
            project: None,
            granted: None,
        },
    )
}

fn call(host: &mut ExtensionHost, method: &str) -> Result<String, ExtensionError> {
    let params = InvokeParams {
        method: method.into(),
        inputs: vec![Artifact {
            name: "name".into(),
            media_type: "text/plain".into(),
            text: "Ada".into(),
        }],
        params: json!({}),
        deadline_ms: Some(10_000),
    };
    host.invoke(&params, &mut |_| {}, &CancelToken::default())
        .map(|r| r.outputs.into_iter().map(|a| a.text).collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn the_host_posts_each_call_with_its_settings_and_reads_the_outputs() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/ext/invoke"))
        .and(body_partial_json(json!({
            "method": "greet",
            "inputs": [{"name": "name", "text": "Ada"}],
            "config": {"greeting": "hi"}
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "outputs": [{"name": "reply", "media_type": "text/plain", "text": "hi Ada"}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/ext/invoke"))
        .and(body_partial_json(json!({"method": "broken"})))
        .respond_with(
            ResponseTemplate::new(503).set_body_json(json!({"error": {"message": "overloaded"}})),
        )
        .mount(&server)
        .await;
    let uri = server.uri();
    let grant = uri.trim_start_matches("http://").to_owned();
    let (reply, broken, ping) = tokio::task::spawn_blocking(move || {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut h = host(
            &tmp.path().join("ext"),
            &manifest(&format!("{uri}/ext/"), &grant),
        );
        let reply = call(&mut h, "greet");
        let broken = call(&mut h, "broken");
        let ping = h.ping(std::time::Duration::from_secs(5));
        (reply, broken, ping)
    })
    .await
    .expect("the calls finish");
    assert_eq!(reply.expect("a reply"), "hi Ada");
    let e = broken.expect_err("a 503 is a failure");
    assert!(
        e.to_string().starts_with("extension `test.api` failed: ")
            && e.to_string()
                .ends_with("/ext/invoke answered 503: overloaded"),
        "{e}"
    );
    let sandbox = ping.expect("ping").sandbox;
    for confinement in ["api", "host-landlock", "host-landlock-net"] {
        assert!(
            sandbox.contains(&confinement.to_owned()),
            "{confinement} missing from {sandbox:?}"
        );
    }
}

#[test]
fn an_endpoint_outside_the_network_grants_is_refused_and_https_does_not_start() {
    let e = Manifest::parse(
        &manifest("http://127.0.0.1:8080", "127.0.0.1:9090"),
        "api.toml",
    )
    .expect_err("not granted");
    assert!(
        e.to_string()
            .contains("`runtime.endpoint`: `127.0.0.1:8080` is not granted"),
        "{e}"
    );
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut h = host(
        &tmp.path().join("ext"),
        &manifest("https://api.example.com", "api.example.com"),
    );
    let e = call(&mut h, "greet").expect_err("no TLS");
    assert!(e.to_string().contains("`test.api`"), "{e}");
}

#[test]
fn an_endpoint_that_refuses_connections_is_a_failure_naming_it() {
    // A port nothing listens on: bind, learn the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut h = host(
        &tmp.path().join("ext"),
        &manifest(
            &format!("http://127.0.0.1:{port}"),
            &format!("127.0.0.1:{port}"),
        ),
    );
    let e = call(&mut h, "greet").expect_err("refused");
    assert!(
        e.to_string().contains("`test.api`")
            && e.to_string()
                .contains(&format!("cannot connect to http://127.0.0.1:{port}/invoke")),
        "{e}"
    );
}
