//! The public face of the pipeline: load a rule set once, evaluate many datasets.

use std::path::{Path, PathBuf};
use std::sync::Arc;

mod data;
mod previous;

pub use data::DataNote;

use crate::access::{Access, FileAccess};
use crate::check;
use crate::compile::{self, Program};
use crate::data::{DataError, Dataset};
use crate::diagnostic::Diagnostic;
use crate::evaluate::{self, BoundData, Evaluation};
use crate::files::Files;
use crate::hooks::{Externals, Limits, Native};
use crate::limits::ResourceLimits;
use crate::parse;
use crate::parse::ast::Item;
use crate::report::compare::PreviousYear;
use crate::report::{self, MethodologyInfo, Report};
use crate::source::Source;
use crate::value::Value;

/// The file extension of rule files.
pub const RULE_FILE_EXTENSION: &str = "chiso";

/// Why a rule set could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A file or folder could not be read.
    #[error("cannot read `{}`: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The reason.
        source: std::io::Error,
    },
    /// A folder holds no rule files.
    #[error("no `.chiso` rule files in `{}`", path.display())]
    NoRuleFiles {
        /// The folder.
        path: PathBuf,
    },
    /// The rule files have errors.
    #[error("{}", render_all(diagnostics))]
    Invalid {
        /// Every error and warning found.
        diagnostics: Vec<Diagnostic>,
    },
}

fn render_all(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(Diagnostic::render)
        .collect::<Vec<_>>()
        .join("")
}

/// Told how far a long computation has got: `(done, total)`. The CLI draws a progress
/// bar with it; the library itself never prints.
#[derive(Clone, Copy)]
pub struct Progress<'a>(pub &'a (dyn Fn(usize, usize) + Sync));

impl std::fmt::Debug for Progress<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Progress")
    }
}

/// What a run adds to the plain report.
#[derive(Debug, Clone, Default)]
pub struct RunOptions<'a> {
    /// Explain this unit's values (`--explain`).
    pub explain: Option<&'a str>,
    /// Compare with the previous year (`--previous`).
    pub previous: Option<&'a PreviousYear>,
    /// Re-run with perturbed weights and methods: (runs, seed) (`--sensitivity`, `--seed`).
    pub sensitivity: Option<(usize, u64)>,
    /// Explain every unit's values (`Report::explanations`, shown by the HTML and Excel
    /// reports).
    pub explain_all: bool,
    /// Told after each sensitivity run.
    pub progress: Option<Progress<'a>>,
}

/// Why a run with options could not be done.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// `--explain` names a unit that is not in the data.
    #[error("no unit `{unit}` in the data{}", suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
    UnknownUnit {
        /// The unit asked for.
        unit: String,
        /// The closest unit name.
        suggestion: Option<String>,
    },
    /// `--sensitivity` on a rule set that declares nothing to perturb.
    #[error("the rule set declares no `sensitivity`: add e.g. `sensitivity weights vary 25%`")]
    NoSensitivity,
    /// `--sensitivity` on a rule set without a `rank`.
    #[error("the rule set declares no `rank`, so there are no ranks to perturb")]
    NoRanks,
    /// The run did not finish within the run-time limit the program set.
    #[error("the run took longer than {} ms, its time limit ({what} did not finish)", limit.as_millis())]
    TimeLimit {
        /// The limit.
        limit: std::time::Duration,
        /// What did not finish.
        what: &'static str,
    },
}

/// A compiled rule set: immutable, `Send + Sync`, evaluated as often as needed.
#[derive(Debug, Clone)]
pub struct RuleSet {
    methodology: MethodologyInfo,
    unit_key: String,
    program: Program,
    warnings: Vec<Diagnostic>,
    tests: Vec<crate::parse::ast::Test>,
    items: Vec<Item>,
    /// How its data is read: the header's number format and missing markers, its aliases.
    reading: crate::LoadOptions,
    resources: ResourceLimits,
}

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
        let weights = crate::weights::resolve(&mut files, &version);
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
        let mut rules = RuleSet::from_checked(checked, program)?;
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

impl RuleSet {
    /// A builder, to register native functions or set sandbox limits before compiling.
    ///
    /// ```
    /// let rules = chiso::RuleSet::builder()
    ///     .limits(chiso::Limits { operations: 10_000, ..Default::default() })
    ///     .from_text("t.chiso", "methodology \"T\" version 1\ninput x: number\nrule r require x > 0")?;
    /// # Ok::<(), chiso::LoadError>(())
    /// ```
    pub fn builder() -> RuleSetBuilder {
        RuleSetBuilder::default()
    }

    /// Loads a rule set from a `.chiso` file or a folder of them.
    ///
    /// ```no_run
    /// let rules = chiso::RuleSet::load("rules/it-staffing")?;
    /// # Ok::<(), chiso::LoadError>(())
    /// ```
    pub fn load(path: impl AsRef<Path>) -> Result<Self, LoadError> {
        RuleSetBuilder::default().load(path)
    }

    /// Compiles a rule set from one rule file's text; `name` is shown in diagnostics.
    ///
    /// ```
    /// let err = chiso::RuleSet::from_text("t.chiso", "methodology \"T\" version 1\nrule r require y > 0")
    ///     .unwrap_err();
    /// assert!(err.to_string().contains("unknown name `y`"));
    /// ```
    pub fn from_text(name: &str, text: &str) -> Result<Self, LoadError> {
        RuleSetBuilder::default().from_text(name, text)
    }

    /// Compiles a rule set from the texts of its files.
    pub fn from_sources(sources: &[Arc<Source>]) -> Result<Self, LoadError> {
        RuleSetBuilder::default().from_sources(sources)
    }

    fn from_checked(checked: check::Checked, program: Program) -> Result<Self, LoadError> {
        let header = &checked.header;
        let unit_key = header
            .unit_key
            .clone()
            .unwrap_or_else(|| "unit".to_string());
        let aliases = data::aliases(&checked.items)?;
        let reading = data::declared_options(&unit_key, &header.reading, &aliases);
        Ok(Self {
            reading,
            methodology: MethodologyInfo {
                name: header.name.clone(),
                version: header.version.clone(),
                unit: header.unit.as_ref().map(|u| u.name.clone()),
                sources: header.sources.clone(),
                extends: None,
            },
            unit_key,
            program,
            tests: checked
                .items
                .iter()
                .filter_map(|i| match i {
                    Item::Test(t) => Some(t.clone()),
                    _ => None,
                })
                .collect(),
            items: checked
                .items
                .iter()
                .filter(|i| !matches!(i, Item::Test(_)))
                .cloned()
                .collect(),
            warnings: checked.warnings,
            resources: ResourceLimits::default(),
        })
    }

    /// The resource limits this rule set was compiled with (they bound its data, runs and
    /// reports too).
    pub fn resources(&self) -> &ResourceLimits {
        &self.resources
    }

    /// The declarations in force (after `extends`), tests left out.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// The methodology's name, version, unit and sources.
    pub fn methodology(&self) -> &MethodologyInfo {
        &self.methodology
    }

    /// Warnings the checker found (the rule set is usable).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The data field that names each unit (`unit` unless the header says otherwise).
    ///
    /// ```
    /// let rules = chiso::RuleSet::from_text(
    ///     "t.chiso",
    ///     "methodology \"T\" version 1\n unit portal key \"domain\"\ninput n: integer\nrule r require n > 0",
    /// )?;
    /// assert_eq!(rules.unit_key(), "domain");
    /// # Ok::<(), chiso::LoadError>(())
    /// ```
    pub fn unit_key(&self) -> &str {
        &self.unit_key
    }

    /// The tests written in the rule files (`chiso test` runs them).
    pub fn tests(&self) -> &[crate::parse::ast::Test] {
        &self.tests
    }

    /// The compiled program (slots, formulas, rules).
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// Loads data files (JSON or CSV) for this rule set; together they are one dataset.
    pub fn load_data<P: AsRef<Path>>(&self, paths: &[P]) -> Result<Dataset, DataError> {
        self.load_data_with(paths, &self.load_options())
    }

    /// How this rule set reads data by default: its unit key, the number format and
    /// missing markers its header declares (`decimal comma`, `thousands "."`,
    /// `missing "NA"`), its aliases; a run may override the reading options.
    pub fn load_options(&self) -> crate::LoadOptions {
        self.reading.clone()
    }

    /// The other names of units this rule set declares (`alias`, `aliases "…"`).
    pub fn aliases(&self) -> &crate::data::Aliases {
        &self.reading.aliases
    }

    /// Loads data files as `options` say (encoding, delimiter, number format, missing
    /// markers, sheet, header row); together they are one dataset.
    pub fn load_data_with<P: AsRef<Path>>(
        &self,
        paths: &[P],
        options: &crate::LoadOptions,
    ) -> Result<Dataset, DataError> {
        let mut data = Dataset::default();
        for path in paths {
            data.extend(Dataset::load_with(path.as_ref(), options)?)?;
            if data.records.len() > options.max_records {
                return Err(crate::data::too_many(
                    &path.as_ref().display().to_string(),
                    options.max_records,
                ));
            }
        }
        if options.strict {
            self.strict_columns(&data)?;
        }
        Ok(data)
    }

    /// Converts a dataset's fields to the declared input types, once, for programs that
    /// evaluate the same data repeatedly with [`RuleSet::evaluate_bound`].
    ///
    /// ```
    /// let rules = chiso::RuleSet::from_text("t.chiso", "methodology \"T\" version 1\ninput x: number\nindicator y = x * 2")?;
    /// let data = chiso::Dataset::from_json_str("d.json", r#"[{"unit": "A", "x": "0.1"}]"#, "unit")?;
    /// let bound = rules.bind(&data);
    /// let results = rules.evaluate_bound(&bound);
    /// assert_eq!(results.unit(0).unwrap().computed[0], Ok(chiso::Value::Number("0.2".parse()?)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn bind(&self, data: &Dataset) -> BoundData {
        evaluate::bind(&self.program, data)
    }

    /// Evaluates bound data: every unit's values and rule decisions.
    pub fn evaluate_bound(&self, data: &BoundData) -> Evaluation {
        evaluate::evaluate_by(&self.program, data, self.deadline())
    }

    /// When a run starting now must end ([`ResourceLimits::run_time`]).
    fn deadline(&self) -> Option<crate::limits::Instant> {
        self.resources
            .run_time
            .and_then(|t| crate::limits::Instant::now().checked_add(t))
    }

    /// Evaluates a dataset and builds the report.
    ///
    /// ```
    /// let rules = chiso::RuleSet::from_text("t.chiso", "methodology \"T\" version 1\ninput x: number\nrule r require x > 0")?;
    /// let data = chiso::Dataset::from_json_str("d.json", r#"[{"unit": "A", "x": 1}, {"unit": "B"}]"#, rules.unit_key())?;
    /// let report = rules.evaluate(&data);
    /// assert_eq!(report.findings[0].status, chiso::Status::Pass);
    /// assert_eq!(report.findings[1].status, chiso::Status::Error); // B has no `x`
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn evaluate(&self, data: &Dataset) -> Report {
        let bound = self.bind(data);
        let results = self.evaluate_bound(&bound);
        let mut report = report::build(self.methodology.clone(), &self.program, &bound, &results);
        self.add_data_notes(&mut report, data, &bound);
        report
    }

    /// Evaluates a dataset and adds what `options` ask for: an explanation, changes since
    /// the previous year, a sensitivity analysis of the ranks.
    ///
    /// ```
    /// let rules = chiso::RuleSet::from_text(
    ///     "t.chiso",
    ///     "methodology \"T\" version 1\ninput a: number\ninput b: number\nscore s = mean of a, b\nrank s",
    /// )?;
    /// let data = chiso::Dataset::from_json_str("d.json", r#"[{"unit": "A", "a": 1, "b": 3}]"#, "unit")?;
    /// let options = chiso::RunOptions { explain: Some("A"), ..Default::default() };
    /// let report = rules.evaluate_with(&data, &options)?;
    /// assert_eq!(report.explain.unwrap().nodes[0].children.len(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn evaluate_with(
        &self,
        data: &Dataset,
        options: &RunOptions<'_>,
    ) -> Result<Report, RunError> {
        let _run = crate::hooks::RunDeadline::set(self.deadline());
        let mut bound = self.bind(data);
        if let Some(previous) = options.previous {
            self.fill_previous(&mut bound, previous);
        }
        let explain_index = match options.explain {
            None => None,
            Some(unit) => Some(
                bound
                    .units
                    .iter()
                    .position(|u| u.as_ref() == self.aliases().resolve(unit))
                    .ok_or_else(|| RunError::UnknownUnit {
                        unit: unit.to_string(),
                        suggestion: crate::diagnostic::did_you_mean(
                            unit,
                            bound.units.iter().map(|u| u.as_ref()),
                        )
                        .map(str::to_string),
                    })?,
            ),
        };
        if options.sensitivity.is_some() {
            if self.program.sensitivity.is_none() {
                return Err(RunError::NoSensitivity);
            }
            if self.program.ranks.is_empty() {
                return Err(RunError::NoRanks);
            }
        }
        let results = self.evaluate_bound(&bound);
        let mut report = report::build(self.methodology.clone(), &self.program, &bound, &results);
        self.add_data_notes(&mut report, data, &bound);
        if let (Some(index), Some(unit)) = (explain_index, options.explain)
            && let Some(result) = results.unit(index)
        {
            let slots = evaluate::Slots {
                inputs: bound.inputs.get(index).map_or(&[], Vec::as_slice),
                computed: result.computed,
            };
            report.explain = Some(report::explain::explain(
                &self.program,
                slots,
                &results,
                unit,
            ));
        }
        if options.explain_all {
            report.explanations = bound
                .units
                .iter()
                .enumerate()
                .filter_map(|(index, unit)| {
                    let result = results.unit(index)?;
                    let slots = evaluate::Slots {
                        inputs: bound.inputs.get(index).map_or(&[], Vec::as_slice),
                        computed: result.computed,
                    };
                    Some(report::explain::explain(
                        &self.program,
                        slots,
                        &results,
                        unit,
                    ))
                })
                .collect();
        }
        if let Some(previous) = options.previous {
            report::compare::compare(&mut report, previous);
        }
        if let Some((runs, seed)) = options.sensitivity {
            report.sensitivity = evaluate::sensitivity::analyse_with(
                &self.program,
                &bound,
                runs,
                seed,
                options.progress.map(|p| p.0),
            );
            if let (Some(limit), Some(deadline)) = (
                self.resources.run_time,
                crate::hooks::RunDeadline::current(),
            ) && crate::limits::Instant::now() > deadline
            {
                return Err(RunError::TimeLimit {
                    limit,
                    what: "the sensitivity runs",
                });
            }
        }
        Ok(report)
    }

    /// Last year's values and ranks from `path`: a JSON report of `chiso run`, or last
    /// year's data (JSON or CSV), evaluated with this rule set.
    pub fn load_previous(&self, path: &Path) -> Result<PreviousYear, DataError> {
        self.load_previous_with(path, &self.load_options())
    }

    /// [`RuleSet::load_previous`], reading last year's data files as `options` say.
    pub fn load_previous_with(
        &self,
        path: &Path,
        options: &crate::LoadOptions,
    ) -> Result<PreviousYear, DataError> {
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            let file = path.display().to_string();
            crate::data::not_a_device(path, &file)?;
            let text = crate::files::read_bounded(path, options.max_bytes).map_err(|message| {
                DataError::Io {
                    file,
                    source: std::io::Error::other(message),
                }
            })?;
            if let Some(mut previous) = PreviousYear::from_report_json(&text) {
                previous.units = previous
                    .units
                    .into_iter()
                    .map(|(name, year)| (self.aliases().resolve(&name), year))
                    .collect();
                return Ok(previous);
            }
        }
        let data = self.load_data_with(&[path], options)?;
        let mut previous = PreviousYear::from_report(&self.evaluate(&data));
        self.add_previous_inputs(&mut previous, &data);
        Ok(previous)
    }
}

/// A reading error about `path`.
fn io_error(path: &Path) -> impl Fn(std::io::Error) -> LoadError + '_ {
    move |source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn is_rule_file(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == RULE_FILE_EXTENSION)
}

/// The rule files of a rule set at `path`: the file itself, or the `.chiso` files
/// directly inside the folder, sorted by name.
pub fn rule_files(path: &Path) -> Result<Vec<PathBuf>, LoadError> {
    if std::fs::metadata(path).map_err(io_error(path))?.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).map_err(io_error(path))? {
        let p = entry.map_err(io_error(path))?.path();
        if p.is_file() && is_rule_file(&p) {
            files.push(p);
        }
    }
    non_empty(files, path)
}

/// Sorted paths, or the error that `path` holds no rule files.
fn non_empty(mut found: Vec<PathBuf>, path: &Path) -> Result<Vec<PathBuf>, LoadError> {
    found.sort();
    found.dedup();
    if found.is_empty() {
        return Err(LoadError::NoRuleFiles {
            path: path.to_path_buf(),
        });
    }
    Ok(found)
}

/// Every rule file under `path` (or `path` itself), sorted.
pub fn find_rule_files(path: &Path) -> Result<Vec<PathBuf>, LoadError> {
    if std::fs::metadata(path).map_err(io_error(path))?.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut found = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    // Each folder is walked once, however many symbolic links lead to it: a link back
    // up the tree is not an endless descent.
    let mut walked = std::collections::HashSet::new();
    while let Some(dir) = stack.pop() {
        if !walked.insert(std::fs::canonicalize(&dir).map_err(io_error(&dir))?) {
            continue;
        }
        for entry in std::fs::read_dir(&dir).map_err(io_error(&dir))?.flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if is_rule_file(&p) {
                found.push(p);
            }
        }
    }
    non_empty(found, path)
}

/// Every rule set under `path`: a rule file, a folder of rule files, or a tree whose
/// folders that hold rule files are each one rule set. Sorted.
pub fn find_rule_sets(path: &Path) -> Result<Vec<PathBuf>, LoadError> {
    if std::fs::metadata(path).map_err(io_error(path))?.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let folders = find_rule_files(path)?
        .into_iter()
        .filter_map(|f| f.parent().map(Path::to_path_buf))
        .collect();
    non_empty(folders, path)
}
