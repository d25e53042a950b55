//! The `llm` Instrument against a mock OpenAI-compatible server (wiremock), through the real
//! host and sandbox: the request it sends (path, model, messages, bearer key), the reply it
//! returns, an error answer turned into a clear failure, and settings stored with
//! `extensions::config::set` (what `symphony ext config` does) reaching it.

use std::path::{Path, PathBuf};

use extensions::protocol::{Artifact, InvokeParams};
use extensions::{CancelToken, ExtensionError, ExtensionHost, HostCommand, Manifest};
use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn host() -> ExtensionHost {
    host_with_data(tempfile::tempdir().expect("tempdir").keep())
}

fn host_with_data(data_dir: PathBuf) -> ExtensionHost {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/llm");
    let exe = std::env::current_exe().expect("test path");
    let program = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/PROFILE")
        .join("examples/llm");
    assert!(
        program.exists(),
        "{} was not built: `cargo nextest run -p extensions` builds the examples with the tests (or `cargo build -p extensions --examples`)",
        program.display()
    );
    std::fs::create_dir_all(dir.join("bin")).expect("bin/");
    let installed = dir.join("bin/symphony-llm");
    let _ = std::fs::remove_file(&installed);
    if std::fs::hard_link(&program, &installed).is_err() {
        std::fs::copy(&program, &installed).expect("copy the program");
    }
    ExtensionHost::new(
        Manifest::load(&dir).expect("valid manifest"),
        HostCommand {
            program: PathBuf::from(env!("CARGO_BIN_EXE_symphony-ext-host")),
            prefix: Vec::new(),
            extension_dir: dir,
            data_dir,
            project: None,
            granted: None,
        },
    )
}

fn chat(host: &mut ExtensionHost, prompt: &str, params: Value) -> Result<String, ExtensionError> {
    let params = InvokeParams {
        method: "chat".into(),
        inputs: vec![Artifact {
            name: "prompt".into(),
            media_type: "text/plain".into(),
            text: prompt.into(),
        }],
        params,
        deadline_ms: Some(20_000),
    };
    host.invoke(&params, &mut |_| {}, &CancelToken::default())
        .map(|r| r.outputs[0].text.clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn chats_with_an_openai_compatible_server() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("authorization", "Bearer sk-test"))
        .and(body_partial_json(json!({
            "model": "tiny",
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "Say hello"}
            ]
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello!"}, "finish_reason": "stop"}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/broken/chat/completions"))
        .respond_with(
            ResponseTemplate::new(500)
                .set_body_json(json!({"error": {"message": "model not loaded"}})),
        )
        .mount(&server)
        .await;
    let base = server.uri();
    let (reply, failure) = tokio::task::spawn_blocking(move || {
        let mut h = host();
        let params = json!({"base_url": format!("{base}/v1"), "model": "tiny", "api_key": "sk-test", "system": "Be brief."});
        let reply = chat(&mut h, "Say hello", params);
        let failure = chat(&mut h, "Say hello", json!({"base_url": format!("{base}/broken"), "model": "tiny"}));
        (reply, failure)
    })
    .await
    .expect("the blocking calls finish");
    assert_eq!(reply.expect("a reply"), "Hello!");
    let e = failure.expect_err("a 500 is an error");
    assert!(
        e.to_string().contains("`symphony.llm` failed")
            && e.to_string().contains("answered 500: model not loaded"),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn reads_base_url_model_and_key_from_its_stored_settings() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/configured/chat/completions"))
        .and(header("authorization", "Bearer sk-stored"))
        .and(body_partial_json(json!({"model": "stored-model"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "from settings"}}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let base = server.uri();
    let reply = tokio::task::spawn_blocking(move || {
        let data = tempfile::tempdir().expect("tempdir").keep();
        let manifest = Manifest::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/llm"))
            .expect("valid");
        for (key, value) in [
            ("base_url", format!("{base}/configured")),
            ("model", "stored-model".to_owned()),
            ("api_key", "sk-stored".to_owned()),
        ] {
            extensions::config::set(&manifest, &data, key, &value).expect("set");
        }
        let mut h = host_with_data(data);
        chat(&mut h, "Hi", json!({}))
    })
    .await
    .expect("the blocking call finishes");
    assert_eq!(reply.expect("a reply"), "from settings");
}
