#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

// The parser pest generates without its `std` feature names `::alloc` (see Cargo.toml).
extern crate alloc;

pub mod access;
#[cfg(feature = "arrow")]
pub mod arrow;
pub mod calendar;
pub mod check;
pub mod compile;
pub mod data;
pub mod date;
pub mod diagnostic;
pub mod diff;
pub mod evaluate;
pub mod extend;
pub mod fast;
pub mod files;
pub mod format;
#[doc(hidden)]
pub mod fuzzing;
pub mod hooks;
pub mod limits;
mod load;
#[cfg(feature = "lsp")]
pub mod lsp;
pub mod parse;
pub mod report;
pub mod ruleset;
pub mod source;
pub mod stream;
pub mod testing;
pub mod value;
pub mod weights;

pub use access::FileAccess;
pub use data::{DataError, Dataset, LoadOptions};
pub use diagnostic::Diagnostic;
pub use evaluate::Status;
pub use files::Files;
pub use hooks::Limits;
pub use limits::ResourceLimits;
pub use report::Report;
pub use ruleset::{LoadError, Progress, RuleSet, RuleSetBuilder, RunError, RunOptions};
pub use value::Value;

#[cfg(test)]
mod send_sync {
    /// One compiled rule set serves many threads.
    #[test]
    fn rule_set_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<crate::RuleSet>();
        assert_send_sync::<crate::Report>();
    }
}
