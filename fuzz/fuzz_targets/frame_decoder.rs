#![no_main]
//! Any bytes from a peer: split into frames and decoded into messages without panicking,
//! and never a frame over the limit.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    mend_sync::frame::fuzz_entry(data);
});
