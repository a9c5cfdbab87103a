//! `chiso diff OLD NEW`: what changed between two methodology versions — declarations
//! added, removed or changed, compared in their canonical form (so layout and comments
//! never count as a change, and a changed formula shows as the old and new expression).

use serde::Serialize;

use crate::RuleSet;
use crate::format;
use crate::parse::ast::Item;

/// One declaration that differs.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Change {
    /// `added`, `removed` or `changed`.
    pub change: &'static str,
    /// input, indicator, score, rule, rank, constant, sensitivity or hooks.
    pub kind: &'static str,
    /// Its name.
    pub name: String,
    /// The old declaration, canonical.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    /// The new declaration, canonical.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<String>,
    /// Where the old one is declared (file:line:column).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_at: Option<String>,
    /// Where the new one is declared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_at: Option<String>,
}

/// The differences between two rule sets.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Diff {
    /// `Name version` of the old rule set.
    pub old: String,
    /// `Name version` of the new rule set.
    pub new: String,
    /// Header fields that changed: (field, old, new).
    pub methodology: Vec<(String, String, String)>,
    /// Declarations that changed, in the order of the new rule set, removals last.
    pub changes: Vec<Change>,
}

fn key(item: &Item) -> (&'static str, String) {
    (item.kind(), item.ident().name.clone())
}

/// Compares two rule sets.
pub fn diff(old: &RuleSet, new: &RuleSet) -> Diff {
    let mut changes = Vec::new();
    let find =
        |items: &[Item], k: &(&'static str, String)| items.iter().find(|i| key(i) == *k).cloned();
    for item in new.items() {
        let k = key(item);
        let text = format::item(item);
        match find(old.items(), &k) {
            None => changes.push(Change {
                change: "added",
                kind: k.0,
                name: k.1,
                old: None,
                new: Some(text),
                old_at: None,
                new_at: Some(item.ident().loc.to_string()),
            }),
            Some(before) => {
                let old_text = format::item(&before);
                if old_text != text {
                    changes.push(Change {
                        change: "changed",
                        kind: k.0,
                        name: k.1,
                        old: Some(old_text),
                        new: Some(text),
                        old_at: Some(before.ident().loc.to_string()),
                        new_at: Some(item.ident().loc.to_string()),
                    });
                }
            }
        }
    }
    for item in old.items() {
        let k = key(item);
        if find(new.items(), &k).is_none() {
            changes.push(Change {
                change: "removed",
                kind: k.0,
                name: k.1,
                old: Some(format::item(item)),
                new: None,
                old_at: Some(item.ident().loc.to_string()),
                new_at: None,
            });
        }
    }
    let (o, n) = (old.methodology(), new.methodology());
    let mut methodology = Vec::new();
    let mut field = |name: &str, a: String, b: String| {
        if a != b {
            methodology.push((name.to_string(), a, b));
        }
    };
    field("name", o.name.clone(), n.name.clone());
    field("version", o.version.clone(), n.version.clone());
    field(
        "unit",
        o.unit.clone().unwrap_or_default(),
        n.unit.clone().unwrap_or_default(),
    );
    field("source", o.sources.join("; "), n.sources.join("; "));
    Diff {
        old: format!("{} {}", o.name, o.version),
        new: format!("{} {}", n.name, n.version),
        methodology,
        changes,
    }
}

impl Diff {
    /// The differences as text: for a changed declaration, its lines that differ.
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut out = format!("{} → {}\n", self.old, self.new);
        for (field, a, b) in &self.methodology {
            let _ = writeln!(out, "  methodology {field}: {a} → {b}");
        }
        for c in &self.changes {
            let at = match (&c.old_at, &c.new_at) {
                (Some(a), Some(b)) => format!("{a} → {b}"),
                (Some(a), None) | (None, Some(a)) => a.clone(),
                (None, None) => String::new(),
            };
            let _ = writeln!(out, "  {} {} `{}` ({at})", c.change, c.kind, c.name);
            let old: Vec<&str> = c
                .old
                .as_deref()
                .map(|t| t.lines().collect())
                .unwrap_or_default();
            let new: Vec<&str> = c
                .new
                .as_deref()
                .map(|t| t.lines().collect())
                .unwrap_or_default();
            for line in old.iter().filter(|l| !new.contains(l)) {
                let _ = writeln!(out, "    - {}", line.trim());
            }
            for line in new.iter().filter(|l| !old.contains(l)) {
                let _ = writeln!(out, "    + {}", line.trim());
            }
        }
        let _ = writeln!(
            out,
            "{} added, {} removed, {} changed",
            self.changes.iter().filter(|c| c.change == "added").count(),
            self.changes
                .iter()
                .filter(|c| c.change == "removed")
                .count(),
            self.changes
                .iter()
                .filter(|c| c.change == "changed")
                .count()
        );
        out
    }
}
