//! The compiled program: slots, nodes, cohorts, rules and plans the evaluator runs over,
//! and the walks over a node's children.

use std::ops::Range;
use std::sync::Arc;

use indexmap::IndexMap;
use rust_decimal::Decimal;

use super::{Aggregation, CollectionOp, Method, MissingPolicy, Rounding, audit};
use crate::check::{Builtin, Ty};
use crate::hooks::{Externals, Target};
use crate::parse::ast::{BoundOp, InputType, Label, Severity};
use crate::source::Loc;
use crate::value::Value;

/// An index into a unit's value slots.
pub type Slot = usize;

/// Arithmetic operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arith {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `^`
    Pow,
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// A compiled expression.
#[derive(Debug, Clone)]
pub enum Node {
    /// A literal or constant.
    Const(Value),
    /// The value in a slot.
    Slot(Slot),
    /// `-x`.
    Neg(Box<Node>),
    /// `not x`.
    Not(Box<Node>),
    /// Arithmetic; the location names the operation when it fails.
    Arith(Arith, Box<Node>, Box<Node>, Loc),
    /// A comparison.
    Cmp(Cmp, Box<Node>, Box<Node>),
    /// `a ~= b`: the published-precision intervals of both sides overlap.
    Approx(Box<Node>, Box<Node>, Loc),
    /// `a and b` (Kleene: false wins over an error).
    And(Box<Node>, Box<Node>),
    /// `a or b` (Kleene: true wins over an error).
    Or(Box<Node>, Box<Node>),
    /// `if c then a else b`.
    If(Box<Node>, Box<Node>, Box<Node>),
    /// A built-in function.
    Call(Builtin, Vec<Node>, Loc),
    /// A score: its members aggregated.
    Aggregate(Box<AggregateNode>),
    /// `normalise x by …`: a value against its cohort.
    Normalise(Box<NormaliseNode>),
    /// `rank of x`: competition rank within the cohort.
    Rank(Box<RankNode>),
    /// A hook script or native function.
    External(Box<ExternalCall>),
    /// An aggregate over a collection input.
    Collection(Box<CollectionNode>),
    /// A field of the element a collection condition is looking at.
    Field(Arc<str>),
    /// The element itself (`it`, in a list of values).
    It,
    /// A list literal.
    List(Vec<Node>),
    /// A field of every element of a collection input, as a list.
    Project(Slot, Arc<str>),
    /// Presence, unit counts and interval ranks ([`audit::AuditNode`]).
    Audit(Box<audit::AuditNode>),
}

/// `count(services where level >= 3)` and the like.
#[derive(Debug, Clone)]
pub struct CollectionNode {
    /// The aggregate.
    pub op: CollectionOp,
    /// The collection input.
    pub list: Slot,
    /// The field aggregated.
    pub field: Option<Arc<str>>,
    /// The condition on elements.
    pub filter: Option<Node>,
    /// Where it is written.
    pub at: Loc,
}

/// A call of a hook or native function.
#[derive(Debug, Clone)]
pub struct ExternalCall {
    /// The function.
    pub target: Target,
    /// Its arguments.
    pub args: Vec<Node>,
    /// The call in the rule file.
    pub at: Loc,
}

/// How a score combines its members.
#[derive(Debug, Clone)]
pub struct AggregateNode {
    /// Mean, minimum or sum.
    pub kind: Aggregation,
    /// The members.
    pub members: Vec<Node>,
    /// Weights, `None` for equal weights.
    pub weights: Option<Vec<Decimal>>,
    /// What missing members do.
    pub missing: MissingPolicy,
    /// The hook function of `hook f of …`.
    pub hook: Option<Target>,
    /// Copeland and dominance: index of the cohort of the members' rows in
    /// [`Program::cohorts`].
    pub cohort: Option<usize>,
    /// `weights from "…"`: the file (and year) the weights were read from, for `--explain`.
    pub weights_source: Option<String>,
    /// The score's aggregate, for messages.
    pub at: Loc,
}

/// A normalisation.
#[derive(Debug, Clone)]
pub struct NormaliseNode {
    /// The column normalised.
    pub column: Slot,
    /// How.
    pub method: Method,
    /// Lower values are better.
    pub lower_is_better: bool,
    /// Index of its cohort in [`Program::cohorts`].
    pub cohort: usize,
    /// The hook function of `by hook f`.
    pub hook: Option<Target>,
    /// Where it was written.
    pub at: Loc,
}

/// A rank.
#[derive(Debug, Clone)]
pub struct RankNode {
    /// The column ranked.
    pub column: Slot,
    /// Lowest first.
    pub ascending: bool,
    /// Index of its cohort in [`Program::cohorts`].
    pub cohort: usize,
    /// `by region`: ranked within each group of units with the same value of this slot.
    pub group: Option<Slot>,
    /// Where it was written.
    pub at: Loc,
}

/// The units whose values of a column make up a cohort's statistics.
#[derive(Debug, Clone)]
pub struct Cohort {
    /// The column.
    pub column: Slot,
    /// Membership condition; every unit when `None`.
    pub filter: Option<Node>,
    /// Values are compared at this many decimals (ranks).
    pub rounded: Option<u32>,
    /// The reference unit of `distance to`.
    pub reference: Option<String>,
    /// Ranks or percentiles need the members in order.
    pub ordered: bool,
    /// Z-scores need the mean and standard deviation.
    pub moments: bool,
    /// `treat x`: the outlier treatment decided across the cohort.
    pub treatment: Option<crate::parse::composite::Treatment>,
    /// What an auditing construct keeps of its members.
    pub audit: Option<audit::AuditCohort>,
    /// Copeland and dominance: the members whose values make each unit's row of the
    /// outranking matrix (empty for every other cohort).
    pub members: Vec<Node>,
}

/// A rank shown in the report.
#[derive(Debug, Clone)]
pub struct RankPlan {
    /// Its key in the report.
    pub key: Arc<str>,
    /// How it is computed.
    pub node: RankNode,
}

/// What `--sensitivity` may perturb.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityPlan {
    /// Largest relative change of each weight.
    pub weights_vary: Option<Decimal>,
    /// Methods that may replace each other.
    pub alternatives: Vec<Method>,
}

/// What a slot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotKind {
    /// A value read from the data.
    Input,
    /// A computed indicator.
    Indicator,
    /// A computed score.
    Score,
}

/// Description of one slot, for reports.
#[derive(Debug, Clone)]
pub struct SlotInfo {
    /// The declared name.
    pub name: Arc<str>,
    /// What it holds.
    pub kind: SlotKind,
    /// Its label.
    pub label: Label,
    /// Decimals shown in text reports.
    pub display: Option<u32>,
    /// How they are rounded.
    pub rounding: Rounding,
    /// Its type.
    pub ty: Ty,
    /// Declared type, for inputs.
    pub input_type: Option<InputType>,
    /// An intermediate the author did not name (a score before rescaling).
    pub hidden: bool,
}

/// How to read one input from a data record.
#[derive(Debug, Clone)]
pub struct InputPlan {
    /// Where the value goes.
    pub slot: Slot,
    /// The input's name.
    pub name: Arc<str>,
    /// The data field it is read from.
    pub field: String,
    /// Declared type.
    pub ty: InputType,
    /// Bounds that must all hold.
    pub bounds: Vec<(BoundOp, Decimal)>,
    /// May be absent.
    pub optional: bool,
    /// Value when absent.
    pub default: Option<Value>,
    /// The elements, for a collection input.
    pub list: Option<crate::parse::ast::ListOf>,
    /// `as fraction`: a percent input whose data holds fractions (0.85 for 85%).
    pub fraction: bool,
    /// For `previous x`: the `x` whose previous-year value this slot holds (it is not
    /// read from this year's records).
    pub previous: Option<Arc<str>>,
    /// The declaration, for messages.
    pub loc: Loc,
}

/// A computed slot and its formula.
#[derive(Debug, Clone)]
pub struct Formula {
    /// Where the result goes.
    pub slot: Slot,
    /// How it is computed.
    pub node: Node,
    /// The formula or aggregate as written.
    pub loc: Loc,
}

/// A compiled message template piece.
#[derive(Debug, Clone)]
pub enum MessagePiece {
    /// Literal text.
    Text(String),
    /// The unit's name.
    Unit,
    /// A slot's value, with decimals.
    Slot(Slot, Option<u32>),
    /// A constant's value.
    Const(Value, Option<u32>),
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct RulePlan {
    /// Rule id.
    pub id: Arc<str>,
    /// Title.
    pub title: Option<String>,
    /// Severity.
    pub severity: Severity,
    /// Applicability condition.
    pub when: Option<Node>,
    /// The requirement.
    pub require: Node,
    /// Failure message.
    pub message: Vec<MessagePiece>,
    /// Citation.
    pub cite: Option<String>,
    /// Slots shown as evidence, in order of first mention.
    pub evidence: Vec<Slot>,
    /// Slots compared with `~=`: their intervals are evidence too.
    pub interval_evidence: Vec<Slot>,
    /// When the rule is in force (days since 1970-01-01): its own or the methodology's.
    pub in_force: Option<(i32, Option<i32>)>,
    /// `by YEAR [from VALUE in YEAR]` on a requirement `value op threshold`.
    pub target: Option<TargetPlan>,
    /// Where the rule is declared.
    pub loc: Loc,
}

/// A target: the requirement `value op threshold` by a year, with an optional baseline.
#[derive(Debug, Clone)]
pub struct TargetPlan {
    /// The year by which the threshold must be reached.
    pub year: i32,
    /// `by DATE`: the deadline (days since 1970-01-01); data dated after it is judged.
    pub deadline: Option<i32>,
    /// The baseline value and its year.
    pub baseline: Option<(Decimal, i32)>,
    /// The value compared, or for a yes/no target the whole requirement.
    pub value: Node,
    /// `value op threshold`; `None` for a yes/no target (`require soc_in_operation by …`).
    pub compare: Option<(Cmp, Decimal)>,
}

/// A compiled rule set.
///
/// Slots are numbered inputs first (in declaration order), then indicators and scores in
/// evaluation order, so `formulas[k]` fills slot `input_count + k` and a unit's computed
/// values are simply pushed in order.
#[derive(Debug, Clone, Default)]
pub struct Program {
    /// Every slot.
    pub slots: Vec<SlotInfo>,
    /// Inputs in declaration order; input `k` fills slot `k`.
    pub inputs: Vec<InputPlan>,
    /// Indicators and scores in evaluation order.
    pub formulas: Vec<Formula>,
    /// Indicators and scores in declaration order, for reports.
    pub display_order: Vec<Slot>,
    /// Runs of `formulas` that can be evaluated unit by unit: a formula that needs a
    /// cohort statistic of a value computed in the same run starts a new stage.
    pub stages: Vec<Range<usize>>,
    /// Cohorts of the `normalise` and `rank of` nodes.
    pub cohorts: Vec<Cohort>,
    /// Ranks shown in the report.
    pub ranks: Vec<RankPlan>,
    /// Rules in declaration order.
    pub rules: Vec<RulePlan>,
    /// Slot by name.
    pub slot_of: IndexMap<Arc<str>, Slot>,
    /// What `--sensitivity` perturbs, if declared.
    pub sensitivity: Option<SensitivityPlan>,
    /// Hook and native functions the program calls.
    pub externals: Externals,
    /// Days that are not working days (`holidays`), as days since 1970-01-01.
    pub holidays: Vec<i32>,
    /// Weekend days worked in exchange for a bridged day off (`holidays … working …`).
    pub working_days: Vec<i32>,
    /// The date input that says when each unit's data is from (`dated by`).
    pub dated_by: Option<Slot>,
}

impl Program {
    /// Number of input slots (the first slots).
    pub fn input_count(&self) -> usize {
        self.inputs.len()
    }

    /// The formula that computes `slot`, if it is computed.
    pub fn formula_of(&self, slot: Slot) -> Option<&Formula> {
        slot.checked_sub(self.inputs.len())
            .and_then(|k| self.formulas.get(k))
    }
}

/// Every slot a node reads directly.
pub fn slots_in(node: &Node, out: &mut Vec<Slot>) {
    match node {
        Node::Slot(s) => out.push(*s),
        Node::Collection(c) => out.push(c.list),
        Node::Project(list, _) => out.push(*list),
        Node::Normalise(n) => out.push(n.column),
        Node::Rank(r) => out.push(r.column),
        Node::Audit(a) => out.extend(a.slots()),
        _ => {}
    }
    for child in children(node) {
        slots_in(child, out);
    }
}

/// Adds to `out` the cohort of every operation in `node` that reads a whole cohort
/// (`normalise`, `rank`, an aggregate over the cohort, `count of units`, `best rank of`):
/// what must be computed over every unit before the node is evaluated for one.
pub fn cohorts_in(node: &Node, out: &mut Vec<usize>) {
    match node {
        Node::Normalise(n) => out.push(n.cohort),
        Node::Rank(r) => out.push(r.cohort),
        Node::Audit(a) => out.extend(a.cohort()),
        Node::Aggregate(a) => out.extend(a.cohort),
        _ => {}
    }
    for child in children(node) {
        cohorts_in(child, out);
    }
}

/// The direct sub-expressions of a node.
pub fn children(node: &Node) -> Vec<&Node> {
    match node {
        Node::Const(_)
        | Node::Slot(_)
        | Node::Normalise(_)
        | Node::Rank(_)
        | Node::Audit(_)
        | Node::Field(_)
        | Node::It
        | Node::Project(..) => Vec::new(),
        Node::List(items) => items.iter().collect(),
        Node::Collection(c) => c.filter.iter().collect(),
        Node::Neg(x) | Node::Not(x) => vec![x],
        Node::Arith(_, a, b, _)
        | Node::Cmp(_, a, b)
        | Node::Approx(a, b, _)
        | Node::And(a, b)
        | Node::Or(a, b) => {
            vec![a, b]
        }
        Node::If(c, a, b) => vec![c, a, b],
        Node::Call(_, args, _) => args.iter().collect(),
        Node::External(call) => call.args.iter().collect(),
        Node::Aggregate(agg) => agg.members.iter().collect(),
    }
}
