//! The staffing rule set over 10,000 generated units, three ways:
//! chiso (rule file compiled to slots), the same rules as plain Rust closures (the
//! limit), and as one precompiled rhai script (what a user could write instead).
//!
//! Run: `cargo bench --bench staffing`. Throughput is in rule evaluations (units × 5
//! rules); ns per rule evaluation = 1e9 / (elements per second).

use std::path::PathBuf;

use chiso::data::{Dataset, Origin, RawValue, Record};
use chiso::{RuleSet, Status};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use indexmap::IndexMap;

const UNITS: usize = 10_000;
const RULES: usize = 5;

/// One generated unit; `infosec_staff` is absent for every 50th, as in real submissions.
struct Unit {
    staff_total: i64,
    it_qualified_staff: i64,
    it_dedicated_staff: i64,
    it_dedicated_with_degree: i64,
    infosec_staff: Option<i64>,
    staff_trained_infosec: i64,
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
            let staff_total = 20 + next(300);
            let it_qualified_staff = next(12);
            let it_dedicated_staff = next(it_qualified_staff + 1);
            Unit {
                staff_total,
                it_qualified_staff,
                it_dedicated_staff,
                it_dedicated_with_degree: next(it_dedicated_staff + 1),
                infosec_staff: (i % 50 != 0).then(|| next(3)),
                staff_trained_infosec: next(staff_total + 1),
            }
        })
        .collect()
}

fn dataset(units: &[Unit]) -> Dataset {
    let records = units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let mut fields = IndexMap::new();
            let num = |v: i64| RawValue::Number(v.to_string());
            fields.insert("staff_total".to_string(), num(u.staff_total));
            fields.insert("it_qualified_staff".to_string(), num(u.it_qualified_staff));
            fields.insert("it_dedicated_staff".to_string(), num(u.it_dedicated_staff));
            fields.insert(
                "it_dedicated_with_degree".to_string(),
                num(u.it_dedicated_with_degree),
            );
            if let Some(v) = u.infosec_staff {
                fields.insert("infosec_staff".to_string(), num(v));
            }
            fields.insert(
                "staff_trained_infosec".to_string(),
                num(u.staff_trained_infosec),
            );
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
        .collect::<Vec<_>>();
    Dataset::from_records(records).expect("unique units")
}

type NativeRule = Box<dyn Fn(&Unit) -> Status>;

/// The same five rules, written by hand.
fn native_rules() -> Vec<NativeRule> {
    fn decide(ok: bool) -> Status {
        if ok { Status::Pass } else { Status::Fail }
    }
    vec![
        Box::new(|u| {
            if u.it_qualified_staff < 2 {
                return Status::Skip;
            }
            u.infosec_staff.map_or(Status::Error, |s| decide(s >= 1))
        }),
        Box::new(|u| decide(u.it_dedicated_staff >= 1)),
        Box::new(|u| {
            if u.it_dedicated_staff < 1 {
                return Status::Skip;
            }
            decide(u.it_dedicated_with_degree >= u.it_dedicated_staff)
        }),
        Box::new(|u| decide(u.staff_trained_infosec >= u.staff_total)),
        Box::new(|u| match u.infosec_staff {
            None => Status::Error,
            Some(s) => decide(
                u.it_qualified_staff <= u.staff_total
                    && s <= u.staff_total
                    && u.staff_trained_infosec <= u.staff_total
                    && u.it_dedicated_with_degree <= u.it_dedicated_staff,
            ),
        }),
    ]
}

const RHAI_SCRIPT: &str = r#"
    let out = [];
    if it_qualified_staff < 2 { out.push("skip"); }
    else if infosec_staff == () { out.push("error"); }
    else if infosec_staff >= 1 { out.push("pass"); } else { out.push("fail"); }
    out.push(if it_dedicated_staff >= 1 { "pass" } else { "fail" });
    if it_dedicated_staff < 1 { out.push("skip"); }
    else if it_dedicated_with_degree >= it_dedicated_staff { out.push("pass"); } else { out.push("fail"); }
    out.push(if staff_trained_infosec >= staff_total { "pass" } else { "fail" });
    if infosec_staff == () { out.push("error"); }
    else if it_qualified_staff <= staff_total && infosec_staff <= staff_total
        && staff_trained_infosec <= staff_total && it_dedicated_with_degree <= it_dedicated_staff { out.push("pass"); }
    else { out.push("fail"); }
    out
"#;

fn bench(c: &mut Criterion) {
    let units = generate();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let rules = RuleSet::load(root.join("rules/it-staffing")).expect("the shipped rule set loads");
    assert_eq!(rules.program().rules.len(), RULES);
    let bound = rules.bind(&dataset(&units));

    // All three must agree before their speed means anything.
    let chiso_statuses: Vec<Vec<Status>> = rules
        .evaluate_bound(&bound)
        .units()
        .map(|u| u.decisions.iter().map(|d| d.status).collect())
        .collect();
    let native = native_rules();
    let native_statuses: Vec<Vec<Status>> = units
        .iter()
        .map(|u| native.iter().map(|r| r(u)).collect())
        .collect();
    assert_eq!(
        chiso_statuses, native_statuses,
        "chiso and the closures disagree"
    );

    let mut engine = rhai::Engine::new();
    engine.set_max_operations(0);
    let ast = engine.compile(RHAI_SCRIPT).expect("script compiles");
    let run_rhai = |u: &Unit| -> Vec<Status> {
        let mut scope = rhai::Scope::new();
        scope.push("staff_total", u.staff_total);
        scope.push("it_qualified_staff", u.it_qualified_staff);
        scope.push("it_dedicated_staff", u.it_dedicated_staff);
        scope.push("it_dedicated_with_degree", u.it_dedicated_with_degree);
        match u.infosec_staff {
            Some(v) => scope.push("infosec_staff", v),
            None => scope.push("infosec_staff", ()),
        };
        scope.push("staff_trained_infosec", u.staff_trained_infosec);
        let out: rhai::Array = engine
            .eval_ast_with_scope(&mut scope, &ast)
            .expect("script runs");
        out.into_iter()
            .map(|s| match s.into_string().unwrap_or_default().as_str() {
                "pass" => Status::Pass,
                "fail" => Status::Fail,
                "skip" => Status::Skip,
                _ => Status::Error,
            })
            .collect()
    };
    let rhai_statuses: Vec<Vec<Status>> = units.iter().map(run_rhai).collect();
    assert_eq!(
        chiso_statuses, rhai_statuses,
        "chiso and the rhai script disagree"
    );

    let mut group = c.benchmark_group("staffing_10k_units");
    group.throughput(Throughput::Elements((UNITS * RULES) as u64));
    group.bench_function("chiso", |b| {
        b.iter(|| rules.evaluate_bound(std::hint::black_box(&bound)))
    });
    group.bench_function("native_closures", |b| {
        b.iter(|| {
            std::hint::black_box(&units)
                .iter()
                .map(|u| native.iter().map(|r| r(u)).collect::<Vec<_>>())
                .collect::<Vec<_>>()
        })
    });
    group.bench_function("rhai_script", |b| {
        b.iter(|| {
            std::hint::black_box(&units)
                .iter()
                .map(run_rhai)
                .collect::<Vec<_>>()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
