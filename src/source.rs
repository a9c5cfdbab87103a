//! Source text and locations inside it.
//!
//! A [`Loc`] carries the source it points into, so every diagnostic can render itself
//! (file, line, column, the line and a caret) without a side table.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// One rule file's text, with the path it was read from (or a name given by the caller).
#[derive(Debug, PartialEq, Eq)]
pub struct Source {
    /// Path or name shown in diagnostics.
    pub name: String,
    /// The full text.
    pub text: String,
}

impl Source {
    /// Wraps text read from `name`.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<Self> {
        Arc::new(Self {
            name: name.into(),
            text: text.into(),
        })
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = self.text.get(..offset).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
        (line, col)
    }
}

/// Walks rule-file text once: `code` gets every character outside string literals and
/// comments, `comment` every comment (its offset and the text after `#`, without the
/// line end). The parser's pre-checks and the formatter share this one scanner.
pub fn scan(text: &str, mut code: impl FnMut(usize, char), mut comment: impl FnMut(usize, &str)) {
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        } else if c == '#' {
            let end = text
                .get(i..)
                .and_then(|r| r.find('\n'))
                .map_or(text.len(), |e| i + e);
            comment(i, text.get(i + 1..end).unwrap_or(""));
            while chars.peek().is_some_and(|(j, _)| *j < end) {
                chars.next();
            }
        } else {
            code(i, c);
        }
    }
}

/// The text of `text` outside comments, each character with its offset: string literals
/// kept whole (a `#` inside one is no comment).
fn code_chars(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let (mut in_string, mut escaped, mut in_comment) = (false, false, false);
    text.char_indices().filter(move |&(_, c)| {
        if in_comment {
            in_comment = c != '\n';
            return !in_comment;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            return true;
        }
        match c {
            '#' => {
                in_comment = true;
                false
            }
            '"' => {
                in_string = true;
                true
            }
            _ => true,
        }
    })
}

/// The length of `text` up to the end of its last token: trailing whitespace and
/// comments (which a parser's span of a construct ending in optional parts takes along)
/// left out.
pub fn code_len(text: &str) -> usize {
    if !text.contains('#') {
        return text.trim_end().len();
    }
    code_chars(text)
        .filter(|(_, c)| !c.is_whitespace())
        .last()
        .map_or(0, |(i, c)| i + c.len_utf8())
}

/// A byte range in a [`Source`].
#[derive(Clone, PartialEq, Eq)]
pub struct Loc {
    /// The file.
    pub source: Arc<Source>,
    /// Byte range of the located text.
    pub range: Range<usize>,
}

impl Loc {
    /// A location from a pest span.
    pub fn from_span(source: &Arc<Source>, span: pest::Span<'_>) -> Self {
        Self {
            source: Arc::clone(source),
            range: span.start()..span.end(),
        }
    }

    /// The located text.
    pub fn text(&self) -> &str {
        self.source.text.get(self.range.clone()).unwrap_or("")
    }

    /// 1-based line and column of the start.
    pub fn line_col(&self) -> (usize, usize) {
        self.source.line_col(self.range.start)
    }

    /// A location covering `self` through `other` (same file assumed).
    pub fn to(&self, other: &Loc) -> Loc {
        Loc {
            source: Arc::clone(&self.source),
            range: self.range.start.min(other.range.start)..self.range.end.max(other.range.end),
        }
    }
}

impl fmt::Display for Loc {
    /// `file:line:column`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (line, col) = self.line_col();
        write!(f, "{}:{}:{}", self.source.name, line, col)
    }
}

impl fmt::Debug for Loc {
    /// The located text without whitespace, comments or parentheses: two compiled rule
    /// sets that differ only in layout (`chiso fmt`) have the same debug output. A line
    /// break or tab inside a string counts as whitespace whether written raw or as `\n`
    /// (the formatter writes the escape), and any other escaped character but `"` and `\`
    /// is the character itself (`\a` reads `a`, and the formatter writes `a`). Outside
    /// strings a number's leading zeros are left out: `expect rank … = 08` is stored as
    /// the count 8 and written back as `8`. Operators read in their ASCII spelling, and
    /// the text in NFC.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = String::new();
        let mut chars = code_chars(self.text()).map(|(_, c)| c).peekable();
        let (mut in_string, mut before) = (false, ' ');
        while let Some(c) = chars.next() {
            let previous = std::mem::replace(&mut before, c);
            if c.is_whitespace() || c == '(' || c == ')' {
                continue;
            }
            if c == '"' {
                in_string = !in_string;
            }
            if !in_string
                && c == '0'
                && !(previous.is_alphanumeric() || previous == '_' || previous == '.')
                && chars.peek().is_some_and(char::is_ascii_digit)
            {
                // Still the start of the number for the next digit.
                before = previous;
                continue;
            }
            if !in_string {
                // The formatter writes each operator in its ASCII spelling (`÷` as `/`,
                // `==` as `=`), so the debug form does too.
                let ascii = match c {
                    '≤' => Some("<="),
                    '≥' => Some(">="),
                    '≈' => Some("~="),
                    '≠' => Some("!="),
                    '−' => Some("-"),
                    '×' => Some("*"),
                    '÷' => Some("/"),
                    '=' if chars.peek() == Some(&'=') => {
                        chars.next();
                        Some("=")
                    }
                    _ => None,
                };
                if let Some(ascii) = ascii {
                    text.push_str(ascii);
                    continue;
                }
            }
            if c != '\\' {
                text.push(c);
                continue;
            }
            before = ' ';
            match chars.next() {
                // An escaped blank or bracket is itself, and those are left out.
                Some('n' | 't' | '(' | ')') | None => {}
                Some(blank) if blank.is_whitespace() => {}
                Some(e @ ('"' | '\\')) => {
                    text.push('\\');
                    text.push(e);
                }
                Some(other) => text.push(other),
            }
        }
        // Names are read in NFC, and the formatter writes them so: an NFD spelling is the
        // same name.
        let text: String =
            unicode_normalization::UnicodeNormalization::nfc(text.as_str()).collect();
        write!(f, "`{text}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_ends_before_trailing_comments_but_not_inside_strings() {
        assert_eq!(code_len("best rank of x   # a note\n  # more\n"), 14);
        assert_eq!(code_len("message \"a # b\"  "), 15);
        assert_eq!(code_len("  # only a comment"), 0);
        let src = Source::new("x.chiso", "a + # note\n b");
        let loc = Loc {
            source: src,
            range: 0..13,
        };
        assert_eq!(format!("{loc:?}"), "`a+b`");
    }

    /// The debug form of a whole text.
    fn debug(text: &str) -> String {
        let source = Source::new("x.chiso", text);
        let range = 0..text.len();
        format!("{:?}", Loc { source, range })
    }

    #[test]
    fn an_escaped_character_reads_as_the_formatter_writes_it() {
        // `fmt` writes a string from its value: `"c\an"` is `can`, `\r` is `r`.
        assert_eq!(debug(r#""c\an""#), debug(r#""can""#));
        assert_eq!(debug(r#""a\rb""#), debug(r#""arb""#));
        assert_eq!(debug(r#""a\nb""#), debug("\"a\nb\""));
        assert_ne!(debug(r#""a\"b""#), debug(r#""ab""#));
        assert_ne!(debug(r#""a\\b""#), debug(r#""ab""#));
        assert_eq!(debug(r#""a\\nb""#), "`\"a\\\\nb\"`");
        assert_eq!(debug(r#""I\ as""#), debug(r#""I as""#));
        assert_eq!(debug(r#""a\(b""#), debug(r#""a(b""#));
    }

    #[test]
    fn a_number_reads_without_its_leading_zeros_outside_strings() {
        assert_eq!(debug("rank = 008"), debug("rank = 8"));
        assert_eq!(debug("display 04"), debug("display 4"));
        assert_eq!(debug("x >= 0"), "`x>=0`");
        assert_eq!(debug("x >= 00.5"), "`x>=0.5`");
        assert_ne!(debug("x >= 1.05"), debug("x >= 1.5"));
        assert_ne!(debug("x08"), debug("x8"));
        assert_ne!(debug(r#""08""#), debug(r#""8""#));
    }

    #[test]
    fn an_operator_reads_in_its_ascii_spelling_outside_strings() {
        assert_eq!(debug("a × 614 ÷ 148524"), debug("a * 614 / 148524"));
        assert_eq!(debug("a ≤ b ≥ c ≈ d ≠ −e"), "`a<=b>=c~=d!=-e`");
        assert_eq!(debug("a == b"), debug("a = b"));
        assert_ne!(debug(r#""a ÷ b""#), debug(r#""a / b""#));
        assert_ne!(debug(r#""==""#), debug(r#""=""#));
    }

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let src = Source::new("x.chiso", "input a\n  \"Cán bộ\" b");
        let b = src.text.rfind(" b").unwrap() + 1;
        assert_eq!(src.line_col(b), (2, 12));
        assert_eq!(src.line_col(0), (1, 1));
    }
}
