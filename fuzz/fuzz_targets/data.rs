//! Fuzz target `data`: see `chiso::fuzzing::data`.
#![no_main]

use std::sync::LazyLock;

/// Every shipped rule set, loaded once.
static SHIPPED: LazyLock<Vec<chiso::RuleSet>> = LazyLock::new(|| {
    chiso::fuzzing::shipped_rule_sets(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/.."
    )))
});

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| chiso::fuzzing::data(&SHIPPED, bytes));
