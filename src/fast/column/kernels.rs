//! The bounded path of a chunk: each register's columns found or computed with no
//! per-unit checks and no error bounds, because the chunk's bounds prove what a row
//! checks unit by unit.
//!
//! - `a / b` of counts with every divisor positive is the pair `(a, b)` itself: the
//!   register points at both columns. The row's checks (no zero divisor, no sign to
//!   move, no tiny quotient `|a| < 10⁻⁷·b`) hold for the chunk when its least divisor is
//!   positive and `10⁻⁷·max b < 1`.
//! - `+ − ×` and negation: the result's least and greatest numerator come from the
//!   operands' (corner products for `×`); when they fit 64 bits no unit overflows, so the
//!   loop is a wrapping operation (only invalid units, whose cells nobody reads, wrap).
//! - Error bounds: a register's greatest `ed` is the row's own formula applied to the
//!   operands' greatest magnitudes, denominators and bounds. Each formula only adds and
//!   multiplies non-negative numbers, and rounded floating-point addition and
//!   multiplication never decrease when an operand grows, so it bounds every unit's `ed`.
//! - A comparison: when the chunk's greatest slack `2·(ed₁·d₂ + ed₂·d₁)` is below 1, the
//!   row decides every unit by the sign of the exact cross-multiplied difference (an exact
//!   tie after a division only where the plan proved it), in 64-bit products when the
//!   bounds show they fit, else 128-bit: in 64 bits, the operator itself in a loop
//!   compiled per operator; a tie left open, or 128-bit products, a table lookup on the
//!   sign.
//!
//! Anything else (a division of fractions, `+ −` of fractions, values near 2⁶³, a slack
//! of 1 or more) returns `None`, and the chunk runs on the exact path.

use super::{Chunk, Ints, NumBuf, Reg, Registers, Valid, sized};
use crate::compile::Cmp;
use crate::fast::plan::{NumOp, TruthOp};
use crate::fast::{DECIMAL_FLOOR, DECIMAL_ULP, FastProgram, SMALLEST, Truth, holds};
use std::cmp::Ordering;

/// [`crate::fast::Rational::rounded`] over bounds: the greatest `ed` of results whose
/// numerators are at most `n` in magnitude and denominators at most `d`.
#[inline]
fn rounded(n: u64, d: i64, carried: f64) -> f64 {
    carried + (n as f64) * DECIMAL_ULP + DECIMAL_FLOOR * d as f64
}

/// `a ≤ b`, false for a NaN (which proves nothing).
#[inline]
fn at_most(a: f64, b: f64) -> bool {
    a <= b
}

/// Whether `m · d` fits a positive 64-bit integer.
#[inline]
fn fits(m: u64, d: i64) -> bool {
    u128::from(m) * u128::from(d.unsigned_abs()) <= i64::MAX as u128
}

/// Validity of both `a` and `b`: one of them in place when the other is all valid, else
/// computed into `out` (register `r`'s own validity).
fn both(chunk: &Chunk<'_>, done: &[NumBuf], out: &mut NumBuf, r: u32, a: Valid, b: Valid) -> Valid {
    match (a, b) {
        (Valid::All, x) | (x, Valid::All) => x,
        (x, y) if x == y => x,
        (x, y) => {
            let (x, y) = (chunk.valid(done, x), chunk.valid(done, y));
            let ok = sized(&mut out.ok, chunk.len(), false);
            for ((o, x), y) in ok.iter_mut().zip(x).zip(y) {
                *o = *x & *y;
            }
            Valid::Own(r)
        }
    }
}

impl FastProgram {
    pub(super) fn divided(&self, r: u32) -> bool {
        self.divided.get(r as usize).copied().unwrap_or(true)
    }

    /// Number register `i` over the chunk, `None` when a bound does not prove a kernel.
    pub(super) fn number(
        &self,
        i: usize,
        op: NumOp,
        chunk: &Chunk<'_>,
        regs: &mut Registers,
    ) -> Option<()> {
        let Registers {
            bufs, regs, exact, ..
        } = regs;
        let (done, rest) = bufs.split_at_mut(i);
        let out = rest.first_mut()?;
        let get = |r: u32| regs.get(r as usize).copied();
        let len = chunk.len();
        let r = i as u32;
        let reg = match op {
            NumOp::Input(k) => Reg::input(chunk.cols, k, chunk.index),
            // Filled once for every chunk.
            NumOp::Const(_) => return Some(()),
            NumOp::Neg(x) => {
                let x = get(x)?;
                if x.lo == i64::MIN {
                    return None;
                }
                let n = sized(&mut out.n, len, 0);
                for (o, v) in n.iter_mut().zip(chunk.ints(done, x.n)) {
                    *o = v.wrapping_neg();
                }
                Reg {
                    n: Ints::N(r),
                    lo: -x.hi,
                    hi: -x.lo,
                    ..x
                }
            }
            NumOp::Add(a, b) | NumOp::Sub(a, b) => {
                let (x, y) = (get(a)?, get(b)?);
                let sub = matches!(op, NumOp::Sub(..));
                // A row's `−` negates its right side first, which `i64::MIN` cannot be.
                if sub && y.lo == i64::MIN {
                    return None;
                }
                // `y` as the row adds it: negated for `−`.
                let (ylo, yhi) = if sub { (-y.hi, -y.lo) } else { (y.lo, y.hi) };
                let ok = both(chunk, done, out, r, x.ok, y.ok);
                let (xs, ys) = (chunk.ints(done, x.n), chunk.ints(done, y.n));
                let sign = if sub { -1 } else { 1 };
                if x.d == Ints::One && y.d == Ints::One {
                    let lo = i64::try_from(i128::from(x.lo) + i128::from(ylo)).ok()?;
                    let hi = i64::try_from(i128::from(x.hi) + i128::from(yhi)).ok()?;
                    let n = sized(&mut out.n, len, 0);
                    for ((o, x), y) in n.iter_mut().zip(xs).zip(ys) {
                        *o = x.wrapping_add(y.wrapping_mul(sign));
                    }
                    let mut reg = Reg {
                        n: Ints::N(r),
                        d: Ints::One,
                        ok,
                        lo,
                        hi,
                        dmax: 1,
                        emax: 0.0,
                    };
                    if self.divided(a) || self.divided(b) {
                        // `Rational::add` over equal denominators: `e₁ + e₂` carried.
                        reg.emax = rounded(reg.magnitude(), 1, x.emax + y.emax);
                    }
                    reg
                } else {
                    // A row adds over the common denominator when the two are equal, else
                    // over their product: `|n| ≤ |n₁|·d₂ + |n₂|·d₁` either way.
                    let m = u128::from(x.magnitude()) * u128::from(y.dmax.unsigned_abs())
                        + u128::from(y.magnitude()) * u128::from(x.dmax.unsigned_abs());
                    let m = i64::try_from(m).ok()?;
                    let dmax = x.dmax.checked_mul(y.dmax)?;
                    let (xd, yd) = (chunk.ints(done, x.d), chunk.ints(done, y.d));
                    let n = sized(&mut out.n, len, 0);
                    let d = sized(&mut out.d, len, 1);
                    let xs = xs.iter().zip(xd);
                    let ys = ys.iter().zip(yd);
                    for ((n, d), ((x, dx), (y, dy))) in n.iter_mut().zip(d).zip(xs.zip(ys)) {
                        let y = y.wrapping_mul(sign);
                        let same = dx == dy;
                        let cross = x.wrapping_mul(*dy).wrapping_add(y.wrapping_mul(*dx));
                        *n = if same { x.wrapping_add(y) } else { cross };
                        *d = if same { *dx } else { dx.wrapping_mul(*dy) };
                    }
                    let mut reg = Reg {
                        n: Ints::N(r),
                        d: Ints::D(r),
                        ok,
                        lo: -m,
                        hi: m,
                        dmax,
                        emax: 0.0,
                    };
                    if self.divided(a) || self.divided(b) {
                        // `Rational::add`'s carried bound, `ed₁·d₂ + ed₂·d₁`, which is
                        // also at least `ed₁ + ed₂` (denominators are at least 1).
                        let carried = x.emax * y.dmax as f64 + y.emax * x.dmax as f64;
                        reg.emax = rounded(reg.magnitude(), dmax, carried);
                    }
                    reg
                }
            }
            NumOp::Mul(a, b) => {
                let (x, y) = (get(a)?, get(b)?);
                let corners = [
                    i128::from(x.lo) * i128::from(y.lo),
                    i128::from(x.lo) * i128::from(y.hi),
                    i128::from(x.hi) * i128::from(y.lo),
                    i128::from(x.hi) * i128::from(y.hi),
                ];
                let lo = i64::try_from(corners.iter().copied().min()?).ok()?;
                let hi = i64::try_from(corners.iter().copied().max()?).ok()?;
                // A whole side's denominators are 1: the product's are the other's.
                let (d, dmax) = match (x.d, y.d) {
                    (Ints::One, d) => (d, y.dmax),
                    (d, Ints::One) => (d, x.dmax),
                    (xd, yd) => {
                        let dmax = x.dmax.checked_mul(y.dmax)?;
                        let (xd, yd) = (chunk.ints(done, xd), chunk.ints(done, yd));
                        let d = sized(&mut out.d, len, 1);
                        for ((o, x), y) in d.iter_mut().zip(xd).zip(yd) {
                            *o = x.wrapping_mul(*y);
                        }
                        (Ints::D(r), dmax)
                    }
                };
                let ok = both(chunk, done, out, r, x.ok, y.ok);
                let (xs, ys) = (chunk.ints(done, x.n), chunk.ints(done, y.n));
                let n = sized(&mut out.n, len, 0);
                for ((o, x), y) in n.iter_mut().zip(xs).zip(ys) {
                    *o = x.wrapping_mul(*y);
                }
                let mut reg = Reg {
                    n: Ints::N(r),
                    d,
                    ok,
                    lo,
                    hi,
                    dmax,
                    emax: 0.0,
                };
                if self.divided(a) || self.divided(b) {
                    // `Rational::mul`'s carried bound, `|a|·e₂ + |b|·e₁ + e₁·e₂`.
                    let (m, n) = (x.magnitude() as f64, y.magnitude() as f64);
                    let carried = m * y.emax + n * x.emax + x.emax * y.emax;
                    reg.emax = rounded(reg.magnitude(), dmax, carried);
                }
                reg
            }
            NumOp::Div(a, b) => {
                let (x, y) = (get(a)?, get(b)?);
                // Positive divisors only: no sign to move, no zero.
                if y.lo <= 0 {
                    return None;
                }
                // `n₁·d₂ / (d₁·n₂)`, as the row forms it.
                let m =
                    i64::try_from(u128::from(x.magnitude()) * u128::from(y.dmax.unsigned_abs()))
                        .ok()?;
                let dmax = x.dmax.checked_mul(y.hi)?;
                // No quotient `q ≠ 0` with `|n| < 10⁻⁷·d` when `10⁻⁷·max d ≤ 1 ≤ |n|`.
                if !at_most(SMALLEST * dmax as f64, 1.0) {
                    return None;
                }
                let ok = both(chunk, done, out, r, x.ok, y.ok);
                let exact = !self.divided(a) && !self.divided(b);
                let carried = if exact {
                    0.0
                } else {
                    // `Rational::div`'s carried bound: the largest numerator over the
                    // smallest denominator, and a divisor larger than its own bound.
                    let (least, most) = (y.lo as f64, y.hi as f64);
                    if !at_most(y.emax, least) || y.emax == least {
                        return None;
                    }
                    (x.emax * y.dmax as f64 * most + m as f64 * y.emax) / (least - y.emax)
                };
                let emax = rounded(m.unsigned_abs(), dmax, carried);
                if x.d == Ints::One && y.d == Ints::One {
                    // Counts: the quotient is the pair of columns itself.
                    Reg {
                        n: x.n,
                        d: y.n,
                        ok,
                        lo: x.lo,
                        hi: x.hi,
                        dmax,
                        emax,
                    }
                } else {
                    let (xn, xd) = (chunk.ints(done, x.n), chunk.ints(done, x.d));
                    let (yn, yd) = (chunk.ints(done, y.n), chunk.ints(done, y.d));
                    let n = sized(&mut out.n, len, 0);
                    for ((o, x), y) in n.iter_mut().zip(xn).zip(yd) {
                        *o = x.wrapping_mul(*y);
                    }
                    let d = sized(&mut out.d, len, 1);
                    for ((o, x), y) in d.iter_mut().zip(xd).zip(yn) {
                        *o = x.wrapping_mul(*y);
                    }
                    Reg {
                        n: Ints::N(r),
                        d: Ints::D(r),
                        ok,
                        lo: -m,
                        hi: m,
                        dmax,
                        emax,
                    }
                }
            }
        };
        *regs.get_mut(i)? = reg;
        *exact.get_mut(i)? = false;
        Some(())
    }

    /// Comparison `i` over the chunk, `None` when its slack is not proved below 1.
    pub(super) fn compare(
        &self,
        i: usize,
        op: TruthOp,
        chunk: &Chunk<'_>,
        regs: &mut Registers,
    ) -> Option<()> {
        let Registers {
            bufs,
            regs,
            truths,
            maybe,
            ..
        } = regs;
        let out = truths.get_mut(i)?;
        let maybe = maybe.get_mut(i)?;
        let TruthOp::Cmp { op, a, b, tie } = op else {
            return None;
        };
        let get = |r: u32| regs.get(r as usize).copied();
        let (x, y) = (get(a)?, get(b)?);
        let inexact = self.divided(a) || self.divided(b);
        if inexact {
            // `Rational::compare`'s slack, over the chunk.
            let slack = 2.0 * (x.emax * y.dmax as f64 + y.emax * x.dmax as f64);
            if !at_most(slack, 1.0) || slack == 1.0 {
                return None;
            }
        }
        let is = |ord: Ordering| Truth::from(holds(op, ord));
        let tied = if inexact && !tie {
            Truth::UNKNOWN
        } else {
            is(Ordering::Equal)
        };
        // By `(left ≥ right) + (left > right)`, the byte of less, equal, greater.
        let packed = |lt: Truth, gt: Truth| u32::from_le_bytes([lt.0, tied.0, gt.0, 1]);
        let table = packed(is(Ordering::Less), is(Ordering::Greater));
        let narrow = fits(x.magnitude(), y.dmax) && fits(y.magnitude(), x.dmax);
        let ints = |at: Ints| chunk.ints(bufs, at);
        let constant = |r: u32, reg: Reg| {
            let konst = matches!(self.plan.nums.get(r as usize), Some(NumOp::Const(_)));
            konst && reg.ok == Valid::All
        };
        // A column against a constant (most rules): the constant's `n` and `d` in
        // registers, and a whole column's denominators not read at all.
        let against = match (constant(a, x), constant(b, y)) {
            (false, true) => Some((x, y, table)),
            // `c op y` is `y op' c` with less and greater swapped.
            (true, false) => Some((y, x, packed(is(Ordering::Greater), is(Ordering::Less)))),
            _ => None,
        };
        // A tie decided as the operator decides it (no tie after a division left open):
        // the operator's own comparison, one loop per operator, and no validity read
        // where every unit is valid.
        let plain = !inexact || tie;
        *maybe = !plain || x.ok != Valid::All || y.ok != Valid::All;
        if narrow && let Some((v, c, table)) = against {
            let n = ints(v.n);
            let d = (v.d != Ints::One).then(|| ints(v.d));
            if plain {
                // `c op v` is `v op' c`, the operator turned around.
                let op = if constant(a, x) { turned(op) } else { op };
                let ok = (v.ok != Valid::All).then(|| chunk.valid(bufs, v.ok));
                let (cn, cd) = (c.lo, c.dmax);
                by_operator(
                    op,
                    Versus {
                        out,
                        n,
                        d,
                        ok,
                        cn,
                        cd,
                    },
                );
            } else {
                let ok = chunk.valid(bufs, v.ok);
                versus(out, table, (n, d, ok), (c.lo, c.dmax));
            }
            return Some(());
        }
        let sides = (ints(x.n), ints(x.d), ints(y.n), ints(y.d));
        let valid = (chunk.valid(bufs, x.ok), chunk.valid(bufs, y.ok));
        if narrow && plain {
            let ok = (x.ok != Valid::All || y.ok != Valid::All).then_some(valid);
            by_operator(op, Cross { out, sides, ok });
        } else if narrow {
            cross(out, table, sides, valid, |p, q| p.wrapping_mul(q));
        } else {
            cross(out, table, sides, valid, |p, q| {
                i128::from(p) * i128::from(q)
            });
        }
        Some(())
    }
}

/// `op` with its sides swapped: `a op b` is `b turned(op) a`.
fn turned(op: Cmp) -> Cmp {
    match op {
        Cmp::Lt => Cmp::Gt,
        Cmp::Le => Cmp::Ge,
        Cmp::Gt => Cmp::Lt,
        Cmp::Ge => Cmp::Le,
        Cmp::Eq | Cmp::Ne => op,
    }
}

/// A comparison operator as a type, so that a loop over units is compiled once per
/// operator with the comparison inlined.
trait Test: Copy {
    fn holds(self, left: i64, right: i64) -> bool;
}

macro_rules! tests {
    ($($name:ident $op:tt),*) => {$(
        #[derive(Clone, Copy)]
        struct $name;
        impl Test for $name {
            #[inline(always)]
            fn holds(self, left: i64, right: i64) -> bool {
                left $op right
            }
        }
    )*};
}
tests!(IsEq ==, IsNe !=, IsLt <, IsLe <=, IsGt >, IsGe >=);

/// Runs `run` with `op` as its [`Test`].
#[inline(always)]
fn by_operator(op: Cmp, run: impl TestRun) {
    match op {
        Cmp::Eq => run.run(IsEq),
        Cmp::Ne => run.run(IsNe),
        Cmp::Lt => run.run(IsLt),
        Cmp::Le => run.run(IsLe),
        Cmp::Gt => run.run(IsGt),
        Cmp::Ge => run.run(IsGe),
    }
}

/// A loop generic over its [`Test`] (a closure cannot be generic).
trait TestRun {
    fn run<T: Test>(self, test: T);
}

/// `TRUE` or `FALSE` as `holds` says where `ok`, else unknown, without a branch.
#[inline(always)]
fn truth(holds: bool, ok: bool) -> Truth {
    Truth((u8::from(holds & ok) << 1) | u8::from(!ok))
}

/// [`versus`] for a plain comparison: `n·cd op cn·d` for every unit; `ok` absent when
/// every unit is valid.
struct Versus<'a> {
    out: &'a mut [Truth],
    n: &'a [i64],
    d: Option<&'a [i64]>,
    ok: Option<&'a [bool]>,
    cn: i64,
    cd: i64,
}

impl TestRun for Versus<'_> {
    #[inline(always)]
    fn run<T: Test>(self, test: T) {
        let Versus {
            out,
            n,
            d,
            ok,
            cn,
            cd,
        } = self;
        match (d, ok) {
            (None, None) => {
                for (cell, x) in out.iter_mut().zip(n) {
                    *cell = Truth(u8::from(test.holds(x.wrapping_mul(cd), cn)) << 1);
                }
            }
            (None, Some(ok)) => {
                for ((cell, x), ok) in out.iter_mut().zip(n).zip(ok) {
                    *cell = truth(test.holds(x.wrapping_mul(cd), cn), *ok);
                }
            }
            (Some(d), None) => {
                for (cell, (x, dx)) in out.iter_mut().zip(n.iter().zip(d)) {
                    let holds = test.holds(x.wrapping_mul(cd), cn.wrapping_mul(*dx));
                    *cell = Truth(u8::from(holds) << 1);
                }
            }
            (Some(d), Some(ok)) => {
                for ((cell, (x, dx)), ok) in out.iter_mut().zip(n.iter().zip(d)).zip(ok) {
                    let holds = test.holds(x.wrapping_mul(cd), cn.wrapping_mul(*dx));
                    *cell = truth(holds, *ok);
                }
            }
        }
    }
}

/// [`cross`] for a plain comparison in 64 bits: `a.n·b.d op b.n·a.d` for every unit;
/// `ok` absent when every unit of both sides is valid.
struct Cross<'a> {
    out: &'a mut [Truth],
    sides: (&'a [i64], &'a [i64], &'a [i64], &'a [i64]),
    ok: Option<(&'a [bool], &'a [bool])>,
}

impl TestRun for Cross<'_> {
    #[inline(always)]
    fn run<T: Test>(self, test: T) {
        let Cross { out, sides, ok } = self;
        let (an, ad, bn, bd) = sides;
        let a = an.iter().zip(ad);
        let b = bn.iter().zip(bd);
        match ok {
            None => {
                for (cell, ((x, dx), (y, dy))) in out.iter_mut().zip(a.zip(b)) {
                    let holds = test.holds(x.wrapping_mul(*dy), y.wrapping_mul(*dx));
                    *cell = Truth(u8::from(holds) << 1);
                }
            }
            Some((aok, bok)) => {
                let ok = aok.iter().zip(bok);
                for (cell, (((x, dx), (y, dy)), (xok, yok))) in out.iter_mut().zip(a.zip(b).zip(ok))
                {
                    let holds = test.holds(x.wrapping_mul(*dy), y.wrapping_mul(*dx));
                    *cell = truth(holds, *xok & *yok);
                }
            }
        }
    }
}

/// The truth `table` packs for `left` against `right`: its byte 0, 1 or 2 for less,
/// equal, greater; unknown where the unit is invalid. Shifts, not a lookup in memory.
#[inline(always)]
fn pick<T: Ord>(table: u32, left: T, right: T, ok: bool) -> Truth {
    let code = u32::from(left >= right) + u32::from(left > right);
    let t = (table >> (code * 8)) as u8;
    Truth(if ok { t } else { Truth::UNKNOWN.0 })
}

/// `n / d` against the constant `cn / cd` for every unit, as `n·cd` against `cn·d` in
/// 64 bits (the caller's bounds prove they fit); `d` absent for a whole column.
#[inline(always)]
fn versus(
    out: &mut [Truth],
    table: u32,
    (n, d, ok): (&[i64], Option<&[i64]>, &[bool]),
    (cn, cd): (i64, i64),
) {
    match d {
        None => {
            for ((cell, x), ok) in out.iter_mut().zip(n).zip(ok) {
                *cell = pick(table, x.wrapping_mul(cd), cn, *ok);
            }
        }
        Some(d) => {
            for ((cell, (x, dx)), ok) in out.iter_mut().zip(n.iter().zip(d)).zip(ok) {
                *cell = pick(table, x.wrapping_mul(cd), cn.wrapping_mul(*dx), *ok);
            }
        }
    }
}

/// `a.n · b.d` against `b.n · a.d` for every unit, through `table`; unknown where either
/// side is invalid.
#[inline(always)]
fn cross<T: Ord>(
    out: &mut [Truth],
    table: u32,
    (an, ad, bn, bd): (&[i64], &[i64], &[i64], &[i64]),
    (aok, bok): (&[bool], &[bool]),
    mul: impl Fn(i64, i64) -> T,
) {
    let a = an.iter().zip(ad).zip(aok);
    let b = bn.iter().zip(bd).zip(bok);
    for (cell, (((x, dx), xok), ((y, dy), yok))) in out.iter_mut().zip(a.zip(b)) {
        *cell = pick(table, mul(*x, *dy), mul(*y, *dx), *xok & *yok);
    }
}
