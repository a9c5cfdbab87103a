//! Loading 100,000 CSV rows (issue 9): a generated export of the it-staffing rule set's
//! inputs, with Vietnamese unit names, a decimal share column, notes with missing markers
//! and quoted commas, in three shapes auditors receive:
//!
//! - `utf8_comma`: UTF-8, `,`-separated, `.` decimals (what chiso read before issue 9);
//! - `semicolon_bom_decimal_comma`: Excel's "CSV UTF-8" on a machine set to Vietnamese:
//!   a byte-order mark, `;`-separated, decimal commas (read with `--decimal-comma`);
//! - `windows_1258`: a legacy export in the Vietnamese Windows code page, tone marks as
//!   combining characters (read with `--encoding windows-1258`).
//!
//! Each is loaded through the library as `chiso run` loads it (`RuleSet::load_data_with`
//! with the rule set's `LoadOptions` and the command line's changes), and beside it read
//! by the `csv` crate into `Vec<StringRecord>` (decoded with encoding_rs first for
//! Windows-1258): the floor, the cost of reading the bytes as CSV at all. `utf8_comma`
//! is also loaded by `Dataset::load_with` alone (without the rule set's join of files).
//!
//! Run: `cargo bench --bench data_loading`. Throughput is in rows; ns per row =
//! 1e9 / (elements per second). The machine is shared and noisy, so after criterion the
//! bench also times each variant and its floor alternately (15 pairs) and prints the
//! median ratio chiso / floor, which noise moves far less than either time. The files
//! are generated once into `target/bench-data/` (deterministic; not committed).

use std::borrow::Cow;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chiso::data::RawValue;
use chiso::data::numbers::NumberFormat;
use chiso::{Dataset, LoadOptions, RuleSet};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use unicode_normalization::UnicodeNormalization;

const ROWS: usize = 100_000;

const HEADER: [&str; 10] = [
    "unit",
    "ma_don_vi",
    "staff_total",
    "it_qualified_staff",
    "it_dedicated_staff",
    "it_dedicated_with_degree",
    "infosec_staff",
    "staff_trained_infosec",
    "ty_le_dao_tao",
    "ghi_chu",
];

const KINDS: [&str; 8] = [
    "Sở Y tế",
    "Phòng Giáo dục và Đào tạo",
    "Trường THCS",
    "Trường Tiểu học",
    "Trạm Y tế xã",
    "UBND phường",
    "Trung tâm Y tế huyện",
    "Ban Quản lý dự án",
];

const PLACES: [&str; 13] = [
    "Hạ Long",
    "Cẩm Phả",
    "Uông Bí",
    "Móng Cái",
    "Đông Triều",
    "Quảng Yên",
    "Vân Đồn",
    "Tiên Yên",
    "Bình Liêu",
    "Đầm Hà",
    "Hải Hà",
    "Ba Chẽ",
    "Cô Tô",
];

/// Notes as provinces write them: nothing, missing markers, text, a comma, quotes.
const NOTES: [&str; 8] = [
    "",
    "",
    "",
    "NA",
    "-",
    "Đã kiểm tra",
    "Thiếu số liệu, bổ sung sau",
    "Số liệu \"ước tính\"",
];

/// The cells of the generated rows, as text with `.` decimals.
fn rows() -> Vec<[String; 10]> {
    // A fixed linear congruential generator: the same rows on every run.
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = |m: i64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) % (m as u64)) as i64
    };
    (0..ROWS)
        .map(|i| {
            let staff = 20 + next(300);
            let qualified = next(12);
            let dedicated = next(qualified + 1);
            let degree = next(dedicated + 1);
            // Every 50th unit lacks its infosec count, as in real submissions.
            let infosec = if i % 50 == 0 {
                String::new()
            } else {
                next(3).to_string()
            };
            let trained = next(staff + 1);
            let share = format!("{:.4}", trained as f64 / staff as f64);
            [
                format!(
                    "{} {} số {}",
                    KINDS[i % KINDS.len()],
                    PLACES[(i / KINDS.len()) % PLACES.len()],
                    i + 1
                ),
                format!("QN{:06}", next(1_000_000)),
                staff.to_string(),
                qualified.to_string(),
                dedicated.to_string(),
                degree.to_string(),
                infosec,
                trained.to_string(),
                share,
                NOTES[next(NOTES.len() as i64) as usize].to_string(),
            ]
        })
        .collect()
}

/// The rows as CSV text with `sep`, Excel's `\r\n` line ends, and quotes where needed.
fn csv_text(rows: &[[String; 10]], sep: char, decimal_comma: bool) -> String {
    let mut out = String::with_capacity(rows.len() * 120);
    let cell = |out: &mut String, c: &str| {
        if c.contains([sep, '"', '\n']) {
            out.push('"');
            out.push_str(&c.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(c);
        }
    };
    for (i, h) in HEADER.iter().enumerate() {
        if i > 0 {
            out.push(sep);
        }
        cell(&mut out, h);
    }
    out.push_str("\r\n");
    for row in rows {
        for (i, c) in row.iter().enumerate() {
            if i > 0 {
                out.push(sep);
            }
            if decimal_comma && i == 8 {
                cell(&mut out, &c.replace('.', ","));
            } else {
                cell(&mut out, c);
            }
        }
        out.push_str("\r\n");
    }
    out
}

/// Vietnamese tone marks, combining: grave, acute, tilde, hook above, dot below.
const TONES: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];

/// `text` in Windows-1258. The code page has few precomposed Vietnamese letters: a tone
/// mark follows its base letter as a combining character, as legacy software writes it.
fn windows_1258(text: &str) -> Vec<u8> {
    let enc = encoding_rs::WINDOWS_1258;
    let mut out = Vec::with_capacity(text.len());
    let mut buf = [0u8; 4];
    for ch in text.nfc() {
        let (bytes, _, unmappable) = enc.encode(ch.encode_utf8(&mut buf));
        if !unmappable {
            out.extend_from_slice(&bytes);
            continue;
        }
        // The tone mark (grave, acute, tilde, hook, dot below) is written after the
        // rest of the letter, which the code page has precomposed (`ệ` → `ê` + dot below).
        let (tones, rest): (Vec<char>, Vec<char>) =
            ch.to_string().nfd().partition(|c| TONES.contains(c));
        let base: String = rest.into_iter().collect::<String>().nfc().collect();
        let tone: String = tones.into_iter().collect();
        let (b, _, bad_base) = enc.encode(&base);
        let (m, _, bad_mark) = enc.encode(&tone);
        assert!(
            !bad_base && !bad_mark,
            "`{ch}` has no Windows-1258 spelling"
        );
        out.extend_from_slice(&b);
        out.extend_from_slice(&m);
    }
    out
}

/// One shape of the export: its file, how chiso is told to read it, and how the floor
/// reads it.
struct Variant {
    name: &'static str,
    path: PathBuf,
    options: LoadOptions,
    delimiter: u8,
    legacy: bool,
}

fn write_once(path: &Path, bytes: impl FnOnce() -> Vec<u8>) {
    if std::fs::metadata(path).is_ok_and(|m| m.len() > 0) {
        return;
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes()).expect("bench data is writable");
    std::fs::rename(&tmp, path).expect("bench data is writable");
}

fn variants(rules: &RuleSet) -> Vec<Variant> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("target/bench-data is writable");
    let rows = std::sync::OnceLock::new();
    let rows = || rows.get_or_init(self::rows);

    let utf8 = dir.join(format!("data-loading-{ROWS}-utf8.csv"));
    write_once(&utf8, || csv_text(rows(), ',', false).into_bytes());

    let bom = dir.join(format!("data-loading-{ROWS}-semicolon-bom.csv"));
    write_once(&bom, || {
        let mut b = b"\xef\xbb\xbf".to_vec();
        b.extend_from_slice(csv_text(rows(), ';', true).as_bytes());
        b
    });
    // `--decimal-comma`; the delimiter is detected, as the command line does by default.
    let mut comma = rules.load_options();
    comma.numbers = NumberFormat {
        decimal: ',',
        thousands: None,
    };

    let legacy = dir.join(format!("data-loading-{ROWS}-cp1258.csv"));
    write_once(&legacy, || windows_1258(&csv_text(rows(), ',', false)));
    // `--encoding windows-1258`.
    let mut cp1258 = rules.load_options();
    cp1258.encoding = Some("windows-1258".into());

    vec![
        Variant {
            name: "utf8_comma",
            path: utf8,
            options: rules.load_options(),
            delimiter: b',',
            legacy: false,
        },
        Variant {
            name: "semicolon_bom_decimal_comma",
            path: bom,
            options: comma,
            delimiter: b';',
            legacy: false,
        },
        Variant {
            name: "windows_1258",
            path: legacy,
            options: cp1258,
            delimiter: b',',
            legacy: true,
        },
    ]
}

/// The floor: the file's bytes read by the `csv` crate into string records (decoded
/// from Windows-1258 first where the file is in it).
fn floor(v: &Variant) -> Vec<csv::StringRecord> {
    let bytes = std::fs::read(&v.path).expect("bench data is readable");
    let text: Cow<'_, [u8]> = if v.legacy {
        let (text, bad) = encoding_rs::WINDOWS_1258.decode_without_bom_handling(&bytes);
        assert!(!bad);
        Cow::Owned(text.into_owned().into_bytes())
    } else {
        Cow::Borrowed(&bytes)
    };
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(v.delimiter)
        .from_reader(&text[..])
        .records()
        .collect::<Result<_, _>>()
        .expect("the floor reads the file")
}

/// As `chiso run --rules rules/it-staffing --data FILE [reading options]` loads it.
fn chiso(rules: &RuleSet, v: &Variant) -> Dataset {
    rules
        .load_data_with(&[&v.path], &v.options)
        .unwrap_or_else(|e| panic!("{}: {e}", v.name))
}

/// A field as text, whichever way its variant typed it (`0,4521` read with a decimal
/// comma is the number `0.4521`; `0.4521` read plainly is the text `"0.4521"`).
fn text(v: &RawValue) -> Option<String> {
    match v {
        RawValue::Null => None,
        RawValue::Text(t) | RawValue::Number(t) => Some(t.clone()),
        other => Some(other.to_string()),
    }
}

fn bench(c: &mut Criterion) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let rules = RuleSet::load(root.join("rules/it-staffing")).expect("the shipped rule set loads");
    let variants = variants(&rules);

    // Every shape must load to the same units and values before its speed means anything.
    let reference = chiso(&rules, &variants[0]);
    assert_eq!(reference.records.len(), ROWS);
    assert_eq!(floor(&variants[0]).len(), ROWS + 1);
    let first = &reference.records[1];
    assert_eq!(first.unit, "Phòng Giáo dục và Đào tạo Hạ Long số 2");
    assert_eq!(reference.records[0].fields["infosec_staff"], RawValue::Null);
    for v in &variants[1..] {
        let data = chiso(&rules, v);
        assert_eq!(data.records.len(), ROWS, "{}", v.name);
        for (a, b) in reference.records.iter().zip(&data.records) {
            assert_eq!(a.unit, b.unit, "{}", v.name);
            let fa: Vec<_> = a.fields.iter().map(|(k, x)| (k, text(x))).collect();
            let fb: Vec<_> = b.fields.iter().map(|(k, x)| (k, text(x))).collect();
            assert_eq!(fa, fb, "{}: {}", v.name, a.unit);
        }
    }
    let comma = chiso(&rules, &variants[1]);
    assert!(matches!(
        comma.records[0].fields["ty_le_dao_tao"],
        RawValue::Number(_)
    ));
    drop((reference, comma));

    let mut group = c.benchmark_group("data_loading_100k_rows");
    group.sample_size(10);
    group.warm_up_time(std::time::Duration::from_secs(1));
    group.measurement_time(std::time::Duration::from_secs(5));
    group.throughput(Throughput::Elements(ROWS as u64));
    for v in &variants {
        group.bench_with_input(BenchmarkId::new("chiso", v.name), v, |b, v| {
            b.iter(|| chiso(&rules, black_box(v)))
        });
        group.bench_with_input(BenchmarkId::new("csv_floor", v.name), v, |b, v| {
            b.iter(|| floor(black_box(v)))
        });
    }
    let plain = &variants[0];
    group.bench_with_input(
        BenchmarkId::new("dataset_load_with", plain.name),
        plain,
        |b, v| b.iter(|| Dataset::load_with(black_box(&v.path), &v.options).expect("loads")),
    );
    group.finish();

    // Paired timings: chiso and its floor alternately, the median of their ratios.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    const PAIRS: usize = 15;
    eprintln!("\npaired: {PAIRS} alternate loads of each variant and its floor (medians)");
    eprintln!(
        "{:<30} {:>10} {:>10} {:>9} {:>16}",
        "variant", "chiso ms", "floor ms", "ns/row", "ratio chiso/floor"
    );
    let median = |mut xs: Vec<f64>| {
        xs.sort_by(f64::total_cmp);
        xs[xs.len() / 2]
    };
    for v in &variants {
        let (mut ours, mut theirs, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..PAIRS {
            let t = Instant::now();
            black_box(chiso(&rules, v));
            let a = t.elapsed().as_secs_f64();
            let t = Instant::now();
            black_box(floor(v));
            let b = t.elapsed().as_secs_f64();
            ours.push(a);
            theirs.push(b);
            ratios.push(a / b);
        }
        let (a, b) = (median(ours), median(theirs));
        eprintln!(
            "{:<30} {:>10.1} {:>10.1} {:>9.0} {:>16.2}",
            v.name,
            a * 1e3,
            b * 1e3,
            a * 1e9 / ROWS as f64,
            median(ratios)
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
