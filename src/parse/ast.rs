//! The syntax tree of a rule file: what the author wrote, with locations, before any name
//! is resolved.

use rust_decimal::Decimal;

use crate::source::Loc;

mod expr;
mod rule;

pub use crate::value::Rounding;
pub use expr::{BinaryOp, Collection, CollectionOp, Expr, ExprKind, UnaryOp};
pub use rule::{Expectation, Expected, Given, MessagePart, Rule, Severity, Target, Test};

/// A name as written, with its location.
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where it was written.
    pub loc: Loc,
}

/// A label, optionally bilingual: `"Cán bộ CNTT" / "IT staff"`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Label {
    /// The first (usually Vietnamese) label.
    pub primary: Option<String>,
    /// The second (usually English) label.
    pub secondary: Option<String>,
}

/// One parsed rule file.
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    /// The methodology header, if this file carries it.
    pub header: Option<Header>,
    /// Declarations in source order.
    pub items: Vec<Item>,
    /// Byte ranges of the header (if any) and of every item, in order: what the formatter
    /// uses to keep comments with their declarations.
    pub spans: Vec<std::ops::Range<usize>>,
}

/// `methodology "…" version … unit … source …`.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// Methodology name.
    pub name: String,
    /// Version or year.
    pub version: String,
    /// Kind of unit assessed (`province`, `agency`).
    pub unit: Option<Ident>,
    /// Field naming the unit in each record (default `unit`).
    pub unit_key: Option<String>,
    /// Source documents.
    pub sources: Vec<String>,
    /// `extends "…"`: the path of the extended rule set, as written, and where.
    pub extends: Option<(String, Loc)>,
    /// `dated by …`: the date input of each unit.
    pub dated_by: Option<Ident>,
    /// `in force from … until …`: days since 1970-01-01.
    pub in_force: Option<(i32, Option<i32>)>,
    /// `decimal comma`, `thousands "."`, `missing "NA"`: how the data files are read.
    pub reading: DataReading,
    /// Location of the header keyword and name.
    pub loc: Loc,
}

/// How a rule set's data files write numbers and gaps, as its header declares it; `None`
/// where the header is silent (the run's options or the defaults apply).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DataReading {
    /// `decimal comma` (true) or `decimal point` (false), and where.
    pub decimal_comma: Option<(bool, Loc)>,
    /// `thousands "."`: the grouping character as written, and where.
    pub thousands: Option<(String, Loc)>,
    /// `missing "NA", "-"`: the cell texts that mean "no value", and where.
    pub missing: Option<(Vec<String>, Loc)>,
}

/// `alias "TP. Hồ Chí Minh", "TP HCM" for "Hồ Chí Minh"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Alias {
    /// The keyword, for locations.
    pub keyword: Ident,
    /// The names data files may use, and where each is written.
    pub names: Vec<(String, Loc)>,
    /// The unit's canonical name, and where.
    pub canonical: (String, Loc),
}

/// `aliases "province-names.csv"`.
#[derive(Debug, Clone, PartialEq)]
pub struct AliasFile {
    /// The keyword, for locations.
    pub keyword: Ident,
    /// The path as written, relative to the rule file.
    pub path: String,
    /// Where the path is written.
    pub loc: Loc,
}

/// A declaration.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `alias … for …`: other names of a unit.
    Alias(Alias),
    /// `aliases "…"`: a table of other names of units.
    Aliases(AliasFile),
    /// `constant …`.
    Constant(Constant),
    /// `input …`.
    Input(Input),
    /// `indicator …`.
    Indicator(Indicator),
    /// `score …`.
    Score(Score),
    /// `rule …`.
    Rule(Rule),
    /// `rank …`: a rank shown in the report.
    Rank(RankDecl),
    /// `sensitivity …`: what `--sensitivity` perturbs.
    Sensitivity(Sensitivity),
    /// `hooks "…"`: rhai scripts and their sandbox limits.
    Hooks(Hooks),
    /// `test "…"`: an example run by `chiso test`.
    Test(Test),
    /// `holidays …`: non-working days for `working_days_between`.
    Holidays(Holidays),
    /// `remove kind name`: drops a declaration of the extended methodology.
    Remove(Remove),
    /// `replace …`: a declaration of the extended methodology, written anew.
    Replace(Box<Item>),
}

/// `holidays 2020-01-01, …`.
#[derive(Debug, Clone, PartialEq)]
pub struct Holidays {
    /// The keyword, for locations.
    pub keyword: Ident,
    /// The days, as days since 1970-01-01.
    pub days: Vec<i32>,
    /// `working …`: Saturdays or Sundays worked in exchange for a bridged day off.
    pub working: Vec<i32>,
}

/// `remove indicator name`.
#[derive(Debug, Clone, PartialEq)]
pub struct Remove {
    /// The kind keyword: constant, input, indicator, score, rule or rank.
    pub kind: String,
    /// The name removed.
    pub name: Ident,
}

impl Item {
    /// The keyword that declares this kind of item (what `remove` names).
    pub fn kind(&self) -> &'static str {
        match self {
            Item::Constant(_) => "constant",
            Item::Input(_) => "input",
            Item::Indicator(_) => "indicator",
            Item::Score(_) => "score",
            Item::Rule(_) => "rule",
            Item::Rank(_) => "rank",
            Item::Sensitivity(_) => "sensitivity",
            Item::Hooks(_) => "hooks",
            Item::Test(_) => "test",
            Item::Holidays(_) => "holidays",
            Item::Alias(_) => "alias",
            Item::Aliases(_) => "aliases",
            Item::Remove(_) => "remove",
            Item::Replace(inner) => inner.kind(),
        }
    }
}

/// `hooks "a.rhai", "b.rhai" limits operations 100000`.
#[derive(Debug, Clone, PartialEq)]
pub struct Hooks {
    /// The `hooks` keyword, for locations.
    pub keyword: Ident,
    /// Script paths as written (relative to the rule file), with their locations.
    pub scripts: Vec<(String, Loc)>,
    /// Limits: (name, value, location).
    pub limits: Vec<(String, u64, Loc)>,
}

impl Item {
    /// The declared name.
    pub fn ident(&self) -> &Ident {
        match self {
            Item::Constant(c) => &c.name,
            Item::Input(i) => &i.name,
            Item::Indicator(i) => &i.name,
            Item::Score(s) => &s.name,
            Item::Rule(r) => &r.name,
            Item::Rank(r) => r.key.as_ref().unwrap_or(&r.column),
            Item::Sensitivity(s) => &s.keyword,
            Item::Hooks(h) => &h.keyword,
            Item::Test(t) => &t.name,
            Item::Holidays(h) => &h.keyword,
            Item::Alias(a) => &a.keyword,
            Item::Aliases(a) => &a.keyword,
            Item::Remove(r) => &r.name,
            Item::Replace(inner) => inner.ident(),
        }
    }
}

/// A normalisation method across the cohort.
#[derive(Debug, Clone, PartialEq)]
pub enum Method {
    /// `x / max` (lower is better: `min / x`).
    Max,
    /// `(x − min) / (max − min)`.
    MinMax,
    /// `(x − mean) / sd`, sample standard deviation.
    ZScore,
    /// `(n − rank) / (n − 1)`: 1 for the best unit, 0 for the worst.
    Percentile,
    /// Competition rank, 1 for the best.
    Rank,
    /// `(x − low) / (high − low)` clamped to [0, 1].
    Goalposts(Decimal, Decimal),
    /// `1 − (ref − x) / (ref − min)` with `ref` the named unit's value.
    Distance(String),
    /// A hook function `f(x, cohort_values)`.
    Hook(String),
    /// A method with parameters from the composite-indicator practice (`minmax onto`,
    /// `zscore as`, `scaled`, `distance to target`, `borda`, `treat`, …).
    Composite(super::composite::Normaliser),
}

impl Method {
    /// The method as written.
    pub fn describe(&self) -> String {
        match self {
            Method::Max => "max".into(),
            Method::MinMax => "minmax".into(),
            Method::ZScore => "zscore".into(),
            Method::Percentile => "percentile".into(),
            Method::Rank => "rank".into(),
            Method::Goalposts(lo, hi) => format!("goalposts {lo} .. {hi}"),
            Method::Distance(unit) => format!("distance to {unit:?}"),
            Method::Hook(name) => format!("hook {name}"),
            Method::Composite(n) => n.describe(),
        }
    }
}

/// `normalise x by method [lower is better] [among …]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Normalise {
    /// The value normalised: an input, indicator or score.
    pub column: Ident,
    /// How.
    pub method: Method,
    /// Where the method was written.
    pub method_loc: Loc,
    /// `lower is better` was written.
    pub lower_is_better: bool,
    /// The cohort condition; all units when absent.
    pub cohort: Option<Expr>,
}

/// `rank of x [ascending] [rounded n] [among …]`, or the same as a `rank` declaration.
#[derive(Debug, Clone, PartialEq)]
pub struct RankSpec {
    /// The value ranked.
    pub column: Ident,
    /// Lowest value ranks first.
    pub ascending: bool,
    /// Decimals at which values are compared.
    pub rounded: Option<u32>,
    /// The cohort condition; all units when absent.
    pub cohort: Option<Expr>,
    /// `by region`: ranked within each group of units with the same value.
    pub group: Option<Ident>,
}

/// `rank x … [as key]`.
#[derive(Debug, Clone, PartialEq)]
pub struct RankDecl {
    /// What and how.
    pub spec: RankSpec,
    /// Copy of the ranked name, for `Item::ident`.
    pub column: Ident,
    /// The report key, when not the column's name.
    pub key: Option<Ident>,
}

/// `sensitivity weights vary 25% alternatives max, minmax`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sensitivity {
    /// The `sensitivity` keyword, for locations.
    pub keyword: Ident,
    /// Largest relative change of a weight.
    pub weights_vary: Option<(Decimal, Loc)>,
    /// Normalisation methods that may replace each other.
    pub alternatives: Vec<(Method, Loc)>,
}

/// How a score is aggregated.
#[derive(Debug, Clone, PartialEq)]
pub enum Aggregation {
    /// Weighted arithmetic mean.
    Arithmetic,
    /// Weighted geometric mean.
    Geometric,
    /// Weighted harmonic mean.
    Harmonic,
    /// Weighted generalised mean with this exponent.
    Power(Decimal),
    /// The smallest member.
    Minimum,
    /// The sum of the members (points).
    Sum,
    /// A hook function `f(values, weights)`.
    Hook(String),
    /// `copeland of …`: each pair of units compared on the weighted majority of the
    /// members; wins − losses (COINr `a_copeland`).
    Copeland,
    /// `dominance count of …` (`share: false`) or `dominance share of …`: the units a unit
    /// beats on every member, counted or as a share of the others (COINr `outrankMatrix`).
    Dominance {
        /// The count divided by the number of other units.
        share: bool,
    },
}

impl Aggregation {
    /// As written.
    pub fn describe(&self) -> String {
        match self {
            Aggregation::Arithmetic => "mean".into(),
            Aggregation::Geometric => "geometric mean".into(),
            Aggregation::Harmonic => "harmonic mean".into(),
            Aggregation::Power(p) => format!("power {p} mean"),
            Aggregation::Minimum => "minimum".into(),
            Aggregation::Sum => "sum".into(),
            Aggregation::Hook(name) => format!("hook {name}"),
            Aggregation::Copeland => "copeland".into(),
            Aggregation::Dominance { share: false } => "dominance count".into(),
            Aggregation::Dominance { share: true } => "dominance share".into(),
        }
    }

    /// Computed across the cohort from the outranking matrix of the members (Copeland,
    /// dominance), not from the unit's own members alone.
    pub fn is_outranking(&self) -> bool {
        matches!(self, Aggregation::Copeland | Aggregation::Dominance { .. })
    }
}

/// What a score does when members are missing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MissingPolicy {
    /// The score is `error` (the default).
    Error,
    /// Missing members count as 0.
    Zero,
    /// Missing members drop out with their weights; at least this share of the weight
    /// must remain.
    Exclude(Option<Decimal>),
    /// `missing exclude at least N% of members`: at least this share of the members
    /// (counted, not weighted) must be present.
    ExcludeMembers(Decimal),
}

/// `constant name = literal`.
#[derive(Debug, Clone, PartialEq)]
pub struct Constant {
    /// Its name.
    pub name: Ident,
    /// Its value.
    pub value: Expr,
    /// Label.
    pub label: Label,
}

/// The declared type of an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputType {
    /// Any exact number.
    Number,
    /// A whole number.
    Integer,
    /// A published decimal: its number of decimals is its precision.
    Decimal,
    /// A percentage: `85` or `"85%"` in data is 0.85.
    Percent,
    /// `true` / `false`.
    Boolean,
    /// Text.
    Text,
    /// A calendar date, `2022-08-15`.
    Date,
}

impl InputType {
    /// The keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            InputType::Number => "number",
            InputType::Integer => "integer",
            InputType::Decimal => "decimal",
            InputType::Percent => "percent",
            InputType::Boolean => "boolean",
            InputType::Text => "text",
            InputType::Date => "date",
        }
    }
}

/// A comparison operator in a bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoundOp {
    /// `>=`
    Ge,
    /// `>`
    Gt,
    /// `<=`
    Le,
    /// `<`
    Lt,
}

/// One bound on an input's value.
#[derive(Debug, Clone, PartialEq)]
pub struct Bound {
    /// The comparison.
    pub op: BoundOp,
    /// The limit.
    pub value: Decimal,
    /// Where it was written.
    pub loc: Loc,
}

/// `input name: type bounds… clauses…`.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// Its name in formulas.
    pub name: Ident,
    /// Declared type.
    pub ty: InputType,
    /// Location of the type keyword.
    pub ty_loc: Loc,
    /// Allowed range, as bounds that must all hold.
    pub bounds: Vec<Bound>,
    /// `optional` was written.
    pub optional: bool,
    /// `required` was written (the default, stated).
    pub required: bool,
    /// `default …`.
    pub default: Option<Expr>,
    /// `from "field"`.
    pub field: Option<String>,
    /// Label.
    pub label: Label,
    /// `list of …`: the elements of a collection input.
    pub list: Option<ListOf>,
    /// `rounded half-even`: how a published `decimal` was rounded (half-up when `None`).
    pub rounding: Option<Rounding>,
    /// `as fraction`: a percent input whose data holds fractions (0.85 for 85%), and where.
    pub fraction: Option<Loc>,
    /// Clauses written more than once (the checker rejects them: the last would otherwise
    /// win silently): (the clause as a message names it, location).
    pub repeated: Vec<(&'static str, Loc)>,
}

/// What a collection input holds.
#[derive(Debug, Clone, PartialEq)]
pub enum ListOf {
    /// Values of one type (`list of text`).
    Values(InputType),
    /// Records with typed fields (`list of record { … }`).
    Records(Vec<FieldDecl>),
}

/// One field of a record element.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDecl {
    /// Its name.
    pub name: Ident,
    /// Its type.
    pub ty: InputType,
    /// May be absent.
    pub optional: bool,
}

/// `indicator name = expr`.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    /// Its name.
    pub name: Ident,
    /// Label.
    pub label: Label,
    /// The formula.
    pub formula: Expr,
    /// Decimals shown in text reports.
    pub display: Option<u32>,
    /// How they are rounded.
    pub rounding: Rounding,
}

/// `score name = [weighted] mean of a [weight w], …`.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// Its name.
    pub name: Ident,
    /// Label.
    pub label: Label,
    /// `weighted` was written.
    pub weighted: bool,
    /// How the members are combined.
    pub aggregation: Aggregation,
    /// The operands.
    pub members: Vec<Member>,
    /// Decimals shown in text reports.
    pub display: Option<u32>,
    /// How they are rounded.
    pub rounding: Rounding,
    /// Missing-member policy, where written.
    pub missing: Option<(MissingPolicy, Loc)>,
    /// `rescaled by …`: method, cohort, location.
    pub rescale: Option<(Method, Option<Expr>, Loc)>,
    /// `weights relative 1, 2, 3`: each weight with its location, and the clause's.
    pub relative: Option<(Vec<(Decimal, Loc)>, Loc)>,
    /// `weights from "weights.csv"`.
    pub weights_file: Option<WeightsFile>,
    /// Location of the aggregate (`mean of …`).
    pub loc: Loc,
}

/// `weights from "weights.csv"`: a score's relative weights read from a file in the rule
/// set's folder when the rule set is loaded ([`crate::weights`]).
#[derive(Debug, Clone, PartialEq)]
pub struct WeightsFile {
    /// The path as written, relative to the rule file.
    pub path: String,
    /// The clause.
    pub loc: Loc,
    /// The weights read, one per member in order (`None` until loaded).
    pub weights: Option<Vec<Decimal>>,
    /// The year whose rows were read, when the file has a `year` column.
    pub year: Option<String>,
}

impl Score {
    /// The relative weights, as written (`weights relative`) or read (`weights from`).
    pub fn relative_weights(&self) -> Option<Vec<Decimal>> {
        match (&self.relative, &self.weights_file) {
            (Some((w, _)), _) => Some(w.iter().map(|w| w.0).collect()),
            (None, Some(file)) => file.weights.clone(),
            (None, None) => None,
        }
    }
}

/// One operand of a score.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The indicator, input or score.
    pub name: Ident,
    /// Its weight, in a weighted mean.
    pub weight: Option<(Decimal, Loc)>,
}
