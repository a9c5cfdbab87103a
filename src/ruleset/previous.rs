//! Last year's values inside this year's run: the slots of `previous x` are filled from
//! the previous year ([`PreviousYear`]), by unit name in Unicode NFC after the rule set's
//! aliases, and a unit or value last year lacks is an `error` saying so, never a guess.

use super::RuleSet;
use crate::data::Dataset;
use crate::evaluate::{BoundData, previous_value};
use crate::report::compare::PreviousYear;
use crate::value::Value;

impl RuleSet {
    /// Fills the `previous x` slots of `bound` from `previous`.
    pub(super) fn fill_previous(&self, bound: &mut BoundData, previous: &PreviousYear) {
        let plans: Vec<(usize, &str)> = self
            .program
            .inputs
            .iter()
            .enumerate()
            .filter_map(|(k, p)| p.previous.as_deref().map(|of| (k, of)))
            .collect();
        if plans.is_empty() {
            return;
        }
        let by_name = previous.by_name();
        for (unit, inputs) in bound.units.iter().zip(bound.inputs.iter_mut()) {
            let year = by_name.get(unit.as_ref()).map(|(values, _)| values);
            for &(k, of) in &plans {
                if let Some(cell) = inputs.get_mut(k) {
                    *cell = previous_value(of, unit, year);
                }
            }
        }
    }

    /// Adds to `previous` (computed from last year's `data`) the inputs `previous x`
    /// reads, as last year's data gives them: a report holds only computed values.
    pub(super) fn add_previous_inputs(&self, previous: &mut PreviousYear, data: &Dataset) {
        let wanted: Vec<(usize, &str)> = self
            .program
            .inputs
            .iter()
            .filter_map(|p| p.previous.as_deref())
            .filter_map(|of| {
                let k = self
                    .program
                    .inputs
                    .iter()
                    .position(|p| p.previous.is_none() && p.name.as_ref() == of)?;
                Some((k, of))
            })
            .collect();
        if wanted.is_empty() {
            return;
        }
        let bound = self.bind(data);
        for (unit, inputs) in bound.units.iter().zip(&bound.inputs) {
            let Some((values, _)) = previous.units.get_mut(unit.as_ref()) else {
                continue;
            };
            for &(k, of) in &wanted {
                if let Some(Ok(Value::Number(v))) = inputs.get(k) {
                    values.insert(of.to_string(), *v);
                }
            }
        }
    }
}
