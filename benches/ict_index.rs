//! The full Vietnam ICT Index 2019 (`rules/ict-index/2019`: 27 inputs, 27 normalised
//! indicators, 6 rescaled sub-pillars, 3 pillars, the index, 10 ranks, and the rule that
//! checks what outlier treatment of the 27 raw indicators would change) over the 63
//! provinces of the sample data and over generated cohorts of 1,000 to 100,000 units, to
//! show how the cost grows; and a variant over the 63 provinces that treats outliers in
//! every raw indicator before normalising it (COINr `Treat`) and adds Copeland and
//! dominance scores over the six sub-pillars (COINr `a_copeland`, `outrankMatrix`).
//!
//! Run: `cargo bench --bench ict_index`.

use std::path::PathBuf;

use chiso::RuleSet;
use chiso::data::{Dataset, RawValue};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// `n` units made from the 63 provinces, each field scaled by a pseudo-random factor.
fn generated(base: &Dataset, n: usize) -> Dataset {
    let mut state: u64 = 42;
    let mut factor = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        0.8 + ((state >> 33) % 1000) as f64 / 2500.0
    };
    let mut records = Vec::with_capacity(n);
    for i in 0..n {
        let Some(source) = base.records.get(i % base.records.len()) else {
            continue;
        };
        let mut record = source.clone();
        record.unit = format!("unit {i}");
        for (name, value) in record.fields.iter_mut() {
            if name == "unit" {
                continue;
            }
            if let RawValue::Text(t) = value
                && let Ok(x) = t.parse::<f64>()
            {
                let scaled = x * factor();
                // Percentages stay within their declared range.
                let capped = if name.contains("per_")
                    || name.contains("staff") && !name.starts_with("share")
                {
                    scaled
                } else {
                    scaled.min(100.0)
                };
                *value = RawValue::Text(format!("{capped:.2}"));
            }
        }
        records.push(record);
    }
    Dataset::from_records(records).expect("unique units")
}

/// The 2019 methodology (`ict-index.chiso`, without the treatment check of
/// `treatment.chiso`) with every `normalise x by max` taking `treat x`, plus Copeland and
/// dominance scores of the six sub-pillars, ranked.
fn treated_with_copeland(root: &std::path::Path, base: &RuleSet) -> RuleSet {
    use chiso::parse::ast::{ExprKind, Item};
    let mut text = format!(
        "methodology \"ICT Index, treated, Copeland\" version 2019\n  unit province\n  extends {:?}\n",
        root.join("rules/ict-index/2019/ict-index.chiso")
            .display()
            .to_string()
    );
    for item in base.items() {
        if let Item::Indicator(ind) = item
            && let ExprKind::Normalise(n) = &ind.formula.kind
        {
            let (name, column) = (&ind.name.name, &n.column.name);
            text.push_str(&format!(
                "indicator t_{column} = treat {column}\nreplace indicator {name} = normalise t_{column} by max\n"
            ));
        }
    }
    let members = "infrastructure_social, infrastructure_state, human_resources_social, \
                   human_resources_state, application_agencies, application_online_services";
    text.push_str(&format!(
        "score copeland_index = copeland of {members}\n  missing exclude\n\
         score dominance_index = dominance share of {members}\n  missing exclude\n\
         rank copeland_index\n"
    ));
    RuleSet::builder()
        .from_text(
            &root.join("benches/ict-treated.chiso").display().to_string(),
            &text,
        )
        .expect("the treated variant compiles")
}

fn bench(c: &mut Criterion) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let rules =
        RuleSet::load(root.join("rules/ict-index/2019")).expect("the shipped rule set loads");
    let provinces = rules
        .load_data(&[root.join("examples/ict-index/provinces-2019.json")])
        .expect("the sample data loads");

    let mut group = c.benchmark_group("ict_index_2019");
    let bound = rules.bind(&provinces);
    group.throughput(Throughput::Elements(provinces.records.len() as u64));
    group.bench_function("63 provinces", |b| {
        b.iter(|| rules.evaluate_bound(std::hint::black_box(&bound)))
    });
    let variant = treated_with_copeland(&root, &rules);
    let bound_variant = variant.bind(&provinces);
    let check = variant.evaluate(&provinces);
    assert!(
        check
            .units
            .iter()
            .all(|u| u.values.contains_key("copeland_index"))
    );
    group.bench_function("63 provinces, treatment + Copeland", |b| {
        b.iter(|| variant.evaluate_bound(std::hint::black_box(&bound_variant)))
    });
    for n in [1_000, 10_000, 100_000] {
        let data = generated(&provinces, n);
        let bound = rules.bind(&data);
        let check = rules.evaluate_bound(&bound);
        assert_eq!(check.len(), n);
        group.throughput(Throughput::Elements(n as u64));
        group.sample_size(if n >= 100_000 { 10 } else { 30 });
        group.bench_with_input(
            BenchmarkId::new("generated units", n),
            &bound,
            |b, bound| b.iter(|| rules.evaluate_bound(std::hint::black_box(bound))),
        );
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
