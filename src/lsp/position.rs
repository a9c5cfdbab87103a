//! Byte offsets (the library's locations) ↔ LSP positions (line, UTF-16 code unit).
//!
//! Rule files are full of Vietnamese letters, so a column in bytes, in characters and in
//! UTF-16 units differ; LSP clients count UTF-16 units unless told otherwise.

use lsp_types::{Position, Range};

/// Line starts of one text, to convert positions both ways.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes `text`.
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { text, starts }
    }

    /// The position of byte `offset` (clamped to the text, moved back to a character
    /// boundary).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let character = self
            .text
            .get(start..offset)
            .map_or(0, |s| s.encode_utf16().count());
        Position::new(line as u32, character as u32)
    }

    /// The range of bytes `range`.
    pub fn range(&self, range: std::ops::Range<usize>) -> Range {
        Range::new(self.position(range.start), self.position(range.end))
    }

    /// The byte offset of `position` (clamped to its line).
    pub fn offset(&self, position: Position) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else {
            return self.text.len();
        };
        let end = self
            .starts
            .get(position.line as usize + 1)
            .map_or(self.text.len(), |e| e - 1);
        let line = self.text.get(start..end).unwrap_or("");
        let mut units = 0;
        for (i, c) in line.char_indices() {
            if units >= position.character as usize {
                return start + i;
            }
            units += c.len_utf16();
        }
        end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units() {
        let text = "input a\n  \"Cán bộ\" 😀 b\n";
        let index = LineIndex::new(text);
        let b = text.rfind(" b").unwrap() + 1;
        // `😀` is two UTF-16 units: 2 + 8 ("Cán bộ" quoted) + 1 + 2 + 1.
        assert_eq!(index.position(b), Position::new(1, 14));
        assert_eq!(index.offset(Position::new(1, 14)), b);
        assert_eq!(index.offset(Position::new(0, 99)), 7);
        assert_eq!(index.position(0), Position::new(0, 0));
    }
}
