//! Column-at-a-time evaluation: the plan runs over a chunk of units one register at a
//! time, each operation one tight loop over structure-of-arrays columns (numerators,
//! denominators, error bounds, validity), with the per-unit arithmetic of
//! [`Rational`]. Chunks keep the registers in cache and are allocated once per run.

use super::plan::{FastRule, NumOp, TruthOp};
use super::{FastProgram, Rational, Truth, TypedEvaluation};
use crate::compile::{Arith, Program};
use crate::evaluate::BoundData;
use crate::value::Value;

/// Units per chunk: registers of a chunk stay in the core's cache.
const CHUNK: usize = 1024;

/// One input's values over every unit: the exact rational of each (inputs are scaled
/// integers, so the error bound is zero), and whether the unit has one (a missing,
/// invalid, non-number or beyond-64-bit value is the reference evaluator's to decide).
#[derive(Debug, Clone, Default, PartialEq)]
struct InputColumn {
    n: Vec<i64>,
    d: Vec<i64>,
    ok: Vec<bool>,
    /// Every denominator is 1 (a column of counts): the integer kernels apply.
    whole: bool,
}

/// A cohort's number inputs as columns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Columns {
    units: usize,
    columns: Vec<InputColumn>,
    /// Zero error bounds, shared by every input's view.
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
        let mut columns: Vec<InputColumn> = (0..inputs)
            .map(|_| InputColumn {
                n: Vec::with_capacity(units),
                d: Vec::with_capacity(units),
                ok: Vec::with_capacity(units),
                whole: true,
            })
            .collect();
        for u in 0..units {
            for (k, col) in columns.iter_mut().enumerate() {
                let r = value(u, k);
                let v = r.unwrap_or(Rational::int(0));
                col.n.push(v.n);
                col.d.push(v.d);
                col.ok.push(r.is_some());
                col.whole &= v.d == 1;
            }
        }
        Columns {
            units,
            columns,
            zeros: vec![0.0; units.min(CHUNK)],
        }
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
                let whole = d.iter().all(|&d| d == 1);
                InputColumn { n, d, ok, whole }
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

/// A number register over one chunk, structure of arrays.
#[derive(Debug, Clone, Default)]
struct NumBuf {
    n: Vec<i64>,
    d: Vec<i64>,
    ed: Vec<f64>,
    ok: Vec<bool>,
    /// Every denominator of this chunk is 1 and every bound 0.
    whole: bool,
}

impl NumBuf {
    fn sized(len: usize) -> Self {
        NumBuf {
            n: vec![0; len],
            d: vec![1; len],
            ed: vec![0.0; len],
            ok: vec![false; len],
            whole: false,
        }
    }
}

/// A read-only view of a number register over one chunk.
#[derive(Clone, Copy)]
struct View<'a> {
    n: &'a [i64],
    d: &'a [i64],
    ed: &'a [f64],
    ok: &'a [bool],
    /// Every denominator is 1 and every bound 0.
    whole: bool,
}

impl View<'_> {
    #[inline(always)]
    fn at(&self, i: usize) -> Option<Rational> {
        match (self.ok.get(i), self.n.get(i), self.d.get(i), self.ed.get(i)) {
            (Some(true), Some(&n), Some(&d), Some(&ed)) => Some(Rational { n, d, ed }),
            _ => None,
        }
    }
}

/// The registers of one run, reused chunk after chunk.
struct Registers {
    nums: Vec<NumBuf>,
    truths: Vec<Vec<Truth>>,
}

/// Register `r` over units `range`: an input's slice of its column, or the register's
/// chunk buffer; empty when the plan has no such register.
fn register<'a>(
    nums: &[NumOp],
    bufs: &'a [NumBuf],
    cols: &'a Columns,
    range: std::ops::Range<usize>,
    r: u32,
) -> View<'a> {
    let len = range.len();
    let op = nums.get(r as usize);
    if let Some(NumOp::Input(k)) = op
        && let Some(c) = cols.columns.get(*k)
    {
        let slice = |v: &'a [i64]| v.get(range.clone()).unwrap_or(&[]);
        return View {
            n: slice(&c.n),
            d: slice(&c.d),
            ed: cols.zeros.get(..len).unwrap_or(&[]),
            ok: c.ok.get(range.clone()).unwrap_or(&[]),
            whole: c.whole,
        };
    }
    match (op, bufs.get(r as usize)) {
        (Some(_), Some(buf)) => View {
            n: buf.n.get(..len).unwrap_or(&[]),
            d: buf.d.get(..len).unwrap_or(&[]),
            ed: buf.ed.get(..len).unwrap_or(&[]),
            ok: buf.ok.get(..len).unwrap_or(&[]),
            whole: buf.whole,
        },
        _ => View {
            n: &[],
            d: &[],
            ed: &[],
            ok: &[],
            whole: false,
        },
    }
}

/// The integer kernel of `+ − ×` over two whole views: exactly what [`Rational`]'s
/// operations give for denominators 1 and bounds 0, without branches.
#[inline(always)]
fn whole_into(out: &mut NumBuf, a: View<'_>, b: View<'_>, f: fn(i64, i64) -> (i64, bool)) {
    let len = a.n.len().min(b.n.len());
    for (((n, ok), (x, xok)), (y, yok)) in out
        .n
        .iter_mut()
        .zip(out.ok.iter_mut())
        .zip(a.n.iter().zip(a.ok))
        .zip(b.n.iter().zip(b.ok))
    {
        let (r, overflow) = f(*x, *y);
        *n = r;
        *ok = *xok & *yok & !overflow;
    }
    fill_whole(out, len);
}

/// Denominators 1 and bounds 0 over the first `len` cells, and the flag that says so.
fn fill_whole(out: &mut NumBuf, len: usize) {
    if let (Some(d), Some(ed)) = (out.d.get_mut(..len), out.ed.get_mut(..len)) {
        d.fill(1);
        ed.fill(0.0);
    }
    out.whole = true;
}

/// `a / b` over two whole views: the quotient `±a / |b|` and its bound, as
/// [`Rational::div`] computes them for denominators 1 and bounds 0, without branches.
#[inline(always)]
fn divide_whole(out: &mut NumBuf, a: View<'_>, b: View<'_>) {
    let cells = out
        .n
        .iter_mut()
        .zip(out.d.iter_mut())
        .zip(out.ed.iter_mut())
        .zip(out.ok.iter_mut());
    for ((((n, d), ed), ok), ((x, xok), (y, yok))) in
        cells.zip(a.n.iter().zip(a.ok).zip(b.n.iter().zip(b.ok)))
    {
        let negative = *y < 0;
        let (q, qo) = if negative {
            x.overflowing_neg()
        } else {
            (*x, false)
        };
        let (r, ro) = if negative {
            y.overflowing_neg()
        } else {
            (*y, false)
        };
        let (nf, df) = ((q as f64).abs(), r as f64);
        let small = q != 0 && nf < super::SMALLEST * df;
        *n = q;
        *d = r;
        *ed = Rational::rounded(q, r, 0.0);
        *ok = *xok & *yok & (*y != 0) & !qo & !ro & !small;
    }
    out.whole = false;
}

/// The units of two views side by side: both values where both are valid. Zipped
/// slices, so a loop over it carries no bounds checks.
#[inline(always)]
fn pairs<'a>(a: View<'a>, b: View<'a>) -> impl Iterator<Item = Option<(Rational, Rational)>> + 'a {
    let side = |v: View<'a>| {
        v.n.iter()
            .zip(v.d)
            .zip(v.ed)
            .zip(v.ok)
            .map(|(((n, d), ed), ok)| {
                (
                    Rational {
                        n: *n,
                        d: *d,
                        ed: *ed,
                    },
                    *ok,
                )
            })
    };
    side(a)
        .zip(side(b))
        .map(|((x, xok), (y, yok))| (xok && yok).then_some((x, y)))
}

/// `out[i] = f(a[i], b[i])` over a chunk, invalid where either side is or `f` fails:
/// zipped slices, so the loop carries no bounds checks.
#[inline(always)]
fn zip_into(
    out: &mut NumBuf,
    a: View<'_>,
    b: View<'_>,
    f: impl Fn(Rational, Rational) -> Option<Rational>,
) {
    out.whole = false;
    let cells = out
        .n
        .iter_mut()
        .zip(out.d.iter_mut())
        .zip(out.ed.iter_mut())
        .zip(out.ok.iter_mut());
    for (pair, (((n, d), ed), ok)) in pairs(a, b).zip(cells) {
        put((n, d, ed, ok), pair.and_then(|(x, y)| f(x, y)));
    }
}

#[inline(always)]
fn store(out: &mut NumBuf, i: usize, r: Option<Rational>) {
    if let (Some(n), Some(d), Some(ed), Some(ok)) = (
        out.n.get_mut(i),
        out.d.get_mut(i),
        out.ed.get_mut(i),
        out.ok.get_mut(i),
    ) {
        put((n, d, ed, ok), r);
    }
}

/// Writes a result into one unit's cells: an invalid one as 0/1 with no bound, so a
/// column stays whole-shaped where it is invalid.
#[inline(always)]
fn put((n, d, ed, ok): (&mut i64, &mut i64, &mut f64, &mut bool), r: Option<Rational>) {
    let value = r.unwrap_or(Rational::int(0));
    *n = value.n;
    *d = value.d;
    *ed = value.ed;
    *ok = r.is_some();
}

impl FastProgram {
    /// Evaluates every rule (and every compiled value) over every unit, a column at a
    /// time. Findings the typed core cannot decide are left `None` for
    /// [`TypedEvaluation::complete`].
    pub fn evaluate_columns(&self, cols: &Columns) -> TypedEvaluation {
        let plan = &self.plan;
        let units = cols.units;
        let width = units.min(CHUNK);
        let mut regs = Registers {
            nums: plan
                .nums
                .iter()
                .map(|op| match op {
                    NumOp::Input(_) => NumBuf::default(),
                    _ => NumBuf::sized(width),
                })
                .collect(),
            truths: vec![vec![Truth::UNKNOWN; width]; plan.truths.len()],
        };
        // Constants are the same in every chunk: filled once.
        for (op, buf) in plan.nums.iter().zip(regs.nums.iter_mut()) {
            if let NumOp::Const(k) = op {
                let c = plan.constants.get(*k).map(|c| c.0);
                for i in 0..width {
                    store(buf, i, c);
                }
                buf.whole = c.is_some_and(|c| c.d == 1);
            }
        }
        let mut statuses = vec![None; units * plan.rules.len()];
        let mut values = super::ValueColumns::new(plan.values.len(), units);
        let mut start = 0;
        while start < units {
            let end = (start + CHUNK).min(units);
            self.chunk(cols, start..end, &mut regs);
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
                match when.and_then(truth) {
                    None => {
                        for (cell, t) in out.iter_mut().zip(req) {
                            *cell = super::decide(None, *t);
                        }
                    }
                    Some(w) => {
                        for ((cell, t), w) in out.iter_mut().zip(req).zip(w) {
                            *cell = super::decide(Some(*w), *t);
                        }
                    }
                }
            }
            for (k, (_, reg)) in plan.values.iter().enumerate() {
                let v = register(&plan.nums, &regs.nums, cols, start..end, *reg);
                values.fill(k, start, v.n, v.d, v.ed, v.ok);
            }
            start = end;
        }
        TypedEvaluation {
            units,
            statuses,
            values,
        }
    }

    /// Runs every register over units `range`.
    fn chunk(&self, cols: &Columns, range: std::ops::Range<usize>, regs: &mut Registers) {
        let plan = &self.plan;
        let len = range.len();
        for (i, op) in plan.nums.iter().enumerate() {
            let (done, rest) = regs.nums.split_at_mut(i);
            let Some(out) = rest.first_mut() else {
                continue;
            };
            let v = |r: u32| register(&plan.nums, done, cols, range.clone(), r);
            if let NumOp::Neg(x) = *op {
                let x = v(x);
                for i in 0..len {
                    store(out, i, x.at(i).and_then(Rational::neg));
                }
                out.whole = false;
                continue;
            }
            // Inputs and constants are read in place.
            let Some((a, b, f)) = op.binary() else {
                continue;
            };
            let (a, b) = (v(a), v(b));
            // One loop per operation, each with its arithmetic inlined.
            match (f, a.whole && b.whole) {
                (Arith::Add, true) => whole_into(out, a, b, i64::overflowing_add),
                // As `Rational::sub`, which negates `b` first.
                (Arith::Sub, true) => whole_into(out, a, b, |x, y| {
                    let (r, overflow) = x.overflowing_sub(y);
                    (r, overflow || y == i64::MIN)
                }),
                (Arith::Mul, true) => whole_into(out, a, b, i64::overflowing_mul),
                (Arith::Div, true) => divide_whole(out, a, b),
                (Arith::Add, false) => zip_into(out, a, b, Rational::add),
                (Arith::Sub, false) => zip_into(out, a, b, Rational::sub),
                (Arith::Mul, false) => zip_into(out, a, b, Rational::mul),
                (Arith::Div, false) => zip_into(out, a, b, Rational::div),
                // Never compiled (`binary` has no power); invalid, as `Rational::arith` says.
                (Arith::Pow, _) => zip_into(out, a, b, |_, _| None),
            }
        }
        for (i, op) in plan.truths.iter().enumerate() {
            let (done, rest) = regs.truths.split_at_mut(i);
            let Some(out) = rest.first_mut() else {
                continue;
            };
            let t = |r: u32| done.get(r as usize).map(Vec::as_slice).unwrap_or(&[]);
            match *op {
                TruthOp::Const(b) => out.iter_mut().for_each(|x| *x = Truth::from(b)),
                TruthOp::Cmp { op, a, b, tie } => {
                    let num = |r: u32| register(&plan.nums, &regs.nums, cols, range.clone(), r);
                    let (a, b) = (num(a), num(b));
                    if a.whole && b.whole {
                        // Counts against counts: exact integers, no bounds.
                        for (cell, ((x, xok), (y, yok))) in out
                            .iter_mut()
                            .zip(a.n.iter().zip(a.ok).zip(b.n.iter().zip(b.ok)))
                        {
                            let holds = super::holds(op, x.cmp(y));
                            *cell = if *xok & *yok {
                                Truth::from(holds)
                            } else {
                                Truth::UNKNOWN
                            };
                        }
                        continue;
                    }
                    for (cell, pair) in out.iter_mut().zip(pairs(a, b)) {
                        *cell = match pair {
                            Some((x, y)) => Truth::known(x.compare(op, y, tie)),
                            None => Truth::UNKNOWN,
                        };
                    }
                }
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
            }
        }
    }
}
