//! Fuzz target `rule_text`: see `chiso::fuzzing::rule_text`.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| chiso::fuzzing::rule_text(bytes));
