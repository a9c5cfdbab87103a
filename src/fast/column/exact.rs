//! The exact path of a chunk: every unit's [`Rational`], error bound included, computed
//! as a row computes it (the same [`Rational`] operations, or integer kernels that give
//! exactly what they give on whole columns). A chunk the bounded path cannot prove runs
//! here.

use super::{Bounds, Chunk, Ints, NumBuf, Reg, Registers, Valid, own, sized};
use crate::compile::Arith;
use crate::fast::plan::{NumOp, TruthOp};
use crate::fast::{FastProgram, Rational, Truth};

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

/// Register `r` over the chunk, as the exact path reads it: its columns where its
/// descriptor says, and every unit's error bound (zeros for a register with no division,
/// which needs none; a divided register must have been run exactly, see
/// [`FastProgram::materialize`]).
fn view<'a>(
    program: &FastProgram,
    regs: &'a Registers,
    chunk: &Chunk<'a>,
    zeros: &'a [f64],
    r: u32,
) -> View<'a> {
    let i = r as usize;
    let (Some(reg), Some(buf)) = (regs.regs.get(i), regs.bufs.get(i)) else {
        return View {
            n: &[],
            d: &[],
            ed: &[],
            ok: &[],
            whole: false,
        };
    };
    let exact = regs.exact.get(i).copied().unwrap_or(false);
    let len = chunk.len();
    View {
        n: chunk.ints(&regs.bufs, reg.n),
        d: chunk.ints(&regs.bufs, reg.d),
        ed: if exact {
            buf.ed.get(..len).unwrap_or(&[])
        } else {
            zeros
        },
        ok: chunk.valid(&regs.bufs, reg.ok),
        whole: if exact {
            buf.whole
        } else {
            reg.d == Ints::One && !program.divided(r)
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
        let small = q != 0 && nf < crate::fast::SMALLEST * df;
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
    /// Runs a divided register `r` on the exact path if this chunk has not (its operands
    /// first), so that it has every unit's error bound.
    fn materialize(&self, r: u32, chunk: &Chunk<'_>, regs: &mut Registers) {
        let i = r as usize;
        if !self.divided(r) || regs.exact.get(i).copied().unwrap_or(true) {
            return;
        }
        self.exact_number(i, chunk, regs);
    }

    /// Number register `i` over the chunk on the exact path: every unit as a row computes
    /// it, error bound included, and the register's bounds from its results.
    pub(super) fn exact_number(&self, i: usize, chunk: &Chunk<'_>, regs: &mut Registers) {
        let Some(op) = self.plan.nums.get(i).copied() else {
            return;
        };
        let r = i as u32;
        match op {
            NumOp::Input(k) => {
                if let Some(reg) = regs.regs.get_mut(i) {
                    *reg = Reg::input(chunk.cols, k, chunk.index);
                }
                return;
            }
            // Filled once for every chunk.
            NumOp::Const(_) => return,
            NumOp::Neg(x) => self.materialize(x, chunk, regs),
            NumOp::Add(a, b) | NumOp::Sub(a, b) | NumOp::Mul(a, b) | NumOp::Div(a, b) => {
                self.materialize(a, chunk, regs);
                self.materialize(b, chunk, regs);
            }
        }
        let len = chunk.len();
        // This register's own buffer is written while the operands' are read: it moves
        // out for the while.
        let mut out = regs.bufs.get_mut(i).map(std::mem::take).unwrap_or_default();
        sized(&mut out.n, len, 0);
        sized(&mut out.d, len, 1);
        sized(&mut out.ed, len, 0.0);
        sized(&mut out.ok, len, false);
        {
            let zeros = chunk.cols.zeros.get(..len).unwrap_or(&[]);
            let v = |r: u32| view(self, regs, chunk, zeros, r);
            if let NumOp::Neg(x) = op {
                let x = v(x);
                let cells = out
                    .n
                    .iter_mut()
                    .zip(out.d.iter_mut())
                    .zip(out.ed.iter_mut())
                    .zip(out.ok.iter_mut());
                for (k, (((n, d), ed), ok)) in cells.take(len).enumerate() {
                    put((n, d, ed, ok), x.at(k).and_then(Rational::neg));
                }
                out.whole = false;
            } else if let Some((a, b, f)) = op.binary() {
                let (a, b) = (v(a), v(b));
                // One loop per operation, each with its arithmetic inlined.
                match (f, a.whole && b.whole) {
                    (Arith::Add, true) => whole_into(&mut out, a, b, i64::overflowing_add),
                    // As `Rational::sub`, which negates `b` first.
                    (Arith::Sub, true) => whole_into(&mut out, a, b, |x, y| {
                        let (r, overflow) = x.overflowing_sub(y);
                        (r, overflow || y == i64::MIN)
                    }),
                    (Arith::Mul, true) => whole_into(&mut out, a, b, i64::overflowing_mul),
                    (Arith::Div, true) => divide_whole(&mut out, a, b),
                    (Arith::Add, false) => zip_into(&mut out, a, b, Rational::add),
                    (Arith::Sub, false) => zip_into(&mut out, a, b, Rational::sub),
                    (Arith::Mul, false) => zip_into(&mut out, a, b, Rational::mul),
                    (Arith::Div, false) => zip_into(&mut out, a, b, Rational::div),
                    // Never compiled (`binary` has no power); invalid, as `Rational::arith`
                    // says.
                    (Arith::Pow, _) => zip_into(&mut out, a, b, |_, _| None),
                }
            }
        }
        // The register's bounds, for the kernels after it and for the values.
        let (n, d, ok) = (
            own(Some(&out.n), len),
            own(Some(&out.d), len),
            own(Some(&out.ok), len),
        );
        let bounds = Bounds::of(n, d, ok);
        let emax = own(Some(&out.ed), len)
            .iter()
            .zip(ok)
            .filter(|(_, ok)| **ok)
            .fold(0.0, |m: f64, (e, _)| m.max(*e));
        let reg = Reg {
            n: Ints::N(r),
            d: if out.whole { Ints::One } else { Ints::D(r) },
            ok: Valid::Own(r),
            lo: bounds.lo,
            hi: bounds.hi,
            dmax: bounds.dmax,
            emax,
        };
        if let (Some(slot), Some(desc), Some(exact)) = (
            regs.bufs.get_mut(i),
            regs.regs.get_mut(i),
            regs.exact.get_mut(i),
        ) {
            *slot = out;
            *desc = reg;
            *exact = true;
        }
    }

    /// Comparison `i` over the chunk on the exact path: [`Rational::compare`] unit by unit,
    /// with every unit's error bound.
    pub(super) fn exact_compare(
        &self,
        i: usize,
        op: TruthOp,
        chunk: &Chunk<'_>,
        regs: &mut Registers,
    ) {
        let TruthOp::Cmp { op, a, b, tie } = op else {
            return;
        };
        self.materialize(a, chunk, regs);
        self.materialize(b, chunk, regs);
        let len = chunk.len();
        let mut out = regs
            .truths
            .get_mut(i)
            .map(std::mem::take)
            .unwrap_or_default();
        {
            let zeros = chunk.cols.zeros.get(..len).unwrap_or(&[]);
            let (a, b) = (
                view(self, regs, chunk, zeros, a),
                view(self, regs, chunk, zeros, b),
            );
            if a.whole && b.whole {
                // Counts against counts: exact integers, no bounds.
                for (cell, ((x, xok), (y, yok))) in out
                    .iter_mut()
                    .zip(a.n.iter().zip(a.ok).zip(b.n.iter().zip(b.ok)))
                {
                    let holds = crate::fast::holds(op, x.cmp(y));
                    *cell = if *xok & *yok {
                        Truth::from(holds)
                    } else {
                        Truth::UNKNOWN
                    };
                }
            } else {
                for (cell, pair) in out.iter_mut().zip(pairs(a, b)) {
                    *cell = match pair {
                        Some((x, y)) => Truth::known(x.compare(op, y, tie)),
                        None => Truth::UNKNOWN,
                    };
                }
            }
        }
        if let Some(slot) = regs.truths.get_mut(i) {
            *slot = out;
        }
        if let Some(m) = regs.maybe.get_mut(i) {
            *m = true;
        }
    }
}
