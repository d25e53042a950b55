//! WASI for wasm guests, through the real host binary: a hand-written WAT guest opens the
//! path it is given (the input's first byte is the directory's descriptor, the rest the
//! path), relative to one of its preopened grants, and reads or writes it.

use std::path::PathBuf;

use extensions::host::wasm::WasmExtension;
use extensions::protocol::{Artifact, InvokeParams};
use extensions::{CancelToken, ExtensionError, ExtensionHost, HostCommand, LimitKind, Manifest};
use serde_json::json;
use tempfile::TempDir;

const FILES: &str = r#"
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $env_get (param i32 i32) (result i32)))
  ;; 0: the opened fd; 8: an iovec; 16: a count; 32: an error message; 64: "hello";
  ;; 1024: the input; 65536: file data.
  (memory (export "memory") 2)
  (data (i32.const 64) "hello")
  (func (export "alloc") (param i32) (result i32) (i32.const 1024))
  ;; An error "errno NN" at 32.
  (func $error (param $errno i32) (result i64)
    (i64.store (i32.const 32) (i64.const 0x206f6e727265))
    (i32.store8 (i32.const 38) (i32.add (i32.const 48) (i32.div_u (local.get $errno) (i32.const 10))))
    (i32.store8 (i32.const 39) (i32.add (i32.const 48) (i32.rem_u (local.get $errno) (i32.const 10))))
    (i64.sub (i64.const 0) (i64.or (i64.shl (i64.const 32) (i64.const 32)) (i64.const 8))))
  (func $open (param $p i32) (param $n i32) (param $oflags i32) (param $rights i64) (result i32)
    (call $path_open
      (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)) (i32.const 1)
      (i32.add (local.get $p) (i32.const 1)) (i32.sub (local.get $n) (i32.const 1))
      (local.get $oflags) (local.get $rights) (i64.const 0) (i32.const 0) (i32.const 0)))
  (func (export "read") (param $p i32) (param $n i32) (result i64)
    (local $errno i32)
    (local.set $errno (call $open (local.get $p) (local.get $n) (i32.const 0) (i64.const 2)))
    (if (local.get $errno) (then (return (call $error (local.get $errno)))))
    (i32.store (i32.const 8) (i32.const 65536))
    (i32.store (i32.const 12) (i32.const 65536))
    (local.set $errno (call $fd_read (i32.load (i32.const 0)) (i32.const 8) (i32.const 1) (i32.const 16)))
    (if (local.get $errno) (then (return (call $error (local.get $errno)))))
    (drop (call $fd_close (i32.load (i32.const 0))))
    (i64.or (i64.shl (i64.const 65536) (i64.const 32)) (i64.extend_i32_u (i32.load (i32.const 16)))))
  (func (export "write") (param $p i32) (param $n i32) (result i64)
    (local $errno i32)
    ;; O_CREAT | O_TRUNC, right fd_write.
    (local.set $errno (call $open (local.get $p) (local.get $n) (i32.const 9) (i64.const 64)))
    (if (local.get $errno) (then (return (call $error (local.get $errno)))))
    (i32.store (i32.const 8) (i32.const 64))
    (i32.store (i32.const 12) (i32.const 5))
    (local.set $errno (call $fd_write (i32.load (i32.const 0)) (i32.const 8) (i32.const 1) (i32.const 16)))
    (if (local.get $errno) (then (return (call $error (local.get $errno)))))
    (drop (call $fd_close (i32.load (i32.const 0))))
    (i64.const 0))
  ;; Prints "hello" on stdout and stderr, then returns its input.
  (func (export "print") (param $p i32) (param $n i32) (result i64)
    (i32.store (i32.const 8) (i32.const 64))
    (i32.store (i32.const 12) (i32.const 5))
    (drop (call $fd_write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 16)))
    (drop (call $fd_write (i32.const 2) (i32.const 8) (i32.const 1) (i32.const 16)))
    (i64.or (i64.shl (i64.extend_i32_u (local.get $p)) (i64.const 32)) (i64.extend_i32_u (local.get $n))))
  ;; Returns its environment block (entries ended by NULs).
  (func (export "env") (param i32 i32) (result i64)
    (drop (call $env_sizes (i32.const 16) (i32.const 20)))
    (drop (call $env_get (i32.const 256) (i32.const 65536)))
    (i64.or (i64.shl (i64.const 65536) (i64.const 32)) (i64.extend_i32_u (i32.load (i32.const 20)))))
  (func (export "quit") (param i32 i32) (result i64)
    (drop (call $fd_write (i32.const 2) (i32.const 8) (i32.const 0) (i32.const 16)))
    (call $proc_exit (i32.const 3))
    (i64.const 0))
)
"#;

/// The project has `data/` (granted read-only: fd 3), `out/` (read-write: fd 4) and a
/// `secret.txt` beside them that is not granted.
struct Fixture {
    _tmp: TempDir,
    project: PathBuf,
    host: ExtensionHost,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ext = tmp.path().join("ext");
    let project = tmp.path().join("project");
    for dir in [&ext, &project.join("data"), &project.join("out")] {
        std::fs::create_dir_all(dir).expect("dir");
    }
    std::fs::write(project.join("data/in.txt"), "granted text").expect("file");
    std::fs::write(project.join("secret.txt"), "not for guests").expect("file");
    std::fs::write(ext.join("files.wat"), FILES).expect("module");
    let manifest = r#"id = "test.wasi-files"
name = "t"
version = "1.0.0"
author = "t"
license = "MIT"
type = "operator"
[[capabilities]]
method = "read"
[[capabilities]]
method = "write"
[[capabilities]]
method = "print"
[[capabilities]]
method = "quit"
[[capabilities]]
method = "env"
[config.mode]
type = "string"
default = "fast"
[config.level]
type = "integer"
default = 3
[permissions]
fs = ["$PROJECT/data/**"]
fs_write = ["$PROJECT/out/**"]
[resources]
memory_mb = 64
timeout_seconds = 5
[runtime]
kind = "wasm"
module = "files.wat"
"#;
    std::fs::write(ext.join("symphony-extension.toml"), manifest).expect("manifest");
    let host = ExtensionHost::new(
        Manifest::load(&ext).expect("valid"),
        HostCommand {
            program: PathBuf::from(env!("CARGO_BIN_EXE_symphony-ext-host")),
            prefix: Vec::new(),
            extension_dir: ext,
            data_dir: tmp.path().join("data"),
            project: Some(project.clone()),
            granted: None,
        },
    );
    Fixture {
        _tmp: tmp,
        project,
        host,
    }
}

fn call(host: &mut ExtensionHost, method: &str, input: &str) -> Result<String, ExtensionError> {
    let params = InvokeParams {
        method: method.into(),
        inputs: vec![Artifact {
            name: "path".into(),
            media_type: "text/plain".into(),
            text: input.into(),
        }],
        params: json!({}),
        deadline_ms: None,
    };
    host.invoke(&params, &mut |_| {}, &CancelToken::default())
        .map(|r| r.outputs.into_iter().map(|a| a.text).collect())
}

fn filesystem_limit(e: &ExtensionError) -> bool {
    matches!(
        e,
        ExtensionError::LimitExceeded {
            limit: LimitKind::Filesystem,
            ..
        }
    )
}

#[test]
fn a_guest_reads_a_file_inside_its_grant() {
    let mut f = fixture();
    assert_eq!(
        call(&mut f.host, "read", "3in.txt").expect("reads"),
        "granted text"
    );
    // A file that is not there is the guest's own error, with its errno (ENOENT).
    let e = call(&mut f.host, "read", "3missing.txt").expect_err("absent");
    assert!(e.to_string().ends_with("failed: errno 44"), "{e}");
}

#[test]
fn a_guest_reading_outside_its_grant_gets_an_error_naming_the_extension_and_path() {
    let mut f = fixture();
    for path in ["3../secret.txt", "4../secret.txt"] {
        let e = call(&mut f.host, "read", path).expect_err("outside");
        assert!(filesystem_limit(&e), "{e}");
        let message = e.to_string();
        let secret = f.project.join("secret.txt");
        assert!(
            message.contains("`test.wasi-files`")
                && message.contains(&format!("`{}` is outside its grants", secret.display())),
            "{message}"
        );
    }
    // Not retried (a denial is not transient), and the extension keeps working.
    assert_eq!(f.host.restarts(), 0);
    assert_eq!(
        call(&mut f.host, "read", "3in.txt").expect("reads"),
        "granted text"
    );
}

#[test]
fn a_guest_writing_to_a_read_only_grant_is_refused_and_to_a_write_grant_allowed() {
    let mut f = fixture();
    let e = call(&mut f.host, "write", "3new.txt").expect_err("read-only");
    assert!(filesystem_limit(&e), "{e}");
    let message = e.to_string();
    let path = f.project.join("data/new.txt");
    assert!(
        message.contains("`test.wasi-files`")
            && message.contains(&format!("`{}` is granted read-only", path.display())),
        "{message}"
    );
    assert!(!path.exists());
    call(&mut f.host, "write", "4made.txt").expect("writes");
    assert_eq!(
        std::fs::read_to_string(f.project.join("out/made.txt")).expect("made"),
        "hello"
    );
}

#[test]
fn guest_output_never_reaches_the_protocol_and_proc_exit_fails_the_call() {
    let mut f = fixture();
    // "hello" on the guest's stdout would break the JSON-RPC stream if it leaked.
    assert_eq!(call(&mut f.host, "print", "same").expect("prints"), "same");
    let e = call(&mut f.host, "quit", "").expect_err("exits");
    assert!(e.to_string().contains("proc_exit(3)"), "{e}");
    assert_eq!(
        call(&mut f.host, "print", "again").expect("prints"),
        "again"
    );
}

#[test]
fn a_module_importing_beyond_preview_1_does_not_load() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ext = tmp.path().join("ext");
    std::fs::create_dir_all(&ext).expect("dir");
    let module = r#"(module
      (import "env" "connect" (func (param i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "alloc") (param i32) (result i32) (i32.const 0))
      (func (export "go") (param i32 i32) (result i64) (i64.const 0)))"#;
    std::fs::write(ext.join("m.wat"), module).expect("module");
    std::fs::write(
        ext.join("symphony-extension.toml"),
        "id = \"test.env-importer\"\nname = \"t\"\nversion = \"1.0.0\"\nauthor = \"t\"\nlicense = \"MIT\"\ntype = \"operator\"\n[[capabilities]]\nmethod = \"go\"\n[runtime]\nkind = \"wasm\"\nmodule = \"m.wat\"\n",
    )
    .expect("manifest");
    let mut host = ExtensionHost::new(
        Manifest::load(&ext).expect("valid"),
        HostCommand {
            program: PathBuf::from(env!("CARGO_BIN_EXE_symphony-ext-host")),
            prefix: Vec::new(),
            extension_dir: ext.clone(),
            data_dir: tmp.path().join("data"),
            project: None,
            granted: None,
        },
    );
    let e = call(&mut host, "go", "").expect_err("does not load");
    assert!(e.to_string().contains("`test.env-importer`"), "{e}");
    // The host's own message (on its stderr) names the import.
    let manifest = Manifest::load(&ext).expect("valid");
    let e = WasmExtension::load(
        &manifest.id,
        manifest.limits,
        &ext.join("m.wat"),
        &tmp.path().join("cache"),
        &[],
    )
    .expect_err("unlinkable");
    let message = e.to_string();
    assert!(
        message.contains("env") && message.contains("connect") && message.contains("preview 1"),
        "{message}"
    );
}

#[test]
fn a_guest_gets_its_settings_as_its_environment() {
    let mut f = fixture();
    assert_eq!(
        call(&mut f.host, "env", "").expect("env"),
        "level=3\0mode=fast\0"
    );
}
