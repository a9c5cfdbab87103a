//! Every unit name seen in a stream, as a fixed-size fingerprint, in little memory.
//!
//! A stream must still refuse a unit that appears twice, so it remembers every name it
//! has seen — not the name itself but a 96-bit fingerprint of it (two independently keyed
//! SipHashes of the name, keys drawn at random per stream) and the number of its position
//! (`row 7` → 7; the file and the words before the number change only between files), 16
//! bytes per record whatever the name's length, plus a table of 4-byte record numbers
//! (rehashed from the stored fingerprints, never from the names): about 25 bytes per unit,
//! against ≈ 55 for the names and positions kept as text.
//!
//! A duplicate can never be missed: the same name always has the same fingerprint. Two
//! *different* names with the same fingerprint would be refused as a duplicate (never
//! passed silently); the chance of that anywhere in a stream of `n` units is at most
//! `n² / 2⁹⁷` — below 10⁻¹⁷ for a million units, below 10⁻¹¹ for a billion.

use std::hash::BuildHasher;

use hashbrown::HashTable;

use crate::data::Origin;

/// Where a run of records came from: a file and the words before each record's number.
struct Segment {
    /// The first record of the run.
    start: u32,
    file: String,
    prefix: String,
}

/// Marks a record whose position is not `prefix` + a number (kept in `odd`).
const ODD: u32 = u32::MAX;

/// The names seen so far, with where each was first seen.
#[derive(Default)]
pub(crate) struct UniqueUnits {
    /// Record numbers, found by their fingerprint's first hash.
    table: HashTable<u32>,
    /// Per record: its name's first hash (two halves), 32 bits of the second hash, and
    /// the number of its position (`row 7` → 7) or [`ODD`].
    records: Vec<[u32; 4]>,
    /// Positions that are not a prefix and a number, by record (rare: `units[3].x`).
    odd: Vec<(u32, String)>,
    segments: Vec<Segment>,
    first: std::collections::hash_map::RandomState,
    second: std::collections::hash_map::RandomState,
}

/// `row 17` → (`row `, 17); `None` when the position does not end in a number that fits.
fn split_position(position: &str) -> Option<(&str, u32)> {
    let digits = position.len()
        - position
            .trim_end_matches(|c: char| c.is_ascii_digit())
            .len();
    let (prefix, number) = position.split_at(position.len() - digits);
    // A leading zero would not print back the same.
    if number.is_empty() || (number.len() > 1 && number.starts_with('0')) {
        return None;
    }
    let n: u32 = number.parse().ok()?;
    (n != ODD).then_some((prefix, n))
}

impl UniqueUnits {
    /// Remembers the unit of a record; when it was seen before, returns where.
    pub(crate) fn insert(&mut self, unit: &str, origin: &Origin) -> Result<(), Origin> {
        match split_position(&origin.position) {
            Some((prefix, n)) => self.remember(unit, &origin.file, prefix, n, None),
            None => self.remember(unit, &origin.file, "", ODD, Some(&origin.position)),
        }
    }

    /// [`UniqueUnits::insert`] for a record at `prefix` + `number` (`row 7`), with
    /// nothing allocated when the name is new.
    pub(crate) fn insert_numbered(
        &mut self,
        unit: &str,
        file: &str,
        prefix: &str,
        number: u64,
    ) -> Result<(), Origin> {
        match u32::try_from(number) {
            Ok(n) if n != ODD => self.remember(unit, file, prefix, n, None),
            _ => self.remember(unit, file, "", ODD, Some(&format!("{prefix}{number}"))),
        }
    }

    fn remember(
        &mut self,
        unit: &str,
        file: &str,
        prefix: &str,
        number: u32,
        odd: Option<&str>,
    ) -> Result<(), Origin> {
        let hash = self.first.hash_one(unit);
        let check = self.second.hash_one(unit) as u32;
        let (lo, hi) = (hash as u32, (hash >> 32) as u32);
        let records = &self.records;
        let same = |&i: &u32| {
            records
                .get(i as usize)
                .is_some_and(|r| r[0] == lo && r[1] == hi && r[2] == check)
        };
        if let Some(&i) = self.table.find(hash, same) {
            return Err(self.origin(i));
        }
        let Ok(record) = u32::try_from(self.records.len()) else {
            // Beyond four billion units: refusing is better than missing a duplicate.
            return Err(Origin {
                file: file.to_string(),
                position: "(more than 4,294,967,294 units in one stream)".into(),
            });
        };
        let same = self
            .segments
            .last()
            .is_some_and(|s| s.file == file && s.prefix == prefix);
        if !same {
            self.segments.push(Segment {
                start: record,
                file: file.to_string(),
                prefix: prefix.to_string(),
            });
        }
        if let Some(position) = odd {
            self.odd.push((record, position.to_string()));
        }
        self.records.push([lo, hi, check, number]);
        let records = &self.records;
        self.table.insert_unique(hash, record, |&i| {
            records
                .get(i as usize)
                .map_or(0, |r| u64::from(r[0]) | (u64::from(r[1]) << 32))
        });
        Ok(())
    }

    /// Where record number `record` was read.
    fn origin(&self, record: u32) -> Origin {
        let at = self.segments.partition_point(|s| s.start <= record);
        let segment = at.checked_sub(1).and_then(|i| self.segments.get(i));
        let file = segment.map(|s| s.file.clone()).unwrap_or_default();
        let position = match self.records.get(record as usize).map(|r| r[3]) {
            Some(ODD) | None => self
                .odd
                .binary_search_by_key(&record, |(r, _)| *r)
                .ok()
                .and_then(|i| self.odd.get(i))
                .map(|(_, p)| p.clone())
                .unwrap_or_default(),
            Some(n) => format!("{}{n}", segment.map_or("", |s| s.prefix.as_str())),
        };
        Origin { file, position }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(file: &str, position: &str) -> Origin {
        Origin {
            file: file.into(),
            position: position.into(),
        }
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
            seen.insert("Đơn vị 17", &at("c.csv", "row 9")),
            Err(at("a.csv", "row 19"))
        );
        assert_eq!(
            seen.insert("Đơn vị 9000", &at("c.csv", "row 9")),
            Err(at("b.csv", "row 9002"))
        );
        assert!(seen.insert("Đơn vị 10000", &at("c.csv", "row 2")).is_ok());
        assert!(seen.insert("", &at("c.csv", "row 3")).is_ok());
        assert_eq!(
            seen.insert("", &at("c.csv", "row 4")),
            Err(at("c.csv", "row 3"))
        );
    }

    #[test]
    fn positions_that_are_not_a_word_and_a_number_come_back_as_written() {
        let mut seen = UniqueUnits::default();
        let odd = [
            "units[3]",
            "row 007",
            "",
            "line 4294967295",
            "row 99999999999",
            "x 5 y",
        ];
        for (i, p) in odd.iter().enumerate() {
            seen.insert(&format!("u{i}"), &at("f.json", p)).unwrap();
            seen.insert(&format!("v{i}"), &at("g.json", "line 12"))
                .unwrap();
        }
        for (i, p) in odd.iter().enumerate() {
            assert_eq!(
                seen.insert(&format!("u{i}"), &at("h", "row 1")),
                Err(at("f.json", p))
            );
            assert_eq!(
                seen.insert(&format!("v{i}"), &at("h", "row 1")),
                Err(at("g.json", "line 12"))
            );
        }
    }
}
