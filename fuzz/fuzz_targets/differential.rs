//! Fuzz target `differential`: see `chiso::fuzzing::differential`.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| chiso::fuzzing::differential(bytes));
