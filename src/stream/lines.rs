//! JSON Lines written straight from a unit's slots, for the common shapes: the bytes
//! `serde_json` writes for the report's own structures (a [`crate::report::UnitReport`],
//! a finding's evidence map), without building them. Anything less common — an error in
//! a value, notes, ranks, intervals, a hook's evidence, a repeated key, a value that is
//! not a number or a yes/no — is left to the caller, which builds the structure.

use super::{StreamError, ValueFilter, json};
use crate::compile::{Node, Program, RulePlan, SlotKind};
use crate::evaluate::{Decision, Slots};
use crate::parse::ast::InputType;
use crate::value::Value;

/// Writes a plain number or yes/no as `serde_json` writes its report value; false (and
/// nothing written) for any other value.
fn scalar(buf: &mut Vec<u8>, value: &Value, written: bool) -> Result<bool, StreamError> {
    match value {
        // `number_to_json`: the normalised decimal's digits (always a JSON number).
        Value::Number(n) if written => crate::value::write_decimal(buf, *n),
        Value::Number(n) => crate::value::write_decimal(buf, n.normalize()),
        Value::Bool(b) => buf.extend_from_slice(if *b { b"true" } else { b"false" }),
        _ => return Ok(false),
    }
    Ok(true)
}

/// The line of a unit's values when it is plain (no value in error, no notes, no ranks):
/// what serialising [`super::unit_values`]'s report would write. False, with `buf` as it
/// was, when the unit's line is not plain.
pub(super) fn values_line(
    buf: &mut Vec<u8>,
    program: &Program,
    unit_json: &[u8],
    slots: Slots<'_>,
    filter: ValueFilter,
) -> Result<bool, StreamError> {
    let aggregates = program
        .formulas
        .iter()
        .any(|f| matches!(f.node, Node::Aggregate(_)));
    // A cohort operation may note something of a unit (a value treated for outliers).
    if filter == ValueFilter::None
        || aggregates
        || !program.ranks.is_empty()
        || !program.cohorts.is_empty()
    {
        return Ok(false);
    }
    let inputs = program.inputs.iter().map(|i| i.slot);
    let declared = program.display_order.iter().copied();
    let listed: Box<dyn Iterator<Item = usize>> = match filter {
        ValueFilter::All => Box::new(inputs.chain(declared)),
        _ => Box::new(declared),
    };
    let start = buf.len();
    buf.extend_from_slice(b"{\"unit\":");
    buf.extend_from_slice(unit_json);
    buf.extend_from_slice(b",\"values\":{");
    let mut first = true;
    for slot in listed {
        let (Some(info), Some(outcome)) = (program.slots.get(slot), slots.get(slot)) else {
            continue;
        };
        let value = match outcome {
            Ok(v) => v,
            Err(_) if info.kind == SlotKind::Input => continue,
            Err(_) => {
                buf.truncate(start);
                return Ok(false);
            }
        };
        if !first {
            buf.push(b',');
        }
        json(buf, info.name.as_ref())?;
        buf.push(b':');
        if !scalar(buf, value, false)? {
            buf.truncate(start);
            return Ok(false);
        }
        first = false;
    }
    buf.extend_from_slice(b"},\"ranks\":{}}\n");
    Ok(true)
}

/// `,"evidence":{…}` of a failing finding whose evidence is its rule's slots alone (the
/// common case): what serialising `report::evidence` would write. False, with `buf` as
/// it was, otherwise.
pub(super) fn plain_evidence(
    buf: &mut Vec<u8>,
    program: &Program,
    rule: &RulePlan,
    slots: Slots<'_>,
    decision: &Decision,
) -> Result<bool, StreamError> {
    if !rule.interval_evidence.is_empty() || decision.evidence().is_some() {
        return Ok(false);
    }
    let repeated = rule.evidence.iter().enumerate().any(|(i, s)| {
        rule.evidence
            .get(..i)
            .is_some_and(|before| before.contains(s))
    });
    if repeated {
        return Ok(false);
    }
    let start = buf.len();
    let mut first = true;
    for &slot in &rule.evidence {
        let (Some(info), Some(outcome)) = (program.slots.get(slot), slots.get(slot)) else {
            continue;
        };
        buf.extend_from_slice(if first { b",\"evidence\":{" } else { b"," });
        first = false;
        json(buf, info.name.as_ref())?;
        buf.push(b':');
        let written = info.input_type == Some(InputType::Decimal);
        let plain = match outcome {
            Err(_) => {
                buf.extend_from_slice(b"null");
                true
            }
            Ok(v) => scalar(buf, v, written)?,
        };
        if !plain {
            buf.truncate(start);
            return Ok(false);
        }
    }
    if !first {
        buf.push(b'}');
    }
    Ok(true)
}
