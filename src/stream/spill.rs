//! The unit names of a long stream beyond its in-memory index, kept on disk in sorted
//! runs and checked for a name written twice by merging the runs (see `unique.rs`).
//!
//! Each name is buffered with where it was read; a full buffer is sorted by (fingerprint,
//! name, place in the stream) and written to a temporary file as a *run*. Sixteen runs of
//! one size are merged into one run of the next size, so the number of runs, and of files
//! open, grows only with the logarithm of the stream. Equal names are adjacent in any
//! sorted merge, so a name written twice is found exactly, by comparing the names
//! themselves — two names that share a fingerprint are never taken for one.
//!
//! Memory stays flat: the buffer (≈ 256 KiB) and one read buffer per run merged.
//! The files are removed from their directory as soon as they are opened (on Unix) or
//! when they are dropped (elsewhere), so nothing is left behind, even by a crash, on Unix.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::collections::binary_heap::PeekMut;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering as Atomic};

/// Marks an entry whose position is kept as written (not a prefix and a number).
pub(super) const ODD: u32 = u32::MAX;

/// How many runs of one size are merged into one.
const FAN_IN: usize = 16;
/// The read buffer of each run being merged.
const READ_BUFFER: usize = 16 << 10;
/// The write buffer of the run being written.
const WRITE_BUFFER: usize = 64 << 10;
/// Fingerprint, place in the stream, position number, length of the name.
const HEADER: usize = 8 + 8 + 4 + 4;

/// One occurrence of a name: the record's place in the stream and its position.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Spot {
    /// The record's number in the stream, from 0.
    pub ordinal: u64,
    /// The number of its position (`row 7` → 7), or [`ODD`].
    pub number: u32,
    /// The position as written, when `number` is [`ODD`].
    pub odd: String,
}

/// A name written twice among the units on disk: its first two occurrences.
#[derive(Debug)]
pub(super) struct Pair {
    pub name: String,
    pub first: Spot,
    pub second: Spot,
}

/// A name and where it was read, as a run holds it.
#[derive(Default)]
struct Entry {
    hash: u64,
    ordinal: u64,
    number: u32,
    name: Vec<u8>,
    odd: Vec<u8>,
}

impl Entry {
    fn key(&self, other: &Entry) -> Ordering {
        (self.hash, &self.name, self.ordinal).cmp(&(other.hash, &other.name, other.ordinal))
    }

    fn spot(&self) -> Spot {
        Spot {
            ordinal: self.ordinal,
            number: self.number,
            odd: String::from_utf8_lossy(&self.odd).into_owned(),
        }
    }
}

fn too_long() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, "a unit name longer than 4 GiB")
}

/// Appends an entry as runs and the buffer hold it.
fn encode(
    out: &mut Vec<u8>,
    hash: u64,
    ordinal: u64,
    number: u32,
    name: &[u8],
    odd: &[u8],
) -> io::Result<()> {
    out.extend_from_slice(&hash.to_le_bytes());
    out.extend_from_slice(&ordinal.to_le_bytes());
    out.extend_from_slice(&number.to_le_bytes());
    let len = u32::try_from(name.len()).map_err(|_| too_long())?;
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(name);
    if number == ODD {
        let len = u32::try_from(odd.len()).map_err(|_| too_long())?;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(odd);
    }
    Ok(())
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    let mut b = [0; 4];
    if let Some(s) = bytes.get(at..at + 4) {
        b.copy_from_slice(s);
    }
    u32::from_le_bytes(b)
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    let mut b = [0; 8];
    if let Some(s) = bytes.get(at..at + 8) {
        b.copy_from_slice(s);
    }
    u64::from_le_bytes(b)
}

/// The name of the entry at `at` in the buffer, and the length of the whole entry.
fn name_at(buffer: &[u8], at: usize) -> (&[u8], usize) {
    let len = u32_at(buffer, at + 20) as usize;
    let name = buffer.get(at + HEADER..at + HEADER + len).unwrap_or(&[]);
    let mut end = HEADER + len;
    if u32_at(buffer, at + 16) == ODD {
        end += 4 + u32_at(buffer, at + end) as usize;
    }
    (name, end)
}

/// Reads the next entry of a run into `e`; false at its end.
fn decode<R: BufRead>(r: &mut R, e: &mut Entry) -> io::Result<bool> {
    if r.fill_buf()?.is_empty() {
        return Ok(false);
    }
    let mut header = [0; HEADER];
    r.read_exact(&mut header)?;
    e.hash = u64_at(&header, 0);
    e.ordinal = u64_at(&header, 8);
    e.number = u32_at(&header, 16);
    e.name.resize(u32_at(&header, 20) as usize, 0);
    r.read_exact(&mut e.name)?;
    e.odd.clear();
    if e.number == ODD {
        let mut len = [0; 4];
        r.read_exact(&mut len)?;
        e.odd.resize(u32::from_le_bytes(len) as usize, 0);
        r.read_exact(&mut e.odd)?;
    }
    Ok(true)
}

/// A temporary file, removed when dropped (on Unix, as soon as it is opened).
pub(super) struct TempFile {
    pub(super) file: File,
    /// Where it still is in its directory (not on Unix).
    path: Option<PathBuf>,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(path) = &self.path {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// A sorted run of entries, and how many merges made it.
struct Run {
    temp: TempFile,
    level: u32,
}

/// The names beyond the in-memory index: a buffer, and sorted runs on disk.
pub(super) struct Spill {
    dir: PathBuf,
    /// Entries as runs hold them, in the order read.
    buffer: Vec<u8>,
    /// Each buffered entry's fingerprint and where it starts in `buffer`.
    order: Vec<(u64, usize)>,
    /// How many bytes of entries are buffered before a run is written.
    budget: usize,
    /// Levels never increase along the list.
    runs: Vec<Run>,
    /// A name written twice was seen while sorting or merging.
    found: bool,
    /// Every entry is in a run that was merged with all the others since the last push.
    checked: bool,
}

impl Spill {
    /// An empty spill writing its runs into `dir`, buffering `budget` bytes of entries.
    pub(super) fn new(dir: PathBuf, budget: usize) -> Spill {
        Spill {
            dir,
            buffer: Vec::with_capacity(budget + 256),
            order: Vec::new(),
            budget,
            runs: Vec::new(),
            found: false,
            checked: true,
        }
    }

    /// The directory of the runs.
    pub(super) fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    /// True when a name written twice has been seen; [`Spill::check`] says which.
    pub(super) fn found(&self) -> bool {
        self.found
    }

    /// Keeps a name and where it was read.
    pub(super) fn push(
        &mut self,
        hash: u64,
        ordinal: u64,
        number: u32,
        name: &str,
        odd: &str,
    ) -> io::Result<()> {
        self.checked = false;
        self.order.push((hash, self.buffer.len()));
        encode(
            &mut self.buffer,
            hash,
            ordinal,
            number,
            name.as_bytes(),
            odd.as_bytes(),
        )?;
        if self.buffer.len() >= self.budget {
            self.flush()?;
        }
        Ok(())
    }

    /// Every name kept, merged: the name written twice whose second occurrence comes
    /// first in the stream, with its first occurrence; `None` when every name is new.
    pub(super) fn check(&mut self) -> io::Result<Option<Pair>> {
        if self.checked {
            return Ok(None);
        }
        self.flush()?;
        let pair = merge(&self.runs, None)?;
        self.checked = true;
        Ok(pair)
    }

    /// Sorts the buffer into a new run, and merges runs of one size when there are
    /// [`FAN_IN`] of them.
    fn flush(&mut self) -> io::Result<()> {
        if self.order.is_empty() {
            return Ok(());
        }
        let buffer = &self.buffer;
        let ordinal = |at: usize| u64_at(buffer, at + 8);
        self.order.sort_unstable_by(|&(h, a), &(k, b)| {
            h.cmp(&k)
                .then_with(|| name_at(buffer, a).0.cmp(name_at(buffer, b).0))
                .then_with(|| ordinal(a).cmp(&ordinal(b)))
        });
        let temp = temp_file(&self.dir, "units")?;
        let mut out = BufWriter::with_capacity(WRITE_BUFFER, &temp.file);
        let mut last: Option<(u64, &[u8])> = None;
        for &(hash, at) in &self.order {
            let (name, len) = name_at(buffer, at);
            self.found |= last == Some((hash, name));
            last = Some((hash, name));
            out.write_all(buffer.get(at..at + len).unwrap_or(&[]))?;
        }
        out.flush()?;
        drop(out);
        self.buffer.clear();
        self.order.clear();
        self.runs.push(Run { temp, level: 0 });
        self.compact()
    }

    /// Merges the last [`FAN_IN`] runs while they are of one level.
    fn compact(&mut self) -> io::Result<()> {
        while self.runs.len() >= FAN_IN {
            let from = self.runs.len() - FAN_IN;
            let level = self.runs.last().map_or(0, |r| r.level);
            if self
                .runs
                .get(from..)
                .is_none_or(|r| r.iter().any(|r| r.level != level))
            {
                break;
            }
            let group = self.runs.split_off(from);
            let temp = temp_file(&self.dir, "units")?;
            self.found |= merge(&group, Some(&temp.file))?.is_some();
            self.runs.push(Run {
                temp,
                level: level + 1,
            });
        }
        Ok(())
    }
}

/// A new file in `dir`, for reading and writing, named after `what` it holds; on Unix it
/// has no name once open, so nothing is left behind, whatever ends the process.
pub(super) fn temp_file(dir: &std::path::Path, what: &str) -> io::Result<TempFile> {
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    loop {
        let n = COUNT.fetch_add(1, Atomic::Relaxed);
        let path = dir.join(format!(
            ".chiso-{what}-{}-{nanos:x}-{n}",
            std::process::id()
        ));
        let file = match OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        };
        if cfg!(unix) && std::fs::remove_file(&path).is_ok() {
            return Ok(TempFile { file, path: None });
        }
        return Ok(TempFile {
            file,
            path: Some(path),
        });
    }
}

/// The next entry of one run in a merge; the heap's greatest is the least entry.
struct Head {
    entry: Entry,
    run: usize,
}

impl PartialEq for Head {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Head {}

impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Head {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .entry
            .key(&self.entry)
            .then_with(|| other.run.cmp(&self.run))
    }
}

/// Merges sorted runs, into `out` when given: the name written twice whose second
/// occurrence comes first in the stream, with its first occurrence.
fn merge(runs: &[Run], out: Option<&File>) -> io::Result<Option<Pair>> {
    let mut readers = Vec::with_capacity(runs.len());
    for run in runs {
        let mut file = &run.temp.file;
        file.seek(SeekFrom::Start(0))?;
        readers.push(BufReader::with_capacity(READ_BUFFER, file));
    }
    let mut out = match out {
        Some(mut file) => {
            file.seek(SeekFrom::Start(0))?;
            Some(BufWriter::with_capacity(WRITE_BUFFER, file))
        }
        None => None,
    };
    let mut heap = BinaryHeap::with_capacity(readers.len());
    for (run, reader) in readers.iter_mut().enumerate() {
        let mut entry = Entry::default();
        if decode(reader, &mut entry)? {
            heap.push(Head { entry, run });
        }
    }
    let mut best: Option<Pair> = None;
    // The entry merged last, and how many entries in a row have had its name.
    let mut last = Entry::default();
    let mut group = 0u64;
    let mut bytes = Vec::new();
    while let Some(mut head) = heap.peek_mut() {
        let e = &head.entry;
        if group > 0 && e.hash == last.hash && e.name == last.name {
            group += 1;
            // Entries of one name come in stream order: the first two are the pair.
            if group == 2 && best.as_ref().is_none_or(|b| e.ordinal < b.second.ordinal) {
                best = Some(Pair {
                    name: String::from_utf8_lossy(&e.name).into_owned(),
                    first: last.spot(),
                    second: e.spot(),
                });
            }
        } else {
            group = 1;
        }
        if let Some(out) = out.as_mut() {
            bytes.clear();
            encode(&mut bytes, e.hash, e.ordinal, e.number, &e.name, &e.odd)?;
            out.write_all(&bytes)?;
        }
        // The first of a group stays as `last` while the group goes on, so that the pair
        // names the first occurrence.
        if group == 1 {
            std::mem::swap(&mut last, &mut head.entry);
        }
        let run = head.run;
        let more = match readers.get_mut(run) {
            Some(reader) => decode(reader, &mut head.entry)?,
            None => false,
        };
        if !more {
            PeekMut::pop(head);
        }
    }
    if let Some(mut out) = out {
        out.flush()?;
    }
    Ok(best)
}
