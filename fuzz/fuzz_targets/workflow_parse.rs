//! Any workflow file (TOML, JSON, WfCommons, gzipped or not) parses and validates or is refused
//! with an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pit::dag::{LoadOptions, Workflow, parse_bytes};

fuzz_target!(|data: &[u8]| {
    if let Ok((_, file)) = parse_bytes(data, "fuzz", &LoadOptions::default()) {
        let _ = Workflow::build(&file);
    }
});
