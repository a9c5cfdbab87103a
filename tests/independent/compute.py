#!/usr/bin/env python3
"""Computes the values of methods.chiso over cohort.json WITHOUT chiso, from the formulas
as the README states them, in 50-digit decimal arithmetic. Writes expected.json.

    python3 tests/independent/compute.py > tests/independent/expected.json

`null` means the value must be an error (missing data, no spread, a division by zero).
"""
import csv
import json
from decimal import Decimal as D, getcontext
from fractions import Fraction as F
from pathlib import Path

getcontext().prec = 50
HERE = Path(__file__).parent
units = json.loads((HERE / "cohort.json").read_text())["units"]
names = [u["unit"] for u in units]


def col(field):
    return {u["unit"]: (None if u.get(field) is None else D(str(u[field]))) for u in units}


def present(values, members=None):
    return [v for k, v in values.items() if v is not None and (members is None or k in members)]


def rank(values, x, ascending=False):
    vs = present(values)
    return 1 + sum(1 for v in vs if (v < x if ascending else v > x))


def by_max(values, lower=False):
    vs = present(values)
    out = {}
    for k, x in values.items():
        if x is None:
            out[k] = None
        elif lower:
            lo = min(vs)
            out[k] = None if lo <= 0 or x <= 0 else lo / x
        else:
            out[k] = None if max(vs) <= 0 else x / max(vs)
    return out


def minmax(values, lower=False, members=None):
    vs = present(values, members)
    lo, hi = min(vs), max(vs)
    if lo == hi:
        return {k: None for k in values}
    return {k: None if x is None else ((hi - x) if lower else (x - lo)) / (hi - lo) for k, x in values.items()}


def zscore(values, lower=False):
    vs = present(values)
    mean = sum(vs) / len(vs)
    sd = (sum((v - mean) ** 2 for v in vs) / (len(vs) - 1)).sqrt()
    if sd == 0:
        return {k: None for k in values}
    return {k: None if x is None else ((mean - x) if lower else (x - mean)) / sd for k, x in values.items()}


def percentile(values, lower=False):
    n = len(present(values))
    return {k: None if x is None else D(n - rank(values, x, lower)) / D(n - 1) for k, x in values.items()}


def goalposts(values, lo, hi, lower=False):
    clamp = lambda v: min(max(v, D(0)), D(1))
    return {k: clamp(((hi - x) if lower else (x - lo)) / (hi - lo)) for k, x in values.items()}


def distance(values, ref_unit, lower=False):
    vs = present(values)
    ref = values[ref_unit]
    if lower:
        return {k: D(1) - (x - ref) / (max(vs) - ref) for k, x in values.items()}
    return {k: D(1) - (ref - x) / (ref - min(vs)) for k, x in values.items()}


def mean(members, weights=None, kind="arithmetic", p=None, missing="error", required=None):
    weights = weights or [D(1)] * len(members)
    out = {}
    for k in names:
        xs, ws, lost = [], [], D(0)
        for m, w in zip(members, weights):
            x = m[k]
            if x is None:
                if missing == "error":
                    xs = None
                    break
                if missing == "zero":
                    x = D(0)
                else:
                    lost += w
                    continue
            xs.append(x)
            ws.append(w)
        if xs is None or not xs:
            out[k] = None
            continue
        if required is not None and sum(ws) / (sum(ws) + lost) < required:
            out[k] = None
            continue
        W = sum(ws)
        if kind == "arithmetic":
            out[k] = sum(w * x for w, x in zip(ws, xs)) / W
        elif kind == "geometric":
            out[k] = D(0) if any(x == 0 for x in xs) else (sum(w * x.ln() for w, x in zip(ws, xs)) / W).exp()
        elif kind == "harmonic":
            out[k] = D(0) if any(x == 0 for x in xs) else W / sum(w / x for w, x in zip(ws, xs))
        elif kind == "power":
            out[k] = (sum(w * x ** p for w, x in zip(ws, xs)) / W) ** (D(1) / p)
        elif kind == "minimum":
            out[k] = min(xs)
        elif kind == "sum":
            out[k] = sum(xs)
    return out


# ---- composite-indicator methods, from COINr 1.1.14's definitions (R/normalise.R,
# R/treat.R), written again here: COINr negates a "lower is better" column before
# normalising, so these functions take `lower` the same way.


def negate(values, lower):
    return {k: (None if x is None else (-x if lower else x)) for k, x in values.items()}


def n_minmax(values, l, u, lower=False):
    v = negate(values, lower)
    vs = present(v)
    lo, hi = min(vs), max(vs)
    if lo == hi:
        return {k: None for k in v}
    return {k: None if x is None else (x - lo) / (hi - lo) * (u - l) + l for k, x in v.items()}


def n_zscore(values, m, s, lower=False):
    v = negate(values, lower)
    vs = present(v)
    mean = sum(vs) / len(vs)
    sd = (sum((y - mean) ** 2 for y in vs) / (len(vs) - 1)).sqrt()
    return {k: None if x is None else (x - mean) / sd * s + m for k, x in v.items()}


def n_goalposts(values, l, u, a, lower=False, trunc=True):
    # COINr's n_goalposts(direction = -1): (x - u) / (l - u), on the values as they are.
    out = {}
    for k, x in values.items():
        y = (x - u) / (l - u) if lower else (x - l) / (u - l)
        if trunc:
            y = min(max(y, D(0)), D(1))
        out[k] = y * a
    return out


def n_scaled(values, l, u, a, lower=False):
    # Through iMeta COINr passes npara = (-u, -l) for direction -1, with x negated.
    v = negate(values, lower)
    if lower:
        l, u = -u, -l
    return {k: (x - l) / (u - l) * a for k, x in v.items()}


def n_dist2targ(values, targ, lower=False, cap=False):
    # Normalise.coin negates x and the target for direction -1, then calls direction 1.
    v = negate(values, lower)
    t = -targ if lower else targ
    lo = min(present(v))
    out = {}
    for k, x in v.items():
        y = (x - lo) / (t - lo)
        out[k] = min(y, D(1)) if cap else y
    return out


def n_dist2ref(values, ref_unit, cap=False):
    vs = present(values)
    ref = values[ref_unit]
    out = {}
    for k, x in values.items():
        y = D(1) - (ref - x) / (ref - min(vs))
        out[k] = min(y, D(1)) if cap else y
    return out


def r_rank(values, ties):
    """R's rank(x, ties.method, na.last = "keep")."""
    vs = present(values)
    out = {}
    for k, x in values.items():
        if x is None:
            out[k] = None
            continue
        less = sum(1 for y in vs if y < x)
        equal = sum(1 for y in vs if y == x)
        first, last = D(less + 1), D(less + equal)
        out[k] = {"min": first, "max": last, "average": (first + last) / 2}[ties]
    return out


def n_borda(values, ties="min", lower=False):
    return {k: None if r is None else r - 1 for k, r in r_rank(negate(values, lower), ties).items()}


def n_prank(values, ties="min", lower=False):
    n = len(present(values))
    ranks = r_rank(negate(values, lower), ties)
    return {k: None if r is None else (r - 1) / (n - 1) for k, r in ranks.items()}


def skew(x):
    n = len(x)
    mean = sum(x) / n
    d = [v - mean for v in x]
    s2 = sum(v * v for v in d)
    y = D(n).sqrt() * sum(v ** 3 for v in d) / (s2 * s2.sqrt())
    return y * D(n * (n - 1)).sqrt() / (n - 2)


def kurt(x):
    n = len(x)
    mean = sum(x) / n
    d = [v - mean for v in x]
    r = n * sum(v ** 4 for v in d) / sum(v * v for v in d) ** 2
    return ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))


def check_skew_kurt(x, skew_thresh=D(2), kurt_thresh=D("3.5")):
    return abs(skew(x)) < skew_thresh or kurt(x) < kurt_thresh


def winsorise(x, winmax=5):
    x = list(x)
    passing = check_skew_kurt(x)
    nwin = 0
    imax = imin = []
    while not passing and nwin < winmax:
        if skew(x) >= 0:
            hi = max(x)
            imax = [i for i, v in enumerate(x) if v == hi]
            rest = max(v for i, v in enumerate(x) if i not in imax)
            for i in imax:
                x[i] = rest
        else:
            lo = min(x)
            imin = [i for i, v in enumerate(x) if v == lo]
            rest = min(v for i, v in enumerate(x) if i not in imin)
            for i in imin:
                x[i] = rest
        nwin = len(imax) + len(imin)
        passing = check_skew_kurt(x)
    return x


def log_ct(x):
    lo, hi = min(x), max(x)
    return [(v - lo + D("0.01") * (hi - lo)).ln() for v in x]


def treat(values, winmax=5, log=True):
    """COINr Treat.numeric with f1 = winsorise, f2 = log_CT, combine_treat = FALSE."""
    keys = list(values)
    x = [values[k] for k in keys]
    if check_skew_kurt(x):
        return dict(values)
    x1 = winsorise(x, winmax)
    if check_skew_kurt(x1) or not log:
        return dict(zip(keys, x1))
    return dict(zip(keys, log_ct(x)))


x, z, c, m = col("x"), col("z"), col("c"), col("m")
north = {u["unit"] for u in units if u["kind"] == "north"}
v = {}
v["x_max"] = by_max(x)
v["x_max_lower"] = by_max(x, lower=True)
v["x_minmax"] = minmax(x)
v["x_minmax_lower"] = minmax(x, lower=True)
v["x_z"] = zscore(x)
v["x_z_lower"] = zscore(x, lower=True)
v["x_pct"] = percentile(x)
v["x_pct_lower"] = percentile(x, lower=True)
v["x_rank"] = {k: D(rank(x, x[k])) for k in names}
v["x_rank_asc"] = {k: D(rank(x, x[k], ascending=True)) for k in names}
v["x_goal"] = goalposts(x, D(10), D(30))
v["x_goal_lower"] = goalposts(x, D(10), D(30), lower=True)
v["x_dist"] = distance(x, "C")
v["x_dist_lower"] = distance(x, "C", lower=True)
v["x_north"] = minmax(x, members=north)
v["z_max"] = by_max(z)
v["z_max_lower"] = by_max(z, lower=True)
v["c_max"] = by_max(c)
v["c_minmax"] = minmax(c)
v["c_z"] = zscore(c)
v["c_rank"] = {k: D(rank(c, c[k])) for k in names}
v["m_max"] = by_max(m)
v["s_arith"] = mean([v["x_max"], v["z_max"], v["c_max"]])
v["s_weighted"] = mean([v["x_max"], v["z_max"], v["c_max"]], [D("0.5"), D("0.3"), D("0.2")])
v["s_geo"] = mean([v["x_max"], v["z_max"], v["c_max"]], kind="geometric")
v["s_geo_weighted"] = mean([v["x_max"], v["x_pct"]], [D("0.6"), D("0.4")], kind="geometric")
v["s_harm"] = mean([v["x_max"], v["c_max"], v["x_pct"]], kind="harmonic")
v["s_pow"] = mean([v["x_max"], v["z_max"], v["c_max"]], kind="power", p=D(2))
v["s_pow_weighted"] = mean([v["x_max"], v["x_minmax"]], [D("0.25"), D("0.75")], kind="power", p=D(3))
v["s_min"] = mean([v["x_max"], v["z_max"], v["c_max"]], kind="minimum")
v["s_sum"] = mean([v["x_max"], v["z_max"], v["c_max"]], kind="sum")
v["s_excl"] = mean([v["x_max"], v["m_max"]], missing="exclude")
v["s_excl_required"] = mean([v["x_max"], v["m_max"], v["z_max"]], missing="exclude", required=D("0.8"))
v["s_zero"] = mean([v["x_max"], v["m_max"]], missing="zero")
v["s_err"] = mean([v["x_max"], v["m_max"]])
raw = mean([v["x_max"], v["z_max"]])
v["s_rescaled"] = by_max(raw)
v["s_rescaled_minmax"] = minmax(raw)
o, l_ = col("o"), col("l")
v["x_minmax_onto"] = n_minmax(x, D(1), D(100))
v["x_minmax_onto_lower"] = n_minmax(x, D(1), D(100), lower=True)
v["x_z_as"] = n_zscore(x, D(100), D(10))
v["x_z_as_lower"] = n_zscore(x, D(100), D(10), lower=True)
v["x_goal_scaled"] = n_goalposts(x, D(10), D(30), D(100))
v["x_goal_unclamped"] = n_goalposts(x, D(10), D(30), D(100), trunc=False)
v["x_goal_unclamped_lower"] = n_goalposts(x, D(10), D(30), D(1), lower=True, trunc=False)
v["x_scaled"] = n_scaled(x, D(0), D(50), D(100))
v["x_scaled_lower"] = n_scaled(x, D(0), D(50), D(1), lower=True)
v["x_target"] = n_dist2targ(x, D(30))
v["x_target_capped"] = n_dist2targ(x, D(30), cap=True)
v["x_target_lower"] = n_dist2targ(x, D(10), lower=True)
v["x_target_lower_capped"] = n_dist2targ(x, D(10), lower=True, cap=True)
v["x_dist_capped"] = n_dist2ref(x, "C", cap=True)
v["x_borda"] = n_borda(x)
v["x_borda_max"] = n_borda(x, "max")
v["x_borda_lower"] = n_borda(x, lower=True)
v["x_pct_min"] = n_prank(x, "min")
v["x_pct_avg"] = n_prank(x, "average")
v["x_pct_max_lower"] = n_prank(x, "max", lower=True)
v["c_pct_min"] = n_prank(c, "min")
v["c_pct_avg"] = n_prank(c, "average")
v["c_borda"] = n_borda(c)
v["o_t"] = treat(o)
v["l_t"] = treat(l_)
v["l_t_log"] = treat(l_, winmax=0)
v["l_t_none"] = treat(l_, winmax=0, log=False)
v["x_t"] = treat(x)
v["s_relative"] = mean([v["x_max"], v["z_max"], v["c_max"]], [D(1) / 6, D(2) / 6, D(3) / 6])
v["s_relative_geo"] = mean([v["x_max"], v["c_max"]], [D(3) / 4, D(1) / 4], kind="geometric")
present_share = lambda k, members: sum(1 for mm in members if mm[k] is not None) / D(len(members))
three = [v["x_max"], v["m_max"], v["z_max"]]
v["s_members"] = {k: (val if present_share(k, three) >= D("0.7") else None) for k, val in mean(three, missing="exclude").items()}
v["s_members_ok"] = {k: (val if present_share(k, three) >= D("0.6") else None) for k, val in mean(three, missing="exclude").items()}
v["s_weight_basis"] = mean(three, [D("0.5"), D("0.25"), D("0.25")], missing="exclude", required=D("0.7"))
v["s_pow1"] = mean([v["x_z"], v["x_minmax"]], kind="arithmetic")
cubes = {k: (v["x_z"][k] ** 3 + v["x_minmax"][k] ** 3) / 2 for k in names}
v["s_pow3_neg"] = {k: (None if cubes[k] < 0 else (cubes[k].ln() / 3).exp() if cubes[k] > 0 else D(0)) for k in names}

# ---- non-compensatory aggregation, from COINr 1.1.14's R/aggregate.R (outrankMatrix,
# a_copeland), written again here in exact fractions.


def outrank_matrix(rows, w):
    """COINr outrankMatrix: weights rescaled to sum to 1; entry (i, j) for i < j is the
    weight of the members where i is higher plus half the weight of those where they are
    equal (NA comparisons dropped); entry (j, i) = 1 - entry (i, j)."""
    w = [F(x) for x in w]
    total = sum(w)
    w = [x / total for x in w]
    n = len(rows)
    orm = [[F(0)] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            pairs = [(wk, a, b) for wk, a, b in zip(w, rows[i], rows[j]) if a is not None and b is not None]
            orm[i][j] = sum((wk for wk, a, b in pairs if a > b), F(0)) + sum((wk for wk, a, b in pairs if a == b), F(0)) / 2
            orm[j][i] = 1 - orm[i][j]
    n_dominant = sum(1 for i in range(n) for j in range(n) if i != j and orm[i][j] == 1)
    return orm, n_dominant, F(n_dominant, n * (n - 1) // 2)


def a_copeland(orm):
    """COINr a_copeland: entries > 1/2 count 1, < 1/2 count -1, 1/2 and the diagonal 0."""
    n = len(orm)
    return [sum((1 if orm[i][j] > F(1, 2) else -1 if orm[i][j] < F(1, 2) else 0) for j in range(n) if j != i) for i in range(n)]


def pairwise(a, b, w):
    """chiso's comparison of two rows: over the members both have, for both alike."""
    fa = sum((F(wk) for wk, x, y in zip(w, a, b) if x is not None and y is not None and x > y), F(0))
    fb = sum((F(wk) for wk, x, y in zip(w, a, b) if x is not None and y is not None and x < y), F(0))
    tie = sum((F(wk) for wk, x, y in zip(w, a, b) if x is not None and y is not None and x == y), F(0))
    return fa, fb, tie


def outranking(members, w=None, kind="copeland", missing="error", required=None):
    """A Copeland or dominance score of every unit. With every value present, COINr's
    functions on the units that take part; with missing values, chiso's documented rule
    (pairs compared over the members both have), which COINr's (order-dependent) is not."""
    w = w or [D(1)] * len(members)
    rows = {}
    for k in names:
        row = [m[k] for m in members]
        if missing == "zero":
            row = [D(0) if v is None else v for v in row]
        if missing == "error" and any(v is None for v in row):
            continue
        present = sum((F(wk) for wk, v in zip(w, row) if v is not None), F(0))
        if present == 0:
            continue
        if required is not None and present / sum(F(wk) for wk in w) < F(str(required)):
            continue
        rows[k] = row
    keys = list(rows)
    n = len(keys)
    complete = all(v is not None for r in rows.values() for v in r)
    if complete:
        orm, n_dominant, frac = outrank_matrix([rows[k] for k in keys], w)
        copeland = dict(zip(keys, a_copeland(orm)))
        dominates = {k: sum(1 for j in range(n) if j != i and orm[i][j] == 1) for i, k in enumerate(keys)}
    else:
        copeland, dominates = {}, {}
        for a in keys:
            wins = losses = dom = 0
            for b in keys:
                if a == b:
                    continue
                fa, fb, tie = pairwise(rows[a], rows[b], w)
                wins += fa > fb
                losses += fb > fa
                dom += fa > 0 and fb == 0 and tie == 0
            copeland[a], dominates[a] = wins - losses, dom
        n_dominant = sum(dominates.values())
        frac = F(n_dominant, n * (n - 1) // 2)
    out = {}
    for k in names:
        if k not in rows:
            out[k] = None
        elif kind == "copeland":
            out[k] = D(copeland[k])
        elif kind == "count":
            out[k] = D(dominates[k])
        else:
            out[k] = D(dominates[k]) / D(n - 1)
    summaries[kind_name[0]] = {"nDominant": n_dominant, "fracDominant": f"{D(frac.numerator) / D(frac.denominator):.30f}", "units": n}
    return out


def file_weights(path, members, year):
    """weights.csv: rows `member,weight,year`; those of `year`, in the members' order."""
    with open(HERE / path, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r.get("year", year) == year]
    by_member = {r["member"]: D(r["weight"]) for r in rows}
    return [by_member[m] for m in members]


summaries = {}
kind_name = [None]


def coinr_with_missing(members, order):
    """COINr's a_copeland on rows with missing values, in the given order of the units: a
    missing comparison's weight goes to the later unit of each pair, so the scores change
    with the order (recorded for docs/language.md; chiso does not do this)."""
    orm, _, _ = outrank_matrix([[mm[k] for mm in members] for k in order], [D(1)] * len(members))
    return dict(zip(order, a_copeland(orm)))


def ranked(name, *args, **kwargs):
    kind_name[0] = name
    v[name] = outranking(*args, **kwargs)


o_raw = col("o")
ranked("s_copeland", [v["x_max"], v["z_max"], v["c_max"]])
ranked("s_copeland_weighted", [v["x_max"], v["z_max"], v["x_pct"]], [D(1), D(2), D(3)])
ranked("s_copeland_inline", [v["x_max"], v["z_max"]], [D("0.25"), D("0.75")])
ranked("s_dom_count", [x, z, o_raw], kind="count")
ranked("s_dom_share", [x, z, o_raw], kind="share")
ranked("s_dom_weighted", [x, z, c], [D(2), D(1), D(0)], kind="count")
ranked("s_copeland_missing", [x, m, z])
ranked("s_copeland_excl", [x, m, z], missing="exclude")
ranked("s_copeland_excl_weight", [x, m, z], [D(1), D(3), D(1)], missing="exclude", required=D("0.4"))
ranked("s_dom_excl", [x, m, z], kind="count", missing="exclude")
ranked("s_copeland_zero", [x, m, z], missing="zero")
file_w = file_weights("weights.csv", ["x", "z", "o"], "2019")
ranked("s_copeland_file", [x, z, o_raw], file_w)
v["s_mean_file"] = mean([v["x_max"], v["z_max"], v["c_max"]], file_weights("weights-mean.csv", ["x_max", "z_max", "c_max"], "2019"))

ranks = {
    "x": {k: rank(x, x[k]) for k in names},
    "x_low_first": {k: rank(x, x[k], ascending=True) for k in names},
    "x_by_kind": {k: rank({j: x[j] for j in names if units[names.index(j)]["kind"] == units[names.index(k)]["kind"]}, x[k]) for k in names},
    "s_copeland": {k: rank(v["s_copeland"], v["s_copeland"][k]) for k in names},
}

expected = {
    "values": {k: {name: (None if val is None else f"{val:.30f}") for name, val in vals.items()} for k, vals in v.items()},
    "ranks": ranks,
    "outranking": summaries,
    "coinr_copeland_with_missing": {
        "data order": coinr_with_missing([x, m, z], names),
        "reversed": coinr_with_missing([x, m, z], list(reversed(names))),
    },
}
print(json.dumps(expected, indent=1, ensure_ascii=False))
