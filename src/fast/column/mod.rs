//! Column-at-a-time evaluation: the plan runs over a chunk of 1,024 units one register
//! at a time, each operation one tight loop over structure-of-arrays columns.
//!
//! Each register of a chunk runs on one of two paths, both on the same plan:
//!
//! - **Bounded** ([`kernels`]): each register of the chunk is described by where its
//!   numerators, denominators and validity live (its own buffer, or another register's or
//!   an input's columns: `a / b` over positive counts *is* the pair `(a, b)` and copies
//!   nothing) and by bounds over its valid units (least and greatest numerator, greatest
//!   denominator, greatest error bound `ed`). The bounds prove, once per chunk, what the
//!   exact path checks per unit: no overflow, no tiny quotient, every comparison's slack
//!   below 1. Kernels are then integer loops with no per-unit checks and no error bounds.
//! - **Exact** ([`exact`]): every unit's [`Rational`], error bound included, as a row
//!   computes it. A register runs here when a bound proves nothing (values near 2⁶³, a
//!   divisor of either sign); a divided operand is first run here too, for its bounds.
//!
//! Both paths decide exactly what a row decides: the bounded path only where its bounds
//! prove the row's per-unit checks pass (each bound is the row's own floating-point
//! formula applied to maxima, and those formulas only grow with their operands).

mod exact;
mod kernels;

use std::sync::Arc;

use super::plan::{FastRule, NumOp, TruthOp};
use super::values::{IntCells, IntsFrom, OkCells, OkFrom};
use super::{FastProgram, Rational, Truth, TypedEvaluation, ValueColumns};
use crate::compile::Program;
use crate::evaluate::{BoundData, Status};
use crate::value::Value;

/// Units per chunk: registers of a chunk stay in the core's cache.
pub(super) const CHUNK: usize = 1024;

/// Denominators of a whole column and validity of a fully valid one, to read in place.
static ONES: [i64; CHUNK] = [1; CHUNK];
static ALL: [bool; CHUNK] = [true; CHUNK];

/// One input's values over every unit: the exact rational of each (inputs are scaled
/// integers, so the error bound is zero), and whether the unit has one (a missing,
/// invalid, non-number or beyond-64-bit value is the reference evaluator's to decide).
/// Shared, so that an evaluation's computed values can point at the inputs they are
/// (`a / b` of counts is the pair of columns) instead of copying them.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct InputColumn {
    pub(super) n: Arc<Vec<i64>>,
    pub(super) d: Arc<Vec<i64>>,
    pub(super) ok: Arc<Vec<bool>>,
    /// Bounds of each chunk, what the bounded path starts from.
    chunks: Vec<Bounds>,
}

/// Bounds of one column over the valid units of one chunk.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Bounds {
    /// Least and greatest numerator.
    lo: i64,
    hi: i64,
    /// Greatest denominator (1: the chunk is whole).
    dmax: i64,
    /// Every unit is valid.
    all: bool,
}

/// A cohort's number inputs as columns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Columns {
    units: usize,
    columns: Vec<InputColumn>,
    /// Zero error bounds, shared by every input's view on the exact path.
    zeros: Vec<f64>,
}

impl Columns {
    /// The number inputs of bound data, as columns.
    pub fn from_bound(program: &Program, bound: &BoundData) -> Self {
        Columns::from_fn(program.inputs.len(), bound.inputs.len(), |u, k| match bound
            .inputs
            .get(u)
            .and_then(|row| row.get(k))
        {
            Some(Ok(Value::Number(x))) => Rational::decimal(*x),
            _ => None,
        })
    }

    /// Columns of `inputs` inputs over `units` units, unit by unit (a unit's record is
    /// read while it is in cache): `value(u, k)` is input `k` of unit `u`, `None` when the
    /// reference evaluator must decide.
    pub fn from_fn(
        inputs: usize,
        units: usize,
        mut value: impl FnMut(usize, usize) -> Option<Rational>,
    ) -> Self {
        let mut parts: Vec<(Vec<i64>, Vec<i64>, Vec<bool>)> = (0..inputs)
            .map(|_| {
                (
                    Vec::with_capacity(units),
                    Vec::with_capacity(units),
                    Vec::with_capacity(units),
                )
            })
            .collect();
        for u in 0..units {
            for (k, (n, d, ok)) in parts.iter_mut().enumerate() {
                let r = value(u, k);
                let v = r.unwrap_or(Rational::int(0));
                n.push(v.n);
                d.push(v.d);
                ok.push(r.is_some());
            }
        }
        Columns::from_parts(units, parts)
    }

    /// Columns from each input's numerators, denominators and validity over `units`
    /// units (shorter vectors are padded as invalid).
    pub fn from_parts(units: usize, inputs: Vec<(Vec<i64>, Vec<i64>, Vec<bool>)>) -> Self {
        let columns = inputs
            .into_iter()
            .map(|(mut n, mut d, mut ok)| {
                n.resize(units, 0);
                d.resize(units, 1);
                ok.resize(units, false);
                let chunks = n
                    .chunks(CHUNK)
                    .zip(d.chunks(CHUNK))
                    .zip(ok.chunks(CHUNK))
                    .map(|((n, d), ok)| Bounds::of(n, d, ok))
                    .collect();
                InputColumn {
                    n: Arc::new(n),
                    d: Arc::new(d),
                    ok: Arc::new(ok),
                    chunks,
                }
            })
            .collect();
        Columns {
            units,
            columns,
            zeros: vec![0.0; units.min(CHUNK)],
        }
    }

    /// Number of units.
    pub fn len(&self) -> usize {
        self.units
    }

    /// True when there are no units.
    pub fn is_empty(&self) -> bool {
        self.units == 0
    }

    /// The value of input `input` for `unit`.
    #[inline]
    pub(super) fn get(&self, input: usize, unit: usize) -> Option<Rational> {
        let c = self.columns.get(input)?;
        if !*c.ok.get(unit)? {
            return None;
        }
        Some(Rational {
            n: *c.n.get(unit)?,
            d: *c.d.get(unit)?,
            ed: 0.0,
        })
    }
}

impl Bounds {
    /// The bounds of a chunk of a column, over its valid units (none: a neutral 0/1).
    fn of(n: &[i64], d: &[i64], ok: &[bool]) -> Self {
        let (mut lo, mut hi, mut dmax, mut all) = (i64::MAX, i64::MIN, 1, true);
        for ((n, d), ok) in n.iter().zip(d).zip(ok) {
            if *ok {
                lo = lo.min(*n);
                hi = hi.max(*n);
                dmax = dmax.max(*d);
            }
            all &= *ok;
        }
        if lo > hi {
            (lo, hi) = (0, 0);
        }
        Bounds { lo, hi, dmax, all }
    }
}

/// Where a register's integers (numerators or denominators) are over one chunk.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Ints {
    /// Input `k`'s numerators, or its denominators.
    InputN(usize),
    InputD(usize),
    /// Register `r`'s own numerators, or its own denominators.
    N(u32),
    D(u32),
    /// All 1: the denominators of a whole register.
    One,
}

/// Where a register's validity is over one chunk.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Valid {
    All,
    Input(usize),
    Own(u32),
}

/// A number register over one chunk: where its columns are, and bounds over its valid
/// units.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Reg {
    n: Ints,
    d: Ints,
    ok: Valid,
    /// Least and greatest numerator.
    lo: i64,
    hi: i64,
    /// Greatest denominator.
    dmax: i64,
    /// Greatest error bound `ed` (0 for a register with no division).
    emax: f64,
}

impl Reg {
    /// A register with no valid unit (before it is computed).
    const NONE: Reg = Reg {
        n: Ints::One,
        d: Ints::One,
        ok: Valid::All,
        lo: 0,
        hi: 0,
        dmax: 1,
        emax: 0.0,
    };

    /// The greatest magnitude of a numerator.
    fn magnitude(&self) -> u64 {
        self.lo.unsigned_abs().max(self.hi.unsigned_abs())
    }

    /// Input `k` over chunk `c`.
    fn input(cols: &Columns, k: usize, c: usize) -> Reg {
        let b = cols
            .columns
            .get(k)
            .and_then(|col| col.chunks.get(c))
            .copied()
            .unwrap_or(Bounds {
                lo: 0,
                hi: 0,
                dmax: 1,
                all: false,
            });
        Reg {
            n: Ints::InputN(k),
            d: if b.dmax == 1 {
                Ints::One
            } else {
                Ints::InputD(k)
            },
            ok: if b.all { Valid::All } else { Valid::Input(k) },
            lo: b.lo,
            hi: b.hi,
            dmax: b.dmax,
            emax: 0.0,
        }
    }
}

/// A number register's own columns over one chunk, allocated when first written.
#[derive(Debug, Clone, Default)]
struct NumBuf {
    n: Vec<i64>,
    d: Vec<i64>,
    ed: Vec<f64>,
    ok: Vec<bool>,
    /// The exact path's: every denominator of this chunk is 1 and every bound 0.
    whole: bool,
}

/// The chunk being evaluated: which units, and the storage registers read from.
#[derive(Clone)]
struct Chunk<'a> {
    cols: &'a Columns,
    range: std::ops::Range<usize>,
    /// Chunk number (index into each input's bounds).
    index: usize,
}

impl<'a> Chunk<'a> {
    fn len(&self) -> usize {
        self.range.len()
    }

    /// The integers `at` names, over this chunk.
    fn ints(&self, bufs: &'a [NumBuf], at: Ints) -> &'a [i64] {
        let len = self.len();
        let input = |k: usize| self.cols.columns.get(k);
        let slice = match at {
            Ints::InputN(k) => input(k).map(|c| c.n.as_slice()),
            Ints::InputD(k) => input(k).map(|c| c.d.as_slice()),
            Ints::N(r) => return own(bufs.get(r as usize).map(|b| b.n.as_slice()), len),
            Ints::D(r) => return own(bufs.get(r as usize).map(|b| b.d.as_slice()), len),
            Ints::One => return ONES.get(..len).unwrap_or(&[]),
        };
        slice.and_then(|s| s.get(self.range.clone())).unwrap_or(&[])
    }

    /// The validity `at` names, over this chunk.
    fn valid(&self, bufs: &'a [NumBuf], at: Valid) -> &'a [bool] {
        let len = self.len();
        match at {
            Valid::All => ALL.get(..len).unwrap_or(&[]),
            Valid::Input(k) => self
                .cols
                .columns
                .get(k)
                .and_then(|c| c.ok.get(self.range.clone()))
                .unwrap_or(&[]),
            Valid::Own(r) => own(bufs.get(r as usize).map(|b| b.ok.as_slice()), len),
        }
    }
}

impl<'a> Chunk<'a> {
    /// The integers `at` names, as a computed value keeps them: an input's column or
    /// all 1 by reference, a register's own buffer to copy.
    fn kept(&self, bufs: &'a [NumBuf], at: Ints) -> IntsFrom<'a> {
        match at {
            Ints::InputN(k) => IntsFrom::Shared(IntCells::InputN(k)),
            Ints::InputD(k) => IntsFrom::Shared(IntCells::InputD(k)),
            Ints::One => IntsFrom::Shared(IntCells::One),
            Ints::N(_) | Ints::D(_) => IntsFrom::Copy(self.ints(bufs, at)),
        }
    }

    /// The validity `at` names, as a computed value keeps it.
    fn kept_valid(&self, bufs: &'a [NumBuf], at: Valid) -> OkFrom<'a> {
        match at {
            Valid::All => OkFrom::Shared(OkCells::All),
            Valid::Input(k) => OkFrom::Shared(OkCells::Input(k)),
            Valid::Own(_) => OkFrom::Copy(self.valid(bufs, at)),
        }
    }
}

/// The first `len` cells of a register's own buffer.
fn own<T>(buf: Option<&[T]>, len: usize) -> &[T] {
    buf.and_then(|b| b.get(..len)).unwrap_or(&[])
}

/// `v` with at least `len` cells.
fn sized<T: Clone>(v: &mut Vec<T>, len: usize, fill: T) -> &mut [T] {
    if v.len() < len {
        v.resize(len, fill);
    }
    v.get_mut(..len).unwrap_or(&mut [])
}

/// Kleene logic and constants over truth registers, shared by both paths.
fn logic(op: TruthOp, out: &mut [Truth], done: &[Vec<Truth>]) {
    let t = |r: u32| done.get(r as usize).map(Vec::as_slice).unwrap_or(&[]);
    match op {
        TruthOp::Const(b) => out.iter_mut().for_each(|x| *x = Truth::from(b)),
        TruthOp::Not(x) => {
            for (cell, x) in out.iter_mut().zip(t(x)) {
                *cell = x.not();
            }
        }
        TruthOp::And(a, b) => {
            for ((cell, x), y) in out.iter_mut().zip(t(a)).zip(t(b)) {
                *cell = x.and(*y);
            }
        }
        TruthOp::Or(a, b) => {
            for ((cell, x), y) in out.iter_mut().zip(t(a)).zip(t(b)) {
                *cell = x.or(*y);
            }
        }
        // Comparisons are each path's own.
        TruthOp::Cmp { .. } => {}
    }
}

/// The registers of one run, reused chunk after chunk.
struct Registers {
    bufs: Vec<NumBuf>,
    regs: Vec<Reg>,
    truths: Vec<Vec<Truth>>,
    /// Per number register, whether this chunk's buffer holds every unit's error bound
    /// (computed on the exact path).
    exact: Vec<bool>,
    /// Per truth register, whether this chunk's truths may hold an unknown (false proves
    /// none does, so no rule reading only such truths leaves a finding open).
    maybe: Vec<bool>,
}

impl FastProgram {
    /// Evaluates every rule (and every compiled value) over every unit, a column at a
    /// time. Findings the typed core cannot decide are left `None` for
    /// [`TypedEvaluation::complete`].
    pub fn evaluate_columns(&self, cols: &Columns) -> TypedEvaluation {
        self.columns_by(cols, true).0
    }

    /// [`FastProgram::evaluate_columns`], with the bounded path allowed or not (the tests
    /// compare the two), and how many registers ran on it of how many ran.
    pub(super) fn columns_by(
        &self,
        cols: &Columns,
        bounded: bool,
    ) -> (TypedEvaluation, usize, usize) {
        let plan = &self.plan;
        let units = cols.units;
        let width = units.min(CHUNK);
        let mut regs = Registers {
            bufs: vec![NumBuf::default(); plan.nums.len()],
            regs: vec![Reg::NONE; plan.nums.len()],
            truths: vec![vec![Truth::UNKNOWN; width]; plan.truths.len()],
            exact: vec![false; plan.nums.len()],
            maybe: vec![true; plan.truths.len()],
        };
        // Constants are the same in every chunk: filled once, and their registers kept.
        for (r, (op, buf)) in plan.nums.iter().zip(regs.bufs.iter_mut()).enumerate() {
            if let NumOp::Const(k) = op {
                let c = plan.constants.get(*k).map(|c| c.0);
                let value = c.unwrap_or(Rational::int(0));
                buf.n = vec![value.n; width];
                buf.d = vec![value.d; width];
                buf.ed = vec![0.0; width];
                buf.ok = vec![c.is_some(); width];
                buf.whole = value.d == 1;
                let r = r as u32;
                if let Some(reg) = regs.regs.get_mut(r as usize) {
                    *reg = Reg {
                        n: Ints::N(r),
                        d: if value.d == 1 { Ints::One } else { Ints::D(r) },
                        ok: if c.is_some() {
                            Valid::All
                        } else {
                            Valid::Own(r)
                        },
                        lo: value.n,
                        hi: value.n,
                        dmax: value.d,
                        emax: 0.0,
                    };
                }
            }
        }
        // `decide` for each pair of truths, indexed `when << 2 | require`.
        let table: [Option<Status>; 256] = std::array::from_fn(|k| {
            let (w, r) = ((k >> 2) as u8, (k & 3) as u8);
            if w > 2 || r > 2 {
                return None;
            }
            super::decide(Some(Truth(w)), Truth(r))
        });
        let mut statuses = vec![None; units * plan.rules.len()];
        let mut values = ValueColumns::new(plan.values.len(), units, cols.columns.clone());
        let (mut open, mut fast, mut all) = (0, 0, 0);
        for (index, start) in (0..units).step_by(CHUNK).enumerate() {
            let end = (start + CHUNK).min(units);
            let chunk = Chunk {
                cols,
                range: start..end,
                index,
            };
            let (ran, of) = self.chunk(&chunk, &mut regs, bounded);
            (fast, all) = (fast + ran, all + of);
            for (r, rule) in plan.rules.iter().enumerate() {
                let FastRule::Typed { when, require } = rule else {
                    continue;
                };
                let truth = |reg: u32| regs.truths.get(reg as usize).map(Vec::as_slice);
                let (Some(out), Some(req)) = (
                    statuses.get_mut(r * units + start..r * units + end),
                    truth(*require),
                ) else {
                    continue;
                };
                let decided = |w: Truth, t: Truth| table[usize::from((w.0 << 2) | t.0)];
                let maybe = |reg: u32| regs.maybe.get(reg as usize).copied().unwrap_or(true);
                let known = !maybe(*require) && !when.is_some_and(maybe);
                match when.and_then(truth) {
                    None => {
                        for (cell, t) in out.iter_mut().zip(req) {
                            *cell = decided(Truth::TRUE, *t);
                        }
                    }
                    Some(w) => {
                        for ((cell, t), w) in out.iter_mut().zip(req).zip(w) {
                            *cell = decided(*w, *t);
                        }
                    }
                }
                if !known {
                    open += out.iter().filter(|s| s.is_none()).count();
                }
            }
            for (k, (_, r)) in plan.values.iter().enumerate() {
                let reg = regs.regs.get(*r as usize).copied().unwrap_or(Reg::NONE);
                values.push(
                    k,
                    chunk.kept(&regs.bufs, reg.n),
                    chunk.kept(&regs.bufs, reg.d),
                    chunk.kept_valid(&regs.bufs, reg.ok),
                    reg.emax,
                );
            }
        }
        // Rules on the reference are open for every unit.
        open += units
            * plan
                .rules
                .iter()
                .filter(|r| matches!(r, FastRule::Reference(_)))
                .count();
        let typed = TypedEvaluation {
            units,
            statuses,
            values,
            open,
        };
        (typed, fast, all)
    }

    /// Runs every register over one chunk: each on the bounded path when its bounds
    /// prove it, else on the exact path. Returns how many ran bounded, of how many.
    fn chunk(&self, chunk: &Chunk<'_>, regs: &mut Registers, bounded: bool) -> (usize, usize) {
        regs.exact.iter_mut().for_each(|e| *e = false);
        let (mut fast, mut all) = (0, 0);
        for (i, op) in self.plan.nums.iter().enumerate() {
            all += 1;
            if bounded && self.number(i, *op, chunk, regs).is_some() {
                fast += 1;
            } else {
                self.exact_number(i, chunk, regs);
            }
        }
        for (i, op) in self.plan.truths.iter().enumerate() {
            if let TruthOp::Cmp { .. } = op {
                all += 1;
                if bounded && self.compare(i, *op, chunk, regs).is_some() {
                    fast += 1;
                } else {
                    self.exact_compare(i, *op, chunk, regs);
                }
            } else {
                let (done, rest) = regs.truths.split_at_mut(i);
                if let Some(out) = rest.first_mut() {
                    logic(*op, out, done);
                }
                let maybe = |r: u32| regs.maybe.get(r as usize).copied().unwrap_or(true);
                let may = match *op {
                    TruthOp::Const(_) => false,
                    TruthOp::Not(x) => maybe(x),
                    TruthOp::And(a, b) | TruthOp::Or(a, b) => maybe(a) || maybe(b),
                    TruthOp::Cmp { .. } => true,
                };
                if let Some(m) = regs.maybe.get_mut(i) {
                    *m = may;
                }
            }
        }
        (fast, all)
    }
}
