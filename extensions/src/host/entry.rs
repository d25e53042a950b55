//! The `ext-host` command line: `--extension DIR --data DIR [--project DIR] [--granted JSON]`
//! runs a host (narrowed to the granted permissions);
//! `--sandbox-exec SPEC -- PROGRAM [ARGS…]` confines this process and execs a native guest.

use std::path::PathBuf;

use super::sandbox::{self, SandboxSpec};
use super::{HostOptions, Launcher, run};

/// `ext-host`'s entry point: parse `args` (after `ext-host`) and run; returns the exit code.
/// `launcher` is how this same program is started again (for `--sandbox-exec`).
pub fn main(args: &[String], launcher: Launcher) -> i32 {
    if args.first().map(String::as_str) == Some("--sandbox-exec") {
        return sandbox_exec(&args[1..]);
    }
    let mut extension = None;
    let mut data = None;
    let mut project = None;
    let mut granted = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let slot = match arg.as_str() {
            "--extension" => &mut extension,
            "--data" => &mut data,
            "--project" => &mut project,
            "--granted" => {
                granted = it.next().cloned();
                continue;
            }
            other => {
                eprintln!(
                    "ext-host: unknown argument `{other}` (expected --extension DIR --data DIR [--project DIR] [--granted JSON])"
                );
                return 2;
            }
        };
        *slot = it.next().map(PathBuf::from);
    }
    let (Some(extension), Some(data)) = (extension, data) else {
        eprintln!("ext-host: --extension DIR and --data DIR are required");
        return 2;
    };
    let granted = match granted.map(|g| serde_json::from_str::<Vec<String>>(&g)) {
        None => None,
        Some(Ok(list)) => Some(list),
        Some(Err(e)) => {
            eprintln!("ext-host: --granted is not a JSON list of permissions: {e}");
            return 2;
        }
    };
    let options = HostOptions {
        extension,
        data,
        project,
        granted,
        launcher,
    };
    match run(&options) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("ext-host: {e}");
            1
        }
    }
}

fn sandbox_exec(args: &[String]) -> i32 {
    let (Some(spec), Some("--"), Some(program)) =
        (args.first(), args.get(1).map(String::as_str), args.get(2))
    else {
        eprintln!("ext-host --sandbox-exec SPEC -- PROGRAM [ARGS…]");
        return 2;
    };
    let spec: SandboxSpec = match serde_json::from_str(spec) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("ext-host: the sandbox spec is not valid JSON: {e}");
            return 2;
        }
    };
    let error = sandbox::confine_and_exec(&spec, program, &args[3..]);
    eprintln!("ext-host: {error}");
    125
}
