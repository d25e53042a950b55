//! WebAssembly extensions: the samples' methods, and each attack against a hand-written WAT
//! guest, through the real host binary. A guest may import only WASI preview 1, which has no
//! way to open a socket; its file access is tested in `tests/wasi.rs`. A module importing
//! anything else fails to load, by name.

use std::path::{Path, PathBuf};

use extensions::protocol::{Artifact, InvokeParams};
use extensions::{CancelToken, ExtensionError, ExtensionHost, HostCommand, LimitKind, Manifest};
use serde_json::json;
use tempfile::TempDir;

const ATTACKS: &str = r#"
(module
  (memory (export "memory") 1)
  (func (export "alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "echo") (param $p i32) (param $n i32) (result i64)
    (i64.or (i64.shl (i64.extend_i32_u (local.get $p)) (i64.const 32)) (i64.extend_i32_u (local.get $n))))
  (func (export "panic") (param i32 i32) (result i64) unreachable)
  (func (export "spin") (param i32 i32) (result i64) (loop $l (br $l)) (i64.const 0))
  (func (export "alloc10g") (param i32 i32) (result i64)
    (drop (memory.grow (i32.const 160000)))
    (i32.load (i32.const 4000000000)) drop (i64.const 0))
  (func $deep (param $n i32) (result i32) (i32.add (call $deep (i32.add (local.get $n) (i32.const 1))) (i32.const 1)))
  (func (export "stack") (param i32 i32) (result i64) (i64.extend_i32_u (call $deep (i32.const 0))))
  (func (export "fail") (param i32 i32) (result i64)
    ;; An error: "no" at 0 (negated (0 << 32) | 2).
    (i32.store16 (i32.const 0) (i32.const 0x6f6e))
    (i64.const -2))
)
"#;

fn extension(
    dir: &Path,
    id: &str,
    kind: &str,
    module_name: &str,
    module: &str,
    methods: &[&str],
    resources: &str,
) {
    std::fs::create_dir_all(dir).expect("dir");
    std::fs::write(dir.join(module_name), module).expect("module");
    let caps: String = methods
        .iter()
        .map(|m| format!("[[capabilities]]\nmethod = \"{m}\"\n"))
        .collect();
    let manifest = format!(
        "id = \"{id}\"\nname = \"t\"\nversion = \"1.0.0\"\nauthor = \"t\"\nlicense = \"MIT\"\ntype = \"{kind}\"\n{caps}[resources]\n{resources}\n[runtime]\nkind = \"wasm\"\nmodule = \"{module_name}\"\n"
    );
    std::fs::write(dir.join("symphony-extension.toml"), manifest).expect("manifest");
}

fn host_for(dir: &Path, data: PathBuf) -> ExtensionHost {
    ExtensionHost::new(
        Manifest::load(dir).expect("valid"),
        HostCommand {
            program: PathBuf::from(env!("CARGO_BIN_EXE_symphony-ext-host")),
            prefix: Vec::new(),
            extension_dir: dir.to_path_buf(),
            data_dir: data,
            project: None,
            granted: None,
        },
    )
}

fn attacks() -> (TempDir, ExtensionHost) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("ext");
    extension(
        &dir,
        "test.wasm-attacks",
        "motif",
        "attacks.wat",
        ATTACKS,
        &["echo", "panic", "spin", "alloc10g", "stack", "fail"],
        "memory_mb = 32\ntimeout_seconds = 2\nretries = 1",
    );
    let host = host_for(&dir, tmp.path().join("data"));
    (tmp, host)
}

fn call(
    host: &mut ExtensionHost,
    method: &str,
    text: &str,
    deadline_ms: Option<u64>,
) -> Result<String, ExtensionError> {
    let params = InvokeParams {
        method: method.into(),
        inputs: vec![Artifact {
            name: "text".into(),
            media_type: "text/plain".into(),
            text: text.into(),
        }],
        params: json!({}),
        deadline_ms,
    };
    host.invoke(&params, &mut |_| {}, &CancelToken::default())
        .map(|r| {
            r.outputs
                .first()
                .map(|a| a.text.clone())
                .unwrap_or_default()
        })
}

fn limit_of(e: &ExtensionError) -> Option<LimitKind> {
    match e {
        ExtensionError::LimitExceeded { limit, .. } => Some(*limit),
        _ => None,
    }
}

#[test]
fn a_trapping_guest_is_a_crash_and_the_next_call_works() {
    let (_t, mut h) = attacks();
    let e = call(&mut h, "panic", "", None).expect_err("traps");
    assert!(
        e.to_string()
            .contains("`test.wasm-attacks` crashed mid-call: wasm trap"),
        "{e}"
    );
    assert_eq!(h.restarts(), 1);
    assert_eq!(call(&mut h, "echo", "hello", None).expect("echo"), "hello");
}

#[test]
fn a_spinning_guest_is_interrupted_at_its_deadline() {
    let (_t, mut h) = attacks();
    let started = std::time::Instant::now();
    let e = call(&mut h, "spin", "", Some(100)).expect_err("spins");
    assert_eq!(limit_of(&e), Some(LimitKind::Deadline), "{e}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(call(&mut h, "echo", "ok", None).expect("echo"), "ok");
}

#[test]
fn a_guest_growing_to_10_gb_hits_its_memory_limit() {
    let (_t, mut h) = attacks();
    let e = call(&mut h, "alloc10g", "", None).expect_err("grows");
    assert_eq!(limit_of(&e), Some(LimitKind::Memory), "{e}");
    assert!(e.to_string().contains("32 MiB"), "{e}");
}

#[test]
fn a_guest_recursing_forever_overflows_its_stack() {
    let (_t, mut h) = attacks();
    let e = call(&mut h, "stack", "", None).expect_err("overflows");
    assert_eq!(limit_of(&e), Some(LimitKind::Stack), "{e}");
    assert_eq!(call(&mut h, "echo", "ok", None).expect("echo"), "ok");
}

#[test]
fn a_guest_error_is_its_message_and_not_retried() {
    let (_t, mut h) = attacks();
    let e = call(&mut h, "fail", "", None).expect_err("fails");
    assert!(e.to_string().ends_with("failed: no"), "{e}");
    assert_eq!(h.restarts(), 0);
}

#[test]
fn a_module_importing_files_or_sockets_does_not_load() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("ext");
    let module = r#"(module
      (import "wasi_snapshot_preview1" "sock_open" (func (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "alloc") (param i32) (result i32) (i32.const 0))
      (func (export "go") (param i32 i32) (result i64) (i64.const 0)))"#;
    extension(
        &dir,
        "test.importer",
        "operator",
        "m.wat",
        module,
        &["go"],
        "memory_mb = 64",
    );
    let mut h = host_for(&dir, tmp.path().join("data"));
    let e = call(&mut h, "go", "", None).expect_err("does not load");
    assert!(e.to_string().contains("test.importer"), "{e}");
}

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

#[test]
fn the_text_ops_operator_transforms_text() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut h = host_for(&sample("text-ops"), tmp.path().join("data"));
    let ping = h.ping(std::time::Duration::from_secs(5)).expect("ping");
    for confinement in ["wasm", "host-landlock", "host-landlock-net", "host-netns"] {
        assert!(
            ping.sandbox.iter().any(|s| s == confinement),
            "{confinement}: {:?}",
            ping.sandbox
        );
    }
    assert_eq!(
        call(&mut h, "upper", "Hello, wasm!", None).expect("upper"),
        "HELLO, WASM!"
    );
    assert_eq!(
        call(&mut h, "lower", "Hello, WASM!", None).expect("lower"),
        "hello, wasm!"
    );
    assert_eq!(
        call(&mut h, "words", "  one two\n\tthree  ", None).expect("words"),
        "one\ntwo\nthree\n"
    );
    assert_eq!(
        call(&mut h, "join", "a\nb\r\n\nc\n", None).expect("join"),
        "a b c"
    );
    assert_eq!(call(&mut h, "words", "", None).expect("empty"), "");
    let big = "x ".repeat(200_000);
    assert_eq!(
        call(&mut h, "upper", &big, None)
            .expect("grows memory")
            .len(),
        big.len()
    );
    assert!(
        tmp.path()
            .join("data/cache")
            .read_dir()
            .expect("cache")
            .count()
            == 1,
        "compiled once, cached"
    );
}

#[test]
fn the_word_count_motif_returns_styled_lines() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut h = host_for(&sample("word-count"), tmp.path().join("data"));
    let out = call(&mut h, "count", "Hello wörld\nsecond line here\n", None).expect("count");
    let lines: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(
        lines,
        json!([{"text": "5 words", "style": "bold"}, {"text": "2 lines · 29 chars", "style": "dim"}])
    );
    let out = call(&mut h, "count", "", None).expect("empty");
    assert!(out.contains("0 words"), "{out}");
}
