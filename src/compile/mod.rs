//! Stage 3: a checked rule set → the program the evaluator runs.
//!
//! Every name becomes a slot number or an inlined constant; scores become aggregate
//! nodes; cohort operations (`normalise`, `rank of`) get a cohort whose statistics the
//! evaluator computes once per stage; rules list the slots their evidence shows.
//! Evaluation never looks a name up by string.

pub mod audit;
mod composite;
mod lower;
mod program;
mod rules;
mod stages;

use std::cell::RefCell;
use std::sync::Arc;

use indexmap::IndexMap;

use crate::check::{Checked, SymbolKind, Ty};
use crate::hooks::Externals;
pub use crate::parse::ast::{Aggregation, CollectionOp, Method, MissingPolicy, Rounding};
use crate::parse::ast::{Item, Label};
use crate::source::Loc;
use crate::value::Value;
use lower::literal;
pub use program::{
    AggregateNode, Arith, Cmp, Cohort, CollectionNode, ExternalCall, Formula, InputPlan,
    MessagePiece, Node, NormaliseNode, Program, RankNode, RankPlan, RulePlan, SensitivityPlan,
    Slot, SlotInfo, SlotKind, TargetPlan, children, cohorts_in, slots_in,
};
pub(crate) use stages::mark_ordered;
use stages::stages;

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

/// What lowering a rule set's expressions needs (the methods are in `lower.rs`, `rules.rs`,
/// `composite.rs` and `audit.rs`).
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
