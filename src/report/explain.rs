//! `--explain UNIT`: the tree beneath every top-level value of one unit — raw values,
//! normalised values, weights and contributions — so an auditor can see exactly how a
//! score came about.

use serde::Serialize;

use crate::compile::{
    AggregateNode, Aggregation, Method, Node, NormaliseNode, Program, SlotKind, slots_in,
};
use crate::evaluate::cohort::CohortStats;
use crate::evaluate::{Evaluation, Outcome, Slots};
use crate::value::{Value, number_to_json};

/// Deepest level shown; deeper trees end with a note.
pub const MAX_EXPLAIN_DEPTH: usize = 24;

/// One unit's explanation.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Explanation {
    /// The unit.
    pub unit: String,
    /// The values nothing else is computed from (the index, free-standing indicators).
    pub nodes: Vec<ExplainNode>,
}

/// One value in the tree.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ExplainNode {
    /// Its name.
    pub name: String,
    /// input, indicator or score.
    pub kind: &'static str,
    /// Its value, unrounded (`null` when it could not be computed).
    pub value: serde_json::Value,
    /// Why there is no value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// How it is computed from its children.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub how: Option<String>,
    /// Its weight within its parent's mean, normalised to sum to 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<serde_json::Value>,
    /// weight × value: its share of the parent's arithmetic mean.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contribution: Option<serde_json::Value>,
    /// What it is computed from.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<ExplainNode>,
}

/// The explanation of unit `index`.
pub fn explain(
    program: &Program,
    slots: Slots<'_>,
    evaluation: &Evaluation,
    unit: &str,
) -> Explanation {
    let mut used = vec![false; program.slots.len()];
    for f in &program.formulas {
        let mut refs = Vec::new();
        slots_in(&f.node, &mut refs);
        for r in refs {
            if let Some(u) = used.get_mut(r) {
                *u = true;
            }
        }
    }
    let walker = Walker {
        program,
        slots,
        cohorts: &evaluation.cohorts,
    };
    let nodes = program
        .display_order
        .iter()
        .filter(|&&s| !used.get(s).copied().unwrap_or(false))
        .map(|&s| walker.node(s, 0))
        .collect();
    Explanation {
        unit: unit.to_string(),
        nodes,
    }
}

struct Walker<'a> {
    program: &'a Program,
    slots: Slots<'a>,
    cohorts: &'a [Option<CohortStats>],
}

fn json(outcome: Option<&Outcome>) -> (serde_json::Value, Option<String>) {
    match outcome {
        Some(Ok(v)) => (v.to_json(), None),
        Some(Err(f)) => (serde_json::Value::Null, Some(f.to_string())),
        None => (serde_json::Value::Null, None),
    }
}

impl Walker<'_> {
    fn name(&self, slot: usize) -> String {
        self.program
            .slots
            .get(slot)
            .map(|s| s.name.to_string())
            .unwrap_or_default()
    }

    fn node(&self, slot: usize, depth: usize) -> ExplainNode {
        let info = self.program.slots.get(slot);
        let kind = match info.map(|i| i.kind) {
            Some(SlotKind::Input) => "input",
            Some(SlotKind::Indicator) => "indicator",
            _ => "score",
        };
        let (value, error) = json(self.slots.get(slot));
        let mut node = ExplainNode {
            name: self.name(slot),
            kind,
            value,
            error,
            how: None,
            weight: None,
            contribution: None,
            children: Vec::new(),
        };
        let Some(formula) = self.program.formula_of(slot) else {
            return node;
        };
        if depth >= MAX_EXPLAIN_DEPTH {
            node.how = Some("(deeper levels not shown)".into());
            return node;
        }
        match &formula.node {
            Node::Aggregate(agg) => self.aggregate(&mut node, agg, depth),
            Node::Normalise(n) => {
                node.how = Some(self.normalise_how(n));
                let child = self.node(n.column, depth + 1);
                // A rescaled score shows its aggregate directly beneath it.
                if info.is_some_and(|i| i.kind == SlotKind::Score) && child.kind == "score" {
                    node.children = child.children;
                    if let Some(h) = child.how {
                        node.how = Some(format!("{h}, then {}", node.how.unwrap_or_default()));
                    }
                    node.how = Some(format!(
                        "{} (before rescaling: {})",
                        node.how.unwrap_or_default(),
                        short(&child.value)
                    ));
                } else {
                    node.children = vec![child];
                }
            }
            other => {
                node.how = Some(
                    formula
                        .loc
                        .text()
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" "),
                );
                let mut refs = Vec::new();
                slots_in(other, &mut refs);
                refs.dedup();
                node.children = refs.into_iter().map(|r| self.node(r, depth + 1)).collect();
            }
        }
        node
    }

    fn aggregate(&self, node: &mut ExplainNode, agg: &AggregateNode, depth: usize) {
        let weights: Vec<rust_decimal::Decimal> = match &agg.weights {
            Some(w) => w.clone(),
            None => vec![rust_decimal::Decimal::ONE; agg.members.len()],
        };
        let total: rust_decimal::Decimal = weights.iter().copied().sum();
        // `weights` is present exactly when the author wrote `weighted`.
        let weighted = if agg.weights.is_some() {
            "weighted "
        } else {
            ""
        };
        let source = agg
            .weights_source
            .as_ref()
            .map(|f| format!(" (weights from {f})"))
            .unwrap_or_default();
        node.how = Some(format!(
            "{weighted}{} of {}{source}{}",
            agg.kind.describe(),
            agg.members.len(),
            self.outranking_how(agg)
        ));
        for (member, w) in agg.members.iter().zip(&weights) {
            let Node::Slot(s) = member else { continue };
            let mut child = self.node(*s, depth + 1);
            if matches!(agg.kind, Aggregation::Minimum | Aggregation::Sum) || total.is_zero() {
                node.children.push(child);
                continue;
            }
            let share = w.checked_div(total).unwrap_or_default();
            child.weight = Some(number_to_json(share));
            if agg.kind == Aggregation::Arithmetic
                && let Some(Ok(Value::Number(x))) = self.slots.get(*s)
                && let Some(c) = share.checked_mul(*x)
            {
                child.contribution = Some(number_to_json(c));
            }
            node.children.push(child);
        }
    }

    /// Copeland and dominance: how the unit fared against the others, and the cohort's
    /// dominant pairs (COINr's `nDominant`, `fracDominant`).
    fn outranking_how(&self, agg: &AggregateNode) -> String {
        use crate::evaluate::outrank;
        if !agg.kind.is_outranking() {
            return String::new();
        }
        let Ok(t) = outrank::tally(self.program, self.slots, self.cohorts, agg) else {
            return String::new();
        };
        let mut out = match agg.kind {
            Aggregation::Copeland => format!(
                ": beats {} of the {} other units, loses to {}, ties with {} (weighted majority of the members)",
                t.wins, t.others, t.losses, t.ties
            ),
            _ => format!(
                ": dominates {} of the {} other units (higher on every member), dominated by {}",
                t.dominates, t.others, t.dominated_by
            ),
        };
        if t.partial > 0 {
            out.push_str(&format!(
                "; {} compared over the members both have",
                t.partial
            ));
        }
        if let Some(summary) = outrank::summary(self.cohorts, agg) {
            if let (Aggregation::Dominance { .. }, Some(share)) =
                (&agg.kind, summary.dominant_share())
            {
                out.push_str(&format!(
                    "; the cohort has {} pairs of units one of which dominates the other, of {} (COINr nDominant {}, fracDominant {})",
                    summary.dominant_pairs,
                    summary.pairs,
                    summary.dominant_pairs,
                    crate::value::round_half_up(share, TEXT_DECIMALS).normalize()
                ));
            }
            if !summary.left_out.is_empty() {
                out.push_str(&format!("; left out: {}", summary.left_out.join(", ")));
            }
        }
        out
    }

    fn normalise_how(&self, n: &NormaliseNode) -> String {
        let stats = self.cohorts.get(n.cohort).and_then(Option::as_ref);
        let column = self.name(n.column);
        let direction = if n.lower_is_better {
            ", lower is better"
        } else {
            ""
        };
        let cohort = self
            .program
            .cohorts
            .get(n.cohort)
            .and_then(|c| c.filter.as_ref())
            .map_or(String::new(), |_| " (among a subset)".to_string());
        let detail = match (&n.method, stats) {
            (Method::Max, Some(s)) if !n.lower_is_better => s
                .max
                .map(|m| format!(": {column} ÷ {m} (cohort maximum)"))
                .unwrap_or_default(),
            (Method::Max, Some(s)) => s
                .min
                .map(|m| format!(": {m} (cohort minimum) ÷ {column}"))
                .unwrap_or_default(),
            (Method::MinMax, Some(s)) => match (s.min, s.max) {
                (Some(lo), Some(hi)) => format!(": cohort minimum {lo}, maximum {hi}"),
                _ => String::new(),
            },
            (Method::ZScore, Some(s)) => match (s.mean, s.sd) {
                (Some(m), Some(sd)) => format!(": cohort mean {m}, standard deviation {sd}"),
                _ => String::new(),
            },
            (Method::Percentile | Method::Rank, Some(s)) => {
                format!(": {} units in the cohort", s.sorted.len())
            }
            _ => String::new(),
        };
        format!(
            "normalise by {}{direction}{cohort}{detail}",
            n.method.describe()
        )
    }
}

/// Decimals of the numbers in the text explanation (`--format json` has every digit).
pub(crate) const TEXT_DECIMALS: u32 = 6;

/// A JSON number as text, rounded half-up to [`TEXT_DECIMALS`].
fn short(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Number(n) => match crate::evaluate::parse_decimal(&n.to_string()) {
            Some(d) => crate::value::round_half_up(d, TEXT_DECIMALS)
                .normalize()
                .to_string(),
            None => n.to_string(),
        },
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The explanation as indented text.
pub fn render(explanation: &Explanation) -> String {
    let mut out = format!(
        "\nExplanation for {} (numbers rounded to {TEXT_DECIMALS} decimals; JSON has every digit)\n",
        explanation.unit
    );
    for node in &explanation.nodes {
        render_node(&mut out, node, 1);
    }
    out
}

/// `text` with every number of more than `decimals` decimals rounded half-up to at most
/// `decimals` (cohort statistics in a `how` line have all 28 digits in JSON).
pub(crate) fn round_numbers_in(text: &str, decimals: u32) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let after_word = i > 0
            && chars
                .get(i - 1)
                .is_some_and(|p| p.is_alphanumeric() || *p == '_' || *p == '.');
        if !c.is_ascii_digit() || after_word {
            out.push(c);
            i += 1;
            continue;
        }
        let start = i;
        while chars.get(i).is_some_and(char::is_ascii_digit) {
            i += 1;
        }
        if chars.get(i) == Some(&'.') && chars.get(i + 1).is_some_and(char::is_ascii_digit) {
            i += 1;
            while chars.get(i).is_some_and(char::is_ascii_digit) {
                i += 1;
            }
        }
        let token: String = chars.get(start..i).unwrap_or_default().iter().collect();
        let long = token
            .split_once('.')
            .is_some_and(|(_, frac)| frac.len() > decimals as usize);
        match crate::evaluate::parse_decimal(&token) {
            Some(d) if long => out.push_str(&super::display::at_most(d, decimals)),
            _ => out.push_str(&token),
        }
    }
    out
}

fn render_node(out: &mut String, node: &ExplainNode, depth: usize) {
    use std::fmt::Write;
    let indent = "  ".repeat(depth);
    let value = match (&node.value, &node.error) {
        (serde_json::Value::Null, Some(e)) => format!("error: {e}"),
        (v, _) => short(v),
    };
    let mut extra = Vec::new();
    if let Some(w) = &node.weight {
        extra.push(format!("weight {}", short(w)));
    }
    if let Some(c) = &node.contribution {
        extra.push(format!("contributes {}", short(c)));
    }
    let extra = if extra.is_empty() {
        String::new()
    } else {
        format!("  [{}]", extra.join(", "))
    };
    let how = node
        .how
        .as_deref()
        .map(|h| format!("  = {}", round_numbers_in(h, TEXT_DECIMALS)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{indent}{} ({}) {value}{extra}{how}",
        node.name, node.kind
    );
    for child in &node.children {
        render_node(out, child, depth + 1);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn long_numbers_in_how_lines_are_rounded_to_the_announced_decimals() {
        assert_eq!(
            super::round_numbers_in(
                "normalise by ratio to maximum: x2 ÷ 8.333333333333333333333333330 (cohort maximum) 2020-07-31 0.5",
                6
            ),
            "normalise by ratio to maximum: x2 ÷ 8.333333 (cohort maximum) 2020-07-31 0.5"
        );
    }
}
