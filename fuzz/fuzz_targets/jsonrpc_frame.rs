//! Any line on an extension host's pipes decodes to a message or an error, never a panic:
//! what the host reads from the core (`decode_core_line`), and what the core and the host read
//! back (answers turned into errors, results, progress, the denial classifier).
#![no_main]

use extensions::ExtensionId;
use extensions::protocol::{InvokeResult, Message, Progress, decode_core_line};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(id) = ExtensionId::parse("fuzz.target") else {
        return;
    };
    let text = String::from_utf8_lossy(data);
    for line in text.lines() {
        let _ = decode_core_line(line);
        match serde_json::from_str::<Message>(line) {
            Ok(Message::Response(r)) => {
                if let Some(error) = r.error {
                    let _ = extensions::host::classify::denial(&id, &error.message);
                    let _ = error.into_error(&id).to_string();
                }
                if let Some(result) = r.result {
                    let _ = serde_json::from_value::<InvokeResult>(result);
                }
            }
            Ok(Message::Request(r)) => {
                let _ = serde_json::from_value::<Progress>(r.params);
            }
            Err(_) => {}
        }
    }
});
