//! The JSON Lines report: a header line (format, methodology, each rule once), then per
//! unit its values (if asked) and its kept findings as they are decided, then the summary;
//! lines are written straight into one buffer without building a finding that passes.

use std::io::Write;

use serde::Serialize;

use super::{
    Records, Stream, StreamError, StreamOptions, ValueFilter, cohort_operations, json, lines,
    unit_values, view,
};
use crate::data::{DataError, Record};
use crate::evaluate::{self, Status};
use crate::parse::ast::Severity;
use crate::report::{self, Summary};
use crate::ruleset::RuleSet;

/// The metadata of a rule, written once at the top of a JSON Lines report so that each
/// finding refers to it by id instead of repeating it.
#[derive(Serialize)]
struct RuleLine<'a> {
    rule: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    cite: Option<&'a str>,
}

#[derive(Serialize)]
struct HeaderLine<'a> {
    format: &'static str,
    methodology: &'a report::MethodologyInfo,
    rules: Vec<RuleLine<'a>>,
}

#[derive(Serialize)]
struct SummaryLine<'a> {
    summary: &'a Summary,
}

/// How many bytes of lines [`RuleSet::write_jsonl`] gathers before writing them.
const BUFFER: usize = 1 << 16;

/// The version tag of the JSON Lines report, on its first line.
pub const JSONL_FORMAT: &str = "chiso-jsonl-1";

impl RuleSet {
    /// Streams records into `out` as JSON Lines: a header line (format, methodology, each
    /// rule's title, severity and citation once), then per unit its values (if asked) and
    /// its kept findings as they are decided, then a summary line. Returns the summary.
    /// On a bad record the lines already written stay and the error is returned. A rule
    /// set with cohort operations is gathered first ([`RuleSet::gather`]): its lines
    /// follow once every record is read, and a bad record means none are written.
    pub fn write_jsonl<I, W>(
        &self,
        records: I,
        options: StreamOptions,
        out: &mut W,
    ) -> Result<Summary, StreamError>
    where
        I: Iterator<Item = Result<Record, DataError>>,
        W: Write,
    {
        self.jsonl_by(records, options, out, Stream::advance)
    }

    /// [`RuleSet::write_jsonl`] over data files: the same lines, faster, as CSV rows are
    /// bound from their cells without making a [`Record`] of each.
    ///
    /// ```no_run
    /// use chiso::stream::{Records, StreamOptions};
    /// let rules = chiso::RuleSet::load("rules/it-staffing")?;
    /// let records = Records::open(&["agencies.csv"], rules.unit_key());
    /// let summary = rules.write_jsonl_files(records, StreamOptions::default(), &mut std::io::stdout())?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_jsonl_files<W: Write>(
        &self,
        records: Records,
        options: StreamOptions,
        out: &mut W,
    ) -> Result<Summary, StreamError> {
        self.jsonl_by(records, options, out, Stream::advance_rows)
    }

    fn jsonl_by<'a, I, W, F>(
        &'a self,
        records: I,
        options: StreamOptions,
        out: &mut W,
        mut advance: F,
    ) -> Result<Summary, StreamError>
    where
        I: Iterator<Item = Result<Record, DataError>>,
        W: Write,
        F: FnMut(&mut Stream<'a, I>) -> Option<Result<(), DataError>>,
    {
        let mut stream = if cohort_operations(self.program()).is_empty() {
            self.stream(records, options)?
        } else {
            self.gather(records, options)
        };
        let header = HeaderLine {
            format: JSONL_FORMAT,
            methodology: self.methodology(),
            rules: self
                .program()
                .rules
                .iter()
                .map(|r| RuleLine {
                    rule: &r.id,
                    title: r.title.as_deref(),
                    severity: r.severity,
                    cite: r.cite.as_deref(),
                })
                .collect(),
        };
        line(out, &header)?;
        // `"rule":"…","status":"` of each rule, escaped once.
        let rule_keys = self
            .program()
            .rules
            .iter()
            .map(|r| {
                let mut key = b",\"rule\":".to_vec();
                json(&mut key, r.id.as_ref())?;
                key.extend_from_slice(b",\"status\":\"");
                Ok(key)
            })
            .collect::<Result<Vec<_>, StreamError>>()?;
        // Lines gather in one buffer written in large pieces (the writer may be a boxed
        // one: a call per line cost as much as the line).
        let mut buf = Vec::with_capacity(BUFFER + (1 << 12));
        while let Some(step) = advance(&mut stream) {
            if let Err(e) = step {
                // The lines of the records before the bad one stay.
                out.write_all(&buf)?;
                return Err(e.into());
            }
            stream.write_lines(&mut buf, &rule_keys)?;
            if buf.len() >= BUFFER {
                out.write_all(&buf)?;
                buf.clear();
            }
        }
        out.write_all(&buf)?;
        let summary = stream.summary().clone();
        line(out, &SummaryLine { summary: &summary })?;
        out.flush()?;
        Ok(summary)
    }
}

fn line<W: Write, T: Serialize>(out: &mut W, value: &T) -> Result<(), StreamError> {
    serde_json::to_writer(&mut *out, value).map_err(std::io::Error::from)?;
    out.write_all(b"\n")?;
    Ok(())
}

impl<I> Stream<'_, I> {
    /// Counts the decisions of the record just evaluated and writes what is kept as
    /// JSON Lines into `buf`, as [`RuleSet::write_jsonl`] shows them, without building
    /// the findings: a passing finding is its unit, rule and status; only what is written
    /// is computed.
    fn write_lines(&mut self, buf: &mut Vec<u8>, rule_keys: &[Vec<u8>]) -> Result<(), StreamError> {
        let program = self.rules.program();
        let Some(result) = self.results.unit(self.cursor) else {
            return Ok(());
        };
        let name = self.bound.units.get(self.cursor).map_or("", |u| u.as_ref());
        let slots = view(&self.bound, self.cursor, result);
        let mut unit_json: Option<Vec<u8>> = None;
        if self.options.values != ValueFilter::None {
            let mut u = Vec::with_capacity(name.len() + 2);
            json(&mut u, name)?;
            let plain = lines::values_line(buf, program, &u, slots, self.options.values)?;
            if !plain
                && let Some(values) = unit_values(
                    program,
                    &self.results.cohorts,
                    name,
                    slots,
                    result,
                    self.options.values,
                )
            {
                json(buf, &values)?;
                buf.push(b'\n');
            }
            unit_json = Some(u);
        }
        for ((rule, decision), key) in program.rules.iter().zip(result.decisions).zip(rule_keys) {
            let status = decision.status;
            self.summary.count(rule.severity, status);
            if !self.options.findings.keeps(status) {
                continue;
            }
            let unit = match &mut unit_json {
                Some(u) => u,
                None => {
                    let mut u = Vec::with_capacity(name.len() + 2);
                    json(&mut u, name)?;
                    unit_json.insert(u)
                }
            };
            buf.extend_from_slice(b"{\"unit\":");
            buf.extend_from_slice(unit);
            buf.extend_from_slice(key);
            buf.extend_from_slice(match status {
                Status::Pass => b"pass\"",
                Status::Fail => b"fail\"",
                Status::Error => b"error\"",
                Status::Skip => b"skip\"",
            });
            if status != Status::Pass {
                buf.extend_from_slice(b",\"message\":");
                json(buf, &report::message(program, rule, name, slots, decision))?;
            }
            if matches!(status, Status::Fail | Status::Error) {
                let members = if status == Status::Fail {
                    evaluate::requirement_evidence(
                        program,
                        slots,
                        &self.results.cohorts,
                        &rule.require,
                    )
                } else {
                    indexmap::IndexMap::new()
                };
                if members.is_empty() && lines::plain_evidence(buf, program, rule, slots, decision)?
                {
                    buf.extend_from_slice(b"}\n");
                    continue;
                }
                let mut evidence = report::evidence(program, rule, slots, decision);
                evidence.extend(members);
                if !evidence.is_empty() {
                    buf.extend_from_slice(b",\"evidence\":");
                    json(buf, &evidence)?;
                }
            }
            buf.extend_from_slice(b"}\n");
        }
        Ok(())
    }
}
