//! Numbers as spreadsheets and publications write them: decimal comma, thousands
//! separators, missing markers.
//!
//! A Vietnamese publication prints `0,727` and `1.234.567`; an English one `0.727` and
//! `1,234,567`. Which one a file uses cannot be guessed from a single cell (`1,234` is
//! either), so the format is declared (per run or per rule set) and a cell that fits the
//! declared format only ambiguously is left as text: binding then refuses it with a hint
//! instead of reading a number a thousand times too large.

/// How numbers are written in a data file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberFormat {
    /// The decimal separator: `.` (the default) or `,`.
    pub decimal: char,
    /// The thousands separator, when the file groups digits: `.`, `,`, space or
    /// no-break space. `None` (the default) refuses grouped digits.
    pub thousands: Option<char>,
}

impl Default for NumberFormat {
    fn default() -> Self {
        NumberFormat {
            decimal: '.',
            thousands: None,
        }
    }
}

impl NumberFormat {
    /// True for the plain format (`1234.5`), which binding reads without help.
    pub fn is_plain(&self) -> bool {
        self.decimal == '.' && self.thousands.is_none()
    }

    /// `text` rewritten with `.` as decimal point and no grouping, when it is a number in
    /// this format (a trailing `%` kept); `None` when it is not one, or only ambiguously.
    ///
    /// ```
    /// use chiso::data::numbers::NumberFormat;
    /// let vn = NumberFormat { decimal: ',', thousands: Some('.') };
    /// assert_eq!(vn.canonical("0,727").as_deref(), Some("0.727"));
    /// assert_eq!(vn.canonical("1.234.567").as_deref(), Some("1234567"));
    /// assert_eq!(vn.canonical("85,5%").as_deref(), Some("85.5%"));
    /// assert_eq!(vn.canonical("1.23"), None); // not a thousands grouping
    /// let comma = NumberFormat { decimal: ',', thousands: None };
    /// assert_eq!(comma.canonical("1.234"), None); // a dot is not declared
    /// ```
    pub fn canonical(&self, text: &str) -> Option<String> {
        let text = text.trim();
        let (body, percent) = match text.strip_suffix('%') {
            Some(b) => (b.trim_end(), "%"),
            None => (text, ""),
        };
        let (sign, digits) = match body.strip_prefix(['-', '+', '\u{2212}']) {
            Some(rest) => (if body.starts_with('+') { "" } else { "-" }, rest),
            None => ("", body),
        };
        let (int, frac) = match digits.split_once(self.decimal) {
            Some((i, f)) => (i, Some(f)),
            None => (digits, None),
        };
        if let Some(f) = frac
            && (f.is_empty() || !f.chars().all(|c| c.is_ascii_digit()))
        {
            return None;
        }
        let int = self.ungroup(int)?;
        let mut out = String::with_capacity(text.len());
        out.push_str(sign);
        out.push_str(&int);
        if let Some(f) = frac {
            out.push('.');
            out.push_str(f);
        }
        out.push_str(percent);
        Some(out)
    }

    /// The integer part without its grouping; groups must be of three digits.
    fn ungroup(&self, int: &str) -> Option<String> {
        if int.is_empty() {
            return None;
        }
        if int.chars().all(|c| c.is_ascii_digit()) {
            return Some(int.to_string());
        }
        let sep = self.thousands?;
        let is_sep = |c: char| c == sep || (sep == ' ' && c == '\u{a0}');
        let groups: Vec<&str> = int.split(is_sep).collect();
        let first = groups.first()?;
        let well_grouped = !first.is_empty()
            && first.len() <= 3
            && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit()))
            && groups[1..].iter().all(|g| g.len() == 3);
        well_grouped.then(|| groups.concat())
    }
}

/// The default missing markers: what spreadsheets and statistics offices write for "no
/// value". An empty cell is always missing.
pub const DEFAULT_MISSING: &[&str] = &["NA", "N/A", "n/a", "-", "…", "..."];

/// `expected` with a hint when `text` looks like a number written in another format.
pub fn with_hint(expected: &str, text: &str) -> String {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let seps = text.chars().filter(|c| matches!(c, ',' | '.')).count();
    if digits == 0 || seps == 0 {
        return expected.to_string();
    }
    let both = text.contains(',') && text.contains('.');
    let hint = if text.contains(',') && !both {
        format!(
            "; {text:?} was not read as a number: its comma may be a decimal comma or a thousands separator (declare which: `--decimal-comma` or `--thousands ,`)"
        )
    } else {
        format!(
            "; {text:?} was not read as a number in the declared format (declare the separators: `--decimal-comma`, `--thousands .`)"
        )
    };
    format!("{expected}{hint}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comma_decimals_keep_their_written_precision() {
        let f = NumberFormat {
            decimal: ',',
            thousands: None,
        };
        assert_eq!(f.canonical("0,590").as_deref(), Some("0.590"));
        assert_eq!(f.canonical("-200,5").as_deref(), Some("-200.5"));
        assert_eq!(f.canonical("200,").as_deref(), None);
        assert_eq!(f.canonical("1.234,5"), None);
        assert_eq!(f.canonical("abc"), None);
    }

    #[test]
    fn grouped_digits_only_when_declared() {
        let en = NumberFormat {
            decimal: '.',
            thousands: Some(','),
        };
        assert_eq!(en.canonical("1,234,567.25").as_deref(), Some("1234567.25"));
        assert_eq!(en.canonical("1,23"), None);
        assert_eq!(en.canonical(",123"), None);
        let space = NumberFormat {
            decimal: ',',
            thousands: Some(' '),
        };
        assert_eq!(
            space.canonical("1\u{a0}234\u{a0}567,5").as_deref(),
            Some("1234567.5")
        );
        assert_eq!(NumberFormat::default().canonical("1,234"), None);
    }

    #[test]
    fn hints_say_what_was_refused_and_how_to_declare() {
        let h = with_hint("a number", "200,5");
        assert!(h.contains("--decimal-comma"), "{h}");
        assert_eq!(with_hint("a number", "abc"), "a number");
    }
}
