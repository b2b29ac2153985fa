#![no_main]
//! Any text pasted as an invitation: parsed or refused with a message, never a panic.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    mend_sync::ticket::fuzz_entry(data);
});
