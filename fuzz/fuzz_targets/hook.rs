//! Fuzz target `hook`: see `chiso::fuzzing::hook`.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| chiso::fuzzing::hook(bytes));
