//! rhai hook scripts: compiled once with the rule set, called by index, sandboxed.
//!
//! The sandbox: rhai has no file, network or process access of its own; this engine is
//! built without modules (no `import`), with `eval` disabled and `print`/`debug` silenced,
//! and with every limit of [`Limits`] set, including wall-clock time per call (checked
//! through the progress callback).

use crate::access::{Access, Kind};
use crate::limits::Instant;
use std::cell::Cell;
use std::sync::{Arc, OnceLock};

use rhai::packages::{Package, StandardPackage};
use rhai::{
    AST, Array, CallFnOptions, Dynamic, Engine, EvalAltResult, Map, Position, Scope, Shared,
};
use rust_decimal::Decimal;

use super::Limits;
use crate::diagnostic::Diagnostic;
use crate::source::{Loc, Source};
use crate::value::Fault;
use crate::value::Value;

thread_local! {
    /// When the script call running on this thread must stop.
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// One compiled script file.
struct ScriptFile {
    source: Arc<Source>,
    ast: AST,
}

/// A function defined by a script.
#[derive(Debug, Clone)]
struct ScriptFn {
    name: String,
    arity: usize,
    file: usize,
    /// Where `fn name(` is written.
    loc: Loc,
}

/// The compiled hook scripts of a rule set and the sandboxed engine that runs them.
pub struct Scripts {
    engine: Engine,
    files: Vec<ScriptFile>,
    functions: Vec<ScriptFn>,
    limits: Limits,
}

impl std::fmt::Debug for Scripts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.files.iter().map(|s| s.source.name.as_str()).collect();
        write!(f, "Scripts({names:?}, {:?})", self.limits)
    }
}

/// rhai's standard library as one module shared by every engine: building it registers
/// hundreds of functions, which cost more than compiling a typical hook script, and a
/// language server or an embedding program builds an engine for every rule set it loads.
fn standard_library() -> Shared<rhai::Module> {
    static LIBRARY: OnceLock<Shared<rhai::Module>> = OnceLock::new();
    LIBRARY
        .get_or_init(|| StandardPackage::new().as_shared_module())
        .clone()
}

/// The stack a script leaves unused: what one operation of rhai's evaluator (several
/// frames in a debug build) and the caller's frames after it need.
#[cfg(not(target_family = "wasm"))]
const STACK_RESERVE: usize = 256 * 1024;

/// The token a script stopped for lack of stack is terminated with.
const OUT_OF_STACK: &str = "out of stack";

/// A sandboxed engine with `limits`.
fn engine(limits: &Limits) -> Engine {
    // Never 0 (which rhai reads as unlimited), never deeper than a small stack holds.
    let limits = limits.bounded();
    // `new_raw` and the standard library is what `Engine::new` builds, less its module
    // resolver (none under `no_module`) and its printing `print`/`debug` (silenced below).
    let mut engine = Engine::new_raw();
    engine.register_global_module(standard_library());
    engine
        .set_max_strings_interned(256) // what `Engine::new` sets
        .set_max_operations(limits.operations)
        .set_max_call_levels(limits.call_depth)
        .set_max_expr_depths(limits.expr_depth, limits.expr_depth)
        .set_max_string_size(limits.string_size)
        .set_max_array_size(limits.array_size)
        .set_max_map_size(limits.map_size);
    engine.disable_symbol("eval");
    engine.on_print(|_| {});
    engine.on_debug(|_, _, _| {});
    engine.on_progress(|operations| {
        // The call and expression depths bound a script's recursion, but their product can
        // still be deeper than a small thread's stack (a debug build's frames are large):
        // stopping with room left is an error in a finding, running out is an abort.
        #[cfg(not(target_family = "wasm"))]
        if stacker::remaining_stack().is_some_and(|left| left < STACK_RESERVE) {
            return Some(Dynamic::from(OUT_OF_STACK));
        }
        // Reading the clock on every operation would cost more than the operation.
        if operations % 256 != 0 {
            return None;
        }
        let late = DEADLINE.with(|d| d.get().is_some_and(|deadline| Instant::now() > deadline));
        late.then_some(Dynamic::UNIT)
    });
    engine
}

/// Where each `fn name(params)` is written in a script: the byte offset of the name, the
/// name and its number of parameters. rhai does not give a function's position, and a name
/// can be written twice with different arities, so the arity tells the two apart. Comments
/// and string literals are stepped over, so that a `fn name(` written in either is not
/// taken for the definition.
fn definitions(text: &str) -> Vec<(usize, &str, usize)> {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let rest = &bytes[at..];
        if rest.starts_with(b"//") {
            at += rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        } else if rest.starts_with(b"/*") {
            at += block_comment_len(rest);
        } else if let Some(&quote @ (b'"' | b'`' | b'\'')) = rest.first() {
            at += literal_len(rest, quote);
        } else if rest.starts_with(b"fn")
            && !text
                .get(..at)
                .and_then(|t| t.chars().next_back())
                .is_some_and(is_ident)
        {
            if let Some(found) = definition_at(text, at + 2, is_ident) {
                out.push(found);
            }
            at += 2;
        } else {
            at += 1;
        }
    }
    out
}

/// The name and arity of a definition whose `fn` ends at `after_fn`, if one is written there.
fn definition_at(
    text: &str,
    after_fn: usize,
    is_ident: impl Fn(char) -> bool,
) -> Option<(usize, &str, usize)> {
    let rest = text.get(after_fn..)?;
    let name_rest = rest.trim_start();
    if name_rest.len() == rest.len() {
        return None; // `fnord`, not `fn`
    }
    let start = text.len() - name_rest.len();
    let name_len = name_rest
        .find(|c: char| !is_ident(c))
        .unwrap_or(name_rest.len());
    let (name, after) = name_rest.split_at(name_len);
    let params = after.trim_start().strip_prefix('(')?;
    let params = params.get(..params.find(')')?)?;
    let arity = if params.trim().is_empty() {
        0
    } else {
        params.split(',').count()
    };
    (!name.is_empty()).then_some((start, name, arity))
}

/// Length of a block comment at the start of `rest` (rhai's nest), or all of it if unclosed.
fn block_comment_len(rest: &[u8]) -> usize {
    let (mut depth, mut i) = (0usize, 0);
    while i < rest.len() {
        if rest[i..].starts_with(b"/*") {
            depth += 1;
            i += 2;
        } else if rest[i..].starts_with(b"*/") {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    rest.len()
}

/// Length of a string or character literal at the start of `rest`, up to its closing
/// quote (a backslash escapes the next byte except in back-tick strings, which are raw).
fn literal_len(rest: &[u8], quote: u8) -> usize {
    let mut i = 1;
    while i < rest.len() {
        match rest[i] {
            b'\\' if quote != b'`' => i += 2,
            b if b == quote => return i + 1,
            _ => i += 1,
        }
    }
    rest.len()
}

/// Byte offset of a rhai position (1-based line, 1-based column in characters).
fn offset(text: &str, position: Position) -> usize {
    let (Some(line), col) = (position.line(), position.position().unwrap_or(1)) else {
        return 0;
    };
    let mut start = 0;
    for _ in 1..line {
        match text.get(start..).and_then(|rest| rest.find('\n')) {
            Some(i) => start += i + 1,
            None => break,
        }
    }
    let line_text = text.get(start..).unwrap_or("");
    start
        + line_text
            .chars()
            .take(col.saturating_sub(1))
            .map(char::len_utf8)
            .sum::<usize>()
}

impl Scripts {
    /// Compiles script texts; each comes with the location of its name in the rule file.
    pub fn compile_sources(
        scripts: &[(Arc<Source>, Loc)],
        limits: Limits,
    ) -> Result<Self, Vec<Diagnostic>> {
        let limits = limits.bounded();
        let engine = engine(&limits);
        let mut files = Vec::new();
        let mut functions: Vec<ScriptFn> = Vec::new();
        let mut diags = Vec::new();
        for (source, named_at) in scripts {
            let source = Arc::clone(source);
            match engine.compile(&source.text) {
                Ok(ast) => {
                    let index = files.len();
                    // rhai lists a script's functions in its hash order, which changes from
                    // run to run: in the order they are written, every run names the same
                    // definition first.
                    let written = definitions(&source.text);
                    let mut defined: Vec<(usize, &str, usize)> = ast
                        .iter_functions()
                        .map(|f| {
                            let arity = f.params.len();
                            let start = written
                                .iter()
                                .find(|&&(_, n, a)| n == f.name && a == arity)
                                .map_or(0, |&(at, _, _)| at);
                            (start, f.name, arity)
                        })
                        .collect();
                    defined.sort_unstable();
                    for (start, name, arity) in defined {
                        let loc = Loc {
                            source: Arc::clone(&source),
                            range: start..start + name.len(),
                        };
                        if let Some(first) = functions.iter().find(|g| g.name == name) {
                            diags.push(
                                Diagnostic::error(
                                    format!("hook function `{name}` is defined twice"),
                                    &loc,
                                )
                                .with_label("second definition")
                                .with_secondary(&first.loc, "first defined here"),
                            );
                            continue;
                        }
                        functions.push(ScriptFn {
                            name: name.to_string(),
                            arity,
                            file: index,
                            loc,
                        });
                    }
                    files.push(ScriptFile { source, ast });
                }
                Err(e) => {
                    let at = offset(&source.text, e.1);
                    let loc = Loc {
                        source: Arc::clone(&source),
                        range: at..at + 1,
                    };
                    let message = e.0.to_string();
                    let mut d =
                        Diagnostic::error(format!("hook script does not compile: {message}"), &loc)
                            .with_label("here")
                            .with_secondary(named_at, "script named here");
                    if message.contains("eval") || message.contains("import") {
                        d = d.with_help("hook scripts cannot use `eval` or `import`: everything they need is passed as arguments");
                    }
                    diags.push(d);
                }
            }
        }
        if diags.is_empty() {
            Ok(Self {
                engine,
                files,
                functions,
                limits,
            })
        } else {
            Err(diags)
        }
    }

    /// Index of the function `name`.
    pub fn function(&self, name: &str) -> Option<usize> {
        self.functions.iter().position(|f| f.name == name)
    }

    /// Number of parameters of function `index`.
    pub fn arity(&self, index: usize) -> usize {
        self.functions.get(index).map_or(0, |f| f.arity)
    }

    /// All function names.
    pub fn names(&self) -> Vec<String> {
        self.functions.iter().map(|f| f.name.clone()).collect()
    }

    /// `function `f` (hooks/x.rhai:3:4)`.
    pub fn origin(&self, index: usize) -> String {
        self.functions.get(index).map_or_else(String::new, |f| {
            format!("function `{}` ({})", f.name, f.loc)
        })
    }

    /// The sandbox limits in force.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Calls function `index` with `args`.
    pub fn call(&self, index: usize, args: &[Value], at: &Loc) -> Result<Value, Arc<Fault>> {
        let (Some(f), origin) = (self.functions.get(index), self.origin(index)) else {
            return Err(Arc::new(Fault::Domain {
                at: at.clone(),
                what: "unknown hook function".into(),
            }));
        };
        let Some(file) = self.files.get(f.file) else {
            return Err(Arc::new(Fault::Domain {
                at: at.clone(),
                what: "unknown hook script".into(),
            }));
        };
        let args: Vec<Dynamic> = args.iter().map(to_dynamic).collect();
        let started = Instant::now();
        let own = started + self.limits.time;
        let run = super::RunDeadline::current();
        DEADLINE.with(|d| d.set(Some(run.map_or(own, |r| r.min(own)))));
        let result = self.engine.call_fn_with_options::<Dynamic>(
            CallFnOptions::new().eval_ast(false),
            &mut Scope::new(),
            &file.ast,
            &f.name,
            args,
        );
        DEADLINE.with(|d| d.set(None));
        let fault = |message: String, position: Position| {
            let definition = f.loc.to_string();
            let origin = match position.line() {
                Some(line) => {
                    let place = format!(
                        "{}:{}:{}",
                        file.source.name,
                        line,
                        position.position().unwrap_or(1)
                    );
                    if place == definition {
                        origin.clone()
                    } else {
                        format!("{origin}, stopped at {place}")
                    }
                }
                None => origin.clone(),
            };
            Arc::new(Fault::Hook {
                origin,
                message,
                at: at.clone(),
            })
        };
        // The clock is read between operations; one long native operation (growing a
        // string or an array to its size limit) can run past the deadline, and then its
        // result does not count either.
        let took = started.elapsed();
        if run.is_some_and(|r| Instant::now() > r) {
            return Err(fault(
                "stopped: the run's time limit ran out".into(),
                Position::NONE,
            ));
        }
        if result.is_ok() && took > self.limits.time {
            return Err(fault(
                format!(
                    "ran {} ms, beyond the time limit of one call ({} ms)",
                    took.as_millis(),
                    self.limits.time.as_millis()
                ),
                Position::NONE,
            ));
        }
        match result {
            Ok(v) => from_dynamic(v).map_err(|m| fault(m, Position::NONE)),
            Err(e) => {
                let position = e.position();
                Err(fault(self.explain(&e), position))
            }
        }
    }

    /// A specific message for the ways a sandboxed script is stopped.
    fn explain(&self, e: &EvalAltResult) -> String {
        let l = &self.limits;
        match e {
            EvalAltResult::ErrorTooManyOperations(_) => format!(
                "stopped after {} operations (an endless loop?); raise `limits operations` if the work is real",
                l.operations
            ),
            EvalAltResult::ErrorStackOverflow(_) => {
                format!(
                    "stopped: calls nested deeper than {} (runaway recursion?)",
                    l.call_depth
                )
            }
            EvalAltResult::ErrorDataTooLarge(what, _) => format!(
                "stopped: {what} grew beyond its limit (string {} characters, array {} elements, map {} entries)",
                l.string_size, l.array_size, l.map_size
            ),
            EvalAltResult::ErrorTerminated(token, _)
                if token.clone().into_immutable_string().ok().as_deref() == Some(OUT_OF_STACK) =>
            {
                format!(
                    "stopped: calls and expressions nested deeper than this thread's stack holds (calls at most {}, expressions at most {} deep; lower `limits calls` or run on a larger stack)",
                    l.call_depth, l.expr_depth
                )
            }
            EvalAltResult::ErrorTerminated(_, _) => {
                format!(
                    "stopped after {} ms, the time limit of one call",
                    l.time.as_millis()
                )
            }
            EvalAltResult::ErrorFunctionNotFound(name, _) => {
                format!(
                    "calls `{name}`, which does not exist here (hook scripts have no file, network or process access)"
                )
            }
            other => other.to_string(),
        }
    }
}

/// A chiso value as a rhai value: numbers are exact decimals.
fn to_dynamic(v: &Value) -> Dynamic {
    match v {
        Value::Number(n) => Dynamic::from_decimal(*n),
        Value::Bool(b) => Dynamic::from_bool(*b),
        Value::Text(t) => Dynamic::from(t.to_string()),
        Value::Date(d) => Dynamic::from(crate::date::format(*d)),
        Value::List(items) => Dynamic::from_array(items.iter().map(to_dynamic).collect::<Array>()),
        Value::Record(fields) => {
            let map: Map = fields
                .iter()
                .map(|(k, v)| (k.as_str().into(), to_dynamic(v)))
                .collect();
            Dynamic::from_map(map)
        }
    }
}

/// A rhai value as a chiso value, or what it was instead.
fn from_dynamic(v: Dynamic) -> Result<Value, String> {
    if let Ok(n) = v.as_int() {
        return Ok(Value::Number(Decimal::from(n)));
    }
    if let Ok(d) = v.as_decimal() {
        return Ok(Value::Number(d));
    }
    if let Ok(b) = v.as_bool() {
        return Ok(Value::Bool(b));
    }
    if v.is_string() {
        return Ok(Value::Text(Arc::from(
            v.into_string().unwrap_or_default().as_str(),
        )));
    }
    if v.is_array() {
        let items: Result<Vec<Value>, String> = v
            .into_array()
            .unwrap_or_default()
            .into_iter()
            .map(from_dynamic)
            .collect();
        return Ok(Value::List(Arc::from(items?)));
    }
    if v.is_map() {
        let map = v.try_cast::<Map>().unwrap_or_default();
        let mut fields = indexmap::IndexMap::new();
        for (k, v) in map {
            fields.insert(k.to_string(), from_dynamic(v)?);
        }
        return Ok(Value::Record(Arc::new(fields)));
    }
    if v.is_unit() {
        return Err("returned nothing, expected a value".into());
    }
    Err(format!(
        "returned a value of type `{}`, which chiso cannot use",
        v.type_name()
    ))
}

/// Reads the script `named` at `at` in a rule file, as the file-access policy allows.
pub fn read(access: &Access, named: &str, at: &Loc) -> Result<Arc<Source>, Box<Diagnostic>> {
    let path = access.resolve(named, at, Kind::Script)?;
    match access.read(&path, named, Kind::Script) {
        Ok(text) => Ok(Source::new(path.display().to_string(), text)),
        Err(e) => Err(Box::new(
            Diagnostic::error(
                format!("cannot read hook script `{}`: {e}", path.display()),
                at,
            )
            .with_label("named here")
            .with_help("script paths are relative to the rule file"),
        )),
    }
}
