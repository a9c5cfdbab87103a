//! Sections of a report written in another order than they are decided: a text or CSV
//! report lists findings rule by rule, while a stream decides them unit by unit. Each
//! section's bytes are appended as they come, held in memory up to a budget and then
//! moved to one temporary file as chunks; at the end each section is copied out in turn.
//! Memory stays at the budget whatever the number of units; the disk holds the report.

use std::io::{self, Read, Seek, SeekFrom, Write};

use super::spill::{TempFile, temp_file};

/// How many bytes all sections hold in memory before they are moved to disk.
const BUDGET: usize = 4 << 20;

/// Report sections, each appended to in order and copied out whole.
pub(super) struct Spool {
    /// Each section's bytes not yet on disk.
    buffers: Vec<Vec<u8>>,
    /// Each section's chunks on disk: offset and length, in order.
    chunks: Vec<Vec<(u64, usize)>>,
    held: usize,
    file: Option<TempFile>,
    /// Where the file ends.
    end: u64,
    /// Every byte pushed.
    total: u64,
}

impl Spool {
    /// `sections` empty sections.
    pub(super) fn new(sections: usize) -> Spool {
        Spool {
            buffers: vec![Vec::new(); sections],
            chunks: vec![Vec::new(); sections],
            held: 0,
            file: None,
            end: 0,
            total: 0,
        }
    }

    /// Appends `bytes` to `section`.
    pub(super) fn push(&mut self, section: usize, bytes: &[u8]) -> io::Result<()> {
        let Some(buffer) = self.buffers.get_mut(section) else {
            return Ok(());
        };
        buffer.extend_from_slice(bytes);
        self.held += bytes.len();
        self.total += bytes.len() as u64;
        if self.held > BUDGET {
            self.spill()?;
        }
        Ok(())
    }

    /// How many bytes all sections hold.
    pub(super) fn len(&self) -> u64 {
        self.total
    }

    /// True when `section` has nothing.
    pub(super) fn is_empty(&self, section: usize) -> bool {
        self.buffers.get(section).is_none_or(Vec::is_empty)
            && self.chunks.get(section).is_none_or(Vec::is_empty)
    }

    /// Moves every section's bytes to the end of the file.
    fn spill(&mut self) -> io::Result<()> {
        if self.file.is_none() {
            self.file = Some(temp_file(&std::env::temp_dir(), "report")?);
        }
        let Some(temp) = &mut self.file else {
            return Ok(());
        };
        temp.file.seek(SeekFrom::Start(self.end))?;
        let mut writer = io::BufWriter::with_capacity(1 << 16, &temp.file);
        for (buffer, chunks) in self.buffers.iter_mut().zip(&mut self.chunks) {
            if buffer.is_empty() {
                continue;
            }
            writer.write_all(buffer)?;
            chunks.push((self.end, buffer.len()));
            self.end += buffer.len() as u64;
            buffer.clear();
        }
        writer.flush()?;
        self.held = 0;
        Ok(())
    }

    /// Copies `section` to `out`: its chunks on disk, then what is still in memory.
    pub(super) fn copy<W: Write>(&mut self, section: usize, out: &mut W) -> io::Result<()> {
        let (Some(buffer), Some(chunks)) = (self.buffers.get(section), self.chunks.get(section))
        else {
            return Ok(());
        };
        if let Some(temp) = &mut self.file {
            for &(offset, len) in chunks {
                temp.file.seek(SeekFrom::Start(offset))?;
                let copied = io::copy(&mut (&temp.file).take(len as u64), out)?;
                if copied != len as u64 {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "a report section on disk ended early",
                    ));
                }
            }
        }
        out.write_all(buffer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_come_back_whole_and_in_order_past_the_budget() {
        let mut spool = Spool::new(3);
        let mut expected = vec![Vec::new(); 3];
        // Far past the budget, so that most of it goes through the file, interleaved.
        for i in 0..60_000u32 {
            let section = (i % 7 % 3) as usize;
            let line = format!("{i} {}\n", "x".repeat((i % 200) as usize));
            spool.push(section, line.as_bytes()).unwrap();
            expected[section].extend_from_slice(line.as_bytes());
        }
        assert!(spool.end > 0, "nothing went to disk");
        let total: usize = expected.iter().map(Vec::len).sum();
        assert_eq!(spool.len(), total as u64);
        for (section, want) in expected.iter().enumerate() {
            let mut out = Vec::new();
            spool.copy(section, &mut out).unwrap();
            assert!(out == *want, "section {section} differs");
        }
        assert!(!spool.is_empty(0) && Spool::new(1).is_empty(0));
    }
}
