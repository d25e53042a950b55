//! `symphony-xi-syntect`: the syntax-highlighting plugin xi-core starts.
//!
//! It speaks xi's plugin protocol on stdin/stdout; see
//! `xi_bridge::syntect_plugin`. Install it with
//! `xi_bridge::syntect_plugin::install_manifest`.

use std::io::{self, BufReader};

fn main() {
    let stdin = BufReader::new(io::stdin());
    let stdout = io::stdout().lock();
    if let Err(err) = xi_bridge::syntect_plugin::run(stdin, stdout, io::stderr()) {
        eprintln!("symphony-xi-syntect: {err}");
        std::process::exit(1);
    }
}
