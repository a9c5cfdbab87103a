//! The workload of issue 13, every engine in one run: 10,000 units × 8 formulas (four
//! ratios, four rules; every 50th unit sits exactly on each rule's threshold), evaluated
//!
//! - by chiso's reference evaluator (`RuleSet::evaluate_bound`, exact decimals),
//! - by chiso's typed core, a row at a time and a column at a time (`chiso::fast`),
//! - by plain Rust closures, one boxed closure per formula (the limit),
//! - by inlined Rust (one function, all eight formulas, no dispatch),
//! - by one precompiled rhai script,
//!
//! and end to end through `RuleSet::evaluate` (bind → evaluate → `Report`) and through the
//! streaming path with failing findings only. It also times compiling generated rule sets
//! of 2,000 and 20,000 rules.
//!
//! Run: `cargo bench --bench workload`. Throughput is in formula evaluations (units × 8);
//! ns per formula evaluation = 1e9 / (elements per second). Compare ratios within one run:
//! the machine is shared and noisy.

use std::hint::black_box;
use std::path::PathBuf;

use chiso::data::{Dataset, Origin, RawValue, Record};
use chiso::{RuleSet, Status};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use indexmap::IndexMap;
use rust_decimal::Decimal;

const UNITS: usize = 10_000;
const FORMULAS: usize = 8;

/// One generated unit.
#[derive(Clone, Copy)]
struct Unit {
    staff_total: i64,
    computers: i64,
    population: i64,
    fixed_phones: i64,
    internet_subscribers: i64,
    it_staff: i64,
    infosec_staff: i64,
    dvc_total_services: i64,
    dvc_level4_services: i64,
}

const FIELDS: [&str; 9] = [
    "staff_total",
    "computers",
    "population",
    "fixed_phones",
    "internet_subscribers",
    "it_staff",
    "infosec_staff",
    "dvc_total_services",
    "dvc_level4_services",
];

impl Unit {
    fn values(&self) -> [i64; 9] {
        [
            self.staff_total,
            self.computers,
            self.population,
            self.fixed_phones,
            self.internet_subscribers,
            self.it_staff,
            self.infosec_staff,
            self.dvc_total_services,
            self.dvc_level4_services,
        ]
    }
}

fn generate() -> Vec<Unit> {
    // A fixed linear congruential generator: the same units on every run.
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = |m: i64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) % (m as u64)) as i64
    };
    (0..UNITS)
        .map(|i| {
            if i % 50 == 0 {
                // Exactly on every threshold: 9/10 computers, 15 phones per 100, 40%
                // level-4 services, two IT staff and one infosec officer.
                let k = 1 + next(40);
                return Unit {
                    staff_total: 10 * k,
                    computers: 9 * k,
                    population: 2_000 * k,
                    fixed_phones: 300 * k,
                    internet_subscribers: 700 * k,
                    it_staff: 2,
                    infosec_staff: 1,
                    dvc_total_services: 5 * k,
                    dvc_level4_services: 2 * k,
                };
            }
            let staff_total = 5 + next(400);
            let population = 1_000 + next(200_000);
            let dvc_total_services = 1 + next(300);
            Unit {
                staff_total,
                computers: next(staff_total * 2),
                population,
                fixed_phones: next(population / 3),
                internet_subscribers: next(population),
                it_staff: next(12),
                infosec_staff: next(3),
                dvc_total_services,
                dvc_level4_services: next(dvc_total_services + 1),
            }
        })
        .collect()
}

fn dataset(units: &[Unit]) -> Dataset {
    let records: Vec<Record> = units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let mut fields = IndexMap::new();
            for (name, v) in FIELDS.iter().zip(u.values()) {
                fields.insert((*name).to_string(), RawValue::Number(v.to_string()));
            }
            Record {
                unit: format!("unit {i}"),
                origin: Origin {
                    file: "generated".into(),
                    position: format!("[{i}]"),
                },
                fields,
                written: Vec::new(),
            }
        })
        .collect();
    Dataset::from_records(records).expect("generated unit names are distinct")
}

/// The units as one Arrow record batch: the unit names as text, each input an `int64`
/// column (what a DataFrame of counts is).
#[cfg(feature = "arrow")]
fn arrow_batch(units: &[Unit]) -> arrow_array::RecordBatch {
    use std::sync::Arc;
    let names: arrow_array::ArrayRef = Arc::new(arrow_array::StringArray::from(
        (0..units.len())
            .map(|i| format!("unit {i}"))
            .collect::<Vec<_>>(),
    ));
    let mut columns = vec![("unit", names)];
    for (k, name) in FIELDS.iter().enumerate() {
        let values: Vec<i64> = units.iter().map(|u| u.values()[k]).collect();
        columns.push((
            *name,
            Arc::new(arrow_array::Int64Array::from(values)) as arrow_array::ArrayRef,
        ));
    }
    arrow_array::RecordBatch::try_from_iter(columns).expect("a batch of equal columns")
}

/// What a formula evaluates to, in the closures and inlined Rust.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Out {
    Number(f64),
    Decision(Status),
}

fn decide(ok: bool) -> Out {
    Out::Decision(if ok { Status::Pass } else { Status::Fail })
}

fn ratio(a: i64, b: i64) -> Out {
    Out::Number(a as f64 / b as f64)
}

type Closure = Box<dyn Fn(&Unit) -> Out>;

/// The eight formulas as boxed closures. Ratios are `f64` values (never compared); rules
/// compare by cross-multiplication in integers, so the closures are exact at thresholds.
fn closures() -> Vec<Closure> {
    vec![
        Box::new(|u| ratio(u.computers, u.staff_total)),
        Box::new(|u| Out::Number(u.fixed_phones as f64 / u.population as f64 * 100.0)),
        Box::new(|u| Out::Number(u.internet_subscribers as f64 / u.population as f64 * 100.0)),
        Box::new(|u| ratio(u.dvc_level4_services, u.dvc_total_services)),
        Box::new(|u| {
            if u.it_staff >= 2 {
                decide(u.infosec_staff >= 1)
            } else {
                Out::Decision(Status::Skip)
            }
        }),
        Box::new(|u| decide(u.dvc_level4_services * 100 >= 40 * u.dvc_total_services)),
        Box::new(|u| decide(u.computers * 10 >= 9 * u.staff_total)),
        Box::new(|u| decide(u.fixed_phones * 100 >= 15 * u.population)),
    ]
}

/// The eight formulas inlined into one function.
#[inline(never)]
fn inlined(u: &Unit, out: &mut [Out; FORMULAS]) {
    out[0] = ratio(u.computers, u.staff_total);
    out[1] = Out::Number(u.fixed_phones as f64 / u.population as f64 * 100.0);
    out[2] = Out::Number(u.internet_subscribers as f64 / u.population as f64 * 100.0);
    out[3] = ratio(u.dvc_level4_services, u.dvc_total_services);
    out[4] = if u.it_staff >= 2 {
        decide(u.infosec_staff >= 1)
    } else {
        Out::Decision(Status::Skip)
    };
    out[5] = decide(u.dvc_level4_services * 100 >= 40 * u.dvc_total_services);
    out[6] = decide(u.computers * 10 >= 9 * u.staff_total);
    out[7] = decide(u.fixed_phones * 100 >= 15 * u.population);
}

/// Inlined Rust over columns: one tight loop per formula, the best a hand-written
/// column engine does.
struct Columns {
    v: Vec<Vec<i64>>,
}

impl Columns {
    fn of(units: &[Unit]) -> Self {
        let mut v = vec![Vec::with_capacity(units.len()); FIELDS.len()];
        for u in units {
            for (col, x) in v.iter_mut().zip(u.values()) {
                col.push(x);
            }
        }
        Columns { v }
    }

    #[inline(never)]
    fn run(&self, ratios: &mut [Vec<f64>; 4], rules: &mut [Vec<Status>; 4]) {
        let c = |i: usize| self.v[i].as_slice();
        let (staff, comp, pop, phones, inet, it, infosec, total, l4) =
            (c(0), c(1), c(2), c(3), c(4), c(5), c(6), c(7), c(8));
        let pass = |b: bool| if b { Status::Pass } else { Status::Fail };
        ratios[0].clear();
        ratios[0].extend(comp.iter().zip(staff).map(|(a, b)| *a as f64 / *b as f64));
        ratios[1].clear();
        ratios[1].extend(
            phones
                .iter()
                .zip(pop)
                .map(|(a, b)| *a as f64 / *b as f64 * 100.0),
        );
        ratios[2].clear();
        ratios[2].extend(
            inet.iter()
                .zip(pop)
                .map(|(a, b)| *a as f64 / *b as f64 * 100.0),
        );
        ratios[3].clear();
        ratios[3].extend(l4.iter().zip(total).map(|(a, b)| *a as f64 / *b as f64));
        rules[0].clear();
        rules[0].extend(it.iter().zip(infosec).map(|(it, s)| {
            if *it >= 2 {
                pass(*s >= 1)
            } else {
                Status::Skip
            }
        }));
        rules[1].clear();
        rules[1].extend(l4.iter().zip(total).map(|(a, b)| pass(a * 100 >= 40 * b)));
        rules[2].clear();
        rules[2].extend(comp.iter().zip(staff).map(|(a, b)| pass(a * 10 >= 9 * b)));
        rules[3].clear();
        rules[3].extend(phones.iter().zip(pop).map(|(a, b)| pass(a * 100 >= 15 * b)));
    }
}

const RHAI_SCRIPT: &str = r#"
    let out = [];
    out.push(computers / staff_total);
    out.push(fixed_phones / population * 100);
    out.push(internet_subscribers / population * 100);
    out.push(dvc_level4_services / dvc_total_services);
    if it_staff < 2 { out.push("skip"); }
    else if infosec_staff >= 1 { out.push("pass"); } else { out.push("fail"); }
    out.push(if dvc_level4_services / dvc_total_services >= 0.4 { "pass" } else { "fail" });
    out.push(if computers / staff_total >= 0.9 { "pass" } else { "fail" });
    out.push(if fixed_phones / population * 100 >= 15 { "pass" } else { "fail" });
    out
"#;

/// A rule set of `n` generated rules over 100 inputs, with an indicator per ten rules,
/// `when` clauses and messages, as a large compliance catalogue looks.
pub fn generated_rules(n: usize) -> String {
    let mut text = String::from("methodology \"Generated\" version 1\n  unit agency\n\n");
    for i in 0..100 {
        text.push_str(&format!("input x{i}: integer >= 0\n"));
    }
    for i in 0..n / 10 {
        text.push_str(&format!(
            "indicator share{i} = x{} / (x{} + 1)\n",
            i % 100,
            (i * 7 + 3) % 100
        ));
    }
    for i in 0..n {
        let a = i % 100;
        let b = (i * 13 + 5) % 100;
        text.push_str(&format!(
            "rule r{i} \"Generated rule {i}\"\n  when x{b} >= {}\n  require x{a} >= {} and share{} <= {}%\n  message \"{{unit}} has {{x{a}}} of x{a}\"\n",
            i % 7,
            i % 11,
            i / 10,
            50 + i % 50
        ));
    }
    text
}

fn bench(c: &mut Criterion) {
    let units = generate();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let rules =
        RuleSet::load(root.join("benches/workload/workload.chiso")).expect("the workload loads");
    let data = dataset(&units);
    let bound = rules.bind(&data);
    let results = rules.evaluate_bound(&bound);

    // Every engine must agree with chiso before its speed means anything.
    let reference: Vec<Vec<Out>> = results
        .units()
        .map(|u| {
            let mut row: Vec<Out> = u
                .computed
                .iter()
                .map(|v| match v {
                    Ok(chiso::Value::Number(n)) => {
                        Out::Number(n.to_string().parse::<f64>().expect("a number"))
                    }
                    other => panic!("unexpected value {other:?}"),
                })
                .collect();
            row.extend(u.decisions.iter().map(|d| Out::Decision(d.status)));
            row
        })
        .collect();
    let near = |a: &Out, b: &Out| match (a, b) {
        (Out::Number(x), Out::Number(y)) => (x - y).abs() <= 1e-9 * x.abs().max(1.0),
        _ => a == b,
    };
    let closures = closures();
    for (u, expected) in units.iter().zip(&reference) {
        for (f, e) in closures.iter().zip(expected) {
            assert!(near(&f(u), e), "closures disagree with chiso");
        }
        let mut out = [Out::Number(0.0); FORMULAS];
        inlined(u, &mut out);
        assert!(out.iter().zip(expected).all(|(a, b)| near(a, b)));
    }
    let on_threshold = reference
        .iter()
        .step_by(50)
        .all(|row| row[4..].iter().all(|d| *d == Out::Decision(Status::Pass)));
    assert!(
        on_threshold,
        "every 50th unit passes exactly on its thresholds"
    );
    let columns = Columns::of(&units);

    let mut engine = rhai::Engine::new();
    engine.set_max_operations(0);
    let ast = engine.compile(RHAI_SCRIPT).expect("script compiles");
    let run_rhai = |u: &Unit| -> rhai::Array {
        let mut scope = rhai::Scope::new();
        for (name, v) in FIELDS.iter().zip(u.values()) {
            scope.push(*name, Decimal::from(v));
        }
        engine
            .eval_ast_with_scope(&mut scope, &ast)
            .expect("script runs")
    };
    for (u, expected) in units.iter().zip(&reference) {
        let got: Vec<String> = run_rhai(u)
            .into_iter()
            .skip(4)
            .map(|s| s.into_string().unwrap_or_default())
            .collect();
        let want: Vec<String> = expected[4..]
            .iter()
            .map(|d| match d {
                Out::Decision(s) => format!("{s:?}").to_lowercase(),
                Out::Number(_) => String::new(),
            })
            .collect();
        assert_eq!(got, want, "rhai disagrees with chiso");
    }

    // The typed core: compiled from the same program, checked against the reference.
    let program = rules.program();
    let fast = chiso::fast::FastProgram::compile(program);
    assert!(fast.coverage(program).iter().all(|(_, why)| why.is_none()));
    assert_eq!(fast.value_slots().count(), 4);
    let cols = chiso::fast::Columns::from_bound(program, &bound);
    let decided: Vec<Vec<Option<Status>>> = results
        .units()
        .map(|u| u.decisions.iter().map(|d| Some(d.status)).collect())
        .collect();
    let mut typed = fast.evaluate_columns(&cols);
    eprintln!(
        "typed core: {} of {} findings left to the reference (ties after a division)",
        typed.undecided(),
        UNITS * 4
    );
    typed.complete(program, &bound);
    assert_eq!(
        typed.by_unit(),
        decided,
        "typed columns disagree with the reference"
    );
    let mut row = fast.row_buffer();
    for (u, expected) in decided.iter().enumerate() {
        fast.evaluate_row(&cols, u, &mut row);
        row.complete(program, &bound, u);
        assert_eq!(
            &row.statuses, expected,
            "typed rows disagree with the reference"
        );
        for (value, reference) in row.values.iter().zip(&reference[u][..4]) {
            let (Some(v), Out::Number(r)) = (value, reference) else {
                panic!("a ratio the typed core did not compute");
            };
            assert!((v.to_f64() - r).abs() <= 1e-9 * r.abs().max(1.0));
        }
    }

    let mut group = c.benchmark_group("workload_10k_units_x_8_formulas");
    group.sample_size(20);
    group.warm_up_time(std::time::Duration::from_secs(1));
    group.measurement_time(std::time::Duration::from_secs(3));
    group.throughput(Throughput::Elements((UNITS * FORMULAS) as u64));
    group.bench_function("native_closures", |b| {
        let mut out = Vec::with_capacity(UNITS * FORMULAS);
        b.iter(|| {
            out.clear();
            for u in black_box(&units) {
                for f in &closures {
                    out.push(f(u));
                }
            }
            black_box(&out);
        })
    });
    group.bench_function("inlined_rust_rows", |b| {
        let mut out = vec![[Out::Number(0.0); FORMULAS]; UNITS];
        b.iter(|| {
            for (u, o) in black_box(&units).iter().zip(out.iter_mut()) {
                inlined(u, o);
            }
            black_box(&out);
        })
    });
    group.bench_function("inlined_rust_columns", |b| {
        let mut ratios: [Vec<f64>; 4] = Default::default();
        let mut decided: [Vec<Status>; 4] = Default::default();
        b.iter(|| {
            black_box(&columns).run(&mut ratios, &mut decided);
            black_box((&ratios, &decided));
        })
    });
    group.bench_function("chiso_reference_rows", |b| {
        b.iter(|| rules.evaluate_bound(black_box(&bound)))
    });
    group.bench_function("chiso_typed_rows", |b| {
        let mut row = fast.row_buffer();
        b.iter(|| {
            for u in 0..UNITS {
                fast.evaluate_row(black_box(&cols), u, &mut row);
                row.complete(program, &bound, u);
                black_box(&row);
            }
        })
    });
    group.bench_function("chiso_typed_columns", |b| {
        b.iter(|| {
            let mut typed = fast.evaluate_columns(black_box(&cols));
            typed.complete(program, &bound);
            typed
        })
    });
    group.bench_function("chiso_end_to_end_report", |b| {
        b.iter(|| rules.evaluate(black_box(&data)))
    });
    group.bench_function("chiso_end_to_end_failing_only", |b| {
        let options = chiso::stream::StreamOptions {
            findings: chiso::stream::FindingFilter::Failing,
            values: chiso::stream::ValueFilter::None,
        };
        b.iter(|| rules.evaluate_lean(black_box(&data), &options))
    });
    group.bench_function("rhai_script", |b| {
        b.iter(|| black_box(&units).iter().map(run_rhai).collect::<Vec<_>>())
    });
    group.finish();

    // Paired timings: each floor's two sides alternately, 31 times, the median of the
    // ratios. This machine's load swings criterion's times by ±50% between groups;
    // the ratio of two passes taken back to back barely moves.
    if std::env::args().any(|a| a == "--bench") {
        let mut out = Vec::with_capacity(UNITS * FORMULAS);
        let mut closures_pass = || {
            out.clear();
            for u in black_box(&units) {
                for f in &closures {
                    out.push(f(u));
                }
            }
            black_box(&out);
        };
        let mut row = fast.row_buffer();
        let typed_rows = || {
            for u in 0..UNITS {
                fast.evaluate_row(black_box(&cols), u, &mut row);
                row.complete(program, &bound, u);
                black_box(&row);
            }
        };
        let mut ratios_out: [Vec<f64>; 4] = Default::default();
        let mut decided_out: [Vec<Status>; 4] = Default::default();
        let mut inlined_columns = || {
            black_box(&columns).run(&mut ratios_out, &mut decided_out);
            black_box((&ratios_out, &decided_out));
        };
        let typed_columns = || {
            let mut typed = fast.evaluate_columns(black_box(&cols));
            typed.complete(program, &bound);
            black_box(typed);
        };
        let options = chiso::stream::StreamOptions {
            findings: chiso::stream::FindingFilter::Failing,
            values: chiso::stream::ValueFilter::None,
        };
        let lean = || {
            black_box(rules.evaluate_lean(black_box(&data), &options));
        };
        eprintln!("\npaired: 31 alternate passes of each side (medians; floors from issue 13)");
        eprintln!(
            "{:<44} {:>10} {:>10} {:>8} {:>7}",
            "chiso / alternative", "chiso ms", "other ms", "ratio", "floor"
        );
        paired("typed rows / closures", 1.5, typed_rows, &mut closures_pass);
        paired(
            "typed columns / inlined columns",
            2.0,
            typed_columns,
            &mut inlined_columns,
        );
        paired(
            "evaluate_lean, failing / closures",
            5.0,
            lean,
            &mut closures_pass,
        );
        // The two halves of `evaluate_lean`: deciding every finding (failing ones kept by
        // reference) and spelling out the failing ones.
        let decide = || {
            black_box(rules.decide_failing(black_box(&data)));
        };
        paired("decide_failing / closures", 5.0, decide, &mut closures_pass);
        let decided = rules.decide_failing(&data);
        let mut decide_again = || {
            black_box(rules.decide_failing(black_box(&data)));
        };
        let render = || {
            black_box(rules.render_lean(decided.clone(), black_box(&data)));
        };
        paired(
            "render_lean / decide_failing",
            f64::INFINITY,
            render,
            &mut decide_again,
        );
        // From Arrow batches (`--features arrow`): integer columns go straight into the
        // typed core, with no record and no text in between.
        #[cfg(feature = "arrow")]
        {
            let batch = arrow_batch(&units);
            let options = chiso::arrow::ArrowOptions::new("unit");
            let loaded = Dataset::from_arrow([&batch], &options).expect("the batch loads");
            assert_eq!(
                rules
                    .decide_failing_batches(std::slice::from_ref(&batch), &options)
                    .expect("the batch is read"),
                rules.decide_failing(&loaded),
            );
            assert!(
                rules
                    .batches_direct(std::slice::from_ref(&batch), &options)
                    .is_some()
            );
            let batches = std::slice::from_ref(&batch);
            let from_batches = || {
                black_box(rules.decide_failing_batches(black_box(batches), &options)).ok();
            };
            paired(
                "decide_failing_batches (Arrow) / closures",
                5.0,
                from_batches,
                &mut closures_pass,
            );
        }
        // What reading a dataset's records costs beside the closures, which read typed
        // structs: the floor above includes it.
        let intake = || {
            black_box(chiso::fast::Columns::from_records(
                program,
                black_box(&data.records),
            ));
        };
        paired(
            "records into columns / closures",
            f64::INFINITY,
            intake,
            &mut closures_pass,
        );
    }

    let mut compile = c.benchmark_group("compile_generated_rules");
    compile.sample_size(10);
    for n in [2_000usize, 20_000] {
        let text = generated_rules(n);
        let loaded = RuleSet::from_text("generated.chiso", &text).expect("generated rules load");
        assert_eq!(loaded.program().rules.len(), n);
        compile.throughput(Throughput::Elements(n as u64));
        compile.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, text| {
            b.iter(|| RuleSet::from_text("generated.chiso", black_box(text)))
        });
    }
    compile.finish();
}

/// Times `ours` and `theirs` alternately and prints the medians and the median ratio.
fn paired(name: &str, floor: f64, mut ours: impl FnMut(), theirs: &mut impl FnMut()) {
    use std::time::Instant;
    let median = |mut xs: Vec<f64>| {
        xs.sort_by(f64::total_cmp);
        xs[xs.len() / 2]
    };
    let (mut a, mut b, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..31 {
        let t = Instant::now();
        ours();
        let x = t.elapsed().as_secs_f64();
        let t = Instant::now();
        theirs();
        let y = t.elapsed().as_secs_f64();
        a.push(x);
        b.push(y);
        ratios.push(x / y);
    }
    let ratio = median(ratios);
    // An infinite floor marks a line that explains another (no floor of its own).
    let verdict = if floor.is_infinite() {
        "      —".to_string()
    } else if ratio <= floor {
        format!("{floor:>6}× met")
    } else {
        format!("{floor:>6}× not met")
    };
    eprintln!(
        "{name:<44} {:>10.3} {:>10.3} {:>7.2}× {verdict}",
        median(a) * 1e3,
        median(b) * 1e3,
        ratio,
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
