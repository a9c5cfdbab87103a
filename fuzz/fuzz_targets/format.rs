//! Fuzz target `format`: see `chiso::fuzzing::format`.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| chiso::fuzzing::format(bytes));
