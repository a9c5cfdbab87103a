//! The charts of the HTML report, drawn as inline SVG: a dot chart of the ranked index and
//! its pillars per unit, a heat map of every score × unit, and the sensitivity rank
//! intervals.
//!
//! Coordinates are floats; every number printed (axis ticks, tooltips, cells) comes from
//! the exact decimals, at their display precision.

use maud::{Markup, html};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::{Ranking, bi, label, score_columns, shown};
use crate::evaluate::sensitivity::SensitivityReport;
use crate::report::Report;
use crate::report::display::json_decimal;

/// Colours of the series: the index, then its pillars.
const PALETTE: [&str; 8] = [
    "#1f4e79", "#d95f02", "#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d",
];

const WIDTH: f64 = 880.0;
const LEFT: f64 = 190.0;
const RIGHT: f64 = 24.0;
const ROW: f64 = 16.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 30.0;

/// The charts section: dot chart and heat map.
pub(super) fn section(report: &Report, ranking: &Ranking<'_>) -> Markup {
    html! {
        section #charts {
            h2 { (bi("Biểu đồ", "Charts")) }
            (dot_chart(report, ranking))
            (heat_map(report, ranking))
        }
    }
}

fn decimal_of(v: &serde_json::Value) -> Option<Decimal> {
    json_decimal(v)
}

fn float(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// Up to about six ticks at a round step covering `lo ..= hi`, computed in decimals.
fn ticks(lo: Decimal, hi: Decimal) -> Vec<Decimal> {
    let span = hi - lo;
    if span <= Decimal::ZERO {
        return vec![lo];
    }
    let mut step = Decimal::ONE;
    let ten = Decimal::TEN;
    while step * ten <= span && step < Decimal::from(1_000_000_000_000_i64) {
        step *= ten;
    }
    while step > span && step > Decimal::new(1, 20) {
        step /= ten;
    }
    for factor in [Decimal::ONE, Decimal::TWO, Decimal::from(5), ten] {
        let s = step * factor;
        if span / s <= Decimal::from(6) {
            step = s;
            break;
        }
    }
    let mut t = (lo / step).floor() * step;
    let mut out = Vec::new();
    while t <= hi + step && out.len() < 12 {
        if t >= lo - step / Decimal::TWO {
            out.push(t.normalize());
        }
        t += step;
    }
    out
}

/// A linear scale from `lo ..= hi` to `x0 ..= x1`.
struct Scale {
    lo: f64,
    hi: f64,
    x0: f64,
    x1: f64,
}

impl Scale {
    fn at(&self, v: f64) -> f64 {
        if self.hi <= self.lo {
            return self.x0;
        }
        self.x0 + (v - self.lo) / (self.hi - self.lo) * (self.x1 - self.x0)
    }
}

fn px(v: f64) -> String {
    format!("{v:.1}")
}

/// The ranked value as a bar and its pillars as dots, one row per unit in rank order.
fn dot_chart(report: &Report, ranking: &Ranking<'_>) -> Markup {
    let mut series = vec![ranking.key.clone()];
    series.extend(ranking.pillars.iter().take(PALETTE.len() - 1).cloned());
    let values: Vec<Decimal> = ranking
        .order
        .iter()
        .flat_map(|(_, u)| series.iter().filter_map(|s| u.values.get(s)))
        .filter_map(decimal_of)
        .collect();
    let (Some(min), Some(max)) = (values.iter().min(), values.iter().max()) else {
        return html! {};
    };
    let lo = (*min).min(Decimal::ZERO);
    let ticks = ticks(lo, *max);
    let lo = ticks.first().copied().unwrap_or(lo).min(lo);
    let hi = ticks.last().copied().unwrap_or(*max).max(*max);
    let scale = Scale {
        lo: float(lo),
        hi: float(hi),
        x0: LEFT,
        x1: WIDTH - RIGHT,
    };
    let rows = ranking.order.len() as f64;
    let height = TOP + rows * ROW + BOTTOM;
    let axis_y = TOP + rows * ROW;
    html! {
        figure.chart #index-chart {
            figcaption {
                (bi("Chỉ số và các trụ cột theo đơn vị", "The index and its pillars per unit"))
            }
            ul.legend {
                @for (i, s) in series.iter().enumerate() {
                    li {
                        svg width="14" height="14" aria-hidden="true" {
                            @if i == 0 {
                                rect x="1" y="3" width="12" height="8" fill=(PALETTE[0]) {}
                            } @else {
                                circle cx="7" cy="7" r="5" fill=(PALETTE[i % PALETTE.len()]) {}
                            }
                        }
                        " " (label(report, s))
                    }
                }
            }
            svg.dots viewBox={ "0 0 " (WIDTH) " " (px(height)) } width=(WIDTH) height=(px(height))
                role="img" aria-label="dot chart" xmlns="http://www.w3.org/2000/svg" {
                @for t in &ticks {
                    @let x = scale.at(float(*t));
                    line.grid x1=(px(x)) x2=(px(x)) y1=(px(TOP - 6.0)) y2=(px(axis_y)) {}
                    text.tick x=(px(x)) y=(px(axis_y + 16.0)) text-anchor="middle" { (t.to_string()) }
                }
                @for (row, (rank, unit)) in ranking.order.iter().enumerate() {
                    @let y = TOP + row as f64 * ROW + ROW / 2.0;
                    g.row {
                        text.name x=(px(LEFT - 8.0)) y=(px(y + 4.0)) text-anchor="end" {
                            (rank.map(|r| format!("{r}. ")).unwrap_or_default()) (unit.unit)
                        }
                        @for (i, s) in series.iter().enumerate() {
                            @if let Some((text, _)) = shown(report, unit, s) {
                                @let v = unit.values.get(s).and_then(decimal_of).map(float).unwrap_or(0.0);
                                @let x = scale.at(v);
                                @if i == 0 {
                                    rect.bar x=(px(scale.at(scale.lo.max(0.0).min(v)))) y=(px(y - 4.0))
                                        width=(px((x - scale.at(scale.lo.max(0.0).min(v))).abs().max(0.5))) height="8"
                                        fill=(PALETTE[0]) {
                                        title { (unit.unit) " — " (s) ": " (text) }
                                    }
                                } @else {
                                    circle.dot cx=(px(x)) cy=(px(y)) r="4" fill=(PALETTE[i % PALETTE.len()]) {
                                        title { (unit.unit) " — " (s) ": " (text) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Every score other than the ranked one × every unit, each cell shaded by where its
/// value lies between the score's minimum and maximum.
fn heat_map(report: &Report, ranking: &Ranking<'_>) -> Markup {
    let columns = score_columns(report, &ranking.key);
    if columns.is_empty() {
        return html! {};
    }
    let bounds: Vec<(f64, f64)> = columns
        .iter()
        .map(|c| {
            let vs: Vec<f64> = report
                .units
                .iter()
                .filter_map(|u| u.values.get(c).and_then(decimal_of))
                .map(float)
                .collect();
            let lo = vs.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = vs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (lo, hi)
        })
        .collect();
    html! {
        figure.chart #heat-map {
            figcaption {
                (bi("Bản đồ nhiệt: các trụ cột × đơn vị", "Heat map: pillars × units"))
                " "
                small { (bi("(màu đậm: cao hơn trong cột)", "(darker: higher within the column)")) }
            }
            div.scroll {
                table.heat {
                    thead {
                        tr {
                            th { (bi("Đơn vị", "Unit")) }
                            @for c in &columns {
                                th title=(c) { (label(report, c)) }
                            }
                        }
                    }
                    tbody {
                        @for (_, unit) in &ranking.order {
                            tr {
                                th scope="row" { (unit.unit) }
                                @for (c, (lo, hi)) in columns.iter().zip(&bounds) {
                                    @match shown(report, unit, c) {
                                        Some((text, _)) => {
                                            @let v = unit.values.get(c).and_then(decimal_of).map(float).unwrap_or(0.0);
                                            @let t = if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
                                            td style=(shade(t)) { (text) }
                                        }
                                        None => td.missing { "–" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A blue from light (0) to dark (1), with a readable text colour.
fn shade(t: f64) -> String {
    let t = t.clamp(0.0, 1.0);
    let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    let (r, g, b) = (mix(239.0, 8.0), mix(246.0, 69.0), mix(255.0, 148.0));
    let text = if t > 0.55 { "#fff" } else { "#111" };
    format!("background:rgb({r},{g},{b});color:{text}")
}

/// The sensitivity runs' rank intervals: per unit, the 5–95% interval as a line, the
/// median as a dot and the nominal rank as a tick.
pub(super) fn sensitivity(report: &Report, s: &SensitivityReport) -> Markup {
    let Some((key, spreads)) = s.ranks.first() else {
        return html! {};
    };
    let mut sorted: Vec<_> = spreads.iter().collect();
    sorted.sort_by(|a, b| match (a.rank, b.rank) {
        (Some(x), Some(y)) => x.cmp(&y).then_with(|| a.unit.cmp(&b.unit)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.unit.cmp(&b.unit),
    });
    let n = sorted
        .iter()
        .map(|r| r.p95.max(r.rank.unwrap_or(0)))
        .max()
        .unwrap_or(1)
        .max(1);
    let scale = Scale {
        lo: 1.0,
        hi: n as f64,
        x0: LEFT,
        x1: WIDTH - RIGHT,
    };
    let rows = sorted.len() as f64;
    let height = TOP + rows * ROW + BOTTOM;
    let axis_y = TOP + rows * ROW;
    let step = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]
        .into_iter()
        .find(|s| n / s <= 12)
        .unwrap_or(n);
    let mut tick_ranks: Vec<usize> = (0..=n).step_by(step.max(1)).filter(|r| *r >= 1).collect();
    tick_ranks.insert(0, 1);
    tick_ranks.dedup();
    html! {
        section #sensitivity {
            h2 { (bi("Độ nhạy của thứ hạng", "Sensitivity of the ranks")) " " code { (key) } }
            p {
                (crate::report::display::plural(s.runs, "run", "runs")) ", seed " (s.seed)
                @let what = crate::report::text::sensitivity_what(s);
                @if !what.is_empty() { " — " (what) }
            }
            figure.chart #interval-plot {
                figcaption {
                    (bi("Khoảng thứ hạng 5–95% (đường), trung vị (chấm), hạng công bố (vạch)",
                        "Rank interval 5–95% (line), median (dot), nominal rank (tick)"))
                }
                svg.intervals viewBox={ "0 0 " (WIDTH) " " (px(height)) } width=(WIDTH) height=(px(height))
                    role="img" aria-label="rank intervals" xmlns="http://www.w3.org/2000/svg" {
                    @for t in &tick_ranks {
                        @let x = scale.at(*t as f64);
                        line.grid x1=(px(x)) x2=(px(x)) y1=(px(TOP - 6.0)) y2=(px(axis_y)) {}
                        text.tick x=(px(x)) y=(px(axis_y + 16.0)) text-anchor="middle" { (t) }
                    }
                    @for (row, r) in sorted.iter().enumerate() {
                        @let y = TOP + row as f64 * ROW + ROW / 2.0;
                        g.interval data-unit=(r.unit) {
                            title {
                                (r.unit) ": rank " (r.rank.map_or("–".to_string(), |x| x.to_string()))
                                ", median " (r.median) ", 5–95% " (r.p5) "–" (r.p95)
                            }
                            text.name x=(px(LEFT - 8.0)) y=(px(y + 4.0)) text-anchor="end" {
                                (r.rank.map(|x| format!("{x}. ")).unwrap_or_default()) (r.unit)
                            }
                            line.span x1=(px(scale.at(r.p5 as f64))) x2=(px(scale.at(r.p95 as f64)))
                                y1=(px(y)) y2=(px(y)) {}
                            @if let Some(nominal) = r.rank {
                                line.nominal x1=(px(scale.at(nominal as f64))) x2=(px(scale.at(nominal as f64)))
                                    y1=(px(y - 5.0)) y2=(px(y + 5.0)) {}
                            }
                            circle.median cx=(px(scale.at(r.median as f64))) cy=(px(y)) r="3.5" {}
                        }
                    }
                }
            }
            @if report.units.len() > sorted.len() {
                p.hint { (report.units.len() - sorted.len()) " units without a rank are not shown." }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_decimals_covering_the_range() {
        let t = ticks(Decimal::ZERO, Decimal::new(7349, 4));
        assert_eq!(t.first(), Some(&Decimal::ZERO));
        assert!(
            t.last().is_some_and(|l| *l >= Decimal::new(7349, 4)),
            "{t:?}"
        );
        assert!(t.iter().all(|x| x.scale() <= 1), "{t:?}");
        assert_eq!(ticks(Decimal::ONE, Decimal::ONE), vec![Decimal::ONE]);
    }

    #[test]
    fn shades_go_from_light_to_dark() {
        assert!(shade(0.0).contains("rgb(239,246,255)"));
        assert!(shade(1.0).contains("rgb(8,69,148)") && shade(1.0).contains("#fff"));
    }
}
