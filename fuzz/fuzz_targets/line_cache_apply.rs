//! Any `update` the core could send — decoded from fuzzed JSON — is applied or refused, never a
//! panic, and a refused update leaves the cache as it was.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xi_bridge::LineCache;
use xi_bridge::protocol::Update;

fuzz_target!(|data: &[u8]| {
    let mut cache = LineCache::new();
    for chunk in data.split(|b| *b == b'\n') {
        if let Ok(update) = serde_json::from_slice::<Update>(chunk) {
            let before = cache.to_lines();
            if cache.apply(&update).is_err() {
                assert_eq!(
                    before,
                    cache.to_lines(),
                    "a refused update changed the cache"
                );
            }
        }
    }
});
