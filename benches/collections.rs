//! Collection rules over 10,000 members per unit: a count with a condition, an `all`, a
//! membership check and a weekly-frequency calendar, for 20 units.
//!
//! Run: `cargo bench --bench collections`. Throughput is in members.

use chiso::{Dataset, RuleSet};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const UNITS: usize = 20;
const MEMBERS: usize = 10_000;

const RULES: &str = r#"methodology "Collections bench" version 1
input services: list of record { id: text, level: integer, has_forms: boolean }
input sections: list of text
input posts: list of record { published: date }
indicator online = count(services where level >= 3)
indicator thin = weeks_with_fewer(posts.published, 2, 2020-01-06, 2020-12-27)
rule forms require all(services where level < 2 or has_forms)
rule sections require contains_all(sections, ["intro", "news", "laws"])
"#;

fn data() -> Dataset {
    let units = (0..UNITS).map(|u| {
        let services: Vec<serde_json::Value> = (0..MEMBERS)
            .map(|i| serde_json::json!({"id": format!("S{i}"), "level": (i % 4) + 1, "has_forms": i % 97 != 0}))
            .collect();
        let posts: Vec<serde_json::Value> = (0..MEMBERS)
            .map(|i| {
                let day = chiso::date::parse("2020-01-06").unwrap_or(0) + (i % 360) as i32;
                serde_json::json!({"published": chiso::date::format(day)})
            })
            .collect();
        serde_json::json!({"unit": format!("u{u}"), "services": services, "posts": posts, "sections": ["intro", "news"]})
    });
    Dataset::from_values("bench", units, "unit").expect("generated data")
}

fn bench(c: &mut Criterion) {
    let rules = RuleSet::from_text("bench.chiso", RULES).expect("the bench rule set compiles");
    let bound = rules.bind(&data());
    let mut group = c.benchmark_group("collections");
    group.throughput(Throughput::Elements((UNITS * MEMBERS) as u64));
    group.sample_size(20);
    group.bench_function("20 units x 10,000 members", |b| {
        b.iter(|| rules.evaluate_bound(std::hint::black_box(&bound)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
