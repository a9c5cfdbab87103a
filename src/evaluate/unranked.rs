//! Why a unit has no rank under a `rank` declaration: the ranked value is missing or
//! could not be computed, its group is unknown, or it is outside the ranked cohort.

use super::Slots;
use crate::compile::Program;

/// For each declared rank the unit did not get, the reason, keyed `rank <key>`.
pub fn notes(
    program: &Program,
    slots: Slots<'_>,
    ranks: &[Option<usize>],
) -> Vec<(String, String)> {
    let name = |s: usize| {
        program
            .slots
            .get(s)
            .map_or_else(String::new, |i| i.name.to_string())
    };
    program
        .ranks
        .iter()
        .zip(ranks)
        .filter(|(_, rank)| rank.is_none())
        .map(|(plan, _)| {
            let column = plan.node.column;
            let reason = match (
                slots.get(column),
                plan.node.group.map(|g| (g, slots.get(g))),
            ) {
                (Some(Err(f)), _) => format!("not ranked: {f}"),
                (_, Some((g, Some(Err(f))))) => {
                    format!("not ranked: its group `{}` is unknown ({f})", name(g))
                }
                (Some(Ok(v)), _) if !matches!(v, crate::value::Value::Number(_)) => {
                    format!("not ranked: `{}` is not a number", name(column))
                }
                _ => "not ranked: outside the ranked units (its `among` condition does not hold)"
                    .to_string(),
            };
            (format!("rank {}", plan.key), reason)
        })
        .collect()
}
