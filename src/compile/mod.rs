//! Stage 3: a checked rule set → the program the evaluator runs.
//!
//! Every name becomes a slot number or an inlined constant; scores become aggregate
//! nodes; cohort operations (`normalise`, `rank of`) get a cohort whose statistics the
//! evaluator computes once per stage; rules list the slots their evidence shows.
//! Evaluation never looks a name up by string.

pub mod audit;
mod composite;

use std::cell::RefCell;
use std::ops::Range;
use std::sync::Arc;

use indexmap::IndexMap;
use rust_decimal::Decimal;

use crate::check::{Builtin, Checked, SymbolKind, Ty};
use crate::hooks::{Externals, Target};
use crate::parse::ast::{
    self, BinaryOp, BoundOp, ExprKind, InputType, Item, Label, MessagePart, Severity, UnaryOp,
};
pub use crate::parse::ast::{Aggregation, CollectionOp, Method, MissingPolicy, Rounding};
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

/// Compiles a checked rule set; `externals` are the functions the checker resolved.
pub fn compile(checked: &Checked, externals: &Externals) -> Program {
    let mut slots = Vec::new();
    let mut slot_of: IndexMap<Arc<str>, Slot> = IndexMap::new();
    let mut constants: IndexMap<&str, Value> = IndexMap::new();
    let mut add_slot = |info: SlotInfo| {
        slot_of.insert(Arc::clone(&info.name), slots.len());
        slots.push(info);
    };
    let slot_info = |name: &str, kind, label: &Label, display, rounding, ty, hidden| SlotInfo {
        name: Arc::from(name),
        kind,
        label: label.clone(),
        display,
        rounding,
        ty,
        input_type: None,
        hidden,
    };
    for (name, sym) in &checked.symbols {
        match (sym.kind, checked.items.get(sym.item)) {
            (SymbolKind::Constant, Some(Item::Constant(c))) => {
                if let Some(v) = literal(&c.value) {
                    constants.insert(name.as_str(), v);
                }
            }
            (SymbolKind::Input, Some(Item::Input(i))) => add_slot(SlotInfo {
                input_type: Some(i.ty),
                ..slot_info(
                    name,
                    SlotKind::Input,
                    &i.label,
                    None,
                    i.rounding.unwrap_or_default(),
                    sym.ty,
                    false,
                )
            }),
            _ => {}
        }
    }
    // Last year's values (`previous x`) are inputs of their own, after this year's: the
    // run fills them from the previous year's data (`RuleSet::evaluate_with`).
    let previous = previous_inputs(checked);
    for p in &previous {
        add_slot(SlotInfo {
            input_type: Some(p.ty),
            ..slot_info(
                &p.name,
                SlotKind::Input,
                &Label::default(),
                None,
                p.rounding,
                Ty::Number,
                false,
            )
        });
    }
    for &index in &checked.order {
        let ty = |name: &str| checked.symbols.get(name).map_or(Ty::Unknown, |s| s.ty);
        match checked.items.get(index) {
            Some(Item::Indicator(i)) => add_slot(slot_info(
                &i.name.name,
                SlotKind::Indicator,
                &i.label,
                i.display,
                i.rounding,
                ty(&i.name.name),
                false,
            )),
            Some(Item::Score(s)) => {
                if s.rescale.is_some() {
                    add_slot(slot_info(
                        &raw_name(&s.name.name),
                        SlotKind::Score,
                        &s.label,
                        s.display,
                        s.rounding,
                        Ty::Number,
                        true,
                    ));
                }
                add_slot(slot_info(
                    &s.name.name,
                    SlotKind::Score,
                    &s.label,
                    s.display,
                    s.rounding,
                    Ty::Number,
                    false,
                ));
            }
            _ => {}
        }
    }
    let lower = Lowering {
        items: &checked.items,
        in_force: checked.header.in_force,
        scope: RefCell::new(Vec::new()),
        slot_of: &slot_of,
        constants: &constants,
        cohorts: RefCell::new(Vec::new()),
        externals,
    };
    let mut inputs = Vec::new();
    let mut rules = Vec::new();
    let mut display_order = Vec::new();
    let mut ranks = Vec::new();
    let mut sensitivity = None;
    let mut holidays = Vec::new();
    let mut working_days = Vec::new();
    for item in &checked.items {
        match item {
            Item::Input(i) => {
                let Some(&slot) = slot_of.get(i.name.name.as_str()) else {
                    continue;
                };
                inputs.push(InputPlan {
                    slot,
                    name: Arc::from(i.name.name.as_str()),
                    // Data field names are read in NFC; so is the field named here.
                    field: crate::data::names::nfc(i.field.as_deref().unwrap_or(&i.name.name)),
                    ty: i.ty,
                    bounds: i.bounds.iter().map(|b| (b.op, b.value)).collect(),
                    optional: i.optional,
                    default: i.default.as_ref().and_then(literal),
                    loc: i.name.loc.clone(),
                    list: i.list.clone(),
                    fraction: i.fraction.is_some(),
                    previous: None,
                });
            }
            Item::Indicator(_) | Item::Score(_) => {
                if let Some(&slot) = slot_of.get(item.ident().name.as_str()) {
                    display_order.push(slot);
                }
            }
            Item::Rule(r) => rules.push(lower.rule(r)),
            Item::Rank(r) => ranks.push(RankPlan {
                key: Arc::from(item.ident().name.as_str()),
                node: lower.rank(&r.spec),
            }),
            Item::Sensitivity(sens) => {
                sensitivity = Some(SensitivityPlan {
                    weights_vary: sens.weights_vary.as_ref().map(|w| w.0),
                    alternatives: sens.alternatives.iter().map(|a| a.0.clone()).collect(),
                });
            }
            Item::Holidays(h) => {
                holidays.extend(h.days.iter().copied());
                working_days.extend(h.working.iter().copied());
            }
            Item::Constant(_)
            | Item::Hooks(_)
            | Item::Alias(_)
            | Item::Aliases(_)
            | Item::Test(_)
            | Item::Remove(_)
            | Item::Replace(_) => {}
        }
    }
    for p in previous {
        if let Some(&slot) = slot_of.get(p.name.as_str()) {
            inputs.push(InputPlan {
                slot,
                name: Arc::from(p.name.as_str()),
                field: p.field,
                ty: p.ty,
                bounds: Vec::new(),
                optional: true,
                default: None,
                loc: p.loc,
                list: None,
                fraction: false,
                previous: Some(Arc::from(p.of.as_str())),
            });
        }
    }
    // Sorted once, so a working-day count searches them instead of walking them.
    holidays.sort_unstable();
    holidays.dedup();
    working_days.sort_unstable();
    working_days.dedup();
    let mut formulas = Vec::new();
    for &index in &checked.order {
        match checked.items.get(index) {
            Some(Item::Indicator(i)) => {
                if let Some(&slot) = slot_of.get(i.name.name.as_str()) {
                    formulas.push(Formula {
                        slot,
                        node: lower.expr(&i.formula),
                        loc: i.formula.loc.clone(),
                    });
                }
            }
            Some(Item::Score(s)) => {
                let aggregate = Node::Aggregate(Box::new(lower.aggregate(s)));
                let Some(&slot) = slot_of.get(s.name.name.as_str()) else {
                    continue;
                };
                match (&s.rescale, slot_of.get(raw_name(&s.name.name).as_str())) {
                    (Some((method, cohort, at)), Some(&raw)) => {
                        formulas.push(Formula {
                            slot: raw,
                            node: aggregate,
                            loc: s.loc.clone(),
                        });
                        let rescaled = NormaliseNode {
                            column: raw,
                            method: method.clone(),
                            lower_is_better: false,
                            cohort: lower.cohort(raw, cohort.as_ref(), None, method),
                            hook: lower.hook(method),
                            at: at.clone(),
                        };
                        formulas.push(Formula {
                            slot,
                            node: Node::Normalise(Box::new(rescaled)),
                            loc: at.clone(),
                        });
                    }
                    _ => formulas.push(Formula {
                        slot,
                        node: aggregate,
                        loc: s.loc.clone(),
                    }),
                }
            }
            _ => {}
        }
    }
    let mut cohorts = lower.cohorts.into_inner();
    let mut mark = |node: &Node| mark_ordered(node, &mut cohorts);
    formulas.iter().for_each(|f| mark(&f.node));
    rules.iter().for_each(|r| {
        mark(&r.require);
        if let Some(w) = &r.when {
            mark(w);
        }
    });
    // Declared ranks sort their own members once (evaluate::declared_ranks); their
    // cohorts need no order of their own.
    let stages = stages(&formulas, &cohorts, inputs.len());
    let dated_by = checked
        .header
        .dated_by
        .as_ref()
        .and_then(|d| slot_of.get(d.name.as_str()).copied());
    Program {
        slots,
        inputs,
        formulas,
        display_order,
        stages,
        cohorts,
        ranks,
        rules,
        slot_of,
        sensitivity,
        externals: externals.clone(),
        holidays,
        working_days,
        dated_by,
    }
}

/// A previous-year input (`previous x`).
struct PreviousInput {
    /// The slot's name, `previous x`.
    name: String,
    /// `x`.
    of: String,
    /// `x`'s data field (its own name when computed).
    field: String,
    /// `x`'s declared type (`number` when computed).
    ty: crate::parse::ast::InputType,
    /// How a published `x` was rounded.
    rounding: Rounding,
    /// Where `previous x` is first written.
    loc: Loc,
}

fn previous_inputs(checked: &Checked) -> Vec<PreviousInput> {
    checked
        .previous
        .iter()
        .map(|(of, loc)| {
            let input = checked
                .symbols
                .get(of)
                .and_then(|s| match checked.items.get(s.item) {
                    Some(Item::Input(i)) => Some(i),
                    _ => None,
                });
            PreviousInput {
                name: crate::parse::audit::previous_slot_name(of),
                of: of.clone(),
                field: input
                    .and_then(|i| i.field.clone())
                    .map_or_else(|| of.clone(), |f| crate::data::names::nfc(&f)),
                ty: input.map_or(crate::parse::ast::InputType::Number, |i| i.ty),
                rounding: input.and_then(|i| i.rounding).unwrap_or_default(),
                loc: loc.clone(),
            }
        })
        .collect()
}

/// What the hidden slot of a rescaled score's value before rescaling adds to its name.
pub const RAW_SUFFIX: &str = " (before rescaling)";

/// The hidden slot of a rescaled score's value before rescaling.
pub fn raw_name(score: &str) -> String {
    format!("{score}{RAW_SUFFIX}")
}

/// Splits the formulas into stages: a formula whose cohort needs a value computed in
/// the current stage (for every unit) starts a new one.
fn stages(formulas: &[Formula], cohorts: &[Cohort], input_count: usize) -> Vec<Range<usize>> {
    let mut stages = Vec::new();
    let mut start = 0;
    for (k, formula) in formulas.iter().enumerate() {
        let mut needed = Vec::new();
        cohort_uses(&formula.node, cohorts, &mut needed);
        let needs_current = needed
            .iter()
            .any(|&slot| slot >= input_count + start && slot < input_count + k);
        if needs_current {
            stages.push(start..k);
            start = k;
        }
    }
    stages.push(start..formulas.len());
    stages
}

/// Marks what the cohorts of the ranks and normalisations in `node` need computed:
/// the members in order (ranks, percentiles), or their mean and deviation (z-scores).
pub(crate) fn mark_ordered(node: &Node, cohorts: &mut [Cohort]) {
    let (index, method) = match node {
        Node::Rank(r) => (Some(r.cohort), Some(&Method::Rank)),
        Node::Normalise(n) => (Some(n.cohort), Some(&n.method)),
        _ => (None, None),
    };
    if let (Some(c), Some(method)) = (index.and_then(|i| cohorts.get_mut(i)), method) {
        match method {
            Method::Rank | Method::Percentile | Method::Hook(_) => c.ordered = true,
            Method::ZScore => c.moments = true,
            Method::Composite(n) => {
                (c.ordered, c.moments) = crate::evaluate::normalise::needs(n, c.ordered, c.moments)
            }
            _ => {}
        }
    }
    for child in children(node) {
        mark_ordered(child, cohorts);
    }
}

/// Slots whose values a node's cohorts need for every unit.
fn cohort_uses(node: &Node, cohorts: &[Cohort], out: &mut Vec<Slot>) {
    let mut cohort = |index: usize| {
        if let Some(c) = cohorts.get(index) {
            out.push(c.column);
            c.members.iter().for_each(|m| slots_in(m, out));
            if let Some(filter) = &c.filter {
                slots_in(filter, out);
            }
        }
    };
    match node {
        Node::Normalise(n) => cohort(n.cohort),
        Node::Rank(r) => cohort(r.cohort),
        Node::Aggregate(a) => a.cohort.into_iter().for_each(cohort),
        Node::Audit(a) => {
            if let Some(c) = a.cohort() {
                cohort(c);
                out.extend(cohorts.get(c).and_then(audit::extra_cohort_slots));
            }
        }
        _ => {}
    }
    for child in children(node) {
        cohort_uses(child, cohorts, out);
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

fn literal(e: &ast::Expr) -> Option<Value> {
    match &e.kind {
        ExprKind::Number(n) => Some(Value::Number(*n)),
        ExprKind::Date(d) => Some(Value::Date(*d)),
        ExprKind::Bool(b) => Some(Value::Bool(*b)),
        ExprKind::Text(t) => Some(Value::Text(Arc::from(t.as_str()))),
        ExprKind::List(items) => items
            .iter()
            .map(literal)
            .collect::<Option<Vec<_>>>()
            .map(|v| Value::List(Arc::from(v))),
        _ => None,
    }
}

struct Lowering<'a> {
    items: &'a [Item],
    /// The methodology's `in force` period.
    in_force: Option<(i32, Option<i32>)>,
    /// Element scopes of the collection conditions being lowered.
    scope: RefCell<Vec<std::collections::HashMap<String, Ty>>>,
    slot_of: &'a IndexMap<Arc<str>, Slot>,
    constants: &'a IndexMap<&'a str, Value>,
    /// Cohorts of the cohort operations lowered so far.
    cohorts: RefCell<Vec<Cohort>>,
    externals: &'a Externals,
}

impl Lowering<'_> {
    fn hook(&self, method: &Method) -> Option<Target> {
        match method {
            Method::Hook(name) => self.externals.resolve(name),
            _ => None,
        }
    }

    fn slot(&self, name: &str) -> Slot {
        self.slot_of.get(name).copied().unwrap_or(0)
    }

    /// Registers a cohort and returns its index.
    fn cohort(
        &self,
        column: Slot,
        filter: Option<&ast::Expr>,
        rounded: Option<u32>,
        method: &Method,
    ) -> usize {
        let filter = filter.map(|f| self.expr(f));
        let mut cohorts = self.cohorts.borrow_mut();
        cohorts.push(Cohort {
            column,
            filter,
            rounded,
            reference: match method {
                Method::Distance(unit) => Some(unit.clone()),
                Method::Composite(n) => n.reference().map(str::to_string),
                _ => None,
            },
            ordered: false,
            moments: false,
            treatment: match method {
                Method::Composite(crate::parse::composite::Normaliser::Treat(t)) => Some(t.clone()),
                _ => None,
            },
            audit: None,
            members: Vec::new(),
        });
        cohorts.len() - 1
    }

    fn rank(&self, spec: &ast::RankSpec) -> RankNode {
        let column = self.slot(&spec.column.name);
        RankNode {
            column,
            ascending: spec.ascending,
            cohort: self.cohort(column, spec.cohort.as_ref(), spec.rounded, &Method::Rank),
            group: spec.group.as_ref().map(|g| self.slot(&g.name)),
            at: spec.column.loc.clone(),
        }
    }

    fn name(&self, name: &str) -> Node {
        if self
            .scope
            .borrow()
            .iter()
            .rev()
            .any(|s| s.contains_key(name))
        {
            return if name == "it" {
                Node::It
            } else {
                Node::Field(Arc::from(name))
            };
        }
        if let Some(v) = self.constants.get(name) {
            return Node::Const(v.clone());
        }
        match self.slot_of.get(name) {
            Some(&s) => Node::Slot(s),
            // Unreachable after a successful check; a false constant keeps this total.
            None => Node::Const(Value::Bool(false)),
        }
    }

    fn expr(&self, e: &ast::Expr) -> Node {
        let b = |x: &ast::Expr| Box::new(self.expr(x));
        match &e.kind {
            ExprKind::Number(n) => Node::Const(Value::Number(*n)),
            ExprKind::Date(d) => Node::Const(Value::Date(*d)),
            ExprKind::Text(t) => Node::Const(Value::Text(Arc::from(t.as_str()))),
            ExprKind::Bool(v) => Node::Const(Value::Bool(*v)),
            ExprKind::Name(n) => self.name(n),
            ExprKind::Unary(UnaryOp::Neg, x) => Node::Neg(b(x)),
            ExprKind::Unary(UnaryOp::Not, x) => Node::Not(b(x)),
            ExprKind::Binary(op, x, y) => {
                let arith = |a| Node::Arith(a, b(x), b(y), e.loc.clone());
                let cmp = |c| Node::Cmp(c, b(x), b(y));
                match op {
                    BinaryOp::Add => arith(Arith::Add),
                    BinaryOp::Sub => arith(Arith::Sub),
                    BinaryOp::Mul => arith(Arith::Mul),
                    BinaryOp::Div => arith(Arith::Div),
                    BinaryOp::Pow => arith(Arith::Pow),
                    BinaryOp::Eq => cmp(Cmp::Eq),
                    BinaryOp::Ne => cmp(Cmp::Ne),
                    BinaryOp::Lt => cmp(Cmp::Lt),
                    BinaryOp::Le => cmp(Cmp::Le),
                    BinaryOp::Gt => cmp(Cmp::Gt),
                    BinaryOp::Ge => cmp(Cmp::Ge),
                    BinaryOp::Approx => Node::Approx(b(x), b(y), e.loc.clone()),
                    BinaryOp::And => Node::And(b(x), b(y)),
                    BinaryOp::Or => Node::Or(b(x), b(y)),
                }
            }
            ExprKind::If(c, x, y) => Node::If(b(c), b(x), b(y)),
            ExprKind::Normalise(n) => {
                let column = self.slot(&n.column.name);
                Node::Normalise(Box::new(NormaliseNode {
                    column,
                    method: n.method.clone(),
                    lower_is_better: n.lower_is_better,
                    cohort: self.cohort(column, n.cohort.as_ref(), None, &n.method),
                    hook: self.hook(&n.method),
                    at: e.loc.clone(),
                }))
            }
            ExprKind::Rank(r) => Node::Rank(Box::new(self.rank(r))),
            ExprKind::Audit(a) => self.audit_expr(a, &e.loc),
            ExprKind::List(items) => Node::List(items.iter().map(|i| self.expr(i)).collect()),
            ExprKind::Project(list, field) => {
                Node::Project(self.slot(&list.name), Arc::from(field.name.as_str()))
            }
            ExprKind::Collection(c) => {
                match crate::check::element_scope(self.items, &c.list.name) {
                    Some(scope) => {
                        self.scope.borrow_mut().push(scope);
                        let filter = c.filter.as_ref().map(|f| self.expr(f));
                        self.scope.borrow_mut().pop();
                        Node::Collection(Box::new(CollectionNode {
                            op: c.op,
                            list: self.slot(&c.list.name),
                            field: c.field.as_ref().map(|f| Arc::from(f.name.as_str())),
                            filter,
                            at: e.loc.clone(),
                        }))
                    }
                    None => {
                        let builtin = match c.op {
                            CollectionOp::Sum => Builtin::Sum,
                            CollectionOp::Mean => Builtin::Mean,
                            CollectionOp::Min => Builtin::Min,
                            _ => Builtin::Max,
                        };
                        Node::Call(builtin, vec![self.name(&c.list.name)], e.loc.clone())
                    }
                }
            }
            ExprKind::Call(f, args) => match Builtin::from_name(&f.name) {
                Some(builtin) => Node::Call(
                    builtin,
                    args.iter().map(|a| self.expr(a)).collect(),
                    e.loc.clone(),
                ),
                None => match self.externals.resolve(&f.name) {
                    Some(target) => Node::External(Box::new(ExternalCall {
                        target,
                        args: args.iter().map(|a| self.expr(a)).collect(),
                        at: e.loc.clone(),
                    })),
                    None => Node::Const(Value::Bool(false)),
                },
            },
        }
    }

    fn rule(&self, r: &ast::Rule) -> RulePlan {
        let mut evidence = Vec::new();
        let mut interval_evidence = Vec::new();
        let push = |s: Slot, list: &mut Vec<Slot>| {
            if !list.contains(&s) {
                list.push(s);
            }
        };
        let mut names = Vec::new();
        if let Some(w) = &r.when {
            crate::check::names_in(w, &mut names);
        }
        for req in &r.require {
            crate::check::names_in(req, &mut names);
            approx_operands(req, &mut |name| {
                if let Some(&s) = self.slot_of.get(name) {
                    push(s, &mut interval_evidence);
                }
            });
        }
        let mut message = Vec::new();
        if let Some((parts, _)) = &r.message {
            for part in parts {
                message.push(match part {
                    MessagePart::Text(t) => MessagePiece::Text(t.clone()),
                    MessagePart::Unit => MessagePiece::Unit,
                    MessagePart::Value { name, decimals } => {
                        names.push((name.name.clone(), name.loc.clone()));
                        match self.name(&name.name) {
                            Node::Slot(s) => MessagePiece::Slot(s, *decimals),
                            Node::Const(v) => MessagePiece::Const(v, *decimals),
                            _ => MessagePiece::Text(String::new()),
                        }
                    }
                });
            }
        }
        for (name, _) in &names {
            if let Some(&s) = self.slot_of.get(name.as_str()) {
                push(s, &mut evidence);
            }
        }
        RulePlan {
            id: Arc::from(r.name.name.as_str()),
            title: r.label.primary.clone(),
            severity: r.severity.as_ref().map_or(Severity::Error, |s| s.0),
            when: r.when.as_ref().map(|w| self.expr(w)),
            require: r
                .require
                .first()
                .map_or(Node::Const(Value::Bool(false)), |e| self.expr(e)),
            message,
            cite: r.cite.clone(),
            evidence,
            interval_evidence,
            in_force: r.in_force.or(self.in_force),
            target: r.target.as_ref().and_then(|t| {
                let require = r.require.first()?;
                let (value, compare) = match require.as_threshold() {
                    Some((op, value, threshold)) => {
                        let op = match op {
                            BinaryOp::Ge => Cmp::Ge,
                            BinaryOp::Gt => Cmp::Gt,
                            BinaryOp::Le => Cmp::Le,
                            _ => Cmp::Lt,
                        };
                        (self.expr(value), Some((op, threshold)))
                    }
                    None => (self.expr(require), None),
                };
                Some(TargetPlan {
                    year: t.year,
                    deadline: t.deadline,
                    baseline: t.baseline,
                    value,
                    compare,
                })
            }),
            loc: r.name.loc.clone(),
        }
    }
}

/// Calls `f` with each name that is a direct operand of `~=` in `e`.
fn approx_operands(e: &ast::Expr, f: &mut impl FnMut(&str)) {
    match &e.kind {
        ExprKind::Binary(BinaryOp::Approx, a, b) => {
            for side in [a, b] {
                if let ExprKind::Name(n) = &side.kind {
                    f(n);
                }
            }
        }
        ExprKind::Binary(_, a, b) => {
            approx_operands(a, f);
            approx_operands(b, f);
        }
        ExprKind::Unary(_, x) => approx_operands(x, f),
        ExprKind::If(c, a, b) => {
            approx_operands(c, f);
            approx_operands(a, f);
            approx_operands(b, f);
        }
        _ => {}
    }
}
