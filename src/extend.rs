//! `extends`: a methodology written as the changes to an earlier one.
//!
//! The extended rule set is loaded and resolved first (it may extend another); then this
//! rule set's declarations apply in order: `remove kind name` drops one, `replace …`
//! writes one anew in its place, anything else is added (and must be new). The result is
//! one list of declarations that is checked and compiled like any other rule set. Tests
//! belong to the version that declares them and are not inherited.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::access::{Access, Kind};
use crate::diagnostic::Diagnostic;
use crate::parse::ast::{File, Header, Item};
use crate::parse::parse_file_within;
use crate::source::{Loc, Source};

/// Deepest chain of `extends` followed (a longer one is most likely a cycle).
pub const MAX_EXTENDS_DEPTH: usize = 8;

/// A rule set resolved against the methodology it extends.
#[derive(Debug)]
pub struct Resolved {
    /// One file: this rule set's header and every declaration in force.
    pub files: Vec<File>,
    /// `Name version` of the extended methodology.
    pub base: Option<String>,
    /// What `remove` dropped: name → where.
    pub removed: HashMap<String, Loc>,
}

/// Resolves `files` (one rule set) against the rule set its header extends, if any.
pub fn resolve(
    files: Vec<File>,
    depth: usize,
    access: &Access,
    nesting: usize,
) -> Result<Resolved, Vec<Diagnostic>> {
    let Some(header) = files.iter().find_map(|f| f.header.clone()) else {
        return plain(files);
    };
    let Some((path, at)) = header.extends.clone() else {
        return plain(files);
    };
    if depth >= MAX_EXTENDS_DEPTH {
        return Err(vec![Diagnostic::error(
            format!(
                "`extends` nested more than {MAX_EXTENDS_DEPTH} deep (does a rule set extend itself?)"
            ),
            &at,
        )]);
    }
    let base_path = access
        .resolve(&path, &at, Kind::Extends)
        .map_err(|d| vec![*d])?;
    let base_files = load(&base_path, &path, &at, access, nesting)?;
    let base = resolve(base_files, depth + 1, access, nesting)?;
    let base_header = base.files.iter().find_map(|f| f.header.clone());
    let mut items: Vec<Item> = base
        .files
        .into_iter()
        .flat_map(|f| f.items)
        .filter(|i| !matches!(i, Item::Test(_)))
        .collect();
    let mut diags = Vec::new();
    let mut removed = base.removed;
    let position = |items: &[Item], kind: &str, name: &str| {
        items
            .iter()
            .position(|i| i.kind() == kind && i.ident().name == name)
    };
    for item in files.into_iter().flat_map(|f| f.items) {
        match item {
            Item::Remove(r) => match position(&items, &r.kind, &r.name.name) {
                Some(i) => {
                    items.remove(i);
                    removed.insert(r.name.name.clone(), r.name.loc.clone());
                }
                None => diags.push(
                    Diagnostic::error(
                        format!("`{path}` has no {} `{}` to remove", r.kind, r.name.name),
                        &r.name.loc,
                    )
                    .with_label("not in the extended methodology")
                    .with_secondary(&at, "extended here"),
                ),
            },
            Item::Replace(new) => match position(&items, new.kind(), &new.ident().name) {
                Some(i) => {
                    if let Some(slot) = items.get_mut(i) {
                        *slot = *new;
                    }
                }
                None => diags.push(
                    Diagnostic::error(
                        format!(
                            "`{path}` has no {} `{}` to replace",
                            new.kind(),
                            new.ident().name
                        ),
                        &new.ident().loc,
                    )
                    .with_label("not in the extended methodology")
                    .with_help("declare it without `replace` to add it"),
                ),
            },
            Item::Test(_) | Item::Sensitivity(_) | Item::Hooks(_) => {
                // A new sensitivity declaration or hook list stands in for the base's.
                if !matches!(item, Item::Test(_))
                    && let Some(i) = items.iter().position(|b| b.kind() == item.kind())
                {
                    items.remove(i);
                }
                items.push(item);
            }
            other => match position(&items, other.kind(), &other.ident().name) {
                Some(i) => {
                    let first = items.get(i).map(|b| b.ident().loc.clone());
                    let mut d = Diagnostic::error(
                        format!(
                            "{} `{}` is already in the extended methodology",
                            other.kind(),
                            other.ident().name
                        ),
                        &other.ident().loc,
                    )
                    .with_label("declared again")
                    .with_help(format!("write `replace {} …` to change it", other.kind()));
                    if let Some(first) = first {
                        d = d.with_secondary(&first, "declared here");
                    }
                    diags.push(d);
                }
                None => items.push(other),
            },
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    let header = inherit(header, base_header.as_ref());
    Ok(Resolved {
        base: base_header.map(|h| format!("{} {}", h.name, h.version)),
        files: vec![File {
            header: Some(header),
            items,
            spans: Vec::new(),
        }],
        removed,
    })
}

/// A rule set that extends nothing; `remove` and `replace` are errors in it.
fn plain(files: Vec<File>) -> Result<Resolved, Vec<Diagnostic>> {
    let diags: Vec<Diagnostic> = files
        .iter()
        .flat_map(|f| &f.items)
        .filter_map(|i| match i {
            Item::Remove(_) | Item::Replace(_) => Some(
                Diagnostic::error(
                    format!(
                        "`{}` needs an `extends` in the header",
                        if matches!(i, Item::Remove(_)) {
                            "remove"
                        } else {
                            "replace"
                        }
                    ),
                    &i.ident().loc,
                )
                .with_label("nothing to change")
                .with_help(
                    "write `extends \"../2018\"` under `methodology` to change an earlier version",
                ),
            ),
            _ => None,
        })
        .collect();
    if !diags.is_empty() {
        return Err(diags);
    }
    Ok(Resolved {
        files,
        base: None,
        removed: HashMap::new(),
    })
}

/// The unit and sources of the base apply unless the new header states its own.
fn inherit(mut header: Header, base: Option<&Header>) -> Header {
    if let Some(b) = base {
        if header.unit.is_none() {
            header.unit = b.unit.clone();
            header.unit_key = header.unit_key.or_else(|| b.unit_key.clone());
        }
        if header.sources.is_empty() {
            header.sources = b.sources.clone();
        }
    }
    header
}

fn load(
    path: &Path,
    named: &str,
    at: &Loc,
    access: &Access,
    nesting: usize,
) -> Result<Vec<File>, Vec<Diagnostic>> {
    let cannot = |why: String| {
        vec![
            Diagnostic::error(
                format!(
                    "cannot read the extended rule set `{}`: {why}",
                    path.display()
                ),
                at,
            )
            .with_label("extended here")
            .with_help("the path is relative to this rule file"),
        ]
    };
    let paths = access.rule_files(path).map_err(|e| cannot(e.to_string()))?;
    let mut files = Vec::new();
    let mut diags = Vec::new();
    for p in paths {
        let text = access.read(&p, named, Kind::Extends).map_err(&cannot)?;
        let source: Arc<Source> = Source::new(p.display().to_string(), text);
        match parse_file_within(&source, nesting) {
            Ok(f) => files.push(f),
            Err(d) => diags.extend(d),
        }
    }
    if diags.is_empty() {
        Ok(files)
    } else {
        Err(diags)
    }
}
