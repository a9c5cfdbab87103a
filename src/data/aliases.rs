//! Other names of units: real tables write "Khánh Hoà" and "Khánh Hòa", "TP. Hồ Chí Minh"
//! and "Hồ Chí Minh". A rule set declares which written names stand for which unit
//! (`alias … for …`, `aliases "file.csv"`); loading maps every record to its unit's
//! canonical name and keeps the name as written beside it.

use std::collections::HashMap;
use std::sync::Arc;

use super::names::nfc;

/// Written name (NFC) → canonical unit name (NFC).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Aliases {
    map: Arc<HashMap<String, String>>,
}

impl Aliases {
    /// True when no alias is declared.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The number of written names that map to a canonical one.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Declares `alias` as another name of `canonical` (both compared in NFC). An alias
    /// already standing for another unit is refused with that unit's name.
    ///
    /// ```
    /// let mut aliases = chiso::data::Aliases::default();
    /// aliases.insert("TP. Hồ Chí Minh", "Hồ Chí Minh").unwrap();
    /// assert_eq!(aliases.canonical("TP. Hồ Chí Minh"), Some("Hồ Chí Minh"));
    /// assert_eq!(aliases.insert("TP. Hồ Chí Minh", "Hà Nội"), Err("Hồ Chí Minh".to_string()));
    /// ```
    pub fn insert(&mut self, alias: &str, canonical: &str) -> Result<(), String> {
        let (alias, canonical) = (nfc(alias.trim()), nfc(canonical.trim()));
        if alias == canonical {
            return Ok(());
        }
        let map = Arc::make_mut(&mut self.map);
        match map.get(&alias) {
            Some(existing) if *existing != canonical => Err(existing.clone()),
            _ => {
                map.insert(alias, canonical);
                Ok(())
            }
        }
    }

    /// The canonical name `name` stands for, when it is a declared alias.
    pub fn canonical(&self, name: &str) -> Option<&str> {
        if self.map.is_empty() {
            return None;
        }
        self.map.get(&nfc(name)).map(String::as_str)
    }

    /// `name` as its unit's canonical name (itself, in NFC, when it is no alias).
    pub fn resolve(&self, name: &str) -> String {
        match self.canonical(name) {
            Some(c) => c.to_string(),
            None => nfc(name),
        }
    }
}
