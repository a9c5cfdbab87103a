//! Resource limits an embedding program sets on what rule files and data files may cost,
//! beside the sandbox limits of hook scripts ([`crate::Limits`]). Each exceeded limit is
//! an error that says which limit and by how much — never an abort.

use std::time::Duration;

/// The clock of run-time limits: `std::time::Instant` panics on wasm32-unknown-unknown,
/// where the browser's clock is read instead.
#[cfg(not(target_family = "wasm"))]
pub use std::time::Instant;
#[cfg(target_family = "wasm")]
pub use web_time::Instant;

/// Most levels of brackets, `if`, `among` and `where` one expression may nest. Every stage after
/// the parser recurses once per level; 64 levels stay far inside a 2 MB thread stack
/// (the smallest a Rust thread gets by default) even in a debug build.
pub const MAX_NESTING: usize = 64;

/// What a rule set may cost to load and to run. [`ResourceLimits::default`] suits a
/// command line run on one machine; a service compiling rule files from its users sets
/// tighter ones with [`crate::RuleSetBuilder::resources`].
///
/// ```
/// use std::time::Duration;
/// let rules = chiso::RuleSet::builder()
///     .resources(chiso::ResourceLimits {
///         rule_file_bytes: 64 * 1024,
///         run_time: Some(Duration::from_secs(2)),
///         ..Default::default()
///     })
///     .from_text("t.chiso", "methodology \"T\" version 1\ninput x: number\nrule r require x > 0")?;
/// assert_eq!(rules.resources().rule_file_bytes, 65_536);
/// # Ok::<(), chiso::LoadError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceLimits {
    /// Largest rule file (and hook script) read, in bytes. Default 16 MiB.
    pub rule_file_bytes: u64,
    /// Deepest nesting of brackets, `if`, `among` and `where` in one expression. Default and most
    /// [`MAX_NESTING`] (64): every stage recurses once per level, and 64
    /// levels fit a 2 MB thread stack in a debug build.
    pub expression_depth: usize,
    /// Largest data file read, in bytes. Default 2 GiB.
    pub data_file_bytes: u64,
    /// Most units (records) in one dataset or stream. Default 50,000,000.
    pub records: usize,
    /// Longest wall-clock time of evaluating one dataset (every stage, rule, rank and
    /// sensitivity run). Values and findings not reached in time are `error`, saying so.
    /// Default: none.
    pub run_time: Option<Duration>,
    /// Largest report rendered as text or JSON, in bytes. Default 1 GiB.
    pub report_bytes: usize,
}

impl Default for ResourceLimits {
    fn default() -> Self {
        Self {
            rule_file_bytes: 16 << 20,
            expression_depth: MAX_NESTING,
            data_file_bytes: 2 << 30,
            records: 50_000_000,
            run_time: None,
            report_bytes: 1 << 30,
        }
    }
}

impl ResourceLimits {
    /// The expression depth in force: never above what the stages can recurse through.
    pub fn nesting(&self) -> usize {
        self.expression_depth.clamp(1, MAX_NESTING)
    }
}

/// `n` bytes as people read it: `16 MiB`, `512 KiB`, `900 bytes`.
pub fn bytes(n: u64) -> String {
    const KIB: u64 = 1 << 10;
    const MIB: u64 = 1 << 20;
    const GIB: u64 = 1 << 30;
    let (unit, name) = match n {
        n if n >= GIB => (GIB, "GiB"),
        n if n >= MIB => (MIB, "MiB"),
        n if n >= KIB => (KIB, "KiB"),
        _ => return format!("{n} bytes"),
    };
    if n.is_multiple_of(unit) {
        format!("{} {name}", n / unit)
    } else {
        format!("{:.1} {name}", n as f64 / unit as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(bytes(900), "900 bytes");
        assert_eq!(bytes(16 << 20), "16 MiB");
        assert_eq!(bytes(1536), "1.5 KiB");
    }

    #[test]
    fn expression_depth_stays_inside_the_stack_bound() {
        let deep = ResourceLimits {
            expression_depth: 10_000,
            ..Default::default()
        };
        assert_eq!(deep.nesting(), 64);
        let none = ResourceLimits {
            expression_depth: 0,
            ..Default::default()
        };
        assert_eq!(none.nesting(), 1);
    }
}
