//! Functions from outside the rule language: rhai hook scripts named by a rule file, and
//! native functions an embedding program registers. Both are resolved when the rule set
//! is compiled; evaluation calls them by index.

#[cfg(feature = "rhai")]
pub mod script;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::source::Loc;
use crate::value::Fault;
use crate::value::Value;

/// Sandbox limits of hook scripts. Every limit stops a runaway script with a specific
/// error; the finding or value that called it is `error`, the rest of the report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Operations per call (an endless loop stops here).
    pub operations: u64,
    /// Nested function calls (runaway recursion stops here).
    pub call_depth: usize,
    /// Nesting of expressions and statements.
    pub expr_depth: usize,
    /// Characters of a string.
    pub string_size: usize,
    /// Elements of an array.
    pub array_size: usize,
    /// Entries of a map.
    pub map_size: usize,
    /// Wall-clock time per call.
    pub time: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            operations: 1_000_000,
            call_depth: 32,
            expr_depth: 64,
            string_size: 100_000,
            array_size: 100_000,
            map_size: 10_000,
            time: Duration::from_millis(1_000),
        }
    }
}

impl Limits {
    /// The most each limit can be: what a rule file may raise a limit to, and what an
    /// embedding program's limits are brought down to. The call and expression depths
    /// bound a script's recursion; what is deeper than the thread's stack still holds is
    /// stopped by the engine with room to spare (a debug build's 2 MB thread reaches it); the
    /// sizes keep one native operation (`pad`, `+=` on a string) short.
    pub const CEILING: Limits = Limits {
        operations: 100_000_000,
        call_depth: 64,
        expr_depth: 64,
        string_size: 10_000_000,
        array_size: 1_000_000,
        map_size: 1_000_000,
        time: Duration::from_secs(60),
    };

    /// Sets a limit by the name a rule file uses; `false` for an unknown name. The value
    /// is brought into `1 ..= CEILING` (see [`Limits::bounded`]).
    ///
    /// ```
    /// let mut limits = chiso::Limits::default();
    /// assert!(limits.set("milliseconds", 50));
    /// assert_eq!(limits.time, std::time::Duration::from_millis(50));
    /// assert!(!limits.set("files", 1));
    /// ```
    pub fn set(&mut self, name: &str, value: u64) -> bool {
        let size = usize::try_from(value).unwrap_or(usize::MAX);
        match name {
            "operations" => self.operations = value,
            "calls" => self.call_depth = size,
            "depth" => self.expr_depth = size,
            "string" => self.string_size = size,
            "array" => self.array_size = size,
            "map" => self.map_size = size,
            "milliseconds" => self.time = Duration::from_millis(value),
            _ => return false,
        }
        *self = self.bounded();
        true
    }

    /// The largest value a limit named as in a rule file may take, or `None` for an
    /// unknown name.
    ///
    /// ```
    /// assert_eq!(chiso::Limits::ceiling("calls"), Some(64));
    /// ```
    pub fn ceiling(name: &str) -> Option<u64> {
        let c = Self::CEILING;
        let size = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        Some(match name {
            "operations" => c.operations,
            "calls" => size(c.call_depth),
            "depth" => size(c.expr_depth),
            "string" => size(c.string_size),
            "array" => size(c.array_size),
            "map" => size(c.map_size),
            "milliseconds" => u64::try_from(c.time.as_millis()).unwrap_or(u64::MAX),
            _ => return None,
        })
    }

    /// Every limit brought into `1 ..= CEILING`. rhai reads a limit of 0 as *no limit*:
    /// a 0 here means the least that can run, never an unbounded script.
    ///
    /// ```
    /// let l = chiso::Limits { string_size: 0, call_depth: 1_000_000, ..Default::default() }.bounded();
    /// assert_eq!((l.string_size, l.call_depth), (1, 64));
    /// ```
    pub fn bounded(self) -> Limits {
        let c = Self::CEILING;
        Limits {
            operations: self.operations.clamp(1, c.operations),
            call_depth: self.call_depth.clamp(1, c.call_depth),
            expr_depth: self.expr_depth.clamp(1, c.expr_depth),
            string_size: self.string_size.clamp(1, c.string_size),
            array_size: self.array_size.clamp(1, c.array_size),
            map_size: self.map_size.clamp(1, c.map_size),
            time: self.time.clamp(Duration::from_millis(1), c.time),
        }
    }
}

thread_local! {
    /// When the run evaluating on this thread must stop ([`crate::ResourceLimits::run_time`]).
    static RUN_DEADLINE: std::cell::Cell<Option<crate::limits::Instant>> =
        const { std::cell::Cell::new(None) };
}

/// The run's deadline on this thread while it is alive (restored when dropped, so nested
/// runs keep the outer one).
pub struct RunDeadline(Option<crate::limits::Instant>);

impl RunDeadline {
    /// Sets the deadline of the run now starting on this thread (the earlier of `deadline`
    /// and any run it is nested in).
    pub fn set(deadline: Option<crate::limits::Instant>) -> Self {
        let outer = RUN_DEADLINE.with(std::cell::Cell::get);
        let inner = match (outer, deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        RUN_DEADLINE.with(|d| d.set(inner));
        RunDeadline(outer)
    }

    /// The deadline of the run on this thread, if it has one.
    pub fn current() -> Option<crate::limits::Instant> {
        RUN_DEADLINE.with(std::cell::Cell::get)
    }
}

impl Drop for RunDeadline {
    fn drop(&mut self) {
        RUN_DEADLINE.with(|d| d.set(self.0));
    }
}

/// A native function: arguments in, a value or an error message out.
pub type NativeFn = Arc<dyn Fn(&[Value]) -> Result<Value, String> + Send + Sync>;

/// A native function registered by the embedding program.
#[derive(Clone)]
pub struct Native {
    /// Its name in rule files.
    pub name: Arc<str>,
    /// Its number of arguments.
    pub arity: usize,
    /// The function.
    pub function: NativeFn,
}

impl fmt::Debug for Native {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "native {}/{}", self.name, self.arity)
    }
}

/// Which external function a call resolved to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A native function (index into the natives).
    Native(usize),
    /// A script function (index into the script functions).
    Script(usize),
}

/// The external functions a rule set can call.
#[derive(Debug, Clone, Default)]
pub struct Externals {
    /// Native functions, by registration order.
    pub natives: Vec<Native>,
    /// Compiled hook scripts.
    #[cfg(feature = "rhai")]
    pub scripts: Option<Arc<script::Scripts>>,
}

impl Externals {
    /// Resolves a function name: native functions first, then script functions.
    pub fn resolve(&self, name: &str) -> Option<Target> {
        if let Some(i) = self.natives.iter().position(|n| n.name.as_ref() == name) {
            return Some(Target::Native(i));
        }
        #[cfg(feature = "rhai")]
        if let Some(i) = self.scripts.as_ref().and_then(|s| s.function(name)) {
            return Some(Target::Script(i));
        }
        None
    }

    /// Number of arguments of a resolved function.
    pub fn arity(&self, target: Target) -> usize {
        match target {
            Target::Native(i) => self.natives.get(i).map_or(0, |n| n.arity),
            #[cfg(feature = "rhai")]
            Target::Script(i) => self.scripts.as_ref().map_or(0, |s| s.arity(i)),
            #[cfg(not(feature = "rhai"))]
            Target::Script(_) => 0,
        }
    }

    /// Every external function name, for suggestions.
    pub fn names(&self) -> Vec<String> {
        let natives = self.natives.iter().map(|n| n.name.to_string());
        #[cfg(feature = "rhai")]
        let scripts = self.scripts.iter().flat_map(|s| s.names());
        #[cfg(not(feature = "rhai"))]
        let scripts = std::iter::empty();
        natives.chain(scripts).collect()
    }

    /// Where a function is defined, for messages: `native function` or `script:line:col`.
    pub fn origin(&self, target: Target) -> String {
        match target {
            Target::Native(i) => format!(
                "native function `{}`",
                self.natives.get(i).map_or("?", |n| n.name.as_ref())
            ),
            #[cfg(feature = "rhai")]
            Target::Script(i) => self
                .scripts
                .as_ref()
                .map_or_else(String::new, |s| s.origin(i)),
            #[cfg(not(feature = "rhai"))]
            Target::Script(_) => String::new(),
        }
    }

    /// Calls a resolved function.
    pub fn call(&self, target: Target, args: &[Value], at: &Loc) -> Result<Value, Arc<Fault>> {
        match target {
            Target::Native(i) => {
                let Some(native) = self.natives.get(i) else {
                    return Err(unavailable(at));
                };
                (native.function)(args).map_err(|message| {
                    Arc::new(Fault::Hook {
                        origin: format!("native function `{}`", native.name),
                        message,
                        at: at.clone(),
                    })
                })
            }
            #[cfg(feature = "rhai")]
            Target::Script(i) => match &self.scripts {
                Some(s) => s.call(i, args, at),
                None => Err(unavailable(at)),
            },
            #[cfg(not(feature = "rhai"))]
            Target::Script(_) => Err(unavailable(at)),
        }
    }
}

fn unavailable(at: &Loc) -> Arc<Fault> {
    Arc::new(Fault::Domain {
        at: at.clone(),
        what: "the function is not available".into(),
    })
}
