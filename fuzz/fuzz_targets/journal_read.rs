//! Any bytes as a run journal, and any text as an edge condition: read (up to the last whole
//! record), folded into a checkpoint, parsed and evaluated, or refused — never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pit::dag::Condition;
use pit::journal::Checkpoint;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("symphony-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("journal.log");
    let mut bytes = b"SYMJRNL1".to_vec();
    bytes.extend_from_slice(data);
    if std::fs::write(&path, &bytes).is_ok() {
        if let Ok(contents) = pit::journal::read(&path) {
            let _ = Checkpoint::from_records(contents.records);
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(condition) = Condition::parse(text) {
            let _ = condition.eval(serde_json::from_str(text).ok().as_ref());
        }
    }
});
