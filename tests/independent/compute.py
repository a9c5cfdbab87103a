#!/usr/bin/env python3
"""Computes the values of methods.chiso over cohort.json WITHOUT chiso, from the formulas
as the README states them, in 50-digit decimal arithmetic. Writes expected.json.

    python3 tests/independent/compute.py > tests/independent/expected.json

`null` means the value must be an error (missing data, no spread, a division by zero).
"""
import json
from decimal import Decimal as D, getcontext
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
ranks = {
    "x": {k: rank(x, x[k]) for k in names},
    "x_low_first": {k: rank(x, x[k], ascending=True) for k in names},
}

expected = {
    "values": {k: {name: (None if val is None else f"{val:.30f}") for name, val in vals.items()} for k, vals in v.items()},
    "ranks": ranks,
}
print(json.dumps(expected, indent=1, ensure_ascii=False))
