//! `chiso run`'s options for reading data files, turned into the library's
//! [`chiso::LoadOptions`].

use chiso::LoadOptions;
use chiso::data::numbers::NumberFormat;
use clap::Args;

/// How to read the data files (see the README's "Data files").
#[derive(Args, Debug, Clone, Default)]
pub struct DataArgs {
    /// CSV delimiter: `,` `;` `|` or `tab` (detected from the header row when absent).
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    /// Text encoding of CSV/JSON files without a byte-order mark, e.g. `windows-1258`,
    /// `utf-16le` (default UTF-8).
    #[arg(long, value_name = "LABEL")]
    pub encoding: Option<String>,
    /// Numbers in text cells use a decimal comma (`0,727`), as Vietnamese publications
    /// print them.
    #[arg(long)]
    pub decimal_comma: bool,
    /// Numbers in text cells group thousands with this character: `.` `,` `space`.
    #[arg(long, value_name = "CHAR", value_parser = parse_thousands)]
    pub thousands: Option<char>,
    /// Cell texts that mean "no value" (replaces the default `NA`, `N/A`, `n/a`, `-`, `…`,
    /// `...`; an empty cell is always missing). Comma-separated.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub missing: Option<Vec<String>>,
    /// The spreadsheet's sheet, by name or 1-based number (or `book.xlsx#Sheet`).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// The 1-based row holding the column names (default: the first row that has the
    /// unit column, title rows above it skipped).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub header_row: Option<u32>,
    /// Data columns that are not inputs of the rule set are errors (exit 2), not notes.
    #[arg(long)]
    pub strict: bool,
}

impl DataArgs {
    /// The library's options: the rule set's own (`base`: its unit key, declared number
    /// format, missing markers and aliases) with what the command line says instead.
    pub fn options(&self, base: LoadOptions) -> Result<LoadOptions, String> {
        let mut o = base;
        if self.delimiter.is_some() {
            o.delimiter = self.delimiter;
        }
        if self.encoding.is_some() {
            o.encoding = self.encoding.clone();
        }
        let decimal = if self.decimal_comma {
            ','
        } else {
            o.numbers.decimal
        };
        let thousands = self.thousands.or(o.numbers.thousands);
        if thousands == Some(decimal) {
            return Err(format!(
                "the thousands separator `{decimal}` is also the decimal separator"
            ));
        }
        o.numbers = NumberFormat { decimal, thousands };
        if let Some(m) = &self.missing {
            o.missing = m.iter().map(|s| s.trim().to_string()).collect();
        }
        if self.sheet.is_some() {
            o.sheet = self.sheet.clone();
        }
        if let Some(n) = self.header_row {
            o.header_row = Some(n as usize);
        }
        o.strict = self.strict;
        Ok(o)
    }
}

fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "," | ";" | "|" => Ok(s.as_bytes()[0]),
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ => Err("expected `,` `;` `|` or `tab`".into()),
    }
}

fn parse_thousands(s: &str) -> Result<char, String> {
    match s {
        "." => Ok('.'),
        "," => Ok(','),
        "space" | " " => Ok(' '),
        _ => Err("expected `.` `,` or `space`".into()),
    }
}
