//! Anything the xi core could write must decode to a message or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = xi_bridge::codec::decode_bytes(data);
});
