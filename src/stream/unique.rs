//! Every unit name seen in a stream, exactly, in little memory.
//!
//! A stream must still refuse a unit that appears twice, so it remembers every name. The
//! names (and where each was read) are kept end to end in text arenas, and the table holds
//! only each name's number (4 bytes): about 30 bytes per unit with a typical name and
//! position, instead of well over 100 for owned strings and origins. Comparisons are
//! exact: a hash only chooses where to look.

use std::hash::BuildHasher;

use hashbrown::HashTable;

use crate::data::Origin;

/// Strings stored end to end.
#[derive(Default)]
struct Arena {
    text: String,
    ends: Vec<usize>,
}

impl Arena {
    fn get(&self, i: usize) -> &str {
        let start = i
            .checked_sub(1)
            .and_then(|p| self.ends.get(p))
            .copied()
            .unwrap_or(0);
        let end = self.ends.get(i).copied().unwrap_or(start);
        self.text.get(start..end).unwrap_or("")
    }

    fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.ends.push(self.text.len());
    }
}

/// The names seen so far, with where each was first seen.
#[derive(Default)]
pub(crate) struct UniqueUnits {
    names: Arena,
    positions: Arena,
    /// The file of each name, as an index into `files`.
    file_of: Vec<u32>,
    files: Vec<String>,
    table: HashTable<u32>,
    hasher: std::collections::hash_map::RandomState,
}

impl UniqueUnits {
    /// Remembers the unit of a record; when it was seen before, returns where.
    pub(crate) fn insert(&mut self, unit: &str, origin: &Origin) -> Result<(), Origin> {
        let hash = self.hasher.hash_one(unit);
        if let Some(&i) = self
            .table
            .find(hash, |&i| self.names.get(i as usize) == unit)
        {
            let i = i as usize;
            let file = self
                .file_of
                .get(i)
                .and_then(|&f| self.files.get(f as usize))
                .cloned()
                .unwrap_or_default();
            return Err(Origin {
                file,
                position: self.positions.get(i).to_string(),
            });
        }
        let index = u32::try_from(self.names.ends.len());
        let file = match self.files.last() {
            Some(last) if *last == origin.file => u32::try_from(self.files.len() - 1),
            _ => {
                self.files.push(origin.file.clone());
                u32::try_from(self.files.len() - 1)
            }
        };
        let (Ok(index), Ok(file)) = (index, file) else {
            // Beyond four billion units: refusing is better than missing a duplicate.
            return Err(Origin {
                file: origin.file.clone(),
                position: "(more than 4,294,967,295 units in one stream)".into(),
            });
        };
        self.names.push(unit);
        self.positions.push(&origin.position);
        self.file_of.push(file);
        let (names, hasher) = (&self.names, &self.hasher);
        self.table
            .insert_unique(hash, index, |&i| hasher.hash_one(names.get(i as usize)));
        Ok(())
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
}
