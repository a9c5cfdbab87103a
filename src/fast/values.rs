//! The computed values of a column evaluation, kept where they already are: a value that
//! *is* an input's columns (a ratio of counts is its numerator's and denominator's
//! columns) points at them; only what a chunk computed into a register's own buffer is
//! copied out, since the buffer is reused by the next chunk.

use super::Rational;
use super::column::{CHUNK, InputColumn};

/// Where one chunk's numerators or denominators of a value are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum IntCells {
    /// Input `k`'s numerators, or its denominators, indexed by unit.
    InputN(usize),
    InputD(usize),
    /// The value's own cells from this offset, indexed by unit within the chunk.
    Own(usize),
    /// All 1.
    One,
}

/// Where one chunk's validity of a value is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum OkCells {
    /// Input `k`'s validity, indexed by unit.
    Input(usize),
    /// The value's own cells from this offset, indexed by unit within the chunk.
    Own(usize),
    /// Every unit valid.
    All,
}

/// One chunk of one value.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Piece {
    n: IntCells,
    d: IntCells,
    ok: OkCells,
    /// The chunk's greatest error bound.
    ed: f64,
}

/// A value's cells computed into its own storage, chunk after chunk.
#[derive(Debug, Clone, Default)]
struct Own {
    n: Vec<i64>,
    d: Vec<i64>,
    ok: Vec<bool>,
}

/// The computed values of a column evaluation, one column per
/// [`super::FastProgram::value_slots`] entry: each unit's exact `n / d` and validity,
/// and one error bound per chunk of units (the chunk's greatest `ed`, a bound for each of
/// its units; rows keep each unit's own).
#[derive(Debug, Clone, Default)]
pub struct ValueColumns {
    units: usize,
    /// The evaluated inputs' columns, shared.
    inputs: Vec<InputColumn>,
    /// Per value, per chunk.
    pieces: Vec<Vec<Piece>>,
    /// Per value.
    own: Vec<Own>,
}

/// The integers one chunk of a value reads from, as a register names them.
pub(super) enum IntsFrom<'a> {
    /// An input's column (numerators or denominators): nothing to copy.
    Shared(IntCells),
    /// A register's own buffer, to copy.
    Copy(&'a [i64]),
}

/// The validity one chunk of a value reads from.
pub(super) enum OkFrom<'a> {
    /// An input's validity, or every unit valid: nothing to copy.
    Shared(OkCells),
    /// A register's own buffer, to copy.
    Copy(&'a [bool]),
}

impl ValueColumns {
    /// Room for `values` values over `units` units of `inputs`.
    pub(super) fn new(values: usize, units: usize, inputs: Vec<InputColumn>) -> Self {
        ValueColumns {
            units,
            inputs,
            pieces: vec![Vec::with_capacity(units.div_ceil(CHUNK)); values],
            own: vec![Own::default(); values],
        }
    }

    /// Appends the next chunk of value `value`.
    pub(super) fn push(&mut self, value: usize, n: IntsFrom, d: IntsFrom, ok: OkFrom, ed: f64) {
        let (Some(pieces), Some(own)) = (self.pieces.get_mut(value), self.own.get_mut(value))
        else {
            return;
        };
        let ints = |from: IntsFrom, to: &mut Vec<i64>| match from {
            IntsFrom::Shared(at) => at,
            IntsFrom::Copy(cells) => {
                let at = to.len();
                to.extend_from_slice(cells);
                IntCells::Own(at)
            }
        };
        let n = ints(n, &mut own.n);
        let d = ints(d, &mut own.d);
        let ok = match ok {
            OkFrom::Shared(at) => at,
            OkFrom::Copy(cells) => {
                let at = own.ok.len();
                own.ok.extend_from_slice(cells);
                OkCells::Own(at)
            }
        };
        pieces.push(Piece { n, d, ok, ed });
    }

    /// Value `value` (an index into [`super::FastProgram::value_slots`]) of `unit`, `None`
    /// where a fault or overflow left it to the reference. Its `ed` bounds the reference's
    /// error for every unit of the unit's chunk, so it is never below the row's.
    pub fn get(&self, value: usize, unit: usize) -> Option<Rational> {
        if unit >= self.units {
            return None;
        }
        let piece = self.pieces.get(value)?.get(unit / CHUNK)?;
        let own = self.own.get(value)?;
        let within = unit % CHUNK;
        let ok = match piece.ok {
            OkCells::All => true,
            OkCells::Input(k) => *self.inputs.get(k)?.ok.get(unit)?,
            OkCells::Own(at) => *own.ok.get(at + within)?,
        };
        if !ok {
            return None;
        }
        let int = |cells: IntCells, mine: &[i64]| -> Option<i64> {
            match cells {
                IntCells::One => Some(1),
                IntCells::InputN(k) => self.inputs.get(k)?.n.get(unit).copied(),
                IntCells::InputD(k) => self.inputs.get(k)?.d.get(unit).copied(),
                IntCells::Own(at) => mine.get(at + within).copied(),
            }
        };
        Some(Rational {
            n: int(piece.n, &own.n)?,
            d: int(piece.d, &own.d)?,
            ed: piece.ed,
        })
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.pieces.len()
    }

    /// True when no value is computed.
    pub fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }
}

/// Equal when every value of every unit is: where the cells are kept does not matter.
impl PartialEq for ValueColumns {
    fn eq(&self, other: &Self) -> bool {
        self.units == other.units
            && self.len() == other.len()
            && (0..self.len()).all(|v| (0..self.units).all(|u| self.get(v, u) == other.get(v, u)))
    }
}
