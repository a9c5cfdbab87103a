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

/// libFuzzer's hook aborts on every panic, even one that is caught. chiso reads
/// workbooks with the spreadsheet reader's panics caught and turned into an error naming
/// the file (`src/data/sheet.rs`: calamine's column arithmetic overflows on a malformed
/// cell reference where overflow is checked, as it is here); those alone unwind to that
/// guard. Any other panic still aborts and is a finding.
fn spare_guarded_reader_panics() {
    let abort = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if info
            .location()
            .is_some_and(|at| at.file().contains("/calamine-"))
        {
            return;
        }
        abort(info);
    }));
}

libfuzzer_sys::fuzz_target!(init: spare_guarded_reader_panics(), |bytes: &[u8]| {
    chiso::fuzzing::data(&SHIPPED, bytes)
});
