//! The index of unit names: in memory, across the cap, and on disk alone.

use std::collections::HashMap;

use super::*;

fn at(file: &str, position: &str) -> Origin {
    Origin {
        file: file.into(),
        position: position.into(),
    }
}

/// Where a unit refused at once was first seen; `None` when it was new.
fn first(r: Result<(), Refusal>) -> Option<Origin> {
    match r {
        Ok(()) => None,
        Err(Refusal::Twice(first)) => Some(first),
        Err(Refusal::Found(e)) => panic!("{e}"),
    }
}

type Twice = (String, Origin, Origin);

fn twice(e: DataError) -> Twice {
    match e {
        DataError::DuplicateUnit {
            unit,
            first,
            second,
        } => (unit, first, second),
        other => panic!("{other}"),
    }
}

/// What a stream of `records` ends with: the first refusal, or the check at the end.
fn run(seen: &mut UniqueUnits, records: &[(String, Origin)]) -> Option<Twice> {
    for (name, origin) in records {
        if let Err(r) = seen.insert(name, origin) {
            return Some(twice(r.error(name.clone(), origin.clone())));
        }
    }
    seen.check().err().map(twice)
}

/// The unit an index of every name in memory refuses: the first second occurrence.
fn in_memory(records: &[(String, Origin)]) -> Option<Twice> {
    let mut seen: HashMap<&str, &Origin> = HashMap::new();
    for (name, origin) in records {
        if let Some(first) = seen.insert(name, origin) {
            return Some((name.clone(), first.clone(), origin.clone()));
        }
    }
    None
}

/// `n` distinct units, rows of `a.csv` then of `b.csv`, with a few oddly placed.
fn units(n: usize) -> Vec<(String, Origin)> {
    (0..n)
        .map(|i| {
            let file = if i < n / 2 { "a.csv" } else { "b.csv" };
            let position = if i % 97 == 5 {
                format!("units[{i}]")
            } else {
                format!("row {}", i + 2)
            };
            (format!("Đơn vị {i}"), at(file, &position))
        })
        .collect()
}

/// `records` with unit `of` written again at `place`, read from `c.csv`.
fn again(records: &mut Vec<(String, Origin)>, place: usize, of: usize) {
    let name = records[of].0.clone();
    records.insert(place, (name, at("c.csv", &format!("row {place}"))));
}

#[test]
fn a_second_occurrence_names_the_first() {
    let mut seen = UniqueUnits::default();
    for i in 0..10_000 {
        let file = if i < 5_000 { "a.csv" } else { "b.csv" };
        seen.insert(&format!("Đơn vị {i}"), &at(file, &format!("row {}", i + 2)))
            .unwrap();
    }
    assert_eq!(
        first(seen.insert("Đơn vị 17", &at("c.csv", "row 9"))),
        Some(at("a.csv", "row 19"))
    );
    assert_eq!(
        first(seen.insert("Đơn vị 9000", &at("c.csv", "row 9"))),
        Some(at("b.csv", "row 9002"))
    );
    assert!(seen.insert("Đơn vị 10000", &at("c.csv", "row 2")).is_ok());
    assert!(seen.insert("", &at("c.csv", "row 3")).is_ok());
    assert_eq!(
        first(seen.insert("", &at("c.csv", "row 4"))),
        Some(at("c.csv", "row 3"))
    );
    assert!(seen.check().is_ok());
    assert!(seen.spill.is_none(), "10,000 units stay in memory");
}

#[test]
fn positions_that_are_not_a_word_and_a_number_come_back_as_written() {
    let odd = [
        "units[3]",
        "row 007",
        "",
        "line 4294967295",
        "row 99999999999",
        "x 5 y",
    ];
    let mut records = Vec::new();
    for (i, p) in odd.iter().enumerate() {
        records.push((format!("u{i}"), at("f.json", p)));
        records.push((format!("v{i}"), at("g.json", "line 12")));
    }
    let mut seen = UniqueUnits::default();
    for (name, origin) in &records {
        seen.insert(name, origin).unwrap();
    }
    for (i, p) in odd.iter().enumerate() {
        assert_eq!(
            first(seen.insert(&format!("u{i}"), &at("h", "row 1"))),
            Some(at("f.json", p))
        );
        assert_eq!(
            first(seen.insert(&format!("v{i}"), &at("h", "row 1"))),
            Some(at("g.json", "line 12"))
        );
    }
    // The same positions, kept on disk.
    for (i, p) in odd.iter().enumerate() {
        let mut with = records.clone();
        with.push((format!("u{i}"), at("h", "row 1")));
        let mut seen = UniqueUnits::bounded(0, 64);
        let found = run(&mut seen, &with);
        assert_eq!(
            found,
            Some((format!("u{i}"), at("f.json", p), at("h", "row 1")))
        );
    }
}

#[test]
fn a_unit_among_the_first_is_refused_at_once_beyond_the_cap() {
    let mut records = units(3_000);
    again(&mut records, 2_500, 3);
    let mut seen = UniqueUnits::bounded(10, 200);
    for (name, origin) in records.iter().take(2_500) {
        seen.insert(name, origin).unwrap();
    }
    let (name, origin) = &records[2_500];
    assert_eq!(first(seen.insert(name, origin)), Some(at("a.csv", "row 5")));
    assert!(seen.spill.is_some());
}

#[test]
fn units_on_disk_written_twice_are_refused_with_both_places() {
    let cases: &[&[(usize, usize)]] = &[
        // Far apart, across runs and merges of runs.
        &[(2_900, 100)],
        // In one buffer, not yet written.
        &[(2_995, 2_990)],
        // Next to each other.
        &[(1_001, 1_000)],
        // An oddly placed first occurrence.
        &[(2_000, 102)],
        // Two: the second occurrence that comes first wins.
        &[(2_500, 50), (2_000, 500)],
        // Three times: the first two.
        &[(2_800, 700), (2_200, 700)],
        // On disk before one in memory (with no run written between them).
        &[(1_600, 3), (1_500, 1_400)],
    ];
    for (n, case) in cases.iter().enumerate() {
        let mut records = units(3_000);
        for &(place, of) in *case {
            again(&mut records, place, of);
        }
        let expected = in_memory(&records);
        assert!(expected.is_some());
        for (cap, run_bytes) in [(10, 200), (10, 1 << 20), (0, 64), (1_200, 4_096)] {
            let mut seen = UniqueUnits::bounded(cap, run_bytes);
            assert_eq!(
                run(&mut seen, &records),
                expected,
                "case {n}, cap {cap}, runs of {run_bytes} bytes"
            );
        }
    }
}

#[test]
fn random_streams_refuse_what_an_index_in_memory_refuses() {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |below: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize % below.max(1)
    };
    let mut refused = 0;
    for round in 0..60 {
        let n = 1 + next(2_500);
        let mut records = units(n);
        for _ in 0..next(3) {
            let place = 1 + next(records.len());
            let of = next(place);
            again(&mut records, place, of);
        }
        let expected = in_memory(&records);
        refused += usize::from(expected.is_some());
        let cap = [0, 1, 7, 100, n][next(5)];
        let run_bytes = [24, 300, 4_096][next(3)];
        let mut seen = UniqueUnits::bounded(cap, run_bytes);
        assert_eq!(
            run(&mut seen, &records),
            expected,
            "round {round}: {n} units, cap {cap}, runs of {run_bytes} bytes"
        );
    }
    assert!(refused > 20, "{refused}");
}

#[test]
fn names_that_differ_are_never_taken_for_one() {
    // Runs of 24 bytes hold one entry each: 40,000 names through three levels of merges.
    let records: Vec<(String, Origin)> = (0..40_000)
        .map(|i| (format!("{i:x}"), at("a.csv", &format!("row {i}"))))
        .collect();
    let mut seen = UniqueUnits::bounded(0, 24);
    assert_eq!(run(&mut seen, &records), None);
}

#[test]
fn a_temporary_directory_that_cannot_be_written_is_a_clear_error() {
    let dir = std::env::temp_dir().join("chiso-no-such-directory/inside");
    let mut seen = UniqueUnits::bounded(2, 64).in_dir(&dir);
    let records = units(10);
    let mut error = None;
    for (name, origin) in &records {
        if let Err(r) = seen.insert(name, origin) {
            error = Some(r.error(name.clone(), origin.clone()).to_string());
            break;
        }
    }
    let error = error.expect("the run could not be written");
    assert!(error.starts_with("a.csv, row "), "{error}");
    assert!(
        error.contains(
            "cannot keep the names of the units beyond the first 2 in a temporary file in `"
        ),
        "{error}"
    );
    assert!(error.contains("chiso-no-such-directory"), "{error}");
    // Found when the records end, with a buffer never written before.
    let mut seen = UniqueUnits::bounded(2, 1 << 20).in_dir(&dir);
    for (name, origin) in &records {
        seen.insert(name, origin).unwrap();
    }
    let error = seen.check().unwrap_err().to_string();
    assert!(
        error.starts_with("b.csv, the end of the records: cannot keep"),
        "{error}"
    );
}
