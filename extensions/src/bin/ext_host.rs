//! `symphony-ext-host`: the extension host as its own program, the same code as the hidden
//! `symphony ext-host` subcommand. Used where the `symphony` binary is not at hand (the
//! extensions crate's own tests and benchmarks).

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let program = std::env::current_exe().unwrap_or_else(|_| "symphony-ext-host".into());
    let launcher = extensions::host::Launcher {
        program,
        prefix: Vec::new(),
    };
    std::process::exit(extensions::host::main(&args, launcher));
}
