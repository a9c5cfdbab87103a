//! [`RuleSetBuilder`]: what an embedding program adds before compiling (native functions,
//! hook sandbox limits, where files are read and which may be, resource limits), and the
//! loading itself: read → parse → `extends` → weights → hooks → check → compile.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{LoadError, RuleSet};
use crate::access::{Access, FileAccess};
use crate::check;
use crate::compile;
use crate::diagnostic::Diagnostic;
use crate::files::Files;
use crate::hooks::{Externals, Limits, Native};
use crate::limits::ResourceLimits;
use crate::parse;
use crate::parse::ast::Item;
use crate::source::Source;
use crate::value::Value;

/// Compiles rule sets with what an embedding program adds: native functions callable
/// from rule files like built-ins, and the sandbox limits of hook scripts.
///
/// ```
/// use chiso::{RuleSet, value::Value};
///
/// let rules = RuleSet::builder()
///     .function("double", 1, |args: &[Value]| match args {
///         [Value::Number(n)] => Ok(Value::Number(*n * rust_decimal::Decimal::TWO)),
///         _ => Err("expected a number".into()),
///     })
///     .from_text("t.chiso", "methodology \"T\" version 1\ninput x: number\nrule r require double(x) > 3")?;
/// # Ok::<(), chiso::LoadError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct RuleSetBuilder {
    natives: Vec<Native>,
    limits: Option<Limits>,
    files: Files,
    access: FileAccess,
    resources: ResourceLimits,
}

impl RuleSetBuilder {
    /// Registers a native function with a fixed number of arguments. It returns a value,
    /// or a message that makes the affected values and findings `error`.
    pub fn function(
        mut self,
        name: &str,
        arity: usize,
        function: impl Fn(&[Value]) -> Result<Value, String> + Send + Sync + 'static,
    ) -> Self {
        self.natives.push(Native {
            name: Arc::from(name),
            arity,
            function: Arc::new(function),
        });
        self
    }

    /// Sets the sandbox limits of hook scripts; they win over a rule set's own `limits`.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = Some(limits);
        self
    }

    /// Reads rule files, the rule sets they `extend` and their hook scripts from `files`
    /// (the disk by default; [`Files::memory`] where there is no file system).
    pub fn files(mut self, files: Files) -> Self {
        self.files = files;
        self
    }

    /// Which files rule files may read besides themselves (`extends`, `hooks`); the
    /// default is [`FileAccess::RuleSetRoot`].
    ///
    /// ```
    /// use chiso::access::FileAccess;
    /// let err = chiso::RuleSet::builder()
    ///     .file_access(FileAccess::Nothing)
    ///     .from_text("t.chiso", "methodology \"T\" version 1\nhooks \"x.rhai\"\ninput x: number")
    ///     .unwrap_err();
    /// assert!(err.to_string().contains("may not read other files"));
    /// ```
    pub fn file_access(mut self, access: FileAccess) -> Self {
        self.access = access;
        self
    }

    /// Sets the resource limits: rule-file and data-file sizes, expression depth, records,
    /// run time, report size.
    pub fn resources(mut self, resources: ResourceLimits) -> Self {
        self.resources = resources;
        self
    }

    /// Loads a rule set from a `.chiso` file or a folder of them.
    pub fn load(&self, path: impl AsRef<Path>) -> Result<RuleSet, LoadError> {
        let path = path.as_ref();
        let files = self.files.rule_files(path)?;
        let mut sources = Vec::with_capacity(files.len());
        for file in files {
            let text = self
                .files
                .read_at_most(&file, self.resources.rule_file_bytes)
                .map_err(|message| LoadError::Io {
                    path: file.clone(),
                    source: std::io::Error::other(message),
                })?;
            sources.push(Source::new(file.display().to_string(), text));
        }
        self.from_sources(&sources)
    }

    /// Compiles a rule set from one rule file's text; `name` is shown in diagnostics and
    /// hook script paths are relative to it.
    pub fn from_text(&self, name: &str, text: &str) -> Result<RuleSet, LoadError> {
        self.from_sources(&[Source::new(name, text)])
    }

    /// Compiles a rule set from the texts of its files.
    pub fn from_sources(&self, sources: &[Arc<Source>]) -> Result<RuleSet, LoadError> {
        let mut files = Vec::with_capacity(sources.len());
        let mut diagnostics = Vec::new();
        let max = self.resources.rule_file_bytes;
        if let Some(big) = sources.iter().find(|s| s.text.len() as u64 > max) {
            return Err(LoadError::Io {
                path: PathBuf::from(&big.name),
                source: std::io::Error::other(format!(
                    "the file is larger than {}, the most this program reads",
                    crate::limits::bytes(max)
                )),
            });
        }
        let access = Access::new(&self.access, &self.files, sources, max);
        let nesting = self.resources.nesting();
        for source in sources {
            match parse::parse_file_within(source, nesting) {
                Ok(file) => files.push(file),
                Err(d) => diagnostics.extend(d),
            }
        }
        if !diagnostics.is_empty() {
            return Err(LoadError::Invalid { diagnostics });
        }
        let resolved = crate::extend::resolve(files, 0, &access, nesting)
            .map_err(|diagnostics| LoadError::Invalid { diagnostics })?;
        let mut files = resolved.files;
        let version = files
            .iter()
            .find_map(|f| f.header.as_ref().map(|h| h.version.clone()))
            .unwrap_or_default();
        let weights = crate::weights::resolve(&mut files, &version, &access);
        let externals = self.externals(&files, &access)?;
        let checked = check::check(files, &externals).map_err(|mut diagnostics| {
            diagnostics.splice(0..0, weights.iter().cloned());
            // A reference to something `remove` dropped says so.
            for d in &mut diagnostics {
                for (name, loc) in &resolved.removed {
                    if d.message == format!("unknown name `{name}`") {
                        d.help = vec![format!("`{name}` is removed by `remove` at {loc}")];
                    }
                }
            }
            LoadError::Invalid { diagnostics }
        })?;
        if !weights.is_empty() {
            return Err(LoadError::Invalid {
                diagnostics: weights,
            });
        }
        let program = compile::compile(&checked, &externals);
        let mut rules = RuleSet::from_checked(checked, program, &access)?;
        rules.methodology.extends = resolved.base;
        rules.resources = self.resources;
        rules.reading.max_bytes = self.resources.data_file_bytes;
        rules.reading.max_records = self.resources.records;
        Ok(rules)
    }

    /// Native functions plus the compiled hook scripts the files name.
    fn externals(
        &self,
        files: &[crate::parse::ast::File],
        access: &Access,
    ) -> Result<Externals, LoadError> {
        let mut limits = Limits::default();
        let mut scripts = Vec::new();
        let mut diagnostics = Vec::new();
        for item in files.iter().flat_map(|f| &f.items) {
            if let Item::Hooks(hooks) = item {
                for (name, value, loc) in &hooks.limits {
                    // rhai reads 0 as "no limit" and a huge depth overflows the stack: a
                    // rule file cannot switch the sandbox off.
                    match Limits::ceiling(name) {
                        Some(most) if (1..=most).contains(value) => {
                            limits.set(name, *value);
                        }
                        Some(most) => diagnostics.push(
                            Diagnostic::error(
                                format!("the `{name}` limit must be between 1 and {most}, not {value}"),
                                loc,
                            )
                            .with_label("outside the sandbox's range")
                            .with_help("a limit cannot switch the sandbox off; an embedding program sets its own limits with `RuleSetBuilder::limits`"),
                        ),
                        None => {}
                    }
                }
                for (path, loc) in &hooks.scripts {
                    scripts.push((path.clone(), loc.clone()));
                }
            }
        }
        if !diagnostics.is_empty() {
            return Err(LoadError::Invalid { diagnostics });
        }
        if let Some(l) = self.limits {
            limits = l.bounded();
        }
        #[cfg(feature = "rhai")]
        {
            let compiled = if scripts.is_empty() {
                None
            } else {
                let mut sources = Vec::new();
                let mut diagnostics = Vec::new();
                for (named, loc) in &scripts {
                    match crate::hooks::script::read(access, named, loc) {
                        Ok(source) => sources.push((source, loc.clone())),
                        Err(d) => diagnostics.push(*d),
                    }
                }
                if !diagnostics.is_empty() {
                    return Err(LoadError::Invalid { diagnostics });
                }
                let s = crate::hooks::script::Scripts::compile_sources(&sources, limits)
                    .map_err(|diagnostics| LoadError::Invalid { diagnostics })?;
                Some(Arc::new(s))
            };
            Ok(Externals {
                natives: self.natives.clone(),
                scripts: compiled,
            })
        }
        #[cfg(not(feature = "rhai"))]
        {
            let _ = (limits, access);
            if let Some((_, loc)) = scripts.first() {
                return Err(LoadError::Invalid {
                    diagnostics: vec![
                        Diagnostic::error("this chiso was built without hook scripts", loc)
                            .with_label("needs the `rhai` feature")
                            .with_help("build chiso with `--features rhai` (a default feature)"),
                    ],
                });
            }
            Ok(Externals {
                natives: self.natives.clone(),
            })
        }
    }
}
