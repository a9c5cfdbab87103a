//! The public face of the pipeline: load a rule set once, evaluate many datasets.
//!
//! [`RuleSetBuilder`] (`builder.rs`) loads and compiles; [`RuleSet`] (here) binds data,
//! evaluates it and builds the report, with the options of a run.

use std::path::Path;
use std::sync::Arc;

mod builder;
mod data;
mod notes;

pub(crate) use notes::{NoteFeed, Unreadable, written_as};
mod previous;

pub use builder::RuleSetBuilder;
pub use data::DataNote;

use crate::check;
use crate::compile::Program;
use crate::data::{DataError, Dataset};
use crate::diagnostic::Diagnostic;
use crate::evaluate::{self, BoundData, Evaluation};
use crate::limits::ResourceLimits;
use crate::parse::ast::Item;
use crate::report::compare::PreviousYear;
use crate::report::{self, MethodologyInfo, Report};
use crate::source::Source;

pub use crate::load::{
    LoadError, RULE_FILE_EXTENSION, find_rule_files, find_rule_sets, rule_files,
};

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
    /// The rules the typed core decides, compiled on first use by the lean and streaming
    /// paths (most runs never need it).
    typed: std::sync::OnceLock<crate::fast::FastProgram>,
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

    fn from_checked(
        checked: check::Checked,
        program: Program,
        access: &crate::access::Access,
    ) -> Result<Self, LoadError> {
        let header = &checked.header;
        let unit_key = header
            .unit_key
            .clone()
            .unwrap_or_else(|| "unit".to_string());
        let aliases = data::aliases(&checked.items, access)?;
        let reading = data::declared_options(&unit_key, &header.reading, &aliases);
        // Moved, not cloned: a 20,000-rule file's items are most of what was compiled.
        let (tests, items): (Vec<Item>, Vec<Item>) = checked
            .items
            .into_iter()
            .partition(|i| matches!(i, Item::Test(_)));
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
            tests: tests
                .into_iter()
                .filter_map(|i| match i {
                    Item::Test(t) => Some(t),
                    _ => None,
                })
                .collect(),
            items,
            warnings: checked.warnings,
            resources: ResourceLimits::default(),
            typed: std::sync::OnceLock::new(),
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

    /// The program's rules in the typed core ([`crate::fast`]), compiled once.
    pub(crate) fn typed(&self) -> &crate::fast::FastProgram {
        self.typed
            .get_or_init(|| crate::fast::FastProgram::compile(&self.program))
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
