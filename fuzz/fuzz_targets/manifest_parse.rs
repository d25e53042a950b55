//! Any bytes as `symphony-extension.toml` parse and validate, or are refused with located
//! issues, never a panic (the error's message, which re-parses the text for spans, included).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match extensions::Manifest::parse(text, "fuzz.toml") {
        Ok(manifest) => {
            for capability in &manifest.file.capabilities {
                let _ = manifest.capability_name(capability);
            }
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
});
