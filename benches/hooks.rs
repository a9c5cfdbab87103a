//! Cost of a formula that calls a rhai hook, against the same formula with built-in
//! arithmetic and with a native function registered by the embedding program.
//!
//! Run: `cargo bench --bench hooks`. Throughput is in formula evaluations.

use std::path::PathBuf;

use chiso::{Dataset, RuleSet, Value};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const UNITS: usize = 10_000;

fn rules(formula: &str) -> RuleSet {
    // The rule file's name places it in benches/, where `hooks/double.rhai` lives.
    let name = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/hook.chiso");
    let text = format!(
        "methodology \"Hook bench\" version 1\nhooks \"hooks/double.rhai\"\ninput x: number\nindicator y = {formula}\n"
    );
    RuleSet::builder()
        .function("twice", 1, |args: &[Value]| match args {
            [Value::Number(n)] => Ok(Value::Number(*n * rust_decimal::Decimal::TWO)),
            _ => Err("expected a number".into()),
        })
        .from_text(name.to_str().unwrap_or("hook.chiso"), &text)
        .expect("the bench rule set compiles")
}

fn bench(c: &mut Criterion) {
    let values = (0..UNITS)
        .map(|i| serde_json::json!({"unit": format!("u{i}"), "x": format!("{}.5", i % 97)}));
    let data = Dataset::from_values("bench", values, "unit").expect("generated data");
    let mut group = c.benchmark_group("formula_10k_units");
    group.throughput(Throughput::Elements(UNITS as u64));
    for (name, formula) in [
        ("built-in", "x * 2"),
        ("native function", "twice(x)"),
        ("rhai hook", "double(x)"),
    ] {
        let rules = rules(formula);
        let bound = rules.bind(&data);
        let check = rules.evaluate_bound(&bound);
        assert!(
            check
                .unit(0)
                .is_some_and(|u| u.computed.iter().all(Result::is_ok)),
            "{name} fails"
        );
        group.bench_function(name, |b| {
            b.iter(|| rules.evaluate_bound(std::hint::black_box(&bound)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
