//! Syntax of how a rule set's data files are read: the number format and missing markers
//! of the header (`decimal comma`, `thousands "."`, `missing "NA", "-"`) and the names a
//! unit may be written with (`alias … for …`, `aliases "file.csv"`).

use pest::iterators::Pair;

use super::ast::{Alias, AliasFile, DataReading, Ident, Item};
use super::{Lower, Rule, inner};
use crate::source::Loc;

impl Lower {
    /// A header clause about reading data; false when `pair` is not one.
    pub(super) fn data_reading(&mut self, reading: &mut DataReading, pair: Pair<'_, Rule>) -> bool {
        match pair.as_rule() {
            Rule::decimal_clause => {
                let loc = self.loc(&pair);
                let comma = inner(pair).any(|p| p.as_rule() == Rule::kw_comma);
                reading.decimal_comma = Some((comma, loc));
            }
            Rule::thousands_clause => {
                if let Some(s) = inner(pair).find(|p| p.as_rule() == Rule::string) {
                    let loc = self.loc(&s);
                    reading.thousands = Some((self.string(&s), loc));
                }
            }
            Rule::missing_markers => {
                let loc = self.loc(&pair);
                let markers = inner(pair)
                    .filter(|p| p.as_rule() == Rule::string)
                    .map(|p| self.string(&p))
                    .collect();
                reading.missing = Some((markers, loc));
            }
            _ => return false,
        }
        true
    }

    /// `alias "a", "b" for "name"`.
    pub(super) fn alias(&mut self, pair: Pair<'_, Rule>) -> Item {
        let keyword = self.keyword(&pair, "alias");
        let mut strings: Vec<(String, Loc)> = inner(pair)
            .filter(|p| p.as_rule() == Rule::string)
            .map(|p| (self.string(&p), self.loc(&p)))
            .collect();
        let canonical = strings
            .pop()
            .unwrap_or_else(|| (String::new(), keyword.loc.clone()));
        Item::Alias(Alias {
            keyword,
            names: strings,
            canonical,
        })
    }

    /// `aliases "file.csv"`.
    pub(super) fn alias_file(&mut self, pair: Pair<'_, Rule>) -> Item {
        let keyword = self.keyword(&pair, "aliases");
        let (path, loc) = inner(pair)
            .find(|p| p.as_rule() == Rule::string)
            .map(|p| (self.string(&p), self.loc(&p)))
            .unwrap_or_else(|| (String::new(), keyword.loc.clone()));
        Item::Aliases(AliasFile { keyword, path, loc })
    }

    /// The keyword a declaration starts with, as a name for locations.
    fn keyword(&self, pair: &Pair<'_, Rule>, word: &str) -> Ident {
        let start = pair.as_span().start();
        Ident {
            name: word.into(),
            loc: Loc {
                source: std::sync::Arc::clone(&self.source),
                range: start..start + word.len(),
            },
        }
    }
}
