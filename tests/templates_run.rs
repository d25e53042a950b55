//! Every Melody template instantiates and runs to completion through the real Conductor port
//! on the real sample extensions, offline: text-ops and word-count (wasm), the embedding
//! Instrument (candle, the model unpacked by its setup.sh), and the llm Instrument talking to
//! a local OpenAI-compatible server (wiremock standing in for llama.cpp or Ollama).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

mod cli_support;

use cli_support::{sample, symphony, text};

use conductor::templates;
use serde_json::json;
use symphony::adapters::{HostLauncher, LocalConductor};
use symphony::headless::ext;
use symphony::paths::DataPaths;
use symphony::ports::conductor::{Attachment, CancelFlag, ConductorPort, Proposal};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// `symphony ARGS…` on `data`, which must succeed.
fn symphony_ok(data: &Path, args: &[&str]) {
    let out = symphony(data, args, None);
    assert!(
        out.status.success(),
        "symphony {args:?}: {}",
        text(&out.stderr)
    );
}

/// Puts the example program cargo built (`target/PROFILE/examples/NAME`) where the sample's
/// manifest expects it.
fn place_program(example: &str, installed_as: &str) {
    let exe = std::env::current_exe().unwrap();
    let built = exe
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .join("examples")
        .join(example);
    assert!(
        built.exists(),
        "{} was not built: `cargo nextest run --workspace` builds the extensions' examples",
        built.display()
    );
    let bin = sample(example).join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let target = bin.join(installed_as);
    let _ = std::fs::remove_file(&target);
    if std::fs::hard_link(&built, &target).is_err() {
        std::fs::copy(&built, &target).unwrap();
    }
}

#[test]
fn every_template_runs_to_completion_on_the_samples() {
    let status = Command::new(sample("embedding").join("setup.sh"))
        .arg("--model-only")
        .status()
        .unwrap();
    assert!(
        status.success(),
        "embedding/setup.sh --model-only needs PyPI"
    );
    place_program("embedding", "symphony-embedding");
    place_program("llm", "symphony-llm");

    let data = tempfile::tempdir().unwrap();
    for name in ["text-ops", "word-count", "embedding", "llm"] {
        symphony_ok(
            data.path(),
            &[
                "ext",
                "install",
                "--local-grant",
                sample(name).to_str().unwrap(),
            ],
        );
    }
    // A local chat-completions server for the llm templates.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/chat/completions"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "id": "x", "object": "chat.completion", "model": "local",
                "choices": [{"index": 0, "finish_reason": "stop",
                    "message": {"role": "assistant", "content": "- a short answer"}}],
            })))
            .mount(&server)
            .await;
        server
    });
    let base = format!("{}/v1", server.uri());
    symphony_ok(
        data.path(),
        &["ext", "config", "symphony.llm", "base_url", &base],
    );

    let paths = DataPaths::resolve(Some(data.path())).unwrap();
    let conductor = LocalConductor::new(
        paths,
        HostLauncher {
            program: PathBuf::from(env!("CARGO_BIN_EXE_symphony")),
            prefix: ext::HOST_PREFIX.iter().map(|s| (*s).to_owned()).collect(),
            project: None,
        },
    );
    let catalog = conductor.catalog().unwrap();
    let all = templates::bundled().unwrap();
    assert!(all.len() >= 10);
    for template in &all {
        let plan = template
            .instantiate(&template.title, &serde_json::Map::new())
            .unwrap();
        plan.check(&catalog)
            .unwrap_or_else(|e| panic!("template `{}`: {e}", template.id));
        let providers = plan
            .steps
            .iter()
            .map(|s| {
                let provider = catalog.providers(&s.capability).next().unwrap();
                (s.id.clone(), provider.provider.to_string())
            })
            .collect();
        let proposal = Proposal {
            plan,
            planner: format!("template {}", template.id),
            explanation: String::new(),
            providers,
            attachments: vec![Attachment::Text {
                label: "sample".to_owned(),
                text: "The quick brown fox\njumps over the lazy dog\na quick fox".to_owned(),
            }],
            resume: None,
        };
        let report = conductor
            .run(&proposal, &mut |_| {}, &CancelFlag::new())
            .unwrap_or_else(|e| panic!("template `{}` did not run: {e}", template.id));
        assert!(
            report.succeeded,
            "template `{}` failed: {:?}",
            template.id, report.failures
        );
        assert!(
            !report.outputs.is_empty(),
            "template `{}` made no output",
            template.id
        );
    }
    let calls = runtime
        .block_on(server.received_requests())
        .unwrap_or_default();
    let llm_templates = all
        .iter()
        .filter(|t| t.steps.iter().any(|s| s.capability.as_str() == "llm.chat"))
        .count();
    assert_eq!(
        calls.len(),
        llm_templates,
        "each llm template asked the server once"
    );
}
