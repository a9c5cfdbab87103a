//! The files the server knows: open documents (their unsaved text wins over the disk),
//! the rule set each belongs to, and that rule set analysed with the library's own
//! parser and checker.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::parse::ast::File;
use crate::ruleset::{LoadError, RULE_FILE_EXTENSION, RuleSet};
use crate::source::Source;

use super::symbols::Index;

/// Open documents by path.
#[derive(Debug, Default)]
pub struct Workspace {
    open: HashMap<PathBuf, String>,
    /// The last text of each open document that parsed: while the author is half-way
    /// through a line, its declarations still complete.
    parsed: HashMap<PathBuf, String>,
}

/// One rule set as the editor sees it.
#[derive(Debug)]
pub struct Analysis {
    /// The rule set's files, as loaded (open text or disk).
    pub sources: Vec<Arc<Source>>,
    /// What `chiso check` reports, by file.
    pub diagnostics: HashMap<PathBuf, Vec<Diagnostic>>,
    /// The compiled rule set, when it has no errors.
    pub rules: Option<RuleSet>,
    /// Names over the rule set and the methodologies it extends.
    pub index: Index,
    /// Every file indexed: the rule set's, then its bases'.
    pub indexed: Vec<Arc<Source>>,
}

impl Workspace {
    /// Records a document's text (opened or changed).
    pub fn set(&mut self, path: PathBuf, text: String) {
        let source = Source::new(path.display().to_string(), text.as_str());
        if crate::parse::parse_file(&source).is_ok() {
            self.parsed.insert(path.clone(), text.clone());
        }
        self.open.insert(path, text);
    }

    /// Forgets a closed document (the disk is read again).
    pub fn close(&mut self, path: &Path) {
        self.open.remove(path);
        self.parsed.remove(path);
    }

    /// The text of `path`: open or on disk.
    pub fn text(&self, path: &Path) -> Option<String> {
        match self.open.get(path) {
            Some(t) => Some(t.clone()),
            None => std::fs::read_to_string(path).ok(),
        }
    }

    /// The files of the rule set `path` belongs to: the `.chiso` files of its folder,
    /// unless two or more of them carry a `methodology` header (a folder of separate
    /// rule files, such as a corpus of examples): then the file alone.
    pub fn rule_set_of(&self, path: &Path) -> Vec<PathBuf> {
        let Some(folder) = path.parent() else {
            return vec![path.to_path_buf()];
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| {
                        p.is_file() && p.extension().is_some_and(|e| e == RULE_FILE_EXTENSION)
                    })
                    .collect()
            })
            .unwrap_or_default();
        if !files.iter().any(|f| f == path) {
            files.push(path.to_path_buf());
        }
        files.sort();
        let headers = files
            .iter()
            .filter(|f| self.text(f).is_some_and(|t| has_header(&t)))
            .count();
        if headers > 1 {
            return vec![path.to_path_buf()];
        }
        files
    }

    fn sources(&self, files: &[PathBuf]) -> Vec<Arc<Source>> {
        files
            .iter()
            .map(|f| {
                let f = normalise(f);
                Source::new(f.display().to_string(), self.text(&f).unwrap_or_default())
            })
            .collect()
    }

    /// Checks the rule set `path` belongs to and indexes its names.
    pub fn analyse(&self, path: &Path) -> Analysis {
        let files = self.rule_set_of(path);
        let sources = self.sources(&files);
        let mut diagnostics: HashMap<PathBuf, Vec<Diagnostic>> = HashMap::new();
        let (found, rules) = match RuleSet::from_sources(&sources) {
            Ok(rules) => (rules.warnings().to_vec(), Some(rules)),
            Err(LoadError::Invalid { diagnostics }) => (diagnostics, None),
            Err(other) => (vec![Diagnostic::general(other.to_string())], None),
        };
        for d in found {
            let file = d.loc.as_ref().map_or_else(
                || path.to_path_buf(),
                |l| normalise(Path::new(&l.source.name)),
            );
            diagnostics.entry(file).or_default().push(d);
        }
        let (index, indexed) = self.index(sources.clone());
        Analysis {
            sources,
            diagnostics,
            rules,
            index,
            indexed,
        }
    }

    /// Parses the rule set's files and those of the methodologies it extends (each file
    /// that parses; one that does not simply has no names yet).
    fn index(&self, sources: Vec<Arc<Source>>) -> (Index, Vec<Arc<Source>>) {
        let mut parsed: Vec<File> = Vec::new();
        // Earlier texts of files that do not parse now: their names only, since their
        // locations no longer match the text.
        let mut stale: Vec<File> = Vec::new();
        let mut indexed = Vec::new();
        let mut level = sources;
        for _ in 0..crate::extend::MAX_EXTENDS_DEPTH {
            let mut base = None;
            for source in &level {
                let (file, current) = match crate::parse::parse_file(source) {
                    Ok(file) => (Some(file), true),
                    Err(_) => (self.earlier(source), false),
                };
                let Some(file) = file else { continue };
                // The header (and so `extends`) counts even from an earlier text.
                if let Some((rel, at)) = file.header.as_ref().and_then(|h| h.extends.clone()) {
                    let folder = Path::new(&at.source.name)
                        .parent()
                        .unwrap_or_else(|| Path::new(""))
                        .join(rel);
                    base = Some(folder);
                }
                if current {
                    parsed.push(file);
                } else {
                    stale.push(file);
                }
            }
            indexed.extend(level.iter().cloned());
            let Some(folder) = base else { break };
            let files = crate::ruleset::rule_files(&folder).unwrap_or_default();
            level = self.sources(&files);
        }
        let mut index = Index::build(&parsed);
        index.definitions.extend(Index::build(&stale).definitions);
        (index, indexed)
    }
}

impl Workspace {
    /// The last text of `source`'s file that parsed (or its saved text), parsed.
    fn earlier(&self, source: &Source) -> Option<File> {
        let path = Path::new(&source.name);
        let text = match self.parsed.get(path) {
            Some(t) => t.clone(),
            None => std::fs::read_to_string(path).ok()?,
        };
        crate::parse::parse_file(&Source::new(source.name.as_str(), text)).ok()
    }
}

/// A line that starts with the `methodology` keyword.
fn has_header(text: &str) -> bool {
    text.lines().any(|l| {
        l.strip_prefix("methodology")
            .is_some_and(|r| r.starts_with([' ', '"']))
    })
}

/// `a/b/../c` → `a/c`, without touching the disk: what `extends "../2018"` names.
pub fn normalise(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}
