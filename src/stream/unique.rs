//! Every unit name seen in a stream, in little memory: the first units in a fixed-size
//! fingerprint index, the rest on disk.
//!
//! A stream must still refuse a unit that appears twice, and exact detection over `n`
//! units needs state that grows with `n`; for memory to stay flat it goes to disk.
//!
//! The first [`CAP`] units are remembered in memory, not by the name itself but by a
//! 96-bit fingerprint of it (two independently keyed SipHashes of the name, keys drawn at
//! random per stream) and the number of its position (`row 7` → 7; the file and the words
//! before the number change only between files), 16 bytes per record whatever the name's
//! length, plus a table of 4-byte record numbers (rehashed from the stored fingerprints,
//! never from the names): about 25 bytes per unit, ≈ 3 MB at the cap. A second occurrence
//! of one of them is refused at once, even beyond the cap, as every later unit is still
//! looked up there. Two *different* names with the same fingerprint would be refused as a
//! duplicate (never passed silently); the chance of that anywhere in a stream of `n`
//! units is at most `n² / 2⁹⁷` — below 10⁻¹⁷ for a million units.
//!
//! The units beyond the cap are written, with their names and positions, to sorted runs
//! in temporary files (`spill.rs`, in [`std::env::temp_dir`]: `TMPDIR` on Unix) and
//! checked against each other exactly, by comparing names, when runs are merged and when
//! the records end ([`UniqueUnits::check`]). A name written twice among them is refused
//! when it is found — at the latest when the records end, after the findings of both
//! occurrences were streamed — as the same error naming both positions (the pair whose
//! second occurrence comes first, the one an index in memory would have refused): the
//! stream ends with it instead of a summary, and the CLI exits as for any duplicate.
//! Where there is no file system (WebAssembly) every unit stays in memory, as before.

use std::hash::BuildHasher;
use std::path::Path;

use hashbrown::HashTable;

use super::spill::{ODD, Pair, Spill, Spot};
use crate::data::{DataError, Origin};

/// How many units the in-memory index holds: as many as its table of 2¹⁷ slots takes
/// before it grows (7/8 of them), so a stream of 100,000 units and one of a million use
/// the same memory.
pub(crate) const CAP: usize = 114_688;

/// How many bytes of names beyond the cap are buffered before a sorted run is written.
const RUN_BYTES: usize = 256 << 10;

/// Where a run of records came from: a file and the words before each record's number.
struct Segment {
    /// The first record of the run.
    start: u64,
    file: String,
    prefix: String,
}

/// Why a unit was refused.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// It was seen before, there.
    Twice(Origin),
    /// A unit written twice earlier in the stream was found among the units on disk, or
    /// they could not be kept there: the whole error.
    Found(DataError),
}

impl Refusal {
    /// The error of a stream that refused `unit`, read at `at`.
    pub(crate) fn error(self, unit: String, at: Origin) -> DataError {
        match self {
            Refusal::Twice(first) => DataError::DuplicateUnit {
                unit,
                first,
                second: at,
            },
            Refusal::Found(e) => e,
        }
    }
}

/// The names seen so far, with where each was first seen.
pub(crate) struct UniqueUnits {
    /// Record numbers, found by their fingerprint's first hash.
    table: HashTable<u32>,
    /// Per record in memory: its name's first hash (two halves), 32 bits of the second
    /// hash, and the number of its position (`row 7` → 7) or [`ODD`].
    records: Vec<[u32; 4]>,
    /// Positions that are not a prefix and a number, by record (rare: `units[3].x`).
    odd: Vec<(u32, String)>,
    segments: Vec<Segment>,
    /// Records seen.
    count: u64,
    /// How many records the in-memory index holds.
    cap: usize,
    /// Bytes of names buffered before a run is written.
    run_bytes: usize,
    /// The units beyond the cap, from the first of them on.
    spill: Option<Spill>,
    /// The directory of the runs, when not [`std::env::temp_dir`] (tests).
    dir: Option<std::path::PathBuf>,
    first: std::collections::hash_map::RandomState,
    second: std::collections::hash_map::RandomState,
}

#[cfg(test)]
thread_local! {
    /// A test's cap and run size for the streams it makes (tests run one per thread).
    pub(crate) static TEST_CAP: std::cell::Cell<Option<(usize, usize)>> =
        const { std::cell::Cell::new(None) };
}

impl Default for UniqueUnits {
    fn default() -> Self {
        #[cfg(test)]
        if let Some((cap, run_bytes)) = TEST_CAP.with(std::cell::Cell::get) {
            return UniqueUnits::bounded(cap, run_bytes);
        }
        // `std::env::temp_dir` panics where there is no file system.
        let cap = if cfg!(any(unix, windows)) {
            CAP
        } else {
            usize::MAX
        };
        UniqueUnits::bounded(cap, RUN_BYTES)
    }
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
    /// An index holding `cap` units in memory and writing the rest in runs of
    /// `run_bytes` bytes of names.
    pub(crate) fn bounded(cap: usize, run_bytes: usize) -> Self {
        UniqueUnits {
            table: HashTable::new(),
            records: Vec::new(),
            odd: Vec::new(),
            segments: Vec::new(),
            count: 0,
            cap,
            run_bytes,
            spill: None,
            dir: None,
            first: Default::default(),
            second: Default::default(),
        }
    }

    /// This index writing its runs into `dir`.
    #[cfg(test)]
    pub(crate) fn in_dir(mut self, dir: &Path) -> Self {
        self.dir = Some(dir.to_path_buf());
        self
    }

    /// Remembers the unit of a record; refuses it when it was seen before.
    pub(crate) fn insert(&mut self, unit: &str, origin: &Origin) -> Result<(), Refusal> {
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
    ) -> Result<(), Refusal> {
        match u32::try_from(number) {
            Ok(n) if n != ODD => self.remember(unit, file, prefix, n, None),
            _ => self.remember(unit, file, "", ODD, Some(&format!("{prefix}{number}"))),
        }
    }

    /// Checks the units on disk against each other (nothing to do when no unit came
    /// since the last check): at the end of the records, and of each piece of them.
    pub(crate) fn check(&mut self) -> Result<(), DataError> {
        let Some(spill) = self.spill.as_mut() else {
            return Ok(());
        };
        let found = spill.check();
        let end = || Origin {
            file: self
                .segments
                .last()
                .map(|s| s.file.clone())
                .unwrap_or_default(),
            position: "the end of the records".into(),
        };
        match found {
            Ok(None) => Ok(()),
            Ok(Some(pair)) => Err(self.twice(pair)),
            Err(e) => Err(self.spill_error(e, end())),
        }
    }

    fn remember(
        &mut self,
        unit: &str,
        file: &str,
        prefix: &str,
        number: u32,
        odd: Option<&str>,
    ) -> Result<(), Refusal> {
        let hash = self.first.hash_one(unit);
        let check = self.second.hash_one(unit) as u32;
        let (lo, hi) = (hash as u32, (hash >> 32) as u32);
        let records = &self.records;
        let same = |&i: &u32| {
            records
                .get(i as usize)
                .is_some_and(|r| r[0] == lo && r[1] == hi && r[2] == check)
        };
        // Beyond the cap too: a unit seen among the first is refused at once.
        if let Some(&i) = self.table.find(hash, same) {
            // Unless a unit on disk was written twice before this one: that one, as an
            // index all in memory would have refused it first.
            return match self.check() {
                Ok(()) => Err(Refusal::Twice(self.origin(i))),
                Err(e) => Err(Refusal::Found(e)),
            };
        }
        let record = self.count;
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
        self.count += 1;
        match u32::try_from(record) {
            Ok(index) if (index as usize) < self.cap => {
                if let Some(position) = odd {
                    self.odd.push((index, position.to_string()));
                }
                self.records.push([lo, hi, check, number]);
                let records = &self.records;
                self.table.insert_unique(hash, index, |&i| {
                    records
                        .get(i as usize)
                        .map_or(0, |r| u64::from(r[0]) | (u64::from(r[1]) << 32))
                });
                Ok(())
            }
            _ => self.spill(unit, hash, record, number, odd, file, prefix),
        }
    }

    /// Keeps a unit beyond the cap on disk; refuses it when a unit written twice has
    /// been found there.
    #[allow(clippy::too_many_arguments)]
    fn spill(
        &mut self,
        unit: &str,
        hash: u64,
        record: u64,
        number: u32,
        odd: Option<&str>,
        file: &str,
        prefix: &str,
    ) -> Result<(), Refusal> {
        let run_bytes = self.run_bytes;
        let dir = &self.dir;
        let spill = self.spill.get_or_insert_with(|| {
            Spill::new(dir.clone().unwrap_or_else(std::env::temp_dir), run_bytes)
        });
        let here = || Origin {
            file: file.to_string(),
            position: odd.map_or_else(|| format!("{prefix}{number}"), str::to_string),
        };
        if let Err(e) = spill.push(hash, record, number, unit, odd.unwrap_or("")) {
            return Err(Refusal::Found(self.spill_error(e, here())));
        }
        if spill.found() {
            // Which pair: the one whose second occurrence comes first.
            return match spill.check() {
                Ok(Some(pair)) => Err(Refusal::Found(self.twice(pair))),
                Ok(None) => Ok(()),
                Err(e) => Err(Refusal::Found(self.spill_error(e, here()))),
            };
        }
        Ok(())
    }

    /// The error of a unit found twice on disk.
    fn twice(&self, pair: Pair) -> DataError {
        DataError::DuplicateUnit {
            unit: pair.name,
            first: self.spot(&pair.first),
            second: self.spot(&pair.second),
        }
    }

    /// The error of a temporary file that could not be written or read.
    fn spill_error(&self, e: std::io::Error, at: Origin) -> DataError {
        let dir = self.spill.as_ref().map_or(Path::new(""), |s| s.dir());
        DataError::Record {
            origin: at,
            message: format!(
                "cannot keep the names of the units beyond the first {} in a temporary file in `{}` (to refuse a unit written twice; TMPDIR chooses the directory): {e}",
                self.cap,
                dir.display()
            ),
        }
    }

    /// The segment of record number `record`.
    fn segment(&self, record: u64) -> Option<&Segment> {
        let at = self.segments.partition_point(|s| s.start <= record);
        at.checked_sub(1).and_then(|i| self.segments.get(i))
    }

    /// Where a unit on disk was read.
    fn spot(&self, spot: &Spot) -> Origin {
        let segment = self.segment(spot.ordinal);
        Origin {
            file: segment.map(|s| s.file.clone()).unwrap_or_default(),
            position: if spot.number == ODD {
                spot.odd.clone()
            } else {
                format!(
                    "{}{}",
                    segment.map_or("", |s| s.prefix.as_str()),
                    spot.number
                )
            },
        }
    }

    /// Where record number `record` (in memory) was read.
    fn origin(&self, record: u32) -> Origin {
        let segment = self.segment(u64::from(record));
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
#[path = "unique_tests.rs"]
mod tests;
